"""Side-by-side numbers against an independent computation (pandas, scipy, pingouin) on the
generated study of :mod:`tests.selfreports.lab`, whose perspectives differ by design."""

from __future__ import annotations

import math
import tomllib
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pingouin
import pytest
from scipy import stats

from observer_app.coding.resources import resource_path
from observer_app.export.tables_in import read_table
from tests.selfreports.lab import (
    CONSENSUS_SESSION,
    NO_RECORDING,
    PerspectiveLab,
    build_lab,
    write_csv,
)

SCORES = ("Goal", "Task", "Bond", "total")


def _key(instrument: str) -> dict[str, Any]:
    """Subscale items and reverse keys read straight from the shipped TOML file."""
    data = tomllib.loads(resource_path("instruments", f"{instrument}.toml").read_text())
    members: dict[str, list[str]] = {s["id"]: [] for s in data["subscales"]}
    reverse = set()
    for item in data["items"]:
        subs = item.get("subscales") or [item["subscale"]]
        for sub in subs:
            members[sub].append(item["id"])
        if item.get("reverse"):
            reverse.add(item["id"])
    members["total"] = [i["id"] for i in data["items"]]
    return {
        "members": members,
        "reverse": reverse,
        "min": data["scale"]["min"],
        "max": data["scale"]["max"],
    }


def _score_means(form: dict[str, int], key: dict[str, Any]) -> dict[str, float]:
    lo, hi = key["min"], key["max"]
    keyed = {i: (lo + hi - v if i in key["reverse"] else v) for i, v in form.items()}
    return {s: float(np.mean([keyed[i] for i in key["members"][s]])) for s in SCORES}


def _pomp(m: float, key: dict[str, Any]) -> float:
    return 100 * (m - key["min"]) / (key["max"] - key["min"])


def _import_all(lab: PerspectiveLab, tmp_path: Path) -> None:
    svc = lab.study.selfreports
    for inst, rows in (("wai-c-s", lab.client_rows), ("wai-t-s", lab.therapist_rows)):
        table = read_table(write_csv(tmp_path / f"{inst}.csv", rows))
        vid = svc.instrument_version(inst)
        svc.import_table(table, vid, svc.mapping_for(table, vid))


def _expected(lab: PerspectiveLab) -> pd.DataFrame:
    keys = {p: _key(f"wai-{p[0]}-s") for p in ("observer", "client", "therapist")}
    records = []
    for dyad, session in sorted(lab.truth):
        row: dict[str, Any] = {"dyad": dyad, "session": session}
        if (dyad, session) == CONSENSUS_SESSION and lab.consensus_form:
            obs = [_score_means(lab.consensus_form, keys["observer"])]
        else:
            obs = [
                _score_means(f, keys["observer"])
                for f in lab.observer_forms.get((dyad, session), [])
            ]
        client = next(
            r
            for r in lab.client_rows
            if r["Session"] == str(session) and r["ClientID"] == {"D1": "C1", "D2": "C2"}[dyad]
        )
        ther = next(
            r
            for r in lab.therapist_rows
            if r["Session"] == str(session) and r["TherapistID"] == {"D1": "T1", "D2": "T2"}[dyad]
        )
        c = _score_means(
            {k[1:]: int(v) for k, v in client.items() if k.startswith("Q")}, keys["client"]
        )
        t = _score_means(
            {k[1:]: int(v) for k, v in ther.items() if k.startswith("Q")}, keys["therapist"]
        )
        for s in SCORES:
            rec = dict(row, score=s)
            rec["observer_raw"] = float(np.mean([o[s] for o in obs])) if obs else math.nan
            rec["client_raw"] = c[s]
            rec["therapist_raw"] = t[s]
            for p in ("observer", "client", "therapist"):
                rec[p] = _pomp(rec[f"{p}_raw"], keys[p])
            records.append(rec)
    return pd.DataFrame.from_records(records)


@pytest.fixture
def report(plab: PerspectiveLab, tmp_path: Path) -> Any:
    _import_all(plab, tmp_path)
    return plab.study.perspectives.compute()


def _got(report: Any) -> pd.DataFrame:
    rows = [r.as_dict() for r in report.sessions]
    return pd.DataFrame.from_records(rows).rename(columns={"score": "score"})


