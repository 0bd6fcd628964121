"""Issue 13: the export says which consensus is stale and what changed in its sources."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from observer_app.export import export_study
from tests.reliability.lab import build_lab

from .conftest import reconcile_first


def test_consensus_sheet_names_what_changed_since_the_consensus(tmp_path: Path) -> None:
    lab = build_lab(tmp_path, n_recordings=2, coders_per_recording=2, seed=5)
    cid = reconcile_first(lab)
    mia = lab.manager()
    source = int(mia.assignments.get(cid).reference["sources"][0])
    mia.assignments.reopen(source)
    mia.events.log(source, "WD", 4321)
    assert mia.assignments.complete(source) == []
    xlsx = tmp_path / "study.xlsx"
    export_study(lab.manager(), xlsx)
    ws = load_workbook(xlsx)["Consensus"]
    rows = list(ws.iter_rows(values_only=True))
    col = rows[0].index("stale")
    notes = {r[col] for r in rows[1:]}
    assert len(notes) == 1
    (note,) = notes
    assert f"assignment #{source} reopened" in note
    assert f"assignment #{source}: 1 event(s) added" in note
