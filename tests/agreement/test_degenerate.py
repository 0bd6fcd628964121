"""Degenerate and edge cases found against R irr/psych and irrCAC (issue 13): each with the
reference value it must match, and the rule that a collapsed interval is never shown."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from observer_app.coding.agreement import cohen_kappa, icc


def _by_name(x: np.ndarray) -> dict:
    return {r.name: r for r in icc(x)}


def test_wide_csv_that_raised_zero_division(tmp_path: Path) -> None:
    """Three units remain after listwise deletion and every unit has the same mean (MSR = 0):
    the ICC(A,k) limits' denominator is 0. It used to raise ZeroDivisionError."""
    f = tmp_path / "r.csv"
    f.write_text("unit,R1,R2,R3\nu1,2,4,2\nu2,4,2,2\nu3,6,,6\nu4,4,2,2\n")
    out = subprocess.run(
        [sys.executable, "-m", "observer_app", "agree", str(f), "--stat", "icc", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    res = {r["name"]: r for r in json.loads(out.stdout)["results"]}
    assert res["ICC(1,1)"]["value"] == pytest.approx(-0.5)
    assert res["ICC(A,1)"]["n_dropped"] == 1
    for name in ("ICC(1,k)", "ICC(A,k)", "ICC(C,k)"):
        assert res[name]["value"] is None
        assert "MSR = 0" in res[name]["undefined_reason"]
        assert "error mean square" not in res[name]["undefined_reason"]
    for name in ("ICC(1,1)", "ICC(A,1)", "ICC(C,1)"):
        # F = 0: the interval collapses onto -1/(k-1); withheld with the reason, no label
        assert res[name]["ci95"] is None and res[name]["ci_note"]
        assert res[name]["label"] is None


def test_absolute_agreement_ci_when_raters_differ_by_a_constant() -> None:
    """MSE = 0, MSC > 0: irr::icc and psych::ICC both give ICC(A,k) CI [0.4896, 0.9975]
    (the app used to give ICC(A,1)'s interval [0.2423, 0.9926] for both)."""
    x = np.array([[1, 2, 3], [3, 4, 5], [4, 5, 6], [8, 9, 10], [9.5, 10.5, 11.5]])
    r = _by_name(x)
    assert r["ICC(A,k)"].ci95 == pytest.approx((0.4896, 0.9975), abs=5e-5)
    assert r["ICC(A,1)"].ci95 == pytest.approx((0.2423, 0.9926), abs=5e-5)
    # consistency is exactly 1 with an infinite F: the CI collapses to 1 and is withheld
    for name in ("ICC(C,1)", "ICC(C,k)"):
        assert r[name].value == 1.0
        assert r[name].ci95 is None and "collapses" in r[name].ci_note
        assert r[name].label is None


def test_satterthwaite_df_is_guarded_against_collapse() -> None:
    """A negative ICC(A,1) made the approximate df 0.005 and the ICC(A,k) interval collapse
    near -32.7 (outside its own estimate of -18.3); the df is bounded below by k - 1."""
    x = np.array([[1.0, 5.0], [2.0, 4.0], [5.0, 2.0], [1.0, 5.0]])
    for name, res in _by_name(x).items():
        assert res.ci95 is not None, name
        lo, hi = res.ci95
        assert hi - lo > 0.1, name
        assert lo <= res.value <= hi, name


def test_no_collapsed_interval_is_ever_reported() -> None:
    rng = np.random.default_rng(13)
    for _ in range(3000):
        n, k = int(rng.integers(2, 9)), int(rng.integers(2, 5))
        x = rng.integers(1, 6, size=(n, k)).astype(float)
        for r in icc(x):
            if r.ci95 is not None:
                assert r.ci95[1] - r.ci95[0] > 1e-9
                assert r.ci95[0] - 1e-9 <= r.value <= r.ci95[1] + 1e-9
            elif r.defined:
                assert r.ci_note, (r.name, x.tolist())  # a defined ICC without CI says why


def test_tiny_values_are_zero() -> None:
    """ICC(1,1) of this matrix is exactly 0 (MSR = MSW = 0.0143 in exact arithmetic); it
    printed as -1.7e-16."""
    x = np.array(
        [[0.2, 0.2], [0.2, 0.1], [0.4, 0.3], [0.5, 0.1], [0.1, 0.2], [0.2, 0.3], [0.4, 0.3]]
    )
    assert _by_name(x)["ICC(1,1)"].value == 0.0


def test_kappa_se_exactly_zero() -> None:
    """Perfect agreement: the Fleiss-Cohen-Everitt variance is 0 in exact arithmetic (it printed
    as an SE of 1.2e-8); the CI collapses and is withheld, with no label."""
    a = [4, 2, 2, 5, 2, 2, 4, 4, 1, 1, 2, 5, 3, 4, 2, 2, 4, 5]
    x = np.c_[a, a].astype(float)
    for w in ("none", "linear", "quadratic"):
        r = cohen_kappa(x, w, categories=range(1, 6))
        assert r.se == 0.0
        assert r.ci95 is None and r.ci_note and r.label is None
        assert r.value == pytest.approx(1.0)


def test_kappa_when_each_coder_used_one_value() -> None:
    """Each coder used a single value: kappa is 0 with SE 0; shown as CI [0, 0] "slight" before."""
    x = np.array([[1.0, 2.0]] * 6)
    r = cohen_kappa(x, categories=[1, 2, 3])
    assert r.value == 0.0 and r.se == 0.0
    assert r.ci95 is None and r.label is None and "single category" in r.ci_note


def test_kappa_tiny_value_is_zero() -> None:
    a = [4, 5, 1, 1, 5, 1, 3, 1, 2, 3, 3, 3, 1, 1, 1, 1, 4, 3, 4, 2, 4, 4, 2]
    x = np.c_[a, [5] * len(a)].astype(float)
    r = cohen_kappa(x, "linear", categories=range(1, 6))
    assert r.value == 0.0 and r.se == 0.0


def test_ordinary_kappa_keeps_its_interval() -> None:
    x = np.array([[1, 1], [2, 2], [1, 2], [3, 3], [2, 2], [3, 1], [1, 1]], dtype=float)
    r = cohen_kappa(x, categories=[1, 2, 3])
    assert r.ci95 is not None and r.ci_note is None and r.label is not None
    assert math.isclose(r.ci95[1] - r.value, r.value - r.ci95[0])


def test_alpha_with_many_distinct_values_matches_the_reference() -> None:
    """Continuous scores (subscale means): the estimate is computed pair by pair and equals the
    krippendorff package's (kept small: that reference builds units x q x q arrays); then a
    study-sized case with thousands of distinct values runs with its pair bootstrap."""
    import krippendorff

    from observer_app.coding.agreement import krippendorff_alpha

    rng = np.random.default_rng(3)
    truth = rng.normal(4, 1, (120, 1))
    x = np.round(truth + rng.normal(0, 0.6, (120, 4)), 2)
    x[rng.random(x.shape) < 0.1] = np.nan
    assert len(np.unique(x[~np.isnan(x)])) > 200
    ours = krippendorff_alpha(x, "interval", bootstrap=200, seed=1)
    ref = krippendorff.alpha(reliability_data=x.T, level_of_measurement="interval")
    assert ours.value == pytest.approx(ref, abs=1e-12)
    for level in ("ordinal", "ratio", "nominal"):
        mine = krippendorff_alpha(x, level, bootstrap=0).value
        theirs = krippendorff.alpha(reliability_data=x.T, level_of_measurement=level)
        assert mine == pytest.approx(theirs, abs=1e-10), level
    big = np.round(rng.normal(4, 1, (2000, 1)) + rng.normal(0, 0.6, (2000, 4)), 3)
    assert len(np.unique(big)) > 3000
    res = krippendorff_alpha(big, "interval", bootstrap=1000, seed=1)
    assert res.ci95 is not None and res.ci95[0] < res.value < res.ci95[1]
    assert krippendorff_alpha(big, "interval", bootstrap=1000, seed=1).ci95 == res.ci95


def test_denominator_of_rounding_noise_is_not_positive() -> None:
    """ICC(A,k)'s denominator MSR + (MSC - MSE)/n is 0 here in exact arithmetic; rounding made
    it 1e-16 and the "ICC" -6.0e15 (or -4.4e15 with the units reordered: found by hypothesis)."""
    x = np.array([[4.0, 2, 2], [1, 5, 4], [1, 3, 4]])
    r = _by_name(x)["ICC(A,k)"]
    assert r.value is None and "not positive" in r.undefined_reason


#: R psych::ICC on the data of ``test_collapsed_ci_reference_psych`` (Rscript, R 4.2.2 Patched
#: (2022-11-10 r83330), psych 2.2.9 (Debian r-cran-psych), call ``ICC(x, lmer = FALSE)``; the
#: ``results`` columns ICC, lower bound, upper bound, printed with 10 significant digits).
_PSYCH_4X2 = {
    "ICC(1,1)": (-0.9600000000, -0.9959182068, -0.5288378061),
    "ICC(A,1)": (-0.3243243243, math.nan, -0.3424637786),
    "ICC(C,1)": (-0.9230769231, -0.9948317684, -0.2364246025),
    "ICC(1,k)": (-48.0000000000, -487.9807280800, -2.2448227509),
    "ICC(A,k)": (-0.9600000000, math.nan, -1.0416575312),
    "ICC(C,k)": (-24.0000000000, -384.9795594687, -0.6192567318),
}


def test_collapsed_ci_reference_psych() -> None:
    """Issue 13's collapsed ICC(A,k) interval, reproduced (found by a random search over small
    integer matrices): Satterthwaite's df (McGraw & Wong 1996, Table 7) is 0.0033 here, so the
    unguarded ICC(A,k) limits were [-1.04167, -1.04166], a point that excludes the estimate
    -0.96. psych::ICC shows the same breakdown: lower limit NaN, upper limit -1.0417 below
    its own estimate (irr's ICC(A,k) interval uses ICC(A,1)'s coefficient: not a reference).
    The estimates and the exact F intervals must equal psych's; for ICC(A,*) the app bounds the
    df below by k - 1 and reports an interval that contains its estimate and is not a point."""
    x = np.array([[5.0, 1.0], [5.0, 1.0], [2.0, 3.0], [5.0, 1.0]])
    r = _by_name(x)
    for name, (value, lo, hi) in _PSYCH_4X2.items():
        assert r[name].value == pytest.approx(value, abs=1e-9), name
        if not math.isnan(lo):
            assert r[name].ci95 == pytest.approx((lo, hi), abs=1e-9), name
    for name in ("ICC(A,1)", "ICC(A,k)"):
        res = r[name]
        assert res.ci95 is not None, name
        lo, hi = res.ci95
        assert hi - lo > 0.1 and lo <= res.value <= hi, name
        assert abs(hi - _PSYCH_4X2[name][2]) > 0.1, name  # not psych's df-collapsed limit
