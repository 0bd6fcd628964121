"""Preferences of a coder (stored in the study per coder): keymap, reaction lag, jump size."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from PySide6.QtGui import QColor, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QKeySequenceEdit,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from observer_app.coding.definitions.scheme import Scheme
from observer_app.ui.actions import (
    action_label,
    conflicts,
    default_keymap,
    effective_keymap,
    keymap_overrides,
    normal,
    ordered_ids,
)
from observer_app.ui.contrast import css


@dataclass
class Preferences:
    """What a coder can set; ``keymap`` holds only their overrides of the defaults."""

    reaction_lag_ms: int = 0
    jump_ms: int = 5000
    pause_while_choosing: bool = False
    #: The timeline shows one lane per category and subject (View menu).
    subject_lanes: bool = False
    keymap: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Preferences:
        def number(key: str, default: int, low: int, high: int) -> int:
            value = data.get(key, default)
            if isinstance(value, bool) or not isinstance(value, int | float):
                return default
            return int(max(low, min(high, value)))

        keymap = data.get("keymap", {})
        return cls(
            reaction_lag_ms=number("reaction_lag_ms", 0, 0, 5000),
            jump_ms=number("jump_ms", 5000, 100, 600_000),
            pause_while_choosing=bool(data.get("pause_while_choosing", False)),
            subject_lanes=data.get("subject_lanes") is True,
            keymap={str(k): str(v) for k, v in keymap.items()} if isinstance(keymap, dict) else {},
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "reaction_lag_ms": self.reaction_lag_ms,
            "jump_ms": self.jump_ms,
            "pause_while_choosing": self.pause_while_choosing,
            "subject_lanes": self.subject_lanes,
            "keymap": dict(self.keymap),
        }


class PreferencesDialog(QDialog):
    def __init__(self, prefs: Preferences, scheme: Scheme | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("observer-app — Preferences")
        self.scheme = scheme
        self._prefs = prefs  # what the dialog does not show is kept (the timeline's lanes)
        self.resize(640, 560)
        tabs = QTabWidget()
        self.tab_widget = tabs
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)

        tabs.addTab(self._timing_tab(prefs), "Timing")

        tabs.addTab(self._keys_tab(prefs), "Keyboard")

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._changed()

    def _timing_tab(self, prefs: Preferences) -> QWidget:
        timing = QWidget()
        form = QFormLayout(timing)
        self.lag = QSpinBox()
        self.lag.setRange(0, 5000)
        self.lag.setSuffix(" ms")
        self.lag.setValue(prefs.reaction_lag_ms)
        self.lag.setToolTip("Subtracted from the playback position when you press a code key")
        form.addRow("Reaction-lag offset", self.lag)
        self.jump = QSpinBox()
        self.jump.setRange(100, 600_000)
        self.jump.setSingleStep(500)
        self.jump.setSuffix(" ms")
        self.jump.setValue(prefs.jump_ms)
        form.addRow("Jump back/forward by", self.jump)
        self.pause = QCheckBox("Pause playback while choosing modifiers")
        self.pause.setChecked(prefs.pause_while_choosing)
        form.addRow(self.pause)
        return timing

    def _keys_tab(self, prefs: Preferences) -> QWidget:
        keys = QWidget()
        kl = QVBoxLayout(keys)
        self._keymap = effective_keymap(self.scheme, prefs.keymap)
        self._ids = ordered_ids(self._keymap)
        self.table = QTableWidget(len(self._ids), 2)
        self.table.setHorizontalHeaderLabels(["Action", "Shortcut"])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(1, 220)
        self.table.verticalHeader().hide()
        self.editors: dict[str, QKeySequenceEdit] = {}
        for row, action_id in enumerate(self._ids):
            item = QTableWidgetItem(action_label(action_id, self.scheme))
            item.setData(256, action_id)
            self.table.setItem(row, 0, item)
            edit = QKeySequenceEdit(QKeySequence(self._keymap[action_id]))
            edit.setMaximumSequenceLength(1)
            edit.setClearButtonEnabled(True)
            edit.keySequenceChanged.connect(self._changed)
            self.table.setCellWidget(row, 1, edit)
            self.editors[action_id] = edit
        kl.addWidget(self.table)
        self.conflict_label = QLabel()
        self.conflict_label.setWordWrap(True)
        self.conflict_label.setStyleSheet(f"color: {css('#c0392b')}")
        kl.addWidget(self.conflict_label)
        reset = QPushButton("Restore default keys")
        reset.clicked.connect(self._reset)
        kl.addWidget(reset)
        return keys

    def keymap(self) -> dict[str, str]:
        return {
            a: e.keySequence().toString(QKeySequence.SequenceFormat.PortableText)
            for a, e in self.editors.items()
        }

    def set_shortcut(self, action_id: str, shortcut: str) -> None:
        self.editors[action_id].setKeySequence(QKeySequence(shortcut))

    def _reset(self) -> None:
        for action_id, shortcut in default_keymap(self.scheme).items():
            if action_id in self.editors:
                self.editors[action_id].setKeySequence(QKeySequence(shortcut))

    def conflicts(self) -> dict[str, list[str]]:
        return conflicts(self.keymap())

    def _changed(self) -> None:
        clashes = self.conflicts()
        bad = {a for ids in clashes.values() for a in ids}
        for row, action_id in enumerate(self._ids):
            item = self.table.item(row, 0)
            if item is None:
                continue
            item.setBackground(QColor("#f8d7da") if action_id in bad else QColor(0, 0, 0, 0))
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(not clashes)
        if clashes:
            lines = [
                f"{key}: " + ", ".join(action_label(a, self.scheme) for a in ids)
                for key, ids in sorted(clashes.items())
            ]
            self.conflict_label.setText("Shortcut used twice — " + "; ".join(lines))
        else:
            self.conflict_label.clear()

    def preferences(self) -> Preferences:
        keymap = {k: normal(v) for k, v in self.keymap().items()}
        return replace(
            self._prefs,
            reaction_lag_ms=self.lag.value(),
            jump_ms=self.jump.value(),
            pause_while_choosing=self.pause.isChecked(),
            keymap=keymap_overrides(keymap, self.scheme),
        )
