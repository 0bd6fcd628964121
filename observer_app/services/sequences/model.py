"""Records of the sequence analyses: settings, the analysed codings, rupture rows, summaries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from observer_app.coding.errors import InputError
from observer_app.coding.phases import PhaseOf
from observer_app.coding.sequences import (
    PermutationResult,
    Repair,
    RepairSummary,
    SeqEvent,
    TransitionTable,
    WindowTable,
)
from observer_app.services.records import RecordingInfo

SETTINGS_KEY = "sequences"
DEFAULT_WINDOW_S = 60.0


@dataclass(frozen=True)
class SequenceSettings:
    """The study's sequence settings (``study.settings["sequences"]``).

    ``window_s`` None means "within the same segment of the scheme". Rupture and resolution
    categories default to the scheme's categories whose id or label says "rupture" /
    "resolution" (3RS: withdrawal and confrontation markers; resolution strategies).
    """

    window_s: float | None = DEFAULT_WINDOW_S
    before_next_rupture: bool = True
    rupture_categories: tuple[str, ...] = ()
    resolution_categories: tuple[str, ...] = ()
    shuffles: int = 1000
    seed: int = 1

    def __post_init__(self) -> None:
        if self.window_s is not None and not 0 <= self.window_s <= 3600:
            raise InputError(f"the repair window must be 0 to 3600 s: {self.window_s}")
        if not 1 <= self.shuffles <= 100_000:
            raise InputError(f"shuffles must be 1 to 100000: {self.shuffles}")

    def to_json(self) -> dict[str, Any]:
        return {
            "window_s": self.window_s if self.window_s is not None else "segment",
            "before_next_rupture": self.before_next_rupture,
            "rupture_categories": list(self.rupture_categories),
            "resolution_categories": list(self.resolution_categories),
            "shuffles": self.shuffles,
            "seed": self.seed,
        }

    @classmethod
    def from_json(cls, raw: object) -> SequenceSettings:
        if not isinstance(raw, dict):
            return cls()
        window = raw.get("window_s", DEFAULT_WINDOW_S)
        return cls(
            window_s=None if window == "segment" else float(window),
            before_next_rupture=bool(raw.get("before_next_rupture", True)),
            rupture_categories=tuple(raw.get("rupture_categories") or ()),
            resolution_categories=tuple(raw.get("resolution_categories") or ()),
            shuffles=int(raw.get("shuffles", 1000)),
            seed=int(raw.get("seed", 1)),
        )


def parse_window(text: str) -> float | None:
    """``"60s"``, ``"60"``, ``"1.5min"``, ``"segment"`` -> seconds (None: same segment)."""
    t = text.strip().lower()
    if t == "segment":
        return None
    try:
        if t.endswith("min"):
            return float(t[:-3]) * 60
        return float(t.removesuffix("s"))
    except ValueError:
        raise InputError(
            f"window {text!r}: write seconds (60s), minutes (1min) or 'segment'"
        ) from None


@dataclass(frozen=True)
class CodedSession:
    """One analysed coding of one recording: a completed consensus, else one complete coder."""

    recording: RecordingInfo
    assignment_id: int
    coder: str
    source: str  # "consensus" or "coder"
    phase: PhaseOf | None
    duration_ms: int
    segment_ms: int | None
    segment_instrument: str | None
    events: tuple[SeqEvent, ...]
    categories: dict[str, str]  # code -> category, for every code of the scheme
    ruptures: dict[str, str]  # rupture marker code -> category
    resolutions: frozenset[str]


@dataclass(frozen=True)
class RuptureRow:
    session: CodedSession
    repair: Repair


@dataclass(frozen=True)
class SummaryRow:
    level: str  # "session", "dyad", "therapist", "phase", "study"
    key: str
    codings: int
    summary: RepairSummary


@dataclass(frozen=True)
class SequenceReport:
    settings: SequenceSettings
    rules: str
    sessions: list[CodedSession]
    ruptures: list[RuptureRow]
    summaries: list[SummaryRow]
    lag: TransitionTable
    window: WindowTable
    permutation: PermutationResult | None
    notes: list[str] = field(default_factory=list)

    def summary(self, level: str) -> list[SummaryRow]:
        return [s for s in self.summaries if s.level == level]


@dataclass(frozen=True)
class SegmentRow:
    """One 3RS segment of one coding: markers, strategies and its ratings side by side."""

    session: CodedSession
    index: int
    start_ms: int
    end_ms: int
    markers: tuple[str, ...]
    strategies: tuple[str, ...]
    unresolved: int
    ratings: dict[str, float | None]
