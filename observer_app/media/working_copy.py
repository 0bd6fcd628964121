"""Working copies: a PCM WAV decoded once from an audio recording whose container libvlc 3 cannot
seek exactly or time truthfully, used for playback, the waveform and the duration.

libvlc 3 lands seconds away from the target when it seeks in Ogg (Vorbis, Opus) and often ends
playback right after such a seek; it times MP3 at 16 or 22.05 kHz by the bitrate of its first
frames (20-43 % short); compressed audio generally seeks to packet boundaries. In a PCM WAV file
every sample sits at a computable byte offset, so libvlc seeks to the sample and its clock and
duration are the decoded stream's.

The copy is decoded by FFmpeg's decoders through PyAV, off the GUI thread, with progress and
cancel. Not by libvlc's transcoder: it drops the codec's start-up samples without keeping their
time, so its copies start early (measured on the test tune, ``tests/media/test_audio_truth.py``:
Ogg Vorbis 33.3 ms, Opus 73.5 ms, M4A/AAC 21.3 ms = one AAC frame; MP3 and FLAC exact) and every
event logged on them would be stamped that much early. FFmpeg removes MP3 encoder delay and
padding (LAME tag: 576 + 529 samples), Vorbis and Opus pre-skip and AAC priming, so each sample
of the copy sits at its time in the original (0.00-0.12 ms, i.e. within 2 samples, for Ogg
Vorbis, Opus, MP3 at 16/22.05/44.1 kHz CBR and VBR, M4A/AAC and FLAC).

The original stays the recording of record (its fingerprint identifies the recording); the copy
is named by that fingerprint and carries a sidecar (``.json``) with the source fingerprint, its
own fingerprint and its decoded duration, checked each time it is used. It lives in a cache
folder beside the study (``<study>.media/``) or, for a server study, in the user's cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from observer_app.media.probe import check_file
from observer_app.media.types import MediaError, MediaInfo
from observer_app.media.waveform import Cancelled, run_stream_output

#: Bump when the way copies are made changes, so older copies are made again (2: decoded by
#: FFmpeg, keeping the original's timeline; 1 was libvlc's transcoder).
FORMAT_VERSION = 2
#: Containers libvlc plays exactly as they are: PCM WAV (RIFF/WAVE) and video containers (the
#: exact-seek machinery labels every video frame). Everything else audio-only gets a copy.
_CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class WorkingCopy:
    """A decoded PCM WAV copy of ``source``: ``path`` and its decoded ``duration_ms``."""

    source: Path
    path: Path
    duration_ms: int
    sample_rate: int
    channels: int


def is_pcm_wav(path: Path) -> bool:
    """Whether ``path`` is a RIFF/WAVE file of 16-bit PCM (sample-exact in libvlc)."""
    try:
        with wave.open(str(path), "rb") as w:
            return w.getsampwidth() == 2 and w.getnframes() > 0
    except (wave.Error, EOFError, OSError):
        return False


def needs_working_copy(info: MediaInfo) -> bool:
    """An audio-only recording that is not already PCM WAV (Ogg, Opus, MP3, AAC, FLAC, …)."""
    return not info.has_video and not is_pcm_wav(Path(info.path))


def file_fingerprint(path: Path) -> str:
    """``size:sha256`` of the first and last MiB (as the study fingerprints recordings)."""
    size = path.stat().st_size
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        digest.update(fh.read(_CHUNK))
        if size > _CHUNK:
            fh.seek(max(_CHUNK, size - _CHUNK))
            digest.update(fh.read(_CHUNK))
    return f"{size}:{digest.hexdigest()}"


def cache_dir_for(study_file: Path | None) -> Path:
    """Where working copies of a study live: ``<study>.media/`` beside a study file, else
    ``$XDG_CACHE_HOME/observer-app/working-copies``."""
    if study_file is not None:
        return study_file.with_name(study_file.name + ".media")
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "observer-app" / "working-copies"


def copy_path(cache_dir: Path, source_fingerprint: str) -> Path:
    name = hashlib.sha256(f"{FORMAT_VERSION}:{source_fingerprint}".encode()).hexdigest()[:32]
    return cache_dir / f"{name}.wav"


def find_working_copy(source: Path, cache_dir: Path) -> WorkingCopy | None:
    """The valid working copy of ``source`` in ``cache_dir`` (fingerprints checked), or None."""
    try:
        wav = copy_path(cache_dir, file_fingerprint(source))
        meta = json.loads(wav.with_suffix(".json").read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT_VERSION or meta.get("copy") != file_fingerprint(wav):
            return None
        return _describe(source, wav)
    except (OSError, ValueError, wave.Error, EOFError):
        return None


def make_working_copy(
    source: str | Path,
    cache_dir: Path,
    *,
    progress: Callable[[float], None] | None = None,
    cancel: threading.Event | None = None,
) -> WorkingCopy:
    """Decode ``source`` to a PCM WAV working copy in ``cache_dir`` (reused if already made).

    Written to a temporary name and renamed when complete, so a cancelled or failed copy
    leaves nothing behind. Raises :class:`MediaError` or :class:`Cancelled`.
    """
    src = check_file(source)
    found = find_working_copy(src, cache_dir)
    if found is not None:
        return found
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise MediaError(f"{cache_dir}: cannot create the working-copy folder ({exc})") from exc
    source_fp = file_fingerprint(src)
    wav = copy_path(cache_dir, source_fp)
    partial = wav.with_name(wav.stem + ".partial.wav")
    try:
        _decode_to_wav(src, partial, progress, cancel)
        copy = _describe(src, partial)
        os.replace(partial, wav)
    except (Cancelled, MediaError):
        partial.unlink(missing_ok=True)
        raise
    except (OSError, wave.Error, EOFError) as exc:
        partial.unlink(missing_ok=True)
        raise MediaError(f"{src}: the working copy could not be written ({exc})") from exc
    meta = {
        "format": FORMAT_VERSION,
        "source": str(src),
        "source_fingerprint": source_fp,
        "copy": file_fingerprint(wav),
        "duration_ms": copy.duration_ms,
    }
    wav.with_suffix(".json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return WorkingCopy(src, wav, copy.duration_ms, copy.sample_rate, copy.channels)


def _decode_to_wav(
    source: Path,
    wav: Path,
    progress: Callable[[float], None] | None,
    cancel: threading.Event | None,
) -> None:
    """Decode the first audio stream of ``source`` into 16-bit PCM ``wav`` at its own rate and
    channels (FFmpeg through PyAV; progress 0-1, :class:`Cancelled`, :class:`MediaError`)."""
    try:
        import av
    except ImportError as exc:
        raise MediaError(f"PyAV is needed for working copies ({exc}); pip install av") from exc
    try:
        with av.open(str(source)) as container:
            if not container.streams.audio:
                raise MediaError(f"{source}: has no audio track")
            _decode_stream(container, wav, progress, cancel)
    except (av.FFmpegError, ValueError) as exc:  # ValueError: the format changes midway
        raise MediaError(f"{source}: the audio could not be decoded ({exc})") from exc
    if progress is not None:
        progress(1.0)


def _decode_stream(
    container: Any,
    wav: Path,
    progress: Callable[[float], None] | None,
    cancel: threading.Event | None,
) -> None:
    """Decoded frames are gathered into blocks of a second and converted per block (per frame
    the conversion costs 4x the decoding)."""
    import av

    stream = container.streams.audio[0]
    ctx = stream.codec_context
    total_s = float(container.duration or 0) / av.time_base
    to_s16 = av.AudioResampler(format="s16", layout=ctx.layout, rate=ctx.sample_rate)
    fifo = av.AudioFifo()
    with wave.open(str(wav), "wb") as out:
        out.setnchannels(ctx.layout.nb_channels)
        out.setsampwidth(2)
        out.setframerate(ctx.sample_rate)

        def write(block: Any) -> None:
            for converted in to_s16.resample(block):
                out.writeframes(converted.to_ndarray().tobytes())

        for frame in container.decode(stream):
            if cancel is not None and cancel.is_set():
                raise Cancelled
            at_s = frame.time
            frame.pts = None  # the samples follow each other (the FIFO checks pts otherwise)
            fifo.write(frame)
            if fifo.samples >= ctx.sample_rate:
                write(fifo.read())
                if progress is not None and total_s > 0 and at_s is not None:
                    progress(max(0.0, min(1.0, at_s / total_s)))
        if fifo.samples:
            write(fifo.read())
        write(None)


def _describe(source: Path, wav: Path) -> WorkingCopy:
    if not wav.exists() or wav.stat().st_size <= 44:
        raise MediaError(f"{source}: has no audio track libvlc can decode")
    with wave.open(str(wav), "rb") as w:
        rate, frames, channels = w.getframerate(), w.getnframes(), w.getnchannels()
    if frames == 0 or rate <= 0:
        raise MediaError(f"{source}: has no audio track libvlc can decode")
    return WorkingCopy(source, wav, round(frames * 1000 / rate), rate, channels)


def make_intra_proxy(
    source: str | Path,
    dest: Path,
    *,
    progress: Callable[[float], None] | None = None,
    cancel: threading.Event | None = None,
) -> Path:
    """An all-intra H.264 copy of a video (every frame a keyframe, no B-frames), by libvlc's
    x264 encoder, for measuring exact-seek latency against the original (``python -m
    benchmarks media``). Not yet used for playback: see the benchmark's findings."""
    src = check_file(source)
    partial = dest.with_name(dest.stem + ".partial.mp4")
    target = str(partial).replace('"', '\\"')
    venc = "x264{keyint=1,min-keyint=1,bframes=0,preset=ultrafast,crf=20}"
    chain = (
        f"#transcode{{vcodec=h264,venc={venc},acodec=mp4a,ab=96}}"
        f':std{{access=file,mux=mp4,dst="{target}"}}'
    )
    try:
        run_stream_output(src, chain, progress, cancel)
        os.replace(partial, dest)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return dest
