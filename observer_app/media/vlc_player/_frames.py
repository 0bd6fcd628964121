"""Frame delivery of a ``VlcPlayer``: libvlc's video callbacks, labelling and the frame cache."""

from __future__ import annotations

import ctypes
import math
import time
import zlib
from typing import Any

import numpy as np
from PySide6.QtGui import QImage

from observer_app.media import transport
from observer_app.media.types import MediaInfo
from observer_app.media.vlc_player._state import _Mixin, _Phase

_LockCb = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p))
_UnlockCb = ctypes.CFUNCTYPE(
    None, ctypes.c_void_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p)
)
_DisplayCb = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p)

_BUFFERS = 6  # ring of picture buffers handed to libvlc (more than it keeps in flight)
_CACHE_FRAMES = 12  # recent frames kept for instant steps while paused
_LABEL_SLACK = 0.2  # fraction of a frame a picture may be displayed early by libvlc


def _signature(buf: Any, size: int) -> int:
    """A cheap checksum of a picture (every 97th byte), to recognise a repeated picture."""
    view = np.frombuffer(buf, dtype=np.uint8, count=size)
    return zlib.crc32(view[::97].tobytes())


class _FrameMixin(_Mixin):
    """Copies each picture libvlc displays into a ``QImage``, labels it and publishes it."""

    def _setup_video(self, width: int, height: int) -> None:
        if self._frame_size != (width, height):
            self._bufs = [ctypes.create_string_buffer(width * height * 4) for _ in range(_BUFFERS)]
            self._frame_size = (width, height)
        self._player.video_set_format("RV32", width, height, width * 4)

    def _on_lock(self, _opaque: int | None, planes: Any) -> int:
        i = self._next_buf
        self._next_buf = (i + 1) % _BUFFERS
        planes[0] = ctypes.addressof(self._bufs[i])
        return i + 1  # picture ids must not be NULL

    def _on_unlock(self, _opaque: int | None, _picture: int | None, _planes: Any) -> None:
        return None

    def _on_display(self, _opaque: int | None, picture: int | None) -> None:
        try:
            self._display(int(picture or 1) - 1)
        except Exception:  # never let an exception unwind into libvlc
            return

    def _display(self, index: int) -> None:
        now = time.monotonic()
        width, height = self._frame_size
        size = width * height * 4
        buf = self._bufs[index]
        sig = _signature(buf, size)
        label: int | None = None
        cache_only = False
        with self._lock:
            phase = self._phase
            if phase is _Phase.IDLE:
                return
            fresh = sig != self._last_any_sig
            self._last_any_sig = sig
            if fresh:
                self._fresh_t = now
            self._recent.append(sig)
            if phase is _Phase.FROZEN:
                if not (self._count_frozen and fresh):
                    return
                self._vlc_label += 1  # libvlc still advancing after our pause: keep it
                label, cache_only = self._vlc_label, True
            elif phase is _Phase.LANDING:
                label = self._landing_label(sig, now)
                if label is None:
                    return
                cache_only = label < self._target_frame  # the run-in before the target
            elif self._resume_pending and not fresh:
                return  # libvlc repeats the paused picture
        frame = QImage(width, height, QImage.Format.Format_RGB32)
        ctypes.memmove((ctypes.c_char * size).from_buffer(frame.bits()), buf, size)
        landed = -1
        with self._lock:
            if self._phase is not phase:
                return
            if cache_only:
                assert label is not None
                self._cache_put_locked(label, frame)
                return
            if phase is _Phase.LANDING:
                landed = self._land_locked(frame, label, now)
            else:
                self._publish_locked(frame, sig, now)
        self.frameReady.emit(frame)
        if landed >= 0:
            self._landed.emit(landed)

    def _cache_put_locked(self, k: int, frame: QImage) -> None:
        """Keep recent frames by index, so short steps while paused need no seek."""
        self._cache[k] = frame
        self._cache.move_to_end(k)
        while len(self._cache) > _CACHE_FRAMES:
            self._cache.popitem(last=False)

    def _publish_locked(self, frame: QImage, sig: int, now: float) -> None:
        """Show a picture libvlc displays during playback, labelled with its frame index."""
        info = self._info
        assert info is not None
        if self._resume_pending:
            # The first new picture after a resume follows the last one libvlc showed while
            # pausing: anchor the clock on it.
            k = self._vlc_label + 1
            self._reanchor(max(transport.frame_time(k, info), self._floor_ms), now)
            self._resume_pending = False
        else:
            k = self._playing_label(sig, now, info)
        self._vlc_label = k
        self._cache_put_locked(k, frame)
        self._shown_sig = sig
        self._shown = frame
        self._shown_ms = transport.frame_time(k, info)
        self._shown_at = now

    def _playing_label(self, sig: int, now: float, info: MediaInfo) -> int:
        """Index of the frame libvlc displays now, during playback."""
        if now < self._count_until and self._shown is not None:
            # libvlc shows already-queued pictures at the old rate for a while after a rate
            # change: count pictures instead of trusting its (new) clock, until pictures come
            # at the new rate's interval.
            period = info.frame_ms / 1000.0 / self._vlc_rate
            interval = now - self._shown_at
            # Speeding up, libvlc catches up by dropping pictures and showing the one due at
            # once, right after the previous: that one the clock labels right.
            catch_up = self._rate_up and sig != self._shown_sig and interval < 0.5 * period
            if abs(interval - period) >= 0.25 * period and not catch_up:
                return transport.frame_index(self._shown_ms, info) + (sig != self._shown_sig)
            self._count_until = now
        return math.floor(self._estimate(now) / info.frame_ms + _LABEL_SLACK)
