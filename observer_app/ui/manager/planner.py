"""Assignment planner: balanced primary coding, a seeded double-coded share, calibration, reopen."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from observer_app.coding.errors import ObserverError
from observer_app.coding.planning import Plan
from observer_app.services.assignment_lifecycle import STRATA
from observer_app.services.records import AssignmentInfo, CoderInfo
from observer_app.services.study import Study
from observer_app.ui.manager._common import (
    GOOD,
    MUTED,
    WARN,
    Column,
    Page,
    RowsModel,
    make_table,
    selected_rows,
)

MAX_SEED = 2**31 - 1


class PlanModel(RowsModel):
    """The previewed plan: one row per assignment it would create."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(
            [
                Column("Recording", lambda p: p[0]),
                Column("Coder", lambda p: p[1]),
                Column("Purpose", lambda p: p[2]),
            ],
            parent,
        )

    def background(self, row: Any, column: int) -> QColor | None:
        return WARN if row[2] != "primary" else None


class AssignmentModel(RowsModel):
    """Every assignment of the study (managers see purposes even when blind)."""

    def __init__(self, parent: QObject | None = None) -> None:
        #: Stale consensus id -> what changed in its sources (issue 13), set before the rows.
        self.stale: dict[int, str] = {}
        super().__init__(
            [
                Column("#", lambda a: a.id, align_right=True),
                Column("Recording", lambda a: a.recording_label),
                Column("Coder", lambda a: a.coder_name),
                Column("Purpose", lambda a: a.purpose),
                Column("Status", lambda a: a.status.replace("_", " ")),
                Column("Blind", lambda a: "blind" if a.blind else ""),
                Column(
                    "Completed",
                    lambda a: a.completed_at.strftime("%Y-%m-%d %H:%M") if a.completed_at else "",
                ),
                Column(
                    "Consensus",
                    lambda a: f"STALE: {self.stale[a.id]}" if a.id in self.stale else "",
                ),
            ],
            parent,
        )

    def background(self, row: Any, column: int) -> QColor | None:
        if column == 7 and row.id in self.stale:
            return WARN
        if column != 4:
            return None
        return {"complete": GOOD, "not_started": MUTED}.get(row.status)


def _checked_ids(widget: QListWidget) -> list[int]:
    out = []
    for i in range(widget.count()):
        item = widget.item(i)
        if item.checkState() == Qt.CheckState.Checked:
            out.append(int(item.data(Qt.ItemDataRole.UserRole)))
    return out


