"""Subjects on the timeline: one lane per category and subject (a View option remembered in the
coder's preferences), lane labels that keep the subject, tooltips with subject, label, times."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from observer_app.coding.definitions.scheme import parse_scheme
from observer_app.services.records import EventRecord
from observer_app.services.study import Study
from observer_app.ui.preferences import Preferences
from observer_app.ui.timeline import TimelineCanvas
from tests.ui.test_subjects import open_subject_window, press, scheme_text, subject_study

SCHEME = parse_scheme(scheme_text("focal"), "scheme.toml")


def record(
    ev_id: int, code: str, onset: int, subject: str | None, offset: int | None = None
) -> EventRecord:
    state = code == "talk"
    return EventRecord(ev_id, 1, code, onset, offset, state, {}, "", False, {}, subject)


def lane_of(canvas: TimelineCanvas, ev_id: int) -> str:
    """The label of the lane event ``ev_id`` is drawn in."""
    lane = canvas._lane_index(canvas._events[ev_id])
    assert lane is not None
    return canvas._lanes[lane].label


def labels(canvas: TimelineCanvas) -> list[str]:
    return [lane.label for lane in canvas._lanes]


def make_canvas(qtbot: QtBot) -> TimelineCanvas:
    canvas = TimelineCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(900, 240)
    canvas.set_scheme(SCHEME)
    canvas.set_duration(150_000)
    canvas.set_events(
        [
            record(1, "nod", 1_000, "client"),
            record(2, "nod", 2_000, "therapist"),
            record(3, "talk", 3_000, "therapist", 5_000),
        ]
    )
    canvas.show()
    return canvas


def test_lanes_split_per_subject_and_back(qtbot: QtBot) -> None:
    canvas = make_canvas(qtbot)
    assert labels(canvas) == ["Markers", "States"]
    assert lane_of(canvas, 1) == lane_of(canvas, 2) == "Markers"
    assert canvas._short_label(canvas._events[1]) == "C·nod"  # one lane: the mark says whose
    canvas.set_subject_lanes(True)
    assert labels(canvas) == [
        "Markers · Client",
        "Markers · Therapist",
        "States · Client",
        "States · Therapist",
    ]
    assert lane_of(canvas, 1) == "Markers · Client"
    assert lane_of(canvas, 2) == "Markers · Therapist"
    assert lane_of(canvas, 3) == "States · Therapist"
    assert [lane.onsets for lane in canvas._lanes] == [[1_000], [2_000], [], [3_000]]
    assert canvas._short_label(canvas._events[1]) == "nod"  # the lane says whose
    # an event without a subject gets a lane of its own beside its category's
    canvas.upsert(record(4, "nod", 4_000, None))
    assert labels(canvas)[2] == "Markers · no subject"
    assert lane_of(canvas, 4) == "Markers · no subject"
    assert lane_of(canvas, 3) == "States · Therapist"
    # a new subject-lane event is patched in: the same image as a full re-render
    canvas.grab()
    version = canvas._version
    canvas.upsert(record(5, "nod", 60_000, "client"))
    patched = canvas.grab().toImage()
    assert canvas._layer_key[0] == canvas._version == version + 1
    canvas._changed()
    assert canvas.grab().toImage() == patched
    canvas.set_subject_lanes(False)
    assert labels(canvas) == ["Markers", "States"]
    assert sorted(canvas._lanes[0].onsets) == [1_000, 2_000, 4_000, 60_000]


def test_a_click_in_a_subject_lane_hits_its_events_only(qtbot: QtBot) -> None:
    canvas = make_canvas(qtbot)
    canvas.set_subject_lanes(True)
    lane_h = canvas._lane_h()
    x = canvas._x(1_000)
    client_y = canvas._ruler_h + 0.5 * lane_h
    therapist_y = canvas._ruler_h + 1.5 * lane_h
    hit = canvas._hit(x, client_y)
    assert hit is not None and hit.id == 1
    assert canvas._hit(x, therapist_y) is None
    assert canvas._hit(canvas._x(2_000), therapist_y).id == 2  # type: ignore[union-attr]


def test_tooltips_and_lane_labels_name_the_subject(qtbot: QtBot) -> None:
    canvas = make_canvas(qtbot)
    canvas.set_subject_lanes(True)
    tip = canvas._tooltip(canvas._events[3])
    assert tip == "Talk (talk) — Therapist\n00:00:03.000 – 00:00:05.000"
    assert canvas._tooltip(canvas._events[1]).startswith("Nod (nod) — Client\n")
    # a category's name is written once over its subjects' lanes, wrapped to fit there
    one_line = canvas.fontMetrics().height() + 1
    name = "Confrontation rupture marker"
    word = canvas.fontMetrics().horizontalAdvance("Confrontation")
    assert canvas._lane_text(name, 3 * one_line, word + 4) == name  # wraps whole: 3 lines
    assert canvas._lane_text(name, 2 * one_line, word + 4).startswith("Confrontation\n")
    assert canvas._lane_text(name, 2 * one_line, word + 4).endswith("…")
    narrow = word - 2  # a word too wide for the column
    lines = canvas._lane_text(name, 3 * one_line, narrow).split("\n")
    assert lines[0].endswith("…") and lines[1:] == ["rupture", "marker"]
    assert [lane.heading for lane in canvas._lanes] == ["Markers", "Markers", "States", "States"]
    assert [lane.subject for lane in canvas._lanes] == ["Client", "Therapist"] * 2


def grab(canvas: TimelineCanvas) -> QImage:
    return canvas.grab().toImage()


def test_the_view_option_splits_the_lanes_and_is_remembered(
    qtbot: QtBot, tmp_path: Path, fake_player: Any, settings: QSettings
) -> None:
    path, mine = subject_study(tmp_path, "focal")
    window = open_subject_window(qtbot, path, mine, fake_player, settings)
    action = window.actions_by_id["subject_lanes"]
    assert action.isCheckable() and action.isEnabled() and not action.isChecked()
    assert action in window.menus["View"].actions()
    canvas = window.timeline.canvas
    fake_player.seek(1_000)
    press(qtbot, window, Qt.Key.Key_N)  # nod, for the client (the first focal subject)
    before = grab(canvas)
    action.trigger()
    assert action.isChecked() and canvas.subject_lanes
    assert [lane.label for lane in canvas._lanes][:2] == ["Markers · Client", "Markers · Therapist"]
    assert grab(canvas) != before
    press(qtbot, window, Qt.Key.Key_H)
    fake_player.seek(2_000)
    press(qtbot, window, Qt.Key.Key_N)  # nod, for the therapist: in the therapist's lane
    events = sorted(canvas._events.values(), key=lambda e: e.onset_ms)
    assert [lane_of(canvas, e.id) for e in events] == ["Markers · Client", "Markers · Therapist"]
    window.close()
    with Study.open(path, as_coder="Ana Alves", backup=False) as study:
        stored = Preferences.from_dict(study.coders.preferences(study.actor.id or 0))
    assert stored.subject_lanes
    again = open_subject_window(qtbot, path, mine, fake_player, settings)
    assert again.actions_by_id["subject_lanes"].isChecked()
    assert again.timeline.canvas.subject_lanes
    again.actions_by_id["subject_lanes"].trigger()  # off again
    assert not again.timeline.canvas.subject_lanes
    assert [lane.label for lane in again.timeline.canvas._lanes] == ["Markers", "States"]
    assert not again.prefs.subject_lanes


def test_preferences_keep_the_lanes_through_the_dialog() -> None:
    prefs = replace(Preferences(), subject_lanes=True)
    assert Preferences.from_dict(prefs.to_dict()).subject_lanes
    assert not Preferences.from_dict({"subject_lanes": "yes"}).subject_lanes
