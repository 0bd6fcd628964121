"""Open server study…: host, port, database and database role of a lab server (PostgreSQL).

The password is never written to disk by observer-app: leave it empty to use the role's entry in
``~/.pgpass`` or a ``pg_service.conf`` service (libpq reads them), type it for this session, or,
when the optional ``keyring`` package is installed, keep it in the system keyring. Host, port,
database and role are remembered in the application's settings.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.engine import URL

KEYRING_SERVICE = "observer-app"
_FIELDS = ("host", "port", "database", "user")


def _keyring() -> Any | None:
    try:
        import keyring
    except ImportError:
        return None
    return keyring


def server_url(host: str, port: int, database: str, user: str, password: str | None) -> URL:
    """The study location: a ``postgresql+psycopg`` URL (a host starting with / is a socket
    directory). The password, if any, lives only in this object, never in its text form."""
    query = {"host": host} if host.startswith("/") else {}
    return URL.create(
        "postgresql+psycopg",
        username=user or None,
        password=password or None,
        host=None if host.startswith("/") else (host or None),
        port=None if host.startswith("/") else port,
        database=database,
        query=query,
    )


class ServerStudyDialog(QDialog):
    def __init__(self, settings: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Open server study")
        self._settings = settings or QSettings()
        self.url: URL | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>A study on the lab's PostgreSQL server</b>"))
        form = QFormLayout()
        self.host = QLineEdit(str(self._settings.value("server/host", "localhost")))
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(int(str(self._settings.value("server/port", 5432))))
        self.database = QLineEdit(str(self._settings.value("server/database", "")))
        self.user = QLineEdit(str(self._settings.value("server/user", "")))
        self.user.setPlaceholderText("your database role, e.g. alliance_2027_ana_alves_2")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("empty: use ~/.pgpass or the keyring")
        self.remember = QCheckBox("Keep the password in the system keyring")
        self.remember.setEnabled(_keyring() is not None)
        if _keyring() is None:
            self.remember.setToolTip("install the 'keyring' package to use the system keyring")
        for label, widget in (
            ("Host", self.host),
            ("Port", self.port),
            ("Database", self.database),
            ("Role", self.user),
            ("Password", self.password),
        ):
            form.addRow(label, widget)
        form.addRow("", self.remember)
        layout.addLayout(form)
        self.error = QLabel()
        self.error.setStyleSheet("color: #c0392b")
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _account(self) -> str:
        return f"{self.user.text()}@{self.host.text()}:{self.port.value()}/{self.database.text()}"

    def accept(self) -> None:
        if not self.database.text().strip() or not self.host.text().strip():
            self.error.setText("give at least the host and the database")
            return
        password = self.password.text() or None
        ring = _keyring()
        if ring is not None:
            if password is not None and self.remember.isChecked():
                ring.set_password(KEYRING_SERVICE, self._account(), password)
            elif password is None:
                password = ring.get_password(KEYRING_SERVICE, self._account())
        for name, value in zip(
            _FIELDS,
            (self.host.text(), self.port.value(), self.database.text(), self.user.text()),
            strict=True,
        ):
            self._settings.setValue(f"server/{name}", value)
        self.url = server_url(
            self.host.text().strip(),
            self.port.value(),
            self.database.text().strip(),
            self.user.text().strip(),
            password,
        )
        super().accept()
