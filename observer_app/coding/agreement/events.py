"""Agreement of two coders' timestamped events: point events, interval events (ELAN/EasyDIAg
modified kappa) and time-based kappa.

Events are ``(code, onset_ms, offset_ms)`` tuples (``offset_ms`` ``None`` for a point event), or
objects with those attributes. Times are integer milliseconds.

**Point events** (event-based alignment, Bakeman, Quera & Gnisci 2009): an event of coder A and
one of coder B may be paired when their onsets differ by at most the tolerance T. Pairs are
chosen by an optimal one-to-one assignment that (1) maximises the number of pairs, then (2) the
number of pairs with the same code, then (3) minimises the summed time differences; it is solved
exactly with ``scipy.optimize.linear_sum_assignment`` on each connected component of the
candidate-pair graph. With ``across_codes=False`` only events with the same code may pair
(each code matched separately). The confusion matrix has coder A's codes as rows and coder B's as
columns plus an ``unmatched`` row and column; reported: percent agreement (same-code pairs over
all pairs plus unmatched events), Cohen's kappa on the whole table ("with unmatched") and on the
matched block alone, and per code the matched, mismatched and unmatched counts.

**Interval events** (Holle & Rein 2015, EasyDIAg; the "modified kappa" of ELAN): two
annotations are linked when their overlap, relative to the longer of the two, reaches the
threshold (default 0.60); links are made greedily, largest relative overlap first, each
annotation at most once, regardless of code. Unlinked annotations go to the extra row and column.
Reported as ELAN does: raw agreement, kappa and kappa_max with unmatched annotations, kappa_ipf
(chance agreement from the table fitted by iterative proportional fitting, 20 iterations from a
seed of ones with a structural zero in the unmatched/unmatched cell; zeros replaced by 0.001 as
ELAN does), and raw agreement, kappa and kappa_max on the matched block alone.
kappa_max = (p_max - p_e) / (1 - p_e), p_max = sum_k min(row_k, col_k) / N (Cohen 1960).

**Time-based kappa** (Bakeman, Quera & Gnisci 2009): the session is cut into slices of width
delta; each slice takes, for each coder, the code of the event covering its midpoint (the most
recent onset when several do; point events cover the slice of their onset) or ``(none)``.
With a tolerance of t slices, a disagreement at a slice is tallied as an agreement when coder A's
code occurs in coder B's record within t slices (or B's in A's), as their time-unit tolerance
does (verify: the exact tie rules of GSEQ may differ). Cohen's kappa of the slice table.

References: Bakeman, R., Quera, V., & Gnisci, A. (2009). Observer agreement for timed-event
sequential data: A comparison of time-based and event-based algorithms. *Behavior Research
Methods*, 41, 137-147. Holle, H., & Rein, R. (2015). EasyDIAg: A tool for easy determination of
interrater agreement. *Behavior Research Methods*, 47, 837-847.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components, min_weight_full_bipartite_matching

from observer_app.coding.agreement._data import FloatArray, IntArray
from observer_app.coding.agreement.kappa import _cohen_core
from observer_app.coding.agreement.labels import apply_label
from observer_app.coding.agreement.results import (
    AgreementResult,
    CodeCounts,
    ConfusionMatrix,
    EventAgreement,
    Param,
    undefined,
)
from observer_app.coding.errors import InputError

UNMATCHED = "unmatched"
NONE_CODE = "(none)"
#: Components larger than this (rows x columns) are solved sparsely instead of densely.
_DENSE_LIMIT = 2_000_000


@dataclass(frozen=True)
class Event:
    """One coded event; ``offset_ms`` is ``None`` for a point event."""

    code: str
    onset_ms: int
    offset_ms: int | None = None


def as_events(events: Iterable[Any], who: str = "coder") -> list[Event]:
    """Normalise tuples ``(code, onset[, offset])`` or objects with those attributes; times must
    be whole milliseconds."""
    out = []
    for i, e in enumerate(events):
        if isinstance(e, Event):
            code, on, off = e.code, e.onset_ms, e.offset_ms
        elif hasattr(e, "code") and hasattr(e, "onset_ms"):
            code, on, off = e.code, e.onset_ms, getattr(e, "offset_ms", None)
        else:
            t = tuple(e)
            if len(t) not in (2, 3):
                raise InputError(f"{who} event {i + 1}: expected (code, onset_ms[, offset_ms])")
            code, on, off = t[0], t[1], t[2] if len(t) == 3 else None
        ev = Event(str(code), _whole_ms(on, who, i, "onset"), _opt_ms(off, who, i))
        if ev.offset_ms is not None and ev.offset_ms < ev.onset_ms:
            raise InputError(
                f"{who} event {i + 1}: offset {ev.offset_ms} is before onset {ev.onset_ms}"
            )
        out.append(ev)
    return out


def _whole_ms(v: Any, who: str, i: int, what: str) -> int:
    try:
        ms = int(v)
        exact = ms == v
    except (TypeError, ValueError):
        exact = False
    if not exact or isinstance(v, bool):
        raise InputError(f"{who} event {i + 1}: {what} {v!r} is not a whole number of ms")
    return ms


def _opt_ms(v: Any, who: str, i: int) -> int | None:
    return None if v is None else _whole_ms(v, who, i, "offset")


@dataclass(frozen=True)
class _Track:
    """One coder's events as columns: code, onset, offset (= onset for a point event)."""

    codes: npt.NDArray[np.str_]
    onset: IntArray
    offset: IntArray
    is_point: npt.NDArray[np.bool_]

    def __len__(self) -> int:
        return len(self.onset)


