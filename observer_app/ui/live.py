"""Live progress in a window: polls the study's change feed (``services/live.py``) on a timer and
emits ``changed`` when another workstation changed something.

One ``LiveUpdates`` per window, shared by its parts: the coding window makes one and hands it to
its assignment watch, its queue dialog and the manager window it opens (on PostgreSQL each feed
is a LISTEN session of its own, so one per part would be one connection per part). A part
``subscribe``\\ s a slot and ends its subscription when it closes; the feed is open while anyone
subscribes (opened by the first, closed after the last). A part shown on its own (a test, a
dialog without a window) makes its own ``LiveUpdates``.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from observer_app.coding.errors import ObserverError
from observer_app.services.live import ChangeFeed
from observer_app.services.study import Study

POLL_MS = 3000


class LiveUpdates(QObject):
    changed = Signal()

    def __init__(self, study: Study, parent: QObject | None = None, interval_ms: int = POLL_MS):
        super().__init__(parent)
        self._study = study
        self._feed: ChangeFeed | None = None
        self._subscribers = 0
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.poll)

    @property
    def active(self) -> bool:
        """Whether the feed is open and polled (someone subscribes)."""
        return self._feed is not None

    def subscribe(self, slot: Callable[[], object]) -> Callable[[], None]:
        """Call ``slot`` on every change from now on; returns the function that ends this
        subscription (once; later calls do nothing)."""
        if self._feed is None:
            self._feed = self._study.change_feed()
            self._timer.start()
        self._subscribers += 1
        self.changed.connect(slot)
        ended = False

        def end() -> None:
            nonlocal ended
            if ended:
                return
            ended = True
            self.changed.disconnect(slot)
            self._subscribers -= 1
            if self._subscribers == 0:
                self.stop()

        return end

    def poll(self) -> None:
        if self._feed is None:
            return
        try:
            changed = self._feed.poll()
        except ObserverError:  # the storage is away; the coding window says so when saving
            return
        if changed:
            self.changed.emit()

    def stop(self) -> None:
        """Close the feed (a later subscription opens a new one)."""
        self._timer.stop()
        if self._feed is not None:
            self._feed.close()
            self._feed = None
