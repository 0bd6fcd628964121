"""The reliability dashboard's numbers equal what ``observer-app agree`` / ``agree-events`` and
the agreement engine give on the same data; selection, progress, cancel and access rules."""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from observer_app.cli import main
from observer_app.coding import agreement as ag
from observer_app.coding.errors import AccessDenied, InputError
from observer_app.services.reliability import (
    Cancelled,
    RatingMatrix,
    ReliabilityRequest,
    pool_event_blocks,
)

from .lab import DURATION_MS, Lab


def _cli_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    capsys.readouterr()
    assert main(list(argv)) == 0
    data: dict[str, Any] = json.loads(capsys.readouterr().out)
    return data


def _write_wide(path: Path, m: RatingMatrix) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["unit", *m.coders])
        for unit, row in zip(m.units, m.values, strict=True):
            w.writerow([unit, *("" if math.isnan(v) else f"{v:.17g}" for v in row)])
    return path


def _same(a: dict[str, Any], b: dict[str, Any]) -> None:
    """Two result dicts agree on every number (the engine is deterministic)."""
    assert a["name"] == b["name"]
    for key in ("value", "se", "p"):
        if a[key] is None:
            assert b[key] is None, key
        else:
            assert b[key] == pytest.approx(a[key], rel=1e-12, abs=1e-12), key
    assert (a["ci95"] is None) == (b["ci95"] is None)
    if a["ci95"] is not None:
        assert b["ci95"] == pytest.approx(a["ci95"], rel=1e-12, abs=1e-12)
    for key in ("n_units", "n_raters", "n_dropped", "label"):
        assert a[key] == b[key], key


