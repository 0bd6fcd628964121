"""The timeline widget: the canvas with a scroll bar under it."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QScrollBar, QVBoxLayout, QWidget

from observer_app.ui.timeline.canvas import TimelineCanvas


class Timeline(QWidget):
    """The canvas with a scroll bar under it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.canvas = TimelineCanvas(self)
        self.bar = QScrollBar(Qt.Orientation.Horizontal, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.canvas, 1)
        layout.addWidget(self.bar)
        self.canvas.viewChanged.connect(self._sync_bar)
        self.bar.valueChanged.connect(self._bar_moved)

    def _sync_bar(self) -> None:
        c = self.canvas
        self.bar.blockSignals(True)
        self.bar.setRange(0, max(0, c.duration_ms - c.view_ms))
        self.bar.setPageStep(c.view_ms)
        self.bar.setSingleStep(max(1, c.view_ms // 20))
        self.bar.setValue(c.view_start)
        self.bar.blockSignals(False)

    def _bar_moved(self, value: int) -> None:
        self.canvas.scroll_to(value)

    def set_segments(self, segments: Sequence[tuple[int, int]]) -> None:
        self.canvas.segments = tuple(segments)
        self.canvas._changed()
