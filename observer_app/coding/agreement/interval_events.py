"""Interval-event agreement: the "modified kappa" of ELAN (Holle & Rein 2015, EasyDIAg).

Two annotations are linked when their overlap, relative to the longer of the two, reaches the
threshold (default 0.60); links are made greedily, largest relative overlap first, each
annotation at most once, regardless of code. Unlinked annotations go to the extra row and column.
Reported as ELAN does: raw agreement, kappa and kappa_max with unmatched annotations, kappa_ipf
(chance agreement from the table fitted by iterative proportional fitting, 20 iterations from a
seed of ones with a structural zero in the unmatched/unmatched cell; zeros replaced by 0.001 as
ELAN does), and raw agreement, kappa and kappa_max on the matched block alone.
kappa_max = (p_max - p_e) / (1 - p_e), p_max = sum_k min(row_k, col_k) / N (Cohen 1960).

Reference: Holle, H., & Rein, R. (2015). EasyDIAg: A tool for easy determination of interrater
agreement. *Behavior Research Methods*, 47, 837-847.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from observer_app.coding.agreement._data import IntArray
from observer_app.coding.agreement._event_input import (
    Track,
    canonical_order,
    code_index,
    read_track,
)
from observer_app.coding.agreement._event_tables import paired_result, table_from_pairs
from observer_app.coding.agreement.labels import apply_label
from observer_app.coding.agreement.results import (
    AgreementResult,
    EventAgreement,
    Param,
    undefined,
)
from observer_app.coding.errors import InputError


def _intervals(t: Track, who: str) -> tuple[IntArray, IntArray]:
    bad = t.offset <= t.onset
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise InputError(f"{who} event {k + 1}: interval agreement needs an offset after the onset")
    return t.onset, t.offset


def match_interval_events(
    events_a: Iterable[Any], events_b: Iterable[Any], threshold: float = 0.60
) -> list[tuple[int, int]]:
    """Holle & Rein (2015) linking: greedy, largest overlap relative to the longer annotation
    first; a link needs relative overlap >= threshold."""
    a, b = read_track(events_a, "coder A"), read_track(events_b, "coder B")
    _, ca, cb = code_index(a, b)
    return _match_intervals(a, b, threshold, ca, cb)


def _match_intervals(
    a: Track, b: Track, threshold: float, ca: IntArray, cb: IntArray
) -> list[tuple[int, int]]:
    if not 0 < threshold <= 1:
        raise InputError("the overlap threshold must be in (0, 1]")
    _intervals(a, "coder A")
    _intervals(b, "coder B")
    if not len(a) or not len(b):
        return []
    oa, ob = canonical_order(a.onset, a.offset, ca), canonical_order(b.onset, b.offset, cb)
    pairs = _link_sorted(a.onset[oa], a.offset[oa], b.onset[ob], b.offset[ob], threshold)
    return [(int(oa[i]), int(ob[j])) for i, j in pairs]


def _link_sorted(
    on_a: IntArray, off_a: IntArray, on_b: IntArray, off_b: IntArray, threshold: float
) -> list[tuple[int, int]]:
    ii, jj = _interval_candidates(on_a, off_a, on_b, off_b)
    overlap = np.minimum(off_a[ii], off_b[jj]) - np.maximum(on_a[ii], on_b[jj])
    longer = np.maximum(off_a[ii] - on_a[ii], off_b[jj] - on_b[jj])
    rel = overlap / longer
    keep = (overlap > 0) & (rel >= threshold - 1e-12)
    ii, jj, rel = ii[keep], jj[keep], rel[keep]
    order = np.lexsort((jj, ii, -rel))  # largest relative overlap first, then A, then B order
    used_a = np.zeros(len(on_a), dtype=bool)
    used_b = np.zeros(len(on_b), dtype=bool)
    pairs = []
    for i, j in zip(ii[order].tolist(), jj[order].tolist(), strict=True):
        if not used_a[i] and not used_b[j]:
            used_a[i] = used_b[j] = True
            pairs.append((i, j))
    return pairs


def _interval_candidates(
    on_a: IntArray, off_a: IntArray, on_b: IntArray, off_b: IntArray
) -> tuple[IntArray, IntArray]:
    """All (i, j) whose intervals could overlap: B starts before A ends and after A's onset
    minus the longest annotation."""
    order = np.argsort(on_b, kind="stable")
    longest = int(max((off_b - on_b).max(), (off_a - on_a).max()))
    lo = np.searchsorted(on_b[order], on_a - longest, side="left")
    hi = np.searchsorted(on_b[order], off_a, side="left")
    counts = np.maximum(hi - lo, 0)
    ii = np.repeat(np.arange(len(on_a)), counts)
    starts = np.repeat(lo - np.cumsum(counts) + counts, counts)
    jj = order[np.arange(int(counts.sum())) + starts]
    return ii.astype(np.int64), jj.astype(np.int64)


def _ipf_chance(table: IntArray, iterations: int = 20) -> float:
    """Chance agreement of the IPF-fitted table (ELAN's GlobalCKappa / EasyDIAg ckappa.m)."""
    q = table.shape[0]
    rows = table.sum(axis=1).astype(np.float64)
    cols = table.sum(axis=0).astype(np.float64)
    rows[rows == 0] = 0.001
    cols[cols == 0] = 0.001
    fit = np.ones((q, q))
    fit[-1, -1] = 0.001
    for _ in range(iterations):
        fit *= (rows / fit.sum(axis=1))[:, None]
        fit *= (cols / fit.sum(axis=0))[None, :]
    return float(np.trace(fit[:-1, :-1])) / float(table.sum())


def _kappa_max(table: IntArray) -> tuple[float, float, float]:
    n = float(table.sum())
    rows, cols = table.sum(axis=1) / n, table.sum(axis=0) / n
    pe = float(rows @ cols)
    pmax = float(np.minimum(rows, cols).sum())
    return pe, pmax, (pmax - pe) / (1 - pe) if pe < 1 else math.nan


def _elan_stat(
    name: str, value: float, n: int, params: dict[str, Param], extra: dict[str, float | None]
) -> AgreementResult:
    if not math.isfinite(value):
        return undefined(
            name, "chance agreement is 1 or there are no annotations", parameters=params
        )
    return AgreementResult(
        name=name,
        value=value,
        n_units=n,
        n_raters=2,
        n_pairable=2 * n,
        parameters=params,
        details=extra,
    )


def interval_event_agreement(
    events_a: Iterable[Any],
    events_b: Iterable[Any],
    threshold: float = 0.60,
    *,
    label_scheme: str = "landis_koch",
) -> EventAgreement:
    """ELAN-compatible modified kappa (Holle & Rein 2015) for two coders' interval events:
    :func:`match_interval_events` linking, then kappa_ipf = (p_o - p_ipf) / (1 - p_ipf) with
    p_ipf from the IPF-fitted table, kappa and kappa_max (Cohen 1960) with and without the
    unmatched row and column, and raw agreement."""
    a = read_track(events_a, "coder A")
    b = read_track(events_b, "coder B")
    codes, ca, cb = code_index(a, b)
    pairs = _match_intervals(a, b, threshold, ca, cb)
    table, per = table_from_pairs(ca, cb, pairs, codes)
    params: dict[str, Param] = {"threshold": threshold}
    q = len(codes)
    stats_ = _elan_statistics(table, q, params, label_scheme)
    return paired_result("elan", codes, table, per, statistics=stats_, params=params, pairs=pairs)


def _elan_statistics(
    table: IntArray, q: int, params: dict[str, Param], scheme: str
) -> tuple[AgreementResult, ...]:
    n_all = int(table.sum())
    matched = table[:q, :q]
    n_m = int(matched.sum())
    out: list[AgreementResult] = []
    if n_all == 0:
        return (undefined("kappa_ipf", "there are no annotations", parameters=params),)
    raw_all = float(np.trace(table)) / n_all
    pe_all, _, kmax_all = _kappa_max(table)
    k_all = (raw_all - pe_all) / (1 - pe_all) if pe_all < 1 else math.nan
    pe_ipf = _ipf_chance(table)
    k_ipf = (raw_all - pe_ipf) / (1 - pe_ipf) if pe_ipf < 1 else math.nan
    out.append(_elan_stat("kappa_ipf", k_ipf, n_all, params, {"p_chance": pe_ipf}))
    out.append(_elan_stat("kappa (with unmatched)", k_all, n_all, params, {"p_chance": pe_all}))
    out.append(_elan_stat("kappa_max (with unmatched)", kmax_all, n_all, params, {}))
    out.append(_elan_stat("raw agreement (with unmatched)", raw_all, n_all, params, {}))
    if n_m == 0:
        out.append(
            undefined("kappa (matched only)", "no annotations were linked", parameters=params)
        )
    else:
        raw_m = float(np.trace(matched)) / n_m
        pe_m, _, kmax_m = _kappa_max(matched)
        k_m = (raw_m - pe_m) / (1 - pe_m) if pe_m < 1 else math.nan
        out.append(_elan_stat("kappa (matched only)", k_m, n_m, params, {"p_chance": pe_m}))
        out.append(_elan_stat("kappa_max (matched only)", kmax_m, n_m, params, {}))
        out.append(_elan_stat("raw agreement (matched only)", raw_m, n_m, params, {}))
    return tuple(
        apply_label(r, scheme) if r.name.startswith("kappa (") or r.name == "kappa_ipf" else r
        for r in out
    )
