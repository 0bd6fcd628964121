"""The timeline: the whole recording, one lane per category, events as markers or bars.

Point events are ticks, state events bars (open ones run to the playhead, drawn live); segment
boundaries are dashed lines; the playhead is a red line. Wheel scrolls, Ctrl+wheel zooms around
the mouse; a click seeks; dragging an event retimes it (the edit goes through the session, so it
is undoable).

Painting stays cheap with 10,000 events: everything but the playhead and the open states is
rendered into a cached image, rebuilt only when the events, the view or the size change; the
rebuild places the markers of the events in view with numpy (one column per pixel), so its cost
depends on the width of the widget rather than on the number of events.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QScrollBar, QVBoxLayout, QWidget

from observer_app.coding.definitions.scheme import Scheme
from observer_app.coding.state_logic import format_ms
from observer_app.services.records import EventRecord

LABEL_W = 150
MIN_LANE_H = 18  # at the default font; grows with the text
HIT_PX = 4
MIN_VIEW_MS = 500
_NO_OFFSET = -1

Item = tuple[int, int | None, bool, int]  # onset, offset, is_state, id


_COLUMNS = ("on", "off", "state", "colour", "bar", "row")
_DTYPES = (np.int64, np.int64, np.bool_, np.uint32, np.uint32, np.int64)
#: Per code: marker colour, bar colour (ARGB) and the sub-row of its lane its state bars use.
Style = tuple[int, int, int]


@dataclass
class _Lane:
    """One category's events in onset order: lists for hit tests, numpy columns for painting
    (both kept in step on every insert and removal)."""

    category: str
    label: str
    onsets: list[int] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    max_len: int = 0
    rows: int = 1  # sub-rows for the bars of its state codes (one per code)
    arrays: dict[str, np.ndarray] = field(
        default_factory=lambda: {c: np.empty(0, d) for c, d in zip(_COLUMNS, _DTYPES, strict=True)}
    )

    def clear(self) -> None:
        self.onsets.clear()
        self.items.clear()
        self.max_len = 0
        self.arrays = {c: np.empty(0, d) for c, d in zip(_COLUMNS, _DTYPES, strict=True)}

    def insert(self, pos: int, item: Item, colours: Style) -> None:
        self.onsets.insert(pos, item[0])
        self.items.insert(pos, item)
        row = (item[0], _NO_OFFSET if item[1] is None else item[1], item[2], *colours)
        for column, value in zip(_COLUMNS, row, strict=True):
            self.arrays[column] = np.insert(self.arrays[column], pos, value)

    def remove(self, pos: int) -> None:
        del self.onsets[pos]
        del self.items[pos]
        for column in _COLUMNS:
            self.arrays[column] = np.delete(self.arrays[column], pos)

    def load(self, items: list[Item], colours: list[Style]) -> None:
        """Replace the contents with ``items`` (already in onset order)."""
        n = len(items)
        self.items = list(items)
        self.onsets = [i[0] for i in items]
        self.arrays = {
            "on": np.fromiter(self.onsets, np.int64, n),
            "off": np.fromiter((_NO_OFFSET if i[1] is None else i[1] for i in items), np.int64, n),
            "state": np.fromiter((i[2] for i in items), np.bool_, n),
            "colour": np.fromiter((c[0] for c in colours), np.uint32, n),
            "bar": np.fromiter((c[1] for c in colours), np.uint32, n),
            "row": np.fromiter((c[2] for c in colours), np.int64, n),
        }


def _bar_colour(colour: QColor) -> int:
    bar = QColor(colour)
    bar.setHsvF(bar.hsvHueF(), bar.hsvSaturationF() * 0.55, min(1.0, bar.valueF() * 0.5 + 0.5))
    return int(bar.rgba())


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
        self._code_cat: dict[str, str] = {}
        self._colours: dict[str, QColor] = {}
        self._rgba: dict[str, Style] = {}
        self._events: dict[int, EventRecord] = {}
        self._open: dict[int, EventRecord] = {}
        self._drag: tuple[int, int, int] | None = None  # event id, press x, onset at press
        self._drag_dx = 0
        self._layer: QImage | None = None
        self._layer_key: tuple[object, ...] = ()
        self._version = 0
        self.read_only = False

    # -- data ------------------------------------------------------------------------------
    def set_scheme(self, scheme: Scheme | None) -> None:
        cats: list[tuple[str, str]] = []
        self._colours = {}
        self._rgba = {}
        if scheme is not None:
            cats = [(c.id, c.label) for c in scheme.categories]
            for code in scheme.codes:
                colour = QColor(code.colour)
                self._colours[code.id] = colour
                same = [
                    c.id for c in scheme.codes if c.category == code.category and c.kind == "state"
                ]
                row = same.index(code.id) if code.id in same else 0
                self._rgba[code.id] = (int(colour.rgba()), _bar_colour(colour), row)
                if code.category not in [c for c, _ in cats]:
                    cats.append((code.category, scheme.category_label(code.category)))
        self._lanes = [_Lane(c, label) for c, label in cats]
        if scheme is not None:
            for lane in self._lanes:
                states = [
                    c for c in scheme.codes if c.category == lane.category and c.kind == "state"
                ]
                lane.rows = max(1, len(states))
        self._lane_of = {c: i for i, (c, _) in enumerate(cats)}
        self._code_cat = {c.id: c.category for c in scheme.codes} if scheme else {}
        self._changed()

    def set_duration(self, duration_ms: int) -> None:
        self.duration_ms = max(0, int(duration_ms))
        self.view_start = 0
        self.view_ms = max(MIN_VIEW_MS, self.duration_ms or 60_000)
        self.viewChanged.emit()
        self._changed()

    def set_events(self, events: Iterable[EventRecord]) -> None:
        self._events = {e.id: e for e in events if not e.deleted}
        self._open = {i: e for i, e in self._events.items() if e.is_open}
        self._rebuild()

    def upsert(self, record: EventRecord) -> None:
        old = self._events.get(record.id)
        if record.deleted:
            self._events.pop(record.id, None)
        else:
            self._events[record.id] = record
        if record.is_open and not record.deleted:
            self._open[record.id] = record
        else:
            self._open.pop(record.id, None)
        if old is not None:
            self._remove_item(old)
        if not record.deleted:
            self._add_item(record)
        if old is None and not record.deleted and self._patch_layer(record):
            self.update()  # the cached layer already shows it
        else:
            self._changed()

    def _patch_layer(self, record: EventRecord) -> bool:
        """Draw a newly logged event into the cached layer instead of re-rendering it.

        A key press adds a point or opens a state: one onset tick (an open state's bar is
        painted live); anything else (a move, a deletion, a closed interval) re-renders.
        """
        layer = self._layer
        key = (self._version, self.view_start, self.view_ms, self.width(), self.height())
        if layer is None or key != self._layer_key:
            return False
        if record.is_state and record.offset_ms is not None:
            return False
        lane = self._lane_of.get(self._code_cat.get(record.code, ""))
        if lane is None:
            return False
        t0 = self.view_start
        if t0 <= record.onset_ms <= t0 + self.view_ms:
            self._paint_tick(layer, lane, record)
        self._version += 1
        self._layer_key = (self._version, *key[1:])
        return True

    def _paint_tick(self, layer: QImage, lane: int, record: EventRecord) -> None:
        """The tick ``_render_lane`` draws for an event's onset, in the same device pixels."""
        dpr = layer.devicePixelRatio()
        lane_h = self._lane_h()
        top = round((self._ruler_h + lane * lane_h) * dpr)
        bottom = min(layer.height(), round((self._ruler_h + (lane + 1) * lane_h) * dpr))
        pad = round(3 * dpr)
        y0, y1 = top + pad, max(top + pad + 1, bottom - pad)
        left_edge = round(LABEL_W * dpr)
        scale = self._plot_w() * dpr / max(1, self.view_ms)
        x = int(left_edge + (record.onset_ms - self.view_start) * scale)
        width = max(1, round(dpr)) * (1 if record.is_state else 3)
        x0 = max(left_edge, x - width // 2)
        x1 = min(layer.width() - 1, x + width - width // 2 - 1)
        p = QPainter(layer)
        p.scale(1 / dpr, 1 / dpr)  # device pixels, as the numpy renderer
        colour = QColor.fromRgba(self._colour_pair(record.code)[0])
        p.fillRect(QRect(x0, y0, x1 - x0 + 1, y1 - y0), colour)
        p.end()

    def _changed(self) -> None:
        self._version += 1
        self.update()

    def _lane_for(self, code: str) -> _Lane:
        cat = self._code_cat.get(code, "")
        if cat not in self._lane_of:
            self._lane_of[cat] = len(self._lanes)
            self._lanes.append(_Lane(cat, cat or "other"))
        return self._lanes[self._lane_of[cat]]

    def _item(self, e: EventRecord) -> Item:
        return (e.onset_ms, e.offset_ms, e.is_state, e.id)

    def _colour_pair(self, code: str) -> Style:
        if code not in self._rgba:
            grey = QColor("gray")
            self._rgba[code] = (int(grey.rgba()), _bar_colour(grey), 0)
        return self._rgba[code]

    def _add_item(self, e: EventRecord) -> None:
        lane = self._lane_for(e.code)
        pos = bisect.bisect_right(lane.onsets, e.onset_ms)
        lane.insert(pos, self._item(e), self._colour_pair(e.code))
        if e.is_state:
            end = e.offset_ms if e.offset_ms is not None else self.duration_ms
            lane.max_len = max(lane.max_len, end - e.onset_ms)

    def _remove_item(self, e: EventRecord) -> None:
        lane = self._lane_for(e.code)
        lo = bisect.bisect_left(lane.onsets, e.onset_ms)
        hi = bisect.bisect_right(lane.onsets, e.onset_ms)
        for i in range(lo, hi):
            if lane.items[i][3] == e.id:
                lane.remove(i)
                return

    def _rebuild(self) -> None:
        ordered = sorted(self._events.values(), key=lambda e: (e.onset_ms, e.id))
        by_lane: dict[int, list[EventRecord]] = {}
        lane_index: dict[str, int] = {}
        for e in ordered:
            index = lane_index.get(e.code)
            if index is None:
                self._lane_for(e.code)
                index = lane_index[e.code] = self._lane_of[self._code_cat.get(e.code, "")]
            by_lane.setdefault(index, []).append(e)
        for index, lane in enumerate(self._lanes):
            events = by_lane.get(index, [])
            items = [(e.onset_ms, e.offset_ms, e.is_state, e.id) for e in events]
            lane.load(items, [self._colour_pair(e.code) for e in events])
            lane.max_len = max(
                (
                    (e.offset_ms if e.offset_ms is not None else self.duration_ms) - e.onset_ms
                    for e in events
                    if e.is_state
                ),
                default=0,
            )
        self._changed()

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
        if self._open:  # open states run to the playhead
            self.update()
            return
        new_x = self._x(ms)
        left = int(min(old_x, new_x)) - 2
        self.update(left, 0, int(abs(new_x - old_x)) + 5, self.height())

    # -- geometry --------------------------------------------------------------------------
    @property
    def _ruler_h(self) -> int:
        return self.fontMetrics().height() + 5

    def sizeHint(self) -> QSize:
        return QSize(800, self._ruler_h + MIN_LANE_H * max(3, len(self._lanes)) + 4)

    def _plot_w(self) -> float:
        return max(1.0, self.width() - LABEL_W - 4)

    def _x(self, ms: float) -> float:
        return LABEL_W + (ms - self.view_start) * self._plot_w() / max(1, self.view_ms)

    def _ms(self, x: float) -> int:
        return round(self.view_start + (x - LABEL_W) * self.view_ms / self._plot_w())

    def _lane_h(self) -> float:
        n = max(1, len(self._lanes))
        return max(float(MIN_LANE_H), (self.height() - self._ruler_h - 2) / n)

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

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._layer = None

    # -- painting --------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        key = (self._version, self.view_start, self.view_ms, self.width(), self.height())
        if self._layer is None or key != self._layer_key:
            self._layer = self._render_layer()
            self._layer_key = key
        p = QPainter(self)
        dpr = self._layer.devicePixelRatio()
        area = event.rect()
        source = QRectF(area.x() * dpr, area.y() * dpr, area.width() * dpr, area.height() * dpr)
        p.drawImage(QRectF(area), self._layer, source)
        self._paint_live(p)
        x = self._x(self.playhead_ms)
        p.setPen(QPen(QColor("#e53935"), 2))
        p.drawLine(QPointF(x, 0), QPointF(x, self.height()))
        p.end()

    def _render_layer(self) -> QImage:
        """Lanes, ruler, segment lines and every closed event in view, as one image."""
        dpr = self.devicePixelRatioF()  # render in device pixels: sharp on high-DPI screens
        w, h = max(1, round(self.width() * dpr)), max(1, round(self.height() * dpr))
        pal = self.palette()
        buf = np.full((h, w), pal.color(QPalette.ColorRole.Base).rgba(), np.uint32)
        lane_h = self._lane_h()
        alt = pal.color(QPalette.ColorRole.AlternateBase).rgba()
        for i, lane in enumerate(self._lanes):
            top = round((self._ruler_h + i * lane_h) * dpr)
            bottom = min(h, round((self._ruler_h + (i + 1) * lane_h) * dpr))
            if i % 2:
                buf[top:bottom, :] = alt
            pad = round(3 * dpr)
            self._render_lane(buf, lane, (top + pad, max(top + pad + 1, bottom - pad)), dpr)
        image = QImage(buf.data, w, h, w * 4, QImage.Format.Format_RGB32).copy()
        image.setDevicePixelRatio(dpr)
        p = QPainter(image)
        self._paint_ruler(p, pal)
        for i, lane in enumerate(self._lanes):
            label_top = self._ruler_h + i * lane_h
            p.setPen(pal.color(QPalette.ColorRole.Text))
            label = self.fontMetrics().elidedText(
                lane.label, Qt.TextElideMode.ElideRight, LABEL_W - 8
            )
            p.drawText(
                QRectF(4, label_top, LABEL_W - 8, lane_h), Qt.AlignmentFlag.AlignVCenter, label
            )
        self._paint_segments(p, pal)
        p.end()
        return image

    def _render_lane(self, buf: np.ndarray, lane: _Lane, band: tuple[int, int], dpr: float) -> None:
        """Draw one lane's closed bars and markers into ``buf`` (device pixels)."""
        if not lane.items:
            return
        y0, y1 = band
        a = lane.arrays
        t0, t1 = self.view_start, self.view_start + self.view_ms
        w = buf.shape[1]
        left_edge = round(LABEL_W * dpr)
        scale = self._plot_w() * dpr / max(1, self.view_ms)
        lo = bisect.bisect_left(lane.onsets, t0 - lane.max_len)
        hi = bisect.bisect_right(lane.onsets, t1)
        on, off, state = a["on"][lo:hi], a["off"][lo:hi], a["state"][lo:hi]
        closed = state & (off != _NO_OFFSET) & (off >= t0)
        if closed.any():
            x1 = np.clip(left_edge + (on[closed] - t0) * scale, left_edge, w).astype(np.int64)
            x2 = np.clip(left_edge + (off[closed] - t0) * scale, left_edge, w).astype(np.int64)
            colours = a["bar"][lo:hi][closed]
            rows = a["row"][lo:hi][closed]
            step = (y1 - y0) / lane.rows
            bars = zip(x1, np.maximum(x2, x1 + 1), colours, rows, strict=True)
            for left, right, colour, row in bars:
                top = y0 + int(row * step) + 1
                buf[top : max(top + 2, y0 + int((row + 1) * step) - 1), left:right] = colour
        in_view = (on >= t0) & (on <= t1)
        unit = max(1, round(dpr))
        for marks, width in ((in_view & ~state, 3 * unit), (in_view & state, unit)):
            if not marks.any():
                continue  # points get a 3-pixel tick, state onsets a 1-pixel one
            xs = (left_edge + (on[marks] - t0) * scale).astype(np.int64)
            colours = a["colour"][lo:hi][marks]
            for dx in range(-(width // 2), width - width // 2):
                cols = np.clip(xs + dx, left_edge, w - 1)
                buf[y0:y1, cols] = colours[np.newaxis, :]

    def _paint_live(self, p: QPainter) -> None:
        """Open states (to the playhead) and the event being dragged."""
        lane_h = self._lane_h()
        for e in self._open.values():
            self._paint_bar(p, e, lane_h, (e.onset_ms, max(self.playhead_ms, e.onset_ms)), True)
        dragged = self._events.get(self._drag[0]) if self._drag is not None else None
        if dragged is not None:
            shift = self._drag_dx * self.view_ms / self._plot_w()
            end = dragged.offset_ms if dragged.offset_ms is not None else dragged.onset_ms
            self._paint_bar(p, dragged, lane_h, (dragged.onset_ms + shift, end + shift), False)

    def _paint_bar(
        self, p: QPainter, e: EventRecord, lane_h: float, span: tuple[float, float], hatch: bool
    ) -> None:
        lane = self._lane_of.get(self._code_cat.get(e.code, ""))
        if lane is None:
            return
        top = self._ruler_h + lane * lane_h + 3
        h = lane_h - 6
        rows = self._lanes[lane].rows
        row = self._colour_pair(e.code)[2]
        colour = self._colours.get(e.code, QColor("gray"))
        x1, x2 = self._x(span[0]), self._x(span[1])
        if x2 < LABEL_W or x1 > self.width():
            return
        left = max(x1, LABEL_W)
        rect = QRectF(left, top + h * row / rows + 1, max(2.0, x2 - left), h / rows - 2)
        fill = QColor(colour)
        fill.setAlpha(110)
        p.fillRect(rect, fill)
        if hatch:
            p.fillRect(rect, Qt.BrushStyle.BDiagPattern)
        if x1 >= LABEL_W:
            p.fillRect(QRectF(x1 - 1, top, 3, h), colour)

    def _paint_ruler(self, p: QPainter, pal: QPalette) -> None:
        p.fillRect(QRectF(0, 0, self.width(), self._ruler_h), pal.color(QPalette.ColorRole.Window))
        step = _tick_step(self.view_ms, self._plot_w())
        first = (self.view_start // step) * step
        p.setPen(pal.color(QPalette.ColorRole.WindowText))
        t = first
        while t <= self.view_start + self.view_ms:
            x = self._x(t)
            if x >= LABEL_W:
                p.drawLine(QPointF(x, self._ruler_h - 5), QPointF(x, self._ruler_h))
                text = format_ms(t)[:8] if step >= 1000 else format_ms(t)[3:]
                p.drawText(QPointF(x + 2, self._ruler_h - 6), text)
            t += step

    def _paint_segments(self, p: QPainter, pal: QPalette) -> None:
        if not self.segments:
            return
        p.setPen(QPen(pal.color(QPalette.ColorRole.Mid), 1, Qt.PenStyle.DashLine))
        for start, _ in self.segments[1:]:
            x = self._x(start)
            if LABEL_W <= x <= self.width():
                p.drawLine(QPointF(x, self._ruler_h), QPointF(x, self.height()))

    # -- interaction -----------------------------------------------------------------------
    def _hit(self, x: float, y: float) -> EventRecord | None:
        lane_h = self._lane_h()
        i = int((y - self._ruler_h) // lane_h)
        if y < self._ruler_h or not 0 <= i < len(self._lanes):
            return None
        lane = self._lanes[i]
        t = self._ms(x)
        tol = HIT_PX * self.view_ms / self._plot_w()
        lo = bisect.bisect_left(lane.onsets, t - tol - lane.max_len)
        hi = bisect.bisect_right(lane.onsets, t + tol)
        best: tuple[float, int] | None = None
        for k in range(lo, hi):
            onset, offset, is_state, ev_id = lane.items[k]
            d: float
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
        self.canvas._changed()
