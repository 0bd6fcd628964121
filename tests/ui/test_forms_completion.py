"""Forms and completion: Ctrl+R starts at the first unanswered item of the form on the tab that
is showing; completing asks first; the problems speak labels and hh:mm:ss, one click goes there."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from observer_app.ui.coding_window import CodingWindow
from tests.ui.test_coding_window import key, open_window


@pytest.fixture
def window(qtbot: QtBot, lab: Any, fake_player: Any, settings: QSettings) -> CodingWindow:
    return open_window(qtbot, lab, fake_player, settings)


def ctrl_r(qtbot: QtBot, window: CodingWindow) -> None:
    key(qtbot, window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)


def test_ctrl_r_starts_at_the_first_unanswered_item_of_the_showing_form(
    qtbot: QtBot, window: CodingWindow, lab: Any, fake_player: Any
) -> None:
    form = window.segment_form
    assert form is not None
    ctrl_r(qtbot, window)
    assert form.current == 0
    key(qtbot, window, Qt.Key.Key_3)  # answers s1 and moves on
    window.panel.setFocus()
    ctrl_r(qtbot, window)
    assert form.current == 1  # s1 is answered: the first unanswered is s2
    # with the Instruments tab showing, Ctrl+R goes to the session form
    window.forms_dock.show()
    window.forms_dock.raise_()
    qtbot.wait(20)
    session_form = window.session_forms.forms[0]
    window.panel.setFocus()
    ctrl_r(qtbot, window)
    assert session_form.hasFocus() and session_form.current == 0


def test_completion_asks_and_problems_speak_labels_and_times(
    qtbot: QtBot, window: CodingWindow, lab: Any, fake_player: Any
) -> None:
    fake_player.seek(61_500)
    key(qtbot, window, Qt.Key.Key_A)  # an open Talk
    key(qtbot, window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    model = window.problem_model
    texts = [model.data(model.index(r)) for r in range(model.rowCount())]
    assert "Talk, opened at 00:01:01.500, is not closed" in texts
    assert any("segment 2 (00:01:00–00:02:00)" in t for t in texts)
    assert not any(" ms " in t for t in texts)
    # one click goes there
    row = next(r for r in range(model.rowCount()) if model.problem(r).unit_index == 2)
    rect = window.problem_view.visualRect(model.index(row))
    qtbot.mouseClick(window.problem_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.segments is not None and window.segments.selected == 2


def test_completion_asks_for_confirmation(
    qtbot: QtBot, lab: Any, fake_player: Any, settings: QSettings
) -> None:
    _rate_everything(lab)  # nothing is missing: only the question stands in the way
    window = open_window(qtbot, lab, fake_player, settings)
    asked: list[str] = []

    def no(question: str) -> bool:
        asked.append(question)
        return False

    window.confirm_completion = no  # type: ignore[method-assign]
    key(qtbot, window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert asked and "read-only" in asked[0]
    with lab.open_as("Ana Alves") as study:
        assert study.assignments.get(lab.mine).status != "complete"
    window.confirm_completion = lambda question: True  # type: ignore[method-assign]
    key(qtbot, window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    with lab.open_as("Ana Alves") as study:
        assert study.assignments.get(lab.mine).status == "complete"


def _rate_everything(lab: Any) -> None:
    with lab.open_as("Ana Alves") as study:
        for a in study.definitions.assigned_instruments(lab.mine):
            for kind, index in a.units:
                for item in a.instrument.items:
                    study.ratings.set(
                        lab.mine, a.version_id, item.id, 1, unit_kind=kind, unit_index=index
                    )


def test_completing_updates_the_saved_time(
    qtbot: QtBot, lab: Any, fake_player: Any, settings: QSettings
) -> None:
    # audit: the status bar kept "Nothing changed yet" after the completion was committed
    _rate_everything(lab)
    window = open_window(qtbot, lab, fake_player, settings)
    window.confirm_completion = lambda question: True  # type: ignore[method-assign]
    before = window.saved_label.text()
    key(qtbot, window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    with lab.open_as("Ana Alves") as study:
        assert study.assignments.get(lab.mine).status == "complete"
    assert window.saved_label.text() != before
    assert window.saved_label.text().startswith("Saved ")
