"""Assignment planning: balanced primary coding and a seeded, reproducible reliability share.

The plan is computed purely (and can be shown before it is applied): every recording gets one
primary coder, balanced so that no coder carries more than one recording more than another
(counting work they already have); a share of recordings, drawn with a seeded random generator,
gets a second, blind reliability coder different from the primary, balanced the same way.

Shares are rounded up (25 % of 10 recordings is 3, never 2: a lab asks for at least that
share). With ``strata`` (recording -> stratum: phase, dyad, therapist or any metadata value)
the share is drawn within each stratum, rounded up per stratum, so that every stratum is
double-coded. A later top-up (:func:`plan_top_up`) adds reliability coders to recordings that
already have a primary coder until each stratum reaches the share.
"""

from __future__ import annotations

import math
import random
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

from observer_app.coding.errors import InputError


@dataclass(frozen=True)
class PlannedAssignment:
    recording_id: int
    coder_id: int
    purpose: str  # "primary" or "reliability"


@dataclass(frozen=True)
class Plan:
    assignments: tuple[PlannedAssignment, ...]
    seed: int
    double_share: float
    #: What the share was stratified by ("" = not stratified).
    strata_by: str = ""

    def for_purpose(self, purpose: str) -> list[PlannedAssignment]:
        return [a for a in self.assignments if a.purpose == purpose]


def _least_loaded(
    coders: Sequence[int], load: dict[int, int], rng: random.Random, exclude: int | None
) -> int:
    pool = [c for c in coders if c != exclude]
    low = min(load[c] for c in pool)
    return rng.choice([c for c in pool if load[c] == low])


def plan_assignments(
    recording_ids: Sequence[int],
    coder_ids: Sequence[int],
    *,
    double_share: float = 0.25,
    seed: int = 1,
    existing_load: Mapping[int, int] | None = None,
    strata: Mapping[int, Hashable] | None = None,
    strata_by: str = "",
) -> Plan:
    """Plan primary coders for ``recording_ids`` and reliability coders for a share of them.

    The number double-coded is ``ceil(double_share * n)`` (per stratum when ``strata`` is
    given); the same inputs and seed always give the same plan.
    """
    if not coder_ids:
        raise InputError("no coders to assign")
    if len(set(coder_ids)) != len(coder_ids):
        raise InputError("a coder is listed twice")
    if not 0.0 <= double_share <= 1.0:
        raise InputError(f"double-coding share {double_share} is not between 0 and 1")
    if double_share > 0 and len(coder_ids) < 2:
        raise InputError("double coding needs at least two coders")
    rng = random.Random(seed)
    recordings = sorted(recording_ids)
    load = {c: int((existing_load or {}).get(c, 0)) for c in coder_ids}
    order = recordings[:]
    rng.shuffle(order)
    primary: dict[int, int] = {}
    for rec in order:
        coder = _least_loaded(coder_ids, load, rng, None)
        primary[rec] = coder
        load[coder] += 1
    doubled = _draw_share(recordings, set(), double_share, rng, strata)
    rel_load = dict.fromkeys(coder_ids, 0)
    planned = [PlannedAssignment(r, primary[r], "primary") for r in recordings]
    for rec in doubled:
        second = _least_loaded(coder_ids, rel_load, rng, primary[rec])
        rel_load[second] += 1
        planned.append(PlannedAssignment(rec, second, "reliability"))
    return Plan(tuple(planned), seed, double_share, strata_by)


def share_count(share: float, n: int) -> int:
    """``share`` of ``n`` rounded up (a float product such as 0.3 * 10 = 3.0000000000000004
    is not rounded up to 4)."""
    return min(n, math.ceil(round(share * n, 9)))


def _draw_share(
    recordings: Sequence[int],
    already: set[int],
    share: float,
    rng: random.Random,
    strata: Mapping[int, Hashable] | None,
) -> list[int]:
    """The recordings to double-code now so that each stratum (or the whole set) reaches
    ``share`` rounded up, counting those ``already`` double-coded."""
    groups: dict[str, list[int]] = {}
    for rec in recordings:
        key = "" if strata is None else repr(strata.get(rec))
        groups.setdefault(key, []).append(rec)
    chosen: list[int] = []
    for key in sorted(groups):
        members = groups[key]
        want = share_count(share, len(members)) - sum(1 for r in members if r in already)
        pool = [r for r in members if r not in already]
        if want > 0:
            chosen += rng.sample(pool, min(want, len(pool)))
    return sorted(chosen)


def plan_top_up(
    primaries: Mapping[int, int],
    double_coded: set[int],
    coder_ids: Sequence[int],
    *,
    double_share: float,
    seed: int = 1,
    strata: Mapping[int, Hashable] | None = None,
    strata_by: str = "",
    existing_load: Mapping[int, int] | None = None,
) -> Plan:
    """Reliability coders for recordings that already have a primary coder (``primaries``:
    recording -> primary coder) until ``double_share`` of them (per stratum) is double-coded,
    counting ``double_coded``. Same inputs and seed, same plan."""
    if len(coder_ids) < 2:
        raise InputError("double coding needs at least two coders")
    if not 0.0 <= double_share <= 1.0:
        raise InputError(f"double-coding share {double_share} is not between 0 and 1")
    rng = random.Random(seed)
    recordings = sorted(primaries)
    extra = _draw_share(recordings, set(double_coded) & set(recordings), double_share, rng, strata)
    load = {c: int((existing_load or {}).get(c, 0)) for c in coder_ids}
    planned = []
    for rec in extra:
        pool = [c for c in coder_ids if c != primaries[rec]]
        if not pool:
            raise InputError(f"recording #{rec}: no coder other than its primary coder")
        second = _least_loaded(pool, load, rng, None)
        load[second] += 1
        planned.append(PlannedAssignment(rec, second, "reliability"))
    return Plan(tuple(planned), seed, double_share, strata_by)
