"""The Self-reports and Perspectives tabs, driven with key presses (pytest-qt, offscreen)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from observer_app.services.study import Study
from observer_app.ui.manager import open_manager_window
from observer_app.ui.manager.item_entry import ItemEntryGrid
from observer_app.ui.manager.perspectives_page import PerspectivesPage
from observer_app.ui.manager.selfreports_page import SelfReportsPage
from tests.selfreports.lab import PerspectiveLab, write_csv


def _type(qtbot: QtBot, grid: ItemEntryGrid, keys: str) -> None:
    grid.setFocus()
    for ch in keys:
        if ch == " ":
            qtbot.keyClick(grid, Qt.Key.Key_Space)
        elif ch == "<":
            qtbot.keyClick(grid, Qt.Key.Key_Backspace)
        else:
            qtbot.keyClicks(grid, ch)


def test_grid_digits_answer_and_advance(qtbot: QtBot) -> None:
    grid = ItemEntryGrid()
    qtbot.addWidget(grid)
    grid.set_items([str(i) for i in range(1, 13)], 1, 7)
    _type(qtbot, grid, "12345 7<6")
    assert grid.values() == {"1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "7": 6}
    assert grid.current == 7
    _type(qtbot, grid, "9")  # off the scale: ignored, stays on the item
    assert grid.current == 7 and "8" not in grid.values()
    wide = ItemEntryGrid()
    qtbot.addWidget(wide)
    wide.set_items(["a", "b"], 0, 10)
    _type(qtbot, wide, "105")
    assert wide.values() == {"a": 10, "b": 5}


_WINDOWS: list[object] = []


def _open(path: Path, qtbot: QtBot, who: str = "Mia") -> tuple[Study, SelfReportsPage]:
    study = Study.open(path, as_coder=who, backup=False)
    window = open_manager_window(study)
    qtbot.addWidget(window)
    _WINDOWS.append(window)  # kept alive for the test (the page belongs to it)
    page = window.selfreports
    window.tabs.setCurrentWidget(page)
    return study, page


def test_paper_entry_with_double_entry_and_resolution(plab: PerspectiveLab, qtbot: QtBot) -> None:
    plab.study.coders.add("Rae", role="manager")
    study, page = _open(plab.path, qtbot)
    entry = page.entry
    entry.instrument.setCurrentIndex(entry.instrument.findText("wai-c-s (client)"))
    qtbot.keyClicks(entry.respondent, "C1")
    entry.session.setValue(3)
    entry.double.setChecked(True)
    _type(qtbot, entry.grid, "444444444444")
    assert entry.progress.text() == "12 of 12 items answered"
    qtbot.mouseClick(entry.save, Qt.MouseButton.LeftButton)
    (form,) = study.selfreports.all()
    assert form.status == "first_entry" and form.recording_id == plab.recordings[("D1", 3)]
    study.close()
    # a second person types the same form, with two slips
    study, page = _open(plab.path, qtbot, "Rae")
    page.select(form.id)
    assert page.second_button.isEnabled()
    qtbot.mouseClick(page.second_button, Qt.MouseButton.LeftButton)
    assert page.entry.grid.values() == {}  # the first entry is not shown
    _type(qtbot, page.entry.grid, "44544444442 ")
    qtbot.mouseClick(page.entry.save, Qt.MouseButton.LeftButton)
    page.select(form.id)
    assert page.mismatch_box.isVisibleTo(page)
    text = page.mismatch_text.text()
    assert "3 item(s) differ" in text
    assert "item 3: first 4, second 5" in text and "item 11: first 4, second 2" in text
    assert "item 12: first 4, second blank" in text
    # the paper says 4, 4 and 4: type them over the marked items and resolve
    grid = page.entry.grid
    grid.set_values({**grid.values(), "3": 4, "11": 4, "12": 4})
    qtbot.mouseClick(page.resolve_button, Qt.MouseButton.LeftButton)
    done = study.selfreports.get(form.id)
    assert done.status == "verified" and done.responses == {str(i): 4 for i in range(1, 13)}
    study.close()


def test_import_from_the_page_and_problems_shown(
    plab: PerspectiveLab, qtbot: QtBot, tmp_path: Path
) -> None:
    study, page = _open(plab.path, qtbot)
    entry = page.entry
    entry.instrument.setCurrentIndex(entry.instrument.findText("wai-c-s (client)"))
    rows = [dict(r) for r in plab.client_rows]
    rows[1]["Q2"] = "8"
    bad = write_csv(tmp_path / "bad.csv", rows)
    page.import_file(bad)
    assert "row 3, column 'Q2'" in page.status.text() and study.selfreports.all() == []
    page.import_file(write_csv(tmp_path / "good.csv", plab.client_rows))
    assert page.model.rowCount() == 14 and "14 added" in page.status.text()
    study.close()


def test_perspectives_page_plots_each_dyad(
    plab: PerspectiveLab, qtbot: QtBot, tmp_path: Path
) -> None:
    svc = plab.study.selfreports
    from observer_app.export.tables_in import read_table

    for inst, rows in (("wai-c-s", plab.client_rows), ("wai-t-s", plab.therapist_rows)):
        table = read_table(write_csv(tmp_path / f"{inst}.csv", rows))
        vid = svc.instrument_version(inst)
        svc.import_table(table, vid, svc.mapping_for(table, vid))
    page = PerspectivesPage(plab.study)
    qtbot.addWidget(page)
    page.refresh()
    qtbot.waitUntil(lambda: page.report_data is not None, timeout=10_000)
    assert [page.dyad.itemText(i) for i in range(page.dyad.count())] == ["D1", "D2"]
    assert len(page.plot.rows) == 8 and page.plot.y_range == (0.0, 100.0)
    assert "POMP" in page.metric_note.text()
    page.dyad.setCurrentText("D2")
    assert len(page.plot.rows) == 6
    assert page.agreement.rowCount() > 0


def test_import_asks_for_the_columns(plab: PerspectiveLab, qtbot: QtBot, tmp_path: Path) -> None:
    study, page = _open(plab.path, qtbot)
    page.entry.instrument.setCurrentIndex(page.entry.instrument.findText("wai-c-s (client)"))
    rows = [
        {"Pat": r["ClientID"], "Visit": r["Session"]}
        | {f"it{k[1:]}": v for k, v in r.items() if k.startswith("Q")}
        for r in plab.client_rows
    ]
    dialog = page.ask_and_import(write_csv(tmp_path / "odd.csv", rows))
    assert dialog is not None
    assert dialog.items.text() == "it{item}"
    assert dialog.combos["respondent"].currentText() == "(none)"
    dialog.combos["respondent"].setCurrentText("Pat")
    dialog.combos["session"].setCurrentText("Visit")
    dialog.accept()
    assert "14 added" in page.status.text()
    remembered = study.selfreports.remembered_mapping("wai-c-s")
    assert remembered is not None and remembered.fields["respondent"] == "Pat"
    study.close()
