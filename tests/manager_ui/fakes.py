"""A stand-in player with the ``MediaPlayer`` API on a manual clock (no libvlc), used until the
media package's own FakePlayer is available to these tests."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from observer_app.media.types import MediaError, MediaInfo, PlaybackState


class StandInPlayer(QObject):
    positionChanged = Signal(int)
    stateChanged = Signal(object)
    mediaLoaded = Signal(object)
    errorOccurred = Signal(str)
    frameReady = Signal(QImage)

    def __init__(self, duration_ms: int = 3_000_000) -> None:
        super().__init__()
        self._duration = duration_ms
        self._info: MediaInfo | None = None
        self._pos = 0
        self._state = PlaybackState.EMPTY
        self._rate = 1.0
        self.seeks: list[int] = []

    def load(self, path: str | Path) -> MediaInfo:
        if not Path(path).exists():
            self.errorOccurred.emit(f"{path}: no such file")
            raise MediaError(f"{path}: no such file")
        self._info = MediaInfo(str(path), self._duration, 25.0, 320, 240, True, True)
        self._pos = 0
        self._set_state(PlaybackState.PAUSED)
        self.mediaLoaded.emit(self._info)
        return self._info

    def info(self) -> MediaInfo | None:
        return self._info

    def _set_state(self, state: PlaybackState) -> None:
        self._state = state
        self.stateChanged.emit(state)

    def play(self) -> None:
        self._set_state(PlaybackState.PLAYING)

    def pause(self) -> None:
        self._set_state(PlaybackState.PAUSED)

    def toggle(self) -> None:
        self.pause() if self._state == PlaybackState.PLAYING else self.play()

    def seek(self, ms: int) -> None:
        self._pos = max(0, min(int(ms), self._duration))
        self.seeks.append(self._pos)
        self.positionChanged.emit(self._pos)

    def jump(self, delta_ms: int) -> None:
        self.seek(self._pos + delta_ms)

    def step_frame(self, n: int = 1) -> None:
        self.pause()
        self.seek(self._pos + 40 * n)

    def advance(self, ms: int) -> None:
        """The test's clock: playback moves on by ``ms``."""
        if self._state == PlaybackState.PLAYING:
            self.seek(self._pos + ms)

    def set_rate(self, rate: float) -> None:
        self._rate = min(4.0, max(0.25, rate))

    def rate(self) -> float:
        return self._rate

    def set_volume(self, percent: int) -> None:
        pass

    def set_muted(self, muted: bool) -> None:
        pass

    def position_ms(self) -> int:
        return self._pos

    def current_frame(self) -> QImage | None:
        return None

    def state(self) -> PlaybackState:
        return self._state

    def close(self) -> None:
        self._info = None
        self._set_state(PlaybackState.EMPTY)
