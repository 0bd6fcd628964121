"""Assignments: planning, the coder's queue (blind-aware), status, position, completion."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import func, select

from observer_app.coding.errors import Conflict, InputError
from observer_app.coding.planning import Plan, plan_assignments, plan_top_up
from observer_app.coding.state_logic import format_ms
from observer_app.services import assignment_lifecycle as life
from observer_app.services.access import owns, require_manager, require_read, require_write
from observer_app.services.context import ServiceContext, get_or_raise, lock_or_raise
from observer_app.services.recordings import to_info as recording_info
from observer_app.services.records import AssignmentInfo, Problem
from observer_app.store.engine import StudySession
from observer_app.store.models import PURPOSES, Assignment, Coder, Event, Recording, utcnow

#: Extra completion checks (instrument items, segments) contributed by other services.
CompletionCheck = Callable[[StudySession, Assignment], list[Problem]]


def _open_state_problems(s: StudySession, a: Assignment) -> list[Problem]:
    q = select(Event).where(
        Event.assignment_id == a.id,
        Event.deleted.is_(False),
        Event.is_state.is_(True),
        Event.offset_ms.is_(None),
    )
    return [
        Problem(
            "open_state",
            f"state {e.code!r} opened at {format_ms(e.onset_ms)} is not closed",
            event_id=e.id,
            position_ms=e.onset_ms,
        )
        for e in s.scalars(q)
    ]


class AssignmentService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._checks: list[CompletionCheck] = [_open_state_problems]

    def add_completion_check(self, check: CompletionCheck) -> None:
        self._checks.append(check)

    # -- reading ---------------------------------------------------------------------------
    def _info(self, s: StudySession, a: Assignment) -> AssignmentInfo:
        rec = s.get(Recording, a.recording_id)
        coder = s.get(Coder, a.coder_id)
        assert rec is not None and coder is not None
        actor = self._ctx.actor
        hide = a.blind and not actor.is_manager
        return AssignmentInfo(
            id=a.id,
            recording_id=a.recording_id,
            recording_label=recording_info(rec).label,
            coder_id=a.coder_id,
            coder_name=coder.name,
            purpose=None if hide else a.purpose,
            status=a.status,
            blind=a.blind,
            scheme_version_id=a.scheme_version_id,
            last_position_ms=a.last_position_ms,
            reference={} if hide else dict(a.reference),
            completed_at=a.completed_at,
        )

    def mine(self) -> list[AssignmentInfo]:
        """The acting coder's own queue (purpose hidden where blind)."""
        actor = self._ctx.actor
        if actor.id is None:
            return []
        with self._ctx.read() as s:
            q = (
                select(Assignment)
                .where(
                    Assignment.coder_id == actor.id,
                    Assignment.deleted.is_(False),
                    Assignment.status != "cancelled",
                )
                .order_by(Assignment.id)
            )
            return [self._info(s, a) for a in s.scalars(q)]

    def list_all(self, *, recording_id: int | None = None) -> list[AssignmentInfo]:
        """Every assignment in the study (managers only)."""
        require_manager(self._ctx.actor, "list every coder's assignments")
        with self._ctx.read() as s:
            q = select(Assignment).where(
                Assignment.study_id == self._ctx.study_id, Assignment.deleted.is_(False)
            )
            if recording_id is not None:
                q = q.where(Assignment.recording_id == recording_id)
            return [self._info(s, a) for a in s.scalars(q.order_by(Assignment.id))]

    def get(self, assignment_id: int) -> AssignmentInfo:
        with self._ctx.read() as s:
            a = get_or_raise(s, Assignment, assignment_id, "assignment")
            require_read(self._ctx.actor, a)
            return self._info(s, a)

    # -- creating --------------------------------------------------------------------------
    def create(
        self,
        recording_id: int,
        coder_id: int,
        *,
        purpose: str = "primary",
        blind: bool = True,
        scheme_version_id: int | None = None,
        reference: dict[str, Any] | None = None,
    ) -> AssignmentInfo:
        require_manager(self._ctx.actor, "create assignments")
        if purpose not in PURPOSES:
            raise InputError(f"purpose {purpose!r} is not one of {', '.join(PURPOSES)}")
        with self._ctx.tx(f"assign recording #{recording_id}") as s:
            a = self._insert(
                s,
                recording_id=recording_id,
                coder_id=coder_id,
                purpose=purpose,
                blind=blind,
                scheme_version_id=scheme_version_id,
            )
            a.reference = dict(reference or {})
            s.flush()
            return self._info(s, a)

    def _insert(
        self,
        s: StudySession,
        *,
        recording_id: int,
        coder_id: int,
        purpose: str,
        blind: bool,
        scheme_version_id: int | None,
    ) -> Assignment:
        get_or_raise(s, Recording, recording_id, "recording")
        coder = get_or_raise(s, Coder, coder_id, "coder")
        if not coder.active:
            raise Conflict(f"coder {coder.name!r} is deactivated")
        clash = s.scalar(
            select(Assignment.id).where(
                Assignment.recording_id == recording_id,
                Assignment.coder_id == coder_id,
                Assignment.purpose == purpose,
            )
        )
        if clash is not None:
            raise Conflict(
                f"{coder.name} already has a {purpose} assignment (#{clash}) "
                f"for recording #{recording_id}"
            )
        a = Assignment(
            study_id=self._ctx.study_id,
            recording_id=recording_id,
            coder_id=coder_id,
            purpose=purpose,
            blind=blind,
            scheme_version_id=scheme_version_id,
            reference={},
        )
        s.add(a)
        return a

    def plan(
        self,
        coder_ids: Sequence[int],
        *,
        double_share: float,
        seed: int,
        strata_by: str | None = None,
    ) -> Plan:
        """A plan for every recording that has no primary coder yet (nothing is written);
        the double-coded share is drawn within each stratum when ``strata_by`` is given
        (``phase``, ``dyad``, ``therapist``, ``client`` or ``meta:<column>``)."""
        require_manager(self._ctx.actor, "plan assignments")
        with self._ctx.read() as s:
            strata = life.strata_of(s, self._ctx.study_id, strata_by)
            assigned = set(
                s.scalars(
                    select(Assignment.recording_id).where(
                        Assignment.purpose == "primary",
                        Assignment.deleted.is_(False),
                        Assignment.status != "cancelled",
                    )
                )
            )
            todo = [
                r
                for r in s.scalars(
                    select(Recording.id).where(Recording.study_id == self._ctx.study_id)
                )
                if r not in assigned
            ]
            load = self._open_load(s)
        return plan_assignments(
            todo,
            list(coder_ids),
            double_share=double_share,
            seed=seed,
            existing_load=load,
            strata=strata,
            strata_by=strata_by or "",
        )

    @staticmethod
    def _open_load(s: StudySession) -> dict[int, int]:
        rows = s.execute(
            select(Assignment.coder_id, func.count())
            .where(Assignment.status.in_(life.OPEN_STATUSES), Assignment.deleted.is_(False))
            .group_by(Assignment.coder_id)
        )
        return {int(coder): int(n) for coder, n in rows}

    def plan_top_up(
        self,
        coder_ids: Sequence[int],
        *,
        double_share: float,
        seed: int,
        strata_by: str | None = None,
    ) -> Plan:
        """Reliability coders for recordings that already have a primary coder, until the
        share (per stratum) is double-coded (nothing is written; apply with ``apply_plan``)."""
        require_manager(self._ctx.actor, "plan assignments")
        with self._ctx.read() as s:
            strata = life.strata_of(s, self._ctx.study_id, strata_by)
            rows = s.execute(
                select(Assignment.recording_id, Assignment.coder_id, Assignment.purpose).where(
                    Assignment.study_id == self._ctx.study_id,
                    Assignment.deleted.is_(False),
                    Assignment.status != "cancelled",
                )
            )
            primaries: dict[int, int] = {}
            doubled: set[int] = set()
            for rid, cid, purpose in rows:
                if purpose == "primary":
                    primaries.setdefault(int(rid), int(cid))
                elif purpose == "reliability":
                    doubled.add(int(rid))
            load = self._open_load(s)
        return plan_top_up(
            primaries,
            doubled,
            list(coder_ids),
            double_share=double_share,
            seed=seed,
            strata=strata,
            strata_by=strata_by or "",
            existing_load=load,
        )

    # -- moving work -----------------------------------------------------------------------
    def reassign(
        self, assignment_id: int, coder_id: int, *, keep_work: bool = False
    ) -> AssignmentInfo:
        """Give the work to another coder: a new assignment (empty unless ``keep_work``); the
        old one is cancelled and points at the new one. One locked, audited transaction."""
        require_manager(self._ctx.actor, "reassign work")
        with self._ctx.tx(f"reassign assignment #{assignment_id} to coder #{coder_id}") as s:
            new = life.reassign(s, life.lock(s, assignment_id), coder_id, keep_work)
            s.flush()
            return self._info(s, new)

    def cancel(self, assignment_id: int) -> AssignmentInfo:
        require_manager(self._ctx.actor, "cancel work")
        with self._ctx.tx(f"cancel assignment #{assignment_id}") as s:
            a = life.lock(s, assignment_id)
            life.cancel(a)
            return self._info(s, a)

    def delete(self, assignment_id: int) -> None:
        """Soft delete: kept for the audit trail, gone from every queue, list, plan and export."""
        require_manager(self._ctx.actor, "delete work")
        with self._ctx.tx(f"delete assignment #{assignment_id}") as s:
            life.soft_delete(life.lock(s, assignment_id))

    def hand_over(
        self, from_coder_id: int, to_coder_id: int, *, keep_work: bool = False
    ) -> list[AssignmentInfo]:
        """Every open assignment of ``from_coder_id`` (e.g. a deactivated coder) reassigned to
        ``to_coder_id`` in one transaction; nothing moves if any one cannot."""
        require_manager(self._ctx.actor, "hand over work")
        with self._ctx.tx(f"hand over coder #{from_coder_id}'s work to #{to_coder_id}") as s:
            ids = life.open_work_of(s, self._ctx.study_id, from_coder_id)
            moved = [life.reassign(s, life.lock(s, i), to_coder_id, keep_work) for i in ids]
            s.flush()
            return [self._info(s, a) for a in moved]

    def apply_plan(self, plan: Plan, *, scheme_version_id: int | None = None) -> list[int]:
        """Write a plan in one transaction; every assignment is blind. Returns the new ids."""
        require_manager(self._ctx.actor, "apply an assignment plan")
        with self._ctx.tx(f"apply assignment plan (seed {plan.seed})") as s:
            created = [
                self._insert(
                    s,
                    recording_id=p.recording_id,
                    coder_id=p.coder_id,
                    purpose=p.purpose,
                    blind=True,
                    scheme_version_id=scheme_version_id,
                )
                for p in plan.assignments
            ]
            s.flush()
            return [a.id for a in created]

    # -- progress --------------------------------------------------------------------------
    def set_position(self, assignment_id: int, position_ms: int) -> None:
        """Remember where the coder is, so that reopening resumes there."""
        with self._ctx.tx("remember position") as s:
            a = get_or_raise(s, Assignment, assignment_id, "assignment")
            if not owns(self._ctx.actor, a):
                return
            a.last_position_ms = max(0, int(position_ms))

    def problems(self, assignment_id: int) -> list[Problem]:
        """What still stands between this assignment and completion."""
        with self._ctx.read() as s:
            a = get_or_raise(s, Assignment, assignment_id, "assignment")
            require_read(self._ctx.actor, a)
            return [p for check in self._checks for p in check(s, a)]

    def complete(self, assignment_id: int) -> list[Problem]:
        """Mark complete if nothing is missing; otherwise return the problems and change nothing."""
        with self._ctx.tx("complete assignment") as s:
            a = lock_or_raise(s, Assignment, assignment_id, "assignment")
            require_write(self._ctx.actor, a)
            problems = [p for check in self._checks for p in check(s, a)]
            if not problems:
                a.status = "complete"
                a.completed_at = utcnow()
            return problems

    def reopen(self, assignment_id: int) -> AssignmentInfo:
        """A complete (or cancelled) assignment back in progress (locked, audited)."""
        require_manager(self._ctx.actor, "reopen a completed assignment")
        with self._ctx.tx("reopen assignment") as s:
            a = life.lock(s, assignment_id)
            life.reopen(s, a)
            return self._info(s, a)


def mark_started(a: Assignment) -> None:
    if a.status == "not_started":
        a.status = "in_progress"


def require_writable(s: StudySession, ctx: ServiceContext, assignment_id: int) -> Assignment:
    """The assignment, locked, if the actor may change it now (and it is marked in progress).

    The lock (see ``lock_or_raise``) makes "is it complete?" and the write that follows one atomic
    decision; the database triggers of migration 0002 refuse the write even without it.
    """
    a = lock_or_raise(s, Assignment, assignment_id, "assignment")
    require_write(ctx.actor, a)
    mark_started(a)
    return a
