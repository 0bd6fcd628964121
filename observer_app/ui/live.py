"""Live progress in a window: polls the study's change feed (``services/live.py``) on a timer and
emits ``changed`` when another workstation changed something."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from observer_app.coding.errors import ObserverError
from observer_app.services.study import Study

POLL_MS = 3000


class LiveUpdates(QObject):
    changed = Signal()

    def __init__(self, study: Study, parent: QObject | None = None, interval_ms: int = POLL_MS):
        super().__init__(parent)
        self._feed = study.change_feed()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.poll)
        self._timer.start()

    def poll(self) -> None:
        try:
            changed = self._feed.poll()
        except ObserverError:  # the storage is away; the coding window says so when saving
            return
        if changed:
            self.changed.emit()

    def stop(self) -> None:
        self._timer.stop()
        self._feed.close()
