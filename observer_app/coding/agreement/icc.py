"""Intraclass correlation coefficients: the six forms of Shrout & Fleiss (1979) / McGraw & Wong
(1996), each with its F test, p value and 95% confidence interval.

Definitions (n units, k raters, mean squares of the two-way ANOVA without replication: MSR rows
= units, MSC columns = raters, MSE residual, and MSW = (SSC + SSE) / (n(k - 1)) within units):

- ICC(1,1) (one-way random, single)  = (MSR - MSW) / (MSR + (k - 1) MSW)
- ICC(A,1) = ICC(2,1) (two-way, absolute agreement, single)
  = (MSR - MSE) / (MSR + (k - 1) MSE + k (MSC - MSE) / n)
- ICC(C,1) = ICC(3,1) (two-way, consistency, single) = (MSR - MSE) / (MSR + (k - 1) MSE)
- ICC(1,k) = (MSR - MSW) / MSR;  ICC(A,k) = (MSR - MSE) / (MSR + (MSC - MSE) / n);
  ICC(C,k) = (MSR - MSE) / MSR  (the average of the k raters).

F tests of ICC = 0: MSR/MSW on (n - 1, n(k - 1)) df for the one-way forms, MSR/MSE on
(n - 1, (n - 1)(k - 1)) df for the two-way forms. Confidence intervals: McGraw & Wong (1996),
Table 7 (exact F-based limits for ICC(1) and ICC(C); Satterthwaite's approximate df for ICC(A),
as in Fleiss & Shrout 1978).

Edge rules (each a test in tests/agreement/test_degenerate.py):

- A form whose denominator (a sum of variance-component estimates) is not positive is undefined,
  and the reason names the cause from the mean squares (e.g. MSR = 0: every unit has the same
  mean), never a guess.
- MSE = 0 (raters differ at most by a constant): F is infinite, ICC(C,*) = 1 and its interval
  collapses to 1; ICC(A,*) < 1 when MSC > 0 and keeps its own Satterthwaite interval (ICC(A,k)
  its own limits, as irr and psych give).
- Satterthwaite's df is bounded below by k - 1 (see ``_absolute_ci``).
- An interval that collapses to a point (F = 0, F infinite, or limits equal to 1e-9) or does
  not contain its estimate is withheld: ``ci95`` is None and ``ci_note`` says why; such a
  result carries no label. A defined ICC without a CI always has a ``ci_note``.
- |value| < 1e-12 is rounding noise of a subtraction and is reported as 0.

Missing values: listwise deletion. A unit with any missing rating is dropped (``n_dropped``);
a rater column with no rating at all is ignored first (it is not part of the design).

References: Shrout, P. E., & Fleiss, J. L. (1979). Intraclass correlations: uses in assessing
rater reliability. *Psychological Bulletin*, 86, 420-428. McGraw, K. O., & Wong, S. P. (1996).
Forming inferences about some intraclass correlation coefficients. *Psychological Methods*, 1,
30-46.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from observer_app.coding.agreement._data import FloatArray, as_2d, to_float
from observer_app.coding.agreement.labels import apply_label
from observer_app.coding.agreement.results import AgreementResult, collapsed, snap, undefined

#: Result names in the order returned, with their Shrout & Fleiss aliases.
ICC_FORMS: tuple[tuple[str, str], ...] = (
    ("ICC(1,1)", "ICC(1,1)"),
    ("ICC(A,1)", "ICC(2,1)"),
    ("ICC(C,1)", "ICC(3,1)"),
    ("ICC(1,k)", "ICC(1,k)"),
    ("ICC(A,k)", "ICC(2,k)"),
    ("ICC(C,k)", "ICC(3,k)"),
)


@dataclass(frozen=True)
class _Anova:
    n: int
    k: int
    msr: float
    msc: float
    mse: float
    msw: float


def _anova(x: FloatArray) -> _Anova:
    n, k = x.shape
    grand = float(x.mean())
    row_means = x.mean(axis=1)
    col_means = x.mean(axis=0)
    ssr = k * float(((row_means - grand) ** 2).sum())
    ssc = n * float(((col_means - grand) ** 2).sum())
    resid = x - row_means[:, None] - col_means[None, :] + grand
    sse = float((resid**2).sum())
    return _Anova(
        n=n,
        k=k,
        msr=ssr / (n - 1),
        msc=ssc / (k - 1),
        mse=sse / ((n - 1) * (k - 1)),
        msw=(ssc + sse) / (n * (k - 1)),
    )


def _ftest(num: float, den: float, df1: float, df2: float) -> tuple[float, float]:
    """F statistic and upper-tail p value; F = inf when the error mean square is 0."""
    if den == 0:
        return (math.inf, 0.0) if num > 0 else (math.nan, math.nan)
    f = num / den
    return f, float(stats.f.sf(f, df1, df2))


def _single(f: float, k: int) -> float:
    return 1.0 if math.isinf(f) else (f - 1) / (f + k - 1)


def _average(f: float) -> float:
    if f == 0:
        return -math.inf
    return 1.0 if math.isinf(f) else 1 - 1 / f


def _exact_ci(
    f: float, df1: float, df2: float, k: int, alpha: float
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Limits for ICC(1,1)/ICC(C,1) and their k forms (McGraw & Wong 1996, Table 7)."""
    if math.isnan(f):
        nan = (math.nan, math.nan)
        return nan, nan
    fl = f / float(stats.f.ppf(1 - alpha / 2, df1, df2))
    fu = f * float(stats.f.ppf(1 - alpha / 2, df2, df1))
    return (_single(fl, k), _single(fu, k)), (_average(fl), _average(fu))


