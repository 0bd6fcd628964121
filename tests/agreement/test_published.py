"""Published worked examples, reproduced to the precision they were printed with.

Each test names its source. Where the printed table itself could not be retrieved reliably, the
docstring says so and the values come from a reference implementation run in the test.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

from observer_app.coding.agreement import (
    cohen_kappa,
    fleiss_kappa,
    fleiss_kappa_counts,
    gwet_ac,
    icc,
    kappa_from_table,
    krippendorff_alpha,
    percent_agreement,
)
from observer_app.coding.agreement.gwet import brennan_prediger

# Shrout & Fleiss (1979), Table 2: six targets rated by four judges.
SHROUT_FLEISS = np.array(
    [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]],
    dtype=float,
)

# Fleiss (1971), Table 1: 30 patients, 6 psychiatrists each, number of diagnoses per category
# (depression, personality disorder, schizophrenia, neurosis, other). Transcribed from the paper
# as distributed with the quadagree R package (data_raw/fleiss1971.csv); every row sums to 6.
FLEISS_1971 = np.array(
    [
        [0, 0, 0, 6, 0], [0, 3, 0, 0, 3], [0, 1, 4, 0, 1], [0, 0, 0, 0, 6], [0, 3, 0, 3, 0],
        [2, 0, 4, 0, 0], [0, 0, 4, 0, 2], [2, 0, 3, 1, 0], [2, 0, 0, 4, 0], [0, 0, 0, 0, 6],
        [1, 0, 0, 5, 0], [1, 1, 0, 4, 0], [0, 3, 3, 0, 0], [1, 0, 0, 5, 0], [0, 2, 0, 3, 1],
        [0, 0, 5, 0, 1], [3, 0, 0, 1, 2], [5, 1, 0, 0, 0], [0, 2, 0, 4, 0], [1, 0, 2, 0, 3],
        [0, 0, 0, 0, 6], [0, 1, 0, 5, 0], [0, 2, 0, 1, 3], [2, 0, 0, 4, 0], [1, 0, 0, 4, 1],
        [0, 5, 0, 1, 0], [4, 0, 0, 0, 2], [0, 2, 0, 4, 0], [1, 0, 5, 0, 0], [0, 0, 0, 0, 6],
    ]
)  # fmt: skip
FLEISS_CATEGORIES = ("depression", "personality disorder", "schizophrenia", "neurosis", "other")

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", section E: reliability data
# of 4 observers (rows) x 12 units (columns), "." = missing.
_ = np.nan
KRIPPENDORFF_2011 = np.array(
    [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3],
        [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _],
    ]
).T  # units x observers


def _expand(table: list[list[int]]) -> np.ndarray:
    """Two raters' raw ratings (1..q) from a contingency table."""
    rows = [
        [i + 1, j + 1]
        for i, row in enumerate(table)
        for j, count in enumerate(row)
        for _k in range(count)
    ]
    return np.array(rows, dtype=float)


def test_shrout_fleiss_1979_all_six_iccs() -> None:
    """Shrout & Fleiss (1979), p. 425-426: ICC(1,1) = .17, ICC(2,1) = .29, ICC(3,1) = .71,
    ICC(1,4) = .44, ICC(2,4) = .62, ICC(3,4) = .91; ANOVA (their Table 3) BMS = 11.24,
    WMS = 6.26, JMS = 32.49, EMS = 1.02."""
    res = {r.name: r for r in icc(SHROUT_FLEISS)}
    printed = {
        "ICC(1,1)": 0.17,
        "ICC(A,1)": 0.29,
        "ICC(C,1)": 0.71,
        "ICC(1,k)": 0.44,
        "ICC(A,k)": 0.62,
        "ICC(C,k)": 0.91,
    }
    for name, value in printed.items():
        assert round(res[name].value, 2) == value, name
    d = res["ICC(A,1)"].details
    assert (round(d["MSR"], 2), round(d["MSW"], 2), round(d["MSC"], 2), round(d["MSE"], 2)) == (
        11.24,
        6.26,
        32.49,
        1.02,
    )
    assert res["ICC(A,1)"].parameters["shrout_fleiss"] == "ICC(2,1)"


