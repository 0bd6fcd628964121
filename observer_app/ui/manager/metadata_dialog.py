"""The bulk metadata import dialog: column mapping, a row-numbered problem report, import."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from observer_app.coding.errors import ObserverError
from observer_app.export.tables_in import XLSX_SUFFIXES, read_table, sheet_names
from observer_app.services.metadata_import import (
    FIELDS,
    MetadataCheck,
    MetadataImportError,
    MetadataMapping,
    SourceTable,
    guess_mapping,
    meta_key,
)
from observer_app.services.study import Study
from observer_app.ui.manager._common import Column, RowsModel, make_table

NOT_IMPORTED = "(not imported)"
FIELD_LABELS = {
    "client_id": "Client",
    "therapist_id": "Therapist",
    "dyad_id": "Dyad",
    "session_number": "Session number",
    "session_date": "Session date (YYYY-MM-DD)",
}


class ProblemModel(RowsModel):
    """Row-numbered problems of the checked table."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(
            [
                Column("Row", lambda p: p.row, align_right=True),
                Column("Column", lambda p: p.column or ""),
                Column("Problem", lambda p: p.message),
            ],
            parent,
        )


class MetadataImportDialog(QDialog):
    """Map the file's columns to recording fields, check every row, then import."""

    imported = Signal(str)

    def __init__(self, study: Study, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.study = study
        self.path = path
        self.service = study.metadata_import
        self.table: SourceTable = read_table(path)
        self.check: MetadataCheck | None = None
        self.setWindowTitle(f"Import recording metadata from {path.name}")
        self.resize(820, 640)
        self.summary = QLabel()
        self._finish_layout(self._mapping_box())

    def _mapping_box(self) -> QGroupBox:
        self.sheet = QComboBox()
        if self.path.suffix.lower() in XLSX_SUFFIXES:
            self.sheet.addItems(sheet_names(self.path))
            self.sheet.currentTextChanged.connect(self._sheet_changed)
        else:
            self.sheet.setEnabled(False)
            self.sheet.addItem("(CSV)")
        self.key = QComboBox()
        self.key_kind = QComboBox()
        self.key_kind.addItem("file name or path", "file")
        self.key_kind.addItem("recording number (#)", "id")
        self.fields: dict[str, QComboBox] = {f: QComboBox() for f in FIELDS}
        self.meta = QListWidget()
        self.meta.setMaximumHeight(140)
        self.meta.setToolTip("Checked columns are stored as extra metadata under their own name")
        mapping_box = QGroupBox("Column mapping")
        form = QFormLayout(mapping_box)
        form.addRow("Sheet", self.sheet)
        key_row = QHBoxLayout()
        key_row.addWidget(self.key, 1)
        key_row.addWidget(QLabel("identifies the recording by"))
        key_row.addWidget(self.key_kind)
        form.addRow("Recording column", key_row)
        for f, combo in self.fields.items():
            form.addRow(FIELD_LABELS[f], combo)
        form.addRow("Other columns", self.meta)
        return mapping_box

    def _finish_layout(self, mapping_box: QGroupBox) -> None:
        self.summary.setWordWrap(True)
        self.problems = ProblemModel(self)
        self.problem_view = make_table(self.problems)
        self.import_button = QPushButton("Import")
        self.valid_button = QPushButton("Import valid rows only")
        cancel = QPushButton("Cancel")
        self.copy_button = QPushButton("Copy the problem list")
        self.copy_button.setToolTip("Row, column and problem, tab-separated (paste into a sheet)")
        self.copy_button.clicked.connect(self.copy_problems)
        self.import_button.clicked.connect(lambda: self.apply(valid_rows_only=False))
        self.valid_button.clicked.connect(lambda: self.apply(valid_rows_only=True))
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_button)
        buttons.addStretch(1)
        buttons.addWidget(self.valid_button)
        buttons.addWidget(self.import_button)
        buttons.addWidget(cancel)

        layout = QVBoxLayout(self)
        layout.addWidget(mapping_box)
        layout.addWidget(self.summary)
        layout.addWidget(self.problem_view, 1)
        layout.addLayout(buttons)
        for combo in (self.key, self.key_kind, *self.fields.values()):
            combo.currentIndexChanged.connect(self.recheck)
        self.meta.itemChanged.connect(self.recheck)
        self._load_columns()

    # -- mapping -------------------------------------------------------------------------------
    def _sheet_changed(self, name: str) -> None:
        try:
            self.table = read_table(self.path, sheet=name)
        except ObserverError as exc:
            self.summary.setText(str(exc))
            return
        self._load_columns()

    def _load_columns(self) -> None:
        guess = guess_mapping(self.table.columns)
        combos = [self.key, *self.fields.values()]
        self.key_kind.blockSignals(True)
        for combo in combos:
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(NOT_IMPORTED, "")
            for c in self.table.columns:
                combo.addItem(c, c)
        self.key.setCurrentIndex(max(0, self.key.findData(guess.key_column)))
        self.key_kind.setCurrentIndex(max(0, self.key_kind.findData(guess.key_kind)))
        for f, combo in self.fields.items():
            combo.setCurrentIndex(max(0, combo.findData(guess.fields.get(f, ""))))
        self.meta.blockSignals(True)
        self.meta.clear()
        meta_columns = set(guess.meta.values())
        for c in self.table.columns:
            item = QListWidgetItem(c)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if c in meta_columns else Qt.CheckState.Unchecked
            )
            self.meta.addItem(item)
        for combo in (*combos, self.key_kind):
            combo.blockSignals(False)
        self.meta.blockSignals(False)
        self.recheck()

    def mapping(self) -> MetadataMapping:
        fields = {f: c.currentData() for f, c in self.fields.items() if c.currentData()}
        used = {self.key.currentData(), *fields.values()}
        meta: dict[str, str] = {}
        for i in range(self.meta.count()):
            item = self.meta.item(i)
            if item.checkState() == Qt.CheckState.Checked and item.text() not in used:
                meta[meta_key(item.text())] = item.text()
        return MetadataMapping(
            key_column=self.key.currentData() or "",
            fields=fields,
            meta=meta,
            key_kind=self.key_kind.currentData(),
        )

    # -- checking and importing ----------------------------------------------------------------
    def recheck(self, *_: object) -> None:
        try:
            self.check = self.service.check(self.table, self.mapping())
        except ObserverError as exc:
            self.check = None
            self.problems.set_rows([])
            self.summary.setText(f"<b>Mapping:</b> {exc}")
            self.import_button.setEnabled(False)
            self.valid_button.setEnabled(False)
            self.copy_button.setEnabled(False)
            return
        check = self.check
        self.problems.set_rows(list(check.problems))
        self.problem_view.resizeColumnsToContents()
        n_ok, n_bad = len(check.updates), len(check.bad_rows)
        if check.ok:
            text = f"All {check.n_rows} rows are valid and ready to import."
        else:
            text = (
                f"<b>{n_bad} of {check.n_rows} rows have problems</b> (listed below with their row "
                f"numbers; row 1 is the header). Nothing is imported unless every row is valid, "
                f"or you choose to import the {n_ok} valid row{'s' if n_ok != 1 else ''} only."
            )
        self.summary.setText(text)
        self.copy_button.setEnabled(not check.ok)
        self.import_button.setEnabled(check.ok and n_ok > 0)
        self.valid_button.setEnabled(not check.ok and n_ok > 0)

    def problem_text(self) -> str:
        lines = ["row\tcolumn\tproblem"]
        lines += [f"{p.row}\t{p.column or ''}\t{p.message}" for p in self.problems.rows()]
        return "\n".join(lines)

    def copy_problems(self) -> None:
        QApplication.clipboard().setText(self.problem_text())

    def apply(self, *, valid_rows_only: bool) -> bool:
        try:
            result = self.service.apply(self.table, self.mapping(), valid_rows_only=valid_rows_only)
        except MetadataImportError as exc:
            self.problems.set_rows(list(exc.problems))
            self.summary.setText(str(exc))
            return False
        except ObserverError as exc:
            self.summary.setText(str(exc))
            return False
        text = f"Imported metadata for {len(result.updated)} recording(s) from {self.path.name}"
        if result.skipped_rows:
            rows = ", ".join(str(r) for r in result.skipped_rows)
            text += f"; skipped rows with problems: {rows}"
        self.imported.emit(text + ".")
        self.accept()
        return True
