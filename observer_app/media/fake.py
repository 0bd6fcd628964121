"""``FakePlayer``: the MediaPlayer API on a clock the test controls (no libvlc, no files).

Transport semantics come from :mod:`observer_app.media.transport`, the same functions
``VlcPlayer`` uses: clamping, frame steps, rates, loops and the end of the recording behave
identically. Time only passes when the test calls :meth:`FakePlayer.advance`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QColor, QImage

from observer_app.media import transport
from observer_app.media.transport import Loop
from observer_app.media.types import MediaError, MediaInfo, PlaybackState

_MAX_FRAME_WIDTH = 320  # fake frames are small: a grey level per frame index


class FakePlayer(QObject):
    """A :class:`~observer_app.media.protocol.MediaPlayer` for UI tests.

    ``catalog`` maps paths (as given to :meth:`load`) to the :class:`MediaInfo` to report;
    ``probe`` (e.g. :func:`observer_app.media.probe`) is used for paths not in it. Anything
    else fails like a missing file.
    """

    positionChanged = Signal(int)
    stateChanged = Signal(object)
    mediaLoaded = Signal(object)
    errorOccurred = Signal(str)
    frameReady = Signal(QImage)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        catalog: Mapping[str, MediaInfo] | None = None,
        probe: Callable[[Path], MediaInfo] | None = None,
    ) -> None:
        super().__init__(parent)
        self._catalog = dict(catalog or {})
        self._probe = probe
        self._info: MediaInfo | None = None
        self._state = PlaybackState.EMPTY
        self._position = 0.0
        self._rate = 1.0
        self._volume = 100
        self._muted = False
        self._loop: Loop | None = None
        self._frame_cache: tuple[int, QImage] | None = None

    # ----------------------------------------------------------------- test controls
    def advance(self, wall_ms: float) -> None:
        """Let ``wall_ms`` of real time pass (playback moves ``wall_ms * rate``)."""
        info = self._info
        if info is None or self._state is not PlaybackState.PLAYING or wall_ms <= 0:
            return
        before = self.position_ms()
        after = self._position + wall_ms * self._rate
        target = transport.loop_jump(before, int(after), self._loop)
        if target is not None:
            self._move(target)
        elif after >= info.duration_ms:
            if self._loop is not None and self._loop.end_ms is None:
                self._move(self._loop.start_ms)
            else:
                self._move(transport.last_position(info))
                self._set_state(PlaybackState.ENDED)
        else:
            self._move(after)

    def volume(self) -> int:
        return self._volume

    def muted(self) -> bool:
        return self._muted

    # ----------------------------------------------------------------- MediaPlayer API
    def load(self, path: str | Path) -> MediaInfo:
        self.close()
        try:
            info = self._lookup(path)
        except MediaError as exc:
            self._set_state(PlaybackState.ERROR)
            self.errorOccurred.emit(str(exc))
            raise
        self._info = info
        self._loop = None
        self._set_state(PlaybackState.PAUSED)
        self.mediaLoaded.emit(info)
        self._move(0)
        return info

    def info(self) -> MediaInfo | None:
        return self._info

    def close(self) -> None:
        self._info = None
        self._position = 0.0
        self._frame_cache = None
        self._set_state(PlaybackState.EMPTY)

    def play(self) -> None:
        info = self._info
        if info is None or self._state in (PlaybackState.PLAYING, PlaybackState.ERROR):
            return
        if self._state is PlaybackState.ENDED:
            self._move(self._loop.start_ms if self._loop else 0)
        self._set_state(PlaybackState.PLAYING)

    def pause(self) -> None:
        if self._state is PlaybackState.PLAYING:
            self._set_state(PlaybackState.PAUSED)
            self.positionChanged.emit(self.position_ms())

    def toggle(self) -> None:
        if self._state is PlaybackState.PLAYING:
            self.pause()
        else:
            self.play()

    def seek(self, ms: int) -> None:
        info = self._info
        if info is None or self._state is PlaybackState.ERROR:
            return
        if self._state is PlaybackState.ENDED:
            self._set_state(PlaybackState.PAUSED)
        self._move(transport.clamp(ms, info))

    def jump(self, delta_ms: int) -> None:
        if self._info is not None:
            self.seek(transport.jump_target(self.position_ms(), delta_ms, self._info))

    def step_frame(self, n: int = 1) -> None:
        if self._info is None:
            return
        self.pause()
        self.seek(transport.step_target(self.position_ms(), n, self._info))

    def set_rate(self, rate: float) -> None:
        self._rate = transport.clamp_rate(rate)

    def rate(self) -> float:
        return self._rate

    def set_volume(self, percent: int) -> None:
        self._volume = max(0, min(100, int(percent)))

    def set_muted(self, muted: bool) -> None:
        self._muted = bool(muted)

    def set_loop(self, start_ms: int, end_ms: int | None) -> None:
        self._loop = transport.loop_for(start_ms, end_ms, self._info)

    def clear_loop(self) -> None:
        self._loop = None

    def loop(self) -> Loop | None:
        return self._loop

    def position_ms(self) -> int:
        return int(self._position)

    def current_frame(self) -> QImage | None:
        info = self._info
        if info is None or not info.has_video:
            return None
        k = transport.frame_index(self._position, info)
        if self._frame_cache is None or self._frame_cache[0] != k:
            self._frame_cache = (k, self._make_frame(k, info))
        return self._frame_cache[1]

    def state(self) -> PlaybackState:
        return self._state

    def seeking(self) -> bool:
        """Always False: the fake lands every seek at once."""
        return False

    # ----------------------------------------------------------------- internals
    def _lookup(self, path: str | Path) -> MediaInfo:
        key = str(path)
        if key in self._catalog:
            return self._catalog[key]
        if self._probe is not None:
            return self._probe(Path(path))
        raise MediaError(f"{path}: no such file")

    def _move(self, ms: float) -> None:
        info = self._info
        assert info is not None
        old_frame = transport.frame_index(self._position, info)
        self._position = float(ms)
        self.positionChanged.emit(self.position_ms())
        if info.has_video and transport.frame_index(self._position, info) != old_frame:
            frame = self.current_frame()
            if frame is not None:
                self.frameReady.emit(frame)

    @staticmethod
    def _make_frame(k: int, info: MediaInfo) -> QImage:
        width = min(info.width, _MAX_FRAME_WIDTH) or _MAX_FRAME_WIDTH
        height = max(1, round(width * info.height / info.width)) if info.width else width
        image = QImage(width, height, QImage.Format.Format_RGB32)
        grey = (k * 37) % 256
        image.fill(QColor(grey, grey, grey))
        return image

    def _set_state(self, state: PlaybackState) -> None:
        if state is not self._state:
            self._state = state
            self.stateChanged.emit(state)
