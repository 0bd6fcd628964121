"""The consensus service: managers pick a double-coded recording, align and decide its events,
enter consensus ratings, and choose which assignments analyses use."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import select

from observer_app.coding.errors import AccessDenied, Conflict, InputError, NotFound
from observer_app.services.access import require_manager
from observer_app.services.analysis_data import choose_analysis
from observer_app.services.assignments import mark_started
from observer_app.services.consensus import rows
from observer_app.services.consensus.alignment import align
from observer_app.services.consensus.model import (
    DECISIONS,
    RATING_DECISIONS,
    DoubleCoded,
    EventEdit,
    RatingComparison,
    Reconciliation,
)
from observer_app.services.consensus.staleness import stale_consensus
from observer_app.services.context import ServiceContext, get_or_raise
from observer_app.services.events import EventValidator
from observer_app.services.ratings import RatingValidator
from observer_app.services.records import Problem
from observer_app.store.engine import StudySession
from observer_app.store.models import Assignment, Coder, Recording, utcnow


class ConsensusService:
    """Reconciliation of double-coded recordings into consensus assignments (managers only)."""

    def __init__(
        self,
        ctx: ServiceContext,
        validate_event: EventValidator | None = None,
        validate_rating: RatingValidator | None = None,
    ) -> None:
        self._ctx = ctx
        self._validate_event = validate_event
        self._validate_rating = validate_rating

    def _manager_id(self, action: str) -> int:
        require_manager(self._ctx.actor, action)
        if self._ctx.actor.id is None:
            raise AccessDenied(f"sign in with a manager profile to {action}")
        return self._ctx.actor.id

    # -- picking ---------------------------------------------------------------------------
    def double_coded(self) -> list[DoubleCoded]:
        """Recordings with at least two coders' work, with their consensus assignment if any."""
        require_manager(self._ctx.actor, "reconcile")
        with self._ctx.read() as s:
            q = (
                select(Assignment, Coder.name)
                .join(Coder, Coder.id == Assignment.coder_id)
                .where(Assignment.study_id == self._ctx.study_id)
                .order_by(Assignment.recording_id, Assignment.id)
            )
            by_rec: dict[int, list[tuple[int, str, str, str]]] = {}
            consensus: dict[int, int] = {}
            for a, name in s.execute(q):
                if a.purpose == "consensus":
                    consensus.setdefault(a.recording_id, a.id)
                else:
                    by_rec.setdefault(a.recording_id, []).append((a.id, name, a.purpose, a.status))
        return [
            DoubleCoded(rid, tuple(work), consensus.get(rid))
            for rid, work in sorted(by_rec.items())
            if len(work) >= 2
        ]

    # -- events ----------------------------------------------------------------------------
    def open(
        self,
        recording_id: int,
        assignment_a: int | None = None,
        assignment_b: int | None = None,
        *,
        tolerance_ms: int = 2000,
    ) -> Reconciliation:
        """Align two coders' events on a recording (default: its first two coders' work, or the
        pair the recording's consensus assignment was started from)."""
        require_manager(self._ctx.actor, "reconcile")
        if tolerance_ms < 0:
            raise InputError("the tolerance must be 0 ms or more")
        with self._ctx.read() as s:
            get_or_raise(s, Recording, recording_id, "recording")
            consensus = rows.consensus_row(s, recording_id, self._ctx.actor.id)
            if assignment_a is None or assignment_b is None:
                assignment_a, assignment_b = rows.default_pair(s, recording_id, consensus)
                if consensus is not None:
                    tolerance_ms = int(consensus.reference.get("tolerance_ms", tolerance_ms))
            a_rows, coder_a = rows.source_events(s, assignment_a, recording_id)
            b_rows, coder_b = rows.source_events(s, assignment_b, recording_id)
            if assignment_a == assignment_b:
                raise InputError("choose two different coders' assignments")
            ours = consensus is not None and consensus.reference.get("sources") == [
                assignment_a,
                assignment_b,
            ]
            decisions: dict[str, Any] = {}
            if consensus is not None and ours:
                decisions = dict(consensus.reference.get("decisions", {}))
            items = align(a_rows, b_rows, tolerance_ms)
        items = tuple(
            replace(i, decision=decisions[i.key]["decision"]) if i.key in decisions else i
            for i in items
        )
        stale = tuple(sorted(set(decisions) - {i.key for i in items}))
        return Reconciliation(
            recording_id,
            assignment_a,
            assignment_b,
            coder_a,
            coder_b,
            tolerance_ms,
            items,
            consensus.id if consensus is not None and ours else None,
            stale,
        )

    def open_changes(
        self,
        recording_id: int,
        assignment_a: int | None = None,
        assignment_b: int | None = None,
        *,
        tolerance_ms: int = 2000,
    ) -> Reconciliation:
        """Re-reconcile from the changes only (issue 13): the recording's reconciliation with
        only the items still to decide, i.e. the source events added or changed since the
        decisions were made (decisions on unchanged items are kept); ``stale`` names the
        decisions whose item is gone. Without a consensus every item is a change."""
        rec = self.open(recording_id, assignment_a, assignment_b, tolerance_ms=tolerance_ms)
        return replace(rec, items=rec.undecided)

    def start(self, rec: Reconciliation) -> Reconciliation:
        """Create the consensus assignment for this pair (if there is none) and accept every
        matched pair with the same code and modifiers as an agreement (A's event is kept)."""
        me = self._manager_id("start a consensus")
        with self._ctx.tx("reconcile: start consensus") as s:
            row = rows.consensus_row(s, rec.recording_id, self._ctx.actor.id)
            if row is None or row.coder_id != me:
                source = get_or_raise(s, Assignment, rec.assignment_a, "assignment")
                row = Assignment(
                    study_id=self._ctx.study_id,
                    recording_id=rec.recording_id,
                    coder_id=me,
                    purpose="consensus",
                    blind=True,
                    scheme_version_id=source.scheme_version_id,
                    reference={},
                )
                s.add(row)
                s.flush()
            rows.check_open(row)
            sources = [rec.assignment_a, rec.assignment_b]
            ref = dict(row.reference)
            if ref.get("sources") not in (None, sources):
                raise Conflict(
                    f"consensus #{row.id} was started from assignments {ref['sources']}, "
                    f"not {sources}"
                )
            if ref.get("sources") is None:
                ref.update(
                    sources=sources,
                    coders=[rec.coder_a, rec.coder_b],
                    tolerance_ms=rec.tolerance_ms,
                    decisions={},
                )
            row.reference = ref
            mark_started(row)
            for item in rec.items:
                if not item.is_disagreement and item.key not in ref["decisions"]:
                    rows.apply_decision(s, row, item, "agree", None, by=self._ctx.actor.name)
        return self.open(
            rec.recording_id, rec.assignment_a, rec.assignment_b, tolerance_ms=rec.tolerance_ms
        )

    def decide(
        self,
        rec: Reconciliation,
        key: str,
        decision: str,
        edit: EventEdit | None = None,
    ) -> Reconciliation:
        """Record a decision on one aligned item (replacing an earlier one); returns the
        refreshed reconciliation."""
        me = self._manager_id("reconcile")
        if decision not in DECISIONS or decision == "agree":
            raise InputError(
                f"decision {decision!r} is not one of accept_a, accept_b, both, neither, edit"
            )
        item = rec.item(key)
        if decision in ("accept_a", "both") and item.a is None:
            raise InputError(f"{key}: coder A logged no event here; choose accept B or neither")
        if decision in ("accept_b", "both") and item.b is None:
            raise InputError(f"{key}: coder B logged no event here; choose accept A or neither")
        if decision == "edit":
            if edit is None:
                raise InputError("an edit decision needs the edited event")
            self._check_edit(rec, edit)
        elif edit is not None:
            raise InputError(f"an edited event goes with the 'edit' decision, not {decision!r}")
        if rec.consensus_id is None:
            rec = self.start(rec)
        with self._ctx.tx(f"reconcile: {DECISIONS[decision]}") as s:
            row = rows.writable_consensus(s, rec.consensus_id, me)
            rows.apply_decision(s, row, item, decision, edit, by=self._ctx.actor.name)
        return self.open(
            rec.recording_id, rec.assignment_a, rec.assignment_b, tolerance_ms=rec.tolerance_ms
        )

    def _check_edit(self, rec: Reconciliation, edit: EventEdit) -> None:
        if edit.onset_ms < 0:
            raise InputError(f"onset {edit.onset_ms} ms is before the start of the recording")
        if edit.offset_ms is not None and edit.offset_ms < edit.onset_ms:
            raise InputError(f"offset {edit.offset_ms} ms is before onset {edit.onset_ms} ms")
        if self._validate_event is None:
            return
        with self._ctx.read() as s:
            scheme = get_or_raise(s, Assignment, rec.assignment_a, "assignment").scheme_version_id
        if scheme is not None:
            self._validate_event(scheme, edit.code, edit.is_state, dict(edit.modifiers or {}), None)

    # -- ratings ---------------------------------------------------------------------------
    def ratings(self, rec: Reconciliation) -> list[RatingComparison]:
        """Item by item, both coders' values and the consensus value (if entered)."""
        require_manager(self._ctx.actor, "reconcile")
        with self._ctx.read() as s:
            a = rows.ratings_of(s, rec.assignment_a)
            b = rows.ratings_of(s, rec.assignment_b)
            c = rows.ratings_of(s, rec.consensus_id) if rec.consensus_id else {}
        out = []
        for key in sorted(set(a) | set(b)):
            ra, rb, rc = a.get(key), b.get(key), c.get(key)
            out.append(
                RatingComparison(
                    key[0],
                    key[1],
                    key[2],
                    key[3],
                    None if ra is None else ra.value,
                    None if rb is None else rb.value,
                    None if ra is None else ra.missing_reason,
                    None if rb is None else rb.missing_reason,
                    None if rc is None else rc.value,
                    None if rc is None else str(rc.source.get("decision")),
                )
            )
        return out

    def decide_rating(
        self,
        rec: Reconciliation,
        instrument_version_id: int,
        item_id: str,
        decision: str,
        *,
        value: float | None = None,
        unit_kind: str = "session",
        unit_index: int = 0,
    ) -> RatingComparison:
        """Enter the consensus value of one item: accept A's, accept B's, or edit (``value``)."""
        me = self._manager_id("reconcile ratings")
        if decision not in RATING_DECISIONS:
            raise InputError(f"rating decision {decision!r} is not accept_a, accept_b or edit")
        if decision == "edit" and value is None:
            raise InputError("an edited consensus rating needs a value")
        if rec.consensus_id is None:
            rec = self.start(rec)
        key = (instrument_version_id, unit_kind, unit_index, item_id)
        with self._ctx.read() as s:
            ra = rows.ratings_of(s, rec.assignment_a).get(key)
            rb = rows.ratings_of(s, rec.assignment_b).get(key)
        picked = {"accept_a": ra, "accept_b": rb, "agree": ra}.get(decision)
        if decision != "edit":
            if picked is None:
                who = "B" if decision == "accept_b" else "A"
                raise InputError(f"coder {who} gave no rating for item {item_id!r}")
            value = picked.value
        missing = picked.missing_reason if picked is not None and decision != "edit" else None
        if self._validate_rating is not None:
            self._validate_rating(instrument_version_id, unit_kind, item_id, value, missing)
        sources = [r for r in (ra, rb) if r is not None]
        with self._ctx.tx(f"reconcile rating: {DECISIONS[decision]}") as s:
            row = rows.writable_consensus(s, rec.consensus_id, me)
            r = rows.consensus_rating(s, row.id, key)
            r.value = value
            r.missing_reason = missing
            r.source = {
                "decision": decision,
                "values": {
                    "A": None if ra is None else ra.value,
                    "B": None if rb is None else rb.value,
                },
                "ratings": [x.id for x in sources],
                "assignments": [rec.assignment_a, rec.assignment_b],
                "coders": [rec.coder_a, rec.coder_b],
                "by": self._ctx.actor.name,
                "at": utcnow().isoformat(),
            }
            mark_started(row)
        for comparison in self.ratings(rec):
            if (
                comparison.instrument_version_id,
                comparison.unit_kind,
                comparison.unit_index,
                comparison.item_id,
            ) == key:
                return comparison
        raise NotFound(f"item {item_id!r} has no rating by either coder")

    def accept_equal_ratings(self, rec: Reconciliation) -> int:
        """Copy every item both coders rated the same into the consensus; returns how many."""
        done = 0
        for c in self.ratings(rec):
            if not c.differs and c.consensus is None and c.decision is None:
                self.decide_rating(
                    rec,
                    c.instrument_version_id,
                    c.item_id,
                    "agree",
                    unit_kind=c.unit_kind,
                    unit_index=c.unit_index,
                )
                done += 1
        return done

    # -- analyses --------------------------------------------------------------------------
    def completion_problems(self, s: StudySession, a: Assignment) -> list[Problem]:
        """What blocks completing a consensus, enforced by the service (not only by the GUI):
        every disagreement between its two source codings must be decided."""
        if a.purpose != "consensus":
            return []
        ref = dict(a.reference or {})
        sources = ref.get("sources")
        if not isinstance(sources, list) or len(sources) != 2:
            return [Problem("consensus_sources", "the consensus has no two source codings")]
        a_rows, _ = rows.source_events(s, int(sources[0]), a.recording_id)
        b_rows, _ = rows.source_events(s, int(sources[1]), a.recording_id)
        decided = set(ref.get("decisions", {}))
        tolerance = int(ref.get("tolerance_ms", 2000))
        undecided = [
            i
            for i in align(a_rows, b_rows, tolerance)
            if i.is_disagreement and i.key not in decided
        ]
        if not undecided:
            return []
        first = undecided[0]
        return [
            Problem(
                "undecided_disagreement",
                f"{len(undecided)} disagreement(s) are not decided yet; the first is at "
                f"{first.time_ms} ms",
                position_ms=first.time_ms,
            )
        ]

    def analysis_assignments(self, *, prefer_consensus: bool = True) -> dict[int, int]:
        """Per recording, the assignment an analysis should use: its completed consensus
        (when ``prefer_consensus``), else the primary coder's completed work (the rule of
        :mod:`observer_app.services.analysis_data`: unfinished work is never analysis data)."""
        require_manager(self._ctx.actor, "choose analysis data")
        with self._ctx.read() as s:
            stale = set(stale_consensus(s, self._ctx.study_id))
            q = select(
                Assignment.recording_id, Assignment.id, Assignment.purpose, Assignment.status
            ).where(Assignment.study_id == self._ctx.study_id)
            found = [
                (int(r), int(a), str(p), str(st))
                for r, a, p, st in s.execute(q.order_by(Assignment.id))
            ]
        # a stale consensus is not analysis data until it is re-reconciled
        fresh = [row for row in found if row[1] not in stale]
        return choose_analysis(fresh, prefer_consensus=prefer_consensus)

    def stale(self) -> dict[int, str]:
        """Completed consensus id -> what changed in its sources after it was completed
        (reopen the consensus to re-reconcile: decisions on unchanged items are kept, only the
        changed ones come back undecided)."""
        require_manager(self._ctx.actor, "reconcile")
        with self._ctx.read() as s:
            return stale_consensus(s, self._ctx.study_id)
