"""Fixtures: a coded, partly reconciled study and its export (workbook and CSV files)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest

from observer_app.export import ExportSummary, export_study
from observer_app.services.consensus import EventEdit
from tests.reliability.lab import Lab, build_lab


@dataclass
class Exported:
    lab: Lab
    summary: ExportSummary
    xlsx: Path
    csv_dir: Path
    consensus_id: int


def reconcile_first(lab: Lab) -> int:
    """Reconcile recording 1 (every kind of decision) and complete the consensus."""
    mia = lab.manager()
    svc = mia.consensus
    rec = svc.start(svc.open(lab.recordings[0]))
    for k, item in enumerate(rec.disagreements):
        if k == 0:
            rec = svc.decide(rec, item.key, "edit", EventEdit("CF", item.time_ms, comment="=1+1"))
        elif k == 1:
            rec = svc.decide(rec, item.key, "neither")
        else:
            rec = svc.decide(rec, item.key, "accept_a" if item.a else "accept_b")
    svc.accept_equal_ratings(rec)
    for c in svc.ratings(rec):
        if c.consensus is None:
            svc.decide_rating(rec, c.instrument_version_id, c.item_id, "accept_b")
    assert rec.consensus_id is not None
    assert mia.assignments.complete(rec.consensus_id) == []
    return rec.consensus_id


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory, module_study_location: str) -> Exported:
    """The study exported once per engine (SQLite, PostgreSQL)."""
    folder = tmp_path_factory.mktemp("export")
    lab = build_lab(
        folder, n_recordings=6, coders_per_recording=2, seed=3, location=module_study_location
    )
    # free metadata as a spreadsheet import leaves it (text), with a missing value
    for k, rid in enumerate(lab.recordings):
        meta = {"condition": "CBT" if k % 2 else "PDT", "client_age": str(30 + k), "site": "Porto"}
        meta["intake"] = f"2024-0{k + 1}-15"
        if k == 3:
            del meta["client_age"]
        lab.admin.recordings.update(
            rid,
            meta=meta,
            therapist_id=f"T{k % 3}",
            dyad_id=f"D{k % 2}",
            session_date=dt.date(2024, 5, k + 1),
        )
    # one state event (with an offset) on a recording that is not reconciled
    aid = lab.assignments[(lab.recordings[1], "Ben Brook")]
    lab.admin.assignments.reopen(aid)
    lab.admin.events.log(aid, "ST", 61_500, offset_ms=75_250, is_state=True, comment="long")
    lab.admin.events.log(aid, "WD", 10_000, comment="coração\nsegunda linha")
    lab.admin.events.log(aid, "WD", 20_000, comment="+cmd|' /C calc'!A0")
    lab.admin.events.log(aid, "WD", 30_000, comment="@SUM(1+1)")
    assert lab.admin.assignments.complete(aid) == []
    cid = reconcile_first(lab)
    xlsx, csv_dir = folder / "study.xlsx", folder / "csv"
    summary = export_study(lab.manager(), xlsx, csv_dir=csv_dir)
    return Exported(lab, summary, xlsx, csv_dir, cid)
