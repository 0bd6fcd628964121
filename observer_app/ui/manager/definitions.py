"""Study set-up: coding schemes and instruments (import with located errors, versions, attach)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from observer_app.coding.definitions import (
    DefinitionProblems,
    Instrument,
    Scheme,
    builtin_instruments,
    builtin_schemes,
)
from observer_app.coding.errors import ObserverError
from observer_app.services.definitions import DefinitionInfo
from observer_app.services.study import Study
from observer_app.ui.manager._common import GOOD, Column, Page, RowsModel, make_table, selected_rows


class DefinitionModel(RowsModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(
            [
                Column("Kind", lambda d: d.kind),
                Column("Id", lambda d: d.definition_id),
                Column("Version", lambda d: d.version),
                Column("Name", lambda d: d.name),
                Column("Attached", lambda d: "attached" if d.attached else ""),
                Column("Source", lambda d: d.source_name),
                Column(
                    "Content hash",
                    lambda d: d.content_hash.removeprefix("sha256:")[:12],
                    tip=lambda d: d.content_hash,
                ),
            ],
            parent,
        )

    def background(self, row: Any, column: int) -> QColor | None:
        return GOOD if row.attached and column == 4 else None


def describe(obj: Scheme | Instrument) -> str:
    """A few lines summarising a scheme or instrument version."""
    if isinstance(obj, Scheme):
        codes = ", ".join(c.id for c in obj.codes)
        return f"Scheme {obj.id} {obj.version}: {obj.name}\n{len(obj.codes)} codes: {codes}"
    subs = ", ".join(s.id for s in obj.subscales) if obj.subscales else "none"
    return (
        f"Instrument {obj.id} {obj.version}: {obj.name}\n"
        f"{len(obj.items)} items, rated per {obj.unit} by {obj.perspective}; subscales: {subs}"
    )


class DefinitionsPage(Page):
    def __init__(self, study: Study, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.study = study
        self.model = DefinitionModel(self)
        self.view = make_table(self.model)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.problems = QPlainTextEdit()
        self.problems.setReadOnly(True)
        self.problems.setPlaceholderText("Validation problems of an imported file appear here.")
        self.import_button = QPushButton("Import TOML…")
        self.builtin = QComboBox()
        for s in builtin_schemes():
            self.builtin.addItem(f"scheme: {s.name}", ("scheme", s.id))
        for i in builtin_instruments():
            self.builtin.addItem(f"instrument: {i.name}", ("instrument", i.id))
        self.builtin_button = QPushButton("Add built-in")
        self.attach_button = QPushButton("Attach")
        self.detach_button = QPushButton("Detach")
        self.textpack_button = QPushButton("Import text pack…")
        self.import_button.clicked.connect(self._choose_file)
        self.builtin_button.clicked.connect(self.import_selected_builtin)
        self.attach_button.clicked.connect(lambda: self.set_attached(True))
        self.detach_button.clicked.connect(lambda: self.set_attached(False))
        self.textpack_button.clicked.connect(self._choose_textpack)
        top = QHBoxLayout()
        for w in (self.import_button, self.builtin, self.builtin_button):
            top.addWidget(w)
        top.addStretch(1)
        for w in (self.attach_button, self.detach_button, self.textpack_button):
            top.addWidget(w)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.details)
        lower_layout.addWidget(self.problems, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.view)
        split.addWidget(lower)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addWidget(self.status)
        self.refresh()

    def refresh(self) -> None:
        self.model.set_rows(self.study.definitions.versions())
        if self.model.rowCount():
            self.view.resizeColumnsToContents()
        self._selection_changed()

    def selected(self) -> DefinitionInfo | None:
        rows = selected_rows(self.view)
        return self.model.row_at(rows[0]) if rows else None

    def _select_id(self, version_id: int) -> None:
        for i, d in enumerate(self.model.rows()):
            if d.id == version_id:
                self.view.selectRow(i)

    def _selection_changed(self) -> None:
        d = self.selected()
        self.attach_button.setEnabled(d is not None and not d.attached)
        self.detach_button.setEnabled(d is not None and d.attached)
        if d is None:
            self.details.setText("")
            return
        try:
            obj: Scheme | Instrument = (
                self.study.definitions.scheme(d.id)
                if d.kind == "scheme"
                else self.study.definitions.instrument(d.id)
            )
        except ObserverError as exc:
            self.details.setText(str(exc))
            return
        self.details.setText(describe(obj))

    # -- actions -------------------------------------------------------------------------------
    def import_file(self, path: Path) -> DefinitionInfo | None:
        """Import a scheme or instrument TOML; show every located problem when it is invalid."""
        try:
            info = self.study.definitions.import_file(path)
        except DefinitionProblems as exc:
            self.problems.setPlainText("\n".join(str(p) for p in exc.problems))
            self.report_error(
                f"{path.name}: {len(exc.problems)} problem(s); nothing was imported (see below)."
            )
            return None
        except ObserverError as exc:
            self.problems.setPlainText(str(exc))
            self.report_error(f"{path.name} was not imported: {exc}")
            return None
        self.problems.clear()
        self.report(f"Imported {info.kind} {info.definition_id} {info.version} and attached it.")
        self.refresh()
        self._select_id(info.id)
        return info

    def select_builtin(self, kind: str, definition_id: str) -> bool:
        for i in range(self.builtin.count()):
            if tuple(self.builtin.itemData(i)) == (kind, definition_id):
                self.builtin.setCurrentIndex(i)
                return True
        return False

    def import_selected_builtin(self) -> DefinitionInfo | None:
        kind, definition_id = tuple(self.builtin.currentData())
        info: DefinitionInfo | None = self.run_action(
            lambda: self.study.definitions.import_builtin(kind, definition_id),
            f"Added the built-in {kind} {definition_id} and attached it.",
        )
        if info is not None:
            self.refresh()
            self._select_id(info.id)
        return info

    def set_attached(self, attached: bool) -> None:
        d = self.selected()
        if d is None:
            return
        verb = "Attached" if attached else "Detached"
        done = f"{verb} {d.kind} {d.definition_id} {d.version}."
        if self.run_action(lambda: self.study.definitions.attach(d.id, attached), done):
            self.refresh()
            self._select_id(d.id)

    def import_textpack(self, path: Path) -> None:
        try:
            pack = self.study.definitions.import_text_pack(path)
        except DefinitionProblems as exc:
            self.problems.setPlainText("\n".join(str(p) for p in exc.problems))
            self.report_error(f"{path.name}: {len(exc.problems)} problem(s); not imported.")
            return
        except ObserverError as exc:
            self.problems.setPlainText(str(exc))
            self.report_error(f"{path.name} was not imported: {exc}")
            return
        self.problems.clear()
        self.report(
            f"Imported the text pack for {pack.instrument} {pack.instrument_version} ({path.name})."
        )

    # -- dialogs -------------------------------------------------------------------------------
    def _choose_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Import a coding scheme or instrument", "", "TOML (*.toml);;All files (*)"
        )
        if name:
            self.import_file(Path(name))

    def _choose_textpack(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Import a text pack", "", "TOML (*.toml);;All files (*)"
        )
        if name:
            self.import_textpack(Path(name))
