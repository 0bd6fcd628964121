"""Event agreement: optimal point-event matching, ELAN/EasyDIAg modified kappa, time-based
kappa, segment agreement."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching

from observer_app.coding.agreement import (
    Event,
    interval_event_agreement,
    match_interval_events,
    match_point_events,
    point_event_agreement,
    segment_agreement,
    time_based_agreement,
)
from observer_app.coding.agreement import events as ev_mod
from observer_app.coding.errors import InputError


def _objective(a, b, pairs, tol):
    """(pairs, same-code pairs, -total |dt|): the lexicographic objective being maximised."""
    same = sum(a[i][0] == b[j][0] for i, j in pairs)
    dt = sum(abs(a[i][1] - b[j][1]) for i, j in pairs)
    return (len(pairs), same, -dt)


def _brute_force(a, b, tol):
    """Best objective over every one-to-one matching of candidate pairs (tiny inputs only)."""
    cand = [(i, j) for i in range(len(a)) for j in range(len(b)) if abs(a[i][1] - b[j][1]) <= tol]
    best = (0, 0, 0)
    for r in range(len(cand) + 1):
        for subset in itertools.combinations(cand, r):
            if len({i for i, _ in subset}) == r and len({j for _, j in subset}) == r:
                best = max(best, _objective(a, b, subset, tol))
    return best


def test_optimal_where_greedy_nearest_fails() -> None:
    """Nearest-first pairing would take the 100 ms pair and leave two events unmatched."""
    a = [("X", 0), ("X", 1500)]
    b = [("X", 1400), ("X", 2900)]
    pairs = match_point_events(a, b, 1500)
    assert sorted(pairs) == [(0, 0), (1, 1)]


def test_prefers_same_code_then_smaller_time_difference() -> None:
    a = [("X", 1000)]
    b = [("Y", 1000), ("X", 2500), ("X", 2000)]
    assert match_point_events(a, b, 2000) == [(0, 2)]
    assert match_point_events(a, b, 2000, across_codes=False) == [(0, 2)]
    assert match_point_events([("Z", 1000)], b, 2000, across_codes=False) == []


def test_matching_is_optimal_against_brute_force() -> None:
    rng = np.random.default_rng(5)
    for _ in range(150):
        na, nb = int(rng.integers(1, 6)), int(rng.integers(1, 6))
        a = [(str(rng.choice(list("XY"))), int(t)) for t in rng.integers(0, 6000, na)]
        b = [(str(rng.choice(list("XY"))), int(t)) for t in rng.integers(0, 6000, nb)]
        pairs = match_point_events(a, b, 1500)
        assert len({i for i, _ in pairs}) == len(pairs) == len({j for _, j in pairs})
        assert all(abs(a[i][1] - b[j][1]) <= 1500 for i, j in pairs)
        assert _objective(a, b, pairs, 1500) == _brute_force(a, b, 1500)


def test_sparse_solver_agrees_with_dense(monkeypatch: pytest.MonkeyPatch) -> None:
    """Large components are solved sparsely; force that path and compare objectives."""
    rng = np.random.default_rng(9)
    a = [(str(rng.choice(list("XYZ"))), int(t)) for t in np.sort(rng.integers(0, 40_000, 120))]
    b = [(str(rng.choice(list("XYZ"))), int(t)) for t in np.sort(rng.integers(0, 40_000, 110))]
    dense = match_point_events(a, b, 1000)
    monkeypatch.setattr(ev_mod, "_DENSE_LIMIT", 0)
    sparse = match_point_events(a, b, 1000)
    assert _objective(a, b, dense, 1000) == _objective(a, b, sparse, 1000)
    assert all(abs(a[i][1] - b[j][1]) <= 1000 for i, j in sparse)
    # the pair count is the maximum bipartite matching of the candidate graph
    cand = [(i, j) for i in range(len(a)) for j in range(len(b)) if abs(a[i][1] - b[j][1]) <= 1000]
    rows, cols = zip(*cand, strict=True)
    graph = csr_matrix((np.ones(len(cand)), (rows, cols)), shape=(len(a), len(b)))
    assert len(dense) == int((maximum_bipartite_matching(graph, perm_type="column") >= 0).sum())


def test_point_agreement_table_and_counts() -> None:
    a = [("X", 0), ("Y", 5000), ("X", 10_000), ("Y", 20_000)]
    b = [("Y", 500), ("X", 10_100), ("Z", 30_000), ("X", 19_000)]
    res = point_event_agreement(a, b, 2000)
    labels = res.confusion.labels
    assert labels == ("X", "Y", "Z", "unmatched")
    t = np.array(res.confusion.counts)
    assert t[0, 0] == 1  # X-X at 10 s
    assert t[0, 1] == 1  # X (A, 0 s) with Y (B, 0.5 s)
    assert t[1, 0] == 1  # Y (A, 20 s) with X (B, 19 s)
    assert t[1, 3] == 1  # Y at 5 s unmatched in A
    assert t[3, 2] == 1  # Z unmatched in B
    assert t[3, 3] == 0
    assert t.sum() == 5
    per = {c.code: c for c in res.per_code}
    assert (per["X"].matched, per["X"].mismatched_a, per["X"].mismatched_b) == (1, 1, 1)
    assert per["Y"].unmatched_a == 1
    assert per["Z"].unmatched_b == 1
    assert res.statistic("percent agreement").value == pytest.approx(1 / 5)
    # kappa with unmatched, computed by hand from the 4 x 4 table
    n = 5
    po = 1 / n
    rows, cols = t.sum(axis=1) / n, t.sum(axis=0) / n
    pe = float(rows @ cols)
    assert res.statistic("kappa (with unmatched)").value == pytest.approx((po - pe) / (1 - pe))
    assert res.to_dict()["confusion"]["labels"][-1] == "unmatched"


def test_event_inputs_are_validated() -> None:
    with pytest.raises(InputError, match="offset"):
        point_event_agreement([("X", 100, 50)], [("X", 100)])
    with pytest.raises(InputError, match="tolerance"):
        match_point_events([("X", 0)], [("X", 0)], -1)
    assert point_event_agreement([], []).statistic("percent agreement").value is None
    assert match_point_events([Event("X", 5)], [Event("X", 7)], 2) == [(0, 0)]
    with pytest.raises(InputError, match="whole number of ms"):
        match_point_events([("X", 5.5)], [("X", 7)], 2)
    with pytest.raises(InputError, match="event 2: onset"):
        match_point_events([Event("X", 5), Event("X", 6.25)], [("X", 7)], 2)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="expected \\(code, onset_ms"):
        match_point_events([("X",)], [("X", 7)], 2)


def test_elan_linking_threshold_relative_to_longer_annotation() -> None:
    a = [("X", 0, 1000)]
    assert match_interval_events(a, [("X", 0, 590)]) == []  # 590 / 1000 < 0.60
    assert match_interval_events(a, [("X", 0, 600)]) == [(0, 0)]
    assert match_interval_events(a, [("X", 500, 1100)], threshold=0.5) == [(0, 0)]
    # greedy: largest relative overlap first
    b = [("X", 100, 1000), ("Y", 0, 1000)]
    assert match_interval_events(a, b) == [(0, 1)]


def _greedy_naive(a, b, threshold):
    """O(n^2) transcription of the linking rule: all pairs, relative overlap to the longer
    annotation, sorted by overlap (largest first), each annotation linked at most once."""
    cand = []
    for i, (_, s1, e1) in enumerate(a):
        for j, (_, s2, e2) in enumerate(b):
            ov = min(e1, e2) - max(s1, s2)
            rel = ov / max(e1 - s1, e2 - s2)
            if ov > 0 and rel >= threshold:
                cand.append((-rel, i, j))
    used_a, used_b, pairs = set(), set(), []
    for _, i, j in sorted(cand):
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            pairs.append((i, j))
    return sorted(pairs)


def test_elan_linking_matches_naive_greedy() -> None:
    rng = np.random.default_rng(13)
    for _ in range(100):

        def draw(n):
            on = rng.integers(0, 20_000, n)
            return [
                (str(c), int(o), int(o + d))
                for c, o, d in zip(
                    rng.choice(list("XY"), n), on, rng.integers(100, 4000, n), strict=True
                )
            ]

        a, b = draw(int(rng.integers(1, 15))), draw(int(rng.integers(1, 15)))
        assert sorted(match_interval_events(a, b)) == _greedy_naive(a, b, 0.6)


def _elan_reference(table: np.ndarray) -> dict[str, float]:
    """Independent transcription of ELAN's GlobalCKappa / IPFUtil (mpi.eudico ... modkappa),
    loop by loop, to check our vectorised version."""
    q = table.shape[0]
    n = table.sum()
    rows = [float(table[i, :].sum()) or 0.001 for i in range(q)]
    cols = [float(table[:, j].sum()) or 0.001 for j in range(q)]
    fit = [[1.0] * q for _ in range(q)]
    fit[q - 1][q - 1] = 0.001
    for _ in range(20):
        for i in range(q):
            tot = sum(fit[i])
            fit[i] = [c / tot * rows[i] for c in fit[i]]
        for j in range(q):
            tot = sum(fit[i][j] for i in range(q))
            for i in range(q):
                fit[i][j] = fit[i][j] / tot * cols[j]
    pe_ipf = sum(fit[i][i] for i in range(q - 1)) / n
    po = np.trace(table) / n
    r, c = table.sum(axis=1) / n, table.sum(axis=0) / n
    pe = float(r @ c)
    pmax = float(np.minimum(r, c).sum())
    m = table[:-1, :-1]
    nm = m.sum()
    rm, cm = m.sum(axis=1) / nm, m.sum(axis=0) / nm
    pem = float(rm @ cm)
    pom = np.trace(m) / nm
    return {
        "kappa_ipf": (po - pe_ipf) / (1 - pe_ipf),
        "kappa (with unmatched)": (po - pe) / (1 - pe),
        "kappa_max (with unmatched)": (pmax - pe) / (1 - pe),
        "raw agreement (with unmatched)": po,
        "kappa (matched only)": (pom - pem) / (1 - pem),
        "kappa_max (matched only)": (float(np.minimum(rm, cm).sum()) - pem) / (1 - pem),
        "raw agreement (matched only)": pom,
    }


def test_elan_statistics_match_elan_algorithm() -> None:
    """Holle & Rein (2015) worked example: the paper's printed table could not be retrieved
    reliably, so the statistics are checked against a direct transcription of ELAN's
    implementation of their method (GlobalCKappa, IPFUtil) on annotations built so that the
    agreement table is known: X-X 8, Y-Y 6, X-Y 1, Y-X 2, X unmatched in A 2, Y unmatched in B 3.
    """
    a, b = [], []
    t = 0
    for code_a, code_b, count in (("X", "X", 8), ("Y", "Y", 6), ("X", "Y", 1), ("Y", "X", 2)):
        for _ in range(count):
            a.append((code_a, t, t + 1000))
            b.append((code_b, t + 100, t + 1000))
            t += 2000
    for _ in range(2):
        a.append(("X", t, t + 1000))
        t += 2000
    for _ in range(3):
        b.append(("Y", t, t + 1000))
        t += 2000
    res = interval_event_agreement(a, b)
    table = np.array(res.confusion.counts)
    assert table.tolist() == [[8, 1, 2], [2, 6, 0], [0, 3, 0]]
    for name, value in _elan_reference(table).items():
        assert res.statistic(name).value == pytest.approx(value, abs=1e-12), name


def test_time_based_kappa() -> None:
    a = [("X", 0, 1000), ("Y", 1000, 2000)]
    assert time_based_agreement(a, a, 100).statistic("time-based kappa").value == pytest.approx(1)
    shifted = [("X", 0, 1200), ("Y", 1200, 2000)]
    exact = time_based_agreement(a, shifted, 100)
    tolerant = time_based_agreement(a, shifted, 100, tolerance_slices=2)
    k0 = exact.statistic("time-based kappa").value
    k2 = tolerant.statistic("time-based kappa").value
    assert k0 < 1
    assert k2 == pytest.approx(1)
    t = np.array(exact.confusion.counts)
    assert exact.confusion.labels == ("(none)", "X", "Y")
    assert t[2, 1] == 2  # two 100 ms slices: A says Y, B still X
    assert t.sum() == 20


def test_segment_agreement() -> None:
    minute = 60_000
    a = [("R", 10_000), ("R", 20_000), ("W", 6 * minute), ("R", 11 * minute)]
    b = [("R", 15_000), ("W", 6 * minute + 5), ("W", 12 * minute)]
    res = {r.code: r for r in segment_agreement({"A": a, "B": b}, 5 * minute, end_ms=15 * minute)}
    assert res["R"].n_segments == 3
    # R presence: A = [1, 0, 1], B = [1, 0, 0]; W presence: A = [0, 1, 0], B = [0, 1, 1]
    assert res["R"].presence_kappa.details["p_observed"] == pytest.approx(2 / 3)
    assert res["W"].presence_ac1.details["p_observed"] == pytest.approx(2 / 3)
    assert res["R"].count_icc.name == "ICC(A,1)"
    with pytest.raises(InputError, match="two coders"):
        segment_agreement({"A": a}, 5 * minute)
