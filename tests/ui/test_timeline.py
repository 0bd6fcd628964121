"""The timeline canvas: what a patched cached layer shows equals a full re-render."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtGui import QImage

from observer_app.coding.definitions import parse_scheme
from observer_app.services.records import EventRecord
from observer_app.ui.timeline import TimelineCanvas

SCHEME = parse_scheme((Path(__file__).parent / "scheme.toml").read_text(), "scheme.toml")


def record(ev_id: int, code: str, onset: int, offset: int | None, state: bool) -> EventRecord:
    return EventRecord(ev_id, 1, code, onset, offset, state, {}, "", False, {})


def render(canvas: TimelineCanvas) -> QImage:
    return canvas.grab().toImage()


def test_logging_by_key_patches_the_layer_like_a_full_render(qtbot: Any) -> None:
    canvas = TimelineCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(900, 160)
    canvas.set_scheme(SCHEME)
    canvas.set_duration(150_000)
    canvas.set_events([record(1, "talk", 1_000, 4_000, True), record(2, "nod", 2_000, None, False)])
    canvas.show()
    render(canvas)  # builds the cached layer
    version = canvas._version
    canvas.upsert(record(3, "nod", 50_000, None, False))  # a point: patched
    canvas.upsert(record(4, "laugh", 60_000, None, True))  # an open state: drawn live
    patched = render(canvas)
    assert canvas._layer_key[0] == canvas._version == version + 2  # no re-render happened
    canvas._changed()  # force the full render
    assert render(canvas) == patched


def test_closing_or_moving_re_renders(qtbot: Any) -> None:
    canvas = TimelineCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(900, 160)
    canvas.set_scheme(SCHEME)
    canvas.set_duration(150_000)
    canvas.set_events([record(1, "talk", 1_000, None, True)])
    canvas.show()
    render(canvas)
    canvas.upsert(record(1, "talk", 1_000, 9_000, True))
    closed = render(canvas)
    canvas._changed()
    assert render(canvas) == closed
    assert canvas._lanes[1].arrays["off"].tolist() == [9_000]


def test_marks_are_labelled_when_readable_and_tooltips_give_label_and_times(qtbot: Any) -> None:
    from observer_app.ui.timeline.painting import MAX_LABELS

    canvas = TimelineCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(900, 200)
    canvas.set_scheme(SCHEME)
    canvas.set_duration(150_000)
    talk = record(1, "talk", 1_000, 4_000, True)
    canvas.set_events([talk, record(2, "nod", 2_000, None, False)])
    canvas.show()
    lane = canvas._lane_of["markers"]
    assert canvas._labelled(lane)
    first = render(canvas)
    canvas._changed()
    assert render(canvas) == first  # deterministic
    assert canvas._short_label(talk) == "talk"
    tip = canvas._tooltip(talk)
    assert "Talk (talk)" in tip and "00:00:01.000 – 00:00:04.000" in tip
    crowded = [record(10 + k, "nod", 10 * k, None, False) for k in range(MAX_LABELS + 1)]
    canvas.set_events(crowded)
    canvas.zoom(1e9)
    assert not canvas._labelled(lane)


def test_waveform_is_drawn_under_the_lanes(qtbot: Any) -> None:
    """A real ``media.waveform.Envelope``: loud for the first 60 s, silent after. The plot area
    is inked around the lanes' middle where the audio is loud, plain where it is silent, and an
    event drawn over the wave keeps its own colour."""
    import numpy as np
    from PySide6.QtGui import QColor, QPalette

    from observer_app.media.waveform import Envelope
    from observer_app.ui.timeline import LABEL_W

    canvas = TimelineCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(900, 200)
    canvas.set_scheme(SCHEME)
    canvas.set_duration(120_000)
    canvas.zoom(1e9)  # the whole recording in view
    canvas.show()
    plain = render(canvas)
    peaks = np.r_[np.full(3000, 0.8), np.zeros(3000)].astype(np.float32)  # 20 ms buckets
    canvas.set_envelope(Envelope(peaks, 20.0, 120_000))
    canvas.set_events([record(1, "nod", 30_000, None, False)])
    waved = render(canvas)
    mid_y = canvas._ruler_h + (canvas.height() - canvas._ruler_h) // 2
    x_loud, x_quiet = round(canvas._x(20_000)), round(canvas._x(100_000))
    base = canvas.palette().color(QPalette.ColorRole.Base)
    assert waved.pixelColor(x_quiet, mid_y) == plain.pixelColor(x_quiet, mid_y)
    assert waved.pixelColor(x_loud, mid_y) != plain.pixelColor(x_loud, mid_y)
    # the band spans 80 % of the lane area about its middle: the top lane's upper edge stays plain
    top_y = canvas._ruler_h + 2
    assert waved.pixelColor(x_loud, top_y) == plain.pixelColor(x_loud, top_y)
    assert waved.pixelColor(x_loud, mid_y).lightness() != base.lightness()
    # the mark is painted over the wave in its own colour
    lane = canvas._lane_of["markers"]
    mark_y = round(canvas._ruler_h + (lane + 0.5) * canvas._lane_h())
    assert waved.pixelColor(round(canvas._x(30_000)), mark_y) == QColor("#1f77b4")
    # nothing is drawn in the label column
    assert waved.copy(0, 0, LABEL_W - 2, 200) == plain.copy(0, 0, LABEL_W - 2, 200)
    canvas.set_envelope(None)
    canvas.set_events([])
    assert render(canvas) == plain


def test_event_log_paints_the_filtered_rows(qtbot: Any) -> None:
    """The log's delegate maps rows through the category filter only when one is set: a log
    filtered to one category paints exactly what a log holding only that category paints."""
    from observer_app.ui.event_log import EventLog
    from observer_app.ui.models import EventTableModel

    events = [
        record(
            i,
            "nod" if i % 3 else "talk",
            1_000 * i,
            1_000 * i + 500 if i % 3 == 0 else None,
            i % 3 == 0,
        )
        for i in range(1, 40)
    ]
    markers = [e for e in events if e.code == "nod"]

    def log_of(rows: list[EventRecord]) -> EventLog:
        model = EventTableModel(SCHEME)
        log = EventLog(model, SCHEME)
        qtbot.addWidget(log)
        model.set_events(rows)
        log.resize(700, 400)
        log.show()
        return log

    filtered, only = log_of(events), log_of(markers)
    unfiltered = filtered.view.viewport().grab().toImage()
    filtered.filter.setCurrentIndex(filtered.filter.findData("markers"))
    assert filtered.proxy.filtering and not only.proxy.filtering
    assert filtered.proxy.rowCount() == len(markers)
    shown = filtered.view.viewport().grab().toImage()
    assert shown == only.view.viewport().grab().toImage()
    assert shown != unfiltered
