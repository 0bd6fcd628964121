"""Start-up: choose your coder profile (password when set), then your assignment queue."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from observer_app.coding.errors import ObserverError
from observer_app.services.records import CoderInfo
from observer_app.services.study import Study
from observer_app.ui.contrast import css
from observer_app.ui.live import POLL_MS, LiveUpdates
from observer_app.ui.models import QueueModel


class LoginDialog(QDialog):
    """Pick a profile; ``open_as(name, password)`` signs in (raising on a wrong password)."""

    def __init__(
        self,
        study_name: str,
        coders: Sequence[CoderInfo],
        open_as: Callable[[str, str | None], Study],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"observer-app — {study_name}")
        self._open_as = open_as
        self._coders = [c for c in coders if c.active]
        self.study: Study | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"<h3>{study_name}</h3>Who is coding?"))
        form = QFormLayout()
        self.profile = QComboBox()
        for c in self._coders:
            role = " (manager)" if c.role == "manager" else ""
            self.profile.addItem(f"{c.name}{role}", c.name)
        self.profile.currentIndexChanged.connect(self._profile_changed)
        form.addRow("Profile", self.profile)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("Password", self.password)
        layout.addLayout(form)
        self.error = QLabel()
        self.error.setStyleSheet(f"color: {css('#c0392b')}")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Sign in")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        if not self._coders:
            self.error.setText("This study has no coder profiles yet: ask your lab manager.")
        self._profile_changed()

    def _profile_changed(self) -> None:
        i = self.profile.currentIndex()
        needs = 0 <= i < len(self._coders) and self._coders[i].has_password
        self.password.setEnabled(needs)
        self.password.setPlaceholderText("" if needs else "no password set")
        if needs:
            self.password.setFocus()

    def choose(self, name: str, password: str | None = None) -> None:
        index = self.profile.findData(name)
        if index >= 0:
            self.profile.setCurrentIndex(index)
        if password is not None:
            self.password.setText(password)

    def accept(self) -> None:
        name = self.profile.currentData()
        if name is None:
            return
        password = self.password.text() if self.password.isEnabled() else None
        try:
            self.study = self._open_as(str(name), password or None)
        except ObserverError as exc:
            self.error.setText(str(exc))
            self.password.selectAll()
            return
        super().accept()


def queue_rows(study: Study) -> list[tuple[Any, int | None]]:
    """The signed-in coder's assignments with their recordings' durations."""
    durations = {r.id: r.duration_ms for r in study.recordings.all()}
    return [(a, durations.get(a.recording_id)) for a in study.assignments.mine()]


class QueueDialog(QDialog):
    """This coder's assignments; opening one returns its id (``chosen``)."""

    def __init__(
        self,
        study: Study,
        parent: QWidget | None = None,
        interval_ms: int = POLL_MS,
        *,
        live: LiveUpdates | None = None,
    ) -> None:
        super().__init__(parent)
        self.study = study
        self.setWindowTitle(f"observer-app — {study.actor.name}: your assignments")
        self.resize(760, 380)
        self.chosen: int | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                f"<b>{study.actor.name}</b> · {study.name}<br>"
                "Open an assignment to continue where you left off."
            )
        )
        self.model = QueueModel(self)
        self.model.set_rows(queue_rows(study))
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.verticalHeader().hide()
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.view.doubleClicked.connect(lambda _: self.accept())
        layout.addWidget(self.view)
        if self.model.rowCount() == 0:
            layout.addWidget(QLabel("You have no assignments in this study yet."))
        else:
            first = next(
                (
                    i
                    for i in range(self.model.rowCount())
                    if self.model.assignment(i).status != "complete"
                ),
                0,
            )
            self.view.selectRow(first)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)
        # issue 17: new assignments appear, reassigned/cancelled ones go, without reopening;
        # through the window's live updates (``live``), else the dialog's own
        self.live = live if live is not None else LiveUpdates(study, self, interval_ms)
        self.finished.connect(self.live.subscribe(self.reload))

    def reload(self) -> None:
        """Re-read the queue, keeping the selected assignment selected if it is still there."""
        rows = self.view.selectionModel().selectedRows()
        chosen = self.model.assignment(rows[0].row()).id if rows else None
        try:
            fresh = queue_rows(self.study)
        except ObserverError:  # the storage is away: keep showing what we had
            return
        self.model.set_rows(fresh)
        for i in range(self.model.rowCount()):
            if self.model.assignment(i).id == chosen:
                self.view.selectRow(i)

    def accept(self) -> None:
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return
        self.chosen = self.model.assignment(rows[0].row()).id
        super().accept()
