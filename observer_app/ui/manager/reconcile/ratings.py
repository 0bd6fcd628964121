"""The reconciliation page's instrument ratings: both coders' item values compared, and the
consensus value of each (typed into the table, or a coder's accepted)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from observer_app.coding.errors import ObserverError
from observer_app.services.consensus import DECISIONS, RatingComparison, Reconciliation
from observer_app.ui.manager._common import make_table, selected_rows
from observer_app.ui.manager.reconcile.models import RatingModel
from observer_app.ui.manager.reconcile.session import ReconcileSession


class RatingsController(QObject):
    """The ratings tab (``widget``). ``message(text)`` and ``error(text)`` for the status
    line."""

    message = Signal(str)
    error = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session: ReconcileSession | None = None
        self.comparisons: list[RatingComparison] = []
        self.ratings = RatingModel(self._instrument_name, self._item_label, self.edit_rating, self)
        self.ratings.editFailed.connect(self.error)
        self.rating_view = make_table(self.ratings)
        self.rating_a_button = QPushButton("Accept A's value")
        self.rating_b_button = QPushButton("Accept B's value")
        self.rating_equal_button = QPushButton("Copy every value both coders agree on")
        self.rating_a_button.clicked.connect(lambda: self.decide_rating("accept_a"))
        self.rating_b_button.clicked.connect(lambda: self.decide_rating("accept_b"))
        self.rating_equal_button.clicked.connect(self.accept_equal_ratings)
        self.only_differing = QCheckBox("Show only items the coders rated differently")
        self.only_differing.toggled.connect(lambda _on: self.load())
        self.rating_summary = QLabel(
            "Type the consensus value into the table, or accept a coder's."
        )
        self.rating_summary.setWordWrap(True)
        self.widget = self._tab()
        self._update_buttons()

    def _tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        buttons = QHBoxLayout()
        for b in (self.rating_a_button, self.rating_b_button, self.rating_equal_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.only_differing)
        layout.addWidget(self.rating_summary)
        layout.addWidget(self.rating_view, 1)
        layout.addLayout(buttons)
        return tab

    def _instrument_name(self, version_id: int) -> str:
        if self.session is None:
            return f"#{version_id}"
        return self.session.instrument_name(version_id)

    def _item_label(self, c: RatingComparison) -> str | None:
        return self.session.item_label(c) if self.session is not None else None

    # -- showing ---------------------------------------------------------------------------
    def attach(self, session: ReconcileSession) -> None:
        self.session = session
        session.changed.connect(self._changed)
        self.load()

    def _changed(self, _rec: Reconciliation) -> None:
        self.load()

    def load(self) -> None:
        """Compare the two coders' ratings again (only the differing ones, if so chosen)."""
        if self.session is None:
            return
        try:
            self.comparisons = self.session.ratings()
        except ObserverError as exc:
            self.error.emit(str(exc))
            return
        shown = self.comparisons
        if self.only_differing.isChecked():
            shown = [c for c in shown if c.differs]
        self.ratings.set_rows(shown)
        self.rating_view.resizeColumnsToContents()
        differ = sum(1 for c in self.comparisons if c.differs)
        done = sum(1 for c in self.comparisons if c.consensus is not None)
        self.rating_summary.setText(
            f"{len(self.comparisons)} item(s), {differ} differ (highlighted), {done} with a "
            "consensus value. Type the consensus value into the table, or accept a coder's."
        )
        self._update_buttons()

    def _update_buttons(self) -> None:
        ok = self.session is not None and bool(self.comparisons)
        for b in (self.rating_a_button, self.rating_b_button, self.rating_equal_button):
            b.setEnabled(ok)

    # -- deciding --------------------------------------------------------------------------
    def edit_rating(self, c: RatingComparison, value: Any) -> RatingComparison:
        """The table's Consensus column: a typed value is an 'edit' decision."""
        text = str(value).strip()
        try:
            number = float(text.replace(",", "."))
        except ValueError:
            raise ValueError(f"consensus value {text!r} is not a number") from None
        assert self.session is not None
        result = self.session.decide_rating(c, "edit", number)
        self.message.emit(f"Consensus value {number:g} for item {c.item_id}.")
        return result

    def decide_rating(self, decision: str) -> None:
        """Accept A's or B's value for the selected item."""
        rows = selected_rows(self.rating_view)
        if not rows or self.session is None:
            self.error.emit("Select an item in the table first.")
            return
        c = self.ratings.row_at(rows[0])
        try:
            self.session.decide_rating(c, decision)
        except ObserverError as exc:
            self.error.emit(str(exc))
            return
        self.load()
        self.rating_view.selectRow(rows[0])
        self.message.emit(f"{DECISIONS[decision]} for item {c.item_id}.")

    def accept_equal_ratings(self) -> int:
        """Copy every value both coders agree on; how many."""
        if self.session is None:
            return 0
        try:
            n = self.session.accept_equal_ratings()
        except ObserverError as exc:
            self.error.emit(str(exc))
            return 0
        self.message.emit(f"Copied {n} value(s) both coders agree on into the consensus.")
        return n
