"""Reading and writing the rows of a reconciliation inside an open session: the coders' source
events, the consensus assignment, its events (with provenance) and its ratings."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from observer_app.coding.errors import AccessDenied, Conflict, InputError
from observer_app.services.consensus.model import Aligned, EventEdit, SourceEvent
from observer_app.services.context import get_or_raise, lock_or_raise
from observer_app.store.engine import StudySession
from observer_app.store.models import Assignment, Coder, Event, Rating, utcnow

#: Key of one rating: (instrument version, unit kind, unit index, item id).
RatingKey = tuple[int, str, int, str]

_SOURCE_PURPOSES = ("primary", "reliability", "calibration")


def _source_event(e: Event, coder: str) -> SourceEvent:
    return SourceEvent(
        e.id,
        e.assignment_id,
        coder,
        e.code,
        e.onset_ms,
        e.offset_ms,
        e.is_state,
        dict(e.modifiers),
        e.comment,
        e.subject,
    )


def consensus_row(s: StudySession, recording_id: int, mine: int | None) -> Assignment | None:
    """The recording's consensus assignment: the one owned by ``mine``, else the first."""
    q = select(Assignment).where(
        Assignment.recording_id == recording_id, Assignment.purpose == "consensus"
    )
    rows = list(s.scalars(q.order_by(Assignment.id)))
    for row in rows:
        if row.coder_id == mine:
            return row
    return rows[0] if rows else None


def default_pair(
    s: StudySession, recording_id: int, consensus: Assignment | None
) -> tuple[int, int]:
    """The pair a consensus was started from, else the recording's first two coders' work."""
    if consensus is not None and len(consensus.reference.get("sources", [])) == 2:
        a, b = consensus.reference["sources"]
        return int(a), int(b)
    q = select(Assignment.id, Assignment.purpose).where(
        Assignment.recording_id == recording_id,
        Assignment.purpose.in_(_SOURCE_PURPOSES),
    )
    rows = sorted(s.execute(q), key=lambda r: (_SOURCE_PURPOSES.index(r[1]), r[0]))
    if len(rows) < 2:
        raise Conflict(f"recording #{recording_id} is not double-coded")
    return int(rows[0][0]), int(rows[1][0])


def source_events(
    s: StudySession, assignment_id: int, recording_id: int
) -> tuple[list[SourceEvent], str]:
    """A coder's live events on the recording (in time order) and the coder's name."""
    a = get_or_raise(s, Assignment, assignment_id, "assignment")
    if a.recording_id != recording_id:
        raise InputError(f"assignment #{a.id} is not for recording #{recording_id}")
    if a.purpose == "consensus":
        raise InputError(f"assignment #{a.id} is a consensus, not a coder's work")
    coder = get_or_raise(s, Coder, a.coder_id, "coder").name
    q = (
        select(Event)
        .where(Event.assignment_id == a.id, Event.deleted.is_(False))
        .order_by(Event.onset_ms, Event.id)
    )
    return [_source_event(e, coder) for e in s.scalars(q)], coder


def check_open(row: Assignment) -> None:
    """A complete consensus is read-only until a manager reopens it."""
    if row.status == "complete":
        raise Conflict(f"consensus #{row.id} is complete; a manager can reopen it")


def writable_consensus(s: StudySession, consensus_id: int | None, me: int) -> Assignment:
    """The consensus assignment, locked (see ``lock_or_raise``), checked to be ``me``'s and not
    complete: a decision and the completion of the consensus are serialised."""
    row = lock_or_raise(s, Assignment, consensus_id or 0, "consensus assignment")
    if row.coder_id != me:
        raise AccessDenied(f"consensus #{row.id} belongs to another manager")
    check_open(row)
    return row


def apply_decision(
    s: StudySession,
    row: Assignment,
    item: Aligned,
    decision: str,
    edit: EventEdit | None,
    *,
    by: str,
) -> None:
    """Replace the item's consensus events and remember the decision (in the open tx)."""
    for old in s.scalars(
        select(Event).where(Event.assignment_id == row.id, Event.deleted.is_(False))
    ):
        if old.source.get("key") == item.key:
            old.deleted = True
    chosen: list[SourceEvent] = []
    if decision in ("accept_a", "both", "agree") and item.a is not None:
        chosen.append(item.a)
    if decision in ("accept_b", "both") and item.b is not None:
        chosen.append(item.b)
    sources = [e for e in (item.a, item.b) if e is not None]
    provenance = {
        "key": item.key,
        "kind": item.kind,
        "decision": decision,
        "events": [e.id for e in sources],
        "assignments": [e.assignment_id for e in sources],
        "coders": [e.coder for e in sources],
    }
    for e in chosen:
        s.add(_event(row.id, _as_edit(e), {**provenance, "from_event": e.id}))
    if edit is not None:
        s.add(_event(row.id, edit, dict(provenance)))
    ref = dict(row.reference)
    decisions = dict(ref.get("decisions", {}))
    decisions[item.key] = {
        "decision": decision,
        "by": by,
        "at": utcnow().isoformat(),
    }
    ref["decisions"] = decisions
    row.reference = ref


def _event(assignment_id: int, ev: EventEdit, source: dict[str, Any]) -> Event:
    return Event(
        assignment_id=assignment_id,
        code=ev.code,
        onset_ms=ev.onset_ms,
        offset_ms=ev.offset_ms,
        is_state=ev.is_state,
        modifiers=dict(ev.modifiers or {}),
        comment=ev.comment,
        source=source,
        subject=ev.subject,
    )


def _as_edit(e: SourceEvent) -> EventEdit:
    return EventEdit(
        e.code, e.onset_ms, e.offset_ms, e.is_state, dict(e.modifiers), e.comment, e.subject
    )


def ratings_of(s: StudySession, assignment_id: int) -> dict[RatingKey, Rating]:
    """An assignment's ratings by (instrument version, unit kind, unit index, item id)."""
    q = select(Rating).where(Rating.assignment_id == assignment_id)
    return {
        (r.instrument_version_id, r.unit_kind, r.unit_index, r.item_id): r for r in s.scalars(q)
    }


def consensus_rating(s: StudySession, assignment_id: int, key: RatingKey) -> Rating:
    """The consensus assignment's rating of ``key``, added (empty) when there is none yet."""
    r = ratings_of(s, assignment_id).get(key)
    if r is None:
        r = Rating(
            assignment_id=assignment_id,
            instrument_version_id=key[0],
            unit_kind=key[1],
            unit_index=key[2],
            item_id=key[3],
        )
        s.add(r)
    return r
