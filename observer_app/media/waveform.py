"""The waveform of a recording's audio, decoded by libvlc (users need nothing but VLC).

libvlc transcodes the audio track to 8 kHz mono 16-bit WAV in a temporary file, as fast as it
can decode (a stream output has no clock); we then reduce it to one peak per bucket. It reports
progress and honours a cancel token; the GUI runs it through ``ui.workers`` (the one way off the
GUI thread), so it never blocks.
"""

from __future__ import annotations

import math
import tempfile
import threading
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from observer_app.media import _libvlc
from observer_app.media.probe import check_file
from observer_app.media.types import MediaError

SAMPLE_RATE = 8000
_POLL_S = 0.05


@dataclass(frozen=True)
class Envelope:
    """Peak absolute amplitude (0-1, full scale) of each ``bucket_ms`` slice of the audio."""

    peaks: np.ndarray
    bucket_ms: float
    duration_ms: int

    def peak_at(self, ms: float) -> float:
        i = min(len(self.peaks) - 1, max(0, int(ms / self.bucket_ms)))
        return float(self.peaks[i]) if len(self.peaks) else 0.0


class Cancelled(Exception):
    """The waveform job was cancelled."""


def compute_envelope(
    path: str | Path,
    *,
    bucket_ms: float = 20.0,
    progress: Callable[[float], None] | None = None,
    cancel: threading.Event | None = None,
) -> Envelope:
    """Decode ``path``'s audio with libvlc and return its :class:`Envelope`.

    Raises :class:`MediaError` (no audio, undecodable, libvlc missing) or :class:`Cancelled`.
    """
    source = check_file(path)
    with tempfile.TemporaryDirectory(prefix="observer-wave-") as tmp:
        wav = Path(tmp) / "audio.wav"
        _transcode(source, wav, progress, cancel)
        return _reduce(source, wav, bucket_ms)


def _transcode(
    source: Path,
    wav: Path,
    progress: Callable[[float], None] | None,
    cancel: threading.Event | None,
    audio: str = f"channels=1,samplerate={SAMPLE_RATE}",
) -> None:
    """Decode ``source``'s audio with libvlc into a 16-bit PCM WAV file ``wav`` (``audio``:
    the transcoder's channel and sample-rate options; empty keeps the source's)."""
    dst = str(wav).replace('"', '\\"')
    options = ",".join(x for x in ("vcodec=none,scodec=none,acodec=s16l", audio) if x)
    chain = f'#transcode{{{options}}}:std{{access=file,mux=wav,dst="{dst}"}}'
    run_stream_output(source, chain, progress, cancel, audio_only=True)


def run_stream_output(
    source: Path,
    chain: str,
    progress: Callable[[float], None] | None,
    cancel: threading.Event | None,
    *,
    audio_only: bool = False,
) -> None:
    """Run libvlc's stream output ``chain`` over ``source`` as fast as it decodes (progress
    0-1; :class:`Cancelled` when ``cancel`` is set; :class:`MediaError` when libvlc fails)."""
    vlc = _libvlc.vlc_module()
    inst = _libvlc.instance(audio=False)
    media = inst.media_new_path(str(source))
    media.add_option(f":sout={chain}")
    if audio_only:
        media.add_option(":no-sout-video")
    player = inst.media_player_new()
    player.set_media(media)
    done = {vlc.State.Ended, vlc.State.Error, vlc.State.Stopped}
    try:
        player.play()
        started = time.monotonic()
        while True:
            state = player.get_state()
            if state in done and time.monotonic() - started > 0.1:
                break
            if cancel is not None and cancel.is_set():
                raise Cancelled
            if progress is not None:
                progress(max(0.0, min(1.0, player.get_position())))
            time.sleep(_POLL_S)
        if state == vlc.State.Error:
            raise MediaError(f"{source}: libvlc could not decode it")
    finally:
        player.stop()
        player.release()
        media.release()
    if progress is not None:
        progress(1.0)


def _reduce(source: Path, wav: Path, bucket_ms: float) -> Envelope:
    if not wav.exists() or wav.stat().st_size <= 44:
        raise MediaError(f"{source}: has no audio track libvlc can decode")
    with wave.open(str(wav), "rb") as w:
        rate, n = w.getframerate(), w.getnframes()
        if n == 0 or w.getsampwidth() != 2:
            raise MediaError(f"{source}: has no audio track libvlc can decode")
        per_bucket = max(1, round(rate * bucket_ms / 1000))
        peaks = np.zeros(math.ceil(n / per_bucket), np.float32)
        chunk = per_bucket * 4096
        done = 0
        while done < n:
            samples = np.frombuffer(w.readframes(chunk), dtype="<i2").astype(np.float32)
            if samples.size == 0:
                break
            channels = w.getnchannels()
            if channels > 1:
                samples = np.abs(samples.reshape(-1, channels)).max(axis=1)
            pad = (-samples.size) % per_bucket
            block = np.abs(np.pad(samples, (0, pad))).reshape(-1, per_bucket).max(axis=1)
            start = done // per_bucket
            peaks[start : start + block.size] = block / 32768.0
            done += samples.size
    return Envelope(peaks, per_bucket * 1000 / rate, round(n * 1000 / rate))
