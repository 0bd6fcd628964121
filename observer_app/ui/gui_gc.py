"""Garbage collection on the GUI thread only.

Python's cyclic garbage collector runs in whichever thread happens to allocate when a threshold is
crossed. If that is a worker thread (hashing a relinked file, computing reliability), it can
destroy unreachable Qt objects — widgets, models, timers created by the GUI thread — from the
wrong thread, and Qt crashes (seen here as a segfault in a worker during a relink). The remedy is
the standard one for PySide/PyQt programs with worker threads: switch automatic collection off
and collect on a timer in the GUI thread, with the same generation thresholds Python would use.
Reference counting still frees everything that is not in a cycle immediately.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500


class GuiThreadCollector(QObject):
    """Disables automatic GC and collects, generation by generation, on a GUI-thread timer."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check)
        self._timer.start(interval_ms)

    def check(self) -> None:
        """Collect the oldest generation whose count passed its threshold (as Python would)."""
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self._thresholds[generation]:
                gc.collect(generation)
                return

    def stop(self) -> None:
        self._timer.stop()
        gc.enable()


def install(parent: QObject) -> GuiThreadCollector:
    """Install the collector for the application (``parent`` is usually the QApplication)."""
    return GuiThreadCollector(parent)
