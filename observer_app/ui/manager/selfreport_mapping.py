"""The column mapping of a survey export, confirmed (or corrected) before the import.

Respondent, session, date and dyad columns are chosen from the header; the item columns by a
pattern with ``{item}`` (``Q{item}`` reads ``Q1``, ``Q2``, ...), prefilled from the study's
remembered mapping or the guess. The result is the same override dictionary the command line's
``--mapping FIELD=COLUMN`` builds, applied by ``services.selfreports``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from observer_app.services.selfreports import SelfReportMapping

NONE = "(none)"
FIELDS = (
    ("respondent", "Respondent id"),
    ("session", "Session"),
    ("date", "Date"),
    ("dyad", "Dyad"),
)


def item_pattern(mapping: SelfReportMapping) -> str:
    """``PREFIX{item}`` when every mapped item column is a prefix plus the item id, else ``""``."""
    prefixes = {
        column[: -len(item)] for item, column in mapping.items.items() if column.endswith(item)
    }
    if (
        len(prefixes) == 1
        and len(mapping.items)
        and all(c.endswith(i) for i, c in mapping.items.items())
    ):
        return f"{next(iter(prefixes))}{{item}}"
    return ""


class MappingDialog(QDialog):
    def __init__(
        self,
        file_name: str,
        columns: Sequence[str],
        mapping: SelfReportMapping,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Columns of {file_name}")
        self.combos: dict[str, QComboBox] = {}
        form = QFormLayout()
        for key, label in FIELDS:
            combo = QComboBox()
            combo.setObjectName(f"map_{key}")
            combo.addItems([NONE, *columns])
            combo.setCurrentText(mapping.fields.get(key, NONE))
            self.combos[key] = combo
            form.addRow(label, combo)
        self.items = QLineEdit(item_pattern(mapping))
        self.items.setObjectName("map_items")
        self.items.setPlaceholderText("e.g. Q{item}; empty: keep the guessed item columns")
        form.addRow("Item columns", self.items)
        self.valid_only = QCheckBox("Import the valid rows only (list the bad ones)")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        found = len(mapping.items)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"{found} item column(s) recognised. Check the columns:"))
        layout.addLayout(form)
        layout.addWidget(self.valid_only)
        layout.addWidget(buttons)

    def overrides(self) -> Mapping[str, str]:
        out = {k: c.currentText() for k, c in self.combos.items() if c.currentText() != NONE}
        if self.items.text().strip():
            out["items"] = self.items.text().strip()
        return out