def _int_column(values: Sequence[Any], who: str, what: str) -> IntArray:
    """Whole milliseconds as int64; a fractional, missing or text time names its event."""
    arr = np.asarray(values)
    if arr.dtype.kind in "iu":
        return arr.astype(np.int64)
    if arr.dtype.kind == "f":
        bad = ~np.isfinite(arr) | (arr != np.round(arr))
        if not bad.any():
            return arr.astype(np.int64)
        k = int(np.flatnonzero(bad)[0])
    else:
        k = next(i for i, v in enumerate(values) if not isinstance(v, int | np.integer))
    raise InputError(f"{who} event {k + 1}: {what} {values[k]!r} is not a whole number of ms")


def _track(events: Iterable[Any], who: str) -> _Track:
    """Columns of ``(code, onset_ms[, offset_ms])`` tuples, :class:`Event` objects or objects
    with ``code``/``onset_ms``/``offset_ms`` attributes (fast path for lists of tuples)."""
    evs = events if isinstance(events, list) else list(events)
    if not evs:
        empty = np.zeros(0, dtype=np.int64)
        return _Track(np.zeros(0, dtype=str), empty, empty, np.zeros(0, dtype=bool))
    cols: list[tuple[Any, ...]] = []
    if isinstance(evs[0], tuple | list) and len(evs[0]) in (2, 3):
        try:  # transposing checks that every event has the same length (strict)
            cols = list(zip(*evs, strict=True))
        except (TypeError, ValueError):
            cols = []
    if not cols:
        norm = as_events(evs, who)
        cols = [
            tuple(e.code for e in norm),
            tuple(e.onset_ms for e in norm),
            tuple(e.offset_ms for e in norm),
        ]
    codes = np.asarray(cols[0]).astype(str)
    onset = _int_column(cols[1], who, "onset")
    raw_off = cols[2] if len(cols) == 3 else None
    if raw_off is None or all(v is None for v in raw_off):
        offset, is_point = onset.copy(), np.ones(len(onset), dtype=bool)
    else:
        is_point = np.array([v is None for v in raw_off], dtype=bool)
        filled = [o if v is None else v for v, o in zip(raw_off, onset.tolist(), strict=True)]
        offset = _int_column(filled, who, "offset")
    before = offset < onset
    if before.any():
        k = int(np.flatnonzero(before)[0])
        raise InputError(f"{who} event {k + 1}: offset {offset[k]} is before onset {onset[k]}")
    return _Track(codes, onset, offset, is_point)


def _code_index(a: _Track, b: _Track) -> tuple[list[str], IntArray, IntArray]:
    """Sorted union of both coders' codes and each event's index into it."""
    labels = np.unique(np.concatenate([a.codes, b.codes]))
    ia: IntArray = np.searchsorted(labels, a.codes).astype(np.int64)
    ib: IntArray = np.searchsorted(labels, b.codes).astype(np.int64)
    return [str(c) for c in labels.tolist()], ia, ib


