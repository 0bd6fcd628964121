"""Assignment planning: balanced primary coding and a seeded, reproducible reliability share.

The plan is computed purely (and can be shown before it is applied): every recording gets one
primary coder, balanced so that no coder carries more than one recording more than another
(counting work they already have); a share of recordings, drawn with a seeded random generator,
gets a second, blind reliability coder different from the primary, balanced the same way.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
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
) -> Plan:
    """Plan primary coders for ``recording_ids`` and reliability coders for a share of them.

    The number double-coded is ``round(double_share * len(recording_ids))``; the same inputs and
    seed always give the same plan.
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
    n_double = round(double_share * len(recordings))
    doubled = sorted(rng.sample(recordings, n_double))
    rel_load = dict.fromkeys(coder_ids, 0)
    planned = [PlannedAssignment(r, primary[r], "primary") for r in recordings]
    for rec in doubled:
        second = _least_loaded(coder_ids, rel_load, rng, primary[rec])
        rel_load[second] += 1
        planned.append(PlannedAssignment(rec, second, "reliability"))
    return Plan(tuple(planned), seed, double_share)
