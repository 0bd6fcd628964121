"""Stale consensus: a completed consensus whose source codings changed after it was completed.

The audit trail is the record of change: every event or rating of a source assignment inserted,
changed or deleted after the consensus's ``completed_at``, and every reopening of a source, makes
the consensus stale. A stale consensus is not analysis data (the completed primary coding is used
until it is re-reconciled); the description says what changed.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from observer_app.store.engine import StudySession
from observer_app.store.models import Assignment, AuditEntry, Event, Rating


def _aware(t: dt.datetime) -> dt.datetime:
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)


def _owner(s: StudySession, entry: AuditEntry) -> int | None:
    """The assignment an event/rating audit entry belongs to."""
    for values in (entry.after, entry.before):
        if isinstance(values, dict) and isinstance(values.get("assignment_id"), int):
            return int(values["assignment_id"])
    model: Any = Event if entry.entity == "event" else Rating
    if entry.entity_id is None:
        return None
    row = s.get(model, entry.entity_id)
    return None if row is None else int(row.assignment_id)


def stale_consensus(s: StudySession, study_id: int) -> dict[int, str]:
    """Completed consensus id -> what changed in its sources after it was completed."""
    done = s.scalars(
        select(Assignment).where(
            Assignment.study_id == study_id,
            Assignment.purpose == "consensus",
            Assignment.status == "complete",
            Assignment.deleted.is_(False),
        )
    ).all()
    if not done:
        return {}
    earliest = min(_aware(c.completed_at) for c in done if c.completed_at is not None)
    entries = s.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.entity.in_(("event", "rating", "assignment")),
            AuditEntry.at > earliest,
        )
        .order_by(AuditEntry.id)
    ).all()
    out: dict[int, str] = {}
    for c in done:
        if c.completed_at is None:
            continue
        sources = [int(x) for x in (c.reference or {}).get("sources", [])]
        changes = _changes(s, entries, sources, _aware(c.completed_at))
        if changes:
            out[c.id] = "sources changed after the consensus was completed: " + "; ".join(changes)
    return out


def _changes(
    s: StudySession, entries: Iterable[AuditEntry], sources: list[int], since: dt.datetime
) -> list[str]:
    counts: Counter[tuple[int, str, str]] = Counter()
    for e in entries:
        if _aware(e.at) <= since:
            continue
        if e.entity == "assignment":
            if e.entity_id in sources and (e.after or {}).get("status") == "in_progress":
                counts[(int(e.entity_id), "reopened", "")] += 1
            continue
        owner = _owner(s, e)
        if owner in sources:
            counts[(int(owner), e.entity, e.action)] += 1
    words = []
    for (aid, entity, action), n in sorted(counts.items()):
        if entity == "reopened":
            words.append(f"assignment #{aid} reopened")
        else:
            verb = {"insert": "added", "update": "changed", "delete": "deleted"}[action]
            words.append(f"assignment #{aid}: {n} {entity}(s) {verb}")
    return words
