"""Export to Excel (and CSV) from the GUI: the same export as ``observer-app export``, run on a
pool thread with a progress bar and Cancel (a cancelled export leaves nothing behind)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QThreadPool, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from observer_app.export.sheets import SHEET_ORDER
from observer_app.services.reliability import ICC_FORM_NAMES, Cancelled
from observer_app.services.study import Study
from observer_app.ui.manager._common import Cancelled as TaskCancelled
from observer_app.ui.manager._common import Page, Progress, TaskBar


def _default_target(study: Study) -> Path:
    location = Path(study.location) if "://" not in study.location else Path.home() / "study"
    return location.with_suffix(".xlsx")


class ExportPage(Page):
    def __init__(self, study: Study, pool: QThreadPool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("export")
        self.study = study
        self.summary: Any = None
        self.tasks = TaskBar(pool, self)

        box = self._form()
        self.tasks.idle.connect(lambda: self.export_button.setEnabled(True))
        note = QLabel(
            f"Sheets: {', '.join(SHEET_ORDER)}. The files appear only when the export succeeded."
        )
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(box)
        layout.addWidget(note)
        layout.addWidget(self.result)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.show_folder)
        folder_row.addStretch(1)
        layout.addLayout(folder_row)
        layout.addStretch(1)
        layout.addWidget(self.tasks)
        layout.addWidget(self.status)

    def _form(self) -> QGroupBox:
        self.xlsx = QLineEdit(str(_default_target(self.study)))
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._choose_xlsx)
        self.csv_enabled = QCheckBox("also write tidy CSV files (one per table; R reader) to")
        self.csv_dir = QLineEdit(str(_default_target(self.study).with_suffix("")) + "-csv")
        self.csv_dir.setEnabled(False)
        self.csv_enabled.toggled.connect(self.csv_dir.setEnabled)
        csv_browse = QPushButton("Choose…")
        csv_browse.clicked.connect(self._choose_csv)
        self.pseudonymize = QCheckBox("replace coder names by pseudonymous codes")
        self.tolerance = QDoubleSpinBox()
        self.tolerance.setRange(0, 60)
        self.tolerance.setDecimals(1)
        self.tolerance.setSingleStep(0.5)
        self.tolerance.setSuffix(" s")
        self.tolerance.setValue(2.0)
        self.icc_form = QComboBox()
        self.icc_form.addItems(["auto", *ICC_FORM_NAMES])
        self.icc_form.setCurrentText("auto")
        self.completed_only = QCheckBox("reliability from completed assignments only")
        self.completed_only.setChecked(True)
        self.tolerance.setMaximumWidth(140)
        self.icc_form.setMaximumWidth(140)
        self.export_button = QPushButton("Export")
        self.export_button.setMinimumWidth(160)
        self.export_button.clicked.connect(self.export)
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.show_folder = QPushButton("Show in folder")
        self.show_folder.setVisible(False)
        self.show_folder.clicked.connect(self._open_folder)

        box = QGroupBox("Export the study for analysis")
        form = QFormLayout(box)
        row = QHBoxLayout()
        row.addWidget(self.xlsx, 1)
        row.addWidget(browse)
        form.addRow("Excel workbook", row)
        csv_row = QHBoxLayout()
        csv_row.addWidget(self.csv_dir, 1)
        csv_row.addWidget(csv_browse)
        form.addRow(self.csv_enabled)
        form.addRow("CSV folder", csv_row)
        form.addRow("Coders", self.pseudonymize)
        form.addRow("Event tolerance", self.tolerance)
        form.addRow("ICC form", self.icc_form)
        form.addRow(self.completed_only)
        button_row = QHBoxLayout()
        button_row.addWidget(self.export_button)
        button_row.addStretch(1)
        form.addRow(button_row)
        return box

    def _choose_xlsx(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Export to Excel", self.xlsx.text(), "Excel workbook (*.xlsx)"
        )
        if name:
            self.xlsx.setText(name if name.lower().endswith(".xlsx") else name + ".xlsx")

    def _choose_csv(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder for the CSV files")
        if folder:
            self.csv_dir.setText(folder)
            self.csv_enabled.setChecked(True)

    def export(self) -> None:
        """Run the export in the background."""
        from observer_app.export import ExportOptions, export_study

        if self.tasks.busy:
            return
        study = self.study
        xlsx = Path(self.xlsx.text().strip())
        csv_dir = Path(self.csv_dir.text().strip()) if self.csv_enabled.isChecked() else None
        options = ExportOptions(
            tolerance_ms=round(self.tolerance.value() * 1000),
            pseudonymize=self.pseudonymize.isChecked(),
            icc_form=self.icc_form.currentText(),
            completed_only=self.completed_only.isChecked(),
        )

        def work(progress: Progress) -> Any:
            class Flag:
                def is_set(self) -> bool:
                    return progress.cancelled

            try:
                return export_study(
                    study,
                    xlsx,
                    csv_dir=csv_dir,
                    options=options,
                    progress=progress,
                    cancel=Flag(),
                )
            except Cancelled:
                raise TaskCancelled from None

        self.export_button.setEnabled(False)
        self.show_folder.setVisible(False)
        self.result.setText("")
        self.report("")
        self.tasks.start(work, self._done, f"Exporting to {xlsx.name}…", on_failed=self._failed)

    def _failed(self, message: str) -> None:
        self.report_error(message)

    def _done(self, summary: Any) -> None:
        self.summary = summary
        counts = ", ".join(f"{name} {n}" for name, n in summary.rows.items())
        csv = f" and {len(summary.csv_files)} CSV files" if summary.csv_files else ""
        self.result.setText(
            f"Wrote {summary.xlsx}{csv} in {summary.seconds:.1f} s.\nRows: {counts}."
        )
        self.report("Export finished.")
        self.show_folder.setVisible(True)

    def _open_folder(self) -> None:
        if self.summary is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(self.summary.xlsx).parent)))
