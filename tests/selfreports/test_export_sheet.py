"""The Perspectives sheets read back from a real workbook: the same numbers as the service, and a
native line chart per dyad over the total rows (one series per perspective)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.chart import LineChart

from observer_app.export import SHEET_ORDER, export_study
from observer_app.export.tables_in import read_table
from tests.selfreports.lab import PerspectiveLab, write_csv


def test_perspectives_sheet_and_chart(plab: PerspectiveLab, tmp_path: Path) -> None:
    svc = plab.study.selfreports
    for inst, rows in (("wai-c-s", plab.client_rows), ("wai-t-s", plab.therapist_rows)):
        table = read_table(write_csv(tmp_path / f"{inst}.csv", rows))
        vid = svc.instrument_version(inst)
        svc.import_table(table, vid, svc.mapping_for(table, vid))
    out = tmp_path / "study.xlsx"
    export_study(plab.study, out, csv_dir=tmp_path / "csv")
    report = plab.study.perspectives.compute()
    assert "Perspectives" in SHEET_ORDER and "Perspective agreement" in SHEET_ORDER
    wb = openpyxl.load_workbook(out)
    ws = wb["Perspectives"]
    header = [c.value for c in ws[1]]
    body = [dict(zip(header, (c.value for c in row), strict=True)) for row in ws.iter_rows(2)]
    assert len(body) == len(report.sessions)
    want = {(r.dyad_id, r.session_number, r.score_id): r for r in report.sessions}
    for row in body:
        r = want[(row["dyad"], row["session"], row["score"])]
        for p in ("observer", "client", "therapist"):
            assert row[p] == (pytest.approx(r.values[p]) if r.values[p] is not None else None)
        assert row["metric"] == "pomp"
        assert row["client_instrument"] == "wai-c-s"
    charts = ws._charts
    assert len(charts) == 2 and all(isinstance(c, LineChart) for c in charts)
    for chart in charts:
        assert len(chart.series) == 3
        refs = [s.val.numRef.f for s in chart.series]
        assert refs[0].startswith("'Perspectives'!$G$") or refs[0].startswith("Perspectives!$G$")
    # the chart's rows are the total rows of one dyad
    first = charts[0].series[0].val.numRef.f.split("$")
    lo, hi = int(first[2].rstrip(":")), int(first[-1])
    dyads = {ws.cell(i, 1).value for i in range(lo, hi + 1)}
    scores = {ws.cell(i, 5).value for i in range(lo, hi + 1)}
    assert len(dyads) == 1 and scores == {"total"}
    ag = wb["Perspective agreement"]
    names = {row[4].value for row in ag.iter_rows(2)}
    assert {"Pearson r", "Spearman rho", "mean difference", "ICC(A,1)", "LoA upper"} <= names
    assert (tmp_path / "csv" / "perspectives.csv").exists()
    with zipfile.ZipFile(out) as z:
        assert any(n.startswith("xl/charts/") for n in z.namelist())
