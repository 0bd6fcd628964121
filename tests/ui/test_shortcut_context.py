"""Typing never codes: the window's shortcuts act only when no editor has focus.

Every test drives the windows with real key events (``QTest.keyClicks`` through pytest-qt) and
reads what was saved through a second connection. The first tests reproduce the observations of
issue 12 (a comment typed into the log logged 8 events and toggled playback; Tab in the modifier
picker left it; a scheme key colliding with a window shortcut validated).
"""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect, QSettings, Qt
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QDockWidget, QWidget
from pytestqt.qtbot import QtBot

from observer_app.coding.definitions.scheme import (
    RESERVED_KEYS,
    WINDOW_SHORTCUTS,
    normalize_key,
    parse_scheme,
)
from observer_app.coding.errors import ObserverError
from observer_app.services.study import Study
from observer_app.ui.actions import ACTIONS, EDITOR_TYPES, normal, scheme_key_to_sequence
from observer_app.ui.coding_window import CodingWindow
from observer_app.ui.models import EventTableModel
from tests.ui.test_coding_window import key, open_window, saved_events

TYPED = "sarcastic tone [n] a,s;l t 12"
NAV_KEYS = (Qt.Key.Key_Space, Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Backspace)


@pytest.fixture
def window(qtbot: QtBot, lab: Any, fake_player: Any, settings: QSettings) -> CodingWindow:
    return open_window(qtbot, lab, fake_player, settings)


def transport(player: Any) -> tuple[Any, ...]:
    return (player.state(), player.position_ms(), player.rate())


def type_into(qtbot: QtBot, widget: QWidget) -> None:
    """Real key events into ``widget`` while it has the focus: text, then the transport keys."""
    qtbot.keyClicks(widget, TYPED)
    for k in NAV_KEYS:
        qtbot.keyClick(widget, k)
    qtbot.keyClick(widget, Qt.Key.Key_Delete)
    popup = QApplication.activePopupWidget()  # Space opens a combo box's list: close it
    if popup is not None:
        qtbot.keyClick(popup, Qt.Key.Key_Escape)
        window = widget.window()  # offscreen Qt leaves the closed list active: back to the window
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
        widget.setFocus()


def focus(qtbot: QtBot, widget: QWidget) -> bool:
    dock = widget.parentWidget()
    while dock is not None and not isinstance(dock, QDockWidget):
        dock = dock.parentWidget()
    if dock is not None:
        dock.show()
        dock.raise_()
    widget.setFocus(Qt.FocusReason.OtherFocusReason)
    QApplication.processEvents()
    return QApplication.focusWidget() is widget


