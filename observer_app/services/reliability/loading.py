"""Reading a study for reliability: versions with data, counted work, master coder, forms,
events (plain tuples, one query each)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from observer_app.services.context import ServiceContext
from observer_app.services.reliability.design import Work, rank
from observer_app.services.reliability.request import (
    PURPOSE_PRIORITY,
    EventTuple,
    ReliabilityRequest,
)
from observer_app.store.models import Assignment, Coder, Event, Rating, Recording


def versions_with_data(ctx: ServiceContext) -> list[int]:
    """Definition versions that have coded events (schemes) or ratings (instruments)."""
    with ctx.read() as s:
        sid = ctx.study_id
        schemes = set(
            s.scalars(
                select(Assignment.scheme_version_id)
                .join(Event, Event.assignment_id == Assignment.id)
                .where(Assignment.study_id == sid, Assignment.scheme_version_id.is_not(None))
                .distinct()
            )
        )
        instruments = set(
            s.scalars(
                select(Rating.instrument_version_id)
                .join(Assignment, Assignment.id == Rating.assignment_id)
                .where(Assignment.study_id == sid)
                .distinct()
            )
        )
    return sorted(int(v) for v in schemes | instruments if v is not None)


def load_work(
    ctx: ServiceContext, request: ReliabilityRequest, assignment_filter: Any
) -> tuple[list[Work], dict[int, str], dict[int, int | None]]:
    """Counted assignments (one per coder and recording), coder names, durations."""
    with ctx.read() as s:
        q = select(
            Assignment.id,
            Assignment.recording_id,
            Assignment.coder_id,
            Assignment.purpose,
            Assignment.status,
            Assignment.completed_at,
        ).where(
            Assignment.study_id == ctx.study_id,
            assignment_filter,
            Assignment.deleted.is_(False),
            Assignment.status != "cancelled",
        )
        rows = list(s.execute(q))
        names = {int(i): str(n) for i, n in s.execute(select(Coder.id, Coder.name))}
        durations = {
            int(i): (None if d is None else int(d))
            for i, d in s.execute(
                select(Recording.id, Recording.duration_ms).where(
                    Recording.study_id == ctx.study_id
                )
            )
        }
    chosen: dict[tuple[int, int], Work] = {}
    for aid, rid, cid, purpose, status, completed in rows:
        if purpose not in PURPOSE_PRIORITY:
            continue
        if request.completed_only and status != "complete":
            continue
        if request.coder_ids and cid not in request.coder_ids:
            continue
        if request.recording_ids and rid not in request.recording_ids:
            continue
        work = Work(int(aid), int(rid), int(cid), str(purpose), completed)
        key = (work.recording_id, work.coder_id)
        old = chosen.get(key)
        if old is None or rank(work.purpose) < rank(old.purpose):
            chosen[key] = work
    return sorted(chosen.values(), key=lambda w: (w.recording_id, w.coder_id)), names, durations


def master_coder(
    ctx: ServiceContext, request: ReliabilityRequest, work: Sequence[Work]
) -> int | None:
    if request.master_coder_id is not None:
        return request.master_coder_id
    ids = {w.assignment_id for w in work}
    with ctx.read() as s:
        q = select(Assignment.id, Assignment.reference).where(
            Assignment.study_id == ctx.study_id, Assignment.purpose == "calibration"
        )
        for aid, ref in s.execute(q):
            master = (ref or {}).get("master_coder_id")
            if aid in ids and isinstance(master, int):
                return master
    return None


def load_forms(
    ctx: ServiceContext, version_id: int, assignment_ids: Sequence[int]
) -> dict[int, dict[tuple[str, int], dict[str, int | None]]]:
    """Responses per assignment, per unit ("session", 0) / ("segment", i), per item."""
    out: dict[int, dict[tuple[str, int], dict[str, int | None]]] = {a: {} for a in assignment_ids}
    wanted = set(assignment_ids)
    with ctx.read() as s:
        q = select(
            Rating.assignment_id,
            Rating.unit_kind,
            Rating.unit_index,
            Rating.item_id,
            Rating.value,
        ).where(Rating.instrument_version_id == version_id)
        for aid, kind, index, item, value in s.execute(q):
            if aid in wanted:
                unit = out[aid].setdefault((str(kind), int(index)), {})
                unit[str(item)] = None if value is None else round(value)
    return out


def load_events(ctx: ServiceContext, assignment_ids: Sequence[int]) -> dict[int, list[EventTuple]]:
    """Live events per assignment as ``(code, onset, offset, subject)``, in time order."""
    out: dict[int, list[EventTuple]] = {a: [] for a in assignment_ids}
    wanted = set(assignment_ids)
    with ctx.read() as s:
        q = (
            select(Event.assignment_id, Event.code, Event.onset_ms, Event.offset_ms, Event.subject)
            .where(Event.deleted.is_(False))
            .order_by(Event.assignment_id, Event.onset_ms, Event.id)
        )
        for aid, code, onset, offset, subject in s.execute(q):
            if aid in wanted:
                out[aid].append((code, onset, offset, subject))
    return out
