"""The calibration/drift plot draws what it is given: points where the axes put them, points
below the threshold ringed in red, an explanatory message when there is nothing to draw."""

from __future__ import annotations

from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from observer_app.ui.manager.drift_plot import PALETTE, DriftPlot, DriftSeries


def _near(image: QImage, x: float, y: float, colour: QColor, radius: int = 5) -> bool:
    for dx in range(-radius, radius + 1):
        for dy in range(-radius, radius + 1):
            c = image.pixelColor(round(x) + dx, round(y) + dy)
            if (
                abs(c.red() - colour.red()) < 40
                and abs(c.green() - colour.green()) < 40
                and abs(c.blue() - colour.blue()) < 40
            ):
                return True
    return False


def test_points_and_threshold_are_drawn_where_the_axes_say(qtbot: QtBot) -> None:
    plot = DriftPlot()
    qtbot.addWidget(plot)
    plot.resize(800, 400)
    series = [
        DriftSeries("Ana", (("#1", 0.9), ("#2", 0.8), ("#3", 0.4))),
        DriftSeries("Ben", (("#1", 0.7), ("#2", None))),
    ]
    plot.set_data(series, threshold=0.6, statistic="event kappa", master="Mo")
    image = plot.grab().toImage()
    ana, ben = PALETTE[0], PALETTE[1]
    red = QColor(200, 0, 0)
    assert _near(image, *_xy(plot.point_at(0, 0.9)), ana)
    assert _near(image, *_xy(plot.point_at(1, 0.8)), ana)
    assert _near(image, *_xy(plot.point_at(2, 0.4)), red)  # below the threshold: red ring
    assert _near(image, *_xy(plot.point_at(0, 0.7)), ben)
    y = plot.point_at(0, 0.6).y()
    assert _near(image, plot.plot_rect().center().x(), y, red, radius=2)  # dashed threshold
    assert plot.point_at(0, 1.0).y() < plot.point_at(0, 0.0).y()


def test_no_data_explains_itself(qtbot: QtBot) -> None:
    plot = DriftPlot()
    qtbot.addWidget(plot)
    plot.resize(600, 300)
    image = plot.grab().toImage()
    assert not image.isNull()
    assert plot.series == ()


def _xy(p):  # type: ignore[no-untyped-def]
    return p.x(), p.y()
