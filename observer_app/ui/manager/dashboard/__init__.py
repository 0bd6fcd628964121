"""The reliability dashboard: choose a scheme or instrument, coders and recordings; see agreement.

Numbers come from :mod:`observer_app.services.reliability` (the same service behind
``observer-app reliability``), computed on a pool thread with a progress bar; this package only
formats and colours them: ``formatting`` (numbers and tooltips), ``models`` (the tables) and
``page`` (the page and the dialog behind a row).
"""

from observer_app.ui.manager.dashboard.formatting import DASH, fmt, fmt_ci, fmt_result, unused, why
from observer_app.ui.manager.dashboard.models import (
    AnyIndex,
    CodeModel,
    ConfusionModel,
    MatrixModel,
    ScoreModel,
)
from observer_app.ui.manager.dashboard.page import MatrixDialog, ReliabilityPage, drift_series

__all__ = [
    "DASH",
    "AnyIndex",
    "CodeModel",
    "ConfusionModel",
    "MatrixDialog",
    "MatrixModel",
    "ReliabilityPage",
    "ScoreModel",
    "drift_series",
    "fmt",
    "fmt_ci",
    "fmt_result",
    "unused",
    "why",
]
