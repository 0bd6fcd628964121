"""The reconciliation's keys live in the action table and act only when no editor has focus.

Real key events (pytest-qt ``keyClick``) in the real manager window: Ctrl+1…5, Ctrl+Left/Right
and Space typed into the tolerance spin box, the lead spin box, a picker or the edit dialog take
no decision and leave the video alone; on the table they decide and play (issue 12).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMenu, QWidget
from pytestqt.qtbot import QtBot

from observer_app.media.fake import FakePlayer
from observer_app.media.types import MediaInfo, PlaybackState
from observer_app.services.study import Study
from observer_app.ui.actions import MANAGER_ACTIONS, normal
from observer_app.ui.manager import open_manager_window
from observer_app.ui.manager.reconcile import ReconcilePage
from observer_app.ui.manager.reconcile.edit_dialog import EditEventDialog
from observer_app.ui.manager.window import ManagerWindow

from .conftest import Lab, code_study

DECISION_KEYS = {
    "accept_a": Qt.Key.Key_1,
    "accept_b": Qt.Key.Key_2,
    "both": Qt.Key.Key_3,
    "neither": Qt.Key.Key_4,
    "edit": Qt.Key.Key_5,
}
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def opened(lab: Lab, qtbot: QtBot) -> Iterator[tuple[ManagerWindow, ReconcilePage, FakePlayer]]:
    code_study(lab)
    manager = Study.open(lab.path, as_coder="Mo Master", backup=False)
    catalog = {
        r.media_path: MediaInfo(r.media_path, r.duration_ms or 0, 25.0, 320, 240, True, True)
        for r in manager.recordings.all()
    }
    player = FakePlayer(catalog=catalog)
    window = open_manager_window(manager, player_factory=lambda: player)
    qtbot.addWidget(window)
    page = window.reconcile
    window.tabs.setCurrentWidget(page)
    qtbot.waitExposed(window)
    activate(qtbot, window)
    page.select_recording(lab.recordings[4])
    assert page.open_selected() is not None
    page.edit_asked = []  # type: ignore[attr-defined]
    page.ask_edit = lambda scheme, item: page.edit_asked.append(item)  # type: ignore[method-assign,attr-defined,func-returns-value]
    yield window, page, player
    window.close()
    manager.close()


def activate(qtbot: QtBot, window: QWidget) -> None:
    with warnings.catch_warnings():  # offscreen windows are not activated by the platform
        warnings.simplefilter("ignore", DeprecationWarning)
        QApplication.setActiveWindow(window)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)


def decisions(page: ReconcilePage) -> dict[str, str | None]:
    """The decisions as stored (read back through the service, not the page's copy)."""
    shown = page.rec
    rec = page.service.open(
        shown.recording_id,
        shown.assignment_a,
        shown.assignment_b,
        tolerance_ms=shown.tolerance_ms,
    )
    return {i.key: i.decision for i in rec.disagreements}


def select_first_disagreement(page: ReconcilePage) -> None:
    first = page.rec.disagreements[0]
    page.go_to(first, play=False)
    page.aligned_view.setFocus()


def press_every_key(qtbot: QtBot, widget: QWidget) -> None:
    for key in DECISION_KEYS.values():
        qtbot.keyClick(widget, key, CTRL)
    qtbot.keyClick(widget, Qt.Key.Key_Right, CTRL)
    qtbot.keyClick(widget, Qt.Key.Key_Left, CTRL)
    qtbot.keyClick(widget, Qt.Key.Key_Space)
    qtbot.wait(150)  # a button's shortcut clicks it 100 ms later: give it the time


def test_keys_typed_into_the_pages_editors_decide_nothing_and_leave_the_video(
    qtbot: QtBot, opened: tuple[ManagerWindow, ReconcilePage, FakePlayer]
) -> None:
    window, page, player = opened
    select_first_disagreement(page)
    before = (decisions(page), page.current, player.state(), player.position_ms())
    editors = [page.tolerance, page.lead, page.recording, page.coder_a]
    for editor in editors:
        editor.setFocus()
        assert QApplication.focusWidget() is editor
        press_every_key(qtbot, editor)
        popup = QApplication.activePopupWidget()  # Space opens a combo box's list
        if popup is not None:
            qtbot.keyClick(popup, Qt.Key.Key_Escape)
            activate(qtbot, window)
    assert page.edit_asked == []  # type: ignore[attr-defined]
    assert (decisions(page), page.current, player.state(), player.position_ms()) == before


def test_keys_typed_into_the_edit_dialog_decide_nothing(
    qtbot: QtBot, opened: tuple[ManagerWindow, ReconcilePage, FakePlayer]
) -> None:
    _window, page, player = opened
    select_first_disagreement(page)
    before = (decisions(page), player.state())
    dialog = EditEventDialog(page.session.scheme, page.current, page)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    activate(qtbot, dialog)
    fields = [w for w in dialog.findChildren(QWidget) if w.focusPolicy() & Qt.FocusPolicy.TabFocus]
    assert fields
    for field in fields:
        field.setFocus()
        press_every_key(qtbot, field)
        popup = QApplication.activePopupWidget()
        if popup is not None:
            qtbot.keyClick(popup, Qt.Key.Key_Escape)
            activate(qtbot, dialog)
    dialog.reject()
    assert page.edit_asked == []  # type: ignore[attr-defined]
    assert (decisions(page), player.state()) == before


@pytest.mark.parametrize("decision", ["neither", "accept_a", "accept_b", "both"])
def test_a_decision_key_on_the_table_takes_the_decision(
    qtbot: QtBot, opened: tuple[ManagerWindow, ReconcilePage, FakePlayer], decision: str
) -> None:
    _window, page, _player = opened
    item = next(
        i
        for i in page.rec.disagreements
        if (decision not in ("accept_a", "both") or i.a is not None)
        and (decision not in ("accept_b", "both") or i.b is not None)
    )
    page.go_to(item, play=False)
    page.aligned_view.setFocus()
    qtbot.keyClick(page.aligned_view, DECISION_KEYS[decision], CTRL)
    assert decisions(page)[item.key] == decision


def test_edit_key_on_the_table_asks_for_the_managers_version(
    qtbot: QtBot, opened: tuple[ManagerWindow, ReconcilePage, FakePlayer]
) -> None:
    _window, page, _player = opened
    select_first_disagreement(page)
    qtbot.keyClick(page.aligned_view, Qt.Key.Key_5, CTRL)
    assert page.edit_asked == [page.rec.disagreements[0]]  # type: ignore[attr-defined]


def test_navigation_and_space_on_the_table_move_and_play(
    qtbot: QtBot, opened: tuple[ManagerWindow, ReconcilePage, FakePlayer]
) -> None:
    _window, page, player = opened
    first, second = page.rec.disagreements[:2]
    page.aligned_view.setFocus()
    qtbot.keyClick(page.aligned_view, Qt.Key.Key_Right, CTRL)
    assert page.current == first and player.state() == PlaybackState.PLAYING
    qtbot.keyClick(page.aligned_view, Qt.Key.Key_Space)
    assert player.state() == PlaybackState.PAUSED
    qtbot.keyClick(page.aligned_view, Qt.Key.Key_Right, CTRL)
    assert page.current == second
    qtbot.keyClick(page.aligned_view, Qt.Key.Key_Left, CTRL)
    assert page.current == first


def test_decision_keys_do_not_act_on_another_tab(
    qtbot: QtBot, opened: tuple[ManagerWindow, ReconcilePage, FakePlayer]
) -> None:
    window, page, player = opened
    select_first_disagreement(page)
    before = (decisions(page), player.state())
    window.tabs.setCurrentWidget(window.coders)
    window.coders.view.setFocus()
    press_every_key(qtbot, window.coders.view)
    window.tabs.setCurrentWidget(page)
    page.tabs.setCurrentIndex(1)  # the instrument ratings
    page.rating_view.setFocus()
    press_every_key(qtbot, page.rating_view)
    assert (decisions(page), player.state()) == before


def test_every_key_is_a_row_of_the_action_table_shown_in_a_menu_and_a_tooltip(
    opened: tuple[ManagerWindow, ReconcilePage, FakePlayer],
) -> None:
    window, page, _player = opened
    by_id = {a.objectName(): a for a in window.findChildren(type(window.export_action))}
    for spec in MANAGER_ACTIONS:
        action = by_id[spec.id]
        assert normal(action.shortcut().toString()) == normal(spec.shortcut), spec.id
        in_menu = [m for m in window.findChildren(QMenu) if action in m.actions()]
        assert in_menu or action in page.aligned_view.actions(), spec.id
        if spec.shortcut:
            assert action.shortcut().toString() in action.toolTip(), spec.id
    for decision, button in page.decision_buttons.items():
        assert by_id[decision].shortcut().toString() in button.toolTip()


def test_no_shortcut_is_set_outside_the_action_table() -> None:
    root = Path(__file__).parents[2] / "observer_app" / "ui"
    pattern = re.compile(r"QShortcut\(|\.setShortcuts?\(")
    allowed = {root / "actions.py", root / "coding_window" / "keys.py"}
    found = [
        f"{path.relative_to(root)}:{n}"
        for path in root.rglob("*.py")
        if path not in allowed
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert found == []
