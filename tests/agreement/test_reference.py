"""Cross-checks against reference implementations on hundreds of random data sets, many with
missing values. Agreement is required to 1e-9 wherever the definitions coincide; where they
differ the test says why.
"""

from __future__ import annotations

import warnings

import krippendorff
import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import cohens_kappa as sm_cohens_kappa
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss_kappa

from observer_app.coding.agreement import (
    brennan_prediger,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac,
    icc,
    krippendorff_alpha,
)

TOL = 1e-9


def _ratings(rng: np.random.Generator, n: int, k: int, q: int, p_missing: float) -> np.ndarray:
    """Ordinal ratings 1..q with real agreement (a latent unit score plus rater noise)."""
    truth = rng.normal(size=(n, 1)) * rng.uniform(0.5, 2.0)
    bias = rng.normal(scale=0.3, size=(1, k))
    latent = truth + bias + rng.normal(size=(n, k))
    cuts = np.quantile(latent, np.linspace(0, 1, q + 1)[1:-1])
    x = (np.searchsorted(cuts, latent) + 1).astype(float)
    x[rng.random((n, k)) < p_missing] = np.nan
    return x


def _cases(seed: int, count: int, *, k_range=(2, 6), missing=0.25):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        n = int(rng.integers(5, 50))
        k = int(rng.integers(k_range[0], k_range[1] + 1))
        q = int(rng.integers(2, 8))
        yield _ratings(rng, n, k, q, float(rng.uniform(0, missing)))


