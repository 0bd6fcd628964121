"""Run slow work (hashing a relinked file, scanning a folder) off the GUI thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class _Relay(QObject):
    done = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.fn = fn
        self.relay = relay

    def run(self) -> None:
        try:
            result = self.fn()
        except Exception as exc:  # reported on the GUI thread, never swallowed
            self.relay.failed.emit(exc)
        else:
            self.relay.done.emit(result)


_alive: set[_Relay] = set()


def run_in_background(
    fn: Callable[[], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException], None],
    parent: QObject | None = None,
) -> _Relay:
    """Run ``fn`` on the global thread pool; the callbacks run on the GUI thread."""
    relay = _Relay(parent)
    _alive.add(relay)

    def finished(result: Any) -> None:
        _alive.discard(relay)
        on_done(result)

    def failed(exc: Any) -> None:
        _alive.discard(relay)
        on_error(exc)

    relay.done.connect(finished)
    relay.failed.connect(failed)
    QThreadPool.globalInstance().start(_Job(fn, relay))
    return relay
