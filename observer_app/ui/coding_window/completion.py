"""The coding window's completion controller: completing, the Problems list (model and view),
going to a problem (through signals the window routes), and the "complete" banner."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QListView

from observer_app.coding.state_logic import format_ms
from observer_app.services.records import AssignmentInfo, Problem
from observer_app.ui.coding_window.banner import Banner
from observer_app.ui.models import ProblemModel
from observer_app.ui.session import CodingSession


class CompletionController(QObject):
    """Completion and the Problems list. Going to a problem emits ``showEvent(id)``,
    ``seekRequested(ms)``, ``chooseSegment(index, item)``, ``showSessionItem(version, item)``;
    ``problemsShown(bool)`` asks for the Problems dock (True) or hides it; ``aboutToComplete()``
    lets the position be remembered; ``completed()`` after completion. ``confirm(question)``
    asks the coder before completing."""

    showEvent = Signal(int)
    seekRequested = Signal(int)
    chooseSegment = Signal(int, object)
    showSessionItem = Signal(int, object)
    problemsShown = Signal(bool)
    aboutToComplete = Signal()
    completed = Signal()
    message = Signal(str, int)
    error = Signal(str)

    def __init__(self, confirm: Callable[[str], bool], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session: CodingSession | None = None
        self._confirm = confirm
        self.complete_banner = Banner("#b9e4c9")
        self.complete_banner.setObjectName("completeBanner")
        self.problem_model = ProblemModel(self)
        self.problem_model.describe = self.describe_problem
        self.problem_view = QListView()
        self.problem_view.setModel(self.problem_model)
        self.problem_view.activated.connect(lambda index: self.go_to_problem(index.row()))
        self.problem_view.clicked.connect(lambda index: self.go_to_problem(index.row()))

    def attach(self, session: CodingSession | None) -> None:
        self.session = session
        self.problem_model.set_problems([])

    def complete(self) -> None:
        session = self.session
        if session is None:
            return
        if session.read_only:
            self.message.emit("Already complete", 3000)
            return
        self.aboutToComplete.emit()
        problems = session.problems()
        if not problems and not self._confirm(
            "Mark this assignment complete? It becomes read-only until a manager reopens it."
        ):
            self.message.emit("Not completed", 3000)
            return
        problems = session.complete()
        if problems:
            self.show_problem_list(problems)
            self.error.emit(f"Not complete yet: {len(problems)} problem(s) — see the Problems list")
            return
        self.problem_model.set_problems([])
        self.problemsShown.emit(False)
        self.completed.emit()
        self.message.emit("Assignment complete. It is read-only now.", 8000)

    def describe_problem(self, problem: Problem) -> str:
        """A problem in the coder's words: an open state by its code's label and time."""
        session = self.session
        if problem.kind == "open_state" and session is not None and session.scheme is not None:
            record = session.events.get(problem.event_id or -1)
            if record is not None:
                try:
                    label = session.scheme.code(record.code).label
                except KeyError:
                    label = record.code
                who = ""
                if record.subject and session.scheme.subjects:
                    who = f" ({session.scheme.subject(record.subject).label})"
                return f"{label}{who}, opened at {format_ms(record.onset_ms)}, is not closed"
        return problem.message

    def show_problems(self) -> None:
        if self.session is not None:
            self.show_problem_list(self.session.problems())

    def show_problem_list(self, problems: list[Problem]) -> None:
        self.problem_model.set_problems(problems)
        self.problemsShown.emit(True)
        if problems:
            self.problem_view.setCurrentIndex(self.problem_model.index(0))
        self.problem_view.setFocus()

    def go_to_problem(self, row: int) -> None:
        """Navigate to the place a problem is about (event, segment item, session item)."""
        if not 0 <= row < self.problem_model.rowCount() or self.session is None:
            return
        p = self.problem_model.problem(row)
        if p.event_id is not None:
            self.showEvent.emit(p.event_id)
        if p.position_ms is not None:
            self.seekRequested.emit(p.position_ms)
        if p.unit_kind == "segment" and p.unit_index is not None:
            self.chooseSegment.emit(p.unit_index, p.item_id)
        elif p.unit_kind == "session" and p.instrument_version_id is not None:
            self.showSessionItem.emit(p.instrument_version_id, p.item_id)

    def set_read_only(self, read_only: bool) -> None:
        """Show why the assignment takes no input (its status), or hide the banner."""
        session = self.session
        if read_only and session is not None:
            self.complete_banner.show_text(read_only_text(session.info))
        else:
            self.complete_banner.hide()


def read_only_text(info: AssignmentInfo) -> str:
    """The banner over a read-only assignment: complete (since when) or cancelled."""
    if info.status == "cancelled":
        return (
            "<b>Cancelled</b>: a manager cancelled or reassigned this assignment. It is "
            "read-only and no longer in your queue."
        )
    when = info.completed_at
    stamp = f" on {when.astimezone():%Y-%m-%d %H:%M}" if when else ""
    return f"<b>Complete</b>{stamp}. This assignment is read-only until a manager reopens it."
