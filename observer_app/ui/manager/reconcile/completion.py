"""Completing the consensus: every disagreement decided and every required item answered (the
service checks both; the first is named here with its time)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QPushButton

from observer_app.coding.errors import ObserverError
from observer_app.coding.state_logic import format_ms
from observer_app.services.consensus import Reconciliation
from observer_app.ui.manager.reconcile.session import ReconcileSession


class CompletionController(QObject):
    """The "Mark the consensus complete" button. ``completed(consensus_id)`` once it is;
    ``message(text)`` and ``error(text)`` for the status line."""

    completed = Signal(int)
    message = Signal(str)
    error = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session: ReconcileSession | None = None
        self.complete_button = QPushButton("Mark the consensus complete")
        self.complete_button.clicked.connect(self.complete_consensus)
        self.complete_button.setEnabled(False)

    def attach(self, session: ReconcileSession) -> None:
        self.session = session
        session.changed.connect(self._changed)
        self._changed(session.rec)

    def _changed(self, rec: Reconciliation) -> None:
        self.complete_button.setEnabled(bool(rec.consensus_id))

    def complete_consensus(self) -> bool:
        session = self.session
        if session is None or session.rec.consensus_id is None:
            return False
        undecided = session.undecided_disagreements()
        if undecided:
            self.error.emit(
                f"{len(undecided)} disagreement(s) are not decided yet; the first is at "
                f"{format_ms(undecided[0].time_ms)}."
            )
            return False
        try:
            problems = session.complete()
        except ObserverError as exc:
            self.error.emit(str(exc))
            return False
        if problems:
            listed = "; ".join(p.message for p in problems[:5])
            self.error.emit(f"The consensus is not complete: {listed}")
            return False
        self.message.emit(f"Consensus #{session.rec.consensus_id} is complete.")
        self.completed.emit(session.rec.consensus_id)
        return True
