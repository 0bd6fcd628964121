"""The audit viewer: who changed what, when, with the values before and after; filterable by
who, what and a time window (the filtering is the audit service's)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from PySide6.QtCore import QDateTime, QObject, QTimeZone
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from observer_app.coding.errors import ObserverError
from observer_app.services.records import AuditRecord
from observer_app.services.study import Study
from observer_app.ui.manager._common import Column, Page, RowsModel, make_table

ANY = "(any)"


def _changes(e: AuditRecord) -> str:
    """The changed fields as "field: before → after" (an insert or delete lists its values)."""
    if e.action == "update" and e.before is not None and e.after is not None:
        return "; ".join(f"{k}: {e.before.get(k)!r} → {e.after.get(k)!r}" for k in e.after)
    values = e.after if e.after is not None else e.before
    return json.dumps(values, ensure_ascii=False, default=str) if values else ""


class AuditModel(RowsModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(
            [
                Column("When (UTC)", lambda e: e.at.strftime("%Y-%m-%d %H:%M:%S")),
                Column("Who", lambda e: e.actor_name),
                Column("Action", lambda e: e.action),
                Column("What", lambda e: e.entity),
                Column("Id", lambda e: e.entity_id, align_right=True),
                Column("Context", lambda e: e.context),
                Column("Before → after", _changes, tip=_changes),
            ],
            parent,
        )


class AuditPage(Page):
    """A manager's tab listing the audit trail, newest first, with filters."""

    #: Reloaded when another workstation changes the study (issue 17; the filters are kept).
    live_refresh = True

    def __init__(self, study: Study, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("audit")
        self.study = study
        self.model = AuditModel(self)
        self.view = make_table(self.model)
        self.who = QComboBox()
        self.what = QComboBox()
        self.text = QLineEdit()
        self.text.setPlaceholderText("search context and values")
        self.use_since = QCheckBox("since")
        self.since = QDateTimeEdit(QDateTime.currentDateTimeUtc().addDays(-7))
        self.since.setTimeZone(QTimeZone.utc())
        self.since.setDisplayFormat("yyyy-MM-dd HH:mm")
        apply = QPushButton("Apply")
        apply.clicked.connect(self.refresh)
        bar = QHBoxLayout()
        for label, widget in (("Who", self.who), ("What", self.what)):
            bar.addWidget(QLabel(label))
            bar.addWidget(widget)
        bar.addWidget(self.text, 1)
        bar.addWidget(self.use_since)
        bar.addWidget(self.since)
        bar.addWidget(apply)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.status)

    def _choices(self, combo: QComboBox, values: list[str]) -> None:
        current = combo.currentText() or ANY
        combo.blockSignals(True)
        combo.clear()
        combo.addItems([ANY, *values])
        combo.setCurrentText(current if current in (ANY, *values) else ANY)
        combo.blockSignals(False)

    def refresh(self) -> None:
        try:
            everything = self.study.audit.entries()
            self._choices(self.who, sorted({e.actor_name for e in everything}))
            self._choices(self.what, sorted({e.entity for e in everything}))
            rows = self.study.audit.entries(**self._filters())
        except ObserverError as exc:
            self.report_error(str(exc))
            return
        needle = self.text.text().strip().casefold()
        if needle:
            rows = [e for e in rows if needle in f"{e.context} {_changes(e)}".casefold()]
        rows.reverse()  # newest first
        self.model.set_rows(rows)
        self.view.resizeColumnsToContents()
        self.report(f"{len(rows)} of {len(everything)} audit entries")

    def _filters(self) -> dict[str, Any]:
        who, what = self.who.currentText(), self.what.currentText()
        since = None
        if self.use_since.isChecked():
            secs = self.since.dateTime().toSecsSinceEpoch()
            since = dt.datetime.fromtimestamp(secs, tz=dt.UTC)
        return {
            "who": None if who in ("", ANY) else who,
            "entity": None if what in ("", ANY) else what,
            "since": since,
        }