def test_metric_is_declared_pomp_across_three_and_raw_client_therapist(report: Any) -> None:
    assert report.family == "wai-s"
    assert {k: m.kind for k, m in report.metrics.items()} == dict.fromkeys(SCORES, "pomp")
    assert all("scales differ" in m.reason for m in report.metrics.values())
    assert any("client-therapist: compared on the shared scale" in n for n in report.notes)
    kinds = {(a.pair, a.metric) for a in report.agreement}
    assert ("observer-client", "pomp") in kinds and ("client-therapist", "raw") in kinds


def test_session_values_and_differences_match_pandas(plab: PerspectiveLab, report: Any) -> None:
    want = _expected(plab)
    got = _got(report)
    merged = want.merge(got, on=["dyad", "session", "score"], suffixes=("_want", "_got"))
    assert len(merged) == len(want) == 14 * 4
    for p in ("observer", "client", "therapist"):
        w, g = merged[f"{p}_want"].to_numpy(float), merged[f"{p}_got"].to_numpy(float)
        assert np.allclose(w, g, equal_nan=True, atol=1e-12), p
        assert np.allclose(
            merged[f"{p}_raw"], merged[f"{p}_item_mean"].astype(float), equal_nan=True, atol=1e-12
        )
    d = merged["observer_want"] - merged["client_want"]
    assert np.allclose(d, merged["observer_minus_client"].astype(float), equal_nan=True)
    # the known differences: clients higher than observers, therapists lower than clients
    assert float(np.nanmean(merged["client_minus_therapist"].astype(float))) > 15
    assert float(np.nanmean(-merged["observer_minus_client"].astype(float))) > 5
    row = got[(got.dyad == CONSENSUS_SESSION[0]) & (got.session == CONSENSUS_SESSION[1])]
    assert set(row.observer_source) == {"consensus"}
    d14 = got[(got.dyad == "D1") & (got.session == 4)]
    assert set(d14.observer_source) == {"mean of 1 coder(s)"}  # the incomplete coder is left out
    d11 = got[(got.dyad == "D1") & (got.session == 1)]
    assert set(d11.observer_source) == {"mean of 2 coder(s)"}
    orphan = got[(got.dyad == NO_RECORDING[0]) & (got.session == NO_RECORDING[1])]
    assert orphan.observer.isna().all() and orphan.client.notna().all()
    assert set(got.phase[got.session <= 5]) == {1} and set(got.phase[got.session > 5]) == {2}


def test_dyad_means_match_pandas_groupby(plab: PerspectiveLab, report: Any) -> None:
    want = _expected(plab).groupby(["dyad", "score"])[["observer", "client", "therapist"]].mean()
    for row in report.dyads:
        for p in ("observer", "client", "therapist"):
            assert row.means[p] == pytest.approx(want.loc[(row.dyad_id, row.score_id), p])


def _stat(report: Any, score: str, pair: str, name: str, phase: str = "all") -> Any:
    (hit,) = [
        a.statistic
        for a in report.agreement
        if (a.score_id, a.pair, a.statistic.name, a.phase) == (score, pair, name, phase)
    ]
    return hit


