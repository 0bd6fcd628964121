"""Interpretation labels for agreement coefficients; the caller chooses the scheme.

- ``"landis_koch"``: Landis, J. R., & Koch, G. G. (1977). The measurement of observer agreement
  for categorical data. *Biometrics*, 33, 159-174. Below 0 poor, 0-.20 slight, .21-.40 fair,
  .41-.60 moderate, .61-.80 substantial, .81-1 almost perfect (proposed for kappa).
- ``"cicchetti"``: Cicchetti, D. V. (1994). Guidelines, criteria, and rules of thumb for
  evaluating normed and standardized assessment instruments in psychology. *Psychological
  Assessment*, 6, 284-290. Below .40 poor, .40-.59 fair, .60-.74 good, .75-1 excellent
  (for kappa and ICC).
- ``"koo_li"``: Koo, T. K., & Li, M. Y. (2016). A guideline of selecting and reporting intraclass
  correlation coefficients for reliability research. *Journal of Chiropractic Medicine*, 15,
  155-163. Below .50 poor, .50-.75 moderate, .75-.90 good, above .90 excellent; they ask that the
  label be judged on the 95% confidence interval, so when the result has a CI whose two limits
  fall in different bands the label spans them (e.g. ``"moderate to good"``).
- ``"krippendorff"``: Krippendorff, K. (2004). *Content Analysis* (2nd ed.), p. 241: alpha >= .800
  "reliable", .667 to .800 "tentative conclusions only", below .667 "unreliable" (for alpha).
- ``"none"``: no label.

A value exactly on a boundary takes the upper band for Cicchetti and Koo & Li (".40-.59 fair"
includes .40) and the lower band for Landis & Koch (".20" is still "slight").
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from observer_app.coding.agreement.results import AgreementResult
from observer_app.coding.errors import InputError

LabelScheme = Literal["landis_koch", "cicchetti", "koo_li", "krippendorff", "none"]
LABEL_SCHEMES: tuple[str, ...] = ("landis_koch", "cicchetti", "koo_li", "krippendorff", "none")


def landis_koch(value: float) -> str:
    """Landis & Koch (1977) band of a kappa-type value."""
    if value < 0:
        return "poor"
    for upper, name in (
        (0.20, "slight"),
        (0.40, "fair"),
        (0.60, "moderate"),
        (0.80, "substantial"),
    ):
        if value <= upper:
            return name
    return "almost perfect"


def cicchetti(value: float) -> str:
    """Cicchetti (1994) band."""
    if value < 0.40:
        return "poor"
    if value < 0.60:
        return "fair"
    if value < 0.75:
        return "good"
    return "excellent"


def koo_li(value: float) -> str:
    """Koo & Li (2016) band of one ICC value (a point estimate or one CI limit)."""
    if value < 0.50:
        return "poor"
    if value < 0.75:
        return "moderate"
    if value <= 0.90:
        return "good"
    return "excellent"


def krippendorff_rule(value: float) -> str:
    """Krippendorff (2004) reading of an alpha value."""
    if value >= 0.800:
        return "reliable"
    if value >= 0.667:
        return "tentative conclusions only"
    return "unreliable"


def label_for(
    value: float | None, scheme: str, ci95: tuple[float, float] | None = None
) -> str | None:
    """The label of ``value`` under ``scheme`` (``None`` for an undefined value or ``"none"``)."""
    if scheme not in LABEL_SCHEMES:
        raise InputError(
            f"unknown label scheme {scheme!r}; choose one of {', '.join(LABEL_SCHEMES)}"
        )
    if value is None or scheme == "none":
        return None
    if scheme == "landis_koch":
        return landis_koch(value)
    if scheme == "cicchetti":
        return cicchetti(value)
    if scheme == "krippendorff":
        return krippendorff_rule(value)
    if ci95 is None or ci95[0] != ci95[0] or ci95[1] != ci95[1]:
        return koo_li(value)
    low, high = koo_li(ci95[0]), koo_li(ci95[1])
    return low if low == high else f"{low} to {high}"


def apply_label(result: AgreementResult, scheme: str) -> AgreementResult:
    """A copy of ``result`` labelled under ``scheme``; none when its CI was withheld as
    degenerate (``ci_note``): a collapsed interval says nothing about the band."""
    if result.ci_note is not None:
        return replace(result, label=None)
    return replace(result, label=label_for(result.value, scheme, result.ci95))
