"""The Analysis page's three plots, drawn with QPainter only, and exported as PNG or SVG from the
same drawing code (``QImage`` / ``QSvgGenerator``), so the file equals what is on screen.

* :class:`CoursePlot` -- one dyad over the course of therapy: ruptures per hour (bars) and the
  share resolved (line, right axis) per session; phase boundaries as dashed lines.
* :class:`PhaseBarsPlot` -- phase 1 vs phase 2 (...): share resolved with Wilson 95 % intervals
  and median time to repair with its IQR.
* :class:`RepairHistogram` -- the distribution of times to repair, 5-s bins, one colour per phase.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPaintEvent, QPen
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QSizePolicy, QWidget

from observer_app.services.sequences.views import CoursePoint, PhaseBar
from observer_app.ui.manager.drift_plot import PALETTE

MARGIN = (56, 20, 34, 46)  # left, right, top, bottom


class _Plot(QWidget):
    title = ""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(280, 180)  # three side by side fit a 1280x800 window
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:
        return QSize(480, 320)

    def has_data(self) -> bool:
        return False

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.render_to(p, QRectF(self.rect()))
        p.end()

    def _title_font(self, p: QPainter) -> QFont:
        font = QFont(p.font())
        font.setBold(True)
        return font

    def title_box(self, p: QPainter, rect: QRectF) -> QRectF:
        """Where the title goes: centred, wrapped onto more lines when ``rect`` is narrow (a
        single centred line wider than the plot was clipped at both sides)."""
        space = rect.adjusted(8, 6, -8, 0)
        flags = int(Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap)
        box = QFontMetricsF(self._title_font(p)).boundingRect(space, flags, self.title)
        return box.intersected(space) if box.width() > space.width() else box

    def plot_area(self, p: QPainter, rect: QRectF) -> QRectF:
        """The drawing area: inside the margins and below the (possibly wrapped) title."""
        top = max(MARGIN[2], self.title_box(p, rect).bottom() - rect.top() + 8)
        return rect.adjusted(MARGIN[0], top, -MARGIN[1], -MARGIN[3])

    def render_to(self, p: QPainter, rect: QRectF) -> None:
        p.fillRect(rect, QColor("white"))
        font = self._title_font(p)
        p.setFont(font)
        p.setPen(QColor("black"))
        flags = int(Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap)
        p.drawText(self.title_box(p, rect), flags, self.title)
        font.setBold(False)
        p.setFont(font)
        area = self.plot_area(p, rect)
        if not self.has_data():
            p.setPen(QColor("#666"))
            p.drawText(area, Qt.AlignmentFlag.AlignCenter, "No ruptures coded yet")
            return
        self.draw(p, area)

    def draw(self, p: QPainter, area: QRectF) -> None:
        raise NotImplementedError

    # -- export ------------------------------------------------------------------------------
    def save_png(self, path: Path, size: tuple[int, int] = (960, 640)) -> None:
        w, h = size
        image = QImage(w, h, QImage.Format.Format_ARGB32)
        image.fill(QColor("white"))
        p = QPainter(image)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.render_to(p, QRectF(0, 0, w, h))
        p.end()
        if not image.save(str(path), "PNG"):  # type: ignore[call-overload]
            raise OSError(f"{path}: could not write the PNG file")

    def save_svg(self, path: Path, size: tuple[int, int] = (960, 640)) -> None:
        w, h = size
        gen = QSvgGenerator()
        gen.setFileName(str(path))
        gen.setSize(QSize(w, h))
        gen.setViewBox(QRectF(0, 0, w, h))
        gen.setTitle(self.title)
        p = QPainter()
        if not p.begin(gen):
            raise OSError(f"{path}: could not write the SVG file")
        self.render_to(p, QRectF(0, 0, w, h))
        p.end()


def _axis(p: QPainter, area: QRectF, top: float, label: str, *, right: bool = False) -> None:
    """A vertical axis from 0 to ``top`` with 5 ticks, left (or right) of ``area``."""
    p.setPen(QPen(QColor("#444"), 1))
    x = area.right() if right else area.left()
    p.drawLine(QPointF(x, area.top()), QPointF(x, area.bottom()))
    for k in range(6):
        v = top * k / 5
        y = area.bottom() - area.height() * k / 5
        p.drawLine(QPointF(x - 3, y), QPointF(x + 3, y))
        text = f"{v:.0%}" if label == "share" else f"{v:.3g}"
        box = QRectF(x + 5, y - 8, 50, 16) if right else QRectF(x - 54, y - 8, 48, 16)
        align = Qt.AlignmentFlag.AlignLeft if right else Qt.AlignmentFlag.AlignRight
        p.drawText(box, align | Qt.AlignmentFlag.AlignVCenter, text)


def _nice(top: float) -> float:
    if top <= 0:
        return 1.0
    step = 10 ** math.floor(math.log10(top))
    for m in (1, 2, 2.5, 5, 10):
        if m * step >= top:
            return float(m * step)
    return float(10 * step)


class CoursePlot(_Plot):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.points: tuple[CoursePoint, ...] = ()
        self.title = "Ruptures and resolution per session"

    def set_data(self, dyad: str, points: Sequence[CoursePoint]) -> None:
        self.points = tuple(points)
        self.title = f"Dyad {dyad}: ruptures per hour (bars), share resolved (line)"
        self.update()

    def has_data(self) -> bool:
        return bool(self.points)

    def draw(self, p: QPainter, area: QRectF) -> None:
        area = area.adjusted(0, 0, -44, 0)
        top = _nice(max((pt.per_hour or 0) for pt in self.points))
        _axis(p, area, top, "per hour")
        _axis(p, area, 1.0, "share", right=True)
        n = len(self.points)
        slot = area.width() / n
        line: list[QPointF] = []
        for k, pt in enumerate(self.points):
            x0 = area.left() + k * slot
            h = area.height() * (pt.per_hour or 0) / top
            colour = PALETTE[0] if pt.phase in (None, 1) else PALETTE[1]
            p.fillRect(QRectF(x0 + slot * 0.2, area.bottom() - h, slot * 0.6, h), colour)
            p.setPen(QColor("black"))
            p.drawText(
                QRectF(x0, area.bottom() + 4, slot, 16),
                Qt.AlignmentFlag.AlignHCenter,
                str(pt.session_number),
            )
            if pt.share_resolved is not None:
                line.append(
                    QPointF(x0 + slot / 2, area.bottom() - area.height() * pt.share_resolved)
                )
            if k and pt.phase != self.points[k - 1].phase:
                p.setPen(QPen(QColor("#888"), 1, Qt.PenStyle.DashLine))
                p.drawLine(QPointF(x0, area.top()), QPointF(x0, area.bottom()))
        p.setPen(QPen(PALETTE[2], 2))
        for a, b in itertools.pairwise(line):
            p.drawLine(a, b)
        for dot in line:
            p.drawEllipse(dot, 3, 3)
        p.setPen(QColor("black"))
        p.drawText(
            QRectF(area.left(), area.bottom() + 22, area.width(), 16),
            Qt.AlignmentFlag.AlignHCenter,
            "session (blue: phase 1, orange: later phases)",
        )


class PhaseBarsPlot(_Plot):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bars: tuple[PhaseBar, ...] = ()
        self.title = "By phase: share resolved (95% CI), time to repair (median, IQR)"

    def set_data(self, bars: Sequence[PhaseBar]) -> None:
        self.bars = tuple(bars)
        self.update()

    def has_data(self) -> bool:
        return any(b.ruptures for b in self.bars)

    def draw(self, p: QPainter, area: QRectF) -> None:
        half = area.width() / 2 - 30
        left = QRectF(area.left(), area.top(), half, area.height())
        right = QRectF(area.left() + half + 70, area.top(), half - 10, area.height())
        _axis(p, left, 1.0, "share")
        top = _nice(max((b.q3_s or b.median_s or 0) for b in self.bars))
        _axis(p, right, top, "seconds")
        self._bars(p, left, [(b.share_resolved, b.share_low, b.share_high) for b in self.bars], 1.0)
        self._bars(p, right, [(b.median_s, b.q1_s, b.q3_s) for b in self.bars], top)
        p.setPen(QColor("black"))
        p.drawText(
            QRectF(left.left(), area.bottom() + 22, left.width(), 16),
            Qt.AlignmentFlag.AlignHCenter,
            "share resolved",
        )
        p.drawText(
            QRectF(right.left(), area.bottom() + 22, right.width(), 16),
            Qt.AlignmentFlag.AlignHCenter,
            "time to repair, s",
        )

    def _bars(
        self,
        p: QPainter,
        area: QRectF,
        values: list[tuple[float | None, float | None, float | None]],
        top: float,
    ) -> None:
        slot = area.width() / max(1, len(values))
        for k, ((v, lo, hi), bar) in enumerate(zip(values, self.bars, strict=True)):
            x0 = area.left() + k * slot
            p.setPen(QColor("black"))
            p.drawText(
                QRectF(x0, area.bottom() + 4, slot, 16),
                Qt.AlignmentFlag.AlignHCenter,
                bar.label.split(" ", 1)[-1][:14],
            )
            if v is None:
                continue

            def y(val: float) -> float:
                return area.bottom() - area.height() * val / top

            p.fillRect(
                QRectF(x0 + slot * 0.25, y(v), slot * 0.5, area.bottom() - y(v)),
                PALETTE[k % len(PALETTE)],
            )
            if lo is not None and hi is not None:
                cx = x0 + slot / 2
                p.setPen(QPen(QColor("black"), 1.5))
                p.drawLine(QPointF(cx, y(lo)), QPointF(cx, y(hi)))
                for val in (lo, hi):
                    p.drawLine(QPointF(cx - 6, y(val)), QPointF(cx + 6, y(val)))


class RepairHistogram(_Plot):
    BIN_S = 5.0

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.times: dict[str, list[float]] = {}
        self.title = "Time to repair (5-s bins)"

    def set_data(self, times: dict[str, list[float]]) -> None:
        self.times = {k: list(v) for k, v in times.items()}
        self.update()

    def has_data(self) -> bool:
        return any(self.times.values())

    def draw(self, p: QPainter, area: QRectF) -> None:
        longest = max(t for ts in self.times.values() for t in ts)
        bins = max(1, int(longest // self.BIN_S) + 1)
        counts = {k: [0] * bins for k in self.times}
        for k, ts in self.times.items():
            for t in ts:
                counts[k][min(bins - 1, int(t // self.BIN_S))] += 1
        top = _nice(max(max(c) for c in counts.values()))
        _axis(p, area, top, "count")
        slot = area.width() / bins
        groups = list(counts)
        width = slot * 0.8 / len(groups)
        for g, key in enumerate(groups):
            for b, n in enumerate(counts[key]):
                h = area.height() * n / top
                x = area.left() + b * slot + slot * 0.1 + g * width
                p.fillRect(QRectF(x, area.bottom() - h, width, h), PALETTE[g % len(PALETTE)])
        p.setPen(QColor("black"))
        for b in range(0, bins + 1, max(1, bins // 8)):
            x = area.left() + b * slot
            p.drawText(
                QRectF(x - 20, area.bottom() + 4, 40, 16),
                Qt.AlignmentFlag.AlignHCenter,
                f"{b * self.BIN_S:g}",
            )
        for g, key in enumerate(groups):
            p.fillRect(
                QRectF(area.left() + 10, area.top() + 4 + 16 * g, 10, 10),
                PALETTE[g % len(PALETTE)],
            )
            p.drawText(QPointF(area.left() + 24, area.top() + 13 + 16 * g), key[:22])
        p.drawText(
            QRectF(area.left(), area.bottom() + 22, area.width(), 16),
            Qt.AlignmentFlag.AlignHCenter,
            "seconds from rupture to the first strategy",
        )
