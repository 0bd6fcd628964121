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
