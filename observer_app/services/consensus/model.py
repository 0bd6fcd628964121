"""What a reconciliation is: the decisions, a coder's event as seen by it, the aligned items,
the reconciliation of one pair, the manager's edit, and the side-by-side rating comparison."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from observer_app.coding.errors import NotFound

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
    subject: str | None = None  # who the event is about (a subject id of the scheme)


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
    subject: str | None = None


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