# -- the observations of the issue -----------------------------------------------------------
def test_typing_a_comment_in_the_log_logs_nothing_and_leaves_playback(
    qtbot: QtBot, window: CodingWindow, lab: Any, fake_player: Any
) -> None:
    fake_player.seek(4_000)
    key(qtbot, window, Qt.Key.Key_N)
    log = window.event_log
    log.view.setFocus()
    log.view.setCurrentIndex(log.proxy.index(0, EventTableModel.COMMENT))
    before = transport(fake_player)
    qtbot.keyClick(log.view, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert editor is not None and editor is not log.view
    qtbot.keyClicks(editor, "sarcastic tone")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    [event] = saved_events(lab, lab.mine)
    assert event.comment == "sarcastic tone"
    assert transport(fake_player) == before


def test_tab_in_the_modifier_picker_moves_between_its_rows(
    qtbot: QtBot, window: CodingWindow, lab: Any, fake_player: Any
) -> None:
    fake_player.seek(2_000)
    key(qtbot, window, Qt.Key.Key_U)  # "utter": a single choice and a free-text note
    picker = window.picker
    assert picker.active and picker.current == 0
    # placed over the coding pad, not over the picture
    panel = window.panel
    panel_rect = QRect(panel.mapTo(window, QPoint(0, 0)), panel.size())
    assert not picker.geometry().intersects(panel_rect)
    key(qtbot, window, Qt.Key.Key_Tab)
    assert picker.current == 1 and picker.isAncestorOf(QApplication.focusWidget())
    note = QApplication.focusWidget()
    assert note is not None
    qtbot.keyClicks(note, "nods and talks")  # n, a, s, t, l are code keys
    key(qtbot, window, Qt.Key.Key_Up)
    key(qtbot, window, Qt.Key.Key_2)
    key(qtbot, window, Qt.Key.Key_Return)
    [event] = saved_events(lab, lab.mine)
    assert event.code == "utter"
    assert event.modifiers == {"tone": "warm", "note": "nods and talks"}


@pytest.mark.parametrize(
    ("spelling", "action"),
    [
        ("[", "slower"),
        ("delete", "delete_event"),
        ("F1", "keys_help"),
        ("ctrl+z", "undo"),
        ("Ctrl+P", "show_problems"),
        ("space", "play_pause"),
        ("f2", "edit_cell"),
    ],
)
def test_a_code_key_colliding_with_a_window_shortcut_is_refused(spelling: str, action: str) -> None:
    text = f"""
kind = "scheme"
format_version = 1
id = "clash"
name = "Clash"
version = "1"
citation = "test"
license = "MIT"
[[codes]]
id = "slow_talk"
label = "Slow talk"
category = "c"
kind = "point"
key = "{spelling}"
"""
    with pytest.raises(ObserverError) as info:
        parse_scheme(text, "clash.toml")
    message = str(info.value)
    assert "slow_talk" in message and action in message


def test_the_action_table_and_the_validation_share_one_list_of_window_keys() -> None:
    for spec in ACTIONS:
        if spec.shortcut:
            assert any(
                normal(scheme_key_to_sequence(s.key)) == normal(spec.shortcut)
                and s.action == spec.id
                for s in WINDOW_SHORTCUTS
            ), spec.id
    assert {normalize_key(k) for k in RESERVED_KEYS} == RESERVED_KEYS
    bound = {s.action for s in WINDOW_SHORTCUTS}
    assert {a.id for a in ACTIONS if a.shortcut} <= bound


# -- every editor of both windows ----------------------------------------------------------
def editors_of(root: QWidget) -> list[QWidget]:
    return [
        w
        for w in root.findChildren(QWidget)
        if isinstance(w, EDITOR_TYPES)
        and w.isEnabled()
        and w.window() is root
        and not isinstance(w.parentWidget(), QAbstractSpinBox)  # a spin box's own line edit
    ]


def test_typing_into_every_editor_of_the_coding_window_codes_nothing(
    qtbot: QtBot, window: CodingWindow, lab: Any, fake_player: Any
) -> None:
    fake_player.seek(6_000)
    key(qtbot, window, Qt.Key.Key_A)  # an open state, so the log has a row to edit
    baseline = [(e.id, e.code, e.onset_ms, e.offset_ms) for e in saved_events(lab, lab.mine)]
    before = transport(fake_player)
    typed = 0
    for widget in editors_of(window):
        if focus(qtbot, widget):
            type_into(qtbot, widget)
            qtbot.keyClick(widget, Qt.Key.Key_Escape)
            typed += 1
    # the picker's fields (a code with a choice and a note): Escape cancels it, nothing logged
    window.activateWindow()  # offscreen Qt leaves a closed combo-box list the active window
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    window.panel.setFocus()
    key(qtbot, window, Qt.Key.Key_U)
    fields = [w for w in editors_of(window) if window.picker.isAncestorOf(w)]
    assert fields
    for widget in fields:
        if not window.picker.active:
            key(qtbot, window, Qt.Key.Key_U)
        assert focus(qtbot, widget)
        type_into(qtbot, widget)
        typed += 1
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    assert not window.picker.active
    # every editable cell of the log, opened with F2
    log = window.event_log
    for col in (EventTableModel.TIME, EventTableModel.END, EventTableModel.COMMENT):
        log.view.setFocus()
        log.view.setCurrentIndex(log.proxy.index(0, col))
        qtbot.keyClick(log.view, Qt.Key.Key_F2)
        editor = QApplication.focusWidget()
        assert editor is not None and editor is not log.view, col
        type_into(qtbot, editor)
        qtbot.keyClick(editor, Qt.Key.Key_Escape)
        typed += 1
    assert typed >= 6
    after = [(e.id, e.code, e.onset_ms, e.offset_ms) for e in saved_events(lab, lab.mine)]
    assert after == baseline
    assert transport(fake_player) == before


def test_escape_leaves_an_editor_and_the_keys_code_again(
    qtbot: QtBot, window: CodingWindow, lab: Any, fake_player: Any
) -> None:
    [combo] = [w for w in editors_of(window) if w is window.event_log.filter]
    assert focus(qtbot, combo)
    qtbot.keyClick(combo, Qt.Key.Key_Escape)
    assert not isinstance(QApplication.focusWidget(), EDITOR_TYPES)
    fake_player.seek(1_000)
    key(qtbot, window, Qt.Key.Key_N)
    assert [e.code for e in saved_events(lab, lab.mine)] == ["nod"]


def test_typing_into_every_editor_of_the_manager_window_codes_nothing(
    qtbot: QtBot, lab: Any, fake_player: Any, settings: QSettings
) -> None:
    from observer_app.media import FakePlayer
    from observer_app.ui.manager import open_manager_window
    from tests.ui.conftest import fake_media_info

    with Study.open(lab.path, backup=False) as admin:
        mias = admin.assignments.create(
            admin.recordings.all()[0].id, lab.manager, scheme_version_id=lab.scheme_version
        ).id
    study = Study.open(lab.path, as_coder="Mia Manager", backup=False)
    window = CodingWindow(study, fake_player, settings=settings, surface_factory=None)
    qtbot.addWidget(window)
    window.show()
    window.open_assignment(mias)
    reconcile_player = FakePlayer(probe=fake_media_info)
    manager = open_manager_window(study, window, player_factory=lambda: reconcile_player)
    qtbot.addWidget(manager)
    manager.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is manager, timeout=3000)
    before = (transport(fake_player), transport(reconcile_player))
    typed = 0
    for index in range(manager.tabs.count()):
        manager.tabs.setCurrentIndex(index)
        for widget in editors_of(manager):
            if widget.isVisible() and focus(qtbot, widget):
                type_into(qtbot, widget)
                qtbot.keyClick(widget, Qt.Key.Key_Escape)
                typed += 1
    assert typed >= 5
    with lab.open_as("Mia Manager") as again:
        assert again.events.for_assignment(mias) == []
    assert (transport(fake_player), transport(reconcile_player)) == before
    manager.close()
    reconcile_player.close()
