"""Instrument agreement: per item and score, the rating arrays and their ICC, alpha and kappa."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from observer_app.coding import agreement as ag
from observer_app.coding.definitions import Instrument, score_responses
from observer_app.coding.errors import InputError
from observer_app.services.reliability.design import Layout, Work
from observer_app.services.reliability.report import FloatArray, RatingMatrix, ScoreReliability
from observer_app.services.reliability.request import ICC_FORM_NAMES, ReliabilityRequest

#: Responses per assignment, per unit ("session", 0) / ("segment", i), per item.
Forms = Mapping[int, Mapping[tuple[str, int], Mapping[str, int | None]]]


def item_arrays(
    inst: Instrument,
    work: Sequence[Work],
    forms: Forms,
    units: Mapping[tuple[int, str, int], int],
    lay: Layout,
) -> dict[str, FloatArray]:
    out = {i.id: np.full((len(units), len(lay.names)), np.nan) for i in inst.items}
    for w in work:
        for (kind, index), responses in forms[w.assignment_id].items():
            row = units[(w.recording_id, kind, index)]
            for item_id, value in responses.items():
                if item_id in out and value is not None:
                    out[item_id][row, lay.column[w.assignment_id]] = value
    return out


def score_arrays(
    inst: Instrument,
    work: Sequence[Work],
    forms: Forms,
    units: Mapping[tuple[int, str, int], int],
    lay: Layout,
) -> dict[str, FloatArray]:
    defs = inst.score_definitions()
    out = {d.id: np.full((len(units), len(lay.names)), np.nan) for d in defs}
    for w in work:
        for (kind, index), responses in forms[w.assignment_id].items():
            known = {k: v for k, v in responses.items() if k in set(inst.item_ids)}
            try:
                scores = score_responses(inst, known)
            except InputError:
                continue  # an invalid form has no score (the Ratings sheet shows it)
            row = units[(w.recording_id, kind, index)]
            for sc in scores.scores:
                if sc.value is not None:
                    out[sc.id][row, lay.column[w.assignment_id]] = sc.value
    return out


def score_reliability(
    kind: str,
    ident: str,
    label: str,
    *,
    matrix: RatingMatrix,
    request: ReliabilityRequest,
    categories: tuple[float, ...] | None,
    icc_form: str,
    min_units: int,
) -> ScoreReliability:
    x = matrix.array()
    iccs = ag.icc(x)
    chosen = iccs[ICC_FORM_NAMES.index(icc_form)]
    alpha = ag.krippendorff_alpha(
        x, request.alpha_level, bootstrap=request.bootstrap, seed=request.seed
    )
    kappa: ag.AgreementResult | None = None
    if categories is not None:
        kappa = kappa_for_raters(x, categories)
    insufficient = not_enough(chosen.n_units, min_units)
    if insufficient:
        iccs = tuple(r.with_label(None) for r in iccs)
        chosen = chosen.with_label(None)
        alpha = alpha.with_label(None)
        kappa = None if kappa is None else kappa.with_label(None)
    flagged = not insufficient and (chosen.value is None or chosen.value < request.icc_threshold)
    return ScoreReliability(
        kind, ident, label, iccs, chosen, alpha, kappa, flagged, matrix, insufficient
    )


def not_enough(n_units: int, min_units: int) -> str | None:
    """The minimum-units rule: below it a statistic is "not enough units (n)"."""
    return f"not enough units ({n_units})" if n_units < min_units else None


def kappa_for_raters(x: FloatArray, categories: Sequence[float]) -> ag.AgreementResult:
    """Cohen's kappa for two coders, Fleiss' kappa for more (on the full scale)."""
    if x.shape[1] == 2:
        return ag.cohen_kappa(x, categories=categories)
    return ag.fleiss_kappa(x, categories=categories)[0]
