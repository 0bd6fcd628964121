"""Typed, immutable result objects returned by every agreement statistic.

A statistic that cannot be computed for the data given is still returned as an
:class:`AgreementResult`, with ``value`` set to ``None`` and ``undefined_reason`` saying why
(never a silent 1.0, never an exception for a data condition such as zero variance).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, TypedDict

Param = str | int | float | bool | None | tuple[float, ...] | tuple[str, ...]


def _clean(x: float | None) -> float | None:
    """Finite float or ``None`` (JSON has no NaN or infinity)."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


class Sizes(TypedDict):
    """The sample-size fields shared by every result."""

    n_units: int
    n_raters: int
    n_pairable: int
    n_dropped: int


@dataclass(frozen=True)
class AgreementResult:
    """One agreement statistic for one data set.

    ``value``: the estimate, or ``None`` when undefined (``undefined_reason`` says why).
    ``se``: standard error where a formula is defined; ``ci95``: 95% confidence interval;
    ``p``: p value of the test of no agreement beyond chance (null value 0) where defined.
    ``n_units``: units used; ``n_raters``: raters (columns) used; ``n_pairable``: pairable
    values (ratings in units with at least two ratings); ``n_dropped``: units excluded
    (e.g. incomplete units under listwise deletion). ``parameters``: the options that produced
    the value (level, weights, categories, ...). ``label``: interpretation label from the
    scheme the caller chose. ``details``: further named numbers (e.g. observed and chance
    agreement, F and degrees of freedom). ``ci_note``: why a defined value has no CI (e.g. the
    interval collapsed to a point, which is never an interval estimate); such a result carries
    no interpretation label.
    """

    name: str
    value: float | None
    se: float | None = None
    ci95: tuple[float, float] | None = None
    p: float | None = None
    n_units: int = 0
    n_raters: int = 0
    n_pairable: int = 0
    n_dropped: int = 0
    parameters: Mapping[str, Param] = field(default_factory=dict)
    label: str | None = None
    undefined_reason: str | None = None
    details: Mapping[str, float | None] = field(default_factory=dict)
    ci_note: str | None = None

    @property
    def defined(self) -> bool:
        return self.value is not None

    def with_label(self, label: str | None) -> AgreementResult:
        return replace(self, label=label)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dictionary (the ``--json`` schema of ``observer-app agree``)."""
        ci = None
        if self.ci95 is not None:
            ci = [_clean(self.ci95[0]), _clean(self.ci95[1])]
        return {
            "name": self.name,
            "value": _clean(self.value),
            "ci95": ci,
            "se": _clean(self.se),
            "p": _clean(self.p),
            "n_units": self.n_units,
            "n_raters": self.n_raters,
            "n_pairable": self.n_pairable,
            "n_dropped": self.n_dropped,
            "label": self.label,
            "undefined_reason": self.undefined_reason,
            "ci_note": self.ci_note,
            "parameters": {
                k: list(v) if isinstance(v, tuple) else v for k, v in self.parameters.items()
            },
            "details": {k: _clean(v) for k, v in self.details.items()},
        }


#: Values closer to 0 than this are rounding noise of a subtraction and are reported as 0.
TINY = 1e-12


def snap(x: float) -> float:
    """``x`` with rounding noise around 0 removed (|x| < :data:`TINY` becomes 0.0), so that an
    ICC of exactly 0 is not printed as -1.7e-16."""
    return 0.0 if abs(x) < TINY else x


def collapsed(ci: tuple[float, float], value: float) -> bool:
    """True when a CI's limits coincide (to 1e-9 of the value's scale): a point is not an
    interval estimate and must never be shown as one."""
    return abs(ci[1] - ci[0]) <= 1e-9 * max(1.0, abs(value))


def undefined(
    name: str,
    reason: str,
    *,
    n_units: int = 0,
    n_raters: int = 0,
    n_pairable: int = 0,
    n_dropped: int = 0,
    parameters: Mapping[str, Param] | None = None,
) -> AgreementResult:
    """An undefined statistic, with the reason in words."""
    return AgreementResult(
        name=name,
        value=None,
        n_units=n_units,
        n_raters=n_raters,
        n_pairable=n_pairable,
        n_dropped=n_dropped,
        parameters=dict(parameters or {}),
        undefined_reason=reason,
    )


@dataclass(frozen=True)
class CategoryAgreement:
    """Agreement on one category (Fleiss per-category kappa, or per code for events)."""

    category: str
    result: AgreementResult


@dataclass(frozen=True)
class CodeCounts:
    """Per-code event matching outcome: how many events of this code were matched with an
    event of the same code (``matched``), with an event of another code (``mismatched``,
    counted once per pair, for the code of coder A and for the code of coder B), or left
    unmatched by coder A and by coder B."""

    code: str
    matched: int
    mismatched_a: int
    mismatched_b: int
    unmatched_a: int
    unmatched_b: int


@dataclass(frozen=True)
class ConfusionMatrix:
    """Square confusion matrix of coder A (rows) by coder B (columns).

    ``labels`` names the rows and columns; when ``has_unmatched`` the last label is
    ``"unmatched"`` and its row (column) counts events of coder B (coder A) that found no
    partner. The unmatched/unmatched cell is always 0.
    """

    labels: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]
    has_unmatched: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "labels": list(self.labels),
            "counts": [list(r) for r in self.counts],
            "has_unmatched": self.has_unmatched,
        }


@dataclass(frozen=True)
class EventAgreement:
    """Agreement of two coders' timed events.

    ``method``: ``"point"``, ``"elan"`` or ``"time"``; ``confusion``: the matched table (with
    the unmatched row and column where the method has them); ``statistics``: the named
    statistics (percent agreement, kappa with and without unmatched events, ...);
    ``per_code``: matching outcome per code; ``parameters``: tolerance, threshold, slice width.
    """

    method: str
    confusion: ConfusionMatrix
    statistics: tuple[AgreementResult, ...]
    per_code: tuple[CodeCounts, ...]
    parameters: Mapping[str, Param]
    pairs: tuple[tuple[int, int], ...] = ()

    def statistic(self, name: str) -> AgreementResult:
        for s in self.statistics:
            if s.name == name:
                return s
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "parameters": dict(self.parameters),
            "confusion": self.confusion.to_dict(),
            "results": [s.to_dict() for s in self.statistics],
            "per_code": [
                {
                    "code": c.code,
                    "matched": c.matched,
                    "mismatched_a": c.mismatched_a,
                    "mismatched_b": c.mismatched_b,
                    "unmatched_a": c.unmatched_a,
                    "unmatched_b": c.unmatched_b,
                }
                for c in self.per_code
            ],
        }
