"""The study's phases, edited by a manager: a table of phases (label and first session
editable; add or remove the last phase) and a per-dyad start. Every change is one call to
``study.phases`` (one audited transaction); a refused change is shown and nothing changes."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from observer_app.coding.errors import ObserverError
from observer_app.coding.phases import Phase, PhasePlan
from observer_app.services.study import Study
from observer_app.ui.manager._common import Column, RowsModel, make_table


class PhasesModel(RowsModel):
    pass


class PhasesEditor(QGroupBox):
    """Emits ``changed`` after a successful edit and ``problem(text)`` after a refused one."""

    changed = Signal()
    problem = Signal(str)

    def __init__(self, study: Study, parent: QWidget | None = None) -> None:
        super().__init__("Phases of therapy (study data)", parent)
        self.study = study
        self.model = PhasesModel(
            [
                Column("#", self._number),
                Column("id", lambda r: r.id),
                Column("label", lambda r: r.label, edit=lambda r, v: self._edit(r, label=str(v))),
                Column(
                    "first session",
                    lambda r: r.first_session,
                    edit=lambda r, v: self._edit(r, first_session=int(v)),
                    align_right=True,
                ),
            ]
        )
        self.model.editFailed.connect(self.problem)
        self.table = make_table(self.model)
        self.table.setMaximumHeight(130)
        self.add_button = QPushButton("Add phase")
        self.add_button.clicked.connect(self.add_phase)
        self.remove_button = QPushButton("Remove last phase")
        self.remove_button.clicked.connect(self.remove_last)
        self.dyad = QComboBox()
        self.phase = QComboBox()
        self.first = QSpinBox()
        self.first.setRange(1, 999)
        self.set_button = QPushButton("Set dyad start")
        self.set_button.clicked.connect(lambda: self.set_dyad_start(self.first.value()))
        self.clear_button = QPushButton("Use default")
        self.clear_button.clicked.connect(lambda: self.set_dyad_start(None))
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        dyad_row = QHBoxLayout()
        for label, w in (
            ("dyad", self.dyad),
            ("phase", self.phase),
            ("begins at session", self.first),
        ):
            dyad_row.addWidget(QLabel(label))
            dyad_row.addWidget(w)
        dyad_row.addWidget(self.set_button)
        dyad_row.addWidget(self.clear_button)
        dyad_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addLayout(dyad_row)
        layout.addWidget(self.summary)

    def _number(self, row: Phase) -> int:
        return [p.id for p in self.plan.phases].index(row.id) + 1

    def refresh(self) -> None:
        self.plan = self.study.phases.plan()
        self.model.set_rows(list(self.plan.phases))
        dyads = sorted({r.dyad_id for r in self.study.recordings.all() if r.dyad_id})
        keep = self.dyad.currentText()
        self.dyad.clear()
        self.dyad.addItems(dyads)
        if keep in dyads:
            self.dyad.setCurrentText(keep)
        keep_phase = self.phase.currentText()
        self.phase.clear()
        self.phase.addItems([p.id for p in self.plan.phases])
        if keep_phase:
            self.phase.setCurrentText(keep_phase)
        self.summary.setText(self.plan.describe())

    def _apply(self, change: Callable[[], PhasePlan]) -> bool:
        try:
            change()
        except ObserverError as exc:
            self.problem.emit(str(exc))
            self.refresh()
            return False
        self.refresh()
        self.changed.emit()
        return True

    def _edit(self, row: Phase, **changes: object) -> Phase:
        updated = dataclasses.replace(row, **changes)  # type: ignore[arg-type]
        phases = [updated if p.id == row.id else p for p in self.plan.phases]
        self.plan = self.study.phases.set_phases(phases)  # raises: the model shows the problem
        self.summary.setText(self.plan.describe())
        self.changed.emit()
        return updated

    def add_phase(self) -> bool:
        phases = list(self.plan.phases)
        k = len(phases) + 1
        first = phases[-1].first_session + 5
        phases.append(Phase(f"phase-{k}", f"Phase {k}", first))
        return self._apply(lambda: self.study.phases.set_phases(phases))

    def remove_last(self) -> bool:
        phases = list(self.plan.phases)[:-1]
        return self._apply(lambda: self.study.phases.set_phases(phases))

    def set_dyad_start(self, first: int | None) -> bool:
        dyad, phase = self.dyad.currentText(), self.phase.currentText()
        return self._apply(lambda: self.study.phases.set_dyad_start(dyad, phase, first))
