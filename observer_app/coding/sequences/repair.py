"""Rupture -> resolution sequences: for every rupture marker, the first resolution strategy that
follows it, the time to repair, and summaries of many sessions.

Definitions (ms throughout):

* A *rupture* is an event whose code is a rupture marker (in 3RS: a withdrawal or confrontation
  marker; which codes these are comes from the scheme's categories, never from this module).
  Its *subject* (who showed it) is carried through where the coding records one.
* A resolution strategy *follows* a rupture at onset ``r`` when its onset ``s`` satisfies
  ``r <= s`` (a strategy logged at the same ms follows, time to repair 0) and
  - with a window of ``window_ms``: ``s <= r + window_ms`` (the edge is inside);
  - with ``same_segment``: ``s`` lies in the same fixed segment of ``segment_ms`` as ``r``
    (``s // segment_ms == r // segment_ms``);
  - with ``before_next_rupture``: also ``s < n``, ``n`` the onset of the next rupture strictly
    later than ``r`` (ruptures logged at the same ms share their strategies). Without it a
    single strategy may resolve several ruptures before it.
* The rupture is *resolved* when at least one strategy follows it; its *time to repair* is
  ``s - r`` for the first such strategy; *strategies* are the distinct codes of every following
  strategy, in time order.

Summaries (:func:`summarize_repairs`): ruptures per hour of coded time, the share resolved, and
the median and interquartile range of the time to repair over resolved ruptures, with quartiles
by linear interpolation between order statistics (Hyndman & Fan 1996, definition 7; the
default of R and numpy). An undefined value (no ruptures, no resolved rupture) is ``None``.

Reference: Eubanks, C. F., Muran, J. C., & Safran, J. D. (2015). Rupture Resolution Rating
System (3RS): Manual. Hyndman, R. J., & Fan, Y. (1996). Sample quantiles in statistical
packages. The American Statistician, 50(4), 361-365.
"""

from __future__ import annotations

import bisect
import statistics
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from observer_app.coding.errors import InputError

MS_PER_HOUR = 3_600_000


@dataclass(frozen=True)
class SeqEvent:
    """A coded event as sequence analysis sees it: code, onset (ms) and subject if coded."""

    code: str
    onset_ms: int
    subject: str | None = None


@dataclass(frozen=True)
class RepairRules:
    """How far a resolution may follow a rupture (see the module docstring)."""

    window_ms: int | None = 60_000
    same_segment: bool = False
    segment_ms: int | None = None
    before_next_rupture: bool = True

    def __post_init__(self) -> None:
        if self.same_segment:
            if not self.segment_ms or self.segment_ms <= 0:
                raise InputError("'within the same segment' needs a scheme with segments")
        elif self.window_ms is None or self.window_ms < 0:
            raise InputError(f"the repair window must be 0 s or more: {self.window_ms}")

    def describe(self) -> str:
        if self.same_segment:
            minutes = (self.segment_ms or 0) / 60_000
            where = f"within the same {minutes:g}-min segment"
        else:
            where = f"within {(self.window_ms or 0) / 1000:g} s"
        return where + (", before the next rupture" if self.before_next_rupture else "")


@dataclass(frozen=True)
class Repair:
    """One rupture and what followed it."""

    rupture: SeqEvent
    category: str
    resolution: SeqEvent | None
    strategies: tuple[str, ...]

    @property
    def resolved(self) -> bool:
        return self.resolution is not None

    @property
    def time_to_repair_ms(self) -> int | None:
        if self.resolution is None:
            return None
        return self.resolution.onset_ms - self.rupture.onset_ms


