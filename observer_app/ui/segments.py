"""The segment navigator: the segments of the recording, which are rated, and the rating form."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from observer_app.coding.state_logic import format_ms
from observer_app.ui.contrast import readable
from observer_app.ui.instrument_form import InstrumentForm


class SegmentNavigator(QWidget):
    segmentChosen = Signal(int)  # index: go to its start
    loopToggled = Signal(bool)

    def __init__(self, bounds: Sequence[tuple[int, int]], form: InstrumentForm | None) -> None:
        super().__init__()
        self.bounds = tuple(bounds)
        self.form = form
        self.selected = 0
        self.current = 0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        self.header = QLabel()
        layout.addWidget(self.header)
        buttons = QHBoxLayout()
        self.prev_button = QPushButton("◀ Previous")
        self.next_button = QPushButton("Next ▶")
        self.loop_button = QPushButton("⟲ Loop")
        self.loop_button.setCheckable(True)
        for b in (self.prev_button, self.next_button, self.loop_button):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            buttons.addWidget(b)
        self.prev_button.clicked.connect(lambda: self.choose(self.selected - 1))
        self.next_button.clicked.connect(lambda: self.choose(self.selected + 1))
        self.loop_button.toggled.connect(self.loopToggled.emit)
        layout.addLayout(buttons)
        split = QSplitter(Qt.Orientation.Vertical)
        self.list = QListWidget()
        self.list.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.list.setMaximumHeight(min(160, 26 * len(self.bounds) + 8))
        for i, (start, end) in enumerate(self.bounds):
            self.list.addItem(
                QListWidgetItem(f"{i + 1}  {format_ms(start)[:8]}–{format_ms(end)[:8]}")
            )
        self.list.itemClicked.connect(lambda item: self.choose(self.list.row(item)))
        split.addWidget(self.list)
        if form is not None:
            split.addWidget(form)
            split.setStretchFactor(1, 3)
            split.setSizes([90, 400])
        layout.addWidget(split, 1)
        self._rated: list[bool] = [False] * len(self.bounds)
        self._refresh()

    def index_at(self, ms: int) -> int:
        for i, (start, end) in enumerate(self.bounds):
            if start <= ms < end:
                return i
        return max(0, len(self.bounds) - 1)

    def choose(self, index: int) -> None:
        if not self.bounds:
            return
        index = max(0, min(index, len(self.bounds) - 1))
        self.select(index)
        self.segmentChosen.emit(index)

    def select(self, index: int) -> None:
        """Show segment ``index`` in the form (without seeking)."""
        self.selected = index
        if self.form is not None:
            self.form.set_unit("segment", index)
        self._refresh()

    def follow(self, ms: int) -> bool:
        """The playhead moved: mark the segment it is in; True if that changed."""
        index = self.index_at(ms)
        if index == self.current:
            return False
        self.current = index
        self._refresh()
        return True

    def set_rated(self, rated: Sequence[bool]) -> None:
        self._rated = list(rated)
        self._refresh()

    def _refresh(self) -> None:
        for i in range(self.list.count()):
            item = self.list.item(i)
            start, end = self.bounds[i]
            flag = "✓" if self._rated[i] else "⚠ missing ratings"
            here = "  ▶ playing" if i == self.current else ""
            item.setText(f"{i + 1}.  {format_ms(start)[:8]} – {format_ms(end)[:8]}   {flag}{here}")
            item.setForeground(readable("#2e7d32") if self._rated[i] else readable("#c0392b"))
        if 0 <= self.selected < self.list.count():
            self.list.setCurrentRow(self.selected)
        n = len(self.bounds)
        missing = sum(1 for r in self._rated if not r)
        self.header.setText(
            f"Segment {self.selected + 1} of {n}"
            + (f" · {missing} without complete ratings" if missing else " · all rated")
        )