def test_shrout_fleiss_1979_confidence_intervals() -> None:
    """95% CIs for the Shrout & Fleiss data. The CIs printed in the 1979 paper could not be
    retrieved reliably, so the limits are checked against pingouin (which prints them rounded to
    2 decimals) and against the unrounded limits of McGraw & Wong's (1996) formulas recomputed
    here from pingouin's F statistics."""
    long = pd.DataFrame(
        [(t, j, SHROUT_FLEISS[t, j]) for t in range(6) for j in range(4)],
        columns=["target", "judge", "rating"],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas deprecation warnings raised inside pingouin
        ref = pg.intraclass_corr(long, "target", "judge", "rating").set_index("Type")
    ours = {r.name: r for r in icc(SHROUT_FLEISS)}
    for name, row in ref.iterrows():
        r = ours[str(name)]
        assert r.value == pytest.approx(row["ICC"], abs=1e-12)
        assert r.details["F"] == pytest.approx(row["F"], rel=1e-12)
        assert r.p == pytest.approx(row["pval"], rel=1e-9)
        assert r.ci95 is not None
        assert round(r.ci95[0], 2) == pytest.approx(row["CI95"][0], abs=1e-12)
        assert round(r.ci95[1], 2) == pytest.approx(row["CI95"][1], abs=1e-12)


def test_mcgraw_wong_1996_table_6_data_confidence_limits() -> None:
    """McGraw & Wong (1996), Table 6 data (10 targets x 2 raters). The six ICCs with F, df,
    p and 95% limits as printed (3 decimals) by R psych::ICC, quoted in the verification block
    of RP Matthew's f_ICC (2018): this checks every CI formula against a second published
    implementation, including the Satterthwaite limits of the absolute-agreement forms."""
    data = np.array(
        [[103, 119], [82, 65], [116, 106], [102, 102], [99, 105],
         [98, 100], [104, 107], [62, 85], [97, 101], [107, 110]],
        dtype=float,
    )  # fmt: skip
    printed = {
        "ICC(1,1)": (0.722, 6.18, 9, 10, 0.00437, 0.241, 0.922),
        "ICC(A,1)": (0.720, 6.00, 9, 9, 0.00677, 0.228, 0.922),
        "ICC(C,1)": (0.714, 6.00, 9, 9, 0.00677, 0.197, 0.920),
        "ICC(1,k)": (0.838, 6.18, 9, 10, 0.00437, 0.389, 0.959),
        "ICC(A,k)": (0.837, 6.00, 9, 9, 0.00677, 0.371, 0.959),
        "ICC(C,k)": (0.833, 6.00, 9, 9, 0.00677, 0.329, 0.959),
    }
    for r in icc(data):
        value, f, df1, df2, p, lo, hi = printed[r.name]
        assert round(r.value, 3) == value
        assert round(r.details["F"], 2) == f
        assert (r.details["df1"], r.details["df2"]) == (df1, df2)
        assert round(r.p, 5) == p
        assert r.ci95 is not None
        assert (round(r.ci95[0], 3), round(r.ci95[1], 3)) == (lo, hi)


def test_fleiss_1971_overall_and_per_category() -> None:
    """Fleiss (1971), Table 1 example: kappa = .430; per-category kappas .245 (depression),
    .245 (personality disorder), .520 (schizophrenia), .471 (neurosis), .566 (other); category
    proportions p_j = .144, .144, .167, .306, .239. The z statistics of the per-category
    kappas under H0 (Fleiss, Nee & Landis 1979 SE sqrt(2 / (N m (m - 1)))) as printed by
    R irr::kappam.fleiss(diagnoses, detail = TRUE): 5.192, 5.192, 11.031, 9.994, 12.009."""
    overall, per = fleiss_kappa_counts(FLEISS_1971, categories=FLEISS_CATEGORIES)
    assert round(overall.value, 3) == 0.430
    want = {
        "depression": (0.245, 0.144, 5.192),
        "personality disorder": (0.245, 0.144, 5.192),
        "schizophrenia": (0.520, 0.167, 11.031),
        "neurosis": (0.471, 0.306, 9.994),
        "other": (0.566, 0.239, 12.009),
    }
    for cat in per:
        kappa, p_j, z = want[cat.category]
        assert round(cat.result.value, 3) == kappa
        assert round(cat.result.details["p_category"], 3) == p_j
        assert round(cat.result.details["z"], 3) == z
    assert overall.n_units == 30
    assert overall.n_raters == 6


def test_fleiss_1971_matches_statsmodels_raw_form() -> None:
    """statsmodels ships the Fleiss (1971) diagnoses in raw (subject x rater) form; our counts
    transcription must give the same kappa to machine precision."""
    from statsmodels.stats.inter_rater import aggregate_raters
    from statsmodels.stats.tests import test_inter_rater as sm_tests

    counts, _cats = aggregate_raters(sm_tests.diagnoses)
    ours, _ = fleiss_kappa_counts(counts)
    from_table, _ = fleiss_kappa_counts(FLEISS_1971)
    assert ours.value == pytest.approx(from_table.value, abs=1e-12)
    raw, _ = fleiss_kappa(sm_tests.diagnoses)
    assert raw.value == pytest.approx(from_table.value, abs=1e-12)


@pytest.mark.parametrize(
    ("level", "printed"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_krippendorff_2011_reliability_data(level: str, printed: float) -> None:
    """Krippendorff (2011), section E (4 observers, 12 units, missing values): alpha = .743
    nominal, .815 ordinal, .849 interval, .797 ratio; 40 pairable values in 11 units."""
    r = krippendorff_alpha(KRIPPENDORFF_2011, level, bootstrap=0)
    assert round(r.value, 3) == printed
    assert r.n_pairable == 40
    assert r.n_units == 11
    assert r.n_dropped == 1


def test_cohen_kappa_fleiss_cohen_everitt_se_sas_example() -> None:
    """Asymptotic SEs of Fleiss, Cohen & Everitt (1969) as printed by SAS PROC FREQ (AGREE) for
    the 3 x 3 table [[0,4,1],[0,8,0],[0,1,5]] (quoted in statsmodels' test suite): simple kappa
    .4842, ASE .1380, 95% CI .2137-.7547, ASE under H0 .1484, Z 3.2626, two-sided p .0011;
    weighted kappa (Cicchetti-Allison = linear weights) .4701, ASE .1457, CI .1845-.7558,
    ASE under H0 .1426, Z 3.2971, two-sided p .0010."""
    table = [[0, 4, 1], [0, 8, 0], [0, 1, 5]]
    for weights, printed in (
        ("none", (0.4842, 0.1380, 0.2137, 0.7547, 0.1484, 3.2626, 0.0011)),
        ("linear", (0.4701, 0.1457, 0.1845, 0.7558, 0.1426, 3.2971, 0.0010)),
    ):
        r = kappa_from_table(table, weights)
        assert r.ci95 is not None
        got = (r.value, r.se, r.ci95[0], r.ci95[1], r.details["se0"], r.details["z"], r.p)
        assert tuple(round(x, 4) for x in got) == printed
        raw = cohen_kappa(_expand(table), weights, categories=(1, 2, 3))
        assert raw.value == pytest.approx(r.value, abs=1e-12)
        assert raw.se == pytest.approx(r.se, abs=1e-12)


def test_cohen_1968_weighted_kappa() -> None:
    """Cohen (1968), worked example (as transcribed in the documentation of R psych's
    cohen.kappa): joint proportions [[.44,.07,.09],[.05,.20,.05],[.01,.03,.06]] with disagreement
    weights v = [[0,1,3],[1,0,6],[3,6,0]]; Cohen reports kappa = .492 and kappa_w = .348, and
    kappa_w = .353 for the non-symmetric weights [[0,1,4],[1,0,6],[2,2,0]]. Disagreement weights
    v enter as agreement weights w = 1 - v / max(v), which leaves kappa_w unchanged."""
    counts = np.array([[88, 14, 18], [10, 40, 10], [2, 6, 12]])  # proportions x 200
    assert round(kappa_from_table(counts).value, 3) == 0.492
    for v, printed in (
        ([[0, 1, 3], [1, 0, 6], [3, 6, 0]], 0.348),
        ([[0, 1, 4], [1, 0, 6], [2, 2, 0]], 0.353),
    ):
        w = 1 - np.array(v, dtype=float) / 6
        assert round(kappa_from_table(counts, w).value, 3) == printed


def test_weighted_kappa_matches_sklearn_with_full_scale() -> None:
    """scikit-learn on a 4-point scale with an unused point passed explicitly (labels=): both
    define w_ij = 1 - |i - j| / (q - 1) (linear) and 1 - (i - j)^2 / (q - 1)^2 (quadratic)."""
    from sklearn.metrics import cohen_kappa_score

    x = _expand([[11, 3, 1, 0], [2, 9, 4, 0], [0, 2, 8, 0], [0, 0, 0, 0]])
    for w, sk in (("linear", "linear"), ("quadratic", "quadratic"), ("none", None)):
        ref = cohen_kappa_score(x[:, 0], x[:, 1], labels=[1, 2, 3, 4], weights=sk)
        ours = cohen_kappa(x, w, categories=(1, 2, 3, 4))
        assert ours.value == pytest.approx(ref, abs=1e-12)


def test_gwet_2014_ac1_abstractors_table() -> None:
    """Gwet (2014) 3 x 3 "abstractors" table (13 0 0 / 0 20 7 / 0 4 56, shipped with Gwet's
    irrCAC as cont3x3abstractors); printed in Gwet's irrCAC vignette: AC1 0.8493305 (SE
    0.04321747), Cohen's kappa 0.7964094 (SE 0.05891072), Brennan-Prediger 0.835 (SE
    0.04693346), percent agreement 0.89 (SE 0.03128898).

    The contingency-table SEs in irrCAC divide by n; the raw-data formula (Gwet 2014, used here,
    and by irrCAC's *.raw functions) divides by n(n - 1): ours x sqrt((n - 1)/n) reproduces them.
    """
    x = _expand([[13, 0, 0], [0, 20, 7], [0, 4, 56]])
    n = x.shape[0]
    shrink = np.sqrt((n - 1) / n)
    ac1 = gwet_ac(x)
    assert round(ac1.value, 7) == 0.8493305
    assert round(ac1.se * shrink, 8) == 0.04321747
    bp = brennan_prediger(x)
    assert round(bp.value, 3) == 0.835
    assert round(bp.se * shrink, 8) == 0.04693346
    pa = percent_agreement(x)
    assert round(pa.value, 2) == 0.89
    assert round(pa.se * shrink, 8) == 0.03128898
    k = cohen_kappa(x)
    assert round(k.value, 7) == 0.7964094
    assert round(k.se, 8) == 0.05891072


def test_gwet_2014_raw_ratings_with_missing_values() -> None:
    """Gwet (2014, p. 120) raw ratings of 12 units by 4 raters with missing values (irrCAC's
    cac.raw4raters, the same reliability data as Krippendorff 2011). Printed by Gwet's irrCAC
    (README): percent agreement 0.8181818 (SE 0.12561); AC1 0.77544, p_e 0.1903212, SE 0.14295,
    CI (0.461, 1), p 0.000208721; Brennan-Prediger 0.77273, SE 0.14472, p 0.0002375609;
    Fleiss' kappa with missing ratings kept (Gwet's generalisation) 0.76117, p_e 0.2387153,
    SE 0.15302, CI (0.424, 1), p 0.000419173."""
    ac1 = gwet_ac(KRIPPENDORFF_2011)
    assert round(ac1.value, 5) == 0.77544
    assert round(ac1.details["p_chance"], 7) == 0.1903212
    assert round(ac1.se, 5) == 0.14295
    assert (round(ac1.ci95[0], 3), ac1.ci95[1]) == (0.461, 1.0)
    assert f"{ac1.p:.6g}" == "0.000208721"
    bp = brennan_prediger(KRIPPENDORFF_2011)
    assert (round(bp.value, 5), round(bp.se, 5)) == (0.77273, 0.14472)
    assert f"{bp.p:.7g}" == "0.0002375609"
    pa = percent_agreement(KRIPPENDORFF_2011)
    assert (round(pa.value, 7), round(pa.se, 5)) == (0.8181818, 0.12561)
    fleiss, per = fleiss_kappa(KRIPPENDORFF_2011, missing="available")
    assert (round(fleiss.value, 5), round(fleiss.se, 5)) == (0.76117, 0.15302)
    assert round(fleiss.details["p_chance"], 7) == 0.2387153
    assert (round(fleiss.ci95[0], 3), fleiss.ci95[1]) == (0.424, 1.0)
    assert f"{fleiss.p:.6g}" == "0.000419173"
    assert all(c.result.value is None for c in per)


def test_gwet_irrcac_distribution_of_six_raters() -> None:
    """irrCAC's distrib.6raters (the first 15 patients of Fleiss 1971), printed in Gwet's irrCAC
    README: AC1 0.4448007 (SE 0.08418757, p 0.0001155927, p_a 0.5511111, p_e 0.1914815);
    Fleiss' kappa 0.4139265 (SE 0.08119291, CI (0.24, 0.588)); Brennan-Prediger 0.4388889
    (SE 0.08312142)."""
    raw = np.array(
        [[j + 1 for j in range(5) for _ in range(row[j])] for row in FLEISS_1971[:15]],
        dtype=float,
    )
    ac1 = gwet_ac(raw)
    assert round(ac1.value, 7) == 0.4448007
    assert round(ac1.se, 8) == 0.08418757
    assert f"{ac1.p:.7g}" == "0.0001155927"
    assert round(ac1.details["p_observed"], 7) == 0.5511111
    assert round(ac1.details["p_chance"], 7) == 0.1914815
    fleiss, _ = fleiss_kappa(raw)
    assert round(fleiss.value, 7) == 0.4139265
    assert round(fleiss.se, 8) == 0.08119291  # Gwet's non-null SE, used for the CI
    assert (round(fleiss.ci95[0], 2), round(fleiss.ci95[1], 3)) == (0.24, 0.588)
    bp = brennan_prediger(raw)
    assert (round(bp.value, 7), round(bp.se, 8)) == (0.4388889, 0.08312142)