# --------------------------------------------------------------------------- point events


def _candidates(ta: IntArray, tb: IntArray, tol: int) -> tuple[IntArray, IntArray]:
    """All (i, j) with |ta[i] - tb[j]| <= tol (tb sorted order handled internally)."""
    order = np.argsort(tb, kind="stable")
    sb = tb[order]
    lo = np.searchsorted(sb, ta - tol, side="left")
    hi = np.searchsorted(sb, ta + tol, side="right")
    counts = hi - lo
    ii = np.repeat(np.arange(len(ta)), counts)
    starts = np.repeat(lo - np.cumsum(counts) + counts, counts)
    jj_sorted = np.arange(int(counts.sum())) + starts
    return ii.astype(np.int64), order[jj_sorted].astype(np.int64)


def _solve_component(rows: IntArray, cols: IntArray, score: FloatArray) -> list[tuple[int, int]]:
    """Maximum-score one-to-one assignment among the candidate edges of one component."""
    if len(rows) < 64:  # small components dominate: plain Python beats np.unique here
        rl, cl = rows.tolist(), cols.tolist()
        urs, ucs = sorted(set(rl)), sorted(set(cl))
        if len(urs) == 1 or len(ucs) == 1:
            best = int(np.argmax(score))
            return [(rl[best], cl[best])]
        rpos = {v: k for k, v in enumerate(urs)}
        cpos = {v: k for k, v in enumerate(ucs)}
        ur, uc = np.array(urs, dtype=np.int64), np.array(ucs, dtype=np.int64)
        ri = np.array([rpos[v] for v in rl], dtype=np.int64)
        ci = np.array([cpos[v] for v in cl], dtype=np.int64)
    else:
        ur, ri = np.unique(rows, return_inverse=True)
        uc, ci = np.unique(cols, return_inverse=True)
    if len(ur) == 1 or len(uc) == 1:
        best = int(np.argmax(score))
        return [(int(rows[best]), int(cols[best]))]
    if len(ur) * len(uc) <= _DENSE_LIMIT:
        cost = np.zeros((len(ur), len(uc)))
        cost[ri, ci] = -score
        r, c = linear_sum_assignment(cost)
        keep = cost[r, c] < 0
        return [(int(ur[a]), int(uc[b])) for a, b in zip(r[keep], c[keep], strict=True)]
    return _solve_sparse(ur, uc, ri, ci, score)


def _solve_sparse(
    ur: IntArray, uc: IntArray, ri: IntArray, ci: IntArray, score: FloatArray
) -> list[tuple[int, int]]:
    """Sparse exact assignment: each row also gets a private dummy column (cost = top), so a
    full matching always exists and a real edge is used only when it scores."""
    nr, nc = len(ur), len(uc)
    top = float(score.max()) + 1.0
    rows = np.concatenate([ri, np.arange(nr)])
    cols = np.concatenate([ci, nc + np.arange(nr)])
    data = np.concatenate([top - score, np.full(nr, top)])
    graph = coo_matrix((data, (rows, cols)), shape=(nr, nc + nr)).tocsr()
    r, c = min_weight_full_bipartite_matching(graph)
    return [(int(ur[x]), int(uc[y])) for x, y in zip(r, c, strict=True) if y < nc]


def match_point_events(
    events_a: Iterable[Any],
    events_b: Iterable[Any],
    tolerance_ms: int = 2000,
    *,
    across_codes: bool = True,
) -> list[tuple[int, int]]:
    """Optimal one-to-one pairs ``(index in A, index in B)`` of events within +/- tolerance.

    Lexicographic objective: most pairs, then most same-code pairs, then least total time
    difference; exact per connected component of the candidate graph.
    """
    if tolerance_ms < 0:
        raise InputError("the tolerance must be 0 ms or more")
    a = _track(events_a, "coder A")
    b = _track(events_b, "coder B")
    _, ca, cb = _code_index(a, b)
    return _match_points(a, b, ca, cb, tolerance_ms=tolerance_ms, across_codes=across_codes)


def _canonical(onset: IntArray, offset: IntArray, code: IntArray) -> IntArray:
    """Order by onset, offset, code: solving in this order makes the result (the table, and
    which of two equally good partners is chosen) independent of the order of the input."""
    order: IntArray = np.lexsort((code, offset, onset)).astype(np.int64)
    return order


