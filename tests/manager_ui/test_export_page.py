"""Export from the GUI: runs the export module on a pool thread with progress; a cancelled
export leaves no file behind."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from pytestqt.qtbot import QtBot

from observer_app.ui.manager.export_page import ExportPage

from .conftest import Lab, code_study


def _pool():  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QThreadPool

    pool = QThreadPool()
    pool.setMaxThreadCount(1)
    return pool


def test_export_writes_the_workbook_and_csv_in_the_background(
    lab: Lab, qtbot: QtBot, tmp_path: Path
) -> None:
    code_study(lab)
    page = ExportPage(lab.study, _pool())
    qtbot.addWidget(page)
    target = tmp_path / "out" / "study.xlsx"
    target.parent.mkdir()
    page.xlsx.setText(str(target))
    page.csv_enabled.setChecked(True)
    page.csv_dir.setText(str(tmp_path / "out" / "csv"))
    page.pseudonymize.setChecked(True)
    seen: list[tuple[int, int]] = []
    page.tasks.bar.valueChanged.connect(lambda v: seen.append((v, page.tasks.bar.maximum())))
    page.export()
    assert not page.export_button.isEnabled()
    qtbot.waitUntil(lambda: not page.tasks.busy, timeout=60_000)
    assert page.tasks.last_error is None, page.status.text()
    assert page.export_button.isEnabled()
    assert seen and seen[-1][0] == seen[-1][1]  # the bar reached its end
    wb = openpyxl.load_workbook(target, read_only=True)
    assert wb.sheetnames[0] == "About" and "Events" in wb.sheetnames
    events = wb["Events"]
    n_rows = sum(1 for _ in events.iter_rows(min_row=2, values_only=True))
    assert n_rows == page.summary.rows["Events"]
    assert n_rows == len(lab.study.events.all_in_study())
    coders = {row[1] for row in wb["Coders"].iter_rows(min_row=2, values_only=True)}
    assert not coders & {"Ana Alves", "Ben Brook"}  # pseudonymized
    wb.close()
    assert {p.stem for p in page.summary.csv_files} >= {"events", "ratings"}
    assert "Export finished." in page.status.text()
    assert not page.show_folder.isHidden()


def test_a_cancelled_export_leaves_nothing(lab: Lab, qtbot: QtBot, tmp_path: Path) -> None:
    code_study(lab)
    page = ExportPage(lab.study, _pool())
    qtbot.addWidget(page)
    target = tmp_path / "cancelled.xlsx"
    page.xlsx.setText(str(target))
    page.export()
    page.tasks.cancel()
    qtbot.waitUntil(lambda: not page.tasks.busy, timeout=60_000)
    if page.summary is None:  # stopped before it finished: nothing may remain
        assert page.tasks.caption.text() == "Cancelled."
        assert not target.exists()
        assert list(tmp_path.glob("*.partial")) == [] and list(tmp_path.glob(".*partial")) == []


def test_a_bad_target_is_reported(lab: Lab, qtbot: QtBot, tmp_path: Path) -> None:
    page = ExportPage(lab.study, _pool())
    qtbot.addWidget(page)
    page.xlsx.setText(str(tmp_path / "no-such-folder" / "x.xlsx"))
    page.export()
    qtbot.waitUntil(lambda: not page.tasks.busy, timeout=30_000)
    assert "no such folder" in page.status.text()
