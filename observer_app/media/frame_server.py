"""Exact frames on demand: decodes frame ``k`` of a video with PyAV (FFmpeg) on its own thread.

libvlc 3 needs 0.4-0.8 s from a paused seek to the exact frame on 1080p H.264 (it flushes and
restarts its decoder, and an exact seek must run in from a few frames early); an all-intra proxy
does not help it (``python -m benchmarks media``). FFmpeg's decoder reached through PyAV seeks to
the keyframe before the target and decodes forward to it: 10-15 ms for one frame of an all-intra
working copy (:mod:`observer_app.media.video_copy`), up to a GOP of frames (0.2-0.5 s) on a
camera file with keyframes every 2 s. Moving forward a few frames continues from the decoder's
position without a seek (frame steps cost one decode each, even on the original).

Frame ``k`` is the ``k``-th frame in presentation order, timed from the stream's first frame
(``(pts - first_pts) * time_base * fps``, rounded): the numbering :class:`VlcPlayer` and
:mod:`observer_app.media.transport` use (frame ``k`` is shown over ``[k, k + 1) * frame_ms``).
A target past the last frame gives the last frame.

PyAV is BSD-licensed; its wheels bundle FFmpeg's LGPL libraries (and x264/x265, which this module
never uses: it only decodes, with FFmpeg's own decoders).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtGui import QImage

from observer_app.media.types import MediaError

#: Forward distance (frames) up to which decoding continues instead of seeking.
_CONTINUE_FRAMES = 12
#: A seek that lands after the target is retried this much earlier (seconds), doubling.
_BACKOFF_S = 1.0


def _to_qimage(frame: Any) -> QImage:
    """A ``QImage.Format_RGB32`` (B, G, R, X in memory) with its own copy of a PyAV frame."""
    rgb = frame.reformat(format="bgra")
    plane = rgb.planes[0]
    image = QImage(rgb.width, rgb.height, QImage.Format.Format_RGB32)
    dst = np.frombuffer(image.bits(), np.uint8).reshape(rgb.height, image.bytesPerLine())
    src = np.frombuffer(plane, np.uint8).reshape(rgb.height, plane.line_size)
    dst[:, : rgb.width * 4] = src[:, : rgb.width * 4]
    return image


class FrameDecoder:
    """Frame-exact random access into one video file (not thread-safe: one thread uses it)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            import av
        except ImportError as exc:
            raise MediaError("PyAV is not installed: pip install av") from exc
        try:
            self._container = av.open(str(self.path))
            self._stream = self._container.streams.video[0]
        except (av.FFmpegError, IndexError, OSError) as exc:
            raise MediaError(
                f"{self.path}: the frame server cannot open the video ({exc})"
            ) from exc
        self._stream.thread_type = "SLICE"  # frame threading would delay every frame
        rate = self._stream.average_rate or self._stream.guessed_rate
        if not rate:
            raise MediaError(f"{self.path}: the video has no frame rate")
        self.fps = Fraction(rate)
        self._tb = Fraction(self._stream.time_base)
        self._frames: Any = None  # the running decode generator
        self._first_pts = 0
        self._next = 0  # index of the frame the running decoder yields next
        self._last: tuple[int, Any] | None = None
        first = self._restart(None)
        if first is None:
            raise MediaError(f"{self.path}: the video has no decodable frame")
        self._first_pts = first.pts or 0
        self._last = (0, first)
        self._next = 1

    def close(self) -> None:
        self._container.close()

    def _index(self, frame: Any) -> int:
        if frame.pts is None:  # (rare) an untimed frame follows the previous one
            return self._last[0] + 1 if self._last is not None else 0
        return round((frame.pts - self._first_pts) * self._tb * self.fps)

    def _restart(self, pts: int | None) -> Any:
        """Seek to the keyframe at or before ``pts`` (None: the start); the first frame."""
        if pts is not None:
            self._container.seek(max(0, pts), stream=self._stream, backward=True)
        self._frames = self._container.decode(self._stream)
        return next(self._frames, None)

    def _pts_of(self, k: int) -> int:
        return self._first_pts + round(k / self.fps / self._tb)

    def frame(self, k: int) -> tuple[int, QImage]:
        """``(index, image)`` of frame ``k`` (the last frame if ``k`` is past the end)."""
        k = max(0, k)
        if self._last is not None and self._last[0] == k:
            return k, _to_qimage(self._last[1])
        if not (self._next <= k < self._next + _CONTINUE_FRAMES):
            self._seek_before(k)
        return self._decode_to(k)

    def _seek_before(self, k: int) -> None:
        """Restart decoding at a keyframe whose first frame is at or before frame ``k``."""
        back = Fraction(0)
        while True:
            pts = max(self._first_pts, self._pts_of(k) - round(back / self._tb))
            first = self._restart(pts)
            if first is None:  # seeking past the end: the keyframe before it
                back = back * 2 or Fraction(_BACKOFF_S)
                continue
            i = self._index(first)
            if i <= k or pts <= self._first_pts:
                self._last = (i, first)
                self._next = i + 1
                return
            back = back * 2 or Fraction(_BACKOFF_S)

    def _decode_to(self, k: int) -> tuple[int, QImage]:
        assert self._last is not None
        while self._last[0] < k:
            frame = next(self._frames, None)
            if frame is None:
                break  # the end: the last frame stands for everything after it
            self._last = (self._index(frame), frame)
            self._next = self._last[0] + 1
        return self._last[0], _to_qimage(self._last[1])


#: ``(token, index, image)``; image None if decoding failed.
Delivery = Callable[[int, int, QImage | None], None]


class FrameServer:
    """A :class:`FrameDecoder` on a thread of its own; the newest request wins.

    ``request(k, token)`` returns at once; when frame ``k`` is decoded ``deliver(token, index,
    image)`` is called ON THE SERVER'S THREAD (connect it to a queued signal). Requests that a
    newer one replaced before they were decoded are dropped; one whose decoding had started is
    delivered only if no newer request is waiting.
    """

    def __init__(self, path: str | Path, deliver: Delivery) -> None:
        self.path = Path(path)
        self._deliver = deliver
        self._cond = threading.Condition()
        self._pending: tuple[int, int] | None = None
        self._closed = False
        self.error = ""
        self._thread = threading.Thread(target=self._run, name="frame-server", daemon=True)
        self._thread.start()

    def request(self, k: int, token: int) -> None:
        with self._cond:
            self._pending = (k, token)
            self._cond.notify()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify()

    def _run(self) -> None:
        try:
            decoder: FrameDecoder | None = FrameDecoder(self.path)
        except MediaError as exc:
            self.error, decoder = str(exc), None
        try:
            while True:
                with self._cond:
                    while self._pending is None and not self._closed:
                        self._cond.wait()
                    if self._closed:
                        return
                    assert self._pending is not None
                    (k, token), self._pending = self._pending, None
                index, image = self._serve(decoder, k)
                with self._cond:
                    superseded = self._pending is not None or self._closed
                if not superseded:
                    self._deliver(token, index, image)
        finally:
            if decoder is not None:
                decoder.close()

    def _serve(self, decoder: FrameDecoder | None, k: int) -> tuple[int, QImage | None]:
        if decoder is None:
            return k, None
        try:
            return decoder.frame(k)
        except Exception as exc:  # the thread must answer: the player falls back to libvlc
            self.error = f"{self.path}: frame {k} could not be decoded ({exc})"
            return k, None
