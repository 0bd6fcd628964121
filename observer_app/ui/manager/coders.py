"""Study set-up: coder and manager profiles (add, deactivate, role, password)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from observer_app.services.records import CoderInfo
from observer_app.services.study import Study
from observer_app.ui.manager._common import (
    MUTED,
    Column,
    Page,
    RowsModel,
    make_table,
    selected_rows,
)


class CoderModel(RowsModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(
            [
                Column("Name", lambda c: c.name),
                Column("Initials", lambda c: c.initials),
                Column("Role", lambda c: c.role),
                Column("Status", lambda c: "active" if c.active else "deactivated"),
                Column("Password", lambda c: "set" if c.has_password else "none"),
            ],
            parent,
        )

    def background(self, row: Any, column: int) -> QColor | None:
        return None if row.active else MUTED


class CoderDialog(QDialog):
    """Name, initials, role and an optional password for a new profile."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add coder")
        self.name = QLineEdit()
        self.initials = QLineEdit()
        self.initials.setPlaceholderText("from the name")
        self.role = QComboBox()
        self.role.addItems(["coder", "manager"])
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("optional")
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Initials", self.initials)
        form.addRow("Role", self.role)
        form.addRow("Password", self.password)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)


class CodersPage(Page):
    def __init__(self, study: Study, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.study = study
        self.model = CoderModel(self)
        self.view = make_table(self.model)
        self.view.selectionModel().selectionChanged.connect(self._update_buttons)
        self.add_button = QPushButton("Add coder…")
        self.active_button = QPushButton("Deactivate")
        self.role_button = QPushButton("Make manager")
        self.password_button = QPushButton("Set password…")
        self.clear_password_button = QPushButton("Remove password")
        self.add_button.clicked.connect(self._add_dialog)
        self.active_button.clicked.connect(self.toggle_active)
        self.role_button.clicked.connect(self.toggle_role)
        self.password_button.clicked.connect(self._password_dialog)
        self.clear_password_button.clicked.connect(lambda: self.set_password(None))
        buttons = QHBoxLayout()
        for b in (
            self.add_button,
            self.active_button,
            self.role_button,
            self.password_button,
            self.clear_password_button,
        ):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.status)
        self.refresh()

    def refresh(self) -> None:
        self.model.set_rows(self.study.coders.all())
        self.view.resizeColumnsToContents()
        self._update_buttons()

    def selected(self) -> CoderInfo | None:
        rows = selected_rows(self.view)
        return self.model.row_at(rows[0]) if rows else None

    def select(self, name: str) -> None:
        for i, c in enumerate(self.model.rows()):
            if c.name == name:
                self.view.selectRow(i)
                return

    def _update_buttons(self) -> None:
        c = self.selected()
        for b in (
            self.active_button,
            self.role_button,
            self.password_button,
            self.clear_password_button,
        ):
            b.setEnabled(c is not None)
        if c is not None:
            self.active_button.setText("Deactivate" if c.active else "Reactivate")
            self.role_button.setText("Make coder" if c.role == "manager" else "Make manager")
            self.clear_password_button.setEnabled(c.has_password)
            self.password_button.setText("Reset password…" if c.has_password else "Set password…")

    # -- actions (public so that tests and scripts can drive them without dialogs) -------------
    def add_coder(
        self, name: str, *, role: str = "coder", initials: str = "", password: str = ""
    ) -> CoderInfo | None:
        info: CoderInfo | None = self.run_action(
            lambda: self.study.coders.add(
                name, role=role, initials=initials or None, password=password or None
            ),
            f"Added {role} {name.strip()}.",
        )
        if info is not None:
            self.refresh()
            self.select(info.name)
        return info

    def toggle_active(self) -> None:
        c = self.selected()
        if c is None:
            return
        if c.active and c.id == self.study.actor.id:
            self.report_error("You cannot deactivate your own profile while signed in with it.")
            return
        verb = "Reactivated" if not c.active else "Deactivated"
        if self.run_action(
            lambda: self.study.coders.set_active(c.id, not c.active), f"{verb} {c.name}."
        ):
            self.refresh()
            self.select(c.name)

    def toggle_role(self) -> None:
        c = self.selected()
        if c is None:
            return
        role = "coder" if c.role == "manager" else "manager"
        if role == "coder" and c.id == self.study.actor.id:
            self.report_error("You cannot take the manager role from your own profile.")
            return
        if self.run_action(
            lambda: self.study.coders.set_role(c.id, role), f"{c.name} is now a {role}."
        ):
            self.refresh()
            self.select(c.name)

    def set_password(self, password: str | None) -> None:
        c = self.selected()
        if c is None:
            return
        done = f"Password for {c.name} {'set' if password else 'removed'}."
        if self.run_action(lambda: self.study.coders.set_password(c.id, password or None), done):
            self.refresh()
            self.select(c.name)

    # -- dialogs -------------------------------------------------------------------------------
    def _add_dialog(self) -> None:
        dialog = CoderDialog(self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.add_coder(
                dialog.name.text(),
                role=dialog.role.currentText(),
                initials=dialog.initials.text().strip(),
                password=dialog.password.text(),
            )

    def _password_dialog(self) -> None:
        c = self.selected()
        if c is None:
            return
        text, ok = QInputDialog.getText(
            self, "Password", f"New password for {c.name}:", QLineEdit.EchoMode.Password
        )
        if ok and text:
            self.set_password(text)
