"""The timeline: the whole recording, one lane per category, events as markers or bars.

Point events are ticks, state events bars (open ones run to the playhead, hatched); segment
boundaries are dashed lines; the playhead is a red line. Wheel scrolls, Ctrl+wheel zooms around
the mouse; a click seeks; dragging an event retimes it (the edit goes through the session, so it
is undoable). Painting only visits the events in view (bisect on sorted onsets) and draws at most
one tick per pixel column per lane, so 10,000 events repaint in a few milliseconds.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QWheelEvent,
)
from PySide6.QtWidgets import QScrollBar, QVBoxLayout, QWidget

from observer_app.coding.definitions.scheme import Scheme
from observer_app.coding.state_logic import format_ms
from observer_app.services.records import EventRecord

LABEL_W = 150
RULER_H = 18
MIN_LANE_H = 18
HIT_PX = 4
MIN_VIEW_MS = 500


@dataclass
class _Lane:
    category: str
    label: str
    onsets: list[int]
    items: list[tuple[int, int | None, bool, int, QColor]]  # onset, offset, is_state, id, colour
    max_len: int = 0


class TimelineCanvas(QWidget):
    seekRequested = Signal(int)
    retimeRequested = Signal(int, int, object)  # event id, new onset, new offset (or None)
    viewChanged = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(80)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.duration_ms = 0
        self.view_start = 0
        self.view_ms = 60_000
        self.playhead_ms = 0
        self.segments: tuple[tuple[int, int], ...] = ()
        self._lanes: list[_Lane] = []
        self._lane_of: dict[str, int] = {}
        self._colours: dict[str, QColor] = {}
        self._events: dict[int, EventRecord] = {}
        self._drag: tuple[int, int, int] | None = None  # event id, press x, onset at press
        self._drag_dx = 0
        self.read_only = False

    # -- data ------------------------------------------------------------------------------
    def set_scheme(self, scheme: Scheme | None) -> None:
        cats: list[tuple[str, str]] = []
        if scheme is not None:
            cats = [(c.id, c.label) for c in scheme.categories]
            for code in scheme.codes:
                self._colours[code.id] = QColor(code.colour)
                if code.category not in [c for c, _ in cats]:
                    cats.append((code.category, scheme.category_label(code.category)))
        self._lanes = [_Lane(c, label, [], []) for c, label in cats]
        self._lane_of = {c: i for i, (c, _) in enumerate(cats)}
        self._code_cat = {c.id: c.category for c in scheme.codes} if scheme else {}

    def set_duration(self, duration_ms: int) -> None:
        self.duration_ms = max(0, int(duration_ms))
        self.view_start = 0
        self.view_ms = max(MIN_VIEW_MS, self.duration_ms or 60_000)
        self.viewChanged.emit()
        self.update()

    def set_events(self, events: Iterable[EventRecord]) -> None:
        self._events = {e.id: e for e in events if not e.deleted}
        self._rebuild()

    def upsert(self, record: EventRecord) -> None:
        old = self._events.get(record.id)
        if record.deleted:
            self._events.pop(record.id, None)
        else:
            self._events[record.id] = record
        if old is not None:
            self._remove_item(old)
        if not record.deleted:
            self._add_item(record)
        self.update()

    def _lane_for(self, code: str) -> _Lane:
        cat = self._code_cat.get(code, "") if hasattr(self, "_code_cat") else ""
        if cat not in self._lane_of:
            self._lane_of[cat] = len(self._lanes)
            self._lanes.append(_Lane(cat, cat or "other", [], []))
        return self._lanes[self._lane_of[cat]]

    def _item(self, e: EventRecord) -> tuple[int, int | None, bool, int, QColor]:
        return (
            e.onset_ms,
            e.offset_ms,
            e.is_state,
            e.id,
            self._colours.get(e.code, QColor("gray")),
        )

    def _add_item(self, e: EventRecord) -> None:
        lane = self._lane_for(e.code)
        pos = bisect.bisect_right(lane.onsets, e.onset_ms)
        lane.onsets.insert(pos, e.onset_ms)
        lane.items.insert(pos, self._item(e))
        if e.is_state:
            end = e.offset_ms if e.offset_ms is not None else self.duration_ms
            lane.max_len = max(lane.max_len, end - e.onset_ms)

    def _remove_item(self, e: EventRecord) -> None:
        lane = self._lane_for(e.code)
        lo = bisect.bisect_left(lane.onsets, e.onset_ms)
        hi = bisect.bisect_right(lane.onsets, e.onset_ms)
        for i in range(lo, hi):
            if lane.items[i][3] == e.id:
                del lane.onsets[i]
                del lane.items[i]
                return

    def _rebuild(self) -> None:
        for lane in self._lanes:
            lane.onsets.clear()
            lane.items.clear()
            lane.max_len = 0
        for e in sorted(self._events.values(), key=lambda e: (e.onset_ms, e.id)):
            lane = self._lane_for(e.code)
            lane.onsets.append(e.onset_ms)
            lane.items.append(self._item(e))
            if e.is_state:
                end = e.offset_ms if e.offset_ms is not None else self.duration_ms
                lane.max_len = max(lane.max_len, end - e.onset_ms)
        self.update()

    def set_playhead(self, ms: int, follow: bool = True) -> None:
        if ms == self.playhead_ms:
            return
        old_x = self._x(self.playhead_ms)
        self.playhead_ms = ms
        if follow and not self.view_start <= ms <= self.view_start + self.view_ms:
            self.view_start = self._clamp_start(ms - self.view_ms // 10)
            self.viewChanged.emit()
            self.update()
            return
        new_x = self._x(ms)
        left = int(min(old_x, new_x)) - 2
        self.update(left, 0, int(abs(new_x - old_x)) + 5, self.height())
        if self._open_states_visible():
            self.update()

    def _open_states_visible(self) -> bool:
        return (
            any(e.is_state and e.offset_ms is None for e in self._events.values())
            if len(self._events) < 2000
            else True
        )

    # -- geometry --------------------------------------------------------------------------
    def sizeHint(self) -> QSize:
        return QSize(800, RULER_H + MIN_LANE_H * max(3, len(self._lanes)) + 4)

    def _plot_w(self) -> float:
        return max(1.0, self.width() - LABEL_W - 4)

    def _x(self, ms: float) -> float:
        return LABEL_W + (ms - self.view_start) * self._plot_w() / max(1, self.view_ms)

    def _ms(self, x: float) -> int:
        return round(self.view_start + (x - LABEL_W) * self.view_ms / self._plot_w())

    def _lane_h(self) -> float:
        n = max(1, len(self._lanes))
        return max(float(MIN_LANE_H), (self.height() - RULER_H - 2) / n)

    def _clamp_start(self, start: float) -> int:
        limit = max(0, self.duration_ms - self.view_ms)
        return int(max(0, min(start, limit)))

    def zoom(self, factor: float, around_ms: int | None = None) -> None:
        centre = self.playhead_ms if around_ms is None else around_ms
        frac = (centre - self.view_start) / max(1, self.view_ms)
        total = max(MIN_VIEW_MS, self.duration_ms or 60_000)
        self.view_ms = int(max(MIN_VIEW_MS, min(total, self.view_ms * factor)))
        self.view_start = self._clamp_start(centre - frac * self.view_ms)
        self.viewChanged.emit()
        self.update()

    def scroll_to(self, start_ms: int) -> None:
        self.view_start = self._clamp_start(start_ms)
        self.update()

    # -- painting --------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        pal = self.palette()
        p.fillRect(self.rect(), pal.color(QPalette.ColorRole.Base))
        self._paint_ruler(p, pal)
        lane_h = self._lane_h()
        t0 = self.view_start
        t1 = self.view_start + self.view_ms
        for i, lane in enumerate(self._lanes):
            top = RULER_H + i * lane_h
            if i % 2:
                p.fillRect(
                    QRectF(0, top, self.width(), lane_h),
                    pal.color(QPalette.ColorRole.AlternateBase),
                )
            p.setPen(pal.color(QPalette.ColorRole.Text))
            label = self.fontMetrics().elidedText(
                lane.label, Qt.TextElideMode.ElideRight, LABEL_W - 8
            )
            p.drawText(QRectF(4, top, LABEL_W - 8, lane_h), Qt.AlignmentFlag.AlignVCenter, label)
            self._paint_lane(p, lane, top, lane_h, t0=t0, t1=t1)
        self._paint_segments(p, pal)
        x = self._x(self.playhead_ms)
        p.setPen(QPen(QColor("#e53935"), 2))
        p.drawLine(QPointF(x, 0), QPointF(x, self.height()))
        p.end()

    def _paint_ruler(self, p: QPainter, pal: QPalette) -> None:
        p.fillRect(QRectF(0, 0, self.width(), RULER_H), pal.color(QPalette.ColorRole.Window))
        step = _tick_step(self.view_ms, self._plot_w())
        first = (self.view_start // step) * step
        p.setPen(pal.color(QPalette.ColorRole.WindowText))
        t = first
        while t <= self.view_start + self.view_ms:
            x = self._x(t)
            if x >= LABEL_W:
                p.drawLine(QPointF(x, RULER_H - 5), QPointF(x, RULER_H))
                p.drawText(
                    QPointF(x + 2, RULER_H - 6),
                    format_ms(t)[:8] if step >= 1000 else format_ms(t)[3:],
                )
            t += step

    def _paint_segments(self, p: QPainter, pal: QPalette) -> None:
        if not self.segments:
            return
        pen = QPen(pal.color(QPalette.ColorRole.Mid), 1, Qt.PenStyle.DashLine)
        p.setPen(pen)
        for start, _ in self.segments[1:]:
            x = self._x(start)
            if LABEL_W <= x <= self.width():
                p.drawLine(QPointF(x, RULER_H), QPointF(x, self.height()))

    def _paint_lane(
        self, p: QPainter, lane: _Lane, top: float, h: float, *, t0: int, t1: int
    ) -> None:
        lo = bisect.bisect_left(lane.onsets, t0 - lane.max_len)
        hi = bisect.bisect_right(lane.onsets, t1)
        scale = self._plot_w() / max(1, self.view_ms)
        last_px = -1
        inner_top, inner_h = top + 3, h - 6
        p.setPen(Qt.PenStyle.NoPen)
        for k in range(lo, hi):
            onset, offset, is_state, ev_id, colour = lane.items[k]
            dx = self._drag_dx if self._drag and self._drag[0] == ev_id else 0
            x = LABEL_W + (onset - t0) * scale + dx
            if is_state:
                end = offset if offset is not None else max(self.playhead_ms, onset)
                if end < t0:
                    continue
                x2 = LABEL_W + (end - t0) * scale + dx
                c = QColor(colour)
                c.setAlpha(150 if offset is not None else 90)
                rect = QRectF(
                    max(x, LABEL_W),
                    inner_top + inner_h * 0.25,
                    max(2.0, x2 - max(x, LABEL_W)),
                    inner_h * 0.5,
                )
                p.fillRect(rect, c)
                if offset is None:
                    p.fillRect(rect, QColor(colour).lighter(150))
                    p.fillRect(
                        QRectF(rect.x(), rect.y(), rect.width(), rect.height()),
                        Qt.BrushStyle.BDiagPattern,
                    )
                if x >= LABEL_W:
                    p.fillRect(QRectF(x, inner_top, 2, inner_h), colour)
                continue
            if x < LABEL_W:
                continue
            px = int(x)
            if px == last_px:
                continue
            last_px = px
            p.fillRect(QRectF(px - 1, inner_top, 3, inner_h), colour)

    # -- interaction -----------------------------------------------------------------------
    def _hit(self, x: float, y: float) -> EventRecord | None:
        lane_h = self._lane_h()
        i = int((y - RULER_H) // lane_h)
        if y < RULER_H or not 0 <= i < len(self._lanes):
            return None
        lane = self._lanes[i]
        t = self._ms(x)
        tol = HIT_PX * self.view_ms / self._plot_w()
        lo = bisect.bisect_left(lane.onsets, t - tol - lane.max_len)
        hi = bisect.bisect_right(lane.onsets, t + tol)
        best: tuple[float, int] | None = None
        for k in range(lo, hi):
            onset, offset, is_state, ev_id, _ = lane.items[k]
            if abs(onset - t) <= tol:
                d = abs(onset - t)
            elif is_state and offset is not None and onset <= t <= offset:
                d = tol
            else:
                continue
            if best is None or d < best[0]:
                best = (d, ev_id)
        return self._events.get(best[1]) if best else None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        pos = event.position()
        hit = None if self.read_only else self._hit(pos.x(), pos.y())
        if hit is not None:
            self._drag = (hit.id, int(pos.x()), hit.onset_ms)
            self._drag_dx = 0
        elif pos.x() >= LABEL_W:
            self.seekRequested.emit(max(0, min(self._ms(pos.x()), self.duration_ms)))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        if self._drag is not None:
            self._drag_dx = int(pos.x()) - self._drag[1]
            self.update()
            return
        hit = self._hit(pos.x(), pos.y())
        if hit is not None:
            self.setCursor(
                Qt.CursorShape.SizeHorCursor if not self.read_only else Qt.CursorShape.ArrowCursor
            )
            self.setToolTip(f"{hit.code} at {format_ms(hit.onset_ms)}")
        else:
            self.unsetCursor()
            self.setToolTip("")

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._drag is None:
            return
        ev_id, x0, onset0 = self._drag
        dx = int(event.position().x()) - x0
        self._drag = None
        self._drag_dx = 0
        self.update()
        record = self._events.get(ev_id)
        if record is None:
            return
        if abs(dx) < 2:
            self.seekRequested.emit(record.onset_ms)
            return
        delta = round(dx * self.view_ms / self._plot_w())
        new_onset = max(0, onset0 + delta)
        shift = new_onset - onset0
        new_offset = record.offset_ms + shift if record.offset_ms is not None else None
        self.retimeRequested.emit(ev_id, new_onset, new_offset)

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom(0.8**steps, self._ms(event.position().x()))
        else:
            self.view_start = self._clamp_start(self.view_start - steps * self.view_ms * 0.1)
            self.viewChanged.emit()
            self.update()
        event.accept()


def _tick_step(view_ms: int, width: float) -> int:
    target = view_ms * 90 / max(1.0, width)
    for step in (
        100,
        200,
        500,
        1000,
        2000,
        5000,
        10_000,
        15_000,
        30_000,
        60_000,
        120_000,
        300_000,
        600_000,
    ):
        if step >= target:
            return step
    return 1_800_000


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
        self.canvas.update()
