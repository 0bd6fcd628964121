"""The Analysis page's sequence settings: the repair window (seconds, or the same 3RS segment),
"before the next rupture", the permutation test's shuffles and seed, and which code categories
are rupture markers and resolution strategies.

The panel only edits a :class:`SequenceSettings`; the page computes with :meth:`settings` (the
values on screen, saved or not), and *Save as study setting* stores them through
``study.sequences.set_settings`` (managers only, one audited transaction).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDoubleSpinBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QWidget,
)

from observer_app.services.sequences import SequenceSettings
from observer_app.services.sequences.gather import chosen_categories

MAX_SEED = 2**31 - 1


def _category_list(name: str) -> QListWidget:
    box = QListWidget()
    box.setObjectName(name)
    box.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    box.setMaximumHeight(96)
    return box


class SequenceSettingsPanel(QGroupBox):
    """Editors for every sequence setting; ``save_requested`` when the manager saves them."""

    save_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Sequence settings", parent)
        self.window_box = QDoubleSpinBox()
        self.window_box.setObjectName("window_s")
        self.window_box.setRange(0, 3600)
        self.window_box.setDecimals(1)
        self.window_box.setSuffix(" s")
        self.same_segment = QCheckBox("within the same 3RS segment")
        self.same_segment.toggled.connect(lambda on: self.window_box.setEnabled(not on))
        self.before_next = QCheckBox("before the next rupture")
        self.shuffles = QSpinBox()
        self.shuffles.setObjectName("shuffles")
        self.shuffles.setRange(1, 100_000)
        self.seed = QSpinBox()
        self.seed.setObjectName("seed")
        self.seed.setRange(0, MAX_SEED)
        self.ruptures = _category_list("rupture_categories")
        self.resolutions = _category_list("resolution_categories")
        #: per list: (the stored setting, the ids ticked for it) as last shown
        self._shown: dict[QListWidget, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        self.save_button = QPushButton("Save as study setting")
        self.save_button.clicked.connect(self.save_requested)
        grid = QGridLayout(self)
        grid.addWidget(QLabel("Strategy within"), 0, 0)
        grid.addWidget(self.window_box, 0, 1)
        grid.addWidget(self.same_segment, 0, 2)
        grid.addWidget(self.before_next, 0, 3)
        grid.addWidget(QLabel("Shuffles"), 1, 0)
        grid.addWidget(self.shuffles, 1, 1)
        grid.addWidget(QLabel("Seed"), 1, 2, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.seed, 1, 3)
        grid.addWidget(QLabel("Rupture markers"), 0, 4)
        grid.addWidget(self.ruptures, 1, 4, 2, 1)
        grid.addWidget(QLabel("Resolution strategies"), 0, 5)
        grid.addWidget(self.resolutions, 1, 5, 2, 1)
        grid.addWidget(self.save_button, 2, 0, 1, 2)
        grid.setColumnStretch(4, 1)
        grid.setColumnStretch(5, 1)

    def show_settings(self, s: SequenceSettings, categories: list[tuple[str, str]]) -> None:
        """Fill the editors from ``s``; ``categories`` are the schemes' ``(id, label)``; the
        categories in effect are ticked (the stored ones, else the defaults by name). A list
        left as shown keeps the stored setting, so ``()`` ("the categories that say rupture /
        resolution") stays ``()`` and a scheme imported later follows it."""
        self.window_box.setValue(60.0 if s.window_s is None else s.window_s)
        self.same_segment.setChecked(s.window_s is None)
        self.before_next.setChecked(s.before_next_rupture)
        self.shuffles.setValue(s.shuffles)
        self.seed.setValue(min(max(s.seed, 0), MAX_SEED))
        stored = (s.rupture_categories, s.resolution_categories)
        for box, setting, chosen in zip(
            (self.ruptures, self.resolutions), stored, chosen_categories(s, categories), strict=True
        ):
            box.clear()
            for cid, label in categories:
                item = QListWidgetItem(f"{label} ({cid})")
                item.setData(Qt.ItemDataRole.UserRole, cid)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
                on = cid in chosen
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
                box.addItem(item)
            self._shown[box] = (setting, self._checked(box))

    @staticmethod
    def _checked(box: QListWidget) -> tuple[str, ...]:
        items = (box.item(i) for i in range(box.count()))
        return tuple(
            str(item.data(Qt.ItemDataRole.UserRole))
            for item in items
            if item.checkState() == Qt.CheckState.Checked
        )

    def _categories(self, box: QListWidget) -> tuple[str, ...]:
        """The ticked ids, or the stored setting when the ticks are as they were shown."""
        checked = self._checked(box)
        setting, shown = self._shown.get(box, ((), ()))
        return setting if checked == shown else checked

    def settings(self) -> SequenceSettings:
        """The settings on screen (no category ticked, or the defaults left as shown: the
        schemes' defaults by name, ``()``)."""
        return SequenceSettings(
            window_s=None if self.same_segment.isChecked() else self.window_box.value(),
            before_next_rupture=self.before_next.isChecked(),
            rupture_categories=self._categories(self.ruptures),
            resolution_categories=self._categories(self.resolutions),
            shuffles=self.shuffles.value(),
            seed=self.seed.value(),
        )


__all__ = ["SequenceSettingsPanel"]