def _limit(onset: int, rules: RepairRules) -> int:
    """The last onset (inclusive) a following strategy may have, ignoring the next rupture."""
    if rules.same_segment:
        assert rules.segment_ms is not None
        return (onset // rules.segment_ms + 1) * rules.segment_ms - 1
    assert rules.window_ms is not None
    return onset + rules.window_ms


def find_repairs(
    events: Iterable[SeqEvent],
    ruptures: Mapping[str, str],
    resolutions: Collection[str],
    rules: RepairRules,
) -> list[Repair]:
    """Every rupture of one session with its first following strategy (definitions above).

    ``ruptures`` maps each rupture marker code to its category; ``resolutions`` are the
    strategy codes. Other codes are ignored. Events may come in any order.
    """
    both = set(ruptures) & set(resolutions)
    if both:
        raise InputError(f"codes cannot be both rupture markers and strategies: {sorted(both)}")
    ordered = sorted(
        (e for e in events if e.code in ruptures or e.code in resolutions),
        key=lambda e: e.onset_ms,
    )
    rupture_onsets = sorted({e.onset_ms for e in ordered if e.code in ruptures})
    strategies = [e for e in ordered if e.code in resolutions]
    strategy_onsets = [s.onset_ms for s in strategies]
    out: list[Repair] = []
    for e in ordered:
        if e.code not in ruptures:
            continue
        limit = _limit(e.onset_ms, rules)
        if rules.before_next_rupture:
            k = bisect.bisect_right(rupture_onsets, e.onset_ms)
            if k < len(rupture_onsets):
                limit = min(limit, rupture_onsets[k] - 1)
        lo = bisect.bisect_left(strategy_onsets, e.onset_ms)
        hi = bisect.bisect_right(strategy_onsets, limit)
        following = strategies[lo:hi]
        codes = tuple(dict.fromkeys(s.code for s in following))
        first = following[0] if following else None
        out.append(Repair(e, ruptures[e.code], first, codes))
    return out


@dataclass(frozen=True)
class RepairSummary:
    """Ruptures and their repair over a set of coded sessions (see the module docstring)."""

    ruptures: int
    resolved: int
    coded_ms: int
    median_ms: float | None
    q1_ms: float | None
    q3_ms: float | None
    by_category: dict[str, int] = field(default_factory=dict)
    #: (rupture marker code, first strategy code) -> count, over resolved ruptures.
    pairs: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def per_hour(self) -> float | None:
        return None if self.coded_ms <= 0 else self.ruptures * MS_PER_HOUR / self.coded_ms

    @property
    def share_resolved(self) -> float | None:
        return None if self.ruptures == 0 else self.resolved / self.ruptures


def quartiles(values: Sequence[float]) -> tuple[float, float, float] | None:
    """(Q1, median, Q3) by Hyndman & Fan's definition 7; ``None`` for no values."""
    if not values:
        return None
    if len(values) == 1:
        v = float(values[0])
        return v, v, v
    q1, q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, q2, q3


def summarize_repairs(repairs: Iterable[Repair], coded_ms: int) -> RepairSummary:
    """Counts, share resolved and time-to-repair quartiles of ``repairs`` over ``coded_ms``."""
    rows = list(repairs)
    times = sorted(r.time_to_repair_ms for r in rows if r.time_to_repair_ms is not None)
    q = quartiles(times)
    pairs = Counter((r.rupture.code, r.resolution.code) for r in rows if r.resolution is not None)
    return RepairSummary(
        ruptures=len(rows),
        resolved=len(times),
        coded_ms=coded_ms,
        median_ms=None if q is None else q[1],
        q1_ms=None if q is None else q[0],
        q3_ms=None if q is None else q[2],
        by_category=dict(Counter(r.category for r in rows)),
        pairs=dict(pairs),
    )


def wilson_interval(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float] | None:
    """Wilson's (1927) score interval for a proportion ``k / n`` (95 % by default).

    ``(p + z^2/2n -/+ z * sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n)``; ``None`` for ``n = 0``.
    It assumes independent trials: ruptures of one session or of two coders of one session are
    not, so read it as descriptive (Wilson, E. B. (1927). Probable inference, the law of
    succession, and statistical inference. JASA, 22(158), 209-212; Newcombe 1998).
    """
    if n <= 0:
        return None
    if not 0 <= k <= n:
        raise InputError(f"a proportion needs 0 <= k <= n: {k}/{n}")
    p = k / n
    denom = 1 + z * z / n
    centre = p + z * z / (2 * n)
    half = z * (p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5
    return max(0.0, (centre - half) / denom), min(1.0, (centre + half) / denom)
