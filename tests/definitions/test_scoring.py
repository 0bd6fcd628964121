"""Scoring: reverse keys, missing items, the minimum-answered rule, roll-up; order invariance."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from observer_app.coding.definitions import (
    Instrument,
    keyed_values,
    missing_required,
    needed_items,
    parse_instrument,
    roll_up,
    score_responses,
)
from observer_app.coding.errors import InputError


@pytest.fixture
def mini(instrument_text: str) -> Instrument:
    return parse_instrument(instrument_text, "mini.toml")


def test_reverse_keying_is_min_plus_max_minus_value(mini: Instrument) -> None:
    # Items 2 and 6 are reverse-keyed on 1..7: x -> 8 - x.
    responses = {"1": 1, "2": 1, "3": 4, "4": 7, "5": 2, "6": 7, "7": 5}
    assert keyed_values(mini, responses) == {"1": 1, "2": 7, "3": 4, "4": 7, "5": 2, "6": 1, "7": 5}


def test_subscale_and_total_means_after_reverse_keying(mini: Instrument) -> None:
    responses = {"1": 6, "2": 2, "3": 4, "4": 5, "5": 7, "6": 3, "7": 6}
    scores = score_responses(mini, responses)
    keyed = [6, 6, 4, 5, 7, 5, 6]  # items 2 and 6 reversed: 8 - 2, 8 - 3
    assert scores.values() == {
        "Goal": pytest.approx(np.mean(keyed[0:2])),
        "Task": pytest.approx(np.mean(keyed[2:4])),
        "Bond": pytest.approx(np.mean(keyed[4:7])),
        "total": pytest.approx(np.mean(keyed)),
    }
    assert scores.instrument_hash == mini.content_hash
    assert all(s.reason is None for s in scores.scores)


def test_minimum_answered_rule_gives_the_reason(mini: Instrument) -> None:
    # min_answered = 0.75: Bond (3 items) needs ceil(2.25) = 3, Goal (2 items) needs 2.
    scores = score_responses(mini, {"1": 5, "3": 4, "4": 4, "5": 6, "6": 2})
    goal, bond, total = scores.get("Goal"), scores.get("Bond"), scores.get("total")
    assert goal.value is None
    assert goal.reason == "1 of 2 items answered (50%); at least 75% (2 items) needed"
    assert bond.value is None
    assert bond.reason == "2 of 3 items answered (67%); at least 75% (3 items) needed"
    # 5 of 7 answered = 71% < 75%: total is missing too; Task is complete.
    assert total.value is None and total.answered == 5 and total.items == 7
    assert scores.get("Task").value == pytest.approx(4.0)


def test_total_valid_with_missing_items_uses_the_answered_ones(mini: Instrument) -> None:
    responses = {"1": 5, "2": 3, "3": 4, "4": 4, "5": 6, "6": 2}  # item 7 missing: 6/7 = 86%
    total = score_responses(mini, responses).get("total")
    assert total.value == pytest.approx(np.mean([5, 5, 4, 4, 6, 6]))
    assert (total.answered, total.items) == (6, 7)


def test_sum_scores_are_prorated_when_items_are_missing(instrument_text: str) -> None:
    inst = parse_instrument(instrument_text.replace('method = "mean"', 'method = "sum"'), "m")
    complete = {"1": 5, "2": 3, "3": 4, "4": 4, "5": 6, "6": 2, "7": 7}
    assert score_responses(inst, complete).get("total").value == pytest.approx(
        5 + 5 + 4 + 4 + 6 + 6 + 7
    )
    partial = {k: v for k, v in complete.items() if k != "7"}
    assert score_responses(inst, partial).get("total").value == pytest.approx(30 / 6 * 7)


def test_not_rated_counts_as_unanswered_where_allowed(instrument_text: str) -> None:
    inst = parse_instrument(
        instrument_text.replace("max = 7\n", "max = 7\nallow_not_rated = true\n"), "m"
    )
    scores = score_responses(inst, {"1": 5, "2": None})
    assert scores.get("Goal").answered == 1
    assert missing_required(inst, {"1": 5, "2": None}) == ("3", "4", "5", "6", "7")


@pytest.mark.parametrize(
    ("responses", "message"),
    [
        ({"1": 8}, "mini responses: item 1: 8 is outside the scale 1..7"),
        ({"1": None}, "mini responses: item 1: 'not rated' is not allowed on this scale"),
        ({"1": 2.5}, "mini responses: item 1: 2.5 is not a whole number"),
        ({"1": True}, "mini responses: item 1: True is not a whole number"),
        (
            {"x": 1, "2": 0},
            "mini responses: 'x' is not an item of mini; item 2: 0 is outside the scale 1..7",
        ),
    ],
)
def test_invalid_responses_are_refused_with_every_problem(
    mini: Instrument, responses: dict[str, object], message: str
) -> None:
    with pytest.raises(InputError) as info:
        score_responses(mini, responses)  # type: ignore[arg-type]
    assert str(info.value) == message


def test_needed_items_rounds_up_without_float_noise() -> None:
    assert needed_items(12, 0.8) == 10  # 9.6 -> 10
    assert needed_items(10, 0.8) == 8  # 8.000000000000002 would wrongly give 9
    assert needed_items(5, 1.0) == 5
    assert needed_items(3, 0.01) == 1


SEGMENTED = """\
kind = "instrument"
id = "seg"
name = "Segment ratings"
version = "1"
citation = "Test fixture"
license = "Test fixture"
perspective = "observer"
unit = "segment"

