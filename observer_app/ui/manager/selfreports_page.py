"""The Self-reports tab: client and therapist forms (managers only; coders never see them).

A list of the study's forms; a survey export imported from a file (the mapping is the one the
study remembers, else guessed from the header; problems are listed by row and column and nothing
is written); and a paper form typed in by a research assistant with the keyboard grid
(:mod:`item_entry`), optionally double-entered: a second person types the same form, the
mismatches are listed item by item and resolved against the paper. All rules live in
``services.selfreports``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from observer_app.coding.errors import InputError, ObserverError
from observer_app.services.selfreports import FormHeader, SelfReportRecord
from observer_app.services.study import Study
from observer_app.ui.manager._common import Column, Page, RowsModel, make_table, selected_rows
from observer_app.ui.manager.item_entry import ItemEntryGrid
from observer_app.ui.manager.selfreport_mapping import MappingDialog

STATUS_TEXT = {
    "single": "entered",
    "first_entry": "awaiting 2nd entry",
    "mismatch": "mismatches",
    "verified": "double-entered",
}


def _total(r: SelfReportRecord, key: str) -> str:
    v = r.scores.get("total", {}).get(key)
    return "" if v is None else f"{v:.2f}"


class FormsModel(RowsModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(
            [
                Column("Instrument", lambda r: r.instrument_id),
                Column("Role", lambda r: r.respondent_role),
                Column("Respondent", lambda r: r.respondent_id),
                Column("Dyad", lambda r: r.dyad_id),
                Column("Session", lambda r: r.session_number, align_right=True),
                Column("Date", lambda r: r.form_date.isoformat() if r.form_date else ""),
                Column("Recording", lambda r: "" if r.recording_id is None else r.recording_id),
                Column("Status", lambda r: STATUS_TEXT.get(r.status, r.status)),
                Column("Total mean", lambda r: _total(r, "mean"), align_right=True),
                Column("Total sum", lambda r: _total(r, "sum"), align_right=True),
            ],
            parent,
        )


class EntryPanel(QGroupBox):
    """The header fields and the item grid of one paper form."""

    def __init__(self, study: Study, parent: QWidget | None = None) -> None:
        super().__init__("Enter a paper form", parent)
        self.study = study
        self.instrument = QComboBox()
        self.instrument.setObjectName("entry_instrument")
        self.respondent = QLineEdit()
        self.respondent.setObjectName("entry_respondent")
        self.session = QSpinBox()
        self.session.setObjectName("entry_session")
        self.session.setRange(0, 9999)
        self.session.setValue(1)
        self.dyad = QLineEdit()
        self.dyad.setObjectName("entry_dyad")
        self.dyad.setPlaceholderText("optional: from the recording")
        self.date = QLineEdit()
        self.date.setObjectName("entry_date")
        self.date.setPlaceholderText("YYYY-MM-DD (optional)")
        self.double = QCheckBox("Double entry (a second person enters the same form)")
        self.double.setObjectName("entry_double")
        self.grid = ItemEntryGrid()
        self.hint = QLabel(
            "Digits answer and move on; Space leaves an item blank; Backspace goes back; "
            "Enter saves the form."
        )
        self.progress = QLabel()
        self.save = QPushButton("Save form")
        self.save.setObjectName("entry_save")
        form = QFormLayout()
        form.addRow("Instrument", self.instrument)
        form.addRow("Respondent id", self.respondent)
        form.addRow("Session", self.session)
        form.addRow("Dyad", self.dyad)
        form.addRow("Date", self.date)
        form.addRow("", self.double)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.hint)
        layout.addWidget(self.grid)
        row = QHBoxLayout()
        row.addWidget(self.progress, 1)
        row.addWidget(self.save)
        layout.addLayout(row)
        self.instrument.currentIndexChanged.connect(self._instrument_changed)
        self.grid.changed.connect(self._count)
        self.grid.completed.connect(self._count)
        self.respondent.returnPressed.connect(self.session.setFocus)
        self.session.lineEdit().returnPressed.connect(self.grid.setFocus)

    def load_instruments(self) -> None:
        current = self.instrument.currentData()
        self.instrument.blockSignals(True)
        self.instrument.clear()
        for info in self.study.definitions.versions("instrument", attached_only=True):
            inst = self.study.definitions.instrument(info.id)
            if inst.perspective in ("client", "therapist"):
                self.instrument.addItem(f"{inst.id} ({inst.perspective})", info.id)
        index = max(0, self.instrument.findData(current))
        self.instrument.setCurrentIndex(index)
        self.instrument.blockSignals(False)
        self._instrument_changed()

    def _instrument_changed(self) -> None:
        vid = self.instrument.currentData()
        if vid is None:
            self.grid.set_items([], 1, 7)
            return
        inst = self.study.definitions.instrument(int(vid))
        self.grid.set_items(list(inst.item_ids), inst.scale.min, inst.scale.max)
        self._count()

    def _count(self) -> None:
        n = len(self.grid.values())
        self.progress.setText(f"{n} of {len(self.grid.item_ids)} items answered")

    def header(self) -> FormHeader:
        vid = self.instrument.currentData()
        if vid is None:
            raise InputError("attach a client or therapist instrument first")
        date = self.date.text().strip()
        try:
            when = dt.date.fromisoformat(date) if date else None
        except ValueError:
            raise InputError(f"date {date!r} is not in the form YYYY-MM-DD") from None
        return FormHeader(
            int(vid),
            self.respondent.text().strip(),
            self.session.value(),
            dyad_id=self.dyad.text().strip() or None,
            form_date=when,
        )

    def show_form(self, r: SelfReportRecord) -> None:
        """Fill the header from a stored form (for its second entry), items left blank."""
        index = self.instrument.findData(r.instrument_version_id)
        if index >= 0:
            self.instrument.setCurrentIndex(index)
        self.respondent.setText(r.respondent_id)
        self.session.setValue(r.session_number)
        self.dyad.setText(r.dyad_id)
        self.date.setText(r.form_date.isoformat() if r.form_date else "")
        self.grid.clear()

    def reset(self) -> None:
        self.respondent.clear()
        self.date.clear()
        self.grid.clear()


class SelfReportsPage(Page):
    def __init__(self, study: Study, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("selfreports")
        self.study = study
        self.model = FormsModel(self)
        self.view = make_table(self.model)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.import_button = QPushButton("Import survey export…")
        self.second_button = QPushButton("Second entry of the selected form")
        self.second_button.setObjectName("second_entry")
        self.delete_button = QPushButton("Delete form")
        self.import_button.clicked.connect(self._import_dialog)
        self.second_button.clicked.connect(self.start_second_entry)
        self.delete_button.clicked.connect(self.delete_selected)
        self.entry = EntryPanel(study)
        self.entry.save.clicked.connect(self.save_form)
        self.entry.grid.submitted.connect(self.save_form)
        self.mismatch_box = QGroupBox("Double-entry mismatches")
        self.mismatch_text = QLabel()
        self.mismatch_text.setObjectName("mismatches")
        self.mismatch_text.setTextFormat(Qt.TextFormat.RichText)
        self.mismatch_text.setWordWrap(True)
        self.mismatch_text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.resolve_button = QPushButton("Resolve with the values in the grid")
        self.resolve_button.setObjectName("resolve")
        self.resolve_button.clicked.connect(self.resolve_selected)
        box = QVBoxLayout(self.mismatch_box)
        box.addWidget(self.mismatch_text, 1)
        box.addWidget(self.resolve_button)
        self._second_for: int | None = None
        buttons = QHBoxLayout()
        for b in (self.import_button, self.second_button, self.delete_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.view, 1)
        lower = QHBoxLayout()
        lower.addWidget(self.entry, 3)
        lower.addWidget(self.mismatch_box, 2)
        layout.addLayout(lower)
        layout.addWidget(self.status)
        self.refresh()

    # -- list ------------------------------------------------------------------------------
    def refresh(self) -> None:
        try:
            forms = self.study.selfreports.all()
        except ObserverError as exc:
            self.report_error(str(exc))
            return
        keep = self.selected()
        self.model.set_rows(forms)
        self.view.resizeColumnsToContents()
        if keep is not None:
            self.select(keep.id)
        self.entry.load_instruments()
        self._selection_changed()

    def selected(self) -> SelfReportRecord | None:
        rows = selected_rows(self.view)
        return self.model.row_at(rows[0]) if rows else None

    def select(self, report_id: int) -> None:
        for i, r in enumerate(self.model.rows()):
            if r.id == report_id:
                self.view.selectRow(i)
                return

    def _selection_changed(self, *_: Any) -> None:
        r = self.selected()
        self.second_button.setEnabled(r is not None and r.status == "first_entry")
        self.delete_button.setEnabled(r is not None)
        mismatch = r is not None and r.status == "mismatch"
        self.mismatch_box.setVisible(mismatch)
        if r is not None and mismatch:
            self._show_mismatches(r)

    # -- entry -----------------------------------------------------------------------------
    def save_form(self) -> None:
        values = self.entry.grid.values()
        if self._second_for is not None:
            report_id = self._second_for
            done = self.run_action(lambda: self.study.selfreports.enter_second(report_id, values))
            if done is None:
                return
            self._second_for = None
            self.entry.save.setText("Save form")
            word = "agree" if done.status == "verified" else "differ: resolve the mismatches"
            self.report(f"second entry of form #{done.id} saved; the two entries {word}")
        else:
            try:
                header = self.entry.header()
            except ObserverError as exc:
                self.report_error(str(exc))
                return
            double = self.entry.double.isChecked()
            done = self.run_action(
                lambda: self.study.selfreports.enter(header, values, double_entry=double)
            )
            if done is None:
                return
            self.report(f"form #{done.id} saved ({STATUS_TEXT[done.status]})")
        self.entry.reset()
        self.refresh()
        self.select(done.id)  # a form with mismatches shows them, the grid focused
        if done.status != "mismatch":
            self.entry.respondent.setFocus()

    def start_second_entry(self) -> None:
        r = self.selected()
        if r is None or r.status != "first_entry":
            return
        self._second_for = r.id
        self.entry.show_form(r)
        self.entry.save.setText(f"Save second entry of form #{r.id}")
        self.entry.grid.setFocus()
        self.report(f"type form #{r.id} again from the paper; the first entry is not shown")

    def _show_mismatches(self, r: SelfReportRecord) -> None:
        found = self.run_action(lambda: self.study.selfreports.mismatches(r.id)) or []
        lines = [
            f"item {m.item_id}: first {_blank(m.first)}, second {_blank(m.second)}" for m in found
        ]
        self.mismatch_text.setText(
            f"Form #{r.id}: {len(found)} item(s) differ<br>"
            + "<br>".join(lines)
            + "<br><i>Check the paper and type the right value of each red item in the grid "
            "(typing moves from one red item to the next; Space: blank), then resolve.</i>"
        )
        self.entry.show_form(r)
        self.entry.grid.set_values(r.responses)
        self.entry.grid.mark([m.item_id for m in found])
        self.entry.grid.setFocus()

    def resolve_selected(self) -> None:
        r = self.selected()
        if r is None:
            return
        found = self.run_action(lambda: self.study.selfreports.mismatches(r.id)) or []
        grid = self.entry.grid.values()
        values = {m.item_id: grid.get(m.item_id) for m in found}
        done = self.run_action(lambda: self.study.selfreports.resolve(r.id, values))
        if done is None:
            return
        self.report(f"form #{done.id}: {STATUS_TEXT[done.status]}")
        self.entry.grid.mark([])
        self.entry.reset()
        self.refresh()
        self.select(done.id)

    def delete_selected(self) -> None:
        r = self.selected()
        if r is not None and self.run_action(lambda: self.study.selfreports.delete(r.id)) is None:
            self.refresh()

    # -- import ----------------------------------------------------------------------------
    def _import_dialog(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Import a survey export", "", "Tables (*.csv *.tsv *.txt *.xlsx)"
        )
        if name:
            self.ask_and_import(Path(name))

    def ask_and_import(self, path: Path) -> MappingDialog | None:
        """Show the column mapping of ``path`` (non-blocking); import when it is accepted."""
        from observer_app.export.tables_in import read_table

        vid = self.entry.instrument.currentData()
        if vid is None:
            self.report_error("attach a client or therapist instrument first")
            return None
        loaded = self.run_action(lambda: read_table(path))
        if loaded is None:
            return None
        mapping = self.run_action(lambda: self.study.selfreports.mapping_for(loaded, int(vid)))
        if mapping is None:
            return None
        dialog = MappingDialog(path.name, loaded.columns, mapping, self)

        def accepted() -> None:
            self.import_file(
                path, overrides=dialog.overrides(), valid_rows_only=dialog.valid_only.isChecked()
            )

        dialog.accepted.connect(accepted)
        dialog.open()
        return dialog

    def import_file(
        self,
        path: Path,
        *,
        overrides: Mapping[str, str] | None = None,
        valid_rows_only: bool = False,
    ) -> None:
        """Import ``path`` for the instrument chosen in the entry panel."""
        from observer_app.export.tables_in import read_table

        vid = self.entry.instrument.currentData()
        if vid is None:
            self.report_error("attach a client or therapist instrument first")
            return
        svc = self.study.selfreports

        def run() -> Any:
            table = read_table(path)
            mapping = svc.mapping_for(table, int(vid), overrides)
            return svc.import_table(table, int(vid), mapping, valid_rows_only=valid_rows_only)

        result = self.run_action(run)
        if result is None:
            return
        self.refresh()
        skipped = "".join(f"; skipped {p}" for p in result.problems)
        self.report(
            f"{path.name}: {len(result.created)} added, {len(result.replaced)} replaced, "
            f"{len(result.unchanged)} unchanged{skipped}"
        )


def _blank(v: int | None) -> str:
    return "blank" if v is None else str(v)
