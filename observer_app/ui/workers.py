"""The one way of running work off the GUI thread.

A :class:`Task` runs ``work(progress)`` on a ``QThreadPool``; it reports progress and its result
through queued signals to a :class:`Relay` that lives on the GUI thread, so every callback runs
on the GUI thread. A task is cancelled cooperatively: the work function checks
``progress.cancelled`` (or calls ``progress.check()``) between units of work. The manager's
``TaskBar`` shows such tasks with progress and Cancel; :func:`run_in_background` runs a plain
function (hashing a relinked file) the same way, and :func:`start_task` a work function with
progress and cancel of its own (the coding window's waveform and spectrogram).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from observer_app.coding.errors import ObserverError

log = logging.getLogger(__name__)


class Cancelled(Exception):
    """Raised inside a work function to stop early (the task reports ``cancelled``)."""


class Progress:
    """Handed to a work function: report progress, ask whether the user cancelled."""

    def __init__(self, signals: TaskSignals) -> None:
        self._signals = signals
        self.cancelled = False

    def __call__(self, done: int, total: int, text: str = "") -> None:
        self._signals.progress.emit(int(done), int(total), text)

    def check(self) -> None:
        """Raise :class:`Cancelled` if the user cancelled."""
        if self.cancelled:
            raise Cancelled

    def is_set(self) -> bool:
        """The cancel-token view (``threading.Event``'s ``is_set``) for the media decoders."""
        return self.cancelled


class TaskSignals(QObject):
    progress = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()


class Task(QRunnable):
    """Runs ``work(progress)`` on a pool thread; ObserverErrors become a one-line ``failed``.

    The pool owns and deletes the runnable when ``run`` returns (auto-delete), so nothing on the
    GUI thread may hold on to it: the :class:`TaskBar` keeps only the ``progress`` object (to
    cancel) and the ``signals`` object (created on the GUI thread, kept alive by the bar).
    """

    def __init__(self, work: Callable[[Progress], Any], signals: TaskSignals) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self.signals = signals
        self.progress = Progress(signals)
        self._work = work

    def run(self) -> None:
        progress, signals = self.progress, self.signals
        try:
            result = self._work(progress)
        except Cancelled:
            signals.cancelled.emit()
        except ObserverError as exc:
            signals.failed.emit(str(exc))
        except Exception as exc:  # a bug: report it rather than lose it on a pool thread
            log.exception("background task failed")
            signals.failed.emit(f"unexpected error: {exc!r}")
        else:
            if progress.cancelled:
                signals.cancelled.emit()
            else:
                signals.finished.emit(result)


class Relay(QObject):
    """Lives on the GUI thread; its slots receive the task's queued signals."""

    def __init__(
        self,
        parent: QObject,
        on_done: Callable[[Any], None],
        on_failed: Callable[[str], None],
        on_progress: Callable[[int, int, str], None],
        on_cancelled: Callable[[], None],
    ) -> None:
        super().__init__(parent)
        self._done, self._failed = on_done, on_failed
        self._progress, self._cancelled = on_progress, on_cancelled

    @Slot(object)
    def done(self, result: Any) -> None:
        self._done(result)

    @Slot(str)
    def failed(self, message: str) -> None:
        self._failed(message)

    @Slot(int, int, str)
    def progress(self, done: int, total: int, text: str) -> None:
        self._progress(done, total, text)

    @Slot()
    def cancelled(self) -> None:
        self._cancelled()


#: Signals and relays of every :func:`run_in_background` call: a pool thread may still be inside
#: an emit after the GUI thread has handled it, so they are kept (a few bytes each; relinking is
#: rare), as the manager's TaskBar keeps its own.
_kept: list[tuple[TaskSignals, Relay]] = []


def run_in_background(
    fn: Callable[[], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[str], None],
    parent: QObject,
    pool: QThreadPool | None = None,
) -> Progress:
    """Run ``fn()`` as a :class:`Task`; ``on_done(result)`` or ``on_error(message)`` runs on
    the GUI thread."""
    return start_task(lambda _progress: fn(), on_done, on_error, parent, pool=pool)


def start_task(
    work: Callable[[Progress], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[str], None],
    parent: QObject,
    *,
    on_progress: Callable[[int, int, str], None] | None = None,
    on_cancelled: Callable[[], None] | None = None,
    pool: QThreadPool | None = None,
) -> Progress:
    """Run ``work(progress)`` as a :class:`Task`; its result, error, progress and cancellation
    reach the callbacks on the GUI thread. Set ``cancelled`` on the returned :class:`Progress`
    to ask the work to stop."""
    signals = TaskSignals()
    relay = Relay(
        parent,
        on_done,
        on_error,
        on_progress or (lambda *_: None),
        on_cancelled or (lambda: None),
    )
    _kept.append((signals, relay))
    signals.finished.connect(relay.done)
    signals.failed.connect(relay.failed)
    signals.cancelled.connect(relay.cancelled)
    if on_progress is not None:
        signals.progress.connect(relay.progress)
    task = Task(work, signals)
    (pool or QThreadPool.globalInstance()).start(task)
    return task.progress
