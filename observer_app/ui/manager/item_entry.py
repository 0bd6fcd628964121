"""A fast keyboard grid for typing in a paper questionnaire: one cell per item.

With the grid focused, a digit answers the current item and moves to the next one (on scales
that reach 10 or more, two digits are read: type ``1`` then ``0``); Space or ``.`` leaves the
item unanswered and moves on; Backspace clears the previous item and goes back; Left/Right and
Home/End move; a click selects an item; Enter asks to save the form (``submitted``).
``changed`` fires after every change; ``completed`` once the last item has been answered. The
grid only collects values: nothing here is saved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

CELL_W, CELL_H, PER_ROW = 46, 48, 12
CURRENT = QColor(0, 114, 178)
MISMATCH = QColor(255, 205, 200)
ANSWERED = QColor(225, 240, 255)


class ItemEntryGrid(QWidget):
    changed = Signal()
    completed = Signal()
    submitted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setObjectName("item_entry")
        self._items: list[str] = []
        self._lo, self._hi = 1, 7
        self._values: dict[str, int] = {}
        self._marked: set[str] = set()
        self.current = 0
        self._pending = ""

    # -- data -----------------------------------------------------------------------------
    def set_items(self, item_ids: Sequence[str], lo: int, hi: int) -> None:
        self._items = list(item_ids)
        self._lo, self._hi = lo, hi
        self.clear()
        self.updateGeometry()

    def clear(self) -> None:
        self._values = {}
        self._marked = set()
        self.current = 0
        self._pending = ""
        self.update()
        self.changed.emit()

    def set_values(self, values: Mapping[str, int]) -> None:
        self._values = {k: v for k, v in values.items() if k in self._items}
        self.update()
        self.changed.emit()

    def values(self) -> dict[str, int]:
        return dict(self._values)

    def mark(self, item_ids: Sequence[str]) -> None:
        """Highlight items (the mismatches of a double entry): typing then moves from one marked
        item to the next, starting at the first."""
        self._marked = set(item_ids)
        marked = [i for i, item in enumerate(self._items) if item in self._marked]
        if marked:
            self.current = marked[0]
        self.update()

    @property
    def item_ids(self) -> list[str]:
        return list(self._items)

    # -- keys -----------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, text = event.key(), event.text()
        if not self._items:
            super().keyPressEvent(event)
            return
        if text.isdigit() and len(text) == 1:
            self._digit(text)
        elif key in (Qt.Key.Key_Space, Qt.Key.Key_Period):
            self._set(None)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.submitted.emit()
        elif key == Qt.Key.Key_Backspace:
            self._back()
        elif key == Qt.Key.Key_Right:
            self._move(self.current + 1)
        elif key == Qt.Key.Key_Left:
            self._move(self.current - 1)
        elif key == Qt.Key.Key_Home:
            self._move(0)
        elif key == Qt.Key.Key_End:
            self._move(len(self._items) - 1)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def _digit(self, d: str) -> None:
        text = self._pending + d
        value = int(text)
        if self._hi >= 10 and not self._pending and value * 10 <= self._hi and value != 0:
            self._pending = text  # wait for a second digit (e.g. 1 -> 10 on a 0-10 scale)
            self.update()
            return
        self._pending = ""
        if self._lo <= value <= self._hi:
            self._set(value)
        else:
            self.update()

    def _set(self, value: int | None) -> None:
        if self.current >= len(self._items):
            return
        item = self._items[self.current]
        if value is None:
            self._values.pop(item, None)
        else:
            self._values[item] = value
        self.changed.emit()
        later = [
            i
            for i, it in enumerate(self._items)
            if i > self.current and (not self._marked or it in self._marked)
        ]
        if not later:
            self.update()
            self.completed.emit()
            return
        self._move(later[0])

    def _back(self) -> None:
        self._pending = ""
        self._move(self.current - 1)
        if self._items:
            self._values.pop(self._items[self.current], None)
            self.changed.emit()

    def _move(self, index: int) -> None:
        self.current = max(0, min(len(self._items) - 1, index))
        self.update()

    # -- drawing --------------------------------------------------------------------------
    def sizeHint(self) -> QSize:
        rows = max(1, -(-len(self._items) // PER_ROW))
        return QSize(PER_ROW * CELL_W + 8, rows * CELL_H + 8)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def _cell(self, index: int) -> QRectF:
        r, c = divmod(index, PER_ROW)
        return QRectF(4 + c * CELL_W, 4 + r * CELL_H, CELL_W - 4, CELL_H - 4)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        for i in range(len(self._items)):
            if self._cell(i).contains(event.position()):
                self.setFocus()
                self._move(i)
                return
        super().mousePressEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        small, big = QFont(self.font()), QFont(self.font())
        small.setPointSizeF(max(6.0, small.pointSizeF() * 0.8))
        big.setPointSizeF(big.pointSizeF() * 1.5)
        big.setBold(True)
        for i, item in enumerate(self._items):
            rect = self._cell(i)
            fill = (
                MISMATCH
                if item in self._marked
                else ANSWERED
                if item in self._values
                else self.palette().base().color()
            )
            p.fillRect(rect, fill)
            current = i == self.current and self.hasFocus()
            p.setPen(QPen(CURRENT if current else QColor(150, 150, 150), 3 if current else 1))
            p.drawRect(rect)
            p.setPen(self.palette().text().color())
            p.setFont(small)
            p.drawText(rect.adjusted(3, 1, -2, 0), Qt.AlignmentFlag.AlignLeft, item)
            p.setFont(big)
            shown = str(self._values[item]) if item in self._values else ""
            if current and self._pending:
                shown = self._pending + "_"
            p.drawText(rect.adjusted(0, 10, 0, 0), Qt.AlignmentFlag.AlignCenter, shown)
        p.end()