@pytest.mark.parametrize("score", SCORES)
@pytest.mark.parametrize("phase", ["all", "1", "2"])
def test_agreement_matches_scipy(plab: PerspectiveLab, report: Any, score: str, phase: str) -> None:
    df = _expected(plab)
    df = df[df.score == score]
    if phase != "all":
        df = df[(df.session <= 5) == (phase == "1")]
    for a, b, suffix in (
        ("observer", "client", ""),
        ("client", "therapist", "_raw"),
        ("observer", "therapist", ""),
    ):
        both = df[[f"{a}{suffix}", f"{b}{suffix}"]].dropna()
        x, y = both.iloc[:, 0].to_numpy(), both.iloc[:, 1].to_numpy()
        pair = f"{a}-{b}"
        r = _stat(report, score, pair, "Pearson r", phase)
        ref = stats.pearsonr(x, y)
        ci = ref.confidence_interval(0.95)
        assert r.n == len(x)
        assert r.value == pytest.approx(ref.statistic, abs=1e-12)
        assert r.p == pytest.approx(ref.pvalue, rel=1e-9)
        if len(x) >= 4:
            assert r.ci95 == pytest.approx((ci.low, ci.high), abs=1e-12)
        else:  # Fisher's z has no standard error at n = 3 (scipy gives the whole -1..1)
            assert r.ci95 is None and "needs at least 4" in r.reason
        rho = _stat(report, score, pair, "Spearman rho", phase)
        sref = stats.spearmanr(x, y)
        assert rho.value == pytest.approx(sref.statistic, abs=1e-12)
        assert rho.p == pytest.approx(sref.pvalue, rel=1e-9)
        if len(x) >= 4 and abs(sref.statistic) == 1:
            assert rho.ci95 == (sref.statistic, sref.statistic)
        elif len(x) >= 4:
            z = np.arctanh(sref.statistic)
            half = 1.959963984540054 * np.sqrt(1.06 / (len(x) - 3))
            assert rho.ci95 == pytest.approx((np.tanh(z - half), np.tanh(z + half)), abs=1e-12)
        md = _stat(report, score, pair, "mean difference", phase)
        t = stats.ttest_rel(x, y)
        tci = t.confidence_interval(0.95)
        assert md.value == pytest.approx(float(np.mean(x - y)), abs=1e-12)
        assert md.ci95 == pytest.approx((tci.low, tci.high), abs=1e-10)
        assert md.p == pytest.approx(t.pvalue, rel=1e-9)
        if suffix == "_raw":  # Bland-Altman only on the shared scale
            d = x - y
            sd = np.std(d, ddof=1)
            lo = _stat(report, score, pair, "LoA lower", phase)
            hi = _stat(report, score, pair, "LoA upper", phase)
            assert lo.value == pytest.approx(d.mean() - 1.959963984540054 * sd, abs=1e-12)
            assert hi.value == pytest.approx(d.mean() + 1.959963984540054 * sd, abs=1e-12)
            se = np.sqrt(3 * sd**2 / len(d)) * stats.t.ppf(0.975, len(d) - 1)
            assert hi.ci95 == pytest.approx((hi.value - se, hi.value + se), abs=1e-12)
        else:
            assert not [
                s for s in report.agreement if s.pair == pair and s.statistic.name.startswith("LoA")
            ]


@pytest.mark.parametrize("score", SCORES)
def test_icc_across_perspectives_matches_pingouin(
    plab: PerspectiveLab, report: Any, score: str
) -> None:
    df = _expected(plab)
    df = df[df.score == score].dropna(subset=["observer", "client", "therapist"])
    long = df.melt(
        id_vars=["dyad", "session"],
        value_vars=["observer", "client", "therapist"],
        var_name="perspective",
        value_name="v",
    )
    long["unit"] = long.dyad + "/" + long.session.astype(str)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = pingouin.intraclass_corr(long, targets="unit", raters="perspective", ratings="v")
    ref = ref.set_index("Type")
    for ours, theirs in (("ICC(A,1)", "ICC(A,1)"), ("ICC(C,1)", "ICC(C,1)")):
        got = _stat(report, score, "all three", ours)
        assert got.n == len(df)
        assert got.value == pytest.approx(ref.loc[theirs, "ICC"], abs=1e-9)
        low, high = ref.loc[theirs, "CI95"]  # pingouin rounds its CI to 2 decimals
        assert got.ci95 == pytest.approx((low, high), abs=0.006)


def test_same_scale_study_compares_raw_with_bland_altman(tmp_path: Path) -> None:
    lab = build_lab(tmp_path, observer=False)
    try:
        _import_all(lab, tmp_path)
        report = lab.study.perspectives.compute("wai-s")
        assert {m.kind for m in report.metrics.values()} == {"raw"}
        assert report.instruments["observer"] is None
        got = _got(report)
        want = _expected(lab)
        merged = want.merge(got, on=["dyad", "session", "score"], suffixes=("_want", "_got"))
        assert np.allclose(merged["client_raw"], merged["client_got"].astype(float))
        assert _stat(report, "total", "client-therapist", "LoA upper").value is not None
    finally:
        lab.study.close()


def test_too_few_sessions_say_why(plab: PerspectiveLab, tmp_path: Path) -> None:
    rows = plab.client_rows[:2]
    svc = plab.study.selfreports
    table = read_table(write_csv(tmp_path / "c.csv", rows))
    vid = svc.instrument_version("wai-c-s")
    svc.import_table(table, vid, svc.mapping_for(table, vid))
    report = plab.study.perspectives.compute()
    r = _stat(report, "total", "observer-client", "Pearson r")
    assert r.value is None and "at least 3 sessions" in (r.reason or "")
