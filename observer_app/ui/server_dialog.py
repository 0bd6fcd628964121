"""Open server study…: host, port, database and database role of a lab server (PostgreSQL).

The password is never written to disk by observer-app: leave it empty to use the system
keyring's entry for the role (kept here or by ``observer-app login``), else the role's entry in
``~/.pgpass`` or a ``pg_service.conf`` service (libpq reads them); or type it for this session,
and tick the box to keep it in the system keyring (``services/credentials.py``). Host, port,
database and role are remembered in the application's settings.
"""

from __future__ import annotations

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

from observer_app.coding.errors import ObserverError
from observer_app.services import credentials

_FIELDS = ("host", "port", "database", "user")


def server_url(host: str, port: int, database: str, user: str, password: str | None) -> URL:
    """The study location: a ``postgresql+psycopg`` URL (a host starting with / is a socket
    directory). The password, if any, lives only in this object, never in its text form."""
    query = {"host": host} if host.startswith("/") else {}
    return URL.create(
        "postgresql+psycopg",
        username=user or None,
        password=password or None,
        host=None if host.startswith("/") else (host or None),
        port=port,  # a socket's port names its file (.s.PGSQL.<port>)
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
        no_keyring = credentials.no_backend_reason()
        self.remember.setEnabled(no_keyring is None)
        if no_keyring is not None:
            self.remember.setToolTip(no_keyring)
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

    def accept(self) -> None:
        if not self.database.text().strip() or not self.host.text().strip():
            self.error.setText("give at least the host and the database")
            return
        url = server_url(
            self.host.text().strip(),
            self.port.value(),
            self.database.text().strip(),
            self.user.text().strip(),
            None,
        )
        account = credentials.server_account(url)
        password = self.password.text() or None
        if password is not None and self.remember.isChecked():
            try:
                credentials.set_secret(account, password)
            except ObserverError as exc:
                self.error.setText(str(exc))
                return
        elif password is None:
            password = credentials.get_secret(account)
        for name, value in zip(
            _FIELDS,
            (self.host.text(), self.port.value(), self.database.text(), self.user.text()),
            strict=True,
        ):
            self._settings.setValue(f"server/{name}", value)
        self.url = url.set(password=password) if password else url
        super().accept()
