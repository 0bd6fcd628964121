"""The application's garbage collection runs on the GUI thread only."""

from __future__ import annotations

import gc
import threading

from PySide6.QtCore import QObject
from pytestqt.qtbot import QtBot

from observer_app.ui.gui_gc import GuiThreadCollector


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_collects_cycles_on_the_gui_thread_not_in_workers(qtbot: QtBot) -> None:
    collected_in: list[str] = []

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "stop" and info["collected"]:
            collected_in.append(threading.current_thread().name)

    owner = QObject()
    collector = GuiThreadCollector(owner, interval_ms=20)
    gc.callbacks.append(note)
    try:
        assert not gc.isenabled()

        def worker() -> None:  # allocates far past every threshold: no collection here
            for _ in range(50_000):
                _Cycle()

        t = threading.Thread(target=worker, name="worker")
        t.start()
        t.join()
        assert "worker" not in collected_in
        qtbot.waitUntil(lambda: threading.main_thread().name in collected_in, timeout=5_000)
    finally:
        gc.callbacks.remove(note)
        collector.stop()
    assert gc.isenabled()
