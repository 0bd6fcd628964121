"""The Perspectives tab: the alliance over sessions from the observer's, the client's and the
therapist's side, one line per perspective, for one dyad and one score; the per-session table
with the differences; and the agreement between perspectives across sessions (overall and by
phase). The page says on which metric the scores are compared (their own scale or POMP). The
numbers come from ``services.perspectives``, computed off the GUI thread.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QObject, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from observer_app.coding.perspectives import COMPARED_SCORES, PERSPECTIVES
from observer_app.services.perspectives import PerspectivesReport, SessionRow
from observer_app.services.study import Study
from observer_app.ui.manager._common import Column, Page, RowsModel, make_table
from observer_app.ui.manager.drift_plot import PALETTE
from observer_app.ui.workers import run_in_background

COLOURS = dict(zip(PERSPECTIVES, (PALETTE[0], PALETTE[1], PALETTE[2]), strict=True))


def _num(v: float | None) -> str:
    return "" if v is None else f"{v:.2f}"


class AlliancePlot(QWidget):
    """Value per session, one line per perspective (gaps where a perspective is missing)."""

    LEFT, RIGHT, TOP, BOTTOM = 52, 120, 28, 40

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[SessionRow] = []
        self.title = ""
        self.y_label = ""
        self.y_range = (0.0, 100.0)
        self.setMinimumSize(420, 220)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:
        return QSize(720, 300)

    def set_data(
        self, rows: list[SessionRow], *, title: str, y_label: str, y_range: tuple[float, float]
    ) -> None:
        self.rows = sorted(rows, key=lambda r: r.session_number)
        self.title, self.y_label, self.y_range = title, y_label, y_range
        self.update()

    def plot_rect(self) -> QRectF:
        return QRectF(
            self.LEFT,
            self.TOP,
            max(10, self.width() - self.LEFT - self.RIGHT),
            max(10, self.height() - self.TOP - self.BOTTOM),
        )

    def point(self, session: int, value: float) -> QPointF:
        rect = self.plot_rect()
        sessions = [r.session_number for r in self.rows]
        lo_s, hi_s = min(sessions), max(sessions)
        span = max(1, hi_s - lo_s)
        x = rect.left() + rect.width() * ((session - lo_s) / span if hi_s > lo_s else 0.5)
        lo, hi = self.y_range
        y = rect.bottom() - (value - lo) / (hi - lo) * rect.height()
        return QPointF(x, y)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), self.palette().base())
        text = self.palette().text().color()
        if not self.rows:
            p.setPen(text)
            p.drawText(
                self.rect(),
                Qt.AlignmentFlag.AlignCenter,
                "No scores to compare yet: import or enter client and therapist forms\n"
                "(Self-reports tab) for sessions that observers have rated.",
            )
            p.end()
            return
        rect = self.plot_rect()
        self._axes(p, rect, text)
        for perspective in PERSPECTIVES:
            self._line(p, perspective)
        self._legend(p, rect, text)
        p.end()

    def _axes(self, p: QPainter, rect: QRectF, text: QColor) -> None:
        lo, hi = self.y_range
        grid = QColor(text)
        grid.setAlpha(40)
        p.setPen(QPen(text, 1))
        p.drawLine(rect.bottomLeft(), rect.bottomRight())
        p.drawLine(rect.bottomLeft(), rect.topLeft())
        first = self.rows[0].session_number
        for k in range(5):
            v = lo + (hi - lo) * k / 4
            y = self.point(first, v).y()
            p.setPen(QPen(grid, 1))
            p.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
            p.setPen(text)
            p.drawText(
                QRectF(0, y - 8, self.LEFT - 6, 16),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                f"{v:g}",
            )
        for r in self.rows:
            x = self.point(r.session_number, lo).x()
            p.drawText(
                QRectF(x - 20, rect.bottom() + 4, 40, 16),
                int(Qt.AlignmentFlag.AlignHCenter),
                str(r.session_number),
            )
        p.drawText(
            QRectF(rect.left(), rect.bottom() + 20, rect.width(), 18),
            int(Qt.AlignmentFlag.AlignHCenter),
            f"session   ({self.y_label})",
        )
        bold = QFont(p.font())
        bold.setBold(True)
        p.save()
        p.setFont(bold)
        p.drawText(
            QRectF(rect.left(), 4, rect.width(), 20), int(Qt.AlignmentFlag.AlignLeft), self.title
        )
        p.restore()

    def _line(self, p: QPainter, perspective: str) -> None:
        colour = COLOURS[perspective]
        previous: QPointF | None = None
        for r in self.rows:
            v = r.values.get(perspective)
            if v is None or not math.isfinite(v):
                previous = None
                continue
            pt = self.point(r.session_number, v)
            if previous is not None:
                p.setPen(QPen(colour, 2))
                p.drawLine(previous, pt)
            p.setPen(QPen(colour, 2))
            p.setBrush(colour)
            p.drawEllipse(pt, 4, 4)
            p.setBrush(Qt.BrushStyle.NoBrush)
            previous = pt

    def _legend(self, p: QPainter, rect: QRectF, text: QColor) -> None:
        x, y = rect.right() + 14, rect.top() + 20
        for perspective in PERSPECTIVES:
            p.setPen(QPen(COLOURS[perspective], 3))
            p.drawLine(QPointF(x, y), QPointF(x + 18, y))
            p.setPen(text)
            p.drawText(QPointF(x + 24, y + 4), perspective)
            y += 20


class SessionModel(RowsModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(
            [
                Column("Dyad", lambda r: r.dyad_id),
                Column("Session", lambda r: r.session_number, align_right=True),
                Column("Phase", lambda r: "" if r.phase is None else r.phase),
                Column("Score", lambda r: r.score_id),
                Column("Metric", lambda r: r.metric),
                *(
                    Column(p.capitalize(), lambda r, p=p: _num(r.values.get(p)), align_right=True)
                    for p in PERSPECTIVES
                ),
                Column(
                    "Obs − client",
                    lambda r: _num(r.difference("observer", "client")),
                    align_right=True,
                ),
                Column(
                    "Obs − therapist",
                    lambda r: _num(r.difference("observer", "therapist")),
                    align_right=True,
                ),
                Column(
                    "Client − therapist",
                    lambda r: _num(r.difference("client", "therapist")),
                    align_right=True,
                ),
                Column("Observer from", lambda r: r.observer_source),
            ],
            parent,
        )


class AgreementModel(RowsModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(
            [
                Column("Score", lambda a: a.score_id),
                Column("Phase", lambda a: a.phase),
                Column("Perspectives", lambda a: a.pair),
                Column("Metric", lambda a: a.metric),
                Column("Statistic", lambda a: a.statistic.name),
                Column("Value", lambda a: _num(a.statistic.value), align_right=True),
                Column(
                    "95% CI",
                    lambda a: (
                        ""
                        if not a.statistic.ci95
                        else f"[{a.statistic.ci95[0]:.2f}, {a.statistic.ci95[1]:.2f}]"
                    ),
                ),
                Column("Sessions", lambda a: a.statistic.n, align_right=True),
                Column("Note", lambda a: a.statistic.reason or ""),
            ],
            parent,
        )


class PerspectivesPage(Page):
    def __init__(self, study: Study, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("perspectives")
        self.study = study
        self.report_data: PerspectivesReport | None = None
        self.dyad = QComboBox()
        self.dyad.setObjectName("perspectives_dyad")
        self.score = QComboBox()
        self.score.setObjectName("perspectives_score")
        self.score.addItems(list(COMPARED_SCORES))
        self.score.setCurrentText("total")
        self.metric_note = QLabel()
        self.metric_note.setWordWrap(True)
        self.plot = AlliancePlot()
        self.sessions = SessionModel(self)
        self.agreement = AgreementModel(self)
        self.session_view = make_table(self.sessions)
        self.agreement_view = make_table(self.agreement)
        self.dyad.currentIndexChanged.connect(self._show)
        self.score.currentIndexChanged.connect(self._show)
        top = QHBoxLayout()
        top.addWidget(QLabel("Dyad"))
        top.addWidget(self.dyad)
        top.addWidget(QLabel("Score"))
        top.addWidget(self.score)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.metric_note)
        layout.addWidget(self.plot, 3)
        layout.addWidget(self.session_view, 2)
        layout.addWidget(QLabel("Agreement between perspectives across sessions"))
        layout.addWidget(self.agreement_view, 2)
        layout.addWidget(self.status)
        self._pending = False

    def refresh(self) -> None:
        if self._pending:
            return
        self._pending = True
        self.report("computing…")
        run_in_background(self.study.perspectives.compute, self._done, self._failed, self)

    def _done(self, report: Any) -> None:
        self._pending = False
        self.set_report(report)

    def _failed(self, exc: BaseException) -> None:
        self._pending = False
        self.report_error(str(exc))

    def set_report(self, report: PerspectivesReport) -> None:
        self.report_data = report
        current = self.dyad.currentText()
        self.dyad.blockSignals(True)
        self.dyad.clear()
        self.dyad.addItems(sorted({r.dyad_id for r in report.sessions}))
        if current:
            self.dyad.setCurrentText(current)
        self.dyad.blockSignals(False)
        inst = ", ".join(f"{p}: {i or 'none'}" for p, i in report.instruments.items())
        self.metric_note.setText(f"<b>Instruments</b> {inst}<br>" + "<br>".join(report.notes))
        self.report(
            f"{len({(r.dyad_id, r.session_number) for r in report.sessions})} sessions, "
            f"{len(report.agreement)} agreement statistics"
        )
        self._show()

    def _show(self, *_: Any) -> None:
        report = self.report_data
        if report is None:
            return
        score, dyad = self.score.currentText(), self.dyad.currentText()
        rows = [r for r in report.sessions if r.dyad_id == dyad and r.score_id == score]
        metric = report.metrics.get(score)
        pomp = metric is not None and metric.kind == "pomp"
        y_range = (
            (0.0, 100.0)
            if pomp or metric is None
            else (float(metric.scale_min or 0), float(metric.scale_max or 1))
        )
        self.plot.set_data(
            rows,
            title=f"Dyad {dyad}: {score} over sessions",
            y_label=metric.label if metric else "",
            y_range=y_range,
        )
        self.sessions.set_rows([r for r in report.sessions if r.dyad_id == dyad])
        self.agreement.set_rows([a for a in report.agreement if a.score_id == score])
        self.session_view.resizeColumnsToContents()
        self.agreement_view.resizeColumnsToContents()
