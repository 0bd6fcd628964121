"""Edge cases: every statistic is either a number or undefined with a reason (never a silent
1.0, never a crash on a data condition); malformed input raises InputError."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from observer_app.coding.agreement import (
    AgreementResult,
    apply_label,
    brennan_prediger,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac,
    icc,
    kappa_from_table,
    krippendorff_alpha,
    label_for,
    pabak,
    percent_agreement,
    within_one,
)
from observer_app.coding.errors import InputError

nan = math.nan


def _all(x: object) -> list[AgreementResult]:
    out = list(icc(x))
    out += [krippendorff_alpha(x, lv, bootstrap=10) for lv in ("nominal", "ordinal", "interval")]
    out.append(fleiss_kappa(x)[0])
    out += [gwet_ac(x), brennan_prediger(x), percent_agreement(x)]
    return out


def _assert_undefined(
    results: list[AgreementResult], *, except_names: tuple[str, ...] = ()
) -> None:
    for r in results:
        if r.name in except_names:
            continue
        assert r.value is None, r.name
        assert r.undefined_reason, r.name
        json.dumps(r.to_dict())


def test_zero_variance_is_undefined_not_one() -> None:
    x = np.full((6, 3), 4.0)
    # percent agreement is a plain proportion (1.0 is its true value); BP's chance term is fixed
    _assert_undefined(_all(x), except_names=("percent agreement", "Brennan-Prediger"))
    assert "identical" in icc(x)[0].undefined_reason
    assert "no variation" in krippendorff_alpha(x).undefined_reason
    assert cohen_kappa(x[:, :2]).undefined_reason is not None
    assert percent_agreement(x).value == 1.0


def test_one_unit() -> None:
    x = np.array([[1.0, 2.0, 2.0]])
    for r in icc(x):
        assert r.value is None
        assert "at least 2 units" in r.undefined_reason
    # alpha is defined on pairable values, not units: o_12 = o_21 = o_22 = 1, n = 3,
    # D_o = 2/3, D_e = (1*2 + 2*1) / (3*2) = 2/3, alpha = 0
    assert krippendorff_alpha(x, bootstrap=0).value == pytest.approx(0.0, abs=1e-12)
    assert krippendorff_alpha(np.array([[2.0, 2.0]])).value is None


def test_one_rater() -> None:
    x = np.array([[1.0], [2.0], [3.0]])
    _assert_undefined(_all(x), except_names=())
    assert "2 raters" in icc(x)[0].undefined_reason
    assert "exactly 2 raters" in cohen_kappa(x).undefined_reason


def test_all_missing() -> None:
    x = np.full((4, 3), nan)
    _assert_undefined(_all(x))
    assert cohen_kappa(x[:, :2]).value is None


def test_rater_who_rated_nothing_is_ignored_by_icc() -> None:
    x = np.array([[1, 2, nan], [3, 3, nan], [5, 4, nan], [2, 2, nan]])
    r = icc(x)[1]
    assert r.n_raters == 2
    assert r.n_dropped == 0


def test_icc_listwise_deletion_reports_dropped_units() -> None:
    x = np.array([[1, 2], [3, nan], [5, 4], [2, 2], [nan, nan]])
    r = icc(x)[0]
    assert r.n_units == 3
    assert r.n_dropped == 2
    assert r.parameters["missing"] == "listwise"


def test_non_numeric_at_interval_level_is_undefined() -> None:
    x = [["a", "b"], ["b", "b"], ["a", "a"]]
    r = krippendorff_alpha(x, "interval")
    assert r.value is None
    assert "numeric" in r.undefined_reason
    assert "'a'" in r.undefined_reason
    assert krippendorff_alpha(x, "nominal").defined
    assert icc(x)[0].value is None
    assert "numeric" in icc(x)[0].undefined_reason
    assert "ordered category scale" in krippendorff_alpha(x, "ordinal").undefined_reason
    assert krippendorff_alpha(x, "ordinal", categories=["a", "b"]).defined


def test_ratio_level_refuses_negative_values() -> None:
    r = krippendorff_alpha([[-1.0, 2.0], [3.0, 3.0]], "ratio")
    assert r.value is None
    assert "non-negative" in r.undefined_reason


def test_text_categories_and_missing_strings() -> None:
    x = [["yes", "yes"], ["no", ""], ["no", "no"], [None, "yes"], ["yes", "no"]]
    k = cohen_kappa(x)
    assert k.n_units == 3
    assert k.n_dropped == 2
    assert k.parameters["categories"] == ("no", "yes")


def test_value_off_the_scale_is_an_input_error() -> None:
    with pytest.raises(InputError, match="unit 2, rater 1"):
        cohen_kappa([[1, 1], [6, 2]], categories=(1, 2, 3))


def test_bad_weight_matrix_and_options() -> None:
    with pytest.raises(InputError, match="3 x 3"):
        cohen_kappa([[1, 1], [2, 3]], [[1, 0], [0, 1]], categories=(1, 2, 3))
    with pytest.raises(InputError, match="unknown weights"):
        cohen_kappa([[1, 1], [2, 3]], "cubic")
    with pytest.raises(InputError, match="unknown level"):
        krippendorff_alpha([[1, 1]], "absolute")
    with pytest.raises(InputError, match="2-D"):
        icc([1, 2, 3])


def test_custom_weight_matrix_equals_builtin_linear() -> None:
    x = np.array([[1, 2], [2, 2], [3, 1], [3, 3], [2, 3]], dtype=float)
    linear = [[1, 0.5, 0], [0.5, 1, 0.5], [0, 0.5, 1]]
    assert cohen_kappa(x, linear, categories=(1, 2, 3)).value == pytest.approx(
        cohen_kappa(x, "linear", categories=(1, 2, 3)).value, abs=1e-12
    )
    assert gwet_ac(x, linear, categories=(1, 2, 3)).value == pytest.approx(
        gwet_ac(x, "linear", categories=(1, 2, 3)).value, abs=1e-12
    )


def test_pabak_binary_only() -> None:
    x = [[0, 0], [1, 1], [0, 1], [0, 0]]
    assert pabak(x).value == pytest.approx(2 * 0.75 - 1)
    assert pabak([[0, 0], [0, 0]]).value is None
    assert pabak([[0, 0], [0, 0]], categories=(0, 1)).value == pytest.approx(1.0)
    with pytest.raises(InputError, match="binary"):
        pabak([[0, 1], [2, 2]])


def test_within_one() -> None:
    x = [[1, 2], [1, 3], [4, 4]]
    assert within_one(x).value == pytest.approx(2 / 3)
    assert within_one([["a", "b"]]).value is None


def test_fleiss_unused_category_is_undefined_per_category() -> None:
    overall, per = fleiss_kappa([[1, 1, 2], [2, 2, 2], [1, 2, 1]], categories=(1, 2, 3))
    assert overall.defined
    third = per[2].result
    assert third.value is None
    assert "never used" in third.undefined_reason


def test_kappa_table_rejects_bad_tables() -> None:
    with pytest.raises(InputError, match="square"):
        kappa_from_table([[1, 2, 3]])
    with pytest.raises(InputError, match="non-negative"):
        kappa_from_table([[1, -2], [0, 1]])


def test_labels() -> None:
    assert label_for(0.20, "landis_koch") == "slight"
    assert label_for(0.21, "landis_koch") == "fair"
    assert label_for(-0.1, "landis_koch") == "poor"
    assert label_for(0.85, "landis_koch") == "almost perfect"
    assert label_for(0.40, "cicchetti") == "fair"
    assert label_for(0.74, "cicchetti") == "good"
    assert label_for(0.75, "cicchetti") == "excellent"
    assert label_for(0.8, "koo_li", (0.6, 0.95)) == "moderate to excellent"
    assert label_for(0.8, "koo_li", (0.76, 0.9)) == "good"
    assert label_for(0.8, "koo_li") == "good"
    assert label_for(None, "koo_li") is None
    assert label_for(0.80, "krippendorff") == "reliable"
    assert label_for(0.70, "krippendorff") == "tentative conclusions only"
    assert label_for(0.60, "krippendorff") == "unreliable"
    assert label_for(0.8, "none") is None
    with pytest.raises(InputError, match="label scheme"):
        label_for(0.5, "fleiss")
    r = icc(np.array([[1, 2], [2, 2], [3, 4], [5, 5]], dtype=float))[1]
    assert apply_label(r, "cicchetti").label == label_for(r.value, "cicchetti")


def test_to_dict_is_json_safe() -> None:
    r = AgreementResult(name="x", value=math.inf, se=math.nan, ci95=(nan, 1.0))
    d = r.to_dict()
    assert d["value"] is None
    assert d["se"] is None
    assert d["ci95"] == [None, 1.0]
    json.dumps(d, allow_nan=False)


def test_alpha_bootstrap_is_reproducible_and_seeded() -> None:
    rng = np.random.default_rng(3)
    x = rng.integers(1, 5, size=(40, 3)).astype(float)
    a = krippendorff_alpha(x, "interval", bootstrap=300, seed=7)
    b = krippendorff_alpha(x, "interval", bootstrap=300, seed=7)
    c = krippendorff_alpha(x, "interval", bootstrap=300, seed=8)
    assert a.ci95 == b.ci95
    assert a.ci95 != c.ci95
    assert a.ci95[0] < a.value < a.ci95[1]
    assert a.parameters["seed"] == 7


def test_plain_python_lists_with_none_are_accepted() -> None:
    """The dashboard passes plain lists: None and "" are missing, numbers may be ints."""
    rows = [[1, None, 2], [2, 2, ""], [3, 4, 3], [5, 5, 4], [2, 1, 2]]
    as_array = np.array([[1, nan, 2], [2, 2, nan], [3, 4, 3], [5, 5, 4], [2, 1, 2]])
    for a, b in zip(icc(rows), icc(as_array), strict=True):
        assert a.value == pytest.approx(b.value, abs=1e-12)
        assert a.n_dropped == b.n_dropped == 2
    assert krippendorff_alpha(rows, "interval", bootstrap=0).value == pytest.approx(
        krippendorff_alpha(as_array, "interval", bootstrap=0).value, abs=1e-12
    )
    assert gwet_ac(rows).value == pytest.approx(gwet_ac(as_array).value, abs=1e-12)