[scale]
min = 1
max = 5

[scales.optional]
min = 1
max = 5
allow_not_rated = true

[scoring]
total = false

[[items]]
id = "withdrawal"

[[items]]
id = "resolution"
scale = "optional"
required = false

[[rollup]]
id = "w_mean"
source = "withdrawal"
method = "mean"

[[rollup]]
id = "w_max"
source = "withdrawal"
method = "max"

[[rollup]]
id = "w_segments"
source = "withdrawal"
method = "count_marked"
marked_at_least = 2

[[rollup]]
id = "r_mean"
source = "resolution"
method = "mean"
"""


def test_segment_roll_up_mean_max_and_count() -> None:
    inst = parse_instrument(SEGMENTED, "seg.toml")
    segments = [
        {"withdrawal": 1, "resolution": None},
        {"withdrawal": 3, "resolution": 4},
        {"withdrawal": 2},
        {"withdrawal": 1, "resolution": None},
    ]
    result = {r.id: r for r in roll_up(inst, segments)}
    assert result["w_mean"].value == pytest.approx(np.mean([1, 3, 2, 1]))
    assert result["w_max"].value == 3
    assert result["w_segments"].value == 2  # segments 2 and 3 have significance >= 2
    assert result["r_mean"].value == 4 and result["r_mean"].segments_with_value == 1
    empty = {r.id: r for r in roll_up(inst, [{"withdrawal": 1}])}
    assert empty["r_mean"].value is None
    assert empty["r_mean"].reason == "no segment has a value for 'resolution'"
    assert {r.id: r.value for r in roll_up(inst, [])}["w_segments"] == 0


def test_roll_up_names_the_bad_segment() -> None:
    inst = parse_instrument(SEGMENTED, "seg.toml")
    with pytest.raises(
        InputError, match=r"^segment 2: seg responses: item withdrawal: 9 is outside"
    ):
        roll_up(inst, [{"withdrawal": 1}, {"withdrawal": 9}])


# -- properties ---------------------------------------------------------------------------------


@st.composite
def rated_forms(draw: st.DrawFn) -> tuple[Instrument, dict[str, int], list[int]]:
    """A random instrument (items, subscales, reverse keys) with random answers and an order."""
    n_items = draw(st.integers(2, 12))
    low = draw(st.integers(0, 2))
    high = low + draw(st.integers(1, 6))
    subs = ["A", "B", "C"]
    items = tuple(
        (str(i), draw(st.sampled_from(subs)), draw(st.booleans())) for i in range(1, n_items + 1)
    )
    share = draw(st.sampled_from([0.5, 0.75, 0.8, 1.0]))
    lines = [
        'kind = "instrument"',
        'id = "p"',
        'name = "P"',
        'version = "1"',
        'citation = "c"',
        'license = "l"',
        'perspective = "observer"',
        'unit = "session"',
        f"[scale]\nmin = {low}\nmax = {high}",
        f"[scoring]\nmin_answered = {share}",
    ]
    used = sorted({s for _, s, _ in items})
    lines += [f'[[subscales]]\nid = "{s}"' for s in used]
    lines += [
        f'[[items]]\nid = "{i}"\nsubscale = "{s}"\nreverse = {"true" if r else "false"}'
        for i, s, r in items
    ]
    inst = parse_instrument("\n\n".join(lines), "p.toml")
    answered = draw(st.lists(st.sampled_from([i for i, _, _ in items]), unique=True))
    responses = {i: draw(st.integers(low, high)) for i in answered}
    order = draw(st.permutations(list(range(n_items))))
    return inst, responses, order


@settings(max_examples=150, deadline=None)
@given(rated_forms())
def test_scores_do_not_depend_on_item_or_response_order(
    form: tuple[Instrument, dict[str, int], list[int]],
) -> None:
    inst, responses, order = form
    shuffled = dataclasses.replace(inst, items=tuple(inst.items[i] for i in order))
    reordered = dict(reversed(list(responses.items())))
    a = score_responses(inst, responses).values()
    b = score_responses(shuffled, reordered).values()
    assert a.keys() == b.keys()
    for key, value in a.items():
        assert (value is None and b[key] is None) or math.isclose(value or 0, b[key] or 0)


@settings(max_examples=150, deadline=None)
@given(rated_forms())
def test_scores_match_an_independent_numpy_computation(
    form: tuple[Instrument, dict[str, int], list[int]],
) -> None:
    inst, responses, _ = form
    scale = inst.scale
    keyed = {
        i.id: (scale.min + scale.max - responses[i.id]) if i.reverse else responses[i.id]
        for i in inst.items
        if i.id in responses
    }
    for score in score_responses(inst, responses).scores:
        members = [i.id for i in inst.items if score.id == "total" or score.id in i.subscales]
        values = np.array([keyed[m] for m in members if m in keyed], dtype=float)
        if len(values) / len(members) + 1e-9 >= inst.scoring.min_answered and len(values):
            assert score.value == pytest.approx(values.mean())
        else:
            assert score.value is None and score.reason is not None
