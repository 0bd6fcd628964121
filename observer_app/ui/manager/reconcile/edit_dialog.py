"""The dialog in which the manager writes their own version of a disputed event."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from observer_app.coding.definitions import Scheme
from observer_app.services.consensus import Aligned, EventEdit


class EditEventDialog(QDialog):
    """The manager's own version of a disputed event."""

    def __init__(self, scheme: Scheme | None, item: Aligned, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Edit the consensus event")
        self.code = QComboBox()
        self.code.setEditable(scheme is None)
        self._kinds: dict[str, bool] = {}
        if scheme is not None:
            for c in scheme.codes:
                self.code.addItem(f"{c.id} - {c.label}", c.id)
                self._kinds[c.id] = c.kind == "state"
        base = item.a or item.b
        if base is not None:
            index = self.code.findData(base.code)
            if index >= 0:
                self.code.setCurrentIndex(index)
            else:
                self.code.setEditText(base.code)
        self.onset = QDoubleSpinBox()
        self.onset.setRange(0, 24 * 3600)
        self.onset.setDecimals(3)
        self.onset.setSuffix(" s")
        self.onset.setValue((base.onset_ms if base else item.time_ms) / 1000)
        self._base = base
        self.offset = QDoubleSpinBox()
        self.offset.setRange(-0.001, 24 * 3600)
        self.offset.setDecimals(3)
        self.offset.setSuffix(" s")
        self.offset.setSpecialValueText("none")  # shown at the minimum: no offset
        offset_ms = base.offset_ms if base is not None else None
        self.offset.setValue(offset_ms / 1000 if offset_ms is not None else -0.001)
        self.offset.setToolTip("The end of a state event (leave at 'none' for a point event)")
        self.comment = QLineEdit(base.comment if base else "")
        mods = ", ".join(f"{k}={v}" for k, v in sorted((base.modifiers if base else {}).items()))
        self.modifiers = QLabel(mods or "none")
        self.modifiers.setToolTip("Kept from the coder's event when the code stays the same")
        form = QFormLayout(self)
        form.addRow("Code", self.code)
        form.addRow("Onset", self.onset)
        form.addRow("Offset", self.offset)
        form.addRow("Modifiers", self.modifiers)
        form.addRow("Comment", self.comment)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def edit(self) -> EventEdit:
        code = self.code.currentData() or self.code.currentText().strip()
        base = self._base
        offset = None if self.offset.value() < 0 else round(self.offset.value() * 1000)
        same_code = base is not None and base.code == code
        return EventEdit(
            code=code,
            onset_ms=round(self.onset.value() * 1000),
            offset_ms=offset,
            is_state=self._kinds.get(code, base.is_state if same_code and base else False),
            modifiers=dict(base.modifiers) if same_code and base else {},
            comment=self.comment.text(),
            subject=base.subject if base is not None else None,
        )
