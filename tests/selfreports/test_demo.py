"""The demo study carries client and therapist forms, so the page and the sheet show numbers."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from observer_app.export import export_study
from observer_app.services.demo import MANAGER, ensure_demo_study
from observer_app.services.study import Study


def test_demo_has_three_perspectives(tmp_path: Path) -> None:
    path = ensure_demo_study(tmp_path / "demo")
    with Study.open(path, as_coder=MANAGER, backup=False) as study:
        forms = study.selfreports.all()
        assert {f.instrument_id for f in forms} == {"wai-c-s", "wai-t-s"}
        assert len(forms) == 12
        assert [f.status for f in forms].count("first_entry") == 1
        report = study.perspectives.compute()
        totals = [r for r in report.sessions if r.score_id == "total"]
        assert len(totals) == 6
        assert sum(r.values["observer"] is not None for r in totals) == 5
        assert all(r.values["client"] is not None for r in totals)
        # clients rate higher than observers in the demo, by design
        assert all(
            r.values["client"] > r.values["observer"] for r in totals if r.values["observer"]
        )
        summary = export_study(study, tmp_path / "demo.xlsx")
    assert summary.rows["Perspectives"] == len(report.sessions)
    ws = load_workbook(summary.xlsx)["Perspectives"]
    assert len(ws._charts) == 2
    with Study.open(path, as_coder="Ana Alves", backup=False) as ana:
        queue = ana.assignments.mine()
        offered = {
            i.instrument.id for a in queue for i in ana.definitions.assigned_instruments(a.id)
        }
    assert "wai-c-s" not in offered and "wai-t-s" not in offered and "wai-o-s" in offered
