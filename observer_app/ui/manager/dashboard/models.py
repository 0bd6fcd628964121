"""Table models of the reliability dashboard: scores, codes, confusion and rating matrices."""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from observer_app.coding import agreement as ag
from observer_app.services.reliability import ICC_FORM_NAMES, RatingMatrix, ScoreReliability
from observer_app.ui.manager._common import GOOD, LOW, MUTED, WARN, Column, RowsModel
from observer_app.ui.manager.dashboard.formatting import fmt, fmt_ci, fmt_result, unused, why

AnyIndex = QModelIndex | QPersistentModelIndex


class ScoreModel(RowsModel):
    """Items, subscales, composites and the total: the chosen ICC form first, then the others."""

    FLAG_COLUMNS = (3, 5)

    def __init__(self, icc_form: str = "ICC(A,1)", parent: QObject | None = None) -> None:
        self.icc_form = icc_form
        others = [f for f in ICC_FORM_NAMES if f != icc_form]
        columns = [
            Column("Kind", lambda s: s.kind),
            Column("Id", lambda s: s.id),
            Column("Label", lambda s: s.label),
            Column(
                icc_form,
                lambda s: fmt_result(s.icc) if not s.insufficient else f"({fmt_result(s.icc)})",
                align_right=True,
                tip=lambda s: s.insufficient or why(s.icc),
            ),
            Column(
                "95% CI",
                lambda s: s.insufficient or fmt_ci(s.icc) or ("no CI" if s.icc.ci_note else ""),
                tip=lambda s: s.icc.ci_note,
            ),
            Column("Koo & Li", lambda s: s.icc.label or ""),
            Column(
                "α", lambda s: fmt_result(s.alpha), align_right=True, tip=lambda s: why(s.alpha)
            ),
            Column(
                "κ", lambda s: fmt_result(s.kappa), align_right=True, tip=lambda s: why(s.kappa)
            ),
            Column("Units", lambda s: s.icc.n_units, align_right=True),
        ]
        columns += [_form_column(form) for form in others]
        super().__init__(columns, parent)

    def background(self, row: Any, column: int) -> QColor | None:
        if row.insufficient:
            return MUTED
        if row.flagged and column in self.FLAG_COLUMNS:
            return LOW
        if column == 4 and row.icc.ci_note:
            return WARN
        return None


def _form(s: ScoreReliability, form: str) -> ag.AgreementResult | None:
    """One ICC form of a score (the service lists them in ``ICC_FORM_NAMES`` order)."""
    for r in s.iccs:
        if r.name == form:
            return r
    index = ICC_FORM_NAMES.index(form)
    return s.iccs[index] if index < len(s.iccs) else None


def _form_column(form: str) -> Column:
    def show(s: ScoreReliability) -> str:
        return fmt_result(_form(s, form))

    def tip(s: ScoreReliability) -> str | None:
        return why(_form(s, form))

    return Column(form, show, align_right=True, tip=tip)


class CodeModel(RowsModel):
    """Per code: event matching at the tolerance and segment-level agreement (codes nobody
    used are greyed rather than flagged)."""

    FLAG_COLUMNS = (0, 10)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(
            [
                Column("Code", lambda c: c.code),
                Column("Label", lambda c: c.label),
                Column("Category", lambda c: c.category),
                Column("Events A", lambda c: c.events_a, align_right=True),
                Column("Events B", lambda c: c.events_b, align_right=True),
                Column("Matched", lambda c: c.matched, align_right=True),
                Column("Other code A", lambda c: c.mismatched_a, align_right=True),
                Column("Other code B", lambda c: c.mismatched_b, align_right=True),
                Column("Unmatched A", lambda c: c.unmatched_a, align_right=True),
                Column("Unmatched B", lambda c: c.unmatched_b, align_right=True),
                Column(
                    "Specific agreement",
                    lambda c: fmt(c.specific_agreement),
                    align_right=True,
                    tip=lambda c: "2 × matched / (events A + events B)",
                ),
                Column(
                    "Segments κ",
                    lambda c: fmt_result(c.presence_kappa),
                    align_right=True,
                    tip=lambda c: why(c.presence_kappa),
                ),
                Column(
                    "Segments AC1",
                    lambda c: fmt_result(c.presence_ac1),
                    align_right=True,
                    tip=lambda c: why(c.presence_ac1),
                ),
                Column(
                    "Count ICC",
                    lambda c: fmt_result(c.count_icc),
                    align_right=True,
                    tip=lambda c: why(c.count_icc),
                ),
                Column("Segments", lambda c: c.n_segments, align_right=True),
            ],
            parent,
        )

    def background(self, row: Any, column: int) -> QColor | None:
        if unused(row):
            return MUTED
        if row.flagged and column in self.FLAG_COLUMNS:
            return LOW
        return None


class ConfusionModel(QAbstractTableModel):
    """Confusion matrix of matched events: first coder of each pair (rows) × second (columns)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.matrix: ag.ConfusionMatrix | None = None

    def set_matrix(self, matrix: ag.ConfusionMatrix | None) -> None:
        self.beginResetModel()
        self.matrix = matrix
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self.matrix is None else len(self.matrix.labels)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return self.rowCount(parent)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or self.matrix is None:
            return None
        if not 0 <= section < len(self.matrix.labels):
            return None
        return self.matrix.labels[section]

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        m = self.matrix
        if m is None or not index.isValid():
            return None
        r, c = index.row(), index.column()
        if not (0 <= r < len(m.labels) and 0 <= c < len(m.labels)):
            return None
        n = m.counts[r][c]
        if role == Qt.ItemDataRole.DisplayRole:
            return str(n)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            last = len(m.labels) - 1
            if m.has_unmatched and last in (r, c):
                return QBrush(LOW if n else MUTED)
            if n == 0:
                return None
            return QBrush(GOOD if r == c else WARN)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"first coder: {m.labels[r]}; second coder: {m.labels[c]}; {n} event(s)"
        return None


class MatrixModel(QAbstractTableModel):
    """The units × coders values a statistic was computed from (empty = not rated); units where
    the coders differ are highlighted."""

    def __init__(self, matrix: RatingMatrix, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.matrix = matrix

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.matrix.units)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.matrix.coders)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        names = (
            self.matrix.coders if orientation == Qt.Orientation.Horizontal else self.matrix.units
        )
        return names[section] if 0 <= section < len(names) else None

    def _differs(self, row: int) -> bool:
        values = {v for v in self.matrix.values[row] if math.isfinite(v)}
        return len(values) > 1

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r, c = index.row(), index.column()
        if not (0 <= r < len(self.matrix.units) and 0 <= c < len(self.matrix.coders)):
            return None
        v = self.matrix.values[r][c]
        if role == Qt.ItemDataRole.DisplayRole:
            return "" if not math.isfinite(v) else f"{v:g}"
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.BackgroundRole and self._differs(r):
            return QBrush(WARN)
        return None
