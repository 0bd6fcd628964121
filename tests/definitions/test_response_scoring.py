"""The pure response-table scoring the CLI and the self-report import share (issue 10)."""

from __future__ import annotations

import dataclasses

import pytest

from observer_app.coding.definitions import (
    builtin_instrument,
    key_changes,
    parse_instrument,
    rekey_refusals,
    score_response_mapping,
    score_response_table,
)
from observer_app.coding.definitions.response_scoring import item_like
from observer_app.coding.errors import InputError

PREFIXED = """
kind = "instrument"
format_version = 1
id = "q"
name = "Q"
version = "1"
citation = "test"
license = "test"
perspective = "client"
unit = "session"
[scale]
min = 0
max = 4
allow_not_rated = true
not_rated_label = "n/a"
[[items]]
id = "q1"
[[items]]
id = "q2"
reverse = true
"""


def test_one_mapping_scores_like_score_responses() -> None:
    inst = builtin_instrument("wai-c-s")
    cells = {str(i): str(v) for i, v in enumerate([7, 6, 5, 2, 4, 3, 6, 5, 7, 1, 2, 6], 1)}
    cells["12"] = "6.0"  # a number typed as 6.0 is 6
    scores = score_response_mapping(inst, cells)
    assert (scores.get("Goal").sum, scores.get("Agreement").sum) == (18.0, 42.0)
    with pytest.raises(InputError, match=r"item 3: 9 is outside the scale 1\.\.7"):
        score_response_mapping(inst, {"3": 9})
    with pytest.raises(InputError, match="'13' is not an item of wai-c-s"):
        score_response_mapping(inst, {"13": 1})


def test_prefixed_items_not_rated_and_carried_columns() -> None:
    inst = parse_instrument(PREFIXED, "q.toml")
    assert item_like(inst, "q3") and item_like(inst, "Q7") and not item_like(inst, "age")
    rows = score_response_table(
        inst,
        ["id", "age", "q1", "q2"],
        [(2, {"id": 7.0, "age": 30, "q1": 4, "q2": "N/A"}), (3, {"id": "b", "q1": 0, "q2": 0})],
    )
    assert [(r.id, r.row, dict(r.extra)) for r in rows] == [
        ("7", 2, {"age": 30}),
        ("b", 3, {"age": None}),
    ]
    first = rows[0].scores.get("total")
    assert (first.answered, first.mean) == (1, None)  # "not rated" counts as not answered
    second = rows[1].scores.get("total")
    assert (second.mean, second.sum) == (2.0, 4.0)  # q2 reversed: 0 + 4 - 0
    with pytest.raises(InputError, match="the header row, column 'q3': not an item of q"):
        score_response_table(inst, ["id", "q1", "q3"], [(2, {"id": "a", "q1": 1, "q3": 1})])


def test_rekey_rules_are_pure() -> None:
    old = builtin_instrument("wai-o-s")
    assert rekey_refusals(old, old) == [] and key_changes(old, old) == []
    # the client short form's structure under the observer form's id: same items and scale
    other = dataclasses.replace(builtin_instrument("wai-c-s"), id=old.id)
    assert rekey_refusals(old, other) == []  # same items and scale: only keys/anchors differ
    assert "anchors of scale 'default' changed" in key_changes(old, other)
    assert (
        rekey_refusals(old, builtin_instrument("wai-o"))[0]
        == "it is instrument 'wai-o', not 'wai-o-s'"
    )