def _absolute_ci(
    a: _Anova, icc_a1: float, alpha: float
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Satterthwaite limits for ICC(A,1) and ICC(A,k) (McGraw & Wong 1996, Table 7).

    Guard: Satterthwaite's df for the combination ``ca MSC + cb MSE`` is only an approximation
    for non-negative coefficients, and then it is never below the smaller of the two mean
    squares' df (k - 1). A negative ICC(A,1) makes ``ca`` negative, and the formula can return
    a df near 0 (an F quantile of 1e304 and an interval that collapses onto a point). The df is
    therefore bounded below by k - 1. A limit whose denominator is 0 is NaN (no interval).
    """
    n, k = a.n, a.k
    nan = (math.nan, math.nan)
    if not math.isfinite(icc_a1) or icc_a1 >= 1:
        return nan, nan
    ca = k * icc_a1 / (n * (1 - icc_a1))
    cb = 1 + k * icc_a1 * (n - 1) / (n * (1 - icc_a1))
    den = (ca * a.msc) ** 2 / (k - 1) + (cb * a.mse) ** 2 / ((n - 1) * (k - 1))
    if den == 0:
        return nan, nan
    v = max((ca * a.msc + cb * a.mse) ** 2 / den, float(k - 1))
    fu = float(stats.f.ppf(1 - alpha / 2, n - 1, v))
    fl = float(stats.f.ppf(1 - alpha / 2, v, n - 1))
    c = k * a.msc + (k * n - k - n) * a.mse
    lo1 = _div(n * (a.msr - fu * a.mse), fu * c + n * a.msr)
    hi1 = _div(n * (fl * a.msr - a.mse), c + n * fl * a.msr)
    lok = _div(n * (a.msr - fu * a.mse), fu * (a.msc - a.mse) + n * a.msr)
    hik = _div(n * (fl * a.msr - a.mse), a.msc - a.mse + n * fl * a.msr)
    return (lo1, hi1), (lok, hik)


def _div(num: float, den: float) -> float:
    return num / den if den != 0 else math.nan


def _not_positive(name: str, a: _Anova) -> str:
    """Why an ICC's denominator (a sum of variance-component estimates) is not positive, from
    the mean squares themselves rather than a guess."""
    ms = f"MSR = {a.msr:.4g}, MSC = {a.msc:.4g}, MSE = {a.mse:.4g}, MSW = {a.msw:.4g}"
    if a.msr == 0:
        cause = "every unit has the same mean rating (MSR = 0): no between-unit variance"
    elif name.startswith("ICC(A") and a.msc < a.mse:
        cause = "the rater mean square is smaller than the error mean square"
    else:
        cause = "the error mean square exceeds the between-unit mean square"
    return (
        f"the denominator of this ICC (an estimate of total variance from the mean squares) is "
        f"not positive, so the ratio is not an ICC: {cause} ({ms})"
    )


def _ratio(num: float, den: float, scale: float) -> float:
    """num / den, NaN when the denominator (a sum of variance-component estimates) is not
    positive: then the estimate is meaningless (e.g. ICC(A,k) > 1 when MSE far exceeds MSR).
    A denominator within rounding noise of 0 (1e-12 of the mean squares' ``scale``) counts as
    0: it would otherwise give an "ICC" of -6e15."""
    return snap(num / den) if den > 1e-12 * scale else math.nan


def _ci_and_note(
    ci: tuple[float, float], value: float, f: float
) -> tuple[tuple[float, float] | None, str | None]:
    """The CI to report, or None and the reason (never a point shown as an interval)."""
    if math.isnan(value):
        return None, None
    if math.isinf(f):
        return None, (
            "the error mean square is 0 (the raters differ at most by a constant), so F is "
            "infinite and the interval collapses to a point: no CI"
        )
    if f == 0:
        return None, "the between-unit mean square is 0 (F = 0): the interval collapses, no CI"
    if not all(math.isfinite(c) for c in ci):
        return None, "the confidence limits are not defined for these mean squares"
    lo, hi = snap(ci[0]), snap(ci[1])
    if collapsed((lo, hi), value):
        return None, "the interval collapses to a point at these degrees of freedom: no CI"
    if not lo - 1e-9 <= value <= hi + 1e-9:
        return None, "the approximate interval does not contain the estimate: no CI"
    return (lo, hi), None


def _prepare(ratings: Any) -> tuple[FloatArray | None, int, int, str | None]:
    """Complete-case matrix, units dropped, raters in input, or a reason it is unusable."""
    arr = as_2d(ratings)
    x, reason = to_float(arr)
    if x is None:
        return None, 0, arr.shape[1], f"ICC needs numeric ratings: {reason}"
    used = ~np.all(np.isnan(x), axis=0)
    x = x[:, used]
    complete = ~np.any(np.isnan(x), axis=1)
    return x[complete], int((~complete).sum()), arr.shape[1], None


def icc(
    ratings: Any, *, alpha: float = 0.05, label_scheme: str = "koo_li"
) -> tuple[AgreementResult, ...]:
    """All six ICC forms for a units x raters matrix (NaN = missing), in :data:`ICC_FORMS` order.

    Returns six results; when the ICC is undefined (fewer than 2 complete units or 2 raters,
    non-numeric ratings, or no variance at all) every result says why.
    ``parameters['shrout_fleiss']`` gives the Shrout & Fleiss name; ``details`` the mean
    squares, F and degrees of freedom.
    """
    x, dropped, _raters_in, reason = _prepare(ratings)
    params: dict[str, Any] = {"missing": "listwise", "alpha": alpha}
    n, k = (0, 0) if x is None else x.shape
    if reason is None and k < 2:
        reason = f"ICC needs at least 2 raters with ratings; got {k}"
    if reason is None and n < 2:
        reason = f"ICC needs at least 2 units rated by every rater; got {n} ({dropped} dropped)"
    if reason is None and x is not None and float(np.ptp(x)) == 0.0:
        reason = "all ratings are identical: there is no variance to apportion"
    if reason is not None or x is None:
        why = reason or "no data"
        return tuple(
            undefined(
                name,
                why,
                n_units=n,
                n_raters=k,
                n_dropped=dropped,
                parameters={**params, "shrout_fleiss": sf},
            )
            for name, sf in ICC_FORMS
        )
    return tuple(apply_label(r, label_scheme) for r in _icc_complete(x, dropped, params, alpha))


def _icc_complete(
    x: FloatArray, dropped: int, params: dict[str, Any], alpha: float
) -> list[AgreementResult]:
    a = _anova(x)
    n, k = a.n, a.k
    df_r, df_w, df_e = n - 1, n * (k - 1), (n - 1) * (k - 1)
    f1, p1 = _ftest(a.msr, a.msw, df_r, df_w)
    fc, pc = _ftest(a.msr, a.mse, df_r, df_e)
    scale = a.msr + a.msc + a.mse + a.msw
    values = {
        "ICC(1,1)": _ratio(a.msr - a.msw, a.msr + (k - 1) * a.msw, scale),
        "ICC(A,1)": _ratio(a.msr - a.mse, a.msr + (k - 1) * a.mse + k * (a.msc - a.mse) / n, scale),
        "ICC(C,1)": _ratio(a.msr - a.mse, a.msr + (k - 1) * a.mse, scale),
        "ICC(1,k)": _ratio(a.msr - a.msw, a.msr, scale),
        "ICC(A,k)": _ratio(a.msr - a.mse, a.msr + (a.msc - a.mse) / n, scale),
        "ICC(C,k)": _ratio(a.msr - a.mse, a.msr, scale),
    }
    ci1, ci1k = _exact_ci(f1, df_r, df_w, k, alpha)
    cic, cick = _exact_ci(fc, df_r, df_e, k, alpha)
    cia, ciak = _absolute_ci(a, values["ICC(A,1)"], alpha)
    cis = {
        "ICC(1,1)": ci1,
        "ICC(A,1)": cia,
        "ICC(C,1)": cic,
        "ICC(1,k)": ci1k,
        "ICC(A,k)": ciak,
        "ICC(C,k)": cick,
    }
    tests = {"1": (f1, p1, df_r, df_w), "A": (fc, pc, df_r, df_e), "C": (fc, pc, df_r, df_e)}
    out = []
    for name, sf in ICC_FORMS:
        f, p, d1, d2 = tests[name[4]]
        value = values[name]
        # ICC(A,*) with MSE = 0 but MSC > 0 is below 1 and its Satterthwaite CI is defined
        f_ci = f if not (name[4] == "A" and math.isinf(f) and a.msc > 0) else 1.0
        ci, note = _ci_and_note(cis[name], value, f_ci)
        out.append(
            AgreementResult(
                name=name,
                value=None if math.isnan(value) else value,
                ci95=ci,
                ci_note=note,
                p=None if math.isnan(p) else p,
                n_units=n,
                n_raters=k,
                n_pairable=n * k,
                n_dropped=dropped,
                parameters={**params, "shrout_fleiss": sf},
                undefined_reason=_not_positive(name, a) if math.isnan(value) else None,
                details={
                    "F": f,
                    "df1": float(d1),
                    "df2": float(d2),
                    "MSR": a.msr,
                    "MSC": a.msc,
                    "MSE": a.mse,
                    "MSW": a.msw,
                },
            )
        )
    return out
