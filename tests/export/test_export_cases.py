"""Export of an empty study, of the demo study (the lead's realistic builder), and its progress
reporting."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from observer_app.export import SHEET_ORDER, export_study
from observer_app.services.demo import ensure_demo_study
from observer_app.services.study import Study

from .conftest import Exported


def test_empty_study_exports_headers_only(tmp_path: Path) -> None:
    study = Study.create(tmp_path / "empty.db", "Nothing yet")
    summary = export_study(study, tmp_path / "empty.xlsx", csv_dir=tmp_path / "csv")
    wb = load_workbook(summary.xlsx)
    assert wb.sheetnames == list(SHEET_ORDER)
    for name in SHEET_ORDER[1:]:
        ws = wb[name]
        if summary.rows[name] == 0:
            assert ws.max_row == 1 and ws.auto_filter.ref is not None and not ws.tables
    assert summary.rows["Events"] == summary.rows["Ratings"] == 0
    assert len(summary.csv_files) == len(SHEET_ORDER)


def test_demo_study_exports_its_coding(tmp_path: Path) -> None:
    path = ensure_demo_study(tmp_path / "demo")
    with Study.open(path, backup=False) as study:
        info = study.info()
        summary = export_study(study, tmp_path / "demo.xlsx")
    assert summary.rows["Events"] == info.events
    assert summary.rows["Ratings"] == info.ratings
    wb = load_workbook(summary.xlsx)
    rel = list(wb["Reliability"].iter_rows(min_row=2, values_only=True))
    assert {r[1] for r in rel} >= {"3rs"}
    definitions = list(wb["Definitions"].iter_rows(min_row=2, values_only=True))
    assert any(r[5] == "code" and r[6] == "W1" for r in definitions)


def test_progress_is_monotonic_and_ends_at_the_total(exported: Exported, tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    export_study(
        exported.lab.manager(),
        tmp_path / "p.xlsx",
        progress=lambda done, total: calls.append((done, total)),
    )
    assert len(calls) > 5
    totals = {t for _, t in calls}
    assert len(totals) == 1
    done = [d for d, _ in calls]
    assert done == sorted(done) and done[-1] == calls[-1][1]


def test_two_versions_of_a_definition_keep_headers_unique(tmp_path: Path) -> None:
    from observer_app.coding.resources import resource_path
    from tests.reliability.lab import SCHEME_TOML

    study = Study.create(tmp_path / "v.db", "Versions")
    text = resource_path("instruments", "alliance-quick-demo.toml").read_text(encoding="utf-8")
    v1 = study.definitions.import_text(text, "a.toml").id
    v2 = study.definitions.import_text(text.replace('version = "1"', 'version = "2"'), "b.toml").id
    s1 = study.definitions.import_text(SCHEME_TOML, "s1.toml").id
    s2 = study.definitions.import_text(
        SCHEME_TOML.replace('version = "1"', 'version = "2"'), "s2.toml"
    ).id
    assert len({v1, v2, s1, s2}) == 4
    summary = export_study(study, tmp_path / "v.xlsx")
    wb = load_workbook(summary.xlsx)
    for ws in wb.worksheets:
        header = [str(c.value).lower() for c in ws[1]]
        assert len(header) == len(set(header)), ws.title
    header = [c.value for c in wb["Scores"][1]]
    assert (header.count("total_mean"), header.count("total_sum")) == (1, 1)