def test_instrument_numbers_equal_observer_app_agree(
    crossed: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # six units: above the floor of the minimum-units rule, so labels are given as by `agree`
    report = crossed.manager().reliability.compute(
        ReliabilityRequest(crossed.instrument_id, min_units=5)
    )
    assert report.kind == "instrument"
    assert [c.name for c in report.coders] == ["Ana Alves", "Ben Brook", "Cy Cole"]
    assert len(report.recording_ids) == 6
    kinds = [s.kind for s in report.scores]
    assert kinds == ["item"] * 6 + ["subscale", "subscale", "total"]
    for score in report.scores:
        path = _write_wide(tmp_path / f"{score.id}.csv", score.matrix)
        icc = _cli_json(capsys, "agree", str(path), "--stat", "icc", "--json")["results"]
        assert [r["name"] for r in icc] == [r.name for r in score.iccs]
        for mine, theirs in zip(score.iccs, icc, strict=True):
            _same(theirs, mine.to_dict())
        assert score.icc.name == "ICC(A,1)"
        alpha = _cli_json(
            capsys, "agree", str(path), "--stat", "alpha", "--level", "interval", "--json"
        )["results"][0]
        _same(alpha, score.alpha.to_dict())
        if score.kind == "item":
            assert score.kappa is not None
            fleiss = _cli_json(
                capsys,
                "agree",
                str(path),
                "--stat",
                "fleiss",
                "--categories",
                "1,2,3,4,5",
                "--json",
            )["results"][0]
            _same(fleiss, score.kappa.to_dict())
        else:
            assert score.kappa is None
        assert score.flagged == (score.icc.value is None or score.icc.value < 0.75)


def test_item_matrix_is_the_stored_ratings(crossed: Lab) -> None:
    mia = crossed.manager()
    report = mia.reliability.compute(ReliabilityRequest(crossed.instrument_id))
    item1 = report.scores[0].matrix
    for rec in report.recording_ids:
        row = item1.units.index(f"recording {rec}")
        for j, name in enumerate(item1.coders):
            aid = crossed.assignments[(rec, name)]
            stored = {r.item_id: r.value for r in mia.ratings.for_assignment(aid)}
            assert item1.values[row][j] == stored["1"]


def test_event_agreement_equals_agree_events_on_pooled_lists(
    crossed: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mia = crossed.manager()
    report = mia.reliability.compute(ReliabilityRequest(crossed.scheme_id, tolerance_ms=2000))
    assert report.events is not None
    # rebuild the pooled lists from the public services: every coder pair on every recording
    blocks = []
    for rec in report.recording_ids:
        names = sorted(
            (n for (r, n) in crossed.assignments if r == rec), key=lambda n: crossed.coders[n]
        )
        evs = {
            n: [
                (e.code, e.onset_ms, e.offset_ms, e.subject)
                for e in mia.events.for_assignment(crossed.assignments[(rec, n)])
            ]
            for n in names
        }
        blocks += [(evs[a], evs[b]) for i, a in enumerate(names) for b in names[i + 1 :]]
    pooled_a, pooled_b = pool_event_blocks(blocks, 2000)
    files = []
    for name, evs_ in (("a", pooled_a), ("b", pooled_b)):
        path = tmp_path / f"{name}.csv"
        with path.open("w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["code", "onset_ms", "offset_ms"])
            w.writerows(["" if v is None else v for v in e[:3]] for e in evs_)
        files.append(str(path))
    cli = _cli_json(capsys, "agree-events", *files, "--tolerance", "2s", "--json")
    mine = report.events.to_dict()
    assert cli["confusion"] == mine["confusion"]
    assert cli["per_code"] == mine["per_code"]
    for theirs, ours in zip(cli["results"], mine["results"], strict=True):
        _same(theirs, ours)
    # the pooled table is the sum of the per-block tables (no match crosses a block)
    total = np.zeros_like(np.array(report.events.confusion.counts))
    labels = report.events.confusion.labels
    for a, b in blocks:
        one = ag.point_event_agreement(a, b, 2000).confusion
        idx = [labels.index(x) for x in one.labels]
        total[np.ix_(idx, idx)] += np.array(one.counts)
    assert total.tolist() == [list(r) for r in report.events.confusion.counts]


def test_per_code_counts_and_specific_agreement(crossed: Lab) -> None:
    report = crossed.manager().reliability.compute(ReliabilityRequest(crossed.scheme_id))
    assert report.events is not None
    assert [c.code for c in report.codes] == ["WD", "CF", "RS", "XX", "ST"]
    engine = {c.code: c for c in report.events.per_code}
    for c in report.codes:
        if c.code in ("XX", "ST"):  # never used: no events, undefined agreement, flagged
            assert (c.events_a, c.events_b, c.specific_agreement) == (0, 0, None)
            assert c.flagged
            continue
        e = engine[c.code]
        assert (c.matched, c.unmatched_a, c.unmatched_b) == (
            e.matched,
            e.unmatched_a,
            e.unmatched_b,
        )
        assert c.specific_agreement == pytest.approx(2 * e.matched / (c.events_a + c.events_b))
        assert c.flagged == (c.specific_agreement < 0.60)


def test_segment_agreement_equals_engine_when_fully_crossed(crossed: Lab) -> None:
    """Laying each recording's 5 one-minute segments end to end, the engine's own
    segment_agreement over the concatenated records gives the same numbers."""
    mia = crossed.manager()
    report = mia.reliability.compute(ReliabilityRequest(crossed.scheme_id))
    assert report.segment_ms == 60_000
    by_coder: dict[str, list[ag.Event]] = {c.name: [] for c in report.coders}
    for k, rec in enumerate(report.recording_ids):
        for name, events in by_coder.items():
            for e in mia.events.for_assignment(crossed.assignments[(rec, name)]):
                events.append(ag.Event(e.code, e.onset_ms + k * DURATION_MS))
    engine = {
        s.code: s
        for s in ag.segment_agreement(
            by_coder, 60_000, end_ms=len(report.recording_ids) * DURATION_MS
        )
    }
    for c in report.codes:
        if c.code not in engine:
            continue
        e = engine[c.code]
        assert c.n_segments == e.n_segments == 30
        for mine, theirs in (
            (c.presence_kappa, e.presence_kappa),
            (c.presence_ac1, e.presence_ac1),
            (c.count_icc, e.count_icc),
        ):
            assert mine.to_dict() == theirs.to_dict()


def test_partial_design_uses_rating_slots(pairs: Lab) -> None:
    """Round-robin double coding (each recording by two of three coders): by default the
    columns are rating slots, primary coding first; with one column per coder no recording is
    complete and ICC is undefined (listwise), while alpha still uses every pair."""
    mia = pairs.manager()
    svc = mia.reliability
    report = svc.compute(ReliabilityRequest(pairs.instrument_id))
    assert report.layout == "slots" and report.notes
    assert report.design == "one-way" and report.icc_form == "ICC(1,1)"
    assert report.scores[0].icc.name == "ICC(1,1)"
    assert report.counts == "single-coded: 0, double-coded: 4"
    item = report.scores[0]
    assert item.matrix.coders == ("rating 1", "rating 2")
    for rec, row in zip(report.recording_ids, item.matrix.values, strict=True):
        infos = [a for a in mia.assignments.list_all() if a.recording_id == rec]
        by_purpose = {a.purpose: a.id for a in infos}
        first = {r.item_id: r.value for r in mia.ratings.for_assignment(by_purpose["primary"])}
        second = {r.item_id: r.value for r in mia.ratings.for_assignment(by_purpose["reliability"])}
        assert row == (first["1"], second["1"])
    assert item.icc.n_units == 4 and item.kappa is not None
    assert item.kappa.name == "Cohen's kappa"
    crossed = svc.compute(ReliabilityRequest(pairs.instrument_id, layout="coders"))
    x = crossed.scores[0].matrix.array()
    assert x.shape == (4, 3)
    assert (~np.isnan(x)).sum(axis=1).tolist() == [2, 2, 2, 2]
    assert crossed.scores[0].icc.value is None and crossed.scores[0].icc.n_dropped == 4
    # no complete unit: below the minimum-units rule, so "not enough units", never flagged
    assert crossed.scores[0].insufficient == "not enough units (0)"
    assert not crossed.scores[0].flagged
    assert crossed.scores[0].alpha.n_pairable == 8
    assert item.alpha.value == crossed.scores[0].alpha.value  # alpha ignores who is who
    events = svc.compute(ReliabilityRequest(pairs.scheme_id))
    assert events.layout == "slots"
    assert all(c.presence_kappa.name == "Cohen's kappa" for c in events.codes)
    with pytest.raises(InputError, match="layout"):
        svc.compute(ReliabilityRequest(pairs.instrument_id, layout="rows"))


def test_selection_completion_and_consensus_are_respected(tmp_path: Path) -> None:
    from .lab import build_lab

    lab = build_lab(tmp_path, n_recordings=3, coders_per_recording=2, complete=False)
    mia = lab.manager()
    svc = mia.reliability
    empty = svc.compute(ReliabilityRequest(lab.instrument_id))
    assert empty.coders == () and empty.scores[0].icc.value is None
    open_work = svc.compute(ReliabilityRequest(lab.instrument_id, completed_only=False))
    assert len(open_work.recording_ids) == 3
    rec = lab.recordings[0]
    only = svc.compute(
        ReliabilityRequest(lab.instrument_id, recording_ids=(rec,), completed_only=False)
    )
    assert only.recording_ids == (rec,)
    # a consensus assignment never counts as a coder's work
    cons = mia.assignments.create(rec, lab.coders["Mia Manager"], purpose="consensus")
    mia.ratings.set(cons.id, lab.instrument_id, "1", 3)
    again = svc.compute(ReliabilityRequest(lab.instrument_id, completed_only=False))
    assert "Mia Manager" not in [c.name for c in again.coders]


def test_drift_against_master_coder_by_completion_date(crossed: Lab) -> None:
    mia = crossed.manager()
    ana = crossed.coders["Ana Alves"]
    report = mia.reliability.compute(ReliabilityRequest(crossed.instrument_id, master_coder_id=ana))
    assert report.master_coder is not None and report.master_coder.name == "Ana Alves"
    assert {p.coder_name for p in report.drift} == {"Ben Brook", "Cy Cole"}
    for name in ("Ben Brook", "Cy Cole"):
        series = [p for p in report.drift if p.coder_name == name]
        assert len(series) == 6
        times = [p.completed_at for p in series]
        assert all(isinstance(t, dt.datetime) for t in times)
        assert times == sorted(times)  # type: ignore[type-var]
        for p in series:
            a = {r.item_id: r.value for r in mia.ratings.for_assignment(p.assignment_id)}
            m = {
                r.item_id: r.value
                for r in mia.ratings.for_assignment(
                    crossed.assignments[(p.recording_id, "Ana Alves")]
                )
            }
            x = np.array([[a[i], m[i]] for i in sorted(a)], dtype=float)
            assert p.value == ag.icc(x)[1].value
            assert p.mean_abs_diff == pytest.approx(np.abs(x[:, 0] - x[:, 1]).mean())
    events = mia.reliability.compute(ReliabilityRequest(crossed.scheme_id, master_coder_id=ana))
    for p in events.drift:
        mine = mia.events.for_assignment(p.assignment_id)
        master = mia.events.for_assignment(crossed.assignments[(p.recording_id, "Ana Alves")])
        expected = ag.point_event_agreement(master_free(mine), master_free(master), 2000)
        assert p.value == expected.statistic("kappa (with unmatched)").value


def master_free(records: list[Any]) -> list[ag.Event]:
    return [ag.Event(e.code, e.onset_ms, e.offset_ms) for e in records]


def test_progress_reaches_total_and_cancel_stops(crossed: Lab) -> None:
    svc = crossed.manager().reliability
    seen: list[tuple[int, int]] = []
    svc.compute(
        ReliabilityRequest(crossed.instrument_id), progress=lambda d, t: seen.append((d, t))
    )
    assert seen and seen[-1][0] == seen[-1][1] == 9
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    flag = threading.Event()
    flag.set()
    with pytest.raises(Cancelled):
        svc.compute(ReliabilityRequest(crossed.scheme_id), cancel=flag)


def test_only_managers_and_valid_requests(crossed: Lab) -> None:
    with pytest.raises(AccessDenied):
        crossed.as_("Ben Brook").reliability.compute(ReliabilityRequest(crossed.instrument_id))
    svc = crossed.manager().reliability
    with pytest.raises(InputError, match="ICC form"):
        svc.compute(ReliabilityRequest(crossed.instrument_id, icc_form="ICC(9,9)"))
    with pytest.raises(InputError, match="tolerance"):
        svc.compute(ReliabilityRequest(crossed.scheme_id, tolerance_ms=-1))
    assert svc.versions_with_data() == sorted([crossed.scheme_id, crossed.instrument_id])
    json.dumps(svc.compute(ReliabilityRequest(crossed.scheme_id)).to_dict())


def test_drift_only_where_the_master_coded_and_progress_completes(pairs: Lab) -> None:
    """Round robin: the master coder coded only some recordings; drift has a point for each
    other coder's work on those, and none elsewhere (no error)."""
    mia = pairs.manager()
    ana = pairs.coders["Ana Alves"]
    shared = {rec for (rec, name) in pairs.assignments if name == "Ana Alves"}
    assert 0 < len(shared) < len(pairs.recordings)
    for version in (pairs.instrument_id, pairs.scheme_id):
        seen = _Recorder()
        report = mia.reliability.compute(
            ReliabilityRequest(version, master_coder_id=ana), progress=seen
        )
        expected = {
            (rec, name)
            for (rec, name) in pairs.assignments
            if rec in shared and name != "Ana Alves"
        }
        assert {(p.recording_id, p.coder_name) for p in report.drift} == expected
        assert seen.calls[-1][0] == seen.calls[-1][1]


class _Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[int, int]] = []

    def __call__(self, done: int, total: int) -> None:
        self.calls.append((done, total))
