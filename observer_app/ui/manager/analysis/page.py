"""The manager's Analysis tab: rupture -> resolution over the course of therapy, phase
differences, time to repair, the segment view and the study's phases.

All numbers come from ``study.sequences`` (computed on a pool thread through the page's
``TaskBar``, with progress and Cancel); the plots only draw them. Each plot is saved as PNG or
SVG from the same drawing code.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from observer_app.services.sequences import SegmentRow, SequenceReport, SequenceSettings
from observer_app.services.sequences.views import dyad_course, dyads, phase_bars, repair_times
from observer_app.services.study import Study
from observer_app.ui.manager._common import (
    Column,
    Page,
    Progress,
    RowsModel,
    TaskBar,
    hms,
    make_table,
)
from observer_app.ui.manager.analysis.phases_editor import PhasesEditor
from observer_app.ui.manager.analysis.plots import (
    CoursePlot,
    PhaseBarsPlot,
    RepairHistogram,
    _Plot,
)
from observer_app.ui.manager.analysis.settings_panel import SequenceSettingsPanel


class SegmentsModel(RowsModel):
    pass


def segment_columns(rows: list[SegmentRow]) -> list[Column]:
    items = sorted({k for r in rows for k in r.ratings})
    cols = [
        Column(
            "recording",
            lambda r: f"#{r.session.recording.id} s{r.session.recording.session_number}",
        ),
        Column("coder", lambda r: r.session.coder),
        Column("phase", lambda r: r.session.phase.number if r.session.phase else ""),
        Column("segment", lambda r: f"{r.index + 1} ({hms(r.start_ms)}-{hms(r.end_ms)})"),
        Column("markers", lambda r: " ".join(r.markers)),
        Column("strategies", lambda r: " ".join(r.strategies)),
        Column("unresolved", lambda r: r.unresolved or "", align_right=True),
    ]
    cols += [Column(item, _rating_of(item), align_right=True) for item in items]
    return cols


def _rating_of(item: str) -> Callable[[SegmentRow], str]:
    return lambda r: _rating(r.ratings.get(item))


def _recording(r: SegmentRow) -> str:
    rec = r.session.recording
    return f"#{rec.id} {rec.dyad_id or ''} session {rec.session_number or '?'}"


def _rating(v: float | None) -> str:
    return "" if v is None else f"{v:g}"


class AnalysisPage(Page):
    def __init__(self, study: Study, pool: QThreadPool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("analysis")
        self.study = study
        self.report_data: SequenceReport | None = None
        self.segment_rows: list[SegmentRow] = []
        #: (stored settings, category choices): as last read (None: read at the next refresh)
        #: and as the panel was last filled with
        self._read: tuple[SequenceSettings, list[tuple[str, str]]] | None = None
        self._filled: tuple[SequenceSettings, list[tuple[str, str]]] | None = None
        self.tasks = TaskBar(pool, self)
        self.tasks.idle.connect(lambda: self.compute_button.setEnabled(True))
        self.phases = PhasesEditor(study)
        self.phases.changed.connect(self.compute)
        self.phases.problem.connect(self.report_error)
        self.course, self.bars, self.histogram = CoursePlot(), PhaseBarsPlot(), RepairHistogram()
        self.segments_model = SegmentsModel(segment_columns([]))
        self.segments_table = make_table(self.segments_model)
        self.result = QLabel()
        self.result.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(self._controls())
        layout.addWidget(self.result)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self._plots())
        split.addWidget(self.segments_table)
        split.addWidget(self.phases)  # shares the height with the plots (they were squeezed)
        split.setChildrenCollapsible(False)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 2)
        split.setStretchFactor(2, 1)
        layout.addWidget(split, 1)
        layout.addWidget(self.tasks)
        layout.addWidget(self.status)

    def _controls(self) -> QHBoxLayout:
        self.dyad = QComboBox()
        self.dyad.currentTextChanged.connect(self._show_dyad)
        self.settings_panel = SequenceSettingsPanel()
        self.settings_panel.save_requested.connect(self.save_settings)
        self.compute_button = QPushButton("Compute")
        self.compute_button.clicked.connect(self.compute)
        row = QHBoxLayout()
        row.addWidget(self.settings_panel, 1)
        side = QVBoxLayout()
        side.addWidget(QLabel("Dyad"))
        side.addWidget(self.dyad)
        side.addWidget(self.compute_button)
        side.addStretch(1)
        row.addLayout(side)
        return row

    def _plots(self) -> QWidget:
        box = QWidget()
        grid = QGridLayout(box)
        grid.setContentsMargins(0, 0, 0, 0)
        for col, (plot, name) in enumerate(
            ((self.course, "course"), (self.bars, "phases"), (self.histogram, "time-to-repair"))
        ):
            grid.addWidget(plot, 0, col)
            buttons = QHBoxLayout()
            for kind in ("PNG", "SVG"):
                b = QPushButton(f"Save {kind}…")
                b.setObjectName(f"save_{name}_{kind.lower()}")
                b.clicked.connect(lambda _=False, p=plot, k=kind, n=name: self.save_plot(p, k, n))
                buttons.addWidget(b)
            buttons.addStretch(1)
            grid.addLayout(buttons, 1, col)
        return box

    # -- settings ----------------------------------------------------------------------------
    def refresh(self) -> None:
        if self._read is None:  # first shown, or the study changed since
            self._load_settings()
        self.phases.refresh()
        if self.report_data is None and not self.tasks.busy:
            self.compute()

    def study_changed(self) -> None:
        """A scheme was imported, or the study changed on another workstation: the category
        choices and the stored settings are read again (now if the page is shown, else when it
        is next shown)."""
        self._read = None
        if self.isVisible():
            self._load_settings()

    def _load_settings(self) -> None:
        """Read the stored settings and the schemes' categories; the panel is filled again only
        when they differ from what it was filled with, and an unsaved edit stays unless the
        stored settings themselves changed (new categories alone are only offered)."""
        sequences = self.study.sequences
        loaded = self.run_action(lambda: (sequences.settings(), sequences.category_choices()))
        if loaded is None:
            return
        if loaded != self._filled:
            stored, choices = loaded
            same = self._filled is not None and self._filled[0] == stored
            self.settings_panel.show_settings(
                self.settings_panel.settings() if same else stored, choices
            )
            self._filled = loaded
        self._read = loaded

    def settings(self) -> SequenceSettings:
        """The settings on screen, saved or not (bad values are refused by the services)."""
        return self.settings_panel.settings()

    def save_settings(self) -> None:
        saved = self.run_action(
            lambda: self.study.sequences.set_settings(self.settings()),
            "Saved: the study's sequence settings (used by the export and the command line).",
        )
        if saved is not None:
            self._read = self._filled = None  # read back what was stored
            self._load_settings()
            self.compute()  # the plots follow the saved settings

    # -- computing ---------------------------------------------------------------------------
    def compute(self) -> None:
        if self.tasks.busy:
            return
        settings = self.settings()
        self.compute_button.setEnabled(False)

        def work(progress: Progress) -> tuple[SequenceReport, list[SegmentRow]]:
            def step(done: int, total: int) -> None:
                progress.check()
                progress(
                    done, total, f"ruptures, then the permutation test: step {done} of {total}"
                )

            report = self.study.sequences.report(settings, progress=step)
            progress.check()
            return report, self.study.sequences.segments(report)

        self.tasks.start(work, self._show, "Computing ruptures and repair…", self._failed)

    def _failed(self, message: str) -> None:
        self.report_error(message)

    def _show(self, result: Any) -> None:
        report, segments = result
        self.report_data, self.segment_rows = report, segments
        names = dyads(report)
        keep = self.dyad.currentText()
        self.dyad.blockSignals(True)
        self.dyad.clear()
        self.dyad.addItems(names)
        if keep in names:
            self.dyad.setCurrentText(keep)
        self.dyad.blockSignals(False)
        self._show_dyad(self.dyad.currentText())
        self.bars.set_data(phase_bars(report))
        self.histogram.set_data(repair_times(report))
        self.segments_model = SegmentsModel(segment_columns(segments))
        self.segments_model.set_rows(segments)
        self.segments_table.setModel(self.segments_model)
        self.result.setText(_summary_text(report))
        self.report(f"{len(report.ruptures)} ruptures in {len(report.sessions)} codings.")

    def _show_dyad(self, dyad: str) -> None:
        if self.report_data is not None and dyad:
            self.course.set_data(dyad, dyad_course(self.report_data, dyad))

    # -- export of a plot --------------------------------------------------------------------
    def save_plot(self, plot: _Plot, kind: str, name: str, path: Path | None = None) -> Path | None:
        if path is None:
            start = str(Path(self.study.location).with_name(f"{name}.{kind.lower()}"))
            chosen, _ = QFileDialog.getSaveFileName(self, f"Save plot as {kind}", start)
            if not chosen:
                return None
            path = Path(chosen)
        try:
            (plot.save_png if kind == "PNG" else plot.save_svg)(path)
        except OSError as exc:
            self.report_error(str(exc), popup=True)
            return None
        self.report(f"Saved {path}")
        return path


def _summary_text(report: SequenceReport) -> str:
    parts = [f"Rule: the first resolution strategy {report.rules}."]
    for bar in phase_bars(report):
        share = "" if bar.share_resolved is None else f"{bar.share_resolved:.0%} resolved"
        median = "" if bar.median_s is None else f", median {bar.median_s:.1f} s"
        parts.append(f"Phase {bar.label}: {bar.ruptures} ruptures, {share}{median}.")
    perm = report.permutation
    if perm is not None and perm.proportion is not None:
        parts.append(
            f"Followed by a strategy within the window: {perm.proportion:.0%} vs "
            f"{perm.chance_proportion or 0:.0%} by chance (shuffled onsets, "
            f"p = {perm.p_value:.3f}, {perm.shuffles} shuffles, seed {perm.seed})."
        )
    parts += report.notes
    return " ".join(parts)


__all__ = ["AnalysisPage"]
