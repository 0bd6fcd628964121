"""Two coders' events one above the other on the recording's time axis, coloured by alignment.

Coder A's events are ticks in the upper band, coder B's in the lower band; a matched or
mismatched pair is joined by a line across the gap, so the eye sees at once which events the
matching paired and which it left alone. Green: same code; orange: a different code; red: no
partner within the tolerance. The selected item is shaded, the playhead is a red line, a click
seeks there, the wheel scrolls and Ctrl+wheel zooms around the mouse. The view follows the
playhead. Built for reconciliation (per-event colours and pair links, a few hundred events), so
it does not depend on the coding timeline's internals.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPalette, QPen, QWheelEvent
from PySide6.QtWidgets import QWidget

from observer_app.coding.state_logic import format_ms

LABEL_W = 140
RULER_H = 20
MIN_VIEW_MS = 2_000

#: Colour per alignment kind (shared with the table and the legend).
KIND_COLOURS = {
    "matched": QColor(46, 139, 87),
    "mismatched": QColor(230, 140, 0),
    "unmatched_a": QColor(200, 30, 30),
    "unmatched_b": QColor(200, 30, 30),
}


@dataclass(frozen=True)
class Mark:
    """One event drawn on the timeline."""

    event_id: int
    onset_ms: int
    offset_ms: int | None
    code: str
    kind: str  # alignment kind of the item it belongs to
    key: str  # the aligned item's key


def _step(view_ms: int, width: float) -> int:
    target = view_ms * 90 / max(1.0, width)
    for step in (100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000,
                 300_000, 600_000, 900_000, 1_800_000):  # fmt: skip
        if step >= target:
            return step
    return 3_600_000


class PairTimeline(QWidget):
    seekRequested = Signal(int)
    itemClicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(120)
        self.setMouseTracking(True)
        self.duration_ms = 60_000
        self.view_start = 0
        self.view_ms = 60_000
        self.playhead_ms = 0
        self.names = ("A", "B")
        self.marks_a: list[Mark] = []
        self.marks_b: list[Mark] = []
        self._onsets_a: list[int] = []
        self._onsets_b: list[int] = []
        self.current_key: str | None = None

    # -- data -------------------------------------------------------------------------------------
    def set_duration(self, duration_ms: int) -> None:
        self.duration_ms = max(MIN_VIEW_MS, int(duration_ms))
        self.view_start = 0
        self.view_ms = self.duration_ms
        self.update()

    def set_marks(self, names: tuple[str, str], a: Sequence[Mark], b: Sequence[Mark]) -> None:
        self.names = names
        self.marks_a = sorted(a, key=lambda m: (m.onset_ms, m.event_id))
        self.marks_b = sorted(b, key=lambda m: (m.onset_ms, m.event_id))
        self._onsets_a = [m.onset_ms for m in self.marks_a]
        self._onsets_b = [m.onset_ms for m in self.marks_b]
        self.update()

    def colour_of(self, event_id: int) -> QColor | None:
        for m in (*self.marks_a, *self.marks_b):
            if m.event_id == event_id:
                return KIND_COLOURS.get(m.kind)
        return None

    def set_current(self, key: str | None) -> None:
        self.current_key = key
        self.update()

    def set_playhead(self, ms: int) -> None:
        self.playhead_ms = int(ms)
        if not self.view_start <= ms <= self.view_start + self.view_ms:
            self.view_start = self._clamp(ms - self.view_ms // 10)
        self.update()

    def show_range(self, start_ms: int, end_ms: int) -> None:
        """Zoom to show ``start_ms``-``end_ms`` (at least a couple of seconds)."""
        self.view_ms = max(MIN_VIEW_MS, min(self.duration_ms, end_ms - start_ms))
        self.view_start = self._clamp(start_ms)
        self.update()

    def zoom(self, factor: float) -> None:
        """Zoom by ``factor`` (< 1 zooms in) around the playhead."""
        centre = self.playhead_ms
        frac = (centre - self.view_start) / max(1, self.view_ms)
        if not 0 <= frac <= 1:
            centre, frac = self.view_start + self.view_ms // 2, 0.5
        self.view_ms = int(max(MIN_VIEW_MS, min(self.duration_ms, self.view_ms * factor)))
        self.view_start = self._clamp(centre - frac * self.view_ms)
        self.update()

    # -- geometry ---------------------------------------------------------------------------------
    def sizeHint(self) -> QSize:
        return QSize(900, 150)

    def _plot_w(self) -> float:
        return max(1.0, self.width() - LABEL_W - 6)

    def x_of(self, ms: float) -> float:
        return LABEL_W + (ms - self.view_start) * self._plot_w() / max(1, self.view_ms)

    def ms_at(self, x: float) -> int:
        return round(self.view_start + (x - LABEL_W) * self.view_ms / self._plot_w())

    def _clamp(self, start: float) -> int:
        return int(max(0, min(start, self.duration_ms - self.view_ms)))

    def _bands(self) -> tuple[QRectF, QRectF]:
        h = (self.height() - RULER_H) / 2
        gap = min(24.0, h * 0.3)
        band_h = h - gap / 2
        a = QRectF(LABEL_W, RULER_H + 2, self._plot_w(), band_h - 4)
        b = QRectF(LABEL_W, RULER_H + h + gap / 2, self._plot_w(), band_h - 4)
        return a, b

    # -- painting ---------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        pal = self.palette()
        p.fillRect(self.rect(), pal.color(QPalette.ColorRole.Base))
        band_a, band_b = self._bands()
        for band in (band_a, band_b):
            p.fillRect(band, pal.color(QPalette.ColorRole.AlternateBase))
        self._ruler(p, pal)
        text = pal.color(QPalette.ColorRole.Text)
        p.setPen(text)
        for band, name in ((band_a, self.names[0]), (band_b, self.names[1])):
            label = self.fontMetrics().elidedText(name, Qt.TextElideMode.ElideRight, LABEL_W - 8)
            p.drawText(QRectF(4, band.top(), LABEL_W - 8, band.height()),
                       int(Qt.AlignmentFlag.AlignVCenter), label)  # fmt: skip
        self._current(p, band_a, band_b)
        self._links(p, band_a, band_b)
        self._marks(p, self.marks_a, self._onsets_a, band_a)
        self._marks(p, self.marks_b, self._onsets_b, band_b)
        x = self.x_of(self.playhead_ms)
        if LABEL_W <= x <= self.width():
            p.setPen(QPen(QColor("#e53935"), 2))
            p.drawLine(QPointF(x, 0), QPointF(x, self.height()))
        p.end()

    def _ruler(self, p: QPainter, pal: QPalette) -> None:
        p.setPen(pal.color(QPalette.ColorRole.Text))
        step = _step(self.view_ms, self._plot_w())
        t = (self.view_start // step) * step
        end = self.view_start + self.view_ms
        while t <= end:
            x = self.x_of(t)
            if x >= LABEL_W:
                p.drawLine(QPointF(x, RULER_H - 5), QPointF(x, RULER_H))
                label = format_ms(t)[:8] if step >= 1000 else format_ms(t)[3:11]
                p.drawText(QPointF(x + 2, RULER_H - 7), label)
            t += step

    def _visible(self, onsets: list[int]) -> range:
        lo = bisect.bisect_left(onsets, self.view_start - 1)
        hi = bisect.bisect_right(onsets, self.view_start + self.view_ms + 1)
        return range(lo, hi)

    def _marks(self, p: QPainter, marks: list[Mark], onsets: list[int], band: QRectF) -> None:
        show_codes = self.view_ms <= 120_000
        last_label_x = -1e9
        for i in self._visible(onsets):
            m = marks[i]
            x = self.x_of(m.onset_ms)
            colour = KIND_COLOURS.get(m.kind, QColor("gray"))
            if m.offset_ms is not None and m.offset_ms > m.onset_ms:
                x2 = self.x_of(m.offset_ms)
                fill = QColor(colour)
                fill.setAlpha(90)
                p.fillRect(QRectF(x, band.top() + 4, max(2.0, x2 - x), band.height() - 8), fill)
            p.fillRect(QRectF(x - 1.5, band.top() + 2, 3, band.height() - 4), colour)
            if show_codes and x - last_label_x > 40:
                p.setPen(colour.darker(130))
                p.drawText(QPointF(x + 4, band.top() + 14), m.code)
                last_label_x = x

    def _links(self, p: QPainter, band_a: QRectF, band_b: QRectF) -> None:
        by_key = {m.key: m for m in self.marks_b}
        for i in self._visible(self._onsets_a):
            a = self.marks_a[i]
            b = by_key.get(a.key)
            if b is None:
                continue
            p.setPen(QPen(KIND_COLOURS.get(a.kind, QColor("gray")), 1.2))
            p.drawLine(QPointF(self.x_of(a.onset_ms), band_a.bottom()),
                       QPointF(self.x_of(b.onset_ms), band_b.top()))  # fmt: skip

    def _current(self, p: QPainter, band_a: QRectF, band_b: QRectF) -> None:
        if self.current_key is None:
            return
        times = [m.onset_ms for m in (*self.marks_a, *self.marks_b) if m.key == self.current_key]
        if not times:
            return
        x1, x2 = self.x_of(min(times)), self.x_of(max(times))
        shade = QColor(self.palette().color(QPalette.ColorRole.Highlight))
        shade.setAlpha(60)
        p.fillRect(
            QRectF(x1 - 6, band_a.top(), x2 - x1 + 12, band_b.bottom() - band_a.top()), shade
        )

    # -- interaction ------------------------------------------------------------------------------
    def _hit(self, x: float, y: float) -> Mark | None:
        band_a, band_b = self._bands()
        marks = self.marks_a if y < (band_a.bottom() + band_b.top()) / 2 else self.marks_b
        best: tuple[float, Mark] | None = None
        for m in marks:
            d = abs(self.x_of(m.onset_ms) - x)
            if d <= 5 and (best is None or d < best[0]):
                best = (d, m)
        return best[1] if best else None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        if event.button() != Qt.MouseButton.LeftButton or pos.x() < LABEL_W:
            return
        hit = self._hit(pos.x(), pos.y())
        if hit is not None:
            self.itemClicked.emit(hit.key)
        else:
            self.seekRequested.emit(max(0, min(self.duration_ms, self.ms_at(pos.x()))))

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120
        if not steps:
            return
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            around = self.ms_at(event.position().x())
            frac = (around - self.view_start) / max(1, self.view_ms)
            factor = 0.8**steps
            self.view_ms = int(max(MIN_VIEW_MS, min(self.duration_ms, self.view_ms * factor)))
            self.view_start = self._clamp(around - frac * self.view_ms)
        else:
            self.view_start = self._clamp(self.view_start - steps * self.view_ms / 10)
        self.update()
        event.accept()
