"""The one place that loads libvlc: a clear error when it is missing, shared instances.

Instance options: no window, no title or on-screen display, no user ``vlcrc`` (so results do not
depend on the user's VLC settings), pitch-preserving rate changes. Audio goes to the default
output, or to the ``dummy`` output (decoded and paced, but silent) when asked to
(``OBSERVER_APP_AUDIO=dummy`` or ``audio=False``) or when the machine has no sound device
(no ALSA device and no PulseAudio/PipeWire socket: CI, containers, ssh sessions).
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from pathlib import Path
from types import ModuleType
from typing import Any

from observer_app.media.types import MediaError

if sys.platform.startswith("linux"):
    INSTALL_HINT = "install it with: sudo apt-get install libvlc5 vlc-plugin-base"
else:
    INSTALL_HINT = (
        "install VLC 3 from https://www.videolan.org/ (64-bit, same architecture as Python)"
    )
LIBVLC_MISSING = f"libvlc (VLC 3) is not installed or cannot be loaded; {INSTALL_HINT}"

_lock = threading.Lock()
_instances: dict[bool, Any] = {}
_modules: dict[str, ModuleType] = {}


def vlc_module() -> ModuleType:
    """The ``vlc`` module; raises :class:`MediaError` naming the package to install if missing."""
    if "vlc" not in _modules:
        try:
            import vlc
        except Exception as exc:  # python-vlc raises NotImplementedError/OSError/AttributeError
            raise MediaError(f"{LIBVLC_MISSING} ({exc})") from exc
        _modules["vlc"] = vlc
    return _modules["vlc"]


def sound_device_available() -> bool:
    """Best guess whether audio can be heard here (always True outside Linux)."""
    if not sys.platform.startswith("linux"):
        return True
    runtime = Path(os.environ.get("XDG_RUNTIME_DIR", f"/run/user/{os.getuid()}"))
    if os.environ.get("PULSE_SERVER") or any(
        (runtime / name).exists() for name in ("pulse/native", "pipewire-0")
    ):
        return True
    snd = Path("/dev/snd")
    return snd.is_dir() and any(p.name.startswith("pcm") for p in snd.iterdir())


def audio_wanted(audio: bool | None) -> bool:
    """Resolve the audio choice: an explicit argument wins, then the env var, then the device."""
    if audio is not None:
        return audio
    env = os.environ.get("OBSERVER_APP_AUDIO", "").strip().lower()
    if env in {"dummy", "off", "0", "none", "no"}:
        return False
    return sound_device_available()


def instance_options(audio: bool) -> list[str]:
    opts = ["--quiet", "--ignore-config", "--no-xlib", "--no-video-title-show", "--no-osd"]
    opts += ["--no-snapshot-preview", "--no-sub-autodetect-file", "--no-spu", "--no-stats"]
    # A short decode-ahead for local files makes rate changes show within ~50 ms (libvlc keeps
    # displaying already-queued pictures at the old rate for about the caching time).
    opts += ["--audio-time-stretch", "--file-caching=50"]
    if not audio:
        opts.append("--aout=dummy")
    return opts


def instance(audio: bool | None = None) -> Any:
    """A shared ``vlc.Instance`` (one per audio mode); raises :class:`MediaError` if unusable."""
    vlc = vlc_module()
    wanted = audio_wanted(audio)
    with _lock:
        inst = _instances.get(wanted)
        if inst is None:
            inst = vlc.Instance(instance_options(wanted))
            if inst is None:
                msg = f"libvlc could not start (are its plugins missing?); {INSTALL_HINT}"
                raise MediaError(msg)
            _instances[wanted] = inst
        return inst


class _VideoTrack(ctypes.Structure):
    # Leading fields of libvlc_video_track_t (libvlc 3).
    _fields_ = [
        ("height", ctypes.c_uint),
        ("width", ctypes.c_uint),
        ("sar_num", ctypes.c_uint),
        ("sar_den", ctypes.c_uint),
        ("frame_rate_num", ctypes.c_uint),
        ("frame_rate_den", ctypes.c_uint),
    ]


class _MediaTrack(ctypes.Structure):
    # libvlc_media_track_t; audio/video/subtitle pointers are a union (python-vlc declares three
    # separate fields, which misplaces everything after them and crashes on access).
    _fields_ = [
        ("codec", ctypes.c_uint32),
        ("original_fourcc", ctypes.c_uint32),
        ("id", ctypes.c_int),
        ("type", ctypes.c_int),
        ("profile", ctypes.c_int),
        ("level", ctypes.c_int),
        ("detail", ctypes.c_void_p),
        ("bitrate", ctypes.c_uint),
        ("language", ctypes.c_char_p),
        ("description", ctypes.c_char_p),
    ]


TRACK_AUDIO, TRACK_VIDEO = 0, 1


def media_tracks(media: Any) -> list[tuple[int, int, int, float]]:
    """``(type, width, height, fps)`` per elementary stream of a parsed ``vlc.Media``."""
    vlc = vlc_module()
    get = vlc.dll.libvlc_media_tracks_get
    get.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.POINTER(ctypes.POINTER(_MediaTrack)))]
    get.restype = ctypes.c_uint
    release = vlc.dll.libvlc_media_tracks_release
    release.argtypes = [ctypes.POINTER(ctypes.POINTER(_MediaTrack)), ctypes.c_uint]
    release.restype = None
    array = ctypes.POINTER(ctypes.POINTER(_MediaTrack))()
    count = get(media._as_parameter_, ctypes.byref(array))
    out: list[tuple[int, int, int, float]] = []
    try:
        for i in range(count):
            track = array[i].contents
            if track.type == TRACK_VIDEO and track.detail:
                v = ctypes.cast(track.detail, ctypes.POINTER(_VideoTrack)).contents
                fps = v.frame_rate_num / v.frame_rate_den if v.frame_rate_den else 0.0
                out.append((TRACK_VIDEO, int(v.width), int(v.height), fps))
            else:
                out.append((int(track.type), 0, 0, 0.0))
    finally:
        if count:
            release(array, count)
    return out
