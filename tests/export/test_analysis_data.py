"""Analysis data only from complete work (issue 13): the analysis flag requires completion,
not-started work is absent from the data sheets, and every data sheet carries the source
assignment's status and completed_at."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from observer_app.export import export_study
from tests.reliability.lab import build_lab


def _table(ws: Any) -> list[dict[str, Any]]:
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def test_only_complete_work_is_analysis_data(tmp_path: Path) -> None:
    lab = build_lab(tmp_path, n_recordings=3, coders_per_recording=2, complete=False)
    admin = lab.admin
    rec1, rec2, rec3 = lab.recordings
    for name in ("Ana Alves", "Ben Brook"):
        assert admin.assignments.complete(lab.assignments[(rec1, name)]) == []
    # recording 2's primary stays in progress; a not-started calibration waits on recording 1
    waiting = admin.assignments.create(
        rec1, lab.coders["Cy Cole"], purpose="calibration", scheme_version_id=lab.scheme_id
    ).id
    chosen = admin.consensus.analysis_assignments()
    assert chosen == {rec1: lab.assignments[(rec1, "Ana Alves")]}
    summary = export_study(admin, tmp_path / "out.xlsx")
    wb = load_workbook(summary.xlsx)
    for sheet in ("Events", "Segments", "Ratings", "Scores"):
        rows = _table(wb[sheet])
        assert rows, sheet
        assert {"status", "completed_at"} <= set(rows[0]), sheet
        assert waiting not in {r["assignment_id"] for r in rows}, sheet
        for r in rows:
            analysis = r["assignment_id"] == lab.assignments[(rec1, "Ana Alves")]
            assert bool(r["analysis"]) == analysis, (sheet, r["assignment_id"])
            assert r["status"] in ("in_progress", "complete")
            assert (r["completed_at"] is not None) == (r["status"] == "complete")
    in_progress = lab.assignments[(rec2, lab_primary(lab, rec2))]
    seg = [r for r in _table(wb["Segments"]) if r["assignment_id"] == in_progress]
    assert seg and all(r["status"] == "in_progress" and not r["analysis"] for r in seg)
    assert rec3 in {r["recording_id"] for r in _table(wb["Events"])}


def lab_primary(lab: Any, rec: int) -> str:
    names = [n for (r, n) in lab.assignments if r == rec]
    infos = {a.id: a for a in lab.admin.assignments.list_all()}
    return next(n for n in names if infos[lab.assignments[(rec, n)]].purpose == "primary")


def test_audit_sheet_and_its_pseudonymisation(tmp_path: Path) -> None:
    from observer_app.export import ExportOptions

    lab = build_lab(tmp_path, n_recordings=1, coders_per_recording=2)
    admin = lab.admin
    n = len(admin.audit.entries())
    plain = export_study(admin, tmp_path / "plain.xlsx")
    rows = _table(load_workbook(plain.xlsx)["Audit"])
    assert len(rows) == n and rows[0]["what"]
    assert any(r["what"] == "coder" and "Ana Alves" in (r["after"] or "") for r in rows)
    hidden = export_study(admin, tmp_path / "p.xlsx", options=ExportOptions(pseudonymize=True))
    text = " ".join(str(v) for r in _table(load_workbook(hidden.xlsx)["Audit"]) for v in r.values())
    for name in ("Ana Alves", "Ben Brook", "Cy Cole", "Mia Manager"):
        assert name not in text
    assert "scrypt" not in text  # the audit trail never holds a secret (issue 13 found it did)
    assert all("scrypt" not in str(e.after) for e in admin.audit.entries())
