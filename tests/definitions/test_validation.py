"""Every validation rule reports the file, the field path, the line and the problem."""

from __future__ import annotations

import pytest

from observer_app.coding.definitions import (
    DefinitionProblems,
    parse_instrument,
    parse_scheme,
    parse_textpack,
)
from observer_app.coding.errors import DefinitionError


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the n-th line containing ``needle`` in ``text``."""
    hits = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    return hits[occurrence - 1]


def instrument_problems(text: str) -> list[str]:
    with pytest.raises(DefinitionProblems) as info:
        parse_instrument(text, "mini.toml")
    return [str(p) for p in info.value.problems]


def scheme_problems(text: str) -> list[str]:
    with pytest.raises(DefinitionProblems) as info:
        parse_scheme(text, "mini-scheme.toml")
    return [str(p) for p in info.value.problems]


def test_the_fixtures_are_valid(instrument_text: str, scheme_text: str) -> None:
    assert parse_instrument(instrument_text, "mini.toml").id == "mini"
    assert parse_scheme(scheme_text, "mini-scheme.toml").id == "mini-scheme"


def test_unknown_subscale_names_file_path_line_and_choices(instrument_text: str) -> None:
    text = instrument_text.replace('id = "7"\nsubscale = "Bond"', 'id = "7"\nsubscale = "Bnd"')
    line = line_of(text, '"Bnd"')
    assert instrument_problems(text) == [
        f"mini.toml: items[7].subscale (line {line}): 'Bnd' is not one of Goal, Task, Bond"
    ]


def test_problems_are_definition_errors_with_one_line_each(instrument_text: str) -> None:
    text = instrument_text.replace('subscale = "Bond"', 'subscale = "Bnd"')
    with pytest.raises(DefinitionError) as info:
        parse_instrument(text, "mini.toml")
    lines = str(info.value).splitlines()
    assert lines[0].endswith("subscale 'Bond' has no items")
    assert [line.split(" (line")[0] for line in lines[1:]] == [
        "mini.toml: items[5].subscale",
        "mini.toml: items[6].subscale",
        "mini.toml: items[7].subscale",
    ]


def test_every_problem_of_a_file_is_reported_in_line_order(instrument_text: str) -> None:
    text = (
        instrument_text.replace('perspective = "observer"', 'perspective = "coder"')
        .replace('id = "4"', 'id = "3"')
        .replace("reverse = true", "revrse = true", 1)
    )
    problems = instrument_problems(text)
    dup = line_of(text, 'id = "3"', 2)
    assert problems == [
        f"mini.toml: perspective (line {line_of(text, 'perspective')}): 'coder' is not one of "
        "observer, client, therapist",
        f"mini.toml: items[2].revrse (line {line_of(text, 'revrse')}): unknown key 'revrse' "
        "(did you mean 'reverse'?)",
        f"mini.toml: items[4].id (line {dup}): duplicate item id '3'",
    ]


def test_reverse_key_outside_the_scale(instrument_text: str) -> None:
    text = instrument_text.replace("max = 7\n", "max = 7\nreverse_sum = 9\n")
    assert instrument_problems(text) == [
        f"mini.toml: scale.reverse_sum (line {line_of(text, 'reverse_sum')}): reverse key 9 - x "
        "maps 1..7 to 2..8, outside the scale 1..7 (reverse keying on this scale is 8 - x)"
    ]
    # The matching key is accepted (it documents the manual's "subtract from 8").
    parse_instrument(instrument_text.replace("max = 7\n", "max = 7\nreverse_sum = 8\n"), "m")


def test_scoring_rule_naming_an_unknown_item(instrument_text: str) -> None:
    text = instrument_text + '\n[[scoring.scores]]\nid = "core"\nitems = ["1", "9"]\n'
    # [[scoring.scores]] after [[items]] still belongs to [scoring].
    problems = instrument_problems(text)
    assert problems == [
        f"mini.toml: scoring.scores[1].items[2] (line {line_of(text, 'items = [')}): "
        "names unknown item '9'"
    ]


def test_anchor_outside_the_scale_and_bad_bounds(instrument_text: str) -> None:
    text = instrument_text.replace('7 = "Very strong evidence for"', '8 = "Beyond"')
    assert instrument_problems(text) == [
        f"mini.toml: scale.anchors.8 (line {line_of(text, 'anchors')}): anchor 8 is outside the "
        "scale 1..7"
    ]
    text = instrument_text.replace("min = 1\nmax = 7", "min = 7\nmax = 1")
    assert instrument_problems(text) == [
        f"mini.toml: scale.max (line {line_of(text, 'max = 1')}): max (1) must be greater than "
        "min (7)"
    ]


def test_min_answered_must_be_a_share(instrument_text: str) -> None:
    text = instrument_text.replace("min_answered = 0.75", "min_answered = 80")
    assert instrument_problems(text) == [
        f"mini.toml: scoring.min_answered (line {line_of(text, 'min_answered')}): 80 must be a "
        "share in (0, 1], e.g. 0.8 for 80%"
    ]


def test_a_score_may_not_mix_scales(instrument_text: str) -> None:
    text = instrument_text.replace(
        "[scoring]", "[scales.short]\nmin = 0\nmax = 3\n\n[scoring]"
    ).replace('id = "7"\nsubscale = "Bond"', 'id = "7"\nsubscale = "Bond"\nscale = "short"')
    problems = instrument_problems(text)
    bond = line_of(text, 'id = "Bond"') - 1
    assert problems == [
        "mini.toml: scoring.total (line "
        f"{line_of(text, '[scoring]')}): score 'total' mixes items rated on different scales "
        "(default, short); give it items of one scale",
        f"mini.toml: subscales[3] (line {bond}): score 'Bond' mixes "
        "items rated on different scales (default, short); give it items of one scale",
    ]


def test_rollup_rules(instrument_text: str) -> None:
    seg = instrument_text.replace('unit = "session"', 'unit = "segment"')
    text = seg + (
        '\n[[rollup]]\nid = "a"\nsource = "Bondd"\nmethod = "max"\n'
        '\n[[rollup]]\nid = "b"\nsource = "1"\nmethod = "count_marked"\nmarked_at_least = 9\n'
    )
    assert instrument_problems(text) == [
        f"mini.toml: rollup[1].source (line {line_of(text, 'Bondd')}): 'Bondd' is not an item or "
        "score of this instrument",
        f"mini.toml: rollup[2].marked_at_least (line {line_of(text, 'marked_at_least')}): 9 is "
        "outside the scale 1..7",
    ]
    session = instrument_text + '\n[[rollup]]\nid = "a"\nsource = "1"\nmethod = "max"\n'
    assert instrument_problems(session) == [
        f"mini.toml: rollup (line {line_of(session, '[[rollup]]')}): roll-up rules apply only to "
        "instruments rated per segment"
    ]


def test_missing_required_fields_and_wrong_types(instrument_text: str) -> None:
    text = instrument_text.replace('citation = "Test fixture"\n', "").replace(
        'version = "1"', "version = 1"
    )
    assert instrument_problems(text) == [
        f"mini.toml: version (line {line_of(text, 'version')}): must be a string, not a number (1)",
        "mini.toml: missing required key 'citation'",
    ]


def test_toml_syntax_error_names_the_file_and_line(instrument_text: str) -> None:
    problems = instrument_problems(instrument_text.replace('id = "mini"', 'id = "mini'))
    assert len(problems) == 1
    assert problems[0].startswith("mini.toml: not valid TOML: ")
    assert "line 3" in problems[0]


def test_a_scheme_file_given_as_instrument_says_so(scheme_text: str) -> None:
    problems = instrument_problems(scheme_text)
    assert problems[0] == (
        f"mini.toml: kind (line {line_of(scheme_text, 'kind')}): 'scheme' is not 'instrument' "
        "(is this a coding scheme?)"
    )


# -- schemes ------------------------------------------------------------------------------------


def test_duplicate_code_ids(scheme_text: str) -> None:
    text = scheme_text.replace('id = "P"', 'id = "T"')
    line = line_of(text, 'id = "T"', 2)
    assert scheme_problems(text) == [
        f"mini-scheme.toml: codes[3].id (line {line}): duplicate code id 'T'",
        f"mini-scheme.toml: exclusive_groups[1].codes[2] (line {line_of(text, 'codes = [')}): "
        "names unknown code 'P'",
    ]


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ('"T"', "'T' clashes with the key of code 'T'"),
        ('"Shift+T"', "'Shift+T' clashes with the key of code 'P'"),
        (
            '"space"',
            "'space' of code 'X' collides with the coding window's shortcut for "
            "'Play / pause' (action play_pause)",
        ),
        ('"hyper+t"', "'hyper+t': 'hyper' is not a modifier (ctrl, alt, shift, meta)"),
        (
            '"tt"',
            "'tt': 'tt' is not a key (a single character, F1-F12 or a named key such as "
            "'enter', 'tab', 'up')",
        ),
    ],
)
def test_keys_that_clash_or_are_invalid(scheme_text: str, key: str, message: str) -> None:
    # A fourth code whose key is the one under test.
    text = scheme_text.replace(
        "[[exclusive_groups]]",
        f'[[codes]]\nid = "X"\nlabel = "X"\ncategory = "talk"\nkind = "point"\nkey = {key}\n\n'
        "[[exclusive_groups]]",
    )
    line = line_of(text, f"key = {key}")
    assert scheme_problems(text) == [f"mini-scheme.toml: codes[4].key (line {line}): {message}"]


def test_exclusive_groups_take_known_state_codes_only(scheme_text: str) -> None:
    text = scheme_text.replace('codes = ["T", "P"]', 'codes = ["T", "W1", "Q"]')
    line = line_of(text, 'codes = ["T"')
    assert scheme_problems(text) == [
        f"mini-scheme.toml: exclusive_groups[1].codes[2] (line {line}): code 'W1' is a point "
        "code; only state codes can be mutually exclusive",
        f"mini-scheme.toml: exclusive_groups[1].codes[3] (line {line}): names unknown code 'Q'",
    ]


def test_modifier_definitions_are_checked(scheme_text: str) -> None:
    text = scheme_text.replace('choices = ["task", "goal", "bond"]', "choices = []").replace(
        "max_length = 10", "max_length = 10\n  min = 2"
    )
    topic = line_of(text, 'id = "topic"') - 1
    assert scheme_problems(text) == [
        f"mini-scheme.toml: codes[1].modifiers[2] (line {topic}): "
        "a 'single' modifier needs a non-empty 'choices' list",
        f"mini-scheme.toml: codes[2].modifiers[2].min (line {line_of(text, 'min = 2')}): does not "
        "apply to a 'text' modifier",
    ]


def test_unknown_category_colour_and_kind(scheme_text: str) -> None:
    text = (
        scheme_text.replace('category = "withdrawal"', 'category = "withdrawl"')
        .replace('"#1F77B4"', '"blue"')
        .replace('kind = "point"', 'kind = "event"')
    )
    assert scheme_problems(text) == [
        f"mini-scheme.toml: codes[1].category (line {line_of(text, 'withdrawl')}): 'withdrawl' is "
        "not one of withdrawal, talk",
        f"mini-scheme.toml: codes[1].kind (line {line_of(text, 'event')}): 'event' is not one of "
        "point, state",
        f"mini-scheme.toml: codes[1].colour (line {line_of(text, 'blue')}): 'blue' is not a colour "
        "like '#1f77b4'",
    ]


def test_segment_minutes_must_be_sensible(scheme_text: str) -> None:
    text = scheme_text.replace("minutes = 5", "minutes = 0")
    assert scheme_problems(text) == [
        f"mini-scheme.toml: segments.minutes (line {line_of(text, 'minutes')}): 0 must be between "
        "1 and 240 minutes"
    ]


# -- text packs ---------------------------------------------------------------------------------


def test_text_pack_with_unknown_item_and_other_version(instrument_text: str) -> None:
    instrument = parse_instrument(instrument_text, "mini.toml")
    pack = (
        'kind = "textpack"\ninstrument = "mini"\ninstrument_version = "2"\n\n[items]\n'
        '"1" = "Own test wording one"\n"99" = "Own test wording two"\n'
    )
    with pytest.raises(DefinitionProblems) as info:
        parse_textpack(pack, "pack.toml", instrument)
    assert [str(p) for p in info.value.problems] == [
        "pack.toml: instrument_version (line 3): pack is for version '2', the instrument is "
        "version '1'",
        "pack.toml: items.99 (line 7): '99' is not an item of mini",
    ]


def test_an_instrument_needs_items_and_a_scheme_needs_codes(
    instrument_text: str, scheme_text: str
) -> None:
    head = instrument_text.split("[[subscales]]", maxsplit=1)[0]
    empty = head.replace('unit = "session"', 'unit = "session"\nitems = []')
    assert instrument_problems(empty) == [
        "mini.toml: an instrument needs at least one [[items]] table"
    ]
    no_codes = scheme_text.split("[[codes]]", maxsplit=1)[0]
    assert scheme_problems(no_codes) == [
        "mini-scheme.toml: a scheme needs at least one [[codes]] table"
    ]
