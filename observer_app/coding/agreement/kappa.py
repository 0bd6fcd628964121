"""Cohen's kappa (unweighted, weighted) for two raters and Fleiss' kappa for many raters.

Cohen (1960, 1968): with p_ij the proportion of units rater 1 put in category i and rater 2 in
j, agreement weights w_ij (1 on the diagonal), p_o = sum w_ij p_ij and p_e = sum w_ij p_i. p_.j,
kappa_w = (p_o - p_e) / (1 - p_e). Linear weights 1 - |x_i - x_j| / (x_max - x_min), quadratic
weights 1 - (x_i - x_j)^2 / (x_max - x_min)^2, over the FULL category scale the caller gives
(an unused scale point still widens the scale), or a caller-given weight matrix.
Standard errors: Fleiss, Cohen & Everitt (1969), the large-sample SE for the CI (kappa +/-
1.96 SE) and the SE under kappa = 0 for the z test. Units missing either rating are dropped.
Edge rules: a variance that is the difference of two equal terms up to rounding (1e-12
relative) is exactly 0, so an SE of 0 (perfect agreement; a rater who used one category) is 0,
not 1e-8; an SE of 0 collapses the interval to a point, which is withheld (``ci95`` None, the
reason in ``ci_note``, no label); |kappa| < 1e-12 is reported as 0.

Fleiss (1971): N units each rated by m raters into q categories, n_ij raters put unit i in
category j, p_j = sum_i n_ij / (N m), P_i = (sum_j n_ij^2 - m) / (m (m - 1)),
kappa = (mean P_i - sum p_j^2) / (1 - sum p_j^2); per category
kappa_j = 1 - sum_i n_ij (m - n_ij) / (N m (m - 1) p_j q_j). The SEs are those under the null
hypothesis of no agreement (Fleiss, Nee & Landis 1979; Fleiss, Levin & Paik 2003, ch. 18), used
for the z tests; no CI is given because no non-null SE is defined in that framework.

References: Cohen, J. (1960). *Educational and Psychological Measurement*, 20, 37-46.
Cohen, J. (1968). Weighted kappa. *Psychological Bulletin*, 70, 213-220. Fleiss, J. L., Cohen,
J., & Everitt, B. S. (1969). Large sample standard errors of kappa and weighted kappa.
*Psychological Bulletin*, 72, 323-327. Fleiss, J. L. (1971). Measuring nominal scale agreement
among many raters. *Psychological Bulletin*, 76, 378-382. Fleiss, J. L., Nee, J. C. M., &
Landis, J. R. (1979). Large sample variance of kappa in the case of different sets of raters.
*Psychological Bulletin*, 86, 974-977.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import stats

from observer_app.coding.agreement._data import (
    Coded,
    FloatArray,
    IntArray,
    as_2d,
    category_name,
    code_categories,
    counts_per_unit,
    weight_matrix,
)
from observer_app.coding.agreement.gwet import fleiss_generalized, fleiss_nonnull_se
from observer_app.coding.agreement.labels import apply_label
from observer_app.coding.agreement.results import (
    AgreementResult,
    CategoryAgreement,
    Param,
    Sizes,
    snap,
    undefined,
)
from observer_app.coding.errors import InputError

Z975 = float(stats.norm.ppf(0.975))


def _cat_param(categories: Sequence[Any]) -> tuple[str, ...]:
    return tuple(category_name(c) for c in categories)


def kappa_from_table(
    table: Any,
    weights: str | Sequence[Sequence[float]] = "none",
    *,
    scale: Sequence[float] | None = None,
    name: str | None = None,
    label_scheme: str = "landis_koch",
) -> AgreementResult:
    """Cohen's (weighted) kappa of a q x q contingency table (rater 1 rows, rater 2 columns).

    kappa_w = (p_o - p_e) / (1 - p_e), p_o = sum w_ij p_ij, p_e = sum w_ij p_i. p_.j (Cohen 1960,
    1968); SE, CI and z test of Fleiss, Cohen & Everitt (1969). ``scale``: numeric value of each
    category for linear/quadratic weights (default 1..q).
    """
    t = np.asarray(table, dtype=np.float64)
    if t.ndim != 2 or t.shape[0] != t.shape[1]:
        raise InputError("a kappa contingency table must be square")
    if np.any(t < 0) or not np.all(np.isfinite(t)):
        raise InputError("a kappa contingency table must hold non-negative counts")
    q = t.shape[0]
    values = np.arange(1.0, q + 1) if scale is None else np.asarray(scale, dtype=np.float64)
    w = weight_matrix(weights, values)
    wname = weights if isinstance(weights, str) else "custom"
    title = name or (
        "Cohen's kappa" if wname in ("none", "identity") else f"weighted kappa ({wname})"
    )
    params: dict[str, Param] = {"weights": wname}
    return apply_label(_cohen_core(t, w, title, params), label_scheme)


def _cohen_core(
    t: FloatArray, w: FloatArray, title: str, params: dict[str, Param], dropped: int = 0
) -> AgreementResult:
    n = float(t.sum())
    base: Sizes = {"n_units": int(n), "n_raters": 2, "n_pairable": int(2 * n), "n_dropped": dropped}
    if n == 0:
        return undefined(title, "no unit was rated by both raters", parameters=params, **base)
    p = t / n
    pr, pc = p.sum(axis=1), p.sum(axis=0)
    po = float((w * p).sum())
    pe = float(pr @ w @ pc)
    if math.isclose(pe, 1.0, rel_tol=0.0, abs_tol=1e-12):
        return undefined(
            title,
            "chance agreement is 1 (both raters used one and the same category for every "
            "unit): kappa is 0/0",
            parameters=params,
            **base,
        )
    kappa = snap((po - pe) / (1 - pe))
    wr = w @ pc  # weighted mean over columns for each row category
    wc = pr @ w  # weighted mean over rows for each column category
    s = wr[:, None] + wc[None, :]
    scale = n * (1 - pe) ** 2
    t1 = float((p * (w - s * (1 - kappa)) ** 2).sum())
    var = _var(t1, (kappa - pe * (1 - kappa)) ** 2, scale)
    t0 = float((np.outer(pr, pc) * (w - s) ** 2).sum())
    var0 = _var(t0, pe**2, scale)
    se = math.sqrt(var)
    se0 = math.sqrt(var0)
    pval = float(2 * stats.norm.sf(abs(kappa) / se0)) if se0 > 0 else None
    ci: tuple[float, float] | None = (kappa - Z975 * se, kappa + Z975 * se)
    note = None
    if se == 0:
        ci, note = None, _ZERO_SE
    return AgreementResult(
        name=title,
        value=kappa,
        se=se,
        ci95=ci,
        ci_note=note,
        p=pval,
        parameters=params,
        details={"p_observed": po, "p_chance": pe, "se0": se0, "z": kappa / se0 if se0 else None},
        **base,
    )


_ZERO_SE = (
    "the standard error is 0 (perfect agreement, or a rater who used a single category), so "
    "the interval collapses to a point: no CI"
)


def _var(first: float, second: float, scale: float) -> float:
    """(first - second) / scale, exactly 0 when the difference is rounding noise of two equal
    terms (it would otherwise print as an SE of ~1e-8 where the SE is 0)."""
    diff = first - second
    if diff <= 1e-12 * max(abs(first), abs(second), 1e-300):
        return 0.0
    return diff / scale


def cohen_kappa(
    ratings: Any,
    weights: str | Sequence[Sequence[float]] = "none",
    *,
    categories: Sequence[Any] | None = None,
    label_scheme: str = "landis_koch",
) -> AgreementResult:
    """Cohen's kappa for a units x 2 matrix (NaN/None/"" = missing).

    kappa_w = (p_o - p_e) / (1 - p_e) with agreement weights w (Cohen 1960; Cohen 1968); SE and
    CI of Fleiss, Cohen & Everitt (1969), z test with the SE under kappa = 0.

    ``weights``: ``"none"``, ``"linear"``, ``"quadratic"`` or a q x q agreement-weight matrix
    in the order of ``categories``. ``categories``: the full ordered scale (recommended:
    without it only observed values form the scale, which changes weighted kappa whenever a
    scale point went unused). Non-numeric categories get their rank as scale value.
    """
    arr = as_2d(ratings)
    wname = weights if isinstance(weights, str) else "custom"
    title = "Cohen's kappa" if wname in ("none", "identity") else f"weighted kappa ({wname})"
    if arr.shape[1] != 2:
        return undefined(
            title,
            f"Cohen's kappa needs exactly 2 raters; got {arr.shape[1]} (use Fleiss' kappa)",
            n_raters=arr.shape[1],
        )
    coded = code_categories(arr, categories)
    q = len(coded.categories)
    params: dict[str, Param] = {"weights": wname, "categories": _cat_param(coded.categories)}
    both = np.all(coded.codes >= 0, axis=1)
    dropped = int((~both).sum())
    if q == 0:
        return undefined(title, "there are no ratings", n_raters=2, n_dropped=dropped)
    table = np.zeros((q, q))
    np.add.at(table, (coded.codes[both, 0], coded.codes[both, 1]), 1.0)
    w = weight_matrix(weights, coded.scale_values())
    return apply_label(_cohen_core(table, w, title, params, dropped), label_scheme)


def fleiss_kappa_counts(
    counts: Any,
    *,
    categories: Sequence[Any] | None = None,
    label_scheme: str = "landis_koch",
    dropped: int = 0,
    n_raters: int | None = None,
) -> tuple[AgreementResult, tuple[CategoryAgreement, ...]]:
    """Fleiss' kappa from a units x categories matrix of counts (every row sums to m).

    kappa = (mean P_i - sum p_j^2) / (1 - sum p_j^2) and per category
    kappa_j = 1 - sum_i n_ij (m - n_ij) / (N m (m - 1) p_j q_j) (Fleiss 1971); SEs under H0
    (Fleiss, Nee & Landis 1979).

    Returns the overall result and one per category (``CategoryAgreement``).
    """
    c = np.asarray(counts, dtype=np.float64)
    if c.ndim != 2:
        raise InputError("Fleiss counts must be a units x categories matrix")
    if np.any(c < 0) or np.any(c != np.round(c)):
        raise InputError("Fleiss counts must be non-negative whole numbers")
    q = c.shape[1]
    names = (
        tuple(category_name(x) for x in categories)
        if categories is not None
        else tuple(str(j + 1) for j in range(q))
    )
    if len(names) != q:
        raise InputError(f"{len(names)} category names for {q} count columns")
    title = "Fleiss' kappa"
    params: dict[str, Param] = {
        "categories": names,
        "missing": "listwise",
        "se": "non-null SE and CI: Gwet (2014); z test and per-category SEs under H0: "
        "Fleiss, Nee & Landis (1979)",
    }
    sums = c.sum(axis=1)
    n_units = c.shape[0]
    m = float(sums[0]) if n_units else 0.0
    base: Sizes = {
        "n_units": n_units,
        "n_raters": int(n_raters if n_raters is not None else m),
        "n_pairable": int(sums.sum()),
        "n_dropped": dropped,
    }
    reason = _fleiss_reason(sums, n_units, m, q)
    if reason:
        und = undefined(title, reason, parameters=params, **base)
        return und, tuple(CategoryAgreement(nm, und) for nm in names)
    return _fleiss_core(
        c=c, m=m, names=names, title=title, params=params, base=base, label_scheme=label_scheme
    )


def _fleiss_reason(sums: FloatArray, n_units: int, m: float, q: int) -> str | None:
    if n_units == 0:
        return "no unit was rated by every rater"
    if np.any(sums != m):
        return "Fleiss' kappa needs the same number of ratings for every unit"
    if m < 2:
        return f"Fleiss' kappa needs at least 2 ratings per unit; got {int(m)}"
    if q < 2:
        return "there is only one category: chance agreement is 1 and kappa is 0/0"
    return None


def _fleiss_core(
    *,
    c: FloatArray,
    m: float,
    names: tuple[str, ...],
    title: str,
    params: dict[str, Param],
    base: Sizes,
    label_scheme: str,
) -> tuple[AgreementResult, tuple[CategoryAgreement, ...]]:
    n = c.shape[0]
    pj = c.sum(axis=0) / (n * m)
    qj = 1 - pj
    p_i = ((c * c).sum(axis=1) - m) / (m * (m - 1))
    pbar = float(p_i.mean())
    pe = float((pj**2).sum())
    per_se = math.sqrt(2.0 / (n * m * (m - 1)))
    per = []
    for j, nm in enumerate(names):
        per.append(
            CategoryAgreement(
                nm,
                _fleiss_category(col=c[:, j], m=m, pj=float(pj[j]), se=per_se, base=base, name=nm),
            )
        )
    labelled = tuple(
        CategoryAgreement(x.category, apply_label(x.result, label_scheme)) for x in per
    )
    if math.isclose(pe, 1.0, rel_tol=0.0, abs_tol=1e-12):
        und = undefined(
            title,
            "every rating is in the same category: chance agreement is 1, kappa is 0/0",
            parameters=params,
            **base,
        )
        return und, labelled
    kappa = (pbar - pe) / (1 - pe)
    se_gwet, ci = fleiss_nonnull_se(c)
    pq = float((pj * qj).sum())
    se = (
        math.sqrt(2.0)
        / (pq * math.sqrt(n * m * (m - 1)))
        * math.sqrt(max(pq**2 - float((pj * qj * (qj - pj)).sum()), 0.0))
    )
    z = kappa / se if se > 0 else math.nan
    overall = AgreementResult(
        name=title,
        value=kappa,
        se=se_gwet,
        ci95=ci,
        p=float(2 * stats.norm.sf(abs(z))) if se > 0 else None,
        parameters=params,
        details={"p_observed": pbar, "p_chance": pe, "se0": se, "z": z if se > 0 else None},
        **base,
    )
    return apply_label(overall, label_scheme), labelled


def _fleiss_category(
    *, col: FloatArray, m: float, pj: float, se: float, base: Sizes, name: str
) -> AgreementResult:
    title = f"Fleiss' kappa [{name}]"
    if pj in {0.0, 1.0}:
        why = "the category was never used" if pj == 0 else "every rating is in this category"
        return undefined(title, f"{why}: kappa for it is 0/0", **base)
    n = col.shape[0]
    kj = 1 - float((col * (m - col)).sum()) / (n * m * (m - 1) * pj * (1 - pj))
    z = kj / se
    return AgreementResult(
        name=title,
        value=kj,
        se=se,
        p=float(2 * stats.norm.sf(abs(z))),
        details={"p_category": pj, "z": z},
        **base,
    )


def fleiss_kappa(
    ratings: Any,
    *,
    categories: Sequence[Any] | None = None,
    missing: str = "listwise",
    label_scheme: str = "landis_koch",
) -> tuple[AgreementResult, tuple[CategoryAgreement, ...]]:
    """Fleiss' kappa (Fleiss 1971; see :func:`fleiss_kappa_counts`) for a units x raters
    matrix. ``missing="listwise"`` (default) drops units with a missing rating, as Fleiss
    (1971) assumes m ratings per unit; ``missing="available"`` keeps them with Gwet's (2014)
    generalisation (overall kappa only: per-category kappas need complete units). Rater
    columns with no rating at all are ignored."""
    if missing not in ("listwise", "available"):
        raise InputError("missing must be 'listwise' or 'available'")
    arr = as_2d(ratings)
    if missing == "available":
        overall = fleiss_generalized(arr, categories=categories, label_scheme=label_scheme)
        why = "per-category kappas need complete units (missing='listwise')"
        cats = overall.parameters.get("categories", ())
        names = cats if isinstance(cats, tuple) else ()
        return overall, tuple(
            CategoryAgreement(str(nm), undefined(f"Fleiss' kappa [{nm}]", why)) for nm in names
        )
    coded = code_categories(arr, categories)
    codes = coded.codes[:, np.any(coded.codes >= 0, axis=0)]
    complete = np.all(codes >= 0, axis=1)
    kept = Coded(codes[complete], coded.categories)
    counts: IntArray = counts_per_unit(kept)
    return fleiss_kappa_counts(
        counts,
        categories=coded.categories,
        label_scheme=label_scheme,
        dropped=int((~complete).sum()),
        n_raters=codes.shape[1],
    )
