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
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from observer_app.coding import agreement as ag
from observer_app.coding.errors import AccessDenied, Conflict, InputError, NotFound
from observer_app.services.access import require_manager
from observer_app.services.assignments import mark_started
from observer_app.services.context import ServiceContext, get_or_raise
from observer_app.services.events import EventValidator
from observer_app.services.ratings import RatingValidator
from observer_app.store.engine import StudySession
from observer_app.store.models import Assignment, Coder, Event, Rating, Recording, utcnow

if TYPE_CHECKING:
    pass

DECISIONS: dict[str, str] = {
    "accept_a": "accept A",
    "accept_b": "accept B",
    "both": "both",
    "neither": "neither",
    "edit": "edit",
    "agree": "agreement",
}
RATING_DECISIONS = ("accept_a", "accept_b", "edit", "agree")
#: How far before a disagreement the video starts when jumping to it.
DEFAULT_LEAD_MS = 3000
_SOURCE_PURPOSES = ("primary", "reliability", "calibration")


@dataclass(frozen=True)
class SourceEvent:
    """A coder's event as the reconciliation sees it."""

    id: int
    assignment_id: int
    coder: str
    code: str
    onset_ms: int
    offset_ms: int | None
    is_state: bool
    modifiers: dict[str, Any]
    comment: str


@dataclass(frozen=True)
class Aligned:
    """One item of the aligned time line: a pair of events or one unmatched event."""

    key: str
    kind: str  # "matched", "mismatched", "unmatched_a", "unmatched_b"
    a: SourceEvent | None
    b: SourceEvent | None
    decision: str | None = None

    @property
    def time_ms(self) -> int:
        return min(e.onset_ms for e in (self.a, self.b) if e is not None)

    @property
    def is_disagreement(self) -> bool:
        if self.kind != "matched":
            return True
        assert self.a is not None and self.b is not None
        return self.a.modifiers != self.b.modifiers

    def seek_ms(self, lead_ms: int = DEFAULT_LEAD_MS) -> int:
        """Where playback starts to show this item: a few seconds before it."""
        return max(0, self.time_ms - lead_ms)


@dataclass(frozen=True)
class Reconciliation:
    """The aligned events of two coders on one recording, and the consensus made so far."""

    recording_id: int
    assignment_a: int
    assignment_b: int
    coder_a: str
    coder_b: str
    tolerance_ms: int
    items: tuple[Aligned, ...]
    consensus_id: int | None = None
    #: Decisions whose aligned item no longer exists (a coder's events changed after the
    #: decision): their consensus events stay until the manager decides the new items.
    stale: tuple[str, ...] = ()

    @property
    def disagreements(self) -> tuple[Aligned, ...]:
        return tuple(i for i in self.items if i.is_disagreement)

    @property
    def undecided(self) -> tuple[Aligned, ...]:
        return tuple(i for i in self.items if i.decision is None)

    def item(self, key: str) -> Aligned:
        for i in self.items:
            if i.key == key:
                return i
        raise NotFound(f"no aligned item {key!r} on recording #{self.recording_id}")

    def next_disagreement(self, after_ms: int, *, undecided_only: bool = False) -> Aligned | None:
        """The first disagreement strictly after ``after_ms`` (``-1`` for the first one)."""
        for i in self.disagreements:
            if i.time_ms > after_ms and (not undecided_only or i.decision is None):
                return i
        return None

    def previous_disagreement(
        self, before_ms: int, *, undecided_only: bool = False
    ) -> Aligned | None:
        """The last disagreement strictly before ``before_ms``."""
        for i in reversed(self.disagreements):
            if i.time_ms < before_ms and (not undecided_only or i.decision is None):
                return i
        return None


@dataclass(frozen=True)
class EventEdit:
    """The manager's own version of an event ("edit")."""

    code: str
    onset_ms: int
    offset_ms: int | None = None
    is_state: bool = False
    modifiers: dict[str, Any] | None = None
    comment: str = ""


@dataclass(frozen=True)
class RatingComparison:
    """One item (on one unit) of one instrument: both coders' values and the consensus."""

    instrument_version_id: int
    unit_kind: str
    unit_index: int
    item_id: str
    value_a: float | None
    value_b: float | None
    missing_a: str | None
    missing_b: str | None
    consensus: float | None
    decision: str | None

    @property
    def difference(self) -> float | None:
        """B minus A (``None`` when either value is missing)."""
        if self.value_a is None or self.value_b is None:
            return None
        return self.value_b - self.value_a

    @property
    def differs(self) -> bool:
        return (self.value_a, self.missing_a) != (self.value_b, self.missing_b)


@dataclass(frozen=True)
class DoubleCoded:
    """A recording with two or more coders' work, for the reconciliation picker."""

    recording_id: int
    assignments: tuple[tuple[int, str, str, str], ...]  # (id, coder, purpose, status)
    consensus_id: int | None


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
    )


def _key(a: SourceEvent | None, b: SourceEvent | None) -> str:
    return f"a{a.id if a else ''}-b{b.id if b else ''}"


