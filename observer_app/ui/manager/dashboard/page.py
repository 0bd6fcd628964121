"""The reliability page: choose what to compare, compute off the GUI thread, show the results."""

from __future__ import annotations

from collections import defaultdict

from PySide6.QtCore import QModelIndex, Qt, QThreadPool
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from observer_app.coding.errors import ObserverError
from observer_app.services.reliability import (
    ICC_FORM_NAMES,
    Cancelled,
    ReliabilityReport,
    ReliabilityRequest,
    ScoreReliability,
)
from observer_app.services.study import Study
from observer_app.ui import contrast
from observer_app.ui.manager._common import Cancelled as TaskCancelled
from observer_app.ui.manager._common import Page, Progress, TaskBar, make_table
from observer_app.ui.manager.dashboard.formatting import fmt, unused, why
from observer_app.ui.manager.dashboard.models import (
    CodeModel,
    ConfusionModel,
    MatrixModel,
    ScoreModel,
)
from observer_app.ui.manager.drift_plot import DriftPlot, DriftSeries


class MatrixDialog(QDialog):
    """What one item or score's statistics were computed from."""

    def __init__(self, score: ScoreReliability, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Ratings behind {score.label}")
        self.resize(560, 480)
        self.model = MatrixModel(score.matrix, self)
        view = make_table(self.model, stretch_last=False)
        view.verticalHeader().setVisible(True)
        view.resizeColumnsToContents()
        note = QLabel(
            f"{score.kind} {score.id}: {why(score.icc) or ''}<br>Rows are units (recording, or "
            "recording and segment); highlighted rows are where the coders differ; an empty "
            "cell was not rated."
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(view, 1)
        layout.addWidget(buttons)


def drift_series(report: ReliabilityReport) -> list[DriftSeries]:
    by_coder: dict[str, list[tuple[str, float | None]]] = defaultdict(list)
    for p in report.drift:
        when = p.completed_at.strftime("%Y-%m-%d") if p.completed_at else "?"
        by_coder[p.coder_name].append((f"#{p.recording_id} {when}", p.value))
    return [DriftSeries(name, tuple(points)) for name, points in sorted(by_coder.items())]


def _stale_note() -> QLabel:
    note = QLabel()
    note.setObjectName("staleConsensus")
    note.setWordWrap(True)
    note.setStyleSheet("background: #ffe08a; color: #000000; padding: 4px;")
    note.hide()
    return note


class ReliabilityPage(Page):
    """Choose what to compare, compute off the GUI thread, read the tables and the drift plot."""

    #: Reloaded when another workstation changes the study (its choices are kept).
    live_refresh = True

    def __init__(self, study: Study, pool: QThreadPool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reliability")
        self.study = study
        self.service = study.reliability
        self.report_data: ReliabilityReport | None = None
        self.tasks = TaskBar(pool, self)
        self.tasks.idle.connect(self._idle)
        controls = self._controls()
        self.stale_note = _stale_note()  # issue 13: which consensus is stale, what changed
        self.summary = QLabel("Choose a scheme or instrument and press Compute.")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.scores = ScoreModel()
        self.scores.setParent(self)
        self.codes = CodeModel(self)
        self.confusion = ConfusionModel(self)
        self.score_view = make_table(self.scores)
        self.score_view.setToolTip("Double-click a row to see the ratings behind it")
        self.score_view.doubleClicked.connect(self._show_matrix)
        self.code_view = make_table(self.codes)
        self.confusion_view = make_table(self.confusion, stretch_last=False)
        self.confusion_view.verticalHeader().setVisible(True)
        confusion_tab = QWidget()
        confusion_layout = QVBoxLayout(confusion_tab)
        axes = QLabel(
            "Rows: the code logged by the first coder of each pair (A); columns: the code "
            "of the event it was matched with by the second coder (B). The 'unmatched' "
            "column counts A's events no event of B matched, the 'unmatched' row B's."
        )
        axes.setWordWrap(True)
        confusion_layout.addWidget(axes)
        confusion_layout.addWidget(self.confusion_view, 1)
        self.drift = DriftPlot()
        self.results = QTabWidget()
        self.results.addTab(self.score_view, "Items and scores")
        self.results.addTab(self.code_view, "Codes")
        self.results.addTab(confusion_tab, "Confusion matrix")
        self.results.addTab(self.drift, "Calibration and drift")
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.summary, self.stale_note):
            right_layout.addWidget(widget)
        right_layout.addWidget(self.results, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(controls)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([360, 1000])
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addWidget(self.tasks)
        layout.addWidget(self.status)
        self.refresh()
        self._show_kind(None)

    def _controls(self) -> QGroupBox:
        box = QGroupBox("Compare")
        box.setMinimumWidth(340)
        self.definition = QComboBox()
        self.definition.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.definition.setMinimumContentsLength(16)
        self.coders = QListWidget()
        self.recordings = QListWidget()
        self.tolerance = QDoubleSpinBox()
        self.tolerance.setRange(0.0, 60.0)
        self.tolerance.setSingleStep(0.5)
        self.tolerance.setDecimals(1)
        self.tolerance.setSuffix(" s")
        self.tolerance.setValue(2.0)
        self.icc_form = QComboBox()
        self.icc_form.addItems(["auto", *ICC_FORM_NAMES])
        self.icc_form.setCurrentText("auto")
        self.icc_threshold = QDoubleSpinBox()
        self.icc_threshold.setRange(-1.0, 1.0)
        self.icc_threshold.setSingleStep(0.05)
        self.icc_threshold.setValue(0.75)
        self.kappa_threshold = QDoubleSpinBox()
        self.kappa_threshold.setRange(-1.0, 1.0)
        self.kappa_threshold.setSingleStep(0.05)
        self.kappa_threshold.setValue(0.60)
        self.subjects = QComboBox()
        self.subjects.setToolTip(
            "Within subject: an event matches only the other coder's event about the same "
            "subject. Across: the subject is ignored. The study setting reliability_subjects "
            "gives the default (within)."
        )
        for text, mode in (
            ("study setting", None),
            ("within subject", "within"),
            ("across subjects", "across"),
        ):
            self.subjects.addItem(text, mode)
        self.completed_only = QCheckBox("completed assignments only")
        self.completed_only.setChecked(True)
        self.compute_button = QPushButton("Compute")
        self.compute_button.clicked.connect(self.compute)
        form = QFormLayout(box)
        form.addRow("Scheme or instrument", self.definition)
        form.addRow("Coders", self._with_all_none(self.coders))
        form.addRow("Recordings", self._with_all_none(self.recordings))
        form.addRow("Event tolerance", self.tolerance)
        form.addRow("Match events", self.subjects)
        form.addRow("ICC form", self.icc_form)
        form.addRow("Flag ICC below", self.icc_threshold)
        form.addRow("Flag agreement below", self.kappa_threshold)
        form.addRow(self.completed_only)
        form.addRow(self.compute_button)
        return box

    def _with_all_none(self, widget: QListWidget) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(widget)
        row = QHBoxLayout()
        for text, state in (("All", Qt.CheckState.Checked), ("None", Qt.CheckState.Unchecked)):
            button = QPushButton(text)
            button.setAutoDefault(False)
            button.clicked.connect(lambda _c=False, s=state: self._check_all(widget, s))
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        return box

    @staticmethod
    def _check_all(widget: QListWidget, state: Qt.CheckState) -> None:
        for i in range(widget.count()):
            widget.item(i).setCheckState(state)

    def _show_stale(self) -> None:
        try:
            stale = self.study.consensus.stale()
        except ObserverError:
            stale = {}
        lines = [f"Consensus #{cid} is stale: {what}" for cid, what in sorted(stale.items())]
        self.stale_note.setText(
            "\n".join(lines) + "\n(not analysis data until re-reconciled on the Reconcile tab)"
        )
        self.stale_note.setVisible(bool(lines))

    # -- choices -------------------------------------------------------------------------------
    def refresh(self) -> None:
        self._show_stale()
        with_data = set(self.service.versions_with_data())
        current = self.definition.currentData()
        self.definition.clear()
        for d in self.study.definitions.versions():
            suffix = "" if d.id in with_data else "  (no data yet)"
            self.definition.addItem(f"{d.kind}: {d.definition_id} {d.version}{suffix}", d.id)
        if current is not None:
            self.definition.setCurrentIndex(max(0, self.definition.findData(current)))
        elif with_data:
            self.definition.setCurrentIndex(max(0, self.definition.findData(min(with_data))))
        self._fill(self.coders, [(c.id, c.name) for c in self.study.coders.all()])
        self._fill(
            self.recordings, [(r.id, f"#{r.id} {r.label}") for r in self.study.recordings.all()]
        )

    @staticmethod
    def _fill(widget: QListWidget, entries: list[tuple[int, str]]) -> None:
        before = {
            int(widget.item(i).data(Qt.ItemDataRole.UserRole)): widget.item(i).checkState()
            for i in range(widget.count())
        }
        widget.clear()
        for ident, text in entries:
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, ident)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(before.get(ident, Qt.CheckState.Checked))
            widget.addItem(item)

    @staticmethod
    def _chosen(widget: QListWidget) -> tuple[int, ...]:
        """Checked ids; () when all are checked (the service's "every one with data")."""
        ids = []
        for i in range(widget.count()):
            if widget.item(i).checkState() == Qt.CheckState.Checked:
                ids.append(int(widget.item(i).data(Qt.ItemDataRole.UserRole)))
        return () if len(ids) == widget.count() else tuple(ids)

    def set_checked(self, widget: QListWidget, ids: set[int]) -> None:
        for i in range(widget.count()):
            item = widget.item(i)
            on = int(item.data(Qt.ItemDataRole.UserRole)) in ids
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def request(self) -> ReliabilityRequest:
        return ReliabilityRequest(
            version_id=int(self.definition.currentData()),
            coder_ids=self._chosen(self.coders),
            recording_ids=self._chosen(self.recordings),
            tolerance_ms=round(self.tolerance.value() * 1000),
            icc_form=self.icc_form.currentText(),
            icc_threshold=self.icc_threshold.value(),
            kappa_threshold=self.kappa_threshold.value(),
            completed_only=self.completed_only.isChecked(),
            subjects=self.subjects.currentData(),
        )

    # -- computing -----------------------------------------------------------------------------
    def compute(self) -> None:
        if self.definition.currentData() is None:
            self.report_error("Import a coding scheme or instrument first.")
            return
        if self.tasks.busy:
            return
        for widget, what in ((self.coders, "coder"), (self.recordings, "recording")):
            if not any(
                widget.item(i).checkState() == Qt.CheckState.Checked for i in range(widget.count())
            ):
                self.report_error(f"Check at least one {what}.")
                return
        request = self.request()
        service = self.service

        def work(progress: Progress) -> ReliabilityReport:
            class Flag:
                def is_set(self) -> bool:
                    return progress.cancelled

            try:
                return service.compute(request, progress=progress, cancel=Flag())
            except Cancelled:
                raise TaskCancelled from None

        self.compute_button.setEnabled(False)
        self.report("")
        self.tasks.start(work, self.show_report, "Computing reliability…", on_failed=self._failed)

    def _failed(self, message: str) -> None:
        self.report_error(message)

    def _show_matrix(self, index: QModelIndex) -> None:
        self.show_matrix(index.row())

    def show_matrix(self, row: int) -> QDialog:
        """Open the units × coders values behind one row of the scores table."""
        dialog = MatrixDialog(self.scores.row_at(row), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _idle(self) -> None:
        self.compute_button.setEnabled(True)

    # -- showing -------------------------------------------------------------------------------
    def _show_kind(self, kind: str | None) -> None:
        self.results.setTabVisible(0, kind == "instrument")
        self.results.setTabVisible(1, kind == "scheme")
        self.results.setTabVisible(2, kind == "scheme")
        self.results.setTabVisible(3, kind is not None)

    def show_report(self, report: ReliabilityReport) -> None:
        self.report_data = report
        self._show_kind(report.kind)
        req = report.request
        if self.scores.icc_form != report.icc_form:
            self.scores = ScoreModel(report.icc_form, self)
            self.score_view.setModel(self.scores)
        self.scores.set_rows(list(report.scores))
        self.codes.set_rows(list(report.codes))
        self.confusion.set_matrix(report.events.confusion if report.events else None)
        for view in (self.score_view, self.code_view, self.confusion_view):
            view.resizeColumnsToContents()
        master = report.master_coder.name if report.master_coder else ""
        statistic = report.drift[0].statistic if report.drift else ""
        threshold = req.icc_threshold if report.kind == "instrument" else req.kappa_threshold
        self.drift.set_data(
            drift_series(report), threshold=threshold, statistic=statistic, master=master
        )
        self.results.setCurrentIndex(0 if report.kind == "instrument" else 1)
        self.summary.setText(self._summary(report))

    def _summary(self, report: ReliabilityReport) -> str:
        coders = ", ".join(c.name for c in report.coders) or "nobody"
        head = (
            f"<b>{report.name}</b> ({report.definition_id} {report.definition_version}): "
            f"{len(report.recording_ids)} recording(s), coders {coders}."
        )
        parts = [head]
        if report.events is not None:
            stats = "; ".join(f"{s.name} {fmt(s.value)}" for s in report.events.statistics[:4])
            tol = report.request.tolerance_ms / 1000
            how = "within subject" if report.subjects == "within" else "across subjects"
            where = f", {how}" if report.subject_agreement is not None else ""
            parts.append(f"Events matched within ±{tol:g} s{where}: {stats}.")
        if report.subject_agreement is not None:
            sa = report.subject_agreement
            why = f" ({sa.undefined_reason})" if sa.value is None else ""
            parts.append(
                f"Agreement on the subject of matched events (matched across subjects): "
                f"kappa {fmt(sa.value)}{why}, {sa.n_units} pair(s)."
            )
        low = [
            f"{s.label} ({s.id})" if s.label != s.id else s.id for s in report.scores if s.flagged
        ]
        low += [f"{c.code} {c.label}" for c in report.codes if c.flagged and not unused(c)]
        if low:
            shown = "; ".join(low[:8]) + (" …" if len(low) > 8 else "")
            red = contrast.css("#a40000")
            parts.append(
                f"<span style='color:{red}'>{len(low)} below the threshold: {shown}</span>"
            )
        elif report.scores or report.codes:
            parts.append("Nothing is below the threshold.")
        few = sum(1 for s in report.scores if s.insufficient)
        if few:
            parts.append(
                f"{few} statistic(s) with fewer than {report.min_units} units: "
                "not enough units (greyed, not labelled)."
            )
        collapsed = sum(1 for s in report.scores if s.icc.ci_note and not s.insufficient)
        if collapsed:
            parts.append(f"{collapsed} ICC(s) without a CI (the interval collapsed; hover).")
        n_unused = sum(1 for c in report.codes if unused(c))
        if n_unused:
            parts.append(f"{n_unused} code(s) used by neither coder (greyed).")
        parts.extend(report.notes)
        return "<br>".join(parts)
