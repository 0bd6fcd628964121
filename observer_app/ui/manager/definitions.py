"""Study set-up: coding schemes and instruments (import with located errors, versions, attach)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
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
from observer_app.services.instrument_keys import KEY_NOT_CHECKED, RekeyResult
from observer_app.services.study import Study
from observer_app.ui.instrument_form import verify_notes
from observer_app.ui.manager._common import (
    GOOD,
    WARN,
    Column,
    Page,
    RowsModel,
    make_table,
    selected_rows,
)


class DefinitionModel(RowsModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(
            [
                Column("Kind", lambda d: d.kind),
                Column("Id", lambda d: d.definition_id),
                Column("Version", lambda d: d.version),
                Column("Name", lambda d: d.name),
                Column("Attached", lambda d: "attached" if d.attached else ""),
                Column("Key check", self.key_check_of, tip=self.key_check_of),
                Column("Source", lambda d: d.source_name),
                Column(
                    "Content hash",
                    lambda d: d.content_hash.removeprefix("sha256:")[:12],
                    tip=lambda d: d.content_hash,
                ),
            ],
            parent,
        )
        #: version id -> "key checked by ..." (instrument versions with a sign-off)
        self.key_checks: dict[int, str] = {}

    def key_check_of(self, d: DefinitionInfo) -> str:
        if d.kind != "instrument":
            return ""
        return self.key_checks.get(d.id, KEY_NOT_CHECKED)

    def background(self, row: Any, column: int) -> QColor | None:
        if column == 5 and row.kind == "instrument":
            return GOOD if row.id in self.key_checks else WARN
        return GOOD if row.attached and column == 4 else None


def describe(obj: Scheme | Instrument) -> str:
    """A few lines summarising a scheme or instrument version."""
    if isinstance(obj, Scheme):
        codes = ", ".join(c.id for c in obj.codes)
        return f"Scheme {obj.id} {obj.version}: {obj.name}\n{len(obj.codes)} codes: {codes}"
    subs = ", ".join(s.id for s in obj.subscales) if obj.subscales else "none"
    notes = verify_notes(obj)
    text = (
        f"Instrument {obj.id} {obj.version}: {obj.name}\n"
        f"{len(obj.items)} items, rated per {obj.unit} by {obj.perspective}; subscales: {subs}"
    )
    if notes:
        text += f"\n{len(notes)} unconfirmed fact(s) (verify):\n" + "\n".join(
            f"  verify: {n}" for n in notes
        )
    return text


class DefinitionsPage(Page):
    #: A scheme or instrument was imported, attached or detached here.
    definitionsChanged = Signal()

    def __init__(self, study: Study, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.study = study
        self.model = DefinitionModel(self)
        self.view = make_table(self.model)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
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
        self.signoff_button, self.rekey_button = self._key_buttons()
        self.import_button.clicked.connect(self._choose_file)
        self.builtin_button.clicked.connect(self.import_selected_builtin)
        self.attach_button.clicked.connect(lambda: self.set_attached(True))
        self.detach_button.clicked.connect(lambda: self.set_attached(False))
        self.textpack_button.clicked.connect(self._choose_textpack)
        top = QHBoxLayout()
        for w in (self.import_button, self.builtin, self.builtin_button):
            top.addWidget(w)
        top.addStretch(1)
        for w in (
            self.attach_button,
            self.detach_button,
            self.textpack_button,
            self.signoff_button,
            self.rekey_button,
        ):
            top.addWidget(w)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        details_area = QScrollArea()
        details_area.setWidgetResizable(True)
        details_area.setWidget(self.details)
        lower_layout.addWidget(details_area, 1)
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

    def _key_buttons(self) -> tuple[QPushButton, QPushButton]:
        signoff = QPushButton("Sign off key…")
        signoff.setToolTip("Record that this version's key was checked against your manual")
        rekey = QPushButton("Re-key from corrected file…")
        rekey.setToolTip(
            "Carry the study's responses to a corrected version with the same items and "
            "re-score them (one audited step; the old version is kept)"
        )
        signoff.clicked.connect(self._ask_signoff)
        rekey.clicked.connect(self._choose_rekey)
        return signoff, rekey

    def refresh(self) -> None:
        self.model.key_checks = {
            v: s.text for v, s in self.study.instrument_keys.signoffs().items()
        }
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
        is_instrument = d is not None and d.kind == "instrument"
        self.signoff_button.setEnabled(is_instrument)
        self.rekey_button.setEnabled(is_instrument)
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
        key = self.model.key_check_of(d)
        self.details.setText(describe(obj) + (f"\nKey: {key}" if key else ""))

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
        self.definitionsChanged.emit()
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
            self.definitionsChanged.emit()
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
            self.definitionsChanged.emit()

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

    def sign_off_selected(self, manual: str, note: str = "") -> bool:
        """Sign off the selected instrument version's key against ``manual``."""
        d = self.selected()
        if d is None or d.kind != "instrument":
            return False
        info = self.run_action(
            lambda: self.study.instrument_keys.sign_off(d.id, manual, note),
            f"{d.definition_id} {d.version}: key signed off.",
        )
        if info is None:
            return False
        self.refresh()
        self._select_id(d.id)
        return True

    def rekey_selected(self, path: Path) -> RekeyResult | None:
        """Re-key the selected instrument version to the corrected file ``path``."""
        d = self.selected()
        if d is None or d.kind != "instrument":
            return None
        try:
            result = self.study.instrument_keys.rekey_file(path, from_version_id=d.id)
        except DefinitionProblems as exc:
            self.problems.setPlainText("\n".join(str(p) for p in exc.problems))
            self.report_error(f"{path.name}: {len(exc.problems)} problem(s); nothing re-keyed.")
            return None
        except ObserverError as exc:
            self.problems.setPlainText(str(exc))
            self.report_error(f"Not re-keyed: {exc}", popup=True)
            return None
        self.problems.setPlainText(
            "\n".join(
                [
                    f"Re-keyed {result.instrument_id}: {result.ratings_moved} responses carried to "
                    f"version #{result.to_version_id}, {result.forms_rescored} forms re-scored, "
                    f"{result.scores_changed} scores changed; version #{result.from_version_id} "
                    "is kept for provenance.",
                    *(f"  {c}" for c in result.changes),
                    "The new key is not checked yet: sign it off.",
                ]
            )
        )
        self.report(f"Re-keyed {result.instrument_id} ({result.ratings_moved} responses).")
        self.refresh()
        self._select_id(result.to_version_id)
        return result

    # -- dialogs -------------------------------------------------------------------------------
    def _ask_signoff(self) -> None:
        d = self.selected()
        if d is None:
            return
        manual, ok = QInputDialog.getText(
            self,
            "Sign off the key",
            f"{d.definition_id} {d.version}: the manual or edition you checked the key against:",
        )
        if not ok:
            return
        note, ok = QInputDialog.getText(self, "Sign off the key", "A note (optional):")
        if ok:
            self.sign_off_selected(manual, note)

    def _choose_rekey(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Re-key from a corrected instrument file", "", "TOML (*.toml);;All files (*)"
        )
        if name:
            self.rekey_selected(Path(name))

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
