"""``probe(path)``: read a recording's duration, frame rate, size and streams without playing."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from observer_app.media import _libvlc
from observer_app.media.container import truncation_problem
from observer_app.media.types import MediaError, MediaInfo

PARSE_TIMEOUT_S = 10.0


def check_file(path: str | Path) -> Path:
    """The path if it names a readable, non-empty, complete file; :class:`MediaError` if not."""
    p = Path(path)
    if not p.exists():
        raise MediaError(f"{p}: no such file")
    if not p.is_file():
        raise MediaError(f"{p}: not a file")
    try:
        size = p.stat().st_size
        problem = truncation_problem(p)
    except OSError as exc:
        raise MediaError(f"{p}: cannot be read ({exc.strerror or exc})") from exc
    if size == 0:
        raise MediaError(f"{p}: the file is empty")
    if problem:
        raise MediaError(f"{p}: {problem}")
    return p


def probe(path: str | Path, timeout_s: float = PARSE_TIMEOUT_S) -> MediaInfo:
    """Describe the recording at ``path`` (libvlc's parser; nothing is played or shown).

    Raises :class:`MediaError` naming the file and the problem: missing, unreadable, empty,
    truncated, not decodable (no audio or video stream libvlc understands), or libvlc missing.
    """
    p = check_file(path)
    vlc = _libvlc.vlc_module()
    media = _libvlc.instance(audio=False).media_new_path(str(p))
    if media is None:
        raise MediaError(f"{p}: libvlc could not open it")
    try:
        status = _parse(vlc, media, timeout_s)
        if status != vlc.MediaParsedStatus.done:
            what = "timed out" if status == vlc.MediaParsedStatus.timeout else "failed"
            raise MediaError(f"{p}: cannot be read as a recording (libvlc's parser {what})")
        tracks = _libvlc.media_tracks(media)
        duration = int(media.get_duration())
    finally:
        media.release()
    video = [t for t in tracks if t[0] == _libvlc.TRACK_VIDEO]
    has_audio = any(t[0] == _libvlc.TRACK_AUDIO for t in tracks)
    if not video and not has_audio:
        raise MediaError(f"{p}: not a recording libvlc can decode (no audio or video stream)")
    if duration <= 0:
        raise MediaError(f"{p}: libvlc cannot tell its duration (damaged or still being written?)")
    _, width, height, fps = video[0] if video else (0, 0, 0, 0.0)
    return MediaInfo(str(p), duration, fps, width, height, bool(video), has_audio)


def _parse(v: Any, m: Any, timeout_s: float) -> Any:
    m.parse_with_options(v.MediaParseFlag.local, int(timeout_s * 1000))
    deadline = time.monotonic() + timeout_s + 1.0
    while m.get_parsed_status() == 0 and time.monotonic() < deadline:
        time.sleep(0.005)
    return m.get_parsed_status()