class PlannerPage(Page):
    #: Reloaded when another workstation changes the study (issue 17; its choices are kept).
    live_refresh = True

    def __init__(self, study: Study, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.study = study
        self.plan: Plan | None = None
        self._labels: dict[int, str] = {}
        self._coders: dict[int, CoderInfo] = {}
        self._open_load: Counter[int] = Counter()

        plan_box = self._plan_box()
        cal_box = self._calibration_box()
        assign_box = self._assignments_box()
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(plan_box, 3)
        left_layout.addWidget(cal_box, 2)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(assign_box)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addWidget(self.status)
        self.refresh()

    def _plan_box(self) -> QGroupBox:
        self.pool = QListWidget()
        self.pool.setMaximumHeight(110)
        self.pool.setToolTip("Coders who share the primary coding and the double coding")
        self.share = QSpinBox()
        self.share.setRange(0, 100)
        self.share.setSuffix(" %")
        self.share.setValue(25)
        self.share.setMaximumWidth(120)
        self.seed = QSpinBox()
        self.seed.setRange(0, MAX_SEED)
        self.seed.setValue(random.SystemRandom().randint(1, 999_999))
        self.seed.setToolTip("The same seed, coders and recordings always give the same plan")
        new_seed = QPushButton("New seed")
        new_seed.clicked.connect(
            lambda: self.seed.setValue(random.SystemRandom().randint(1, 999_999))
        )
        self.scheme = QComboBox()
        self._strata_widgets()
        self.preview_button = QPushButton("Preview plan")
        self.apply_button = QPushButton("Apply plan")
        self.apply_button.setEnabled(False)
        self.preview_button.clicked.connect(self.preview)
        self.apply_button.clicked.connect(self.apply)
        self.plan_model = PlanModel(self)
        self.plan_view = make_table(self.plan_model)
        self.plan_summary = QLabel(
            "Choose the coder pool and press Preview: nothing is written until you apply the plan."
        )
        self.plan_summary.setWordWrap(True)
        self.share.valueChanged.connect(self._invalidate)
        self.seed.valueChanged.connect(self._invalidate)
        self.pool.itemChanged.connect(self._invalidate)

        seed_row = QHBoxLayout()
        seed_row.addWidget(self.seed, 1)
        seed_row.addWidget(new_seed)
        plan_box = QGroupBox("Primary coding and double coding")
        form = QFormLayout()
        form.addRow("Coder pool", self.pool)
        form.addRow("Double-coded share", self.share)
        form.addRow("Seed", seed_row)
        form.addRow("Stratify by", self.stratify)
        form.addRow("", self.top_up)
        form.addRow("Coding scheme", self.scheme)
        plan_buttons = QHBoxLayout()
        plan_buttons.addWidget(self.preview_button)
        plan_buttons.addWidget(self.apply_button)
        plan_layout = QVBoxLayout(plan_box)
        plan_layout.addLayout(form)
        plan_layout.addLayout(plan_buttons)
        plan_layout.addWidget(self.plan_summary)
        plan_layout.addWidget(self.plan_view, 1)
        return plan_box

    def _strata_widgets(self) -> None:
        self.stratify = QComboBox()
        self.stratify.addItem("(not stratified)", None)
        for by in STRATA:
            self.stratify.addItem(by, by)
        self.stratify.setToolTip("Draw the double-coded share within each stratum (rounded up)")
        self.top_up = QCheckBox("top up: second coders for recordings that have a primary coder")
        self.stratify.currentIndexChanged.connect(self._invalidate)
        self.top_up.toggled.connect(self._invalidate)

    def _calibration_box(self) -> QGroupBox:
        self.master = QComboBox()
        self.trainees = QListWidget()
        self.trainees.setMaximumHeight(90)
        self.calibration_recordings = QListWidget()
        self.calibration_recordings.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
        self.calibrate_button = QPushButton("Create calibration assignments")
        self.calibrate_button.clicked.connect(self.create_calibration)
        cal_box = QGroupBox("Calibration against a master coder")
        cal_form = QFormLayout(cal_box)
        cal_form.addRow("Master coder", self.master)
        cal_form.addRow("Coders", self.trainees)
        cal_form.addRow("Recordings", self.calibration_recordings)
        cal_form.addRow(self.calibrate_button)
        return cal_box

    def _assignments_box(self) -> QGroupBox:
        self.assignment_model = AssignmentModel(self)
        self.assignment_view = make_table(self.assignment_model)
        self.assignment_view.selectionModel().selectionChanged.connect(self._update_reopen)
        self.reopen_button = QPushButton("Reopen")
        self.reopen_button.setToolTip("Reopen a completed or cancelled assignment")
        self.reopen_button.clicked.connect(self.reopen_selected)
        self.reassign_button = QPushButton("Reassign…")
        self.reassign_button.setToolTip("Give the work to another coder (who starts empty)")
        self.reassign_button.clicked.connect(self.reassign_selected)
        self.cancel_button = QPushButton("Cancel assignment")
        self.cancel_button.clicked.connect(lambda: self._change_selected("cancel"))
        self.delete_button = QPushButton("Delete")
        self.delete_button.clicked.connect(lambda: self._change_selected("delete"))
        assign_box = QGroupBox("Assignments")
        assign_layout = QVBoxLayout(assign_box)
        assign_layout.addWidget(self.assignment_view, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        for button in (
            self.reassign_button,
            self.cancel_button,
            self.delete_button,
            self.reopen_button,
        ):
            row.addWidget(button)
        assign_layout.addLayout(row)
        return assign_box

    # -- loading -------------------------------------------------------------------------------
    def refresh(self) -> None:
        coders = [c for c in self.study.coders.all() if c.active]
        self._coders = {c.id: c for c in coders}
        recordings = self.study.recordings.all()
        self._labels = {r.id: r.label for r in recordings}
        assignments = self.study.assignments.list_all()
        self._open_load = Counter(a.coder_id for a in assignments if a.status != "complete")
        self._fill_checks(self.pool, coders, lambda c: c.role == "coder", load=True)
        self._fill_checks(self.trainees, coders, lambda c: False)
        current_master = self.master.currentData()
        self.master.clear()
        for c in coders:
            self.master.addItem(c.name, c.id)
        if current_master is not None:
            self.master.setCurrentIndex(max(0, self.master.findData(current_master)))
        chosen = {
            int(i.data(Qt.ItemDataRole.UserRole))
            for i in self.calibration_recordings.selectedItems()
        }
        self.calibration_recordings.clear()
        for r in recordings:
            item = QListWidgetItem(f"#{r.id} {r.label}")
            item.setData(Qt.ItemDataRole.UserRole, r.id)
            self.calibration_recordings.addItem(item)
            item.setSelected(r.id in chosen)
        current_scheme = self.scheme.currentData()
        self.scheme.blockSignals(True)
        self.scheme.clear()
        self.scheme.addItem("(none)", None)
        for d in self.study.definitions.versions("scheme", attached_only=True):
            self.scheme.addItem(f"{d.definition_id} {d.version}", d.id)
        index = self.scheme.findData(current_scheme) if current_scheme else self.scheme.count() - 1
        self.scheme.setCurrentIndex(max(0, index))
        self.scheme.blockSignals(False)
        try:  # issue 13: a consensus whose sources changed since is marked in the list
            self.assignment_model.stale = self.study.consensus.stale()
        except ObserverError:
            self.assignment_model.stale = {}
        self.assignment_model.set_rows(assignments)
        self.assignment_view.resizeColumnsToContents()
        self._update_reopen()

    def _fill_checks(
        self, widget: QListWidget, coders: list[CoderInfo], default: Any, *, load: bool = False
    ) -> None:
        before = {
            int(widget.item(i).data(Qt.ItemDataRole.UserRole)): widget.item(i).checkState()
            for i in range(widget.count())
        }
        widget.blockSignals(True)
        widget.clear()
        for c in coders:
            text = f"{c.name} ({c.role})"
            if load:  # the planner balances against work coders already have
                text += f" - {self._open_load.get(c.id, 0)} open"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, c.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            state = before.get(c.id)
            if state is None:
                state = Qt.CheckState.Checked if default(c) else Qt.CheckState.Unchecked
            item.setCheckState(state)
            widget.addItem(item)
        widget.blockSignals(False)

    def set_pool(self, coder_ids: list[int]) -> None:
        for i in range(self.pool.count()):
            item = self.pool.item(i)
            checked = int(item.data(Qt.ItemDataRole.UserRole)) in coder_ids
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    # -- planning ------------------------------------------------------------------------------
    def _invalidate(self, *_: object) -> None:
        if self.plan is not None:
            self.plan = None
            self.plan_model.set_rows([])
            self.apply_button.setEnabled(False)
            self.plan_summary.setText("The settings changed: preview the plan again.")

    def preview(self) -> Plan | None:
        coder_ids = _checked_ids(self.pool)
        planner = (
            self.study.assignments.plan_top_up
            if self.top_up.isChecked()
            else self.study.assignments.plan
        )
        try:
            plan = planner(
                coder_ids,
                double_share=self.share.value() / 100,
                seed=self.seed.value(),
                strata_by=self.stratify.currentData(),
            )
        except ObserverError as exc:
            self.report_error(str(exc))
            return None
        self.plan = plan
        order = {"primary": 0, "reliability": 1}
        ordered = sorted(plan.assignments, key=lambda p: (p.recording_id, order[p.purpose]))
        rows = [
            (
                self._labels.get(p.recording_id, f"#{p.recording_id}"),
                self._coders[p.coder_id].name,
                "second coder (blind)" if p.purpose == "reliability" else p.purpose,
            )
            for p in ordered
        ]
        self.plan_model.set_rows(rows)
        self.plan_view.resizeColumnsToContents()
        self.plan_summary.setText(self._summary(plan))
        self.apply_button.setEnabled(bool(plan.assignments))
        self.report("")
        return plan

    def _summary(self, plan: Plan) -> str:
        primary = plan.for_purpose("primary")
        double = plan.for_purpose("reliability")
        strata = f", stratified by {plan.strata_by}" if plan.strata_by else ""
        if not primary and double:
            return (
                f"Top-up: {len(double)} recordings get a blind second coder "
                f"({plan.double_share:.0%} share rounded up{strata}, seed {plan.seed})."
            )
        if not primary:
            return "Every recording already has a primary coder: the plan is empty."
        per_primary = Counter(self._coders[p.coder_id].name for p in primary)
        per_double = Counter(self._coders[p.coder_id].name for p in double)
        loads = ", ".join(
            f"{name}: {per_primary[name]} + {per_double[name]}"
            for name in sorted(set(per_primary) | set(per_double))
        )
        return (
            f"{len(primary)} recordings get a primary coder; {len(double)} of them "
            f"({plan.double_share:.0%} share rounded up{strata}, seed {plan.seed}) get a blind "
            "second coder. "
            f"Per coder (primary + second): {loads}."
        )

    def apply(self) -> list[int]:
        if self.plan is None:
            return []
        plan = self.plan
        scheme_id = self.scheme.currentData()
        ids: list[int] | None = self.run_action(
            lambda: self.study.assignments.apply_plan(plan, scheme_version_id=scheme_id)
        )
        if ids is None:
            return []
        self.plan = None
        self.plan_model.set_rows([])
        self.apply_button.setEnabled(False)
        self.plan_summary.setText("")
        self.refresh()
        self.report(f"Created {len(ids)} assignments (seed {plan.seed}).")
        return ids

    # -- calibration ---------------------------------------------------------------------------
    def create_calibration(self) -> list[int]:
        """Calibration assignments for the checked coders on the selected recordings.

        Each records the master coder in ``reference``; the master gets a calibration assignment
        of their own where they have no assignment on the recording yet.
        """
        master_id = self.master.currentData()
        coder_ids = [c for c in _checked_ids(self.trainees) if c != master_id]
        rec_ids = sorted(
            int(i.data(Qt.ItemDataRole.UserRole))
            for i in self.calibration_recordings.selectedItems()
        )
        if master_id is None or not coder_ids or not rec_ids:
            self.report_error("Choose a master coder, at least one other coder and a recording.")
            return []
        scheme_id = self.scheme.currentData()
        created: list[int] = []
        problems: list[str] = []
        for rid in rec_ids:
            existing = self.study.assignments.list_all(recording_id=rid)
            master_a = next((a for a in existing if a.coder_id == master_id), None)
            if master_a is None:
                try:
                    master_a = self.study.assignments.create(
                        rid,
                        master_id,
                        purpose="calibration",
                        blind=True,
                        scheme_version_id=scheme_id,
                        reference={"role": "master"},
                    )
                    created.append(master_a.id)
                except ObserverError as exc:
                    problems.append(str(exc))
                    continue
            reference = {"master_coder_id": master_id, "master_assignment_id": master_a.id}
            for cid in coder_ids:
                try:
                    a = self.study.assignments.create(
                        rid,
                        cid,
                        purpose="calibration",
                        blind=True,
                        scheme_version_id=scheme_id,
                        reference=reference,
                    )
                    created.append(a.id)
                except ObserverError as exc:
                    problems.append(str(exc))
        self.refresh()
        text = f"Created {len(created)} calibration assignment(s)."
        if problems:
            self.report_error(text + " Not created: " + "; ".join(problems))
        else:
            self.report(text)
        return created

    # -- reopening -----------------------------------------------------------------------------
    def selected_assignment(self) -> AssignmentInfo | None:
        rows = selected_rows(self.assignment_view)
        return self.assignment_model.row_at(rows[0]) if rows else None

    def _update_reopen(self) -> None:
        a = self.selected_assignment()
        status = None if a is None else a.status
        self.reopen_button.setEnabled(status in ("complete", "cancelled"))
        self.reassign_button.setEnabled(status in ("not_started", "in_progress"))
        self.cancel_button.setEnabled(status in ("not_started", "in_progress"))
        self.delete_button.setEnabled(status in ("not_started", "in_progress", "cancelled"))

    def reassign_selected(self, coder_name: str | None = None) -> None:
        a = self.selected_assignment()
        if a is None:
            return
        if coder_name is None:
            names = [c.name for c in self._coders.values() if c.id != a.coder_id]
            coder_name, ok = QInputDialog.getItem(
                self, "Reassign", f"Give #{a.id} ({a.recording_label}) to:", names, 0, False
            )
            if not ok:
                return
        target = next(c for c in self._coders.values() if c.name == coder_name)
        done = f"Assignment #{a.id} reassigned to {coder_name} (starting empty)."
        if self.run_action(lambda: self.study.assignments.reassign(a.id, target.id), done):
            self.refresh()

    def _change_selected(self, action: str) -> None:
        a = self.selected_assignment()
        if a is None:
            return
        svc = self.study.assignments
        change = svc.cancel if action == "cancel" else svc.delete
        if self.run_action(lambda: change(a.id), f"Assignment #{a.id}: {action} done."):
            self.refresh()

    def reopen_selected(self) -> None:
        a = self.selected_assignment()
        if a is None:
            return
        done = f"Reopened assignment #{a.id} ({a.coder_name}, {a.recording_label})."
        if self.run_action(lambda: self.study.assignments.reopen(a.id), done):
            self.refresh()
            for i, row in enumerate(self.assignment_model.rows()):
                if row.id == a.id:
                    self.assignment_view.selectRow(i)
