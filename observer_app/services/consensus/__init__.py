"""Reconciliation: two coders' work on a double-coded recording -> one consensus record.

Events. Coder A's and coder B's events are aligned with the agreement engine's point-event
matching (optimal one-to-one pairs of onsets within the tolerance, most same-code pairs first;
Bakeman, Quera & Gnisci 2009): a pair with the same code is *matched* (a disagreement only when
the modifiers differ), a pair with different codes is *mismatched*, an event without a partner is
*unmatched* (A or B). Items are ordered in time; ``next_disagreement`` / ``previous_disagreement``
navigate them. For each item the manager decides: accept A, accept B, both, neither, or edit.

The result is a ``consensus`` assignment owned by the deciding manager (blind, so coders cannot
read it). Each of its events records in ``source`` where it came from: the alignment key, the
decision, the source event ids, their assignments and coders. Decisions are kept in the
assignment's ``reference["decisions"]`` (so a "neither" is remembered too); deciding again
replaces the earlier decision (its events are soft-deleted). Every decision is one audited
transaction whose context names it ("reconcile: accept A").

Ratings. Item by item, the coders' values side by side with their difference; the manager enters
the consensus value (accept A, accept B, or edit), stored as a rating of the consensus assignment
whose ``source`` holds both values, their rating ids and coders, and the decision.

Analyses use a completed consensus assignment in place of the single coders' work for its
recording (:meth:`ConsensusService.analysis_assignments`).

The data types are in :mod:`.model`, the alignment in :mod:`.alignment`, the row access in
:mod:`.rows` and the service in :mod:`.service`; this package re-exports the public names.
"""

from observer_app.services.consensus.alignment import align
from observer_app.services.consensus.model import (
    DECISIONS,
    DEFAULT_LEAD_MS,
    RATING_DECISIONS,
    Aligned,
    DoubleCoded,
    EventEdit,
    RatingComparison,
    Reconciliation,
    SourceEvent,
)
from observer_app.services.consensus.service import ConsensusService

__all__ = [
    "DECISIONS",
    "DEFAULT_LEAD_MS",
    "RATING_DECISIONS",
    "Aligned",
    "ConsensusService",
    "DoubleCoded",
    "EventEdit",
    "RatingComparison",
    "Reconciliation",
    "SourceEvent",
    "align",
]
