"""The variable naming rule: every name valid in R, SPSS and Stata, unique, stable."""

from __future__ import annotations

import string

from hypothesis import given
from hypothesis import strategies as st

from observer_app.coding.varnames import (
    MAX_LENGTH,
    RESERVED,
    is_valid,
    unique_names,
    variable_name,
)


def test_examples() -> None:
    assert variable_name("3rs-segment:withdrawal") == "v3rs_segment_withdrawal"
    assert variable_name("n_WD") == "n_wd"
    assert variable_name("Coração (média)") == "coracao_media"
    assert variable_name("") == "v"
    assert variable_name("___") == "v"
    assert variable_name("_x") == "x"
    assert variable_name("if") == "if_v"
    assert variable_name("str12") == "str12_v"
    assert variable_name("ICC(A,1)") == "icc_a_1"


def test_long_labels_are_cut_and_kept_apart() -> None:
    a = variable_name("withdrawal_significance_" + "x" * 60 + "a")
    b = variable_name("withdrawal_significance_" + "x" * 60 + "b")
    assert len(a) <= MAX_LENGTH and len(b) <= MAX_LENGTH
    assert a != b and is_valid(a) and is_valid(b)


def test_unique_ignoring_case() -> None:
    assert unique_names(["n_WD", "n_wd", "N-WD", "if"]) == ["n_wd", "n_wd_2", "n_wd_3", "if_v"]
    long = ["y" * 40] * 3
    names = unique_names(long)
    assert len(set(names)) == 3 and all(is_valid(n) for n in names)


def test_is_valid_rejects_what_r_spss_or_stata_reject() -> None:
    for bad in ("1a", "_a", "a_", "a.b", "a b", "A", "with", "byte", "str5", "x" * 33, "a__b"):
        assert not is_valid(bad), bad
    assert all(not is_valid(w) for w in RESERVED)
    assert is_valid("rrs_seg_withdrawal")


@given(st.lists(st.text(alphabet=string.printable + "çãéß€", max_size=80), max_size=30))
def test_any_labels_give_valid_unique_names(labels: list[str]) -> None:
    names = unique_names(labels)
    assert len(names) == len(labels)
    assert len({n.lower() for n in names}) == len(names)
    for n in names:
        assert is_valid(n), n
