"""Several sources side by side (issue 11): every camera of a recording in its own tile, with
zoom buttons (and Ctrl+wheel, drag to pan) and full screen (Esc leaves), and a choice of which
source's sound is heard. The tiles follow a :class:`~observer_app.media.synced.SyncedPlayer`;
a source outside its range at the session's time shows a line instead of a picture."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from observer_app.coding.state_logic import format_ms
from observer_app.media.synced import SyncedPlayer, SyncSource
from observer_app.media.widgets import VideoSurface

ZOOM_STEP = 1.25


def session_sources(session: Any) -> list[SyncSource]:
    """The further sources of the open assignment's recording (none without a session)."""
    if session is None:
        return []
    return [
        SyncSource(s.media_path, s.offset_ms, s.kind, s.label)
        for s in session.study.sources.of(session.recording.id)
    ]


def _offset_text(offset_ms: int) -> str:
    sign = "+" if offset_ms >= 0 else "−"
    return f"{sign}{format_ms(abs(offset_ms))}"


class SourceTile(QWidget):
    """A caption with zoom and full-screen buttons over one picture."""

    def __init__(self, title: str, surface: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.surface = surface
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        row = QHBoxLayout()
        self.caption = QLabel(title)
        row.addWidget(self.caption, 1)
        self.buttons: dict[str, QToolButton] = {}
        if isinstance(surface, VideoSurface):
            for name, text, tip, slot in (
                ("zoom_out", "−", "Zoom out (Ctrl+wheel)", self.zoom_out),
                ("zoom_in", "+", "Zoom in (Ctrl+wheel; drag to pan)", self.zoom_in),
                ("zoom_reset", "1×", "Whole picture", self.zoom_reset),
                ("full_screen", "", "Full screen (double click; Esc leaves)", self.full_screen),
            ):
                b = QToolButton()
                if text:
                    b.setText(text)
                else:
                    b.setIcon(b.style().standardIcon(QStyle.StandardPixmap.SP_TitleBarMaxButton))
                b.setToolTip(tip)
                b.setAutoRaise(True)
                b.setFocusPolicy(b.focusPolicy().NoFocus)
                b.clicked.connect(slot)
                row.addWidget(b)
                self.buttons[name] = b
        layout.addLayout(row)
        layout.addWidget(surface, 1)

    def zoom_in(self) -> None:
        if isinstance(self.surface, VideoSurface):
            self.surface.set_zoom(self.surface.zoom() * ZOOM_STEP)

    def zoom_out(self) -> None:
        if isinstance(self.surface, VideoSurface):
            self.surface.set_zoom(self.surface.zoom() / ZOOM_STEP)

    def zoom_reset(self) -> None:
        if isinstance(self.surface, VideoSurface):
            self.surface.set_zoom(1.0)

    def full_screen(self) -> None:
        if isinstance(self.surface, VideoSurface):
            self.surface.open_full_screen()


class _Gate(QObject):
    """A follower's frames, on the GUI thread, only while the session time is in its range
    (a pause at the edge of the range may still deliver one)."""

    frameReady = Signal(QImage)

    def __init__(self, follower: Any, parent: QObject) -> None:
        super().__init__(parent)
        self._follower = follower
        follower.player.frameReady.connect(self._frame, Qt.ConnectionType.QueuedConnection)

    @Slot(QImage)
    def _frame(self, image: QImage) -> None:
        if self._follower.covered:
            self.frameReady.emit(image)


class SourcesView(QWidget):
    """The main picture (or waveform) and every further video source, side by side."""

    seekRequested = Signal(int)

    def __init__(self, player: SyncedPlayer, main: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.player = player
        self.main = main
        self.tiles: list[SourceTile] = [SourceTile("Main recording", main)]
        self._by_index: dict[int, VideoSurface] = {}
        seek = getattr(main, "seekRequested", None)
        if seek is not None:
            seek.connect(self.seekRequested.emit)
        for f in player.followers():
            if f.source.kind == "video":
                self.tiles.append(self._follower_tile(f))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        grid = QGridLayout()
        columns = 2 if len(self.tiles) <= 4 else 3
        for i, tile in enumerate(self.tiles):
            grid.addWidget(tile, i // columns, i % columns)
        layout.addLayout(grid, 1)
        layout.addLayout(self._sound_row())
        player.coverageChanged.connect(self._coverage)

    def _follower_tile(self, f: Any) -> SourceTile:
        surface = VideoSurface()
        title = f"{f.source.label or 'Source'} ({_offset_text(f.source.offset_ms)})"
        if f.info is None:
            surface.show_message(f"Cannot play: {f.error}")
        else:
            surface.attach(_Gate(f, surface))
            self._by_index[f.index] = surface
            self._coverage(f.index, f.covered)
        return SourceTile(title, surface)

    def _sound_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(QLabel("Sound from:"))
        self.sound = QComboBox()
        self.sound.setFocusPolicy(self.sound.focusPolicy().ClickFocus)
        self.sound.addItem("Main recording", None)
        for f in self.player.followers():
            if f.info is not None and f.info.has_audio:
                self.sound.addItem(f"{f.source.label} ({f.source.kind})", f.index)
        current = self.sound.findData(self.player.audible())
        self.sound.setCurrentIndex(max(0, current))
        self.sound.currentIndexChanged.connect(
            lambda _i: self.player.set_audible(self.sound.currentData())
        )
        row.addWidget(self.sound)
        row.addStretch(1)
        return row

    def _coverage(self, index: int, covered: bool) -> None:
        surface = self._by_index.get(index)
        if surface is None:
            return
        if covered:
            frame = self.player.source_frame(index)
            if frame is not None:
                surface.show_frame(frame)
        else:
            f = self.player.followers()[index]
            end = f.source.offset_ms + (f.info.duration_ms if f.info is not None else 0)
            surface.show_message(
                f"{f.source.label}: no picture at this time\n(it covers "
                f"{_offset_text(f.source.offset_ms)} to {_offset_text(end)} of the session)"
            )

    # the coding window drives the main waveform through these (when the main is audio-only)
    def set_position(self, ms: int) -> None:
        forward = getattr(self.main, "set_position", None)
        if forward is not None:
            forward(ms)

    def set_view(self, start_ms: int, span_ms: int | None) -> None:
        forward = getattr(self.main, "set_view", None)
        if forward is not None:
            forward(start_ms, span_ms)
