"""``measure(path)``: a recording's duration from its decoded stream, with the container's claim.

libvlc's parser reports the container's (or its own estimate's) duration: for MP3 at 16 or
22.05 kHz it extrapolates from the first frames' bitrate (20-43 % short on dictaphone files), for
Ogg it reads the last page's granule position. An audio-only recording that is not PCM WAV is
therefore decoded once, by the decoder that makes its working copy (FFmpeg through PyAV,
``working_copy.decoded_audio``), and its samples counted: the stored duration is the working
copy's, the length the player plays. The container's claim is kept beside it so that a
disagreement can be shown. PCM WAV declares its sample count exactly (the header is the decoded
length); for video the frame-exact demux of MP4/MOV/MKV is trusted (``source = "container"``;
the tests check it against PyAV's frame count times the frame duration).

:data:`MEASURE_VERSION` names the method, stored with each measurement, so that recordings
measured by an older one are offered a re-check (1: libvlc's transcoder counted the samples,
which drops the codec's start-up samples: Ogg Vorbis 27 ms, Opus 80 ms, M4A/AAC 22 ms short;
2: FFmpeg's decoders).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from observer_app.media.probe import probe
from observer_app.media.types import MediaError
from observer_app.media.working_copy import decoded_audio, is_pcm_wav

#: A container claim this far from the decoded length is a disagreement worth showing.
DISAGREEMENT_MS = 500
#: The measuring method (the module docstring): bump it when the way durations are measured
#: changes, so that the manager is offered a re-check of recordings measured before.
MEASURE_VERSION = 2


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
    measure_version: int = MEASURE_VERSION

    @property
    def disagrees(self) -> bool:
        return abs(self.duration_ms - self.container_duration_ms) > DISAGREEMENT_MS


def decoded_duration_ms(
    path: str | Path,
    *,
    progress: Callable[[float], None] | None = None,
    cancel: threading.Event | None = None,
) -> int:
    """The length of ``path``'s first audio stream as decoded (samples / rate), in ms: the
    working copy's duration, without writing one."""
    with decoded_audio(Path(path), progress, cancel) as audio:
        samples = sum(frame.samples for frame in audio.frames)
        rate = audio.sample_rate
    if samples <= 0 or rate <= 0:
        raise MediaError(f"{path}: has no audio that can be decoded")
    return round(samples * 1000 / rate)


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
