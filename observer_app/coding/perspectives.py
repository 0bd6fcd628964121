"""Three perspectives on one alliance: comparing observer, client and therapist scores.

Pure functions (numpy/scipy) used by ``services/perspectives.py``:

* :func:`common_metric`: whether two or more instruments' scores may be compared on their own
  scale ("raw": the same response scale, min, max and anchors, and the same key: the same items,
  reverse-keyed the same way) or only on the declared common metric **POMP**, the percent of
  maximum possible, ``100 * (mean - min) / (max - min)`` (Cohen, P., Cohen, J., Aiken, L. S., &
  West, S. G. (1999). The problem of units and the circumstance for POMP. *Multivariate Behavioral
  Research*, 34(3), 315-346).
* Agreement between two perspectives over sessions: :func:`pearson`, :func:`spearman`,
  :func:`mean_difference`, :func:`bland_altman`; among all three: :func:`perspective_icc`.

Sessions of one dyad are not independent observations; these statistics treat each session as
a unit, as the pooled analyses in the alliance literature do, and report the number of sessions
(and the caller the number of dyads) so a reader can judge that.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from observer_app.coding.agreement import icc
from observer_app.coding.definitions.instrument import Instrument, ScoreDefinition

PERSPECTIVES = ("observer", "client", "therapist")
PAIRS: tuple[tuple[str, str], ...] = (
    ("observer", "client"),
    ("observer", "therapist"),
    ("client", "therapist"),
)
#: The scores compared (the WAI's three subscales and its total).
COMPARED_SCORES = ("Goal", "Task", "Bond", "total")
#: Instrument families: the same alliance measured from each perspective.
FAMILIES: dict[str, dict[str, str]] = {
    "wai": {"observer": "wai-o", "client": "wai-c", "therapist": "wai-t"},
    "wai-s": {"observer": "wai-o-s", "client": "wai-c-s", "therapist": "wai-t-s"},
}
_Z975 = float(stats.norm.ppf(0.975))


# -- metric ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Metric:
    """How one score is compared: ``"raw"`` (its own scale) or ``"pomp"`` (0-100), and why."""

    kind: str
    reason: str
    scale_min: int | None = None
    scale_max: int | None = None

    @property
    def label(self) -> str:
        if self.kind == "raw":
            return f"item mean on the shared {self.scale_min}-{self.scale_max} scale"
        return "POMP (percent of maximum possible, Cohen et al. 1999)"


def _definition(inst: Instrument, score_id: str) -> ScoreDefinition | None:
    return next((d for d in inst.score_definitions() if d.id == score_id), None)


def _scale_signature(inst: Instrument, d: ScoreDefinition) -> tuple[Any, ...] | None:
    scales = {inst.scale_of(inst.item(i)) for i in d.items}
    if len(scales) != 1:
        return None
    s = next(iter(scales))
    return (s.min, s.max, s.anchors)


def _key_signature(inst: Instrument, d: ScoreDefinition) -> tuple[tuple[str, bool], ...]:
    return tuple(sorted((i, inst.item(i).reverse) for i in d.items))


def score_range(inst: Instrument, score_id: str) -> tuple[int, int] | None:
    """(min, max) of the item scale of a score, ``None`` when its items mix scales."""
    d = _definition(inst, score_id)
    if d is None or not d.items:
        return None
    sig = _scale_signature(inst, d)
    return None if sig is None else (int(sig[0]), int(sig[1]))


def common_metric(instruments: Sequence[Instrument], score_id: str) -> Metric | None:
    """The metric on which ``score_id`` of these instruments is compared; ``None`` if not at all.

    Raw when every instrument scores it on the same scale (min, max, anchors) and with the same
    key (items and reverse keying); POMP when each has the score on one item scale; else none.
    """
    defs = [_definition(i, score_id) for i in instruments]
    if any(d is None or not d.items for d in defs):
        return None
    pairs = [(i, d) for i, d in zip(instruments, defs, strict=True) if d is not None]
    scales = [_scale_signature(i, d) for i, d in pairs]
    if any(s is None for s in scales):
        return None
    keys = [_key_signature(i, d) for i, d in pairs]
    first = scales[0]
    assert first is not None
    if len(set(scales)) == 1 and len(set(keys)) == 1:
        return Metric("raw", "same scale, anchors and key", int(first[0]), int(first[1]))
    why = "scales differ" if len(set(scales)) > 1 else "keys differ"
    return Metric("pomp", f"{why}: compared as percent of maximum possible")


def pomp(mean: float, scale_min: int, scale_max: int) -> float:
    """Percent of maximum possible: ``100 (mean - min) / (max - min)`` (Cohen et al. 1999)."""
    return 100.0 * (mean - scale_min) / (scale_max - scale_min)


# -- two perspectives ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Statistic:
    """One number with its 95% CI, the sessions used, and why it is undefined when it is."""

    name: str
    value: float | None
    ci95: tuple[float, float] | None = None
    n: int = 0
    p: float | None = None
    reason: str | None = None
    details: dict[str, float | None] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value,
            "ci95": list(self.ci95) if self.ci95 else None,
            "n": self.n,
            "p": self.p,
            "reason": self.reason,
            "details": dict(self.details),
        }


def _pairs(x: Sequence[float | None], y: Sequence[float | None]) -> tuple[Any, Any]:
    kept = [(a, b) for a, b in zip(x, y, strict=True) if a is not None and b is not None]
    a = np.array([p[0] for p in kept], dtype=float)
    b = np.array([p[1] for p in kept], dtype=float)
    return a, b


def _correlation(name: str, a: Any, b: Any, se_factor: float) -> Statistic:
    n = len(a)
    if n < 3:
        return Statistic(name, None, n=n, reason=f"needs at least 3 sessions; got {n}")
    if float(np.ptp(a)) == 0.0 or float(np.ptp(b)) == 0.0:
        return Statistic(name, None, n=n, reason="one perspective does not vary")
    r = float(np.corrcoef(a, b)[0, 1])
    r = max(-1.0, min(1.0, r))
    p = 0.0  # a perfect correlation: t is infinite
    if abs(r) < 1.0:
        t = r * math.sqrt((n - 2) / (1 - r * r))
        p = float(2 * stats.t.sf(abs(t), n - 2))
    if n < 4:
        return Statistic(name, r, n=n, p=p, reason="no CI: needs at least 4 sessions")
    if abs(r) >= 1.0:
        return Statistic(name, r, (r, r), n=n, p=0.0)
    z = math.atanh(r)
    half = _Z975 * math.sqrt(se_factor / (n - 3))
    return Statistic(name, r, (math.tanh(z - half), math.tanh(z + half)), n=n, p=p)


def pearson(x: Sequence[float | None], y: Sequence[float | None]) -> Statistic:
    """Pearson's r over the sessions both perspectives have, p from the t test on n - 2 df, and
    the 95% CI by Fisher's z: ``tanh(atanh(r) +- 1.96 / sqrt(n - 3))`` (Fisher, R. A. (1921). On
    the "probable error" of a coefficient of correlation deduced from a small sample. *Metron*,
    1, 3-32)."""
    a, b = _pairs(x, y)
    return _correlation("Pearson r", a, b, 1.0)


def spearman(x: Sequence[float | None], y: Sequence[float | None]) -> Statistic:
    """Spearman's rho (Pearson's r of the average ranks), p from the t approximation, and the
    95% CI by Fisher's z with the variance ``1.06 / (n - 3)`` of Fieller, Hartley & Pearson
    (1957). Tests for rank correlation coefficients. I. *Biometrika*, 44, 470-481."""
    a, b = _pairs(x, y)
    ra = stats.rankdata(a) if len(a) else a
    rb = stats.rankdata(b) if len(b) else b
    return _correlation("Spearman rho", ra, rb, 1.06)


def mean_difference(x: Sequence[float | None], y: Sequence[float | None]) -> Statistic:
    """The mean of ``x - y`` over sessions with both, with the paired t 95% CI
    ``d +- t(.975, n - 1) s_d / sqrt(n)`` (Student 1908) and the p of the paired t test."""
    a, b = _pairs(x, y)
    d = a - b
    n = len(d)
    name = "mean difference"
    if n == 0:
        return Statistic(name, None, n=0, reason="no session has both perspectives")
    mean = float(np.mean(d))
    if n < 2:
        return Statistic(name, mean, n=n, reason="no CI: needs at least 2 sessions")
    sd = float(np.std(d, ddof=1))
    se = sd / math.sqrt(n)
    half = float(stats.t.ppf(0.975, n - 1)) * se
    p = None if se == 0 else float(2 * stats.t.sf(abs(mean / se), n - 1))
    return Statistic(name, mean, (mean - half, mean + half), n=n, p=p, details={"sd": sd})


def bland_altman(x: Sequence[float | None], y: Sequence[float | None]) -> tuple[Statistic, ...]:
    """Bias and 95% limits of agreement ``d +- 1.96 s_d``, each limit with its approximate 95%
    CI ``+- t(.975, n - 1) sqrt(3 s_d^2 / n)`` (Bland, J. M., & Altman, D. G. (1986).
    Statistical methods for assessing agreement between two methods of clinical measurement.
    *The Lancet*, 327(8476), 307-310). Only meaningful when both are on the same scale."""
    a, b = _pairs(x, y)
    d = a - b
    n = len(d)
    if n < 3:
        why = f"needs at least 3 sessions; got {n}"
        return (
            Statistic("LoA lower", None, n=n, reason=why),
            Statistic("LoA upper", None, n=n, reason=why),
        )
    mean = float(np.mean(d))
    sd = float(np.std(d, ddof=1))
    half = float(stats.t.ppf(0.975, n - 1)) * math.sqrt(3 * sd * sd / n)
    out = []
    for name, limit in (("LoA lower", mean - _Z975 * sd), ("LoA upper", mean + _Z975 * sd)):
        out.append(
            Statistic(
                name, limit, (limit - half, limit + half), n=n, details={"bias": mean, "sd": sd}
            )
        )
    return tuple(out)


def perspective_icc(columns: Sequence[Sequence[float | None]]) -> tuple[Statistic, ...]:
    """ICC(A,1) (absolute agreement) and ICC(C,1) (consistency) with sessions as units and the
    perspectives as raters, sessions missing a perspective dropped (McGraw & Wong 1996; computed
    by :func:`observer_app.coding.agreement.icc`)."""
    n = len(columns[0]) if columns else 0
    matrix = [[math.nan if c[i] is None else c[i] for c in columns] for i in range(n)]
    wanted = {"ICC(A,1)", "ICC(C,1)"}
    out = []
    for r in icc(matrix) if n else ():
        if r.name in wanted:
            p = None if r.p is None else float(r.p)
            out.append(
                Statistic(r.name, r.value, r.ci95, n=r.n_units, p=p, reason=r.undefined_reason)
            )
    if not out:
        reason = "no sessions"
        out = [Statistic(name, None, n=0, reason=reason) for name in sorted(wanted)]
    return tuple(out)
