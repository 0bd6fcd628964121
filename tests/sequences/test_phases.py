"""Phases as study data: default plan, per-dyad starts, validation."""

from __future__ import annotations

import pytest

from observer_app.coding.errors import InputError
from observer_app.coding.phases import Phase, PhasePlan, parse_phase_spec


def test_default_plan_is_sessions_one_to_five_then_challenge() -> None:
    plan = PhasePlan()
    assert [plan.phase_of(n).number for n in (1, 5, 6, 30)] == [1, 1, 2, 2]  # type: ignore[union-attr]
    assert plan.phase_of(6).id == "challenge"  # type: ignore[union-attr]
    assert plan.phase_of(None) is None
    assert plan.describe() == "1 alliance-building: sessions 1-5; 2 challenge: sessions 6+"


def test_dyad_override() -> None:
    plan = PhasePlan(dyads={"A": {"challenge": 4}})
    assert plan.phase_of(4, "A").number == 2  # type: ignore[union-attr]
    assert plan.phase_of(4, "B").number == 1  # type: ignore[union-attr]
    assert plan.phase_of(4, None).number == 1  # type: ignore[union-attr]
    assert PhasePlan.from_json(plan.to_json()) == plan


def test_three_phases_round_trip() -> None:
    phases = parse_phase_spec(["early:1:Early", "middle:4", "late:10:Late"])
    plan = PhasePlan(phases)
    assert [plan.phase_of(n).id for n in (3, 4, 9, 10)] == ["early", "middle", "middle", "late"]  # type: ignore[union-attr]
    assert PhasePlan.from_json(plan.to_json()) == plan
    assert PhasePlan.from_json(None) == PhasePlan()


@pytest.mark.parametrize(
    ("phases", "dyads", "message"),
    [
        ((Phase("a", "A", 2),), {}, "must begin at session 1"),
        ((Phase("a", "A", 1), Phase("a", "B", 3)), {}, "distinct"),
        ((Phase("a", "A", 1), Phase("b", "B", 1)), {}, "increasing"),
        ((Phase("A B", "A", 1),), {}, "lower-case"),
        ((Phase("a", "A", 1), Phase("b", "B", 3)), {"d": {"zz": 2}}, "no phase 'zz'"),
        ((Phase("a", "A", 1), Phase("b", "B", 3)), {"d": {"b": 1}}, "dyad 'd'"),
        ((Phase("a", "A", 1), Phase("b", "B", 3)), {"d": {"b": 0}}, "whole number"),
    ],
)
def test_bad_plans_are_refused(phases: tuple[Phase, ...], dyads: dict, message: str) -> None:
    with pytest.raises(InputError, match=message):
        PhasePlan(phases, dyads)


def test_bad_spec() -> None:
    with pytest.raises(InputError, match="ID:FIRST_SESSION"):
        parse_phase_spec(["challenge"])
