"""Segment-based agreement: fixed segments (e.g. the 5-minute segments of the 3RS) as units.

For each code, every coder's record is reduced to, per segment, whether the code occurs (an
event's onset falls in the segment) and how often. Presence per segment gives a segments x
coders binary matrix -> Cohen's kappa (two coders) or Fleiss' kappa (more), and Gwet's AC1
(robust to the low or high prevalence typical of rare alliance-rupture markers); the count per
segment gives a segments x coders matrix -> ICC(A,1) (two-way random, absolute agreement,
McGraw & Wong 1996). Definitions and citations: see :mod:`.kappa`, :mod:`.gwet`, :mod:`.icc`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from observer_app.coding.agreement._data import FloatArray
from observer_app.coding.agreement.events import as_events
from observer_app.coding.agreement.gwet import gwet_ac
from observer_app.coding.agreement.icc import icc
from observer_app.coding.agreement.kappa import cohen_kappa, fleiss_kappa
from observer_app.coding.agreement.results import AgreementResult
from observer_app.coding.errors import InputError


@dataclass(frozen=True)
class SegmentAgreement:
    """Agreement on one code over fixed segments."""

    code: str
    n_segments: int
    presence_kappa: AgreementResult
    presence_ac1: AgreementResult
    count_icc: AgreementResult


def segment_counts(
    events_by_coder: Mapping[str, Iterable[Any]],
    segment_ms: int,
    *,
    start_ms: int = 0,
    end_ms: int | None = None,
) -> tuple[tuple[str, ...], dict[str, FloatArray]]:
    """Per code, a segments x coders matrix of event counts (onset in the segment)."""
    if segment_ms <= 0:
        raise InputError("the segment length must be positive")
    if len(events_by_coder) < 2:
        raise InputError("segment agreement needs at least two coders")
    coders = tuple(events_by_coder)
    evs = {c: as_events(events_by_coder[c], c) for c in coders}
    last = max((e.onset_ms for es in evs.values() for e in es), default=start_ms)
    end = end_ms if end_ms is not None else last + 1
    n_seg = max(1, math.ceil((end - start_ms) / segment_ms))
    codes = sorted({e.code for es in evs.values() for e in es})
    out = {code: np.zeros((n_seg, len(coders))) for code in codes}
    for j, c in enumerate(coders):
        for e in evs[c]:
            s = (e.onset_ms - start_ms) // segment_ms
            if 0 <= s < n_seg:
                out[e.code][s, j] += 1
    return coders, out


def segment_agreement(
    events_by_coder: Mapping[str, Iterable[Any]],
    segment_ms: int = 300_000,
    *,
    start_ms: int = 0,
    end_ms: int | None = None,
) -> tuple[SegmentAgreement, ...]:
    """Presence kappa and AC1 and count ICC(A,1) for every code, segment by segment."""
    coders, counts = segment_counts(events_by_coder, segment_ms, start_ms=start_ms, end_ms=end_ms)
    out = []
    for code, mat in counts.items():
        presence = (mat > 0).astype(np.float64)
        if len(coders) == 2:
            kap = cohen_kappa(presence, categories=(0.0, 1.0))
        else:
            kap = fleiss_kappa(presence, categories=(0.0, 1.0))[0]
        ac1 = gwet_ac(presence, categories=(0.0, 1.0))
        icc_a1 = icc(mat)[1]
        out.append(SegmentAgreement(code, mat.shape[0], kap, ac1, icc_a1))
    return tuple(out)
