"""Instrument ratings: one response per assignment x instrument version x unit x item."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from observer_app.coding.errors import InputError
from observer_app.services.access import require_manager, require_read
from observer_app.services.assignments import require_writable
from observer_app.services.context import ServiceContext, get_or_raise
from observer_app.services.records import RatingRecord
from observer_app.store.engine import StudySession
from observer_app.store.models import UNIT_KINDS, Assignment, Rating

#: Checks a response against the instrument: (instrument_version_id, unit_kind, item_id, value,
#: missing_reason) -> None, raising InputError for an unknown item or a value off the scale.
RatingValidator = Callable[[int, str, str, float | None, str | None], None]
#: (session, assignment, instrument version, unit kind, unit index) -> raises InputError.
PlacementCheck = Callable[[Any, Assignment, int, str, int], None]


def to_record(r: Rating) -> RatingRecord:
    return RatingRecord(
        r.id,
        r.assignment_id,
        r.instrument_version_id,
        r.unit_kind,
        r.unit_index,
        r.item_id,
        r.value,
        r.missing_reason,
        dict(r.source),
    )


@dataclass(frozen=True)
class _Slot:
    """Where a response lives: assignment x instrument version x unit x item."""

    assignment_id: int
    version_id: int
    unit_kind: str
    unit_index: int
    item_id: str

    def find(self, s: StudySession) -> Rating | None:
        return s.scalar(
            select(Rating).where(
                Rating.assignment_id == self.assignment_id,
                Rating.instrument_version_id == self.version_id,
                Rating.unit_kind == self.unit_kind,
                Rating.unit_index == self.unit_index,
                Rating.item_id == self.item_id,
            )
        )

    def new(self) -> Rating:
        return Rating(
            assignment_id=self.assignment_id,
            instrument_version_id=self.version_id,
            unit_kind=self.unit_kind,
            unit_index=self.unit_index,
            item_id=self.item_id,
        )


class RatingService:
    def __init__(self, ctx: ServiceContext, validator: RatingValidator | None = None) -> None:
        self._ctx = ctx
        self._validator = validator
        self._placement: PlacementCheck | None = None

    def set_placement_check(self, check: PlacementCheck) -> None:
        """A check, inside the write transaction, that the instrument and unit belong to the
        assignment (perspective, segment index within the plan)."""
        self._placement = check

    def set(
        self,
        assignment_id: int,
        instrument_version_id: int,
        item_id: str,
        value: float | None,
        *,
        unit_kind: str = "session",
        unit_index: int = 0,
        missing_reason: str | None = None,
        source: dict[str, Any] | None = None,
        context: str = "rate item",
    ) -> RatingRecord:
        """Record (or change) one response: a value, or no value with a reason ("not rated")."""
        if unit_kind not in UNIT_KINDS:
            raise InputError(f"unit {unit_kind!r} is not one of {', '.join(UNIT_KINDS)}")
        if (value is None) == (missing_reason is None):
            raise InputError("give either a value or a reason why there is none")
        if self._validator is not None:
            self._validator(instrument_version_id, unit_kind, item_id, value, missing_reason)
        with self._ctx.tx(context) as s:
            a = require_writable(s, self._ctx, assignment_id)
            if self._placement is not None:
                self._placement(s, a, instrument_version_id, unit_kind, unit_index)
            slot = _Slot(a.id, instrument_version_id, unit_kind, unit_index, item_id)
            r = slot.find(s)
            if r is None:
                r = slot.new()
                s.add(r)
            r.value = None if value is None else float(value)
            r.missing_reason = missing_reason
            r.source = dict(source or {})
            s.flush()
            return to_record(r)

    def clear(
        self,
        assignment_id: int,
        instrument_version_id: int,
        item_id: str,
        *,
        unit_kind: str = "session",
        unit_index: int = 0,
        context: str = "clear rating",
    ) -> RatingRecord | None:
        """Remove a response; returns what was removed (for undo), or None if there was none."""
        with self._ctx.tx(context) as s:
            a = require_writable(s, self._ctx, assignment_id)
            r = _Slot(a.id, instrument_version_id, unit_kind, unit_index, item_id).find(s)
            if r is None:
                return None
            gone = to_record(r)
            s.delete(r)
            return gone

    def for_assignment(self, assignment_id: int) -> list[RatingRecord]:
        with self._ctx.read() as s:
            a = get_or_raise(s, Assignment, assignment_id, "assignment")
            require_read(self._ctx.actor, a)
            q = select(Rating).where(Rating.assignment_id == assignment_id)
            q = q.order_by(
                Rating.instrument_version_id, Rating.unit_kind, Rating.unit_index, Rating.id
            )
            return [to_record(r) for r in s.scalars(q)]

    def all_in_study(self) -> list[RatingRecord]:
        """Every rating of the study (managers only: exports and reliability)."""
        require_manager(self._ctx.actor, "read every coder's ratings")
        with self._ctx.read() as s:
            q = (
                select(Rating)
                .join(Assignment, Assignment.id == Rating.assignment_id)
                .where(Assignment.study_id == self._ctx.study_id)
                .order_by(Rating.assignment_id, Rating.id)
            )
            return [to_record(r) for r in s.scalars(q)]
