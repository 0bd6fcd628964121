"""How agreement results read in the dashboard: numbers, intervals, tooltips."""

from __future__ import annotations

import math
from typing import Any

from observer_app.coding import agreement as ag

DASH = "–"


def fmt(value: float | None, digits: int = 2) -> str:
    if value is None or not math.isfinite(value):
        return DASH
    return f"{value:.{digits}f}"


def fmt_result(r: ag.AgreementResult | None) -> str:
    return DASH if r is None else fmt(r.value)


def fmt_ci(r: ag.AgreementResult | None) -> str:
    if r is None or r.ci95 is None:
        return ""
    return f"[{fmt(r.ci95[0])}, {fmt(r.ci95[1])}]"


def why(r: ag.AgreementResult | None) -> str | None:
    if r is None:
        return None
    if r.undefined_reason:
        return f"{r.name}: undefined ({r.undefined_reason})"
    extra = f", {r.n_dropped} incomplete dropped" if r.n_dropped else ""
    n = f"n = {r.n_units} units, {r.n_raters} coders{extra}"
    ci = fmt_ci(r) or (f"(no CI: {r.ci_note})" if r.ci_note else "")
    return f"{r.name} = {fmt(r.value, 3)} {ci} ({n})"


def unused(c: Any) -> bool:
    """A code neither coder logged (its agreement is undefined, not poor)."""
    return bool(c.events_a == 0 and c.events_b == 0)
