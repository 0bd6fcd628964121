"""The timeline canvas: its events (kept in lanes) and the mouse: seek, retime, scroll, zoom."""

from __future__ import annotations

import bisect
from collections.abc import Iterable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QApplication

from observer_app.coding.definitions.scheme import Scheme
from observer_app.coding.state_logic import format_ms
from observer_app.services.records import EventRecord
from observer_app.ui.contrast import code_colours
from observer_app.ui.timeline.lanes import Item, _bar_colour, _Lane
from observer_app.ui.timeline.painting import MAX_LABELS, TimelinePainter
from observer_app.ui.timeline.view import HIT_PX, LABEL_W, LANE_SEP, MIN_VIEW_MS, lane_key


class TimelineCanvas(TimelinePainter):
    """One lane per category, events as markers or bars; a click seeks, a drag retimes."""

    seekRequested = Signal(int)
    retimeRequested = Signal(int, int, object)  # event id, new onset, new offset (or None)

    # -- data ------------------------------------------------------------------------------
    def set_scheme(self, scheme: Scheme | None) -> None:
        self._scheme = scheme
        self._colours = {}
        self._rgba = {}
        self._labels = {c.id: c.label for c in scheme.codes} if scheme is not None else {}
        self._subject_labels = {s.id: s.label for s in scheme.subjects} if scheme else {}
        if scheme is not None:
            shades = code_colours(scheme)
            for code in scheme.codes:
                colour = shades[code.id]
                self._colours[code.id] = colour
                same = [
                    c.id for c in scheme.codes if c.category == code.category and c.kind == "state"
                ]
                row = same.index(code.id) if code.id in same else 0
                self._rgba[code.id] = (int(colour.rgba()), _bar_colour(colour), row)
        self._code_cat = {c.id: c.category for c in scheme.codes} if scheme else {}
        self._rebuild()

    def set_subject_lanes(self, split: bool) -> None:
        """One lane per category and subject ("Withdrawal · Patient", "Withdrawal ·
        Therapist"), or one per category with each mark prefixed by its subject's initial."""
        if split != self.subject_lanes:
            self.subject_lanes = split
            self._rebuild()

    def _categories(self) -> list[tuple[str, str, int]]:
        """The scheme's categories in order: (id, label, sub-rows for its state codes)."""
        scheme = self._scheme
        if scheme is None:
            return []
        cats = [(c.id, c.label) for c in scheme.categories]
        for code in scheme.codes:
            if code.category not in [c for c, _ in cats]:
                cats.append((code.category, scheme.category_label(code.category)))
        return [
            (
                cat,
                label,
                max(1, sum(1 for c in scheme.codes if c.category == cat and c.kind == "state")),
            )
            for cat, label in cats
        ]

    def _layout_lanes(self) -> None:
        """The lanes: one per category, or per category and subject (``subject_lanes``), in
        the scheme's order; a category's events without a subject get a lane of their own
        after its subjects', and events of codes outside the scheme one per category at the
        end (made only when there are such events)."""
        split = self.subject_lanes and bool(self._subject_labels)
        used = {self._key_of(e) for e in self._events.values()}
        lanes: list[_Lane] = []
        for cat, label, rows in self._categories():
            group = []
            if split:
                for sid, subject in self._subject_labels.items():
                    group.append(_Lane(lane_key(cat, sid), f"{label} · {subject}", subject, label))
                if cat in used:
                    group.append(_Lane(cat, f"{label} · no subject", "no subject", label))
            else:
                group.append(_Lane(cat, label))
            for lane in group:
                lane.rows = rows
            lanes += group
        known = {lane.category for lane in lanes}
        for key in sorted(used - known):
            cat, _, subject = key.partition(LANE_SEP)
            label = cat or "other"
            shown = self._subject_labels.get(subject, subject)
            name = f"{label} · {shown}" if subject else label
            lanes.append(_Lane(key, name, shown, label if subject else ""))
        self._lanes = lanes
        self._lane_of = {lane.category: i for i, lane in enumerate(lanes)}
        self.updateGeometry()

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
        if not record.deleted and self._key_of(record) not in self._lane_of:
            self._rebuild()  # its lane is new (a subject's first event, a code outside the scheme)
            return
        if old is not None:
            self._remove_item(old)
        if not record.deleted:
            self._add_item(record)
        if old is None and not record.deleted and self._patch_layer(record):
            self._update_mark(record)  # the cached layer already shows it
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
        lane = self._lane_index(record)
        if lane is None or self._labelled(lane):
            return False  # a labelled lane re-renders, so labels make room for each other
        t0 = self.view_start
        if t0 <= record.onset_ms <= t0 + self.view_ms:
            self._paint_tick(layer, lane, record)
        self._version += 1
        self._layer_key = (self._version, *key[1:])
        return True

    def _update_mark(self, record: EventRecord) -> None:
        """Repaint only where a newly logged event shows: its tick in its lane and, for an
        open state, its live bar up to the playhead."""
        lane = self._lane_index(record)
        if lane is None:
            return
        lane_h = self._lane_h()
        x0 = self._x(record.onset_ms)
        x1 = max(x0, self._x(self.playhead_ms)) if record.is_open else x0
        top = self._ruler_h + lane * lane_h
        self.update(int(x0) - 3, int(top), int(x1 - x0) + 7, int(lane_h) + 2)

    def _labelled(self, index: int) -> bool:
        """Whether lane ``index`` shows its marks' labels (few enough events in view)."""
        lane = self._lanes[index]
        t0 = self.view_start
        lo = bisect.bisect_left(lane.onsets, t0)
        hi = bisect.bisect_right(lane.onsets, t0 + self.view_ms)
        return hi - lo <= MAX_LABELS and self._lane_h() >= self.fontMetrics().height() + 4

    def _lane_for(self, e: EventRecord) -> _Lane:
        return self._lanes[self._lane_of[self._key_of(e)]]

    def _item(self, e: EventRecord) -> Item:
        return (e.onset_ms, e.offset_ms, e.is_state, e.id)

    def _add_item(self, e: EventRecord) -> None:
        lane = self._lane_for(e)
        pos = bisect.bisect_right(lane.onsets, e.onset_ms)
        lane.insert(pos, self._item(e), self._colour_pair(e.code))
        if e.is_state:
            end = e.offset_ms if e.offset_ms is not None else self.duration_ms
            lane.max_len = max(lane.max_len, end - e.onset_ms)

    def _remove_item(self, e: EventRecord) -> None:
        lane = self._lane_for(e)
        lo = bisect.bisect_left(lane.onsets, e.onset_ms)
        hi = bisect.bisect_right(lane.onsets, e.onset_ms)
        for i in range(lo, hi):
            if lane.items[i][3] == e.id:
                lane.remove(i)
                return

    def _rebuild(self) -> None:
        self._layout_lanes()
        ordered = sorted(self._events.values(), key=lambda e: (e.onset_ms, e.id))
        by_lane: dict[int, list[EventRecord]] = {}
        for e in ordered:
            by_lane.setdefault(self._lane_of[self._key_of(e)], []).append(e)
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
            elif is_state and offset is not None and abs(offset - t) <= tol:
                d = abs(offset - t)  # a state's end is a handle too, just outside the bar
            elif is_state and offset is not None and onset <= t <= offset:
                d = tol
            else:
                continue
            if best is None or d < best[0]:
                best = (d, ev_id)
        return self._events.get(best[1]) if best else None

    def _part(self, record: EventRecord, x: float) -> str:
        """Which part of ``record`` is under ``x``: its ``onset`` or ``offset`` edge (a closed
        state's ends are handles), else the ``body`` (a point, or a bar moved as a whole)."""
        if not record.is_state:
            return "body"
        tol = HIT_PX * self.view_ms / self._plot_w()
        t = self._ms(x)
        if record.offset_ms is not None and abs(t - record.offset_ms) <= tol:
            return "offset"
        if abs(t - record.onset_ms) <= tol:
            return "onset"
        return "body"

    def drag_times(self, dx: int) -> tuple[int, int | None] | None:
        """The dragged event's new (onset, offset) for a drag of ``dx`` pixels (None when no
        drag is under way): an end moves alone, never past the other; the body moves both."""
        if self._drag is None:
            return None
        record = self._events.get(self._drag[0])
        if record is None:
            return None
        delta = round(dx * self.view_ms / self._plot_w())
        onset, offset = record.onset_ms, record.offset_ms
        part = self._drag_part
        limit = self.duration_ms or None
        if part == "offset" and offset is not None:
            new_offset = max(onset, offset + delta)
            return onset, min(new_offset, limit) if limit else new_offset
        if part == "onset":
            top = offset if offset is not None else (limit or onset + delta)
            return max(0, min(onset + delta, top)), offset
        new_onset = max(0, onset + delta)
        if offset is not None and limit:
            new_onset = min(new_onset, limit - (offset - onset))
        shift = new_onset - onset
        return new_onset, offset + shift if offset is not None else None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        pos = event.position()
        hit = None if self.read_only else self._hit(pos.x(), pos.y())
        if hit is not None:
            self._drag = (hit.id, int(pos.x()), hit.onset_ms)
            self._drag_part = self._part(hit, pos.x())
            self._drag_dx = 0
            self._dragging = False
        elif pos.x() >= LABEL_W:
            self.seekRequested.emit(max(0, min(self._ms(pos.x()), self.duration_ms)))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        if self._drag is not None:
            dx = int(pos.x()) - self._drag[1]
            # nothing moves until the pointer has travelled the platform's drag distance
            if not self._dragging and abs(dx) < QApplication.startDragDistance():
                return
            self._dragging = True
            self._drag_dx = dx
            self._drag_readout = (int(pos.x()), int(pos.y()))
            self.update()
            return
        hit = self._hit(pos.x(), pos.y())
        if hit is not None:
            part = self._part(hit, pos.x())
            self.setCursor(
                Qt.CursorShape.ArrowCursor
                if self.read_only
                else Qt.CursorShape.SplitHCursor
                if part != "body"
                else Qt.CursorShape.SizeHorCursor
            )
            self.setToolTip(self._tooltip(hit))
            return
        self.unsetCursor()
        lane = self._lane_at(pos.y()) if pos.x() < LABEL_W else None
        self.setToolTip(lane.label if lane is not None else "")  # the whole label

    def _tooltip(self, e: EventRecord) -> str:
        """The code's label and id, the subject's label (when the event has one) and its
        times: ``Talk (talk) — Client`` over ``00:00:01.000 – 00:00:04.000``."""
        label = self._labels.get(e.code, e.code)
        times = format_ms(e.onset_ms)
        if e.is_state:
            times += " – " + ("open" if e.offset_ms is None else format_ms(e.offset_ms))
        head = f"{label} ({e.code})"
        if e.subject:
            head += f" — {self._subject_labels.get(e.subject, e.subject)}"
        return f"{head}\n{times}"

    def _lane_at(self, y: float) -> _Lane | None:
        i = int((y - self._ruler_h) // self._lane_h())
        return self._lanes[i] if y >= self._ruler_h and 0 <= i < len(self._lanes) else None

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._drag is None:
            return
        ev_id = self._drag[0]
        dragging = self._dragging
        times = self.drag_times(int(event.position().x()) - self._drag[1])
        self._drag = None
        self._drag_dx = 0
        self._dragging = False
        self._drag_readout = None
        self.update()
        record = self._events.get(ev_id)
        if record is None or times is None:
            return
        if not dragging:
            self.seekRequested.emit(record.onset_ms)
            return
        if times != (record.onset_ms, record.offset_ms):
            self.retimeRequested.emit(ev_id, times[0], times[1])

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom(0.8**steps, self._ms(event.position().x()))
        else:
            self.view_start = self._clamp_start(self.view_start - steps * self.view_ms * 0.1)
            self.viewChanged.emit()
            self.update()
        event.accept()
