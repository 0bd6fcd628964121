"""One open reconciliation: the pair's ``Reconciliation`` and the decisions made on it.

A :class:`ReconcileSession` is what the page's controllers share (as the coding window's
controllers share a ``CodingSession``): the choice controller opens it, the others ``attach`` to
it and call its methods; every decision is one call of
:class:`~observer_app.services.consensus.ConsensusService` (one audited transaction), after which
``changed(rec)`` carries the new reconciliation to every part. The rules (what may be decided,
what completes) are the service's; this object only keeps the current reconciliation.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from observer_app.coding.definitions import Scheme
from observer_app.coding.errors import ObserverError
from observer_app.services.consensus import (
    Aligned,
    DoubleCoded,
    EventEdit,
    RatingComparison,
    Reconciliation,
)
from observer_app.services.records import Problem
from observer_app.services.study import Study


class ReconcileSession(QObject):
    """The reconciliation of one recording by two coders. ``changed(rec)`` after every decision
    that changed it (a consensus started, an event or a rating decided)."""

    changed = Signal(object)

    def __init__(self, study: Study, rec: Reconciliation, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.study = study
        self.service = study.consensus
        self.rec = rec
        self.scheme = self._scheme(rec.assignment_a)
        self._instrument_names = {
            d.id: d.definition_id for d in study.definitions.versions("instrument")
        }

    @classmethod
    def open(
        cls,
        study: Study,
        choice: DoubleCoded,
        pair: tuple[int, int],
        tolerance_ms: int,
        parent: QObject | None = None,
    ) -> ReconcileSession:
        """Align the assignments ``pair`` (A, B) on ``choice``'s recording; a stale consensus
        is re-reconciled from the changes only (issue 13). Raises ObserverError (e.g. not a
        manager)."""
        service = study.consensus
        stale = choice.consensus_id is not None and choice.consensus_id in service.stale()
        opener = service.open_changes if stale else service.open
        rec = opener(choice.recording_id, *pair, tolerance_ms=tolerance_ms)
        return cls(study, rec, parent)

    def _scheme(self, assignment_id: int) -> Scheme | None:
        try:
            a = self.study.assignments.get(assignment_id)
            if a.scheme_version_id is not None:
                return self.study.definitions.scheme(a.scheme_version_id)
        except ObserverError:
            return None
        return None

    # -- reading ---------------------------------------------------------------------------
    def ratings(self) -> list[RatingComparison]:
        return self.service.ratings(self.rec)

    def instrument_name(self, version_id: int) -> str:
        return self._instrument_names.get(version_id, f"#{version_id}")

    def item_label(self, c: RatingComparison) -> str | None:
        try:
            item = self.study.definitions.instrument(c.instrument_version_id).item(c.item_id)
        except (ObserverError, KeyError):
            return None
        return item.label or None

    def last_event_ms(self) -> int:
        """The latest aligned event (a time axis when the recording's duration is unknown)."""
        if not self.rec.items:
            return 60_000
        return max(i.time_ms for i in self.rec.items)

    # -- deciding (each one transaction in the service) ------------------------------------
    def _set(self, rec: Reconciliation) -> None:
        self.rec = rec
        self.changed.emit(rec)

    def decide(self, key: str, decision: str, edit: EventEdit | None = None) -> Aligned:
        """Record ``decision`` on the aligned item ``key``; its new state."""
        self._set(self.service.decide(self.rec, key, decision, edit))
        return self.rec.item(key)

    def decide_rating(
        self, c: RatingComparison, decision: str, value: float | None = None
    ) -> RatingComparison:
        """Decide one compared item (``value`` for an 'edit'); the first decision starts the
        consensus, which is then re-read (its number)."""
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
            rec = self.rec
            self._set(
                self.service.open(
                    rec.recording_id,
                    rec.assignment_a,
                    rec.assignment_b,
                    tolerance_ms=rec.tolerance_ms,
                )
            )
        return result

    def accept_equal_ratings(self) -> int:
        """Copy every value both coders agree on into the consensus; how many."""
        if self.rec.consensus_id is None:
            self.rec = self.service.start(self.rec)
        n = self.service.accept_equal_ratings(self.rec)
        self._set(self.rec)
        return n

    def undecided_disagreements(self) -> list[Aligned]:
        return [i for i in self.rec.disagreements if i.decision is None]

    def complete(self) -> list[Problem]:
        """Complete the consensus assignment; the problems that prevent it (none: done)."""
        assert self.rec.consensus_id is not None
        return list(self.study.assignments.complete(self.rec.consensus_id))