def _match_points(
    a: _Track, b: _Track, ca: IntArray, cb: IntArray, *, tolerance_ms: int, across_codes: bool
) -> list[tuple[int, int]]:
    if not len(a) or not len(b):
        return []
    oa, ob = _canonical(a.onset, a.offset, ca), _canonical(b.onset, b.offset, cb)
    pairs = _match_sorted(
        a.onset[oa],
        b.onset[ob],
        ca[oa],
        cb[ob],
        tolerance_ms=tolerance_ms,
        across_codes=across_codes,
    )
    return [(int(oa[i]), int(ob[j])) for i, j in pairs]


def _match_sorted(
    ta: IntArray, tb: IntArray, ca: IntArray, cb: IntArray, *, tolerance_ms: int, across_codes: bool
) -> list[tuple[int, int]]:
    ii, jj = _candidates(ta, tb, tolerance_ms)
    if not across_codes:
        keep = ca[ii] == cb[jj]
        ii, jj = ii[keep], jj[keep]
    if len(ii) == 0:
        return []
    return _assign(
        ii=ii, jj=jj, ta=ta, tb=tb, ca=ca, cb=cb, tol=tolerance_ms, na=len(ta), nb=len(tb)
    )


def _assign(
    *,
    ii: IntArray,
    jj: IntArray,
    ta: IntArray,
    tb: IntArray,
    ca: IntArray,
    cb: IntArray,
    tol: int,
    na: int,
    nb: int,
) -> list[tuple[int, int]]:
    graph = coo_matrix((np.ones(len(ii)), (ii, na + jj)), shape=(na + nb, na + nb))
    _, labels = connected_components(graph, directed=False)
    comp = labels[ii]
    order = np.argsort(comp, kind="stable")
    ii, jj, comp = ii[order], jj[order], comp[order]
    bounds = np.flatnonzero(np.diff(comp)) + 1
    starts = np.concatenate(([0], bounds))
    ends = np.concatenate((bounds, [len(ii)]))
    dt = np.abs(ta[ii] - tb[jj]) / (tol + 1.0)
    same = (ca[ii] == cb[jj]).astype(np.float64)
    sizes = ends - starts
    pairs: list[tuple[int, int]] = []
    single = sizes == 1
    pairs.extend(zip(ii[starts[single]].tolist(), jj[starts[single]].tolist(), strict=True))
    for s, e in zip(starts[~single], ends[~single], strict=True):
        k = float(e - s) + 1.0
        score = (k + 1.0) ** 2 + (k + 1.0) * same[s:e] - dt[s:e] + 1.0
        pairs.extend(_solve_component(ii[s:e], jj[s:e], score))
    return pairs


def _table_from_pairs(
    ca: IntArray, cb: IntArray, pairs: Sequence[tuple[int, int]], codes: list[str]
) -> tuple[IntArray, tuple[CodeCounts, ...]]:
    """Confusion table (A rows, B columns, last row/column = unmatched) and per-code counts."""
    q = len(codes)
    table = np.zeros((q + 1, q + 1), dtype=np.int64)
    used_a = np.zeros(len(ca), dtype=bool)
    used_b = np.zeros(len(cb), dtype=bool)
    if pairs:
        pa = np.array([i for i, _ in pairs], dtype=np.int64)
        pb = np.array([j for _, j in pairs], dtype=np.int64)
        np.add.at(table, (ca[pa], cb[pb]), 1)
        used_a[pa] = True
        used_b[pb] = True
    table[:q, q] = np.bincount(ca[~used_a], minlength=q)
    table[q, :q] = np.bincount(cb[~used_b], minlength=q)
    per = tuple(
        CodeCounts(
            code=c,
            matched=int(table[k, k]),
            mismatched_a=int(table[k, :q].sum() - table[k, k]),
            mismatched_b=int(table[:q, k].sum() - table[k, k]),
            unmatched_a=int(table[k, q]),
            unmatched_b=int(table[q, k]),
        )
        for k, c in enumerate(codes)
    )
    return table, per


def _kappa(table: IntArray, name: str, params: dict[str, Param], scheme: str) -> AgreementResult:
    q = table.shape[0]
    res = _cohen_core(table.astype(np.float64), np.eye(q), name, params)
    return apply_label(res, scheme)


