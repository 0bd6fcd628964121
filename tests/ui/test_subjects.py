"""Subjects: who an event is about (client, therapist), by key while coding, in the log, the
agreement statistics and the export; refused by the services when it is not the scheme's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QComboBox
from pytestqt.qtbot import QtBot

from observer_app.coding.agreement.events import point_event_agreement
from observer_app.coding.definitions.scheme import parse_scheme
from observer_app.coding.errors import ObserverError
from observer_app.services.study import Study
from observer_app.ui.coding_window import CodingWindow
from observer_app.ui.models import EventTableModel
from tests.ui.conftest import HERE, opaque_media, probe_stub

SUBJECTS = """
subject_mode = "{mode}"

[[subjects]]
id = "client"
label = "Client"
key = "c"

[[subjects]]
id = "therapist"
label = "Therapist"
key = "h"

"""


def scheme_text(mode: str) -> str:
    text = (HERE / "scheme.toml").read_text()
    return text.replace("[[categories]]", SUBJECTS.format(mode=mode) + "[[categories]]", 1)


def subject_study(folder: Path, mode: str) -> tuple[Path, int]:
    path = folder / "subjects.db"
    with Study.create(path, "Subjects", probe=probe_stub) as admin:
        scheme = admin.definitions.import_text(scheme_text(mode), "scheme.toml")
        ana = admin.coders.add("Ana Alves").id
        rec = admin.recordings.add(opaque_media(folder), session_number=1).id
        mine = admin.assignments.create(rec, ana, scheme_version_id=scheme.id).id
    return path, mine


def open_subject_window(
    qtbot: QtBot, path: Path, assignment: int, player: Any, settings: QSettings
) -> CodingWindow:
    window = CodingWindow(
        Study.open(path, as_coder="Ana Alves", backup=False),
        player,
        settings=settings,
        surface_factory=None,
    )
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    window.open_assignment(assignment)
    return window


def press(qtbot: QtBot, window: CodingWindow, k: Any) -> None:
    qtbot.keyClick(QApplication.focusWidget() or window, k)


def saved(path: Path, assignment: int) -> list[Any]:
    with Study.open(path, as_coder="Ana Alves", backup=False) as study:
        return study.events.for_assignment(assignment)


def test_a_subject_key_sets_the_focal_subject_and_states_pair_within_a_subject(
    qtbot: QtBot, tmp_path: Path, fake_player: Any, settings: QSettings
) -> None:
    path, mine = subject_study(tmp_path, "focal")
    window = open_subject_window(qtbot, path, mine, fake_player, settings)
    assert "Client" in window.subject_label.text()  # the first subject is focal at first
    fake_player.seek(1_000)
    press(qtbot, window, Qt.Key.Key_A)  # talk opens for the client
    press(qtbot, window, Qt.Key.Key_H)
    assert "Therapist" in window.subject_label.text()
    fake_player.seek(2_000)
    press(qtbot, window, Qt.Key.Key_A)  # talk opens for the therapist: the client's stays open
    press(qtbot, window, Qt.Key.Key_N)
    press(qtbot, window, Qt.Key.Key_C)
    fake_player.seek(3_000)
    press(qtbot, window, Qt.Key.Key_A)  # closes the client's talk only
    events = {(e.code, e.subject): e for e in saved(path, mine)}
    assert set(events) == {("talk", "client"), ("talk", "therapist"), ("nod", "therapist")}
    assert events[("talk", "client")].offset_ms == 3_000
    assert events[("talk", "therapist")].is_open
    # the subject is its own column in the log, edited with a list of the subjects
    log = window.event_log
    assert not log.view.isColumnHidden(EventTableModel.SUBJECT)
    nod = events[("nod", "therapist")]
    row = window.event_model.row_of(nod.id)
    assert row is not None
    assert window.event_model.shown(nod)[EventTableModel.SUBJECT] == "Therapist"
    log.view.setFocus()
    log.view.setCurrentIndex(log.proxy.index(row, EventTableModel.SUBJECT))
    qtbot.keyClick(log.view, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QComboBox)
    editor.setCurrentIndex(editor.findData("client"))
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert {e.id: e.subject for e in saved(path, mine)}[nod.id] == "client"
    window.undo()
    assert {e.id: e.subject for e in saved(path, mine)}[nod.id] == "therapist"


def test_ask_mode_asks_each_press_for_its_subject(
    qtbot: QtBot, tmp_path: Path, fake_player: Any, settings: QSettings
) -> None:
    path, mine = subject_study(tmp_path, "ask")
    window = open_subject_window(qtbot, path, mine, fake_player, settings)
    fake_player.seek(4_000)
    press(qtbot, window, Qt.Key.Key_N)
    assert window.picker.active and window.picker.rows[0].mod.label == "Subject"
    press(qtbot, window, Qt.Key.Key_Return)  # the subject is required
    assert window.picker.active and "Subject" in window.picker.message.text()
    press(qtbot, window, Qt.Key.Key_2)
    press(qtbot, window, Qt.Key.Key_Return)
    [event] = saved(path, mine)
    assert (event.code, event.subject, event.onset_ms) == ("nod", "therapist", 4_000)


def test_services_refuse_a_subject_the_scheme_does_not_declare(tmp_path: Path) -> None:
    path, mine = subject_study(tmp_path, "focal")
    with Study.open(path, as_coder="Ana Alves", backup=False) as study:
        with pytest.raises(ObserverError, match="not a subject"):
            study.events.log(mine, "nod", 1_000, subject="parent")
        event = study.events.log(mine, "nod", 1_000, subject="client")
        with pytest.raises(ObserverError, match="not a subject"):
            study.events.update(event.id, subject="nobody")
    assert [e.subject for e in saved(path, mine)] == ["client"]


def test_subject_keys_are_checked_like_code_keys() -> None:
    clash = scheme_text("focal").replace('key = "h"', 'key = "n"')  # n is the nod key
    with pytest.raises(ObserverError, match="clashes with the key of code 'nod'"):
        parse_scheme(clash, "scheme.toml")
    window_key = scheme_text("focal").replace('key = "h"', 'key = "space"')
    with pytest.raises(ObserverError, match=r"subject 'therapist' collides.*play_pause"):
        parse_scheme(window_key, "scheme.toml")
    no_subjects = parse_scheme((HERE / "scheme.toml").read_text(), "scheme.toml")
    assert "subjects" not in no_subjects.to_canonical_dict()  # hashes of old schemes unchanged


def test_event_matching_within_or_across_subjects() -> None:
    class E:
        def __init__(self, code: str, onset: int, subject: str | None) -> None:
            self.code, self.onset_ms, self.offset_ms, self.subject = code, onset, None, subject

    a = [E("nod", 1_000, "client"), E("nod", 5_000, "therapist")]
    b = [E("nod", 1_200, "therapist"), E("nod", 5_100, "therapist")]
    within = point_event_agreement(a, b, 1_000)
    across = point_event_agreement(a, b, 1_000, subjects="across")
    # within: the client's nod at 1 s may not match the therapist's at 1.2 s
    assert len(within.pairs) == 1 and len(across.pairs) == 2
    assert within.parameters["subjects"] == "within"
    with pytest.raises(ObserverError):
        point_event_agreement(a, b, 1_000, subjects="sideways")


def test_the_events_sheet_has_a_subject_column(tmp_path: Path) -> None:
    from observer_app.export import export_study

    path, mine = subject_study(tmp_path, "focal")
    with Study.open(path, as_coder="Ana Alves", backup=False) as study:
        study.events.log(mine, "nod", 1_000, subject="therapist")
    out = tmp_path / "out.xlsx"
    with Study.open(path, backup=False) as admin:
        export_study(admin, out)
    ws = load_workbook(out, read_only=True)["Events"]
    rows = list(ws.iter_rows(values_only=True))
    header = list(rows[0])
    assert rows[1][header.index("subject")] == "therapist"


def test_reconciliation_matches_within_subject_and_keeps_the_subject() -> None:
    from observer_app.services.consensus.alignment import align
    from observer_app.services.consensus.model import SourceEvent
    from observer_app.services.consensus.rows import _as_edit

    a = [SourceEvent(1, 1, "Ana", "nod", 1_000, None, False, {}, "", "client")]
    b = [SourceEvent(2, 2, "Ben", "nod", 1_100, None, False, {}, "", "therapist")]
    kinds = sorted(item.kind for item in align(a, b, 2_000))
    assert kinds == ["unmatched_a", "unmatched_b"]  # same code and time, other subject
    assert _as_edit(a[0]).subject == "client"
