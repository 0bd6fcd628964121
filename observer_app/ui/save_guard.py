"""Failing loudly: what the coding window does when a change cannot be saved.

When the storage refuses a change (``StorageError``: read-only file, full disk, lock timeout,
server gone), ``SaveGuard``:

* stops taking new changes for the assignment (``accepting`` is False; ``apply`` refuses with the
  banner's text), so nothing piles up behind an unsaved one and nothing is shown as saved;
* keeps the unsaved change(s) in memory, in order, with what was already committed of each (a
  key press that closes one state and opens another is two commits: if the first went through,
  a retry does not repeat it);
* retries (``retry``, called by the window on a timer and by the banner's button) and, once every
  pending change is committed, accepts input again and hands the saved edits back so they go on
  the undo stack.

The guard is plain Python (no Qt): the window shows ``banner_text()`` in a banner that stays until
``failing`` is False, and calls ``retry`` from a timer. A refusal by a rule (``ObserverError``
other than ``StorageError``: a complete assignment, a bad code) is not a save failure: it is
raised as before and nothing is kept.
"""

from __future__ import annotations

import copy
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from observer_app.coding.edits import Edit, EditPort, EventSpec, RatingKey, Response
from observer_app.coding.errors import StorageError

#: Seconds between automatic retries while a change is unsaved.
RETRY_SECONDS = 3


@dataclass
class _Pending:
    pristine: Edit  # a copy taken before the first attempt; each retry applies a fresh copy
    committed: list[Any] = field(default_factory=list)  # results of the calls already saved


class _ReplayPort:
    """An ``EditPort`` that answers the calls already committed from memory (in order) and sends
    the rest to the real port; after one failure it refuses every further call without touching
    the storage (so an edit's own clean-up cannot half-undo committed steps)."""

    def __init__(self, port: EditPort, pending: _Pending) -> None:
        self._port = port
        self._pending = pending
        self._next = 0
        self._broken: StorageError | None = None

    def _call(self, name: str, *args: Any) -> Any:
        done = self._pending.committed
        if self._next < len(done):
            self._next += 1
            return done[self._next - 1]
        if self._broken is not None:
            raise self._broken
        try:
            result = getattr(self._port, name)(*args)
        except StorageError as exc:
            self._broken = exc
            raise
        done.append(result)
        self._next += 1
        return result

    def log_event(self, spec: EventSpec) -> int:
        return int(self._call("log_event", spec))

    def delete_event(self, event_id: int) -> None:
        self._call("delete_event", event_id)

    def restore_event(self, event_id: int) -> None:
        self._call("restore_event", event_id)

    def update_event(self, event_id: int, changes: Mapping[str, Any]) -> None:
        self._call("update_event", event_id, changes)

    def set_rating(self, key: RatingKey, response: Response) -> None:
        self._call("set_rating", key, response)

    def clear_rating(self, key: RatingKey) -> None:
        self._call("clear_rating", key)


class SaveGuard:
    """The save state of one assignment: healthy, or failing with changes kept in memory."""

    def __init__(self, port: EditPort, on_change: Callable[[], None] | None = None) -> None:
        self._port = port
        self._pending: deque[_Pending] = deque()
        self._message = ""
        self._on_change = on_change

    # -- state the window shows -----------------------------------------------------------
    @property
    def failing(self) -> bool:
        return bool(self._pending)

    @property
    def accepting(self) -> bool:
        return not self._pending

    @property
    def unsaved(self) -> int:
        """How many changes are kept in memory, unsaved."""
        return len(self._pending)

    @property
    def unsaved_labels(self) -> list[str]:
        return [p.pristine.label for p in self._pending]

    def banner_text(self) -> str | None:
        """The banner's text while failing (None when everything is saved)."""
        if not self._pending:
            return None
        n = len(self._pending)
        changes = "1 change" if n == 1 else f"{n} changes"
        return (
            f"NOT SAVED — {self._message}. {changes} kept in memory, in order; coding is paused "
            f"on this assignment until they are saved (retrying every {RETRY_SECONDS} s)."
        )

    def status_text(self) -> str:
        return f"NOT SAVED ({self.unsaved} waiting)" if self._pending else ""

    # -- doing ----------------------------------------------------------------------------
    def apply(self, edit: Edit) -> bool:
        """Commit ``edit``: True when saved; False when the storage failed (the edit is kept).

        While failing, a new edit is refused with ``StorageError`` (the banner's text): it is
        neither saved nor kept, and the window says so.
        """
        if self._pending:
            raise StorageError(self.banner_text() or "not saved")
        pending = _Pending(copy.deepcopy(edit))
        try:
            edit.apply(_ReplayPort(self._port, pending))
        except StorageError as exc:
            self._message = _reason(exc)
            self._pending.append(pending)
            self._changed()
            return False
        return True

    def retry(self) -> list[Edit]:
        """Try the pending changes in order; returns the edits saved now (for the undo stack).

        Stops at the first that fails again (the rest stay, in order)."""
        saved: list[Edit] = []
        while self._pending:
            pending = self._pending[0]
            edit = copy.deepcopy(pending.pristine)
            try:
                edit.apply(_ReplayPort(self._port, pending))
            except StorageError as exc:
                self._message = _reason(exc)
                break
            self._pending.popleft()
            saved.append(edit)
        if saved or not self._pending:
            self._changed()
        return saved

    def _changed(self) -> None:
        if self._on_change is not None:
            self._on_change()


def _reason(exc: StorageError) -> str:
    return str(exc).removeprefix("not saved: ").rstrip(".")
