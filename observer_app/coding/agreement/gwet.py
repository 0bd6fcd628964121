"""Gwet's AC1 and weighted AC2, Brennan-Prediger, percent agreement, agreement within one scale
point, and PABAK, for any number of raters with missing ratings.

Definitions (Gwet 2014, *Handbook of Inter-Rater Reliability*, 4th ed., ch. 2-4; multi-rater form
with missing ratings): r_ik raters put unit i in category k, r_i = sum_k r_ik, agreement weights
w (identity unless weighted), r*_ik = sum_l w_kl r_il. Units with r_i >= 2 (n2 of them) give the
observed agreement p_a = (1/n2) sum_i sum_k r_ik (r*_ik - 1) / (r_i (r_i - 1)). With
pi_k = (1/n) sum_i r_ik / r_i over the n units with a rating and T_w = sum of all weights:

- AC1/AC2: p_e = T_w / (q (q - 1)) sum_k pi_k (1 - pi_k)
- Brennan & Prediger (1981): p_e = T_w / q^2
- coefficient = (p_a - p_e) / (1 - p_e); percent agreement is p_a itself.

Standard errors are Gwet's (2014) linearised variances over units (finite-population
correction off); the CI and p value use Student's t with n - 1 df, and the CI is cut to the
coefficient's range (at most 1), as Gwet does.
Agreement within +/- 1 is p_a with weights w_kl = 1 when |x_k - x_l| <= 1 (numeric scale).
PABAK (Byrt, Bishop & Carlin 1993) = 2 p_o - 1 for binary codes, i.e. Brennan-Prediger with q = 2.

References: Gwet, K. L. (2008). Computing inter-rater reliability and its variance in the
presence of high agreement. *British Journal of Mathematical and Statistical Psychology*, 61,
29-48. Gwet, K. L. (2014). *Handbook of Inter-Rater Reliability* (4th ed.). Advanced Analytics.
Brennan, R. L., & Prediger, D. J. (1981). Coefficient kappa: some uses, misuses, and
alternatives. *Educational and Psychological Measurement*, 41, 687-699. Byrt, T., Bishop, J., &
Carlin, J. B. (1993). Bias, prevalence and kappa. *Journal of Clinical Epidemiology*, 46, 423-429.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import stats

from observer_app.coding.agreement._data import (
    FloatArray,
    as_2d,
    category_name,
    code_categories,
    counts_per_unit,
    weight_matrix,
)
from observer_app.coding.agreement.labels import apply_label
from observer_app.coding.agreement.results import AgreementResult, Param, Sizes, undefined
from observer_app.coding.errors import InputError


def _prepared(
    ratings: Any, categories: Sequence[Any] | None, weights: str | Sequence[Sequence[float]]
) -> tuple[FloatArray, FloatArray, dict[str, Param], Sizes, int]:
    arr = as_2d(ratings)
    coded = code_categories(arr, categories)
    counts = counts_per_unit(coded).astype(np.float64)
    r_i = counts.sum(axis=1)
    rated = r_i >= 1
    w = weight_matrix(weights, coded.scale_values())
    params: dict[str, Param] = {
        "weights": weights if isinstance(weights, str) else "custom",
        "categories": tuple(category_name(c) for c in coded.categories),
    }
    base: Sizes = {
        "n_units": int(rated.sum()),
        "n_raters": arr.shape[1],
        "n_pairable": int(r_i[r_i >= 2].sum()),
        "n_dropped": int((r_i < 2).sum()),
    }
    return counts[rated], w, params, base, len(coded.categories)


def _observed(counts: FloatArray, w: FloatArray) -> tuple[FloatArray, FloatArray, int]:
    """Per-unit observed agreement p_a,i (0 for units with one rating) and r_i, n2."""
    r_i = counts.sum(axis=1)
    star = counts @ w.T
    den = r_i * (r_i - 1)
    num = (counts * (star - 1)).sum(axis=1)
    pa_i = np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)
    return pa_i, r_i, int((r_i >= 2).sum())


def _finish(
    *,
    name: str,
    counts: FloatArray,
    w: FloatArray,
    params: dict[str, Param],
    base: Sizes,
    chance: str,
) -> AgreementResult:
    """Coefficient (p_a - p_e) / (1 - p_e) with Gwet's variance; chance: ac, bp, fleiss or
    none."""
    q = counts.shape[1]
    n = counts.shape[0]
    pa_i, r_i, n2 = _observed(counts, w)
    if n2 == 0:
        return undefined(name, "no unit has two or more ratings", parameters=params, **base)
    pa = float(pa_i.sum()) / n2
    tw = float(w.sum())
    pi = (counts / r_i[:, None]).mean(axis=0)
    if chance == "ac":
        if q < 2:
            return undefined(
                name, "the scale has one category: AC1 is 0/0", parameters=params, **base
            )
        pe = tw / (q * (q - 1)) * float((pi * (1 - pi)).sum())
        pe_i = tw / (q * (q - 1)) * (counts @ (1 - pi)) / r_i
    elif chance == "fleiss":
        wpi = w.T @ pi
        pe = float(pi @ wpi)
        pe_i = (counts @ wpi) / r_i
    elif chance == "bp":
        pe = tw / q**2
        pe_i = np.full(n, pe)
    else:
        pe, pe_i = 0.0, np.zeros(n)
    if math.isclose(pe, 1.0, rel_tol=0.0, abs_tol=1e-12):
        return undefined(
            name, "chance agreement is 1: the coefficient is 0/0", parameters=params, **base
        )
    coef = (pa - pe) / (1 - pe)
    has2 = r_i >= 2
    coef_i = (n / n2) * (pa_i - pe * has2) / (1 - pe)
    coef_i = coef_i - 2 * (1 - coef) * (pe_i - pe) / (1 - pe)
    se: float | None = None
    ci: tuple[float, float] | None = None
    p: float | None = None
    if n >= 2:
        se = math.sqrt(float(((coef_i - coef) ** 2).sum()) / (n * (n - 1)))
        tq = float(stats.t.ppf(0.975, n - 1))
        floor = 0.0 if chance == "none" else -1.0  # Gwet truncates the interval to the range
        ci = (max(coef - tq * se, floor), min(coef + tq * se, 1.0))
        if se > 0 and chance != "none":
            p = float(2 * stats.t.sf(abs(coef / se), n - 1))
    return AgreementResult(
        name=name,
        value=coef,
        se=se,
        ci95=ci,
        p=p,
        parameters=params,
        details={"p_observed": pa, "p_chance": pe},
        **base,
    )


def gwet_ac(
    ratings: Any,
    weights: str | Sequence[Sequence[float]] = "none",
    *,
    categories: Sequence[Any] | None = None,
    label_scheme: str = "landis_koch",
) -> AgreementResult:
    """Gwet's AC1 (``weights="none"``) or AC2 (linear, quadratic or a weight matrix).

    (p_a - p_e) / (1 - p_e) with p_e = T_w / (q (q - 1)) sum_k pi_k (1 - pi_k) (Gwet 2008;
    Gwet 2014, ch. 4); Gwet's linearised SE, t-based CI and p value.
    """
    counts, w, params, base, _ = _prepared(ratings, categories, weights)
    name = (
        "Gwet's AC1"
        if params["weights"] in ("none", "identity")
        else f"Gwet's AC2 ({params['weights']})"
    )
    return apply_label(
        _finish(name=name, counts=counts, w=w, params=params, base=base, chance="ac"), label_scheme
    )


def brennan_prediger(
    ratings: Any,
    weights: str | Sequence[Sequence[float]] = "none",
    *,
    categories: Sequence[Any] | None = None,
    label_scheme: str = "landis_koch",
) -> AgreementResult:
    """Brennan-Prediger coefficient (Brennan & Prediger 1981; multi-rater form of Gwet 2014):
    (p_a - p_e) / (1 - p_e) with p_e = T_w / q^2, chance from a uniform use of the q categories
    (give ``categories`` so that unused scale points count)."""
    counts, w, params, base, _ = _prepared(ratings, categories, weights)
    return apply_label(
        _finish(name="Brennan-Prediger", counts=counts, w=w, params=params, base=base, chance="bp"),
        label_scheme,
    )


def percent_agreement(
    ratings: Any,
    weights: str | Sequence[Sequence[float]] = "none",
    *,
    categories: Sequence[Any] | None = None,
) -> AgreementResult:
    """Percent agreement p_a (Gwet 2014, ch. 2): the proportion of agreeing rater pairs (0-1)
    within a unit, averaged over units with two or more ratings; with weights, partial credit."""
    counts, w, params, base, _ = _prepared(ratings, categories, weights)
    return _finish(
        name="percent agreement", counts=counts, w=w, params=params, base=base, chance="none"
    )


def within_one(ratings: Any, *, categories: Sequence[Any] | None = None) -> AgreementResult:
    """Agreement within one scale point: p_a (Gwet 2014) with weights w_kl = 1 when
    |x_k - x_l| <= 1, else 0, i.e. the proportion of rater pairs at most one point apart."""
    arr = as_2d(ratings)
    coded = code_categories(arr, categories)
    if not coded.numeric:
        return undefined(
            "agreement within 1", "agreement within one scale point needs numeric ratings"
        )
    v = coded.scale_values()
    w = (np.abs(v[:, None] - v[None, :]) <= 1.0).astype(np.float64)
    counts, _, params, base, _q = _prepared(arr, categories, "none")
    params["weights"] = "within 1"
    return _finish(
        name="agreement within 1", counts=counts, w=w, params=params, base=base, chance="none"
    )


def pabak(
    ratings: Any, *, categories: Sequence[Any] | None = None, label_scheme: str = "landis_koch"
) -> AgreementResult:
    """Prevalence- and bias-adjusted kappa (Byrt, Bishop & Carlin 1993): 2 p_o - 1 for binary
    codes (a scale of 2 categories); equal to Brennan-Prediger with q = 2."""
    counts, w, params, base, q = _prepared(ratings, categories, "none")
    if q != 2:
        if q > 2:
            raise InputError(f"PABAK is defined for binary codes; the scale has {q} categories")
        return undefined(
            "PABAK",
            "PABAK needs a two-category scale; only one category was seen (give categories=)",
            parameters=params,
            **base,
        )
    return apply_label(
        _finish(name="PABAK", counts=counts, w=w, params=params, base=base, chance="bp"),
        label_scheme,
    )


def fleiss_generalized(
    ratings: Any,
    weights: str | Sequence[Sequence[float]] = "none",
    *,
    categories: Sequence[Any] | None = None,
    label_scheme: str = "landis_koch",
) -> AgreementResult:
    """Fleiss' kappa keeping units with missing ratings (Gwet 2014, ch. 5): p_a as for AC1 over
    units with two or more ratings, p_e = sum_kl w_kl pi_k pi_l with pi_k the mean share of
    unit i's ratings in category k; with complete data it equals Fleiss (1971). Gwet's SE."""
    counts, w, params, base, _ = _prepared(ratings, categories, weights)
    params["missing"] = "available"
    name = "Fleiss' kappa"
    res = _finish(name=name, counts=counts, w=w, params=params, base=base, chance="fleiss")
    return apply_label(res, label_scheme)


def fleiss_nonnull_se(counts: FloatArray) -> tuple[float | None, tuple[float, float] | None]:
    """Gwet's (2014) non-null SE of Fleiss' kappa and its t-based 95% CI, from a units x
    categories count matrix."""
    q = counts.shape[1]
    params: dict[str, Param] = {}
    base: Sizes = {"n_units": 0, "n_raters": 0, "n_pairable": 0, "n_dropped": 0}
    res = _finish(name="", counts=counts, w=np.eye(q), params=params, base=base, chance="fleiss")
    return res.se, res.ci95
