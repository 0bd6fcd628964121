"""Scheme behaviour the UI and services call: modifiers, keys, exclusivity, segments."""

from __future__ import annotations

import itertools

import pytest

from observer_app.coding.definitions import Scheme, normalize_key, parse_scheme
from observer_app.coding.errors import InputError


@pytest.fixture
def scheme(scheme_text: str) -> Scheme:
    return parse_scheme(scheme_text, "mini-scheme.toml")


def test_valid_modifiers_pass(scheme: Scheme) -> None:
    scheme.validate_modifiers("W1", {"intensity": 3, "topic": "bond"})
    scheme.validate_modifiers("W1", {"intensity": 5})
    scheme.validate_modifiers("T", {"moves": ["question", "reflection"], "note": "short"})
    scheme.validate_modifiers("T", {})


@pytest.mark.parametrize(
    ("code", "values", "message"),
    [
        ("W1", {}, "code 'W1' (Denial): 'intensity' is required"),
        ("W1", {"intensity": 6}, "code 'W1' (Denial): 'intensity': 6 is outside 1..5"),
        ("W1", {"intensity": 2.5}, "code 'W1' (Denial): 'intensity': 2.5 is not a whole number"),
        ("W1", {"intensity": "3"}, "code 'W1' (Denial): 'intensity': '3' is not a number"),
        (
            "W1",
            {"intensity": 1, "topic": "tasks", "x": 1},
            "code 'W1' (Denial): 'x' is not a modifier of code 'W1'; 'topic': 'tasks' is not one "
            "of task, goal, bond",
        ),
        (
            "T",
            {"moves": ["question", "question"]},
            "code 'T' (Therapist talks): 'moves': lists a choice twice",
        ),
        (
            "T",
            {"moves": ["advice"], "note": "much too long"},
            "code 'T' (Therapist talks): 'moves': 'advice' not among question, reflection; "
            "'note': longer than 10 characters",
        ),
        ("Z", {}, "scheme 'mini-scheme' has no code 'Z'"),
    ],
)
def test_invalid_modifiers_are_explained(
    scheme: Scheme, code: str, values: dict[str, object], message: str
) -> None:
    with pytest.raises(InputError) as info:
        scheme.validate_modifiers(code, values)
    assert str(info.value) == message


def test_keys_and_exclusive_groups(scheme: Scheme) -> None:
    assert scheme.code_for_key("T") is scheme.code("T")  # plain letters ignore case
    assert scheme.code_for_key("Shift+T") is scheme.code("P")
    assert scheme.code_for_key("x") is None
    assert scheme.exclusive_with("T") == ("P",)
    assert scheme.exclusive_with("W1") == ()


@pytest.mark.parametrize(
    ("key", "normal"),
    [("Shift+Ctrl+a", "ctrl+shift+a"), ("F5", "f5"), ("+", "+"), ("ctrl++", "ctrl++"), (";", ";")],
)
def test_normalize_key(key: str, normal: str) -> None:
    assert normalize_key(key) == normal


def test_segment_bounds(scheme: Scheme) -> None:
    five = 5 * 60_000
    assert scheme.segment_bounds(0) == ()
    assert scheme.segment_bounds(five) == ((0, five),)
    assert scheme.segment_bounds(2 * five + 1, min_last_ms=0) == (
        (0, five),
        (five, 2 * five),
        (2 * five, 2 * five + 1),
    )
    # a 1 ms (or 59.999 s) tail joins the segment before it; a 60 s one is its own segment
    assert scheme.segment_bounds(2 * five + 1) == ((0, five), (five, 2 * five + 1))
    assert scheme.segment_bounds(2 * five + 59_999)[-1] == (five, 2 * five + 59_999)
    assert scheme.segment_bounds(2 * five + 60_000)[-1] == (2 * five, 2 * five + 60_000)
    assert scheme.segment_bounds(30_000) == ((0, 30_000),)  # a short recording stays whole
    bounds = scheme.segment_bounds(50 * 60_000 + 12_345)
    assert bounds[0][0] == 0 and bounds[-1][1] == 50 * 60_000 + 12_345
    assert all(a[1] == b[0] for a, b in itertools.pairwise(bounds))
    with pytest.raises(InputError):
        scheme.segment_bounds(-1)


def test_a_short_tail_joins_the_previous_segment_everywhere_it_is_indexed() -> None:
    from observer_app.coding.definitions import plan_segments, segment_index

    # the 50:12 session with 5-minute segments: ten segments, the last 5:12 long
    bounds = plan_segments(50 * 60_000 + 12_000, 5 * 60_000)
    assert len(bounds) == 10 and bounds[-1] == (45 * 60_000, 50 * 60_000 + 12_000)
    assert segment_index(50 * 60_000 + 5_000, bounds) == 9  # an event in the tail
    assert segment_index(50 * 60_000 + 12_000, bounds) == 9
    assert segment_index(50 * 60_000 + 12_001, bounds) is None
    assert segment_index(4 * 60_000, bounds) == 0
    with pytest.raises(InputError):
        plan_segments(10, 0)


def test_unsegmented_scheme_has_one_segment(scheme_text: str) -> None:
    plain = parse_scheme(
        scheme_text.replace('[segments]\nminutes = 5\ninstrument = "mini-seg"\n', ""), "s.toml"
    )
    assert plain.segments is None
    assert plain.segment_bounds(1234) == ((0, 1234),)