def align(
    events_a: Sequence[SourceEvent], events_b: Sequence[SourceEvent], tolerance_ms: int
) -> tuple[Aligned, ...]:
    """Pair the events with the engine's point-event matching, ordered in time."""
    pairs = ag.match_point_events(
        [ag.Event(e.code, e.onset_ms) for e in events_a],
        [ag.Event(e.code, e.onset_ms) for e in events_b],
        tolerance_ms,
    )
    items: list[Aligned] = []
    used_a = {i for i, _ in pairs}
    used_b = {j for _, j in pairs}
    for i, j in pairs:
        a, b = events_a[i], events_b[j]
        kind = "matched" if a.code == b.code else "mismatched"
        items.append(Aligned(_key(a, b), kind, a, b))
    items += [
        Aligned(_key(e, None), "unmatched_a", e, None)
        for i, e in enumerate(events_a)
        if i not in used_a
    ]
    items += [
        Aligned(_key(None, e), "unmatched_b", None, e)
        for j, e in enumerate(events_b)
        if j not in used_b
    ]
    return tuple(sorted(items, key=lambda x: (x.time_ms, x.key)))


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
            consensus = self._consensus_row(s, recording_id)
            if assignment_a is None or assignment_b is None:
                assignment_a, assignment_b = self._default_pair(s, recording_id, consensus)
                if consensus is not None:
                    tolerance_ms = int(consensus.reference.get("tolerance_ms", tolerance_ms))
            a_rows, coder_a = self._source(s, assignment_a, recording_id)
            b_rows, coder_b = self._source(s, assignment_b, recording_id)
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

    def _consensus_row(self, s: StudySession, recording_id: int) -> Assignment | None:
        q = select(Assignment).where(
            Assignment.recording_id == recording_id, Assignment.purpose == "consensus"
        )
        mine = self._ctx.actor.id
        rows = list(s.scalars(q.order_by(Assignment.id)))
        for row in rows:
            if row.coder_id == mine:
                return row
        return rows[0] if rows else None

    def _default_pair(
        self, s: StudySession, recording_id: int, consensus: Assignment | None
    ) -> tuple[int, int]:
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

    def _source(
        self, s: StudySession, assignment_id: int, recording_id: int
    ) -> tuple[list[SourceEvent], str]:
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

    def start(self, rec: Reconciliation) -> Reconciliation:
        """Create the consensus assignment for this pair (if there is none) and accept every
        matched pair with the same code and modifiers as an agreement (A's event is kept)."""
        me = self._manager_id("start a consensus")
        with self._ctx.tx("reconcile: start consensus") as s:
            row = self._consensus_row(s, rec.recording_id)
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
            if row.status == "complete":
                raise Conflict(f"consensus #{row.id} is complete; a manager can reopen it")
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
                    self._apply(s, row, item, "agree", None)
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
            row = get_or_raise(s, Assignment, rec.consensus_id or 0, "consensus assignment")
            if row.coder_id != me:
                raise AccessDenied(f"consensus #{row.id} belongs to another manager")
            if row.status == "complete":
                raise Conflict(f"consensus #{row.id} is complete; a manager can reopen it")
            self._apply(s, row, item, decision, edit)
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
            self._validate_event(scheme, edit.code, edit.is_state, dict(edit.modifiers or {}))

    def _apply(
        self,
        s: StudySession,
        row: Assignment,
        item: Aligned,
        decision: str,
        edit: EventEdit | None,
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
            "by": self._ctx.actor.name,
            "at": utcnow().isoformat(),
        }
        ref["decisions"] = decisions
        row.reference = ref

    # -- ratings ---------------------------------------------------------------------------
    def ratings(self, rec: Reconciliation) -> list[RatingComparison]:
        """Item by item, both coders' values and the consensus value (if entered)."""
        require_manager(self._ctx.actor, "reconcile")
        with self._ctx.read() as s:
            a = _ratings_of(s, rec.assignment_a)
            b = _ratings_of(s, rec.assignment_b)
            c = _ratings_of(s, rec.consensus_id) if rec.consensus_id else {}
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
            ra = _ratings_of(s, rec.assignment_a).get(key)
            rb = _ratings_of(s, rec.assignment_b).get(key)
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
            row = get_or_raise(s, Assignment, rec.consensus_id or 0, "consensus assignment")
            if row.coder_id != me:
                raise AccessDenied(f"consensus #{row.id} belongs to another manager")
            if row.status == "complete":
                raise Conflict(f"consensus #{row.id} is complete; a manager can reopen it")
            r = _ratings_of(s, row.id).get(key)
            if r is None:
                r = Rating(
                    assignment_id=row.id,
                    instrument_version_id=instrument_version_id,
                    unit_kind=unit_kind,
                    unit_index=unit_index,
                    item_id=item_id,
                )
                s.add(r)
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
    def analysis_assignments(self, *, prefer_consensus: bool = True) -> dict[int, int]:
        """Per recording, the assignment an analysis should use: its completed consensus
        (when ``prefer_consensus``), else the primary coder's work."""
        require_manager(self._ctx.actor, "choose analysis data")
        with self._ctx.read() as s:
            q = select(
                Assignment.recording_id, Assignment.id, Assignment.purpose, Assignment.status
            ).where(Assignment.study_id == self._ctx.study_id)
            rows = list(s.execute(q.order_by(Assignment.id)))
        chosen: dict[int, int] = {}
        for rid, aid, purpose, _status in rows:
            if purpose == "primary" and rid not in chosen:
                chosen[rid] = aid
        if prefer_consensus:
            for rid, aid, purpose, status in rows:
                if purpose == "consensus" and status == "complete":
                    chosen[rid] = aid
        return chosen


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
    )


def _as_edit(e: SourceEvent) -> EventEdit:
    return EventEdit(e.code, e.onset_ms, e.offset_ms, e.is_state, dict(e.modifiers), e.comment)


def _ratings_of(s: StudySession, assignment_id: int) -> dict[tuple[int, str, int, str], Rating]:
    q = select(Rating).where(Rating.assignment_id == assignment_id)
    return {
        (r.instrument_version_id, r.unit_kind, r.unit_index, r.item_id): r for r in s.scalars(q)
    }


__all__ = [
    "DECISIONS",
    "Aligned",
    "ConsensusService",
    "DoubleCoded",
    "EventEdit",
    "RatingComparison",
    "Reconciliation",
    "SourceEvent",
    "align",
]
