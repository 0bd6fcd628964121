"""Streaming reads of a study's two large tables (events, ratings) for exports: rows come in
batches as plain records, so that a million events never sit in memory at once. Managers only,
like every study-wide read."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy import func, select

from observer_app.services.access import require_manager
from observer_app.services.context import ServiceContext
from observer_app.services.records import EventRecord, RatingRecord
from observer_app.store.models import Assignment, Event, Rating

#: Rows fetched from the database per round trip.
BATCH = 10_000


#: The streams yield the services' ordinary records (live events only: ``deleted`` is False).
EventRow = EventRecord
RatingRow = RatingRecord


class StreamService:
    """Study-wide streams of events and ratings (managers only)."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._assignments = select(Assignment.id).where(Assignment.study_id == ctx.study_id)

    def _allowed(self) -> None:
        require_manager(self._ctx.actor, "read every coder's events and ratings")

    def count_events(self) -> int:
        q = select(func.count()).where(
            Event.assignment_id.in_(self._assignments), Event.deleted.is_(False)
        )
        self._allowed()
        with self._ctx.read() as c:
            return int(c.scalar(q) or 0)

    def count_ratings(self) -> int:
        q = select(func.count()).where(Rating.assignment_id.in_(self._assignments))
        self._allowed()
        with self._ctx.read() as c:
            return int(c.scalar(q) or 0)

    def events(self, only: Sequence[int] | None = None) -> Iterator[EventRow]:
        """Live events by assignment, then onset (of the ``only`` assignments if given)."""
        wanted = self._assignments if only is None else list(only)
        q = (
            select(
                Event.id,
                Event.assignment_id,
                Event.code,
                Event.onset_ms,
                Event.offset_ms,
                Event.is_state,
                Event.modifiers,
                Event.comment,
                Event.source,
                Event.subject,
            )
            .where(Event.assignment_id.in_(wanted), Event.deleted.is_(False))
            .order_by(Event.assignment_id, Event.onset_ms, Event.id)
        )
        self._allowed()
        with self._ctx.read() as c:
            result = c.execute(q, execution_options={"stream_results": True, "yield_per": BATCH})
            for row in result:
                eid, aid, code, onset, offset, is_state, mods, comment, source, subject = row
                yield EventRecord(
                    eid, aid, code, onset, offset, is_state, mods, comment, False, source, subject
                )

    def ratings(self) -> Iterator[RatingRow]:
        """Ratings by assignment, instrument version, unit and item."""
        q = (
            select(
                Rating.id,
                Rating.assignment_id,
                Rating.instrument_version_id,
                Rating.unit_kind,
                Rating.unit_index,
                Rating.item_id,
                Rating.value,
                Rating.missing_reason,
                Rating.source,
            )
            .where(Rating.assignment_id.in_(self._assignments))
            .order_by(
                Rating.assignment_id,
                Rating.instrument_version_id,
                Rating.unit_kind,
                Rating.unit_index,
                Rating.id,
            )
        )
        self._allowed()
        with self._ctx.read() as c:
            result = c.execute(q, execution_options={"stream_results": True, "yield_per": BATCH})
            for row in result:
                yield RatingRecord(*row)

    def segment_counts(
        self, assignment_ids: list[int], segment_ms: int
    ) -> dict[tuple[int, int, str], int]:
        """(assignment, 0-based segment, code) -> number of live events whose onset is in it."""
        if not assignment_ids:
            return {}
        # integer floor division on both engines: ``/`` is true division in SQLAlchemy 2, and
        # PostgreSQL's cast of the numeric quotient to integer rounds (59.9 s -> segment 2)
        segment = Event.onset_ms // segment_ms
        q = (
            select(Event.assignment_id, segment, Event.code, func.count())
            .where(Event.assignment_id.in_(assignment_ids), Event.deleted.is_(False))
            .group_by(Event.assignment_id, segment, Event.code)
        )
        self._allowed()
        with self._ctx.read() as c:
            return {(int(a), int(s), str(code)): int(n) for a, s, code, n in c.execute(q)}

    def last_onsets(self) -> dict[int, int]:
        """Latest live onset per assignment (for recordings of unknown duration)."""
        q = (
            select(Event.assignment_id, func.max(Event.onset_ms))
            .where(Event.assignment_id.in_(self._assignments), Event.deleted.is_(False))
            .group_by(Event.assignment_id)
        )
        self._allowed()
        with self._ctx.read() as c:
            return {int(a): int(m) for a, m in c.execute(q)}
