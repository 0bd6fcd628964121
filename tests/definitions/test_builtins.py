"""The shipped schemes and instruments: valid, round-trippable, honest about what is unconfirmed."""

from __future__ import annotations

import json
import tomllib
from collections import Counter

import pytest

from observer_app.coding.definitions import (
    DEMO_INSTRUMENT_ID,
    builtin_instrument,
    builtin_instruments,
    builtin_scheme,
    builtin_schemes,
    canonical_json,
    normalize_key,
    parse_instrument_data,
    parse_scheme_data,
    reference_problems,
)
from observer_app.coding.errors import NotFound
from observer_app.coding.resources import resource_path

INSTRUMENT_IDS = [i.id for i in builtin_instruments()]
SCHEME_IDS = [s.id for s in builtin_schemes()]


def test_the_issue_list_is_shipped() -> None:
    assert set(INSTRUMENT_IDS) == {
        "wai-o",
        "wai-o-s",
        "vtas",
        "vtas-r-sf",
        "calpas-o",
        "penn-har",
        "wai-c",
        "wai-c-s",
        "wai-t",
        "wai-t-s",
        "3rs-segment",
        "3rs-session",
        DEMO_INSTRUMENT_ID,
    }
    assert SCHEME_IDS == ["3rs"]


@pytest.mark.parametrize("instrument_id", INSTRUMENT_IDS)
def test_instrument_round_trip(instrument_id: str) -> None:
    inst = builtin_instrument(instrument_id)
    data = json.loads(canonical_json(inst.to_canonical_dict()))
    again = parse_instrument_data(data, instrument_id)
    assert again == inst
    assert again.content_hash == inst.content_hash
    assert again.to_canonical_dict() == inst.to_canonical_dict()


@pytest.mark.parametrize("scheme_id", SCHEME_IDS)
def test_scheme_round_trip(scheme_id: str) -> None:
    scheme = builtin_scheme(scheme_id)
    again = parse_scheme_data(json.loads(canonical_json(scheme.to_canonical_dict())), scheme_id)
    assert again == scheme and again.content_hash == scheme.content_hash


@pytest.mark.parametrize("instrument_id", INSTRUMENT_IDS)
def test_published_instruments_ship_no_wording_and_say_what_to_verify(instrument_id: str) -> None:
    inst = builtin_instrument(instrument_id)
    if instrument_id == DEMO_INSTRUMENT_ID:
        assert not inst.validated and inst.has_item_text
        assert "NOT validated" in inst.name
    else:
        assert inst.validated and not inst.has_item_text
        assert inst.citation and inst.license
        assert inst.needs_verification  # every published structure here has open facts


def test_wai_forms_have_twelve_items_per_subscale() -> None:
    for inst_id, n in [
        ("wai-o", 36),
        ("wai-c", 36),
        ("wai-t", 36),
        ("wai-o-s", 12),
        ("wai-c-s", 12),
        ("wai-t-s", 12),
    ]:
        inst = builtin_instrument(inst_id)
        counts = Counter(s for i in inst.items for s in i.subscales)
        assert len(inst.items) == n
        assert counts == {"Goal": n // 3, "Task": n // 3, "Bond": n // 3}
    wai_o = builtin_instrument("wai-o")
    # Revision IV anchors (Darchuk et al. 2000): evidence against / none / for.
    assert (wai_o.scale.min, wai_o.scale.max) == (1, 7)
    assert wai_o.scale.anchor(1) == "Very strong evidence against"
    assert wai_o.scale.anchor(4) == "No evidence"
    assert wai_o.scale.anchor(7) == "Very strong evidence"  # not "... for" (issue 10)


def test_other_instrument_structures() -> None:
    calpas = builtin_instrument("calpas-o")
    assert len(calpas.items) == 24 and len(calpas.subscales) == 4
    assert (calpas.scale.min, calpas.scale.max) == (1, 7)
    assert all(s.verify for s in calpas.subscales)  # placeholder membership is flagged
    assert (builtin_instrument("vtas").scale.min, builtin_instrument("vtas").scale.max) == (0, 5)
    assert [s.id for s in builtin_instrument("penn-har").subscales] == ["Type1", "Type2"]
    assert {i.perspective for i in builtin_instruments()} == {"observer", "client", "therapist"}


def test_3rs_scheme() -> None:
    scheme = builtin_scheme("3rs")
    by_category = Counter(c.category for c in scheme.codes)
    assert by_category["withdrawal"] == 7 and by_category["confrontation"] == 7
    assert by_category["resolution"] >= 1
    assert all(c.kind == "point" and c.key for c in scheme.codes)
    keys = [normalize_key(c.key or "") for c in scheme.codes]
    assert len(set(keys)) == len(keys)
    assert scheme.segments is not None and scheme.segments.minutes == 5
    assert scheme.instrument_ids == ("3rs-segment", "3rs-session")
    assert reference_problems(scheme, builtin_instruments()) == []
    segment = builtin_instrument("3rs-segment")
    assert segment.unit == "segment" and {r.method for r in segment.rollup} == {
        "mean",
        "max",
        "count_marked",
    }


def test_demo_instrument_scores_a_complete_form() -> None:
    from observer_app.coding.definitions import score_responses

    demo = builtin_instrument(DEMO_INSTRUMENT_ID)
    reversed_items = [i.id for i in demo.items if i.reverse]
    assert reversed_items == ["6"]
    scores = score_responses(demo, {i.id: 5 for i in demo.items})
    # Five items at 5 and the reversed item at 1 + 5 - 5 = 1.
    assert scores.get("total").value == pytest.approx((5 * 5 + 1) / 6)


def test_reference_problems_are_reported() -> None:
    scheme = builtin_scheme("3rs")
    only_session = [builtin_instrument("3rs-session")]
    assert reference_problems(scheme, only_session) == [
        "segments.instrument: no instrument '3rs-segment'"
    ]


def test_unknown_builtin() -> None:
    with pytest.raises(NotFound, match="no built-in instrument 'wai-x'"):
        builtin_instrument("wai-x")


def test_resource_files_declare_their_kind() -> None:
    for folder, kind in (
        ("instruments", "instrument"),
        ("schemes", "scheme"),
        ("textpacks", "textpack"),
    ):
        for path in resource_path(folder).glob("*.toml"):
            assert tomllib.loads(path.read_text(encoding="utf-8"))["kind"] == kind, path.name
