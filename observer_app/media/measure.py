"""``measure(path)``: a recording's duration from its decoded stream, with the container's claim.

libvlc's parser reports the container's (or its own estimate's) duration: for MP3 at 16 or
22.05 kHz it extrapolates from the first frames' bitrate (20-43 % short on dictaphone files), for
Ogg it reads the last page's granule position. An audio-only recording that is not PCM WAV is
therefore decoded once by libvlc (mono at its own rate, as fast as it decodes) and its samples
counted; that is the duration stored, and the container's claim is kept beside it so that a
disagreement can be shown. PCM WAV declares its sample count exactly (the header is the decoded
length); for video the frame-exact demux of MP4/MOV/MKV is trusted (``source = "container"``).
"""

from __future__ import annotations

import tempfile
import threading
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from observer_app.media.probe import probe
from observer_app.media.types import MediaError
from observer_app.media.waveform import _transcode
from observer_app.media.working_copy import is_pcm_wav

#: A container claim this far from the decoded length is a disagreement worth showing.
DISAGREEMENT_MS = 500


@dataclass(frozen=True, slots=True)
class Measured:
    """What :func:`measure` found (satisfies the services' ``ProbeResult``)."""

    path: str
    duration_ms: int
    container_duration_ms: int
    duration_source: str  # "decoded" or "container"
    has_video: bool
    has_audio: bool
    fps: float

    @property
    def disagrees(self) -> bool:
        return abs(self.duration_ms - self.container_duration_ms) > DISAGREEMENT_MS


def decoded_duration_ms(
    path: str | Path,
    *,
    progress: Callable[[float], None] | None = None,
    cancel: threading.Event | None = None,
) -> int:
    """The length of ``path``'s audio as libvlc decodes it (samples / rate), in ms."""
    with tempfile.TemporaryDirectory(prefix="observer-measure-") as tmp:
        wav = Path(tmp) / "decoded.wav"
        # At the source's rate: libvlc's resampler drops the last ~0.35 s of a stream.
        _transcode(Path(path), wav, progress, cancel, audio="channels=1")
        if not wav.exists() or wav.stat().st_size <= 44:
            raise MediaError(f"{path}: has no audio track libvlc can decode")
        with wave.open(str(wav), "rb") as w:
            frames, rate = w.getnframes(), w.getframerate()
    if frames <= 0 or rate <= 0:
        raise MediaError(f"{path}: has no audio track libvlc can decode")
    return round(frames * 1000 / rate)


def measure(
    path: str | Path,
    *,
    progress: Callable[[float], None] | None = None,
    cancel: threading.Event | None = None,
) -> Measured:
    """Measure the recording at ``path`` (see the module docstring); :class:`MediaError` if it
    cannot be read or decoded."""
    info = probe(path)
    duration, source = info.duration_ms, "container"
    if not info.has_video and not is_pcm_wav(Path(info.path)):
        duration, source = decoded_duration_ms(path, progress=progress, cancel=cancel), "decoded"
    return Measured(
        info.path, duration, info.duration_ms, source, info.has_video, info.has_audio, info.fps
    )
