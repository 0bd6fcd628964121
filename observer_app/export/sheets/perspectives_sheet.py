"""The Perspectives sheets: observer, client and therapist scores per session side by side (with
one native line chart per dyad: the total over sessions, one line per perspective), and the
agreement between perspectives across sessions, overall and by phase.

Values are on the metric the row names: ``raw`` (the instruments share scale, anchors and key)
or ``pomp`` (percent of maximum possible, Cohen et al. 1999). The tables are those of
``observer-app perspectives`` (``services/perspectives.py``).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

from openpyxl.chart import LineChart, Reference
from openpyxl.chart.data_source import AxDataSource, NumRef, StrRef
from openpyxl.chart.series import SeriesLabel

from observer_app.coding.perspectives import PAIRS, PERSPECTIVES
from observer_app.export.sheets.base import Row, Sheet, StudyData
from observer_app.export.workbook import Column
from observer_app.services.perspectives import PerspectivesReport

PERSPECTIVE_COLUMNS = (
    Column("dyad", "key", 10),
    Column("session", "int", 9),
    Column("phase", "int", 7),
    Column("recording_id", "int", 12),
    Column("score", "key", 8),
    Column("metric", "key", 8),
    Column("observer", "float", 10),
    Column("client", "float", 10),
    Column("therapist", "float", 10),
    Column("observer_minus_client", "float", 12),
    Column("observer_minus_therapist", "float", 12),
    Column("client_minus_therapist", "float", 12),
    Column("observer_source", "key", 18),
    Column("observer_instrument", "key", 12),
    Column("client_instrument", "key", 12),
    Column("therapist_instrument", "key", 12),
)
AGREEMENT_COLUMNS = (
    Column("score", "key", 8),
    Column("metric", "key", 8),
    Column("phase", "key", 7),
    Column("pair", "key", 18),
    Column("statistic", "key", 16),
    Column("value", "float", 10),
    Column("ci_low", "float", 10),
    Column("ci_high", "float", 10),
    Column("p", "float", 10),
    Column("n_sessions", "int", 11),
    Column("note", "text", 40),
)
_SESSION_COL, _FIRST_VALUE_COL = 1, 6
CHART_SCORE = "total"


@dataclass(frozen=True)
class LineChartSpec:
    """A native line chart over data rows ``first..last`` (0-based) of a sheet: x from
    ``category_col``, one series per column of ``value_cols`` (named by the header row)."""

    title: str
    y_title: str
    first: int
    last: int
    category_col: int
    value_cols: tuple[int, ...]
    anchor_col: int = 0
    anchor_row: int = 0

    def build(self, ws: Any) -> LineChart:
        chart = LineChart()
        chart.title = self.title
        chart.y_axis.title = self.y_title
        chart.x_axis.title = "session"
        chart.y_axis.delete = False
        chart.x_axis.delete = False
        chart.display_blanks = "gap"
        first, last = self.first + 2, self.last + 2
        cats = Reference(ws, min_col=self.category_col + 1, min_row=first, max_row=last)
        for col in self.value_cols:
            values = Reference(ws, min_col=col + 1, min_row=first, max_row=last)
            chart.add_data(values, titles_from_data=False)
            series = chart.series[-1]
            header = Reference(ws, min_col=col + 1, min_row=1, max_row=1)
            series.tx = SeriesLabel(strRef=StrRef(f=str(header)))
            series.marker.symbol = "circle"
            series.cat = AxDataSource(numRef=NumRef(f=str(cats)))
        chart.width, chart.height = 16.0, 8.0
        return chart


def _session_rows(report: PerspectivesReport) -> list[Row]:
    ordered = sorted(
        report.sessions,
        key=lambda r: (r.score_id != CHART_SCORE, r.score_id, r.dyad_id, r.session_number),
    )
    inst = [report.instruments.get(p) for p in PERSPECTIVES]
    rows: list[Row] = []
    for r in ordered:
        rows.append(
            (
                r.dyad_id,
                r.session_number,
                r.phase,
                r.recording_id,
                r.score_id,
                r.metric,
                *(r.values.get(p) for p in PERSPECTIVES),
                *(r.difference(a, b) for a, b in PAIRS),
                r.observer_source or None,
                *inst,
            )
        )
    return rows


def _charts(rows: list[Row], report: PerspectivesReport) -> list[LineChartSpec]:
    metric = report.metrics.get(CHART_SCORE)
    y_title = "POMP (0-100)" if metric is not None and metric.kind == "pomp" else "item mean"
    charts: list[LineChartSpec] = []
    start = None
    for i, row in enumerate([*rows, None]):
        dyad = None if row is None or row[4] != CHART_SCORE else row[0]
        if start is not None and (row is None or dyad != rows[start][0]):
            charts.append(
                LineChartSpec(
                    f"Alliance total over sessions, dyad {rows[start][0]}",
                    y_title,
                    start,
                    i - 1,
                    _SESSION_COL,
                    (_FIRST_VALUE_COL, _FIRST_VALUE_COL + 1, _FIRST_VALUE_COL + 2),
                    anchor_col=len(PERSPECTIVE_COLUMNS) + 1,
                    anchor_row=1 + 17 * len(charts),
                )
            )
            start = None
        if dyad is not None and start is None:
            start = i
    return charts


_REPORTS: weakref.WeakKeyDictionary[StudyData, PerspectivesReport] = weakref.WeakKeyDictionary()


def _report(data: StudyData) -> PerspectivesReport:
    """Computed once per export (both sheets use it)."""
    if data not in _REPORTS:
        _REPORTS[data] = data.study.perspectives.compute()
    return _REPORTS[data]


def perspectives(data: StudyData) -> Sheet:
    report = _report(data)
    rows = _session_rows(report)
    return Sheet("Perspectives", PERSPECTIVE_COLUMNS, iter(rows), lambda: _charts(rows, report))


def perspective_agreement(data: StudyData) -> Sheet:
    report = _report(data)
    rows: list[Row] = []
    for a in report.agreement:
        s = a.statistic
        ci = s.ci95 or (None, None)
        rows.append(
            (
                a.score_id,
                a.metric,
                a.phase,
                a.pair,
                s.name,
                s.value,
                ci[0],
                ci[1],
                s.p,
                s.n,
                s.reason,
            )
        )
    return Sheet("Perspective agreement", AGREEMENT_COLUMNS, iter(rows))
