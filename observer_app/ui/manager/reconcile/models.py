"""Table models of the reconciliation page: the aligned events and the compared ratings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QColor

from observer_app.coding.state_logic import format_ms
from observer_app.services.consensus import DECISIONS, RatingComparison, SourceEvent
from observer_app.ui.manager._common import GOOD, LOW, MUTED, WARN, Column, RowsModel

KIND_TEXT = {
    "matched": "matched",
    "mismatched": "different code",
    "unmatched_a": "only A",
    "unmatched_b": "only B",
}


def _describe(e: SourceEvent | None) -> str:
    if e is None:
        return ""
    mods = ", ".join(f"{k}={v}" for k, v in sorted(e.modifiers.items()))
    return f"{e.code} @ {format_ms(e.onset_ms)}" + (f" ({mods})" if mods else "")


class AlignedModel(RowsModel):
    """The aligned events of both coders, in time order; disagreements coloured."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(
            [
                Column("Time", lambda i: format_ms(i.time_ms)),
                Column("Alignment", lambda i: KIND_TEXT.get(i.kind, i.kind)),
                Column("Coder A", lambda i: _describe(i.a)),
                Column("Coder B", lambda i: _describe(i.b)),
                Column(
                    "Decision",
                    lambda i: DECISIONS.get(i.decision, i.decision) if i.decision else "",
                ),
            ],
            parent,
        )

    def background(self, row: Any, column: int) -> QColor | None:
        if column == 4:
            return MUTED if row.decision else None
        if not row.is_disagreement:
            return None
        return WARN if row.kind in ("matched", "mismatched") else LOW


def _value(v: float | None, missing: str | None) -> str:
    if v is None:
        return f"({missing})" if missing else ""
    return f"{v:g}"


class RatingModel(RowsModel):
    """Both coders' item values, the difference, and the editable consensus value.

    ``instrument_name(version_id)`` and ``item_label(comparison)`` name the rows; ``edit(row,
    value)`` decides a typed consensus value and returns the row's new state."""

    def __init__(
        self,
        instrument_name: Callable[[int], str],
        item_label: Callable[[RatingComparison], str | None],
        edit: Callable[[RatingComparison, Any], RatingComparison],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(
            [
                Column("Instrument", lambda c: instrument_name(c.instrument_version_id)),
                Column(
                    "Unit",
                    lambda c: (
                        "session" if c.unit_kind == "session" else f"segment {c.unit_index + 1}"
                    ),
                ),
                Column("Item", lambda c: c.item_id),
                Column("Label", lambda c: item_label(c) or ""),
                Column("A", lambda c: _value(c.value_a, c.missing_a), align_right=True),
                Column("B", lambda c: _value(c.value_b, c.missing_b), align_right=True),
                Column(
                    "B − A",
                    lambda c: (
                        "" if c.difference is None else f"{c.difference:+g}".replace("+0", "0")
                    ),
                    align_right=True,
                ),
                Column(
                    "Consensus",
                    lambda c: "" if c.consensus is None else f"{c.consensus:g}",
                    edit=edit,
                    align_right=True,
                ),
                Column("Decision", lambda c: DECISIONS.get(c.decision or "", c.decision or "")),
            ],
            parent,
        )

    def background(self, row: Any, column: int) -> QColor | None:
        if column == 7:
            return GOOD if row.consensus is not None else (WARN if row.differs else None)
        return LOW if row.differs and column in (4, 5, 6) else None
