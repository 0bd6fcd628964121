"""What a logged event repaints: the event log in one pass (the same pixels as Qt's per-cell
paint, one Python call a repaint), the timeline only where the new mark is."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, QRect
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from observer_app.coding.definitions import parse_scheme
from observer_app.services.records import EventRecord
from observer_app.ui.event_log import EventLog
from observer_app.ui.models import EventTableModel
from observer_app.ui.timeline import TimelineCanvas

SCHEME = parse_scheme((Path(__file__).parent / "scheme.toml").read_text(), "scheme.toml")


def record(ev_id: int, code: str, onset: int, offset: int | None, state: bool) -> EventRecord:
    return EventRecord(ev_id, 1, code, onset, offset, state, {}, "a comment", False, {})


def events() -> list[EventRecord]:
    rows = [
        record(i, "talk" if i % 3 == 0 else "nod", 1_000 * i, None, i % 3 == 0)
        for i in range(1, 60)
    ]
    rows[5] = record(6, "talk", 6_000, 7_500, True)  # a closed state among open ones
    return rows


def make_log(qtbot: Any, rows: list[EventRecord]) -> EventLog:
    model = EventTableModel(SCHEME, lambda _id, _changes: True)
    log = EventLog(model, SCHEME)
    qtbot.addWidget(log)
    model.set_events(rows)
    log.resize(700, 400)
    log.show()
    qtbot.waitExposed(log)
    return log


def by_qt(log: EventLog) -> QImage:
    """The viewport as Qt's table paints it: cell by cell through the delegate."""
    cells = log.view.cells
    log.view.cells = None
    try:
        return log.view.viewport().grab().toImage()
    finally:
        log.view.cells = cells


def test_one_pass_paint_matches_qt_cell_by_cell(qtbot: Any) -> None:
    log = make_log(qtbot, events())
    log.show_event(7)  # a selected row
    one_pass = log.view.viewport().grab().toImage()
    assert one_pass == by_qt(log)
    log.filter.setCurrentIndex(log.filter.findData("markers"))  # filtered rows map to the model
    assert log.proxy.filtering
    assert log.view.viewport().grab().toImage() == by_qt(log)
    log.view.horizontalScrollBar().setValue(40)  # scrolled sideways: columns cut at the edge
    log.view.verticalScrollBar().setValue(3)
    assert log.view.viewport().grab().toImage() == by_qt(log)


def test_a_logged_event_is_painted_in_one_call_per_repaint(qtbot: Any) -> None:
    """Inserting a row repaints the viewport (the rows below it move) with one Python call
    for all its rows, not one call per cell."""
    log = make_log(qtbot, events())
    rows: list[int] = []
    paint_row = log.delegate.paint_row

    def counting(*args: Any, **kwargs: Any) -> None:
        rows.append(kwargs["row"])
        paint_row(*args, **kwargs)

    log.delegate.paint_row = counting  # type: ignore[method-assign]
    cells: list[int] = []
    paint = log.delegate.paint
    log.delegate.paint = lambda *a: (cells.append(1), paint(*a))  # type: ignore[method-assign]
    log.model.upsert(record(500, "nod", 2_500, None, False))
    log.view.viewport().grab()
    visible = {log.view.rowAt(y) for y in range(log.view.viewport().height())} - {-1}
    assert sorted(set(rows)) == sorted(log._source_row(r) for r in visible)
    assert not cells  # Qt's per-cell delegate path was not taken


class PaintedAreas(QObject):
    """The rectangles of the regions of the paint events a widget receives."""

    def __init__(self) -> None:
        super().__init__()
        self.rects: list[QRect] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.rects += list(event.region())  # type: ignore[attr-defined]
        return False


def test_a_logged_event_repaints_only_its_mark_on_the_timeline(qtbot: Any) -> None:
    """Only the new marks' rectangles, and nothing under the canvas (it paints opaquely)."""
    from PySide6.QtWidgets import QWidget

    dock = QWidget()
    qtbot.addWidget(dock)
    dock.resize(900, 160)
    canvas = TimelineCanvas(dock)
    canvas.resize(900, 160)
    canvas.set_scheme(SCHEME)
    canvas.set_duration(150_000)
    # more marks in view than are labelled: a new one is patched into the cached layer
    points = [record(k, "nod", 200 * k, None, False) for k in range(1, 500)]
    states = [record(1000 + k, "talk", 200 * k, 200 * k + 90, True) for k in range(1, 500)]
    canvas.set_events(points + states)
    dock.show()
    qtbot.waitExposed(dock)
    canvas.grab()  # the cached layer
    QApplication.processEvents()  # the first paint
    painted, under = PaintedAreas(), PaintedAreas()
    canvas.installEventFilter(painted)
    dock.installEventFilter(under)
    canvas.upsert(record(900, "nod", 70_000, None, False))  # a point
    canvas.upsert(record(901, "talk", 80_000, None, True))  # an open state
    QApplication.processEvents()
    assert painted.rects and not under.rects
    x_point, x_state = canvas._x(70_000), canvas._x(80_000)
    for rect in painted.rects:
        assert rect.width() <= 12 and rect.height() < canvas.height()
        assert any(rect.left() <= x <= rect.right() for x in (x_point, x_state))


def test_selecting_a_new_event_leaves_the_log_header_alone(qtbot: Any) -> None:
    """The log selects each new event; the header (one row's cells selected) is not repainted."""
    log = make_log(qtbot, events())
    QApplication.processEvents()
    painted = PaintedAreas()
    log.view.horizontalHeader().viewport().installEventFilter(painted)
    viewport = PaintedAreas()
    log.view.viewport().installEventFilter(viewport)
    log.model.upsert(record(500, "nod", 2_500, None, False))
    log.show_event(500)
    QApplication.processEvents()
    assert log.selected_event_id() == 500
    assert viewport.rects  # the rows were repainted
    assert not painted.rects
