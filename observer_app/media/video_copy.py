"""The video working copy: an all-intra copy of a video recording, made once, from which the
frame server (:mod:`observer_app.media.frame_server`) decodes paused seeks and frame steps.

A camera file has a keyframe every 1-2 s and B-frames: an exact frame costs decoding up to a
GOP from the keyframe before it (0.2-0.5 s at 1080p here). In an all-intra copy every frame is a
keyframe and decodes alone (10-15 ms at 1080p). The copy is MPEG-4 Part 2 intra frames (FFmpeg's
own LGPL encoder, through PyAV; no GPL x264) at quality ``qscale`` :data:`QSCALE`, video only, in
Matroska, frame ``k`` of the original with timestamp ``k`` (time base ``1 / fps``), so frame
numbers are the original's even where the original's timestamps do not start at 0. libvlc keeps
playing the original (sound, full quality); the copy only feeds the paused picture.

Made off the GUI thread with progress and cancel (``ui/media_prep.py``), written to a temporary
name and renamed when complete, with a sidecar (``.json``) holding the source fingerprint, the
copy's fingerprint and its frame count, checked each time it is used; it lives beside the study
like the audio working copy (:func:`observer_app.media.working_copy.cache_dir_for`).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

from observer_app.media.probe import check_file
from observer_app.media.types import MediaError, MediaInfo
from observer_app.media.waveform import Cancelled
from observer_app.media.working_copy import file_fingerprint

#: Bump when the way copies are made changes, so older copies are made again.
FORMAT_VERSION = 1
#: MPEG-4 quantiser of the copy's frames (2 best .. 31 worst); 3 is visually lossless here.
QSCALE = 3
#: Videos at least this tall get a copy (smaller ones decode fast enough from the original).
MIN_HEIGHT = 720


def needs_video_copy(info: MediaInfo) -> bool:
    """A video recording of HD size (:data:`MIN_HEIGHT`), whose exact frames are slow to decode
    from camera-style long GOPs."""
    return info.has_video and info.height >= MIN_HEIGHT


def video_copy_path(cache_dir: Path, source_fingerprint: str) -> Path:
    key = f"video:{FORMAT_VERSION}:{source_fingerprint}".encode()
    return cache_dir / f"{hashlib.sha256(key).hexdigest()[:32]}.intra.mkv"


def find_video_copy(source: Path, cache_dir: Path) -> Path | None:
    """The valid video working copy of ``source`` in ``cache_dir`` (fingerprints checked)."""
    try:
        copy = video_copy_path(cache_dir, file_fingerprint(source))
        meta = json.loads(copy.with_suffix(".json").read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT_VERSION or meta.get("copy") != file_fingerprint(copy):
            return None
        return copy
    except (OSError, ValueError):
        return None


def make_video_copy(
    source: str | Path,
    cache_dir: Path,
    *,
    progress: Callable[[float], None] | None = None,
    cancel: threading.Event | None = None,
) -> Path:
    """Make (or reuse) the all-intra working copy of the video ``source`` in ``cache_dir``.

    Raises :class:`MediaError` (nothing written) or :class:`Cancelled` (nothing left behind).
    """
    src = check_file(source)
    found = find_video_copy(src, cache_dir)
    if found is not None:
        return found
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise MediaError(f"{cache_dir}: cannot create the working-copy folder ({exc})") from exc
    source_fp = file_fingerprint(src)
    copy = video_copy_path(cache_dir, source_fp)
    partial = copy.with_name(copy.stem + ".partial.mkv")
    try:
        frames = _transcode_intra(src, partial, progress, cancel)
        os.replace(partial, copy)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    meta = {
        "format": FORMAT_VERSION,
        "source": str(src),
        "source_fingerprint": source_fp,
        "copy": file_fingerprint(copy),
        "frames": frames,
    }
    copy.with_suffix(".json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return copy


def _transcode_intra(
    src: Path,
    dest: Path,
    progress: Callable[[float], None] | None,
    cancel: threading.Event | None,
) -> int:
    """Decode ``src``'s video and write every frame as an MPEG-4 intra frame; frame count."""
    import av

    try:
        with av.open(str(src)) as inp, av.open(str(dest), "w", format="matroska") as out:
            return _copy_frames(inp, out, progress, cancel)
    except av.FFmpegError as exc:
        raise MediaError(f"{src}: the video working copy could not be made ({exc})") from exc
    except (IndexError, ZeroDivisionError) as exc:
        raise MediaError(f"{src}: has no video track the working copy can be made of") from exc


def _copy_frames(
    inp: Any,
    out: Any,
    progress: Callable[[float], None] | None,
    cancel: threading.Event | None,
) -> int:
    import av

    vin = inp.streams.video[0]
    vin.thread_type = "AUTO"
    fps = Fraction(vin.average_rate or vin.guessed_rate)
    tb = Fraction(vin.time_base)
    total = vin.frames or (float(vin.duration * tb * fps) if vin.duration else 0)
    vout = out.add_stream("mpeg4", rate=fps)
    vout.width, vout.height, vout.pix_fmt = vin.width, vin.height, "yuv420p"
    vout.time_base = 1 / fps
    vout.thread_type = "AUTO"
    ctx = vout.codec_context
    ctx.gop_size = 1  # every frame a keyframe
    ctx.max_b_frames = 0
    ctx.qscale = QSCALE
    ctx.flags |= av.codec.context.Flags.qscale
    ctx.time_base = 1 / fps
    first_pts: int | None = None
    last = -1
    for frame in inp.decode(vin):
        if cancel is not None and cancel.is_set():
            raise Cancelled()
        if frame.pts is None:
            continue
        if first_pts is None:
            first_pts = frame.pts
        k = round((frame.pts - first_pts) * tb * fps)
        if k <= last:
            continue  # a duplicate timestamp: frame k is already written
        last = k
        frame.pts, frame.time_base, frame.pict_type = k, 1 / fps, av.video.frame.PictureType.I
        for packet in vout.encode(frame):
            out.mux(packet)
        if progress is not None and total:
            progress(min(1.0, k / total))
    for packet in vout.encode():
        out.mux(packet)
    if last < 0:
        raise MediaError(f"{inp.name}: has no video frame the working copy can be made of")
    return last + 1
