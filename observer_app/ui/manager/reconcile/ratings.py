"""The reconciliation page's instrument ratings: comparing items and deciding consensus values."""

from __future__ import annotations

from typing import Any

from observer_app.coding.errors import ObserverError
from observer_app.services.consensus import DECISIONS, RatingComparison
from observer_app.ui.manager._common import selected_rows
from observer_app.ui.manager.reconcile.base import ReconcileBase


class ReconcileRatings(ReconcileBase):
    """The ratings tab: both coders' item values and the consensus decisions on them."""

    def _load_ratings(self) -> None:
        if self.rec is None:
            return
        try:
            self.comparisons = self.service.ratings(self.rec)
        except ObserverError as exc:
            self.report_error(str(exc))
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

    def instrument_name(self, version_id: int) -> str:
        return self._instrument_names.get(version_id, f"#{version_id}")

    def item_label(self, c: RatingComparison) -> str | None:
        try:
            inst = self.study.definitions.instrument(c.instrument_version_id)
            item = inst.item(c.item_id)
        except (ObserverError, KeyError):
            return None
        return item.label or None

    # -- ratings -------------------------------------------------------------------------------
    def _selected_comparison(self) -> RatingComparison | None:
        rows = selected_rows(self.rating_view)
        return self.ratings.row_at(rows[0]) if rows else None

    def _decide_rating(
        self, c: RatingComparison, decision: str, value: float | None = None
    ) -> RatingComparison:
        assert self.rec is not None
        result = self.service.decide_rating(
            self.rec,
            c.instrument_version_id,
            c.item_id,
            decision,
            value=value,
            unit_kind=c.unit_kind,
            unit_index=c.unit_index,
        )
        if self.rec.consensus_id is None:
            self.rec = self.service.open(
                self.rec.recording_id,
                self.rec.assignment_a,
                self.rec.assignment_b,
                tolerance_ms=self.rec.tolerance_ms,
            )
            self._show(self.rec)
        return result

    def edit_rating(self, c: RatingComparison, value: Any) -> RatingComparison:
        """The table's Consensus column: a typed value is an 'edit' decision."""
        text = str(value).strip()
        try:
            number = float(text.replace(",", "."))
        except ValueError:
            raise ValueError(f"consensus value {text!r} is not a number") from None
        result = self._decide_rating(c, "edit", number)
        self.report(f"Consensus value {number:g} for item {c.item_id}.")
        return result

    def decide_rating(self, decision: str) -> None:
        c = self._selected_comparison()
        if c is None or self.rec is None:
            self.report_error("Select an item in the table first.")
            return
        row = selected_rows(self.rating_view)[0]
        try:
            self._decide_rating(c, decision)
        except ObserverError as exc:
            self.report_error(str(exc))
            return
        self._load_ratings()
        self.rating_view.selectRow(row)
        self.report(f"{DECISIONS[decision]} for item {c.item_id}.")

    def accept_equal_ratings(self) -> int:
        if self.rec is None:
            return 0
        try:
            if self.rec.consensus_id is None:
                self.rec = self.service.start(self.rec)
            n = self.service.accept_equal_ratings(self.rec)
        except ObserverError as exc:
            self.report_error(str(exc))
            return 0
        self._show(self.rec)
        self.report(f"Copied {n} value(s) both coders agree on into the consensus.")
        return n
