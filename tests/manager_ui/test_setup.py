"""Study set-up tabs: coders, recordings (background adding, metadata), definitions, models."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from observer_app.coding.errors import AccessDenied
from observer_app.services.study import Study
from observer_app.ui.manager import open_manager_window
from observer_app.ui.manager.coders import CodersPage
from observer_app.ui.manager.definitions import DefinitionsPage
from observer_app.ui.manager.recordings import RecordingsPage

from .conftest import Lab, make_media


def test_only_managers_open_the_window(lab: Lab, qtbot: QtBot) -> None:
    coder = Study.open(lab.path, as_coder="Ana Alves", backup=False)
    with pytest.raises(AccessDenied):
        open_manager_window(coder)
    coder.close()
    window = open_manager_window(lab.study)
    qtbot.addWidget(window)
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert titles == [
        "Coders",
        "Recordings",
        "Schemes && instruments",
        "Assignments",
        "Reliability",
        "Reconciliation",
        "Analysis",
        "Export",
        "Self-reports",
        "Perspectives",
        "Audit",
    ]
    # every tab reloads when shown: a coder added elsewhere appears
    other = Study.open(lab.path, backup=False)
    other.coders.add("Zoe Zed")
    other.close()
    window.tabs.setCurrentWidget(window.planner)
    window.tabs.setCurrentWidget(window.coders)
    assert "Zoe Zed" in [c.name for c in window.coders.model.rows()]
    window.export_action.trigger()
    assert window.tabs.currentWidget() is window.export
    window.close()


def test_coders_add_deactivate_role_password(lab: Lab, qtbot: QtBot, qtmodeltester) -> None:
    page = CodersPage(lab.study)
    qtbot.addWidget(page)
    assert page.add_coder("Dee Doe", password="pw1") is not None
    assert page.add_coder("Dee Doe") is None
    assert "already exists" in page.status.text()
    page.select("Dee Doe")
    page.toggle_active()
    page.toggle_role()
    page.set_password("new-secret")
    dee = lab.study.coders.get("Dee Doe")
    assert (dee.active, dee.role, dee.has_password) == (False, "manager", True)
    assert page.active_button.text() == "Reactivate"
    # the new password is the one that signs in (reactivate first: inactive coders cannot)
    page.toggle_active()
    Study.open(lab.path, as_coder="Dee Doe", password="new-secret", backup=False).close()
    page.set_password(None)
    assert not lab.study.coders.get("Dee Doe").has_password
    qtmodeltester.check(page.model)


def test_add_files_in_the_background_with_durations(lab: Lab, qtbot: QtBot, qtmodeltester) -> None:
    page = RecordingsPage(lab.study, _pool(qtbot))
    qtbot.addWidget(page)
    new = [make_media(lab.media, f"new{i}.mp4", 100 + i) for i in range(3)]
    duplicate = lab.media / "s01.mp4"
    page.add_files([*new, duplicate, lab.media / "missing.mp4"])
    assert page.tasks.busy
    qtbot.waitUntil(lambda: not page.tasks.busy, timeout=10_000)
    report = page.last_report
    assert report is not None
    assert [Path(r.media_path).name for r in report.added] == ["new0.mp4", "new1.mp4", "new2.mp4"]
    assert len(report.already) == 1 and "same fingerprint" in report.already[0]
    assert len(report.failed) == 1 and "no such file" in report.failed[0]
    assert page.status.text() == (
        "Added 3 recordings, 1 already in the study, 1 could not be added."
    )
    assert page.model.rowCount() == 11
    row = page.model.rowCount() - 1
    assert page.model.index(row, 2).data() == "50:00"  # duration read by the injected probe
    qtmodeltester.check(page.model)


def test_adding_a_folder_can_be_cancelled(lab: Lab, qtbot: QtBot) -> None:
    folder = lab.media / "batch"
    for i in range(5):
        make_media(folder, f"b{i}.mp4", 200 + i)
    (folder / "notes.txt").write_text("not media")
    page = RecordingsPage(lab.study, _pool(qtbot))
    qtbot.addWidget(page)
    lab.probe.gate.clear()
    lab.probe.entered.clear()
    page.add_folder(folder)
    assert lab.probe.entered.wait(5)
    assert not page.add_folder_button.isEnabled()
    page.tasks.cancel_button.click()
    lab.probe.gate.set()
    qtbot.waitUntil(lambda: not page.tasks.busy, timeout=10_000)
    assert page.tasks.caption.text() == "Cancelled."
    names = {Path(r.media_path).name for r in lab.study.recordings.all()}
    assert names & {f"b{i}.mp4" for i in range(5)} == {"b0.mp4"}
    assert page.add_folder_button.isEnabled()


def test_real_media_is_probed_off_the_gui_thread(
    tmp_path: Path, demo_media: Path, qtbot: QtBot
) -> None:
    from observer_app.media.probe import probe

    study = Study.create(tmp_path / "real.db", "Real media", probe=probe)
    page = RecordingsPage(study, _pool(qtbot))
    qtbot.addWidget(page)
    page.add_folder(demo_media)
    qtbot.waitUntil(lambda: not page.tasks.busy, timeout=30_000)
    recs = {Path(r.media_path).name: r for r in study.recordings.all()}
    assert set(recs) == {"demo_session_1.mp4", "demo_session_2.ogg"}
    assert recs["demo_session_1.mp4"].has_video is True
    assert recs["demo_session_2.ogg"].has_video is False
    assert all(r.duration_ms and r.duration_ms > 10_000 for r in recs.values())
    study.close()


def test_metadata_is_edited_in_the_table(lab: Lab, qtbot: QtBot) -> None:
    page = RecordingsPage(lab.study, _pool(qtbot))
    qtbot.addWidget(page)
    model = page.model
    assert model.setData(model.index(0, 3), " C-17 ")
    assert model.setData(model.index(0, 7), "2024-02-29")
    assert not model.setData(model.index(0, 6), "three")
    assert "'three' is not a whole number" in page.status.text()
    assert not model.setData(model.index(0, 7), "29.02.2024")
    rec = lab.study.recordings.get(lab.recordings[0])
    assert rec.client_id == "C-17" and str(rec.session_date) == "2024-02-29"
    assert rec.session_number == 1


def test_metadata_import_dialog_reports_rows_and_imports_valid_rows(
    lab: Lab, qtbot: QtBot, qtmodeltester
) -> None:
    csv = lab.media.parent / "sessions.csv"
    csv.write_text(
        "File,Client,Session,Date,Site\n"
        "s01.mp4,C1,1,2024-01-05,Berlin\n"
        "s02.mp4,C1,two,2024-01-12,Berlin\n"
        "zz.mp4,C2,1,2024-01-06,Bern\n"
        "s04.mp4,C2,2,2024-01-13,Bern\n",
        encoding="utf-8",
    )
    page = RecordingsPage(lab.study, _pool(qtbot))
    qtbot.addWidget(page)
    dialog = page.open_import(csv)
    assert dialog is not None
    assert "2 of 4 rows have problems" in dialog.summary.text()
    assert not dialog.import_button.isEnabled() and dialog.valid_button.isEnabled()
    problems = [(p.row, p.column) for p in dialog.problems.rows()]
    assert problems == [(3, "Session"), (4, "File")]
    qtmodeltester.check(dialog.problems)
    dialog.copy_problems()
    from PySide6.QtWidgets import QApplication

    assert QApplication.clipboard().text().splitlines() == [
        "row\tcolumn\tproblem",
        "3\tSession\tsession_number: 'two' is not a whole number",
        "4\tFile\tno recording with the file name 'zz.mp4'",
    ]
    # unmapping the bad column leaves only the unknown file
    dialog.fields["session_number"].setCurrentIndex(0)
    assert [p.row for p in dialog.problems.rows()] == [4]
    assert not dialog.apply(valid_rows_only=False)
    assert lab.study.recordings.get(lab.recordings[0]).client_id is None
    assert dialog.apply(valid_rows_only=True)
    assert "skipped rows with problems: 4" in page.status.text()
    rec = lab.study.recordings.get(lab.recordings[3])
    assert rec.client_id == "C2" and rec.meta == {"site": "Bern"}
    assert rec.session_number == 4  # unmapped: unchanged


def test_a_malformed_table_is_refused_with_a_message(lab: Lab, qtbot: QtBot) -> None:
    page = RecordingsPage(lab.study, _pool(qtbot))
    qtbot.addWidget(page)
    bad = lab.media.parent / "bad.xlsx"
    bad.write_text("File,Client\n")
    assert page.open_import(bad) is None
    assert "bad.xlsx: not an Excel .xlsx workbook" in page.status.text()


def test_find_moved_media_relinks_by_fingerprint(lab: Lab, qtbot: QtBot) -> None:
    moved = lab.media.parent / "moved"
    moved.mkdir()
    for name in ("s02.mp4", "s05.mp4"):
        (lab.media / name).rename(moved / f"renamed-{name}")
    page = RecordingsPage(lab.study, _pool(qtbot))
    qtbot.addWidget(page)
    assert page.model.background(page.model.row_at(1), 1) is not None  # missing file shown
    page.find_moved(moved)
    qtbot.waitUntil(lambda: not page.tasks.busy, timeout=10_000)
    assert page.status.text() == "Relinked 2 recording(s) by fingerprint; 0 still missing."
    assert Path(lab.study.recordings.get(lab.recordings[1]).media_path).name == "renamed-s02.mp4"


def test_definitions_import_shows_located_problems(
    lab: Lab, qtbot: QtBot, tmp_path: Path, qtmodeltester
) -> None:
    page = DefinitionsPage(lab.study)
    qtbot.addWidget(page)
    bad = tmp_path / "bad-scheme.toml"
    bad.write_text(
        '[scheme]\nid = "x"\nname = "X"\nversion = "1"\ncitation = ""\nlicense = "CC0"\n\n'
        '[[codes]]\nid = "a"\nlabel = "A"\ncategory = "nope"\nkind = "sometimes"\n',
        encoding="utf-8",
    )
    assert page.import_file(bad) is None
    assert "nothing was imported" in page.status.text()
    assert "bad-scheme.toml" in page.problems.toPlainText()
    assert "line" in page.problems.toPlainText()
    assert page.select_builtin("scheme", "3rs")
    info = page.import_selected_builtin()
    assert info is not None and info.attached and info.kind == "scheme"
    assert page.selected() == info
    assert "codes" in page.details.text()
    page.set_attached(False)
    assert not lab.study.definitions.versions()[0].attached
    qtmodeltester.check(page.model)


def _pool(qtbot: QtBot):  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QThreadPool

    pool = QThreadPool()
    pool.setMaxThreadCount(1)
    return pool


def test_a_manager_cannot_lock_themselves_out(lab: Lab, qtbot: QtBot) -> None:
    me = Study.open(lab.path, as_coder="Mo Master", backup=False)
    page = CodersPage(me)
    qtbot.addWidget(page)
    page.select("Mo Master")
    page.toggle_active()
    assert "your own profile" in page.status.text()
    page.toggle_role()
    assert "your own profile" in page.status.text()
    mo = me.coders.get("Mo Master")
    assert mo.active and mo.role == "manager"
    me.close()


def test_text_pack_import_needs_its_instrument(lab: Lab, qtbot: QtBot) -> None:
    from observer_app.coding.resources import resource_path

    pack = resource_path("textpacks", "example-wai-o.toml")
    page = DefinitionsPage(lab.study)
    qtbot.addWidget(page)
    page.import_textpack(pack)
    assert "was not imported" in page.status.text() and "wai-o" in page.status.text()
    assert page.select_builtin("instrument", "wai-o")
    assert page.import_selected_builtin() is not None
    page.import_textpack(pack)
    assert page.status.text().startswith("Imported the text pack for wai-o")
    version = lab.study.definitions.instrument_version("wai-o")
    assert version is not None and lab.study.definitions.text_pack(version.id) is not None