def test_icc_matches_pingouin_on_200_datasets() -> None:
    """pingouin with nan_policy='omit' deletes incomplete targets listwise, as we do. ICC, F and
    p agree to 1e-9; pingouin rounds its CI to 2 decimals, so the CI is compared after rounding
    ours the same way (a limit within 1e-9 of a rounding boundary is accepted either way)."""
    checked = 0
    for x in _cases(11, 200):
        complete = x[~np.isnan(x).any(axis=1)]
        if complete.shape[0] < 3 or np.ptp(complete) == 0:
            continue
        n, k = x.shape
        long = pd.DataFrame(
            [(i, j, x[i, j]) for i in range(n) for j in range(k)], columns=["t", "r", "v"]
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = pg.intraclass_corr(long, "t", "r", "v", nan_policy="omit").set_index("Type")
        ours = {r.name: r for r in icc(x)}
        for name, row in ref.iterrows():
            r = ours[str(name)]
            assert r.n_dropped == int(np.isnan(x).any(axis=1).sum())
            if r.value is None:
                # pingouin reports MS ratios even when their denominator (a total-variance
                # estimate) is <= 0, e.g. ICC(A,k) = 2.7; we call the form undefined instead
                d = r.details
                assert d["MSR"] + (d["MSC"] - d["MSE"]) / complete.shape[0] <= 0
                assert name == "ICC(A,k)"
                continue
            assert r.value == pytest.approx(row["ICC"], abs=TOL)
            assert r.details["F"] == pytest.approx(row["F"], rel=TOL)
            assert r.p == pytest.approx(row["pval"], rel=1e-7, abs=1e-12)
            if r.ci95 is None:
                # McGraw & Wong's limits cross (lower > upper) or diverge on such data;
                # we report no interval rather than an inverted one
                continue
            for ours_lim, ref_lim in zip(r.ci95, row["CI95"], strict=True):
                if np.isnan(ref_lim):
                    # error mean square 0 (F infinite): pingouin gives nan, we give the limit 1
                    assert np.isinf(r.details["F"])
                    assert ours_lim == 1.0
                    continue
                assert abs(ours_lim - ref_lim) <= 0.005 + TOL
        checked += 1
    assert checked > 150


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_alpha_matches_krippendorff_package(level: str) -> None:
    """krippendorff (Castro) with the same value domain, on 150 data sets with missing values."""
    checked = 0
    for x in _cases(23, 150, missing=0.35):
        ours = krippendorff_alpha(x, level, bootstrap=0)
        values = np.unique(x[~np.isnan(x)])
        pairable = (~np.isnan(x)).sum(axis=1) >= 2
        if len(values) < 2 or not ours.defined:
            # the reference raises or returns nan when there is no variation among pairable values
            assert not ours.defined or pairable.sum() == 0
            continue
        ref = krippendorff.alpha(
            reliability_data=x.T, level_of_measurement=level, value_domain=values
        )
        assert ours.value == pytest.approx(ref, abs=TOL)
        checked += 1
    assert checked > 120


def test_fleiss_matches_statsmodels() -> None:
    """statsmodels' fleiss_kappa needs complete units (same m per unit); our listwise policy
    feeds it exactly the units we keep."""
    checked = 0
    for x in _cases(37, 200, k_range=(3, 6)):
        ours, _ = fleiss_kappa(x)
        complete = x[~np.isnan(x).any(axis=1)]
        if complete.shape[0] == 0 or not ours.defined:
            continue
        cats = np.unique(complete)
        counts = np.stack([(complete == c).sum(axis=1) for c in cats], axis=1)
        assert ours.value == pytest.approx(sm_fleiss_kappa(counts), abs=TOL)
        assert ours.n_dropped == x.shape[0] - complete.shape[0]
        checked += 1
    assert checked > 150


def test_cohen_matches_sklearn_and_statsmodels() -> None:
    """scikit-learn (value) and statsmodels (value and Fleiss-Cohen-Everitt SE) on the full
    scale 1..7 passed explicitly, so that unused scale points count in the weights."""
    scale = list(range(1, 8))
    checked = 0
    for x in _cases(41, 200, k_range=(2, 2)):
        both = ~np.isnan(x).any(axis=1)
        a, b = x[both, 0].astype(int), x[both, 1].astype(int)
        if len(a) < 2:
            continue
        table = np.zeros((7, 7))
        np.add.at(table, (a - 1, b - 1), 1)
        for w in ("none", "linear", "quadratic"):
            ours = cohen_kappa(x, w, categories=scale)
            if not ours.defined:
                continue
            sk_w = None if w == "none" else w
            ref = cohen_kappa_score(a, b, labels=scale, weights=sk_w)
            assert ours.value == pytest.approx(ref, abs=TOL)
            sm = sm_cohens_kappa(table) if w == "none" else sm_cohens_kappa(table, wt=w)
            assert ours.value == pytest.approx(sm.kappa, abs=TOL)
            assert ours.se == pytest.approx(sm.std_kappa, abs=TOL)
            assert ours.details["se0"] == pytest.approx(sm.std_kappa0, abs=TOL)
        checked += 1
    assert checked > 150


def test_unused_scale_point_counts() -> None:
    """The known trap: scikit-learn without labels= (and R irr) weight by the rank among the
    OBSERVED values, so an unused scale point (here 3 on a 1-5 scale) silently changes weighted
    kappa. We weight by the scale values over the full scale the caller gives; sklearn agrees
    once labels= lists the full scale. Chance-corrected coefficients whose chance term depends
    on the number of categories (Brennan-Prediger) change when unused points count."""
    x = np.array([[1, 1], [2, 2], [4, 2], [1, 2], [4, 4], [2, 1], [4, 4], [1, 1]], dtype=float)
    full = cohen_kappa(x, "linear", categories=(1, 2, 3, 4, 5))
    sk_full = cohen_kappa_score(x[:, 0], x[:, 1], labels=[1, 2, 3, 4, 5], weights="linear")
    sk_observed = cohen_kappa_score(x[:, 0], x[:, 1], weights="linear")
    assert full.value == pytest.approx(sk_full, abs=TOL)
    assert sk_observed != pytest.approx(sk_full, abs=1e-3)
    bp_full = brennan_prediger(x, categories=(1, 2, 3, 4, 5))
    bp_observed = brennan_prediger(x)
    assert bp_full.value == pytest.approx((5 / 8 - 1 / 5) / (1 - 1 / 5), abs=TOL)
    assert bp_observed.value == pytest.approx((5 / 8 - 1 / 3) / (1 - 1 / 3), abs=TOL)


def test_two_rater_ac1_and_bp_match_closed_forms() -> None:
    """For two raters with complete data, Gwet's (2008) closed form: p_e = sum_k pi_k (1 - pi_k)
    / (q - 1) with pi_k = (p_k. + p_.k) / 2, and Brennan-Prediger p_e = 1/q."""
    for x in _cases(53, 200, k_range=(2, 2), missing=0.0):
        q = 7
        a, b = x[:, 0].astype(int) - 1, x[:, 1].astype(int) - 1
        po = float(np.mean(a == b))
        pi = (np.bincount(a, minlength=q) + np.bincount(b, minlength=q)) / (2 * len(a))
        pe = float((pi * (1 - pi)).sum()) / (q - 1)
        ac1 = gwet_ac(x, categories=range(1, 8))
        assert ac1.value == pytest.approx((po - pe) / (1 - pe), abs=TOL)
        bp = brennan_prediger(x, categories=range(1, 8))
        assert bp.value == pytest.approx((po - 1 / q) / (1 - 1 / q), abs=TOL)


def _gwet_naive(x: np.ndarray, q: int, w: np.ndarray, chance: str) -> tuple[float, float]:
    """Unit-by-unit transcription of Gwet (2014, ch. 4-5) for raw ratings with missing values:
    coefficient and its standard error (no finite-population correction)."""
    units = [row[~np.isnan(row)].astype(int) - 1 for row in x]
    units = [u for u in units if len(u) >= 1]
    n = len(units)
    r = [np.bincount(u, minlength=q).astype(float) for u in units]
    two = [len(u) >= 2 for u in units]
    n2 = sum(two)
    pa_i = []
    for ri, ok in zip(r, two, strict=True):
        m = ri.sum()
        star = w @ ri
        pa_i.append(float((ri * (star - 1)).sum() / (m * (m - 1))) if ok else 0.0)
    pa = sum(pa_i) / n2
    pi = sum(ri / ri.sum() for ri in r) / n
    tw = w.sum()
    if chance == "ac":
        pe = tw / (q * (q - 1)) * float((pi * (1 - pi)).sum())
        pe_i = [tw / (q * (q - 1)) * float(ri @ (1 - pi)) / ri.sum() for ri in r]
    else:
        pe = tw / q**2
        pe_i = [pe] * n
    coef = (pa - pe) / (1 - pe)
    terms = []
    for p_i, e_i, ok in zip(pa_i, pe_i, two, strict=True):
        c_i = (n / n2) * (p_i - pe * ok) / (1 - pe)
        terms.append(c_i - 2 * (1 - coef) * (e_i - pe) / (1 - pe))
    se = float(np.sqrt(sum((t - coef) ** 2 for t in terms) / (n * (n - 1))))
    return coef, se


def test_gwet_coefficients_match_unit_by_unit_transcription() -> None:
    """No Python reference implements Gwet's raw-data formulas with missing values, so they are
    checked against a loop-by-loop transcription of the book's formulas (AC1, AC2 quadratic,
    Brennan-Prediger; values and SEs)."""
    checked = 0
    for x in _cases(61, 150, missing=0.4):
        q = 7
        scale = range(1, 8)
        v = np.arange(1.0, 8.0)
        quad = 1 - (v[:, None] - v[None, :]) ** 2 / 36
        if ((~np.isnan(x)).sum(axis=1) >= 2).sum() < 2:
            continue
        for w, name, fn, chance in (
            (np.eye(q), "none", gwet_ac, "ac"),
            (quad, "quadratic", gwet_ac, "ac"),
            (np.eye(q), "none", brennan_prediger, "bp"),
        ):
            ours = fn(x, name, categories=scale)
            coef, se = _gwet_naive(x, q, w, chance)
            assert ours.value == pytest.approx(coef, abs=TOL)
            assert ours.se == pytest.approx(se, abs=TOL)
        checked += 1
    assert checked > 100


def test_alpha_unit_bootstrap_resamples_match_the_reference() -> None:
    """bootstrap_method="units": each resample is alpha of the units drawn with replacement.
    Replaying the same seeded draws through the krippendorff package must give the same SE and
    percentile limits."""
    rng_data = np.random.default_rng(71)
    x = _ratings(rng_data, 60, 3, 5, 0.2)
    pairable = x[(~np.isnan(x)).sum(axis=1) >= 2]
    draws = 80
    ours = krippendorff_alpha(x, "ordinal", bootstrap=draws, seed=5, bootstrap_method="units")
    rng = np.random.default_rng(5)
    n = pairable.shape[0]
    weights = rng.multinomial(n, np.full(n, 1.0 / n), size=draws)
    domain = np.unique(pairable[~np.isnan(pairable)])
    ref = np.array(
        [
            krippendorff.alpha(
                reliability_data=np.repeat(pairable, w, axis=0).T,
                level_of_measurement="ordinal",
                value_domain=domain,
            )
            for w in weights
        ]
    )
    assert ours.se == pytest.approx(ref.std(ddof=1), abs=TOL)
    assert ours.ci95 == pytest.approx(tuple(np.quantile(ref, [0.025, 0.975])), abs=TOL)
