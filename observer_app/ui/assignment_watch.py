"""The open assignment, watched from other workstations (issue 17).

When a manager completes, reopens, reassigns or cancels the assignment a coder has open, the
coding window must say so and become read-only or editable again. ``AssignmentWatch`` uses the
study's one live mechanism (``ui/live.py``: LISTEN/NOTIFY on PostgreSQL, polling on SQLite;
the window's ``LiveUpdates``, shared with its other parts):
on each change it re-reads the watched assignment's status through the services (blinding
applies) and, when it differs from what the window has, tells the session
(``CodingSession.status_changed_elsewhere``) and shows a banner that stays until the coder
dismisses it or opens another assignment.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QObject, Signal

from observer_app.coding.errors import ObserverError
from observer_app.services.records import AssignmentInfo
from observer_app.services.study import Study
from observer_app.ui.coding_window.banner import Banner
from observer_app.ui.live import POLL_MS, LiveUpdates

#: Statuses in which the coding window accepts no input.
READ_ONLY = frozenset({"complete", "cancelled"})

_REOPENED = "A manager reopened this assignment on another workstation: you can edit it again."
_MESSAGES = {
    "complete": "A manager completed this assignment on another workstation: it is read-only now.",
    "cancelled": (
        "A manager cancelled or reassigned this assignment on another workstation: it is "
        "read-only now and no longer in your queue."
    ),
    "in_progress": _REOPENED,
    "not_started": _REOPENED,
    "gone": "This assignment is no longer available to you (changed on another workstation).",
}


class WatchedSession(Protocol):
    """What the watch needs of the coding session (``ui/session.py``'s ``CodingSession``)."""

    @property
    def assignment_id(self) -> int: ...

    @property
    def status(self) -> str: ...

    def status_changed_elsewhere(self, status: str, info: AssignmentInfo | None = None) -> None: ...


class AssignmentWatch(QObject):
    #: The watched assignment's new status (or "gone"), and the message shown.
    changedElsewhere = Signal(str, str)
    #: Whether the window must now refuse input.
    readOnlyChanged = Signal(bool)

    def __init__(
        self,
        study: Study,
        parent: QObject | None = None,
        interval_ms: int = POLL_MS,
        *,
        live: LiveUpdates | None = None,
    ) -> None:
        super().__init__(parent)
        self._study = study
        self._session: WatchedSession | None = None
        self.banner = Banner("#f4c7a1", "Dismiss")
        self.banner.setObjectName("assignmentWatchBanner")
        assert self.banner.button is not None
        self.banner.button.clicked.connect(self.banner.hide)
        # the window's live updates (``live``), else the watch's own
        self.live = live if live is not None else LiveUpdates(study, self, interval_ms)
        self._unsubscribe = self.live.subscribe(self.check)

    def attach(self, session: WatchedSession | None) -> None:
        """Watch this session's assignment (None: nothing open); the banner goes."""
        self._session = session
        self.banner.hide()

    def check(self) -> None:
        """Re-read the watched assignment; act when its status changed elsewhere."""
        session = self._session
        if session is None:
            return
        info: AssignmentInfo | None
        try:
            info = self._study.assignments.get(session.assignment_id)
        except ObserverError:  # no longer readable by this coder, or the storage is away
            info = None
        status = "gone" if info is None else info.status
        # an assignment this coder can no longer read counts as cancelled (once: the next
        # check reads "gone" again, which must not re-announce it)
        seen = "cancelled" if status == "gone" else status
        if seen == session.status:
            return
        was_read_only = session.status in READ_ONLY
        session.status_changed_elsewhere(seen, info)
        message = _MESSAGES.get(status, f"A manager changed this assignment to {status}.")
        self.banner.show_text(message)
        self.changedElsewhere.emit(status, message)
        if (session.status in READ_ONLY) != was_read_only:
            self.readOnlyChanged.emit(session.status in READ_ONLY)

    def stop(self) -> None:
        self._unsubscribe()
