"""What the export reads: the study's small tables through the services, and its two large ones
(events, ratings) streamed straight from the store, row by row, so that a million events never
sit in memory at once.

The streaming reader opens its own read-only connection to the study the services have open (the
same database location); it refuses anyone but a manager, as the services do for
``all_in_study``. Rows are plain tuples, never ORM objects.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Integer, cast, func, select

from observer_app.coding.errors import AccessDenied
from observer_app.services.study import Study
from observer_app.store.engine import make_engine, to_url
from observer_app.store.models import Assignment, Event, Rating
from observer_app.store.models import Study as StudyRow

#: Rows fetched from the database per round trip.
BATCH = 10_000


@dataclass(frozen=True)
class EventRow:
    id: int
    assignment_id: int
    code: str
    onset_ms: int
    offset_ms: int | None
    is_state: bool
    modifiers: dict[str, Any]
    comment: str
    source: dict[str, Any]


@dataclass(frozen=True)
class RatingRow:
    id: int
    assignment_id: int
    instrument_version_id: int
    unit_kind: str
    unit_index: int
    item_id: str
    value: float | None
    missing_reason: str | None
    source: dict[str, Any]


class StudyStream:
    """Streams a study's events and ratings (managers only). Close it when done."""

    def __init__(self, study: Study) -> None:
        if not study.actor.is_manager:
            raise AccessDenied(
                f"only a manager may export the study ({study.actor.name} is a coder)"
            )
        self._engine: Engine = make_engine(to_url(study.location))
        with self._engine.connect() as c:
            study_id = c.scalar(select(StudyRow.id).order_by(StudyRow.id).limit(1))
        self._assignments = select(Assignment.id).where(Assignment.study_id == study_id)

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> StudyStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def count_events(self) -> int:
        q = select(func.count()).where(
            Event.assignment_id.in_(self._assignments), Event.deleted.is_(False)
        )
        with self._engine.connect() as c:
            return int(c.scalar(q) or 0)

    def count_ratings(self) -> int:
        q = select(func.count()).where(Rating.assignment_id.in_(self._assignments))
        with self._engine.connect() as c:
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
            )
            .where(Event.assignment_id.in_(wanted), Event.deleted.is_(False))
            .order_by(Event.assignment_id, Event.onset_ms, Event.id)
        )
        with self._engine.connect() as c:
            result = c.execution_options(stream_results=True, yield_per=BATCH).execute(q)
            for row in result:
                yield EventRow(*row)

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
        with self._engine.connect() as c:
            result = c.execution_options(stream_results=True, yield_per=BATCH).execute(q)
            for row in result:
                yield RatingRow(*row)

    def segment_counts(
        self, assignment_ids: list[int], segment_ms: int
    ) -> dict[tuple[int, int, str], int]:
        """(assignment, 0-based segment, code) -> number of live events whose onset is in it."""
        if not assignment_ids:
            return {}
        segment = cast(Event.onset_ms / segment_ms, Integer)
        q = (
            select(Event.assignment_id, segment, Event.code, func.count())
            .where(Event.assignment_id.in_(assignment_ids), Event.deleted.is_(False))
            .group_by(Event.assignment_id, segment, Event.code)
        )
        with self._engine.connect() as c:
            return {(int(a), int(s), str(code)): int(n) for a, s, code, n in c.execute(q)}

    def last_onsets(self) -> dict[int, int]:
        """Latest live onset per assignment (for recordings of unknown duration)."""
        q = (
            select(Event.assignment_id, func.max(Event.onset_ms))
            .where(Event.assignment_id.in_(self._assignments), Event.deleted.is_(False))
            .group_by(Event.assignment_id)
        )
        with self._engine.connect() as c:
            return {int(a): int(m) for a, m in c.execute(q)}
