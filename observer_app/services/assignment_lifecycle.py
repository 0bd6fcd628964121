"""Moving work: reassign, cancel, reopen, soft-delete, hand over a coder's open work, and the
strata the planner samples by. Each change is one transaction that first locks the assignment
row (``SELECT ... FOR UPDATE`` on PostgreSQL), so that it serialises with a concurrent
completion or event log on the same row; the audit hook records before/after.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

from sqlalchemy import select

from observer_app.coding.errors import Conflict, InputError, NotFound
from observer_app.coding.phases import PhasePlan
from observer_app.services.phases import SETTINGS_KEY as PHASES_KEY
from observer_app.store.engine import StudySession
from observer_app.store.models import Assignment, Coder, Event, Rating, Recording, Study

#: Statuses of work still to do (what a hand-over moves).
OPEN_STATUSES = ("not_started", "in_progress")
STRATA = ("phase", "dyad", "therapist", "client")


def stratum(rec: Recording, by: str, plan: PhasePlan | None = None) -> Hashable:
    """The stratum of a recording: ``phase`` (the study's phases, per-dyad starts included),
    ``dyad``, ``therapist``, ``client`` or ``meta:<column>`` (any imported metadata column)."""
    if by == "phase":
        found = (plan or PhasePlan()).phase_of(rec.session_number, rec.dyad_id)
        return None if found is None else found.number
    if by == "dyad":
        return rec.dyad_id
    if by == "therapist":
        return rec.therapist_id
    if by == "client":
        return rec.client_id
    if by.startswith("meta:") and len(by) > 5:
        value = (rec.meta or {}).get(by[5:])
        return None if value is None else str(value)
    raise InputError(f"cannot stratify by {by!r}: use {', '.join(STRATA)} or meta:<column>")


def strata_of(s: StudySession, study_id: int, by: str | None) -> Mapping[int, Hashable] | None:
    if not by:
        return None
    plan = None
    if by == "phase":
        study = s.get(Study, study_id)
        plan = PhasePlan.from_json(((study.settings or {}) if study else {}).get(PHASES_KEY))
    recs = s.scalars(select(Recording).where(Recording.study_id == study_id))
    return {r.id: stratum(r, by, plan) for r in recs}


def lock(s: StudySession, assignment_id: int) -> Assignment:
    """The assignment row, locked for this transaction (FOR UPDATE where the database has it)."""
    a = s.scalar(select(Assignment).where(Assignment.id == assignment_id).with_for_update())
    if a is None or a.deleted:
        raise NotFound(f"assignment #{assignment_id} does not exist")
    return a


def _active_coder(s: StudySession, coder_id: int) -> Coder:
    coder = s.get(Coder, coder_id)
    if coder is None:
        raise NotFound(f"coder #{coder_id} does not exist")
    if not coder.active:
        raise Conflict(f"coder {coder.name!r} is deactivated")
    return coder


def reassign(s: StudySession, a: Assignment, coder_id: int, keep_work: bool) -> Assignment:
    """A new assignment for ``coder_id`` in place of ``a`` (which becomes cancelled). The new
    coder starts empty unless ``keep_work`` copies the old coder's live events and ratings."""
    if a.status in ("complete", "cancelled"):
        raise Conflict(f"assignment #{a.id} is {a.status}; reopen it before reassigning")
    coder = _active_coder(s, coder_id)
    if coder_id == a.coder_id:
        raise InputError(f"assignment #{a.id} already belongs to {coder.name}")
    same = s.scalar(
        select(Assignment.id).where(
            Assignment.recording_id == a.recording_id,
            Assignment.coder_id == coder_id,
            Assignment.purpose == a.purpose,
        )
    )
    if same is not None:
        raise Conflict(
            f"{coder.name} already has a {a.purpose} assignment (#{same}) for recording "
            f"#{a.recording_id}; reopen that one instead"
        )
    others = s.scalars(
        select(Assignment).where(
            Assignment.recording_id == a.recording_id,
            Assignment.coder_id == coder_id,
            Assignment.deleted.is_(False),
            Assignment.status != "cancelled",
        )
    ).all()
    if others:
        raise Conflict(
            f"{coder.name} already codes recording #{a.recording_id} (assignment "
            f"#{others[0].id}): a second coding by the same coder is not independent"
        )
    new = Assignment(
        study_id=a.study_id,
        recording_id=a.recording_id,
        coder_id=coder_id,
        purpose=a.purpose,
        blind=a.blind,
        scheme_version_id=a.scheme_version_id,
        reference={**dict(a.reference or {}), "reassigned_from": a.id},
    )
    s.add(new)
    s.flush()
    if keep_work:
        _copy_work(s, a, new)
    a.status = "cancelled"
    a.reference = {**dict(a.reference or {}), "reassigned_to": new.id}
    return new


def _copy_work(s: StudySession, old: Assignment, new: Assignment) -> None:
    events = s.scalars(
        select(Event).where(Event.assignment_id == old.id, Event.deleted.is_(False))
    ).all()
    for e in events:
        s.add(
            Event(
                assignment_id=new.id,
                code=e.code,
                onset_ms=e.onset_ms,
                offset_ms=e.offset_ms,
                is_state=e.is_state,
                modifiers=dict(e.modifiers or {}),
                comment=e.comment,
                source={"copied_from_event": e.id, "reassigned_from": old.id},
            )
        )
    for r in s.scalars(select(Rating).where(Rating.assignment_id == old.id)).all():
        s.add(
            Rating(
                assignment_id=new.id,
                instrument_version_id=r.instrument_version_id,
                unit_kind=r.unit_kind,
                unit_index=r.unit_index,
                item_id=r.item_id,
                value=r.value,
                missing_reason=r.missing_reason,
                source={"copied_from_rating": r.id, "reassigned_from": old.id},
            )
        )
    if events:
        new.status = "in_progress"
    new.last_position_ms = old.last_position_ms


def cancel(a: Assignment) -> None:
    if a.status == "complete":
        raise Conflict(f"assignment #{a.id} is complete; reopen it before cancelling")
    if a.status == "cancelled":
        raise Conflict(f"assignment #{a.id} is already cancelled")
    a.status = "cancelled"


def soft_delete(a: Assignment) -> None:
    if a.status == "complete":
        raise Conflict(f"assignment #{a.id} is complete; reopen and cancel it before deleting")
    a.deleted = True
    a.status = "cancelled"


def reopen(s: StudySession, a: Assignment) -> None:
    """Complete -> in progress; cancelled -> in progress (or not started when empty)."""
    if a.status == "complete":
        a.status = "in_progress"
        a.completed_at = None
        return
    if a.status != "cancelled":
        raise Conflict(f"assignment #{a.id} is {a.status.replace('_', ' ')}, not complete")
    if (a.reference or {}).get("reassigned_to"):
        raise Conflict(f"assignment #{a.id} was reassigned; reassign the new one instead")
    has_work = s.scalar(
        select(Event.id).where(Event.assignment_id == a.id, Event.deleted.is_(False)).limit(1)
    ) or s.scalar(select(Rating.id).where(Rating.assignment_id == a.id).limit(1))
    a.status = "in_progress" if has_work else "not_started"


def open_work_of(s: StudySession, study_id: int, coder_id: int) -> list[int]:
    q = (
        select(Assignment.id)
        .where(
            Assignment.study_id == study_id,
            Assignment.coder_id == coder_id,
            Assignment.deleted.is_(False),
            Assignment.status.in_(OPEN_STATUSES),
        )
        .order_by(Assignment.id)
    )
    return [int(i) for i in s.scalars(q)]


def describe(a: Assignment) -> dict[str, Any]:
    return {"id": a.id, "recording_id": a.recording_id, "coder_id": a.coder_id}
