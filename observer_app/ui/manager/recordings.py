"""Study set-up: recordings (add files or a folder off the GUI thread, metadata, moved media)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QThreadPool
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from observer_app.coding.errors import Conflict, InputError, ObserverError
from observer_app.media.measure import MEASURE_VERSION
from observer_app.services.records import RecordingInfo
from observer_app.services.study import Study
from observer_app.ui.manager._common import (
    LOW,
    Column,
    Page,
    Progress,
    RowsModel,
    TaskBar,
    hms,
    make_table,
    selected_rows,
)

#: Extensions offered when adding a whole folder (anything libvlc plays can be added one by one).
MEDIA_SUFFIXES = frozenset(
    (
        *(".mp4", ".m4v", ".mov", ".mkv", ".avi", ".wmv", ".mpg", ".mpeg", ".webm", ".ts"),
        *(".mts", ".3gp", ".mp3", ".wav", ".m4a", ".aac", ".flac", ".ogg", ".opus", ".wma"),
    )
)


def _text_edit(field_name: str) -> Any:
    def edit(study: Study) -> Any:
        def apply(rec: RecordingInfo, value: Any) -> RecordingInfo:
            text = str(value).strip()
            return study.recordings.update(rec.id, **{field_name: text or None})

        return apply

    return edit


def _session_number(value: Any) -> int | None:
    text = str(value).strip()
    if not text:
        return None
    if not text.isdigit():
        raise InputError(f"session number {text!r} is not a whole number")
    return int(text)


def _session_date(value: Any) -> dt.date | None:
    text = str(value).strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"session date {text!r} is not a date in the form YYYY-MM-DD") from None


def _meta_text(rec: RecordingInfo) -> str:
    return "; ".join(f"{k}={v}" for k, v in sorted(rec.meta.items()))


def _duration_tip(r: RecordingInfo) -> str:
    how = (
        "measured from the decoded stream"
        if r.duration_source == "decoded"
        else f"from the {r.duration_source or 'unchecked'} container"
    )
    if r.measured_by_older_method(MEASURE_VERSION):
        how += "\nmeasured by an older method: Re-check media corrects it"
    return how


#: The column of the stored duration (highlighted when measured by an older method).
DURATION_COLUMN = 2
#: The column showing a container's duration claim that disagrees with the decoded stream.
CLAIM_COLUMN = 9


class RecordingModel(RowsModel):
    """Recordings with editable metadata; a missing media file is highlighted."""

    def __init__(self, study: Study, parent: QObject | None = None) -> None:
        upd = study.recordings.update
        super().__init__(
            [
                Column("#", lambda r: r.id, align_right=True),
                Column(
                    "File",
                    lambda r: Path(r.media_path).name,
                    tip=lambda r: (
                        r.media_path + ("\n(file not found)" if self.is_missing(r) else "")
                    ),
                ),
                Column(
                    "Duration",
                    lambda r: hms(r.duration_ms),
                    align_right=True,
                    tip=_duration_tip,
                ),
                Column("Client", lambda r: r.client_id, _text_edit("client_id")(study)),
                Column("Therapist", lambda r: r.therapist_id, _text_edit("therapist_id")(study)),
                Column("Dyad", lambda r: r.dyad_id, _text_edit("dyad_id")(study)),
                Column(
                    "Session",
                    lambda r: r.session_number,
                    lambda r, v: upd(r.id, session_number=_session_number(v)),
                    align_right=True,
                ),
                Column(
                    "Date",
                    lambda r: r.session_date.isoformat() if r.session_date else "",
                    lambda r, v: upd(r.id, session_date=_session_date(v)),
                ),
                Column("Other metadata", _meta_text),
                Column(
                    "Container claims",
                    lambda r: hms(r.container_duration_ms) if r.duration_disagrees else "",
                    align_right=True,
                    tip=lambda r: (
                        "the file's container claims a different length than its decoded "
                        "stream; the measured one is used"
                        if r.duration_disagrees
                        else ""
                    ),
                ),
            ],
            parent,
        )
        #: Ids of recordings whose file is missing, checked once per reload (not per paint:
        #: media often lives on a slow network share).
        self.missing: set[int] = set()

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.missing = {r.id for r in rows if not Path(r.media_path).exists()}
        super().set_rows(rows)

    def is_missing(self, rec: RecordingInfo) -> bool:
        return rec.id in self.missing

    def background(self, row: Any, column: int) -> QColor | None:
        if column == 1 and self.is_missing(row):
            return LOW
        if column == DURATION_COLUMN and row.measured_by_older_method(MEASURE_VERSION):
            return LOW
        return LOW if column == CLAIM_COLUMN and row.duration_disagrees else None


@dataclass
class AddReport:
    added: list[RecordingInfo] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [f"Added {len(self.added)} recording{'s' if len(self.added) != 1 else ''}"]
        if self.already:
            parts.append(f"{len(self.already)} already in the study")
        if self.failed:
            parts.append(f"{len(self.failed)} could not be added")
        return ", ".join(parts) + "."


def media_files(folder: Path) -> list[Path]:
    """Media files under ``folder`` (recursively), by extension, sorted by path."""
    if not folder.is_dir():
        raise InputError(f"{folder}: not a folder")
    return sorted(
        p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in MEDIA_SUFFIXES
    )


def add_files_work(study: Study, paths: list[Path]) -> Any:
    """The background work of adding ``paths`` (fingerprint and probe happen in ``add``)."""

    def work(progress: Progress) -> AddReport:
        report = AddReport()
        for i, path in enumerate(paths):
            progress.check()
            progress(i, len(paths), f"Reading {path.name} ({i + 1} of {len(paths)})…")
            try:
                report.added.append(study.recordings.add(path))
            except Conflict as exc:
                report.already.append(str(exc))
            except ObserverError as exc:
                report.failed.append(str(exc))
            progress(i + 1, len(paths))
        return report

    return work


@dataclass
class RecheckReport:
    measured: dict[int, Any] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)


def recheck_work(recordings: list[RecordingInfo]) -> Any:
    """The background work of "Re-check media": measure every file (nothing is written)."""
    from observer_app.media.measure import measure

    def work(progress: Progress) -> RecheckReport:
        report = RecheckReport()
        for i, rec in enumerate(recordings):
            progress.check()
            name = Path(rec.media_path).name
            progress(i, len(recordings), f"Measuring {name} ({i + 1} of {len(recordings)})…")
            try:
                report.measured[rec.id] = measure(rec.media_path)
            except ObserverError as exc:
                report.failed.append(f"recording #{rec.id}: {exc}")
        return report

    return work


class RecordingsPage(Page):
    def __init__(self, study: Study, pool: QThreadPool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.study = study
        self.model = RecordingModel(study, self)
        self.model.editFailed.connect(self.report_error)
        self.view = make_table(self.model)
        self.tasks = TaskBar(pool, self)
        self.last_report: AddReport | None = None
        self.moved: dict[int, Path] = {}
        self.add_files_button = QPushButton("Add files…")
        self.add_folder_button = QPushButton("Add folder…")
        self.import_button = QPushButton("Import metadata (CSV/xlsx)…")
        self.find_moved_button = QPushButton("Find moved media…")
        self.recheck_button = QPushButton("Re-check media")
        self.recheck_button.setToolTip(
            "Measure every recording's duration from its decoded stream and correct the stored "
            "one (segment plans follow)"
        )
        self.recheck_button.clicked.connect(self.recheck)
        self.sources_button = QPushButton("Sources…")
        self.sources_button.setToolTip(
            "Further cameras and audio tracks of the selected recording, with their offsets"
        )
        self.sources_button.clicked.connect(self._open_selected_sources)
        self.add_files_button.clicked.connect(self._choose_files)
        self.add_folder_button.clicked.connect(self._choose_folder)
        self.import_button.clicked.connect(self._choose_table)
        self.find_moved_button.clicked.connect(self._choose_moved_folder)
        self.tasks.idle.connect(self._update_buttons)
        buttons = QHBoxLayout()
        for b in (
            self.add_files_button,
            self.add_folder_button,
            self.import_button,
            self.find_moved_button,
            self.recheck_button,
            self.sources_button,
        ):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.tasks)
        layout.addWidget(self.status)
        self.refresh()

    def refresh(self) -> None:
        rows = self.study.recordings.all()
        self.model.set_rows(rows)
        self.view.resizeColumnsToContents()
        self._update_buttons()
        older = sum(r.measured_by_older_method(MEASURE_VERSION) for r in rows)
        if older:
            self.report(
                f"{older} recording(s) measured by an older method (highlighted): "
                "Re-check media corrects their durations and segment plans."
            )

    def _update_buttons(self) -> None:
        busy = self.tasks.busy
        for b in (
            self.add_files_button,
            self.add_folder_button,
            self.find_moved_button,
            self.recheck_button,
        ):
            b.setEnabled(not busy)

    # -- further sources (issue 11) -----------------------------------------------------------
    def _open_selected_sources(self) -> None:
        rows = selected_rows(self.view)
        if not rows:
            self.report_error("Select the recording whose sources to edit.")
            return
        self.open_sources(self.model.row_at(rows[0]).id)

    def open_sources(self, recording_id: int, player_factory: Any = None) -> QDialog:
        """The sources editor of one recording (non-modal, with a synchronised preview)."""
        from observer_app.ui.manager.sources import SourcesDialog

        dialog = SourcesDialog(
            self.study, self.study.recordings.get(recording_id), self, player_factory=player_factory
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    # -- re-checking media ---------------------------------------------------------------------
    def recheck(self) -> None:
        """Measure every present recording in the background; store the results at once."""
        present = [r for r in self.study.recordings.all() if not self.model.is_missing(r)]
        self.tasks.start(
            recheck_work(present),
            self._rechecked,
            f"Re-checking {len(present)} recording(s)…",
            on_failed=self.report_error,
        )
        self._update_buttons()

    def _rechecked(self, report: RecheckReport) -> None:
        try:
            changes = self.study.recordings.apply_measurements(report.measured)
        except ObserverError as exc:
            self.report_error(str(exc), popup=True)
            return
        self.refresh()
        corrected = [c for c in changes if c.changed]
        lines = [f"#{c.recording_id}: {hms(c.before_ms)} → {hms(c.after_ms)}" for c in corrected]
        text = f"Re-checked {len(changes)} recording(s); {len(corrected)} duration(s) corrected."
        self.report(text)
        if corrected or report.failed:
            self.popup("Media re-checked", text, "\n".join(lines + report.failed))

    # -- adding --------------------------------------------------------------------------------
    def add_files(self, paths: list[Path]) -> None:
        """Add recordings in the background (progress bar, cancellable)."""
        if not paths:
            self.report("No media files to add.")
            return
        self.tasks.start(
            add_files_work(self.study, list(paths)),
            self._added,
            f"Adding {len(paths)} recording(s)…",
            on_failed=self.report_error,
        )
        self._update_buttons()

    def add_folder(self, folder: Path) -> None:
        try:
            paths = media_files(folder)
        except ObserverError as exc:
            self.report_error(str(exc))
            return
        self.add_files(paths)

    def _added(self, report: AddReport) -> None:
        self.last_report = report
        self.refresh()
        self.report(report.summary())
        if report.failed or report.already:
            self.popup(
                "Recordings added", report.summary(), "\n".join(report.failed + report.already)
            )

    # -- moved media ---------------------------------------------------------------------------
    def find_moved(self, folder: Path) -> None:
        """Search ``folder`` for missing recordings by fingerprint (in the background)."""
        self.tasks.start(
            lambda _p: self.study.recordings.find_moved(folder),
            self._found_moved,
            f"Looking for moved media in {folder}…",
            on_failed=self.report_error,
        )
        self._update_buttons()

    def _found_moved(self, found: dict[int, Path]) -> None:
        self.moved = found
        if not found:
            self.report(f"No moved media found ({len(self.model.missing)} recording(s) missing).")
            return
        n = self.relink(found)
        still = len(self.model.missing)
        self.report(f"Relinked {n} recording(s) by fingerprint; {still} still missing.")

    def relink(self, found: dict[int, Path]) -> int:
        done = 0
        for rid, path in sorted(found.items()):
            try:
                self.study.recordings.relink(rid, path)
            except ObserverError as exc:
                self.report_error(str(exc))
                continue
            done += 1
        self.refresh()
        return done

    # -- dialogs -------------------------------------------------------------------------------
    def _choose_files(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, "Add recordings")
        self.add_files([Path(n) for n in names])

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add every recording in a folder")
        if folder:
            self.add_folder(Path(folder))

    def _choose_moved_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder to search for moved recordings")
        if folder:
            self.find_moved(Path(folder))

    def _imported(self, text: str) -> None:
        self.refresh()
        self.report(text)

    def _choose_table(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self,
            "Import recording metadata",
            "",
            "Tables (*.csv *.tsv *.txt *.xlsx *.xlsm);;All files (*)",
        )
        if name:
            self.open_import(Path(name))

    def open_import(self, path: Path) -> QDialog | None:
        from observer_app.ui.manager.metadata_dialog import MetadataImportDialog

        try:
            dialog = MetadataImportDialog(self.study, path, self)
        except ObserverError as exc:
            self.report_error(str(exc), popup=True)
            return None
        dialog.imported.connect(self._imported)
        dialog.open()
        return dialog
