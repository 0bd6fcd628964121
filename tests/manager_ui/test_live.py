"""The manager's window sees another workstation's progress without restarting (issue 17)."""

from __future__ import annotations

from typing import Any

from pytestqt.qtbot import QtBot

from observer_app.services.study import Study
from observer_app.ui.manager.window import ManagerWindow

from .conftest import Lab


def test_progress_elsewhere_reaches_the_open_manager_window(qtbot: QtBot, lab: Lab) -> None:
    a = lab.study.assignments.create(lab.recordings[0], lab.coders["Ana Alves"]).id
    mo = Study.open(lab.path, as_coder="Mo Master", backup=False)
    window = ManagerWindow(mo)
    qtbot.addWidget(window)
    window.show()
    window.tabs.setCurrentWidget(window.reliability)
    seen: list[Any] = []
    window.live.changed.connect(lambda: seen.append(True))
    window.live.poll()
    assert seen == []
    with Study.open(lab.path, as_coder="Ana Alves", backup=False) as ana:  # another workstation
        ana.events.log(a, "withdrawal", 1_000)
    qtbot.waitUntil(lambda: bool(seen), timeout=10_000)  # the window's own timer polls
    assert "changed on another workstation" in window.statusBar().currentMessage()
    window.close()
    mo.close()
