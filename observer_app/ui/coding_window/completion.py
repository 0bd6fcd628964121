"""Completing an assignment in the coding window: problems, navigation to them, read-only."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from observer_app.coding.state_logic import format_ms
from observer_app.services.records import Problem
from observer_app.ui.actions import CODE_PREFIX
from observer_app.ui.coding_window.base import CodingWindowBase


class CompletionPart(CodingWindowBase):
    """Completion and the Problems list; the window turns read-only once complete."""

    def complete(self) -> None:
        session = self.session
        if session is None:
            return
        if session.read_only:
            self.statusBar().showMessage("Already complete", 3000)
            return
        self.remember_position()
        problems = session.problems()
        if not problems and not self.confirm_completion(
            "Mark this assignment complete? It becomes read-only until a manager reopens it."
        ):
            self.statusBar().showMessage("Not completed", 3000)
            return
        problems = session.complete()
        if problems:
            self._show_problem_list(problems)
            self.show_error(f"Not complete yet: {len(problems)} problem(s) — see the Problems list")
            return
        self.problem_model.set_problems([])
        self.problem_dock.hide()
        self._update_read_only()
        self.statusBar().showMessage("Assignment complete. It is read-only now.", 8000)

    def confirm_completion(self, question: str) -> bool:
        """Ask before completing (tests and scripts replace this with their answer)."""
        answer = QMessageBox.question(
            self,
            "Complete the assignment",
            question,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

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
            self._show_problem_list(self.session.problems())

    def _show_problem_list(self, problems: list[Problem]) -> None:
        self.problem_model.set_problems(problems)
        self.problem_dock.show()
        self.problem_dock.raise_()
        if problems:
            self.problem_view.setCurrentIndex(self.problem_model.index(0))
        self.problem_view.setFocus()

    def go_to_problem(self, row: int) -> None:
        """Navigate to the place a problem is about (event, segment item, session item)."""
        if not 0 <= row < self.problem_model.rowCount() or self.session is None:
            return
        p = self.problem_model.problem(row)
        if p.event_id is not None:
            self.log_dock.show()
            self.log_dock.raise_()
            self.event_log.show_event(p.event_id)
        if p.position_ms is not None:
            self.seek(p.position_ms)
        if p.unit_kind == "segment" and self.segments is not None and p.unit_index is not None:
            self.segment_dock.show()
            self.segment_dock.raise_()
            self.segments.choose(p.unit_index)
            if self.segment_form is not None and p.item_id:
                self.segment_form.go_to_item(p.item_id)
        elif p.unit_kind == "session" and p.instrument_version_id is not None:
            self.forms_dock.show()
            self.forms_dock.raise_()
            for i, form in enumerate(self.session_forms.forms):
                if form.version_id == p.instrument_version_id:
                    self.session_forms.tabs.setCurrentIndex(i)
                    if p.item_id:
                        form.go_to_item(p.item_id)

    def _update_read_only(self) -> None:
        session = self.session
        ro = bool(session and session.read_only)
        for action_id, action in self.actions_by_id.items():
            if action_id.startswith(CODE_PREFIX) or action_id in ("delete_event", "complete"):
                action.setEnabled(not ro)
        if ro:
            self.actions_by_id["undo"].setEnabled(False)
            self.actions_by_id["redo"].setEnabled(False)
        self.pad.set_read_only(ro)
        self.event_model.read_only = ro
        self.timeline.canvas.read_only = ro
        if self.segment_form is not None:
            self.segment_form.set_read_only(ro)
        for form in self.session_forms.forms:
            form.set_read_only(ro)
        if ro and session is not None:
            when = session.info.completed_at
            stamp = f" on {when.astimezone():%Y-%m-%d %H:%M}" if when else ""
            self.complete_banner.show_text(
                f"<b>Complete</b>{stamp}. This assignment is read-only until a manager reopens it."
            )
        else:
            self.complete_banner.hide()
