"""The Phases, Sequences and Ruptures sheets of a real workbook of the demo study, read back, with
their native charts; the phase column follows the study's phases (a dyad start moves it)."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from observer_app.export import ExportOptions, export_study
from observer_app.services.study import Study


def table(ws: object) -> list[dict[str, object]]:
    rows = list(ws.iter_rows(values_only=True))  # type: ignore[attr-defined]
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


@pytest.fixture
def workbook(demo_path: Path, tmp_path: Path) -> tuple[Path, Path]:
    db = tmp_path / "demo.db"
    shutil.copy(demo_path, db)
    with Study.open(db, backup=False) as study:
        study.phases.set_dyad_start("demo-A", "challenge", 4)
        export_study(study, tmp_path / "out.xlsx", options=ExportOptions(bootstrap=50))
    return db, tmp_path / "out.xlsx"


def test_sheets_numbers_and_charts(workbook: tuple[Path, Path]) -> None:
    db, xlsx = workbook
    with Study.open(db, backup=False) as study:
        report = study.sequences.report(permutation=False)
    wb = openpyxl.load_workbook(xlsx)
    phases = table(wb["Phases"])
    study_rows = [r for r in phases if r["scope"] == "all"]
    assert [r["phase_id"] for r in study_rows] == ["alliance-building", "challenge"]
    for row in study_rows:
        (expected,) = [s for s in report.summary("phase") if s.key == row["phase_label"]]
        assert row["ruptures"] == expected.summary.ruptures
        assert row["repair_median_s"] == pytest.approx(expected.summary.median_ms / 1000)
        assert row["share_ci95_low"] <= row["share_resolved"] <= row["share_ci95_high"]
    dyad_a = [r for r in phases if r["scope"] == "demo-A"]
    assert [r["first_session"] for r in dyad_a] == [1, 4]
    assert len(wb["Phases"]._charts) == 2 and len(wb["Sequences"]._charts) == 2
    ruptures = table(wb["Ruptures"])
    assert len(ruptures) == len(report.ruptures)
    moved = {r["phase"] for r in ruptures if r["dyad"] == "demo-A" and r["session_number"] == 4}
    assert moved == {2}
    recordings = {r["recording_id"]: r for r in table(wb["Recordings"])}
    dyad_a_phases = {
        (r["session_number"], r["phase"]) for r in recordings.values() if r["dyad_id"] == "demo-A"
    }
    assert dyad_a_phases == {(3, 1), (4, 2), (7, 2)}
    about = {r["setting"]: r["value"] for r in table(wb["About"])}
    assert "dyad demo-A: challenge from 4" in str(about["phase_rule"])
