"""The coding window's assignment controller: opens an assignment's ``CodingSession``, leaves
the previous one, and says so with ``sessionChanged(session)``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from observer_app.coding.errors import ObserverError
from observer_app.services.study import Study
from observer_app.ui.session import CodingSession


class AssignmentController(QObject):
    """Holds the open session. ``aboutToLeave(session)`` before a session is dropped (the
    window's parts save what they hold), then ``sessionChanged(session)`` with the new one;
    ``error(text)`` when an assignment cannot be opened (the current one stays)."""

    aboutToLeave = Signal(object)
    sessionChanged = Signal(object)
    error = Signal(str)

    def __init__(
        self,
        study: Study,
        choose: Callable[[], int | None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.study = study
        self.session: CodingSession | None = None
        self._choose = choose

    def attach(self, session: CodingSession | None) -> None:
        self.session = session

    def open_queue(self) -> None:
        if self._choose is None:
            return
        chosen = self._choose()
        if chosen is not None:
            self.open_assignment(chosen)

    def open_assignment(self, assignment_id: int) -> None:
        """Open an assignment (e.g. another coder's blind work is refused with an error)."""
        try:
            session = CodingSession(self.study, assignment_id, self)
        except ObserverError as exc:
            self.error.emit(str(exc))
            return
        self.leave()
        self.session = session
        self.sessionChanged.emit(session)

    def leave(self) -> None:
        old: Any = self.session
        if old is None:
            return
        self.aboutToLeave.emit(old)
        old.undo_stack.clear()
        old.deleteLater()
        self.session = None
