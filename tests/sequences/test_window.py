"""Time-window sequential analysis: hand tables, window edges, and the permutation test checked
against an exhaustive enumeration of every shuffle."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from observer_app.coding.errors import InputError
from observer_app.coding.sequences import (
    TimedSession,
    followed_within,
    permutation_test,
    window_table,
)


def session(events: list[tuple[str, int]], duration_ms: int) -> TimedSession:
    return TimedSession(tuple(c for c, _ in events), tuple(t for _, t in events), duration_ms)


def test_yoder_tapp_table_by_hand() -> None:
    # 10 one-second units; the given at 1.0 s opens a 3-s window over units 1, 2, 3.
    # Targets at 2.5 s (unit 2, in the window) and 7.0 s (unit 7, outside).
    s = session([("R", 1000), ("T", 2500), ("T", 7000)], 10_000)
    t = window_table([s], {"R"}, {"T"}, 3000)
    assert (t.a, t.b, t.c, t.d) == (1, 2, 1, 6)
    assert t.yules_q == pytest.approx((1 * 6 - 2 * 1) / (1 * 6 + 2 * 1))
    assert t.odds_ratio == pytest.approx(6 / 2)


def test_overlapping_windows_count_each_unit_once() -> None:
    s = session([("R", 0), ("R", 1000), ("T", 2000)], 5000)
    t = window_table([s], {"R"}, {"T"}, 2000)  # windows 0-1 and 1-2 -> units 0, 1, 2
    assert (t.a, t.b, t.c, t.d) == (1, 2, 0, 2)


def test_followed_within_edges() -> None:
    s = session([("R", 0), ("T", 60_000), ("R", 100_000), ("T", 160_001)], 200_000)
    assert followed_within([s], {"R"}, {"T"}, 60_000) == (1, 2)  # 60.000 s in, 60.001 s out
    tie = session([("R", 5000), ("T", 5000)], 10_000)
    assert followed_within([tie], {"R"}, {"T"}, 0) == (1, 1)  # same ms follows
    before = session([("T", 4999), ("R", 5000)], 10_000)
    assert followed_within([before], {"R"}, {"T"}, 60_000) == (0, 1)


def _stat(labels: tuple[str, ...], onsets: tuple[int, ...], window: int) -> int:
    n = 0
    for i, code in enumerate(labels):
        if code == "R" and any(
            labels[j] == "T" and 0 <= onsets[j] - onsets[i] <= window
            for j in range(len(labels))
            if j != i
        ):
            n += 1
    return n


def test_permutation_p_matches_exhaustive_enumeration() -> None:
    onsets = (0, 1000, 5000, 20_000, 21_000, 40_000)
    codes = ("R", "T", "R", "X", "T", "X")
    s = session(list(zip(codes, onsets, strict=True)), 60_000)
    observed = _stat(codes, onsets, 2000)
    perms = list(itertools.permutations(codes))
    exact = sum(_stat(p, onsets, 2000) >= observed for p in perms) / len(perms)
    result = permutation_test([s], {"R"}, {"T"}, 2000, shuffles=20_000, seed=7)
    assert result.followed == observed == 1
    assert result.p_value == pytest.approx(exact, abs=0.015)
    mean = sum(_stat(p, onsets, 2000) for p in perms) / len(perms)
    assert result.shuffled_mean == pytest.approx(mean, abs=0.02)


def test_permutation_is_reproducible_with_its_seed() -> None:
    sessions = [
        session([("R", 1000 * k), ("T", 1000 * k + 500 * (k % 3)), ("X", 900 * k)], 100_000)
        for k in range(1, 40)
    ]
    a = permutation_test(sessions, {"R"}, {"T"}, 1000, shuffles=300, seed=11)
    b = permutation_test(sessions, {"R"}, {"T"}, 1000, shuffles=300, seed=11)
    c = permutation_test(sessions, {"R"}, {"T"}, 1000, shuffles=300, seed=12)
    assert a == b
    assert a.followed == c.followed and a.givens == c.givens == 39
    assert 0 < a.p_value <= 1
    assert a.proportion is not None and a.chance_proportion is not None
    assert a.proportion > a.chance_proportion


def test_bad_input() -> None:
    with pytest.raises(InputError, match="both given and target"):
        followed_within([], {"R"}, {"R"}, 1000)
    with pytest.raises(InputError, match="outside the session"):
        session([("R", 5000)], 1000)
    with pytest.raises(InputError, match="at least one shuffle"):
        permutation_test([], {"R"}, {"T"}, 1000, shuffles=0)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from("RTX"), st.integers(0, 30_000)), min_size=0, max_size=25),
    st.integers(0, 8000),
)
def test_followed_within_equals_a_nested_loop(events: list[tuple[str, int]], window: int) -> None:
    s = session(events, 30_000)
    codes, onsets = s.codes, s.onsets_ms
    assert followed_within([s], {"R"}, {"T"}, window) == (
        _stat(codes, onsets, window),
        codes.count("R"),
    )


def test_permutation_reports_progress_and_can_be_stopped() -> None:
    """Progress per session (so a long test can be cancelled between sessions); the result is
    the same with or without it."""
    sessions = [session([("R", 1000 * k), ("T", 1000 * k + 400)], 50_000) for k in range(1, 6)]
    steps: list[tuple[int, int]] = []
    with_progress = permutation_test(
        sessions,
        {"R"},
        {"T"},
        1000,
        shuffles=50,
        seed=3,
        progress=lambda d, t: steps.append((d, t)),
    )
    assert steps == [(k, 5) for k in range(1, 6)]
    assert with_progress == permutation_test(sessions, {"R"}, {"T"}, 1000, shuffles=50, seed=3)

    class Stop(Exception):
        pass

    def stop(done: int, total: int) -> None:
        raise Stop

    with pytest.raises(Stop):
        permutation_test(sessions, {"R"}, {"T"}, 1000, shuffles=50, seed=3, progress=stop)
