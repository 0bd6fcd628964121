"""Time-based kappa (Bakeman, Quera & Gnisci 2009) of two coders' events.

The session is cut into slices of width delta; each slice takes, for each coder, the code of the
event covering its midpoint (the most recent onset when several do; point events cover the slice
of their onset) or ``(none)``. With a tolerance of t slices, a disagreement at a slice is tallied
as an agreement when coder A's code occurs in coder B's record within t slices (or B's in A's),
as their time-unit tolerance does (verify: the exact tie rules of GSEQ may differ). Cohen's kappa
of the slice table.

Reference: Bakeman, R., Quera, V., & Gnisci, A. (2009). Observer agreement for timed-event
sequential data: A comparison of time-based and event-based algorithms. *Behavior Research
Methods*, 41, 137-147.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from observer_app.coding.agreement._data import IntArray
from observer_app.coding.agreement._event_input import NONE_CODE, Track, code_index, read_track
from observer_app.coding.agreement._event_tables import kappa_stat, raw_stat
from observer_app.coding.agreement.results import (
    CodeCounts,
    ConfusionMatrix,
    EventAgreement,
    Param,
    undefined,
)
from observer_app.coding.errors import InputError


def _slice_codes(t: Track, codes: IntArray, start: int, n_slices: int, delta: int) -> IntArray:
    """Code index per slice (0 = none; ``codes`` are 1-based); later onsets overwrite earlier
    ones. An interval covers the slices whose midpoint lies in [onset, offset); a point event
    the slice of its onset."""
    out = np.zeros(n_slices, dtype=np.int64)
    s0 = (t.onset - start) // delta
    first = np.ceil((t.onset - start - delta / 2) / delta).astype(np.int64)
    last = np.ceil((t.offset - start - delta / 2) / delta).astype(np.int64)
    lo = np.clip(np.where(t.is_point, s0, first), 0, n_slices)
    hi = np.clip(np.where(t.is_point, s0 + 1, last), 0, n_slices)
    for k in np.argsort(t.onset, kind="stable").tolist():
        out[lo[k] : hi[k]] = codes[k]
    return out


def time_based_agreement(
    events_a: Iterable[Any],
    events_b: Iterable[Any],
    slice_ms: int = 1000,
    tolerance_slices: int = 0,
    *,
    start_ms: int | None = None,
    end_ms: int | None = None,
    label_scheme: str = "landis_koch",
) -> EventAgreement:
    """Time-based kappa (Bakeman, Quera & Gnisci 2009): Cohen's kappa of the slice-by-slice
    table over slices of ``slice_ms``, with a tolerance of ``tolerance_slices``."""
    if slice_ms <= 0:
        raise InputError("the slice width must be positive")
    if tolerance_slices < 0:
        raise InputError("the tolerance must be 0 slices or more")
    a = read_track(events_a, "coder A")
    b = read_track(events_b, "coder B")
    params: dict[str, Param] = {"slice_ms": slice_ms, "tolerance_slices": tolerance_slices}
    labels, ca, cb = code_index(a, b)
    codes = [NONE_CODE, *labels]
    if not len(a) and not len(b):
        und = undefined("time-based kappa", "there are no events", parameters=params)
        return EventAgreement(
            "time", ConfusionMatrix((NONE_CODE,), ((0,),), False), (und,), (), params
        )
    onsets = np.concatenate([a.onset, b.onset])
    # exclusive end: the offset of an interval, onset + 1 ms for a point event
    ends = np.concatenate([np.maximum(t.offset, t.onset + t.is_point) for t in (a, b)])
    start = int(onsets.min()) if start_ms is None else start_ms
    end = max(int(ends.max()), start + 1) if end_ms is None else end_ms
    n_slices = max(1, math.ceil((end - start) / slice_ms))
    sa = _slice_codes(a, ca + 1, start, n_slices, slice_ms)
    sb = _slice_codes(b, cb + 1, start, n_slices, slice_ms)
    table = _tally(sa, sb, tolerance_slices, len(codes))
    per = tuple(
        CodeCounts(
            c,
            int(table[k, k]),
            int(table[k].sum() - table[k, k]),
            int(table[:, k].sum() - table[k, k]),
            0,
            0,
        )
        for k, c in enumerate(codes)
    )
    stats_ = (
        raw_stat(table, "percent agreement (time)", params),
        kappa_stat(table, "time-based kappa", params, label_scheme),
    )
    return EventAgreement(
        "time",
        ConfusionMatrix(tuple(codes), tuple(tuple(int(x) for x in r) for r in table), False),
        stats_,
        per,
        params,
    )


def _tally(sa: IntArray, sb: IntArray, tol: int, q: int) -> IntArray:
    n = len(sa)
    ra, rb = sa.copy(), sb.copy()
    if tol > 0:
        for s in np.flatnonzero(sa != sb).tolist():
            lo, hi = max(0, s - tol), min(n, s + tol + 1)
            if sa[s] in sb[lo:hi]:
                rb[s] = sa[s]
            elif sb[s] in sa[lo:hi]:
                ra[s] = sb[s]
    table = np.zeros((q, q), dtype=np.int64)
    np.add.at(table, (ra, rb), 1)
    return table
