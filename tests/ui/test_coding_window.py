"""The coding window driven by real key presses, on FakePlayer and a real SQLite study.

Every check of what was saved reads the database through a second, freshly opened ``Study``:
"committed at once" means another connection sees it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from observer_app.services.study import Study
from observer_app.ui.coding_window import CodingWindow
from observer_app.ui.models import EventTableModel
from observer_app.ui.preferences import Preferences


def open_window(
    qtbot: QtBot, lab: Any, player: Any, settings: QSettings, assignment: int | None = None
) -> CodingWindow:
    study = lab.open_as("Ana Alves")
    window = CodingWindow(study, player, settings=settings, surface_factory=None)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    window.open_assignment(assignment or lab.mine)
    window.setFocus()
    window.confirm_completion = lambda question: True  # type: ignore[method-assign]
    return window


def saved_events(lab: Any, assignment: int, **kw: Any) -> list[Any]:
    with lab.open_as("Ana Alves") as study:
        return study.events.for_assignment(assignment, **kw)


def key(
    qtbot: QtBot, window: CodingWindow, k: Any, mods: Any = Qt.KeyboardModifier.NoModifier
) -> None:
    target = QApplication.focusWidget() or window
    qtbot.keyClick(target, k, mods)


@pytest.fixture
def window(qtbot: QtBot, lab: Any, fake_player: Any, settings: QSettings) -> CodingWindow:
    return open_window(qtbot, lab, fake_player, settings)


def test_title_resume_and_point_event_logged_by_key(
    qtbot: QtBot, window: CodingWindow, lab: Any, fake_player: Any, settings: QSettings
) -> None:
    assert window.windowTitle().startswith("observer-app")
    fake_player.seek(12_340)
    key(qtbot, window, Qt.Key.Key_N)
    [event] = saved_events(lab, lab.mine)
    assert (event.code, event.onset_ms, event.is_state) == ("nod", 12_340, False)
    assert window.event_model.rowCount() == 1
    assert window.saved_label.text().startswith("Saved ")
    # the position is remembered on close and the next opening resumes there
    fake_player.seek(33_000)
    window.close()
    with lab.open_as("Ana Alves") as study:
        assert study.assignments.get(lab.mine).last_position_ms == 33_000
    again = open_window(qtbot, lab, fake_player, settings)
    assert fake_player.position_ms() == 33_000
    assert again.event_model.rowCount() == 1


def test_reaction_lag_is_subtracted(
    qtbot: QtBot, window: CodingWindow, lab: Any, fake_player: Any
) -> None:
    window.set_preferences(Preferences(reaction_lag_ms=300))
    fake_player.seek(10_000)
    key(qtbot, window, Qt.Key.Key_N)
    assert [e.onset_ms for e in saved_events(lab, lab.mine)] == [9_700]
    with lab.open_as("Ana Alves") as study:
        assert study.coders.preferences(lab.ana)["reaction_lag_ms"] == 300


def test_state_pairing_and_exclusivity(
    qtbot: QtBot, window: CodingWindow, lab: Any, fake_player: Any
) -> None:
    fake_player.seek(1_000)
    key(qtbot, window, Qt.Key.Key_A)  # talk opens
    fake_player.seek(1_500)
    key(qtbot, window, Qt.Key.Key_L)  # laugh opens (not exclusive)
    fake_player.seek(3_000)
    key(qtbot, window, Qt.Key.Key_S)  # silence opens, talk closes at 3000
    by_code = {e.code: e for e in saved_events(lab, lab.mine)}
    assert (by_code["talk"].onset_ms, by_code["talk"].offset_ms) == (1_000, 3_000)
    assert by_code["silence"].is_open and by_code["silence"].onset_ms == 3_000
    assert by_code["laugh"].is_open
    assert window.pad.buttons["silence"].isChecked() and not window.pad.buttons["talk"].isChecked()
    end_col = EventTableModel.END
    rows = {window.event_model.event_at(r).code: r for r in range(window.event_model.rowCount())}
    assert window.event_model.index(rows["silence"], end_col).data() == "open"
    fake_player.seek(4_000)
    key(qtbot, window, Qt.Key.Key_S)  # second press closes silence
    by_code = {e.code: e for e in saved_events(lab, lab.mine)}
    assert by_code["silence"].offset_ms == 4_000
    # one undo step reverts the whole exclusive switch
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # reopen silence
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo the switch
    by_code = {e.code: e for e in saved_events(lab, lab.mine)}
    assert "silence" not in by_code and by_code["talk"].is_open


def test_modifier_picker_keeps_the_press_time(
    qtbot: QtBot, window: CodingWindow, lab: Any, fake_player: Any
) -> None:
    fake_player.seek(2_000)
    key(qtbot, window, Qt.Key.Key_T)
    assert window.picker.active
    fake_player.seek(9_000)  # the coder takes their time; playback goes on
    key(qtbot, window, Qt.Key.Key_Return)  # required modifier missing: refused, still open
    assert window.picker.active and "required" in window.picker.message.text()
    # non-modal: other code keys still log while it is open; a second picker is refused
    key(qtbot, window, Qt.Key.Key_N)
    assert [e.code for e in saved_events(lab, lab.mine)] == ["nod"]
    key(qtbot, window, Qt.Key.Key_T)
    assert "first" in window.statusBar().currentMessage()
    window.picker.setFocus()
    key(qtbot, window, Qt.Key.Key_2)
    key(qtbot, window, Qt.Key.Key_Return)
    assert not window.picker.active
    [event] = [e for e in saved_events(lab, lab.mine) if e.code == "tagged"]
    assert (event.onset_ms, event.modifiers) == (2_000, {"intensity": "high"})
    # Escape cancels: nothing is logged
    key(qtbot, window, Qt.Key.Key_T)
    key(qtbot, window, Qt.Key.Key_Escape)
    assert len(saved_events(lab, lab.mine)) == 2


def test_pause_while_choosing(qtbot: QtBot, window: CodingWindow, fake_player: Any) -> None:
    window.set_preferences(Preferences(pause_while_choosing=True))
    fake_player.play()
    key(qtbot, window, Qt.Key.Key_T)
    assert window.picker.active
    assert getattr(fake_player.state(), "value", "") == "paused"


def test_edit_in_place_delete_undo_redo(
    qtbot: QtBot, window: CodingWindow, lab: Any, fake_player: Any
) -> None:
    fake_player.seek(5_000)
    key(qtbot, window, Qt.Key.Key_N)
    model = window.event_model
    assert model.setData(model.index(0, EventTableModel.TIME), "00:00:03.500")
    assert model.setData(model.index(0, EventTableModel.COMMENT), "looks away")
    [event] = saved_events(lab, lab.mine)
    assert (event.onset_ms, event.comment) == (3_500, "looks away")
    refused: list[str] = []
    model.editRefused.connect(refused.append)
    assert not model.setData(model.index(0, EventTableModel.TIME), "soon")
    assert refused and "not a time" in refused[0]
    assert not model.setData(
        model.index(0, EventTableModel.CODE), "talk"
    )  # point -> state: refused
    # delete the selected event with the Delete key, then undo and redo it
    window.event_log.show_event(event.id)
    key(qtbot, window, Qt.Key.Key_Delete)
    assert saved_events(lab, lab.mine) == []
    assert saved_events(lab, lab.mine, include_deleted=True)[0].deleted
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert [e.id for e in saved_events(lab, lab.mine)] == [event.id]
    key(
        qtbot,
        window,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert saved_events(lab, lab.mine) == []
    # undo everything: the comment, the time and the log itself
    for _ in range(4):
        window.undo()
    assert saved_events(lab, lab.mine) == []
    assert model.rowCount() == 0


def test_category_filter_and_click_to_seek(
    qtbot: QtBot, window: CodingWindow, fake_player: Any
) -> None:
    for t, k in ((1_000, Qt.Key.Key_N), (2_000, Qt.Key.Key_A), (8_000, Qt.Key.Key_N)):
        fake_player.seek(t)
        key(qtbot, window, k)
    log = window.event_log
    log.filter.setCurrentIndex(log.filter.findData("markers"))
    assert log.proxy.rowCount() == 2
    view = log.view
    rect = view.visualRect(log.proxy.index(1, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert fake_player.position_ms() == 8_000


def test_timeline_click_seeks_and_drag_retimes(
    qtbot: QtBot, window: CodingWindow, lab: Any, fake_player: Any
) -> None:
    fake_player.seek(60_000)
    key(qtbot, window, Qt.Key.Key_N)
    canvas = window.timeline.canvas
    canvas.resize(1000, 160)
    canvas.set_duration(150_000)
    x = int(canvas._x(60_000))
    y = int(canvas._lane_h() * 0.5 + canvas._ruler_h)
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=QPoint(x, y))
    qtbot.mouseMove(canvas, QPoint(x + 50, y))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=QPoint(x + 50, y))
    [event] = saved_events(lab, lab.mine)
    expected = 60_000 + round(50 * canvas.view_ms / canvas._plot_w())
    assert event.onset_ms == expected
    window.undo()
    assert saved_events(lab, lab.mine)[0].onset_ms == 60_000
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=QPoint(int(canvas._x(30_000)), y))
    assert abs(fake_player.position_ms() - 30_000) <= canvas.view_ms / canvas._plot_w() + 1


def test_completion_rules_problems_navigation_and_read_only(
    qtbot: QtBot, window: CodingWindow, lab: Any, fake_player: Any
) -> None:
    fake_player.seek(1_000)
    key(qtbot, window, Qt.Key.Key_A)  # an open state
    key(qtbot, window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    kinds = [window.problem_model.problem(r).kind for r in range(window.problem_model.rowCount())]
    assert kinds.count("open_state") == 1 and kinds.count("unrated_segment") == 3
    assert "missing_item" in kinds
    with lab.open_as("Ana Alves") as study:
        assert study.assignments.get(lab.mine).status == "in_progress"
    # each problem navigates to its place: the second segment's form
    row = next(r for r in range(len(kinds)) if window.problem_model.problem(r).unit_index == 1)
    window.go_to_problem(row)
    assert window.segments is not None and window.segments.selected == 1
    assert fake_player.position_ms() == 60_000
    # fix everything by keyboard: close the state, rate each segment, rate the session items
    fake_player.seek(2_000)
    key(qtbot, window, Qt.Key.Key_A)
    form = window.segment_form
    assert form is not None
    for segment, value in enumerate((3, 5, 1)):
        window.segments.choose(segment)
        form.setFocus()
        form.go_to(0)
        key(qtbot, window, getattr(Qt.Key, f"Key_{value}"))
    window.segments.choose(2)
    form.setFocus()
    form.go_to(1)
    key(qtbot, window, Qt.Key.Key_N)  # optional item 2: not rated
    session_form = window.session_forms.forms[0]
    session_form.setFocus()
    session_form.go_to(0)
    key(qtbot, window, Qt.Key.Key_7)
    key(qtbot, window, Qt.Key.Key_4)  # advanced to item 2 by itself
    window.setFocus()
    key(qtbot, window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    with lab.open_as("Ana Alves") as study:
        assert study.assignments.get(lab.mine).status == "complete"
        ratings = {
            (r.unit_index, r.item_id): (r.value, r.missing_reason)
            for r in study.ratings.for_assignment(lab.mine)
        }
    assert ratings == {
        (0, "s1"): (3.0, None),
        (1, "s1"): (5.0, None),
        (2, "s1"): (1.0, None),
        (2, "s2"): (None, "not_rated"),
        (0, "q1"): (7.0, None),
        (0, "q2"): (4.0, None),
    }
    assert window.complete_banner.isVisible()
    # read-only: code keys log nothing, the form refuses answers
    count = len(saved_events(lab, lab.mine))
    fake_player.seek(9_000)
    key(qtbot, window, Qt.Key.Key_N)
    assert len(saved_events(lab, lab.mine)) == count
    assert not window.pad.buttons["nod"].isEnabled()


def test_segment_navigation_and_loop(qtbot: QtBot, window: CodingWindow, fake_player: Any) -> None:
    key(qtbot, window, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert window.segments is not None and window.segments.selected == 1
    assert fake_player.position_ms() == 60_000
    key(qtbot, window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    loop = fake_player.loop()
    assert loop is not None and (loop.start_ms, loop.end_ms) == (60_000, 120_000)
    key(qtbot, window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert fake_player.loop() is None


def test_transport_keys(qtbot: QtBot, window: CodingWindow, fake_player: Any) -> None:
    fake_player.seek(20_000)
    key(qtbot, window, Qt.Key.Key_Right)
    assert fake_player.position_ms() == 25_000
    key(qtbot, window, Qt.Key.Key_Left)
    key(qtbot, window, Qt.Key.Key_Left)
    assert fake_player.position_ms() == 15_000
    key(qtbot, window, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert fake_player.position_ms() == 15_040
    key(qtbot, window, Qt.Key.Key_BracketRight)
    assert fake_player.rate() == 1.25
    key(qtbot, window, Qt.Key.Key_Backspace)
    assert fake_player.rate() == 1.0
    key(qtbot, window, Qt.Key.Key_Space)
    assert getattr(fake_player.state(), "value", "") == "playing"


def test_every_action_is_in_a_menu_with_its_shortcut(window: CodingWindow) -> None:
    in_menus = {a.objectName() for menu in window.menus.values() for a in menu.actions()}
    for action_id, action in window.actions_by_id.items():
        assert action_id in in_menus
        assert action.shortcut() == QKeySequence(window.keymap[action_id])
    assert window.actions_by_id["code:nod"].shortcut().toString() == "N"
    assert window.actions_by_id["undo"].shortcut().toString() == "Ctrl+Z"


def test_keymap_override_is_stored_per_coder_and_used(
    qtbot: QtBot, window: CodingWindow, lab: Any, fake_player: Any, settings: QSettings
) -> None:
    window.set_preferences(Preferences(keymap={"code:nod": "K"}))
    fake_player.seek(4_000)
    key(qtbot, window, Qt.Key.Key_K)
    assert [e.code for e in saved_events(lab, lab.mine)] == ["nod"]
    assert "[K]" in window.pad.buttons["nod"].text()
    with lab.open_as("Ana Alves") as study:
        assert study.coders.preferences(lab.ana)["keymap"] == {"code:nod": "K"}


def test_preferences_dialog_detects_conflicts(window: CodingWindow) -> None:
    from observer_app.ui.preferences import PreferencesDialog

    dialog = PreferencesDialog(
        window.prefs, window.session.scheme if window.session else None, window
    )
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert ok.isEnabled() and not dialog.conflicts()
    dialog.set_shortcut("code:nod", "Space")
    assert dialog.conflicts() == {"Space": ["code:nod", "play_pause"]}
    assert not ok.isEnabled() and "used twice" in dialog.conflict_label.text()
    dialog.set_shortcut("code:nod", "F5")
    assert ok.isEnabled()
    assert dialog.preferences().keymap == {"code:nod": "F5"}


def test_layout_is_saved_in_qsettings(window: CodingWindow, settings: QSettings) -> None:
    window.timeline_dock.hide()
    window.close()
    settings.sync()
    assert settings.value("coding/state") is not None


def test_missing_media_banner_and_relink_while_coding(
    qtbot: QtBot, lab: Any, fake_player: Any, settings: QSettings, tmp_path: Path
) -> None:
    moved = tmp_path / "moved"
    moved.mkdir()
    new_path = moved / "renamed.mp4"
    lab.media.rename(new_path)
    window = open_window(qtbot, lab, fake_player, settings)
    assert window.media_banner.isVisible() and "not found" in window.media_banner.label.text()
    entered: list[int | None] = [None, 62_500]
    window._ask_event_time = lambda: entered.pop(0)  # type: ignore[method-assign]
    key(qtbot, window, Qt.Key.Key_N)  # no clock, no time entered: nothing is logged at 0
    assert saved_events(lab, lab.mine) == []
    assert "no clock" in window.statusBar().currentMessage()
    key(qtbot, window, Qt.Key.Key_N)  # coding continues at the time the coder entered
    [event] = saved_events(lab, lab.mine)
    assert event.onset_ms == 62_500
    wrong = tmp_path / "other.mp4"
    wrong.write_bytes(b"x" * 5000)
    window.relink(wrong)
    qtbot.waitUntil(lambda: "fingerprint" in window.statusBar().currentMessage(), timeout=5000)
    window.relink(new_path)
    qtbot.waitUntil(lambda: not window.media_banner.isVisible(), timeout=5000)
    with lab.open_as("Ana Alves") as study:
        assert (
            Path(study.recordings.get(window.session.recording.id).media_path) == new_path.resolve()
        )  # type: ignore[union-attr]


def test_a_session_without_media_keeps_the_resume_position(
    qtbot: QtBot, lab: Any, fake_player: Any, settings: QSettings, tmp_path: Path
) -> None:
    with lab.open_as("Ana Alves") as study:
        study.assignments.set_position(lab.mine, 95_000)
    lab.media.rename(tmp_path / "gone.mp4")
    window = open_window(qtbot, lab, fake_player, settings)
    assert window.session is not None and not window.session.media_clock
    window.remember_position()
    window.close()
    with lab.open_as("Ana Alves") as study:
        assert study.assignments.get(lab.mine).last_position_ms == 95_000


def test_manage_study_only_for_managers(
    qtbot: QtBot, lab: Any, fake_player: Any, settings: QSettings
) -> None:
    window = open_window(qtbot, lab, fake_player, settings)
    assert not window.actions_by_id["manage_study"].isVisible()
    manager = CodingWindow(
        Study.open(lab.path, as_coder="Mia Manager", backup=False),
        fake_player,
        settings=settings,
        surface_factory=None,
    )
    qtbot.addWidget(manager)
    assert manager.actions_by_id["manage_study"].isVisible()


def test_code_column_edits_with_a_list_of_codes_of_the_same_kind(
    qtbot: QtBot, window: CodingWindow, lab: Any, fake_player: Any
) -> None:
    from PySide6.QtWidgets import QComboBox, QStyleOptionViewItem

    fake_player.seek(1_000)
    key(qtbot, window, Qt.Key.Key_A)
    log = window.event_log
    index = log.proxy.index(0, EventTableModel.CODE)
    delegate = log.view.itemDelegate()
    editor = delegate.createEditor(log.view.viewport(), QStyleOptionViewItem(), index)
    assert isinstance(editor, QComboBox)
    offered = [editor.itemData(i) for i in range(editor.count())]
    assert offered == ["talk", "silence", "laugh"]  # state codes only
    editor.setCurrentIndex(offered.index("laugh"))
    delegate.setModelData(editor, log.proxy, index)
    [event] = saved_events(lab, lab.mine)
    assert event.code == "laugh"


def test_manager_opens_the_manager_window(
    qtbot: QtBot, lab: Any, fake_player: Any, settings: QSettings
) -> None:
    study = Study.open(lab.path, as_coder="Mia Manager", backup=False)
    window = CodingWindow(study, fake_player, settings=settings, surface_factory=None)
    qtbot.addWidget(window)
    window.actions_by_id["manage_study"].trigger()
    manager = window._manager_window
    assert manager is not None and manager.isVisible()
    manager.close()


def test_retiming_into_an_exclusive_state_is_saved_and_flagged(
    qtbot: QtBot, window: CodingWindow, lab: Any, fake_player: Any
) -> None:
    for t in (1_000, 2_000):
        fake_player.seek(t)
        key(qtbot, window, Qt.Key.Key_A)  # talk 1000-2000
    for t in (5_000, 6_000):
        fake_player.seek(t)
        key(qtbot, window, Qt.Key.Key_S)  # silence 5000-6000
    silence = next(e for e in saved_events(lab, lab.mine) if e.code == "silence")
    assert window.session is not None
    assert window.session.update_event(silence.id, onset_ms=1_500)
    assert "overlaps talk" in window.statusBar().currentMessage()
    moved = next(e for e in saved_events(lab, lab.mine) if e.code == "silence")
    assert moved.onset_ms == 1_500


def test_timeline_zoom_keys(qtbot: QtBot, window: CodingWindow, fake_player: Any) -> None:
    canvas = window.timeline.canvas
    whole = canvas.view_ms
    fake_player.seek(70_000)
    window._tick()
    key(qtbot, window, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert canvas.view_ms == whole // 2
    assert canvas.view_start <= 70_000 <= canvas.view_start + canvas.view_ms
    key(qtbot, window, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert canvas.view_ms == whole


def test_another_coders_blind_assignment_is_refused_and_the_open_one_stays(
    window: CodingWindow, lab: Any
) -> None:
    window.open_assignment(lab.bens)
    assert "blind" in window.statusBar().currentMessage()
    assert window.session is not None and window.session.assignment_id == lab.mine
