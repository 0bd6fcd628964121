"""Rupture -> resolution pairing on hand-made event lists with known answers."""

from __future__ import annotations

import pytest

from observer_app.coding.errors import InputError
from observer_app.coding.sequences import (
    RepairRules,
    SeqEvent,
    find_repairs,
    summarize_repairs,
)
from observer_app.coding.sequences.repair import quartiles

RUPTURES = {"W1": "withdrawal", "W2": "withdrawal", "C1": "confrontation"}
STRATEGIES = {"R1", "R2", "R3"}
WINDOW = RepairRules(window_ms=60_000)


def ev(code: str, seconds: float, subject: str | None = None) -> SeqEvent:
    return SeqEvent(code, int(seconds * 1000), subject)


def repairs(events: list[SeqEvent], rules: RepairRules = WINDOW) -> list[tuple]:
    return [
        (r.rupture.code, r.resolution.code if r.resolution else None, r.time_to_repair_ms)
        for r in find_repairs(events, RUPTURES, STRATEGIES, rules)
    ]


def test_first_strategy_and_time_to_repair() -> None:
    got = repairs([ev("W1", 10), ev("R2", 18.5), ev("R1", 30), ev("X", 12)])
    assert got == [("W1", "R2", 8500)]
    (r,) = find_repairs([ev("W1", 10), ev("R2", 18.5), ev("R1", 30)], RUPTURES, STRATEGIES, WINDOW)
    assert r.strategies == ("R2", "R1") and r.resolved and r.category == "withdrawal"


def test_rupture_with_no_resolution() -> None:
    assert repairs([ev("C1", 5), ev("R1", 1)]) == [("C1", None, None)]  # the strategy came first


def test_window_edges() -> None:
    assert repairs([ev("W1", 0), ev("R1", 60)]) == [("W1", "R1", 60_000)]
    assert repairs([ev("W1", 0), ev("R1", 60.001)]) == [("W1", None, None)]
    assert repairs([ev("W1", 7), ev("R1", 7)]) == [("W1", "R1", 0)]  # same ms: follows


def test_two_ruptures_before_one_resolution() -> None:
    events = [ev("W1", 0), ev("C1", 10), ev("R1", 20)]
    assert repairs(events) == [("W1", None, None), ("C1", "R1", 10_000)]
    loose = RepairRules(window_ms=60_000, before_next_rupture=False)
    assert repairs(events, loose) == [("W1", "R1", 20_000), ("C1", "R1", 10_000)]


def test_simultaneous_ruptures_share_the_strategy() -> None:
    events = [ev("W1", 5), ev("C1", 5), ev("R3", 9)]
    assert repairs(events) == [("W1", "R3", 4000), ("C1", "R3", 4000)]


def test_overlapping_episodes_in_any_input_order() -> None:
    events = [ev("R1", 50), ev("W2", 40), ev("W1", 0), ev("R2", 45), ev("R3", 5)]
    assert repairs(events) == [("W1", "R3", 5000), ("W2", "R2", 5000)]


def test_same_segment() -> None:
    rules = RepairRules(window_ms=None, same_segment=True, segment_ms=300_000)
    events = [ev("W1", 290), ev("R1", 299.998), ev("C1", 299.999), ev("R2", 300)]
    # W1 at 290 s: R1 at 299.998 s (same segment) before C1; C1: R2 at 300 s is the next segment
    assert repairs(events, rules) == [("W1", "R1", 9998), ("C1", None, None)]
    with pytest.raises(InputError, match="segments"):
        RepairRules(window_ms=None, same_segment=True)


def test_subjects_are_kept() -> None:
    out = find_repairs(
        [ev("W1", 0, "client"), ev("R1", 3, "therapist"), ev("C1", 100)],
        RUPTURES,
        STRATEGIES,
        WINDOW,
    )
    assert [r.rupture.subject for r in out] == ["client", None]
    assert out[0].resolution is not None and out[0].resolution.subject == "therapist"


def test_codes_cannot_be_both() -> None:
    with pytest.raises(InputError, match="both"):
        find_repairs([], {"R1": "x"}, {"R1"}, WINDOW)


def test_summary_by_hand() -> None:
    events = [ev("W1", 0), ev("R1", 4), ev("C1", 100), ev("R2", 110), ev("W1", 200)]
    events += [ev("C1", 300), ev("R1", 302)]
    s = summarize_repairs(find_repairs(events, RUPTURES, STRATEGIES, WINDOW), coded_ms=1_800_000)
    assert (s.ruptures, s.resolved) == (4, 3)
    assert s.per_hour == pytest.approx(8.0)  # 4 ruptures in half an hour
    assert s.share_resolved == pytest.approx(0.75)
    # times 2, 4, 10 s: median 4 s, Q1 = 3 s, Q3 = 7 s (linear interpolation, type 7)
    assert (s.q1_ms, s.median_ms, s.q3_ms) == (3000, 4000, 7000)
    assert s.by_category == {"withdrawal": 2, "confrontation": 2}
    assert s.pairs == {("W1", "R1"): 1, ("C1", "R2"): 1, ("C1", "R1"): 1}


def test_empty_summary_is_undefined_not_zero() -> None:
    s = summarize_repairs([], coded_ms=0)
    assert s.per_hour is None and s.share_resolved is None and s.median_ms is None
    assert quartiles([5.0]) == (5.0, 5.0, 5.0)


def test_wilson_interval_against_statsmodels() -> None:
    from statsmodels.stats.proportion import proportion_confint

    from observer_app.coding.sequences.repair import wilson_interval

    for k, n in [(0, 5), (3, 7), (14, 14), (6, 14), (13, 21)]:
        got = wilson_interval(k, n)
        assert got == pytest.approx(proportion_confint(k, n, method="wilson"))
    assert wilson_interval(0, 0) is None
