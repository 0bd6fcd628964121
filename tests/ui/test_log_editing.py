"""Edit everything, keyboard first: each column of the event log with its own editor, a state's
either end on the timeline, the modifier picker's keys; every edit undoable and validated.

Real key events, a real SQLite study; what was saved is read through a second connection.
"""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QSpinBox
from pytestqt.qtbot import QtBot

from observer_app.ui.coding_window import CodingWindow
from observer_app.ui.models import EventTableModel
from tests.ui.conftest import DURATION_MS
from tests.ui.test_coding_window import key, open_window, saved_events


@pytest.fixture
def window(qtbot: QtBot, lab: Any, fake_player: Any, settings: QSettings) -> CodingWindow:
    return open_window(qtbot, lab, fake_player, settings)


def edit_cell(qtbot: QtBot, window: CodingWindow, row: int, col: int, text: str) -> Any:
    """F2 on a cell, select all, type ``text``, Enter; returns the editor that was open."""
    log = window.event_log
    log.view.setFocus()
    log.view.setCurrentIndex(log.proxy.index(row, col))
    qtbot.keyClick(log.view, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert editor is not None and editor is not log.view
    qtbot.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    return editor


def test_start_and_end_typed_as_times_frames_or_now(
    qtbot: QtBot, window: CodingWindow, lab: Any, fake_player: Any
) -> None:
    fake_player.seek(10_000)
    key(qtbot, window, Qt.Key.Key_A)  # talk opens at 10 s
    fake_player.seek(20_000)
    key(qtbot, window, Qt.Key.Key_A)  # and closes at 20 s
    editor = edit_cell(qtbot, window, 0, EventTableModel.TIME, "00:00:09.500")
    assert isinstance(editor, QLineEdit)
    assert saved_events(lab, lab.mine)[0].onset_ms == 9_500
    edit_cell(qtbot, window, 0, EventTableModel.END, "f600")  # frame 600 at 25 fps
    assert saved_events(lab, lab.mine)[0].offset_ms == 24_000
    fake_player.seek(31_000)
    edit_cell(qtbot, window, 0, EventTableModel.END, "now")
    assert saved_events(lab, lab.mine)[0].offset_ms == 31_000
    # an end before the start and a time after the recording: refused with the reason
    edit_cell(qtbot, window, 0, EventTableModel.END, "00:00:05.000")
    assert "before the start" in window.statusBar().currentMessage()
    edit_cell(qtbot, window, 0, EventTableModel.END, "00:05:00.000")
    assert "after the end of the recording" in window.statusBar().currentMessage()
    [event] = saved_events(lab, lab.mine)
    assert (event.onset_ms, event.offset_ms) == (9_500, 31_000)
    # undo, one edit at a time
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert saved_events(lab, lab.mine)[0].offset_ms == 24_000


def test_set_start_or_end_to_the_current_position_by_key(
    qtbot: QtBot, window: CodingWindow, lab: Any, fake_player: Any
) -> None:
    fake_player.seek(10_000)
    key(qtbot, window, Qt.Key.Key_A)
    [event] = saved_events(lab, lab.mine)
    window.event_log.show_event(event.id)
    fake_player.seek(14_200)
    window.panel.setFocus()
    key(qtbot, window, Qt.Key.Key_BracketRight, Qt.KeyboardModifier.ControlModifier)
    assert saved_events(lab, lab.mine)[0].offset_ms == 14_200
    fake_player.seek(12_000)
    key(qtbot, window, Qt.Key.Key_BracketLeft, Qt.KeyboardModifier.ControlModifier)
    assert saved_events(lab, lab.mine)[0].onset_ms == 12_000
    fake_player.seek(15_000)  # a start after the end is refused
    key(qtbot, window, Qt.Key.Key_BracketLeft, Qt.KeyboardModifier.ControlModifier)
    assert "before the start" in window.statusBar().currentMessage()
    assert saved_events(lab, lab.mine)[0].onset_ms == 12_000


def test_multi_line_comment(qtbot: QtBot, window: CodingWindow, lab: Any, fake_player: Any) -> None:
    fake_player.seek(3_000)
    key(qtbot, window, Qt.Key.Key_N)
    log = window.event_log
    log.view.setFocus()
    log.view.setCurrentIndex(log.proxy.index(0, EventTableModel.COMMENT))
    qtbot.keyClick(log.view, Qt.Key.Key_Return)  # Enter edits, like F2
    editor = QApplication.focusWidget()
    assert isinstance(editor, QPlainTextEdit)
    qtbot.keyClicks(editor, "looks away")
    qtbot.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(editor, "then laughs")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    [event] = saved_events(lab, lab.mine)
    assert event.comment == "looks away\nthen laughs"
    assert "↵" in window.event_model.shown(event)[EventTableModel.COMMENT]


def test_modifiers_edited_in_the_picker_and_untouched_range_is_unanswered(
    qtbot: QtBot, window: CodingWindow, lab: Any, fake_player: Any
) -> None:
    fake_player.seek(5_000)
    key(qtbot, window, Qt.Key.Key_U)
    picker = window.picker
    [strength] = [r for r in picker.rows if r.mod.id == "strength"]
    assert isinstance(strength.editor, QSpinBox)
    assert strength.editor.text() == "— unanswered"
    key(qtbot, window, Qt.Key.Key_1)  # tone: cold
    key(qtbot, window, Qt.Key.Key_Return)
    [event] = saved_events(lab, lab.mine)
    assert event.modifiers == {"tone": "cold"}  # no strength: unanswered
    # F2 on the modifiers cell opens the picker on this event's values
    log = window.event_log
    log.view.setFocus()
    log.view.setCurrentIndex(log.proxy.index(0, EventTableModel.MODIFIERS))
    qtbot.keyClick(log.view, Qt.Key.Key_F2)
    assert picker.active and picker.event_id == event.id
    key(qtbot, window, Qt.Key.Key_2)  # tone: warm, moves on to the note
    note = QApplication.focusWidget()
    assert isinstance(note, QLineEdit) and picker.isAncestorOf(note)
    qtbot.keyClicks(note, "Note: sarcastic")
    key(qtbot, window, Qt.Key.Key_Down)  # to strength
    spin = QApplication.focusWidget()
    assert spin is not None and picker.isAncestorOf(spin)
    qtbot.keyClick(spin, Qt.Key.Key_Up)
    qtbot.keyClick(spin, Qt.Key.Key_Up)
    key(qtbot, window, Qt.Key.Key_Return)
    assert not picker.active
    [event] = saved_events(lab, lab.mine)
    assert event.modifiers == {"tone": "warm", "note": "Note: sarcastic", "strength": 2}
    assert len(saved_events(lab, lab.mine, include_deleted=True)) == 1  # edited, not logged
    window.undo()
    assert saved_events(lab, lab.mine)[0].modifiers == {"tone": "cold"}


def _canvas_point(canvas: Any, ms: int) -> QPoint:
    return QPoint(int(canvas._x(ms)), int(canvas._ruler_h + canvas._lane_h() * 1.5))


def test_drag_a_states_end_alone_with_a_read_out_and_a_minimum_distance(
    qtbot: QtBot, window: CodingWindow, lab: Any, fake_player: Any
) -> None:
    for t in (40_000, 80_000):
        fake_player.seek(t)
        key(qtbot, window, Qt.Key.Key_A)
    canvas = window.timeline.canvas
    canvas.resize(1000, 160)
    canvas.set_duration(DURATION_MS)
    start = _canvas_point(canvas, 80_000) + QPoint(3, 0)  # just past the end: still its handle
    # a move shorter than the drag distance changes nothing (the release seeks)
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(canvas, start + QPoint(2, 0))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=start + QPoint(2, 0))
    assert (saved_events(lab, lab.mine)[0].onset_ms, saved_events(lab, lab.mine)[0].offset_ms) == (
        40_000,
        80_000,
    )
    # the end handle: only the end moves, and the read-out shows the new times while dragging
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=start)
    target = start + QPoint(60, 0)
    qtbot.mouseMove(canvas, start + QPoint(30, 0))
    qtbot.mouseMove(canvas, target)
    during = canvas.drag_times(60)
    assert during is not None and during[0] == 40_000 and during[1] > 80_000
    canvas.grab()  # paints the read-out without error
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=target)
    [event] = saved_events(lab, lab.mine)
    assert event.onset_ms == 40_000
    assert event.offset_ms == 80_000 + round(60 * canvas.view_ms / canvas._plot_w())
    # the start handle: only the start moves
    begin = _canvas_point(canvas, 40_000)
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=begin)
    qtbot.mouseMove(canvas, begin - QPoint(20, 0))
    qtbot.mouseMove(canvas, begin - QPoint(40, 0))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=begin - QPoint(40, 0))
    moved = saved_events(lab, lab.mine)[0]
    assert moved.offset_ms == event.offset_ms and moved.onset_ms < 40_000
    window.undo()
    window.undo()
    restored = saved_events(lab, lab.mine)[0]
    assert (restored.onset_ms, restored.offset_ms) == (40_000, 80_000)
