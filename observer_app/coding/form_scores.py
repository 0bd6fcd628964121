"""Scores of one completed form with both the mean and the sum of every score.

THE one place where self-report forms (and the perspectives comparison) are scored. It calls the
instrument scoring rules of :func:`observer_app.coding.definitions.score_responses`; when the
response-table scoring function of ``instrument score`` (issue 10) lands, switch this function's
body to it and nothing else changes.

Definitions: ``mean`` is the mean of the answered, reverse-keyed items of the score; ``sum`` is
that mean times the score's item count (the plain sum when every item is answered; prorated by
the person-mean rule otherwise, as in ``score_responses``). A score below the instrument's
minimum answered share has neither, and ``reason`` says why. Published norms (e.g. the WAI's
36-252 total) are sums, so both are reported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from observer_app.coding.definitions import Instrument, score_responses


@dataclass(frozen=True)
class FormScore:
    id: str
    label: str
    mean: float | None
    sum: float | None
    answered: int
    items: int
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "mean": self.mean,
            "sum": self.sum,
            "answered": self.answered,
            "items": self.items,
            "reason": self.reason,
        }


def score_form(instrument: Instrument, responses: Mapping[str, int | None]) -> dict[str, FormScore]:
    """Every subscale, composite and total of one form, by score id (validates ``responses``)."""
    out: dict[str, FormScore] = {}
    definitions = {d.id: d for d in instrument.score_definitions()}
    for s in score_responses(instrument, responses).scores:
        mean: float | None = None
        if s.value is not None:
            method = definitions[s.id].method
            mean = s.value if method == "mean" else s.value / s.items
        total = None if mean is None else mean * s.items
        out[s.id] = FormScore(s.id, s.label, mean, total, s.answered, s.items, s.reason)
    return out
