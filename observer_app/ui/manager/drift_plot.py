"""Calibration and drift: each coder's agreement with the master coder over time (QPainter only).

One line per coder, one point per calibrated recording in the order the coder completed it, the
threshold as a dashed line; points below the threshold are drawn hollow and red-ringed so a lab
sees a coder drift before it spoils a study.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

#: Colour-blind-safe palette (Okabe & Ito 2008).
PALETTE = (
    QColor(0, 114, 178),
    QColor(230, 159, 0),
    QColor(0, 158, 115),
    QColor(204, 121, 167),
    QColor(86, 180, 233),
    QColor(213, 94, 0),
    QColor(240, 228, 66),
    QColor(0, 0, 0),
)


@dataclass(frozen=True)
class DriftSeries:
    """One coder's points: (x label, value or None when undefined)."""

    coder: str
    points: tuple[tuple[str, float | None], ...]


class DriftPlot(QWidget):
    """A small line chart of agreement with the master coder (values expected in [-1, 1])."""

    MARGIN_LEFT = 52
    MARGIN_RIGHT = 150
    MARGIN_TOP = 28
    MARGIN_BOTTOM = 44

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.series: tuple[DriftSeries, ...] = ()
        self.threshold: float | None = None
        self.statistic = ""
        self.master = ""
        self.setMinimumSize(420, 240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAutoFillBackground(True)
        self.setMouseTracking(True)

    def sizeHint(self) -> QSize:
        return QSize(720, 360)

    def set_data(
        self,
        series: Sequence[DriftSeries],
        *,
        threshold: float | None,
        statistic: str,
        master: str,
    ) -> None:
        self.series = tuple(series)
        self.threshold = threshold
        self.statistic = statistic
        self.master = master
        self.update()

    # -- geometry ------------------------------------------------------------------------------
    def _y_range(self) -> tuple[float, float]:
        values = [v for s in self.series for _, v in s.points if v is not None and math.isfinite(v)]
        low = min([0.0, *values])
        return (math.floor(low * 4) / 4, 1.0)

    def _n_x(self) -> int:
        return max((len(s.points) for s in self.series), default=0)

    def plot_rect(self) -> QRectF:
        return QRectF(
            self.MARGIN_LEFT,
            self.MARGIN_TOP,
            max(10, self.width() - self.MARGIN_LEFT - self.MARGIN_RIGHT),
            max(10, self.height() - self.MARGIN_TOP - self.MARGIN_BOTTOM),
        )

    def point_at(self, index: int, value: float) -> QPointF:
        """Where the ``index``-th calibration (0-based) with ``value`` is drawn."""
        rect = self.plot_rect()
        n = self._n_x()
        low, high = self._y_range()
        x = rect.left() + (rect.width() * (index + 0.5) / n if n else rect.width() / 2)
        y = rect.bottom() - (value - low) / (high - low) * rect.height()
        return QPointF(x, y)

    def point_near(self, x: float, y: float, radius: float = 7.0) -> tuple[str, str, float] | None:
        """``(coder, label, value)`` of the point drawn nearest to ``(x, y)``, if close."""
        best: tuple[float, tuple[str, str, float]] | None = None
        for series in self.series:
            for i, (label, value) in enumerate(series.points):
                if value is None or not math.isfinite(value):
                    continue
                p = self.point_at(i, value)
                d = math.hypot(p.x() - x, p.y() - y)
                if d <= radius and (best is None or d < best[0]):
                    best = (d, (series.coder, label, value))
        return best[1] if best else None

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        hit = self.point_near(event.position().x(), event.position().y())
        if hit is None:
            QToolTip.hideText()
            return
        coder, label, value = hit
        QToolTip.showText(
            event.globalPosition().toPoint(), f"{coder}, recording {label}: {value:.2f}", self
        )

    # -- painting ------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), self.palette().base())
        text = self.palette().text().color()
        rect = self.plot_rect()
        if not self.series:
            p.setPen(text)
            p.drawText(
                self.rect(),
                Qt.AlignmentFlag.AlignCenter,
                "No calibration data: create calibration assignments against a master coder\n"
                "(Assignments tab); when they are complete each coder's agreement appears here.",
            )
            p.end()
            return
        self._axes(p, rect, text)
        self._threshold(p, rect)
        for i, series in enumerate(self.series):
            self._series(p, series, PALETTE[i % len(PALETTE)])
        self._legend(p, rect, text)
        p.end()

    def _axes(self, p: QPainter, rect: QRectF, text: QColor) -> None:
        low, high = self._y_range()
        grid = QColor(text)
        grid.setAlpha(40)
        p.setPen(QPen(text, 1))
        p.drawLine(rect.bottomLeft(), rect.bottomRight())
        p.drawLine(rect.bottomLeft(), rect.topLeft())
        steps = round((high - low) / 0.25)
        for k in range(steps + 1):
            v = low + k * 0.25
            y = self.point_at(0, v).y()
            p.setPen(QPen(grid, 1))
            p.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
            p.setPen(text)
            p.drawText(
                QRectF(0, y - 8, self.MARGIN_LEFT - 6, 16),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                f"{v:.2f}",
            )
        n = self._n_x()
        for i in range(n):
            x = self.point_at(i, low).x()
            p.drawText(
                QRectF(x - 20, rect.bottom() + 4, 40, 16),
                int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop),
                str(i + 1),
            )
        p.drawText(
            QRectF(rect.left(), rect.bottom() + 22, rect.width(), 18),
            int(Qt.AlignmentFlag.AlignHCenter),
            "calibration recordings, in the order each coder completed them",
        )
        title = QFont(p.font())
        title.setBold(True)
        p.save()
        p.setFont(title)
        p.drawText(
            QRectF(rect.left(), 4, rect.width() + self.MARGIN_RIGHT, 20),
            int(Qt.AlignmentFlag.AlignLeft),
            f"{self.statistic} against master coder {self.master}",
        )
        p.restore()

    def _threshold(self, p: QPainter, rect: QRectF) -> None:
        if self.threshold is None:
            return
        y = self.point_at(0, self.threshold).y()
        pen = QPen(QColor(200, 0, 0), 1.5, Qt.PenStyle.DashLine)
        p.setPen(pen)
        p.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
        p.drawText(QPointF(rect.right() + 4, y + 4), f"threshold {self.threshold:.2f}")

    def _series(self, p: QPainter, series: DriftSeries, colour: QColor) -> None:
        pen = QPen(colour, 2)
        previous: QPointF | None = None
        for i, (_label, value) in enumerate(series.points):
            if value is None or not math.isfinite(value):
                previous = None
                continue
            point = self.point_at(i, value)
            if previous is not None:
                p.setPen(pen)
                p.drawLine(previous, point)
            previous = point
        for i, (_label, value) in enumerate(series.points):
            if value is None or not math.isfinite(value):
                continue
            point = self.point_at(i, value)
            below = self.threshold is not None and value < self.threshold
            p.setPen(QPen(QColor(200, 0, 0) if below else colour, 2))
            p.setBrush(self.palette().base() if below else colour)
            p.drawEllipse(point, 4.5, 4.5)
            p.setBrush(Qt.BrushStyle.NoBrush)

    def _legend(self, p: QPainter, rect: QRectF, text: QColor) -> None:
        x = rect.right() + 14
        y = rect.top() + 24
        for i, series in enumerate(self.series):
            colour = PALETTE[i % len(PALETTE)]
            p.setPen(QPen(colour, 3))
            p.drawLine(QPointF(x, y), QPointF(x + 18, y))
            p.setPen(text)
            p.drawText(QPointF(x + 24, y + 4), series.coder)
            y += 20
