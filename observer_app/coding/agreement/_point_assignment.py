"""Exact one-to-one pairing of two coders' point events: the candidate pairs within the
tolerance and the lexicographic assignment solved per connected component (dense or sparse)."""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components, min_weight_full_bipartite_matching

from observer_app.coding.agreement._data import FloatArray, IntArray


def candidates(ta: IntArray, tb: IntArray, tol: int) -> tuple[IntArray, IntArray]:
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


def _solve_component(
    rows: IntArray, cols: IntArray, score: FloatArray, dense_limit: int
) -> list[tuple[int, int]]:
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
    if len(ur) * len(uc) <= dense_limit:
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


def assign(
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
    dense_limit: int,
) -> list[tuple[int, int]]:
    """Best pairs among the candidate edges ``(ii, jj)``, solved per connected component: the
    score of an edge ranks pairs first, then same-code pairs, then closeness in time."""
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
        pairs.extend(_solve_component(ii[s:e], jj[s:e], score, dense_limit))
    return pairs