def _raw(table: IntArray, name: str, params: dict[str, Param]) -> AgreementResult:
    n = int(table.sum())
    if n == 0:
        return undefined(name, "there are no events", parameters=params)
    return AgreementResult(
        name=name,
        value=float(np.trace(table)) / n,
        n_units=n,
        n_raters=2,
        n_pairable=2 * n,
        parameters=params,
    )


def point_event_agreement(
    events_a: Iterable[Any],
    events_b: Iterable[Any],
    tolerance_ms: int = 2000,
    *,
    across_codes: bool = True,
    label_scheme: str = "landis_koch",
) -> EventAgreement:
    """Event-based agreement of two coders' point events (Bakeman, Quera & Gnisci 2009): onsets
    within +/- tolerance paired by :func:`match_point_events`; percent agreement = same-code
    pairs / (pairs + unmatched events); Cohen's kappa with and without the unmatched row and
    column."""
    if tolerance_ms < 0:
        raise InputError("the tolerance must be 0 ms or more")
    a = _track(events_a, "coder A")
    b = _track(events_b, "coder B")
    codes, ca, cb = _code_index(a, b)
    pairs = _match_points(a, b, ca, cb, tolerance_ms=tolerance_ms, across_codes=across_codes)
    table, per = _table_from_pairs(ca, cb, pairs, codes)
    params: dict[str, Param] = {"tolerance_ms": tolerance_ms, "across_codes": across_codes}
    q = len(codes)
    stats_ = (
        _raw(table, "percent agreement", params),
        _kappa(table, "kappa (with unmatched)", params, label_scheme),
        _raw(table[:q, :q], "percent agreement (matched only)", params),
        _kappa(table[:q, :q], "kappa (matched only)", params, label_scheme),
    )
    return EventAgreement(
        method="point",
        confusion=ConfusionMatrix(
            (*codes, UNMATCHED), tuple(tuple(int(x) for x in r) for r in table), True
        ),
        statistics=stats_,
        per_code=per,
        parameters=params,
        pairs=tuple(sorted(pairs)),
    )


# ------------------------------------------------------------------------ interval events


def _intervals(t: _Track, who: str) -> tuple[IntArray, IntArray]:
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
    a, b = _track(events_a, "coder A"), _track(events_b, "coder B")
    _, ca, cb = _code_index(a, b)
    return _match_intervals(a, b, threshold, ca, cb)


def _match_intervals(
    a: _Track, b: _Track, threshold: float, ca: IntArray, cb: IntArray
) -> list[tuple[int, int]]:
    if not 0 < threshold <= 1:
        raise InputError("the overlap threshold must be in (0, 1]")
    _intervals(a, "coder A")
    _intervals(b, "coder B")
    if not len(a) or not len(b):
        return []
    oa, ob = _canonical(a.onset, a.offset, ca), _canonical(b.onset, b.offset, cb)
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
    a = _track(events_a, "coder A")
    b = _track(events_b, "coder B")
    codes, ca, cb = _code_index(a, b)
    pairs = _match_intervals(a, b, threshold, ca, cb)
    table, per = _table_from_pairs(ca, cb, pairs, codes)
    params: dict[str, Param] = {"threshold": threshold}
    q = len(codes)
    stats_ = _elan_statistics(table, q, params, label_scheme)
    return EventAgreement(
        method="elan",
        confusion=ConfusionMatrix(
            (*codes, UNMATCHED), tuple(tuple(int(x) for x in r) for r in table), True
        ),
        statistics=stats_,
        per_code=per,
        parameters=params,
        pairs=tuple(sorted(pairs)),
    )


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


# ------------------------------------------------------------------------- time-based kappa


def _slice_codes(t: _Track, codes: IntArray, start: int, n_slices: int, delta: int) -> IntArray:
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
    a = _track(events_a, "coder A")
    b = _track(events_b, "coder B")
    params: dict[str, Param] = {"slice_ms": slice_ms, "tolerance_slices": tolerance_slices}
    labels, ca, cb = _code_index(a, b)
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
        _raw(table, "percent agreement (time)", params),
        _kappa(table, "time-based kappa", params, label_scheme),
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
