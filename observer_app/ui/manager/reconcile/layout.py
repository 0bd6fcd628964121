"""The reconciliation page's widgets: the top row, the events tab, the ratings tab, the buttons."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from observer_app.ui.manager._common import make_table
from observer_app.ui.manager.pair_timeline import KIND_COLOURS, PairTimeline
from observer_app.ui.manager.reconcile.base import ReconcileBase
from observer_app.ui.manager.reconcile.models import AlignedModel, RatingModel
from observer_app.ui.player_panel import PlayerPanel


class ReconcileLayout(ReconcileBase):
    """Builds the page's widgets and connects them to the page's handlers."""

    def _top_row(self) -> QHBoxLayout:
        self.recording = QComboBox()
        self.coder_a = QComboBox()
        self.coder_b = QComboBox()
        self.tolerance = QDoubleSpinBox()
        self.tolerance.setRange(0, 60)
        self.tolerance.setDecimals(1)
        self.tolerance.setSingleStep(0.5)
        self.tolerance.setSuffix(" s")
        self.tolerance.setValue(2.0)
        self.lead = QDoubleSpinBox()
        self.lead.setRange(0, 30)
        self.lead.setDecimals(1)
        self.lead.setSuffix(" s")
        self.lead.setValue(3.0)
        self.lead.setToolTip("Jumping to a disagreement starts the video this long before it")
        self.open_button = QPushButton("Open")
        self.open_button.clicked.connect(self.open_selected)
        self.recording.currentIndexChanged.connect(self._fill_pair)
        for combo, chars in ((self.recording, 40), (self.coder_a, 14), (self.coder_b, 14)):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(chars)

        top = QHBoxLayout()
        top.addWidget(QLabel("Recording"))
        top.addWidget(self.recording, 3)
        top.addWidget(QLabel("A"))
        top.addWidget(self.coder_a, 1)
        top.addWidget(QLabel("B"))
        top.addWidget(self.coder_b, 1)
        top.addWidget(QLabel("Tolerance"))
        top.addWidget(self.tolerance)
        top.addWidget(QLabel("Lead"))
        top.addWidget(self.lead)
        top.addWidget(self.open_button)
        return top

    def _events_tab(self) -> QSplitter:
        self.player_box = QWidget()
        self.player_layout = QVBoxLayout(self.player_box)
        self.player_layout.setContentsMargins(0, 0, 0, 0)
        self.panel: PlayerPanel | None = None
        self.no_player = QLabel("Open a double-coded recording to reconcile it.")
        self.no_player.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.player_layout.addWidget(self.no_player)

        self.aligned = AlignedModel(self)
        self.aligned_view = make_table(self.aligned)
        self.aligned_view.selectionModel().selectionChanged.connect(self._row_selected)
        self.aligned_view.doubleClicked.connect(lambda _i: self.jump_to_selected())
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.buttons = self._decision_buttons()

        events_side = QWidget()
        side = QVBoxLayout(events_side)
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(self.summary)
        side.addWidget(self.aligned_view, 1)
        side.addLayout(self.buttons)

        self.timeline = PairTimeline()
        self.timeline.seekRequested.connect(self.seek)
        self.timeline.itemClicked.connect(self._timeline_item)
        timelines = QWidget()
        tl_layout = QVBoxLayout(timelines)
        tl_layout.setContentsMargins(0, 0, 0, 0)
        tl_layout.setSpacing(2)
        tl_layout.addWidget(self.timeline, 1)
        legend_row = QHBoxLayout()
        legend_row.addWidget(self._legend(), 1)
        for text, tip, action in (
            ("Fit", "Show the whole recording", lambda: self.timeline.show_range(0, 1 << 40)),
            ("−", "Zoom out (or Ctrl+wheel)", lambda: self.timeline.zoom(2.0)),
            ("+", "Zoom in (or Ctrl+wheel)", lambda: self.timeline.zoom(0.5)),
        ):
            button = QPushButton(text)
            button.setToolTip(tip)
            button.setAutoDefault(False)
            button.setMaximumWidth(48)
            button.clicked.connect(action)
            legend_row.addWidget(button)
        tl_layout.addLayout(legend_row)

        upper = QSplitter(Qt.Orientation.Horizontal)
        upper.addWidget(self.player_box)
        upper.addWidget(events_side)
        upper.setStretchFactor(0, 3)
        upper.setStretchFactor(1, 2)
        events_tab = QSplitter(Qt.Orientation.Vertical)
        events_tab.addWidget(upper)
        events_tab.addWidget(timelines)
        events_tab.setStretchFactor(0, 3)
        events_tab.setStretchFactor(1, 2)
        return events_tab

    def _ratings_tab(self) -> QWidget:
        self.ratings = RatingModel(self)
        self.ratings.editFailed.connect(self.report_error)
        self.rating_view = make_table(self.ratings)
        ratings_tab = QWidget()
        r_layout = QVBoxLayout(ratings_tab)
        r_buttons = QHBoxLayout()
        self.rating_a_button = QPushButton("Accept A's value")
        self.rating_b_button = QPushButton("Accept B's value")
        self.rating_equal_button = QPushButton("Copy every value both coders agree on")
        self.rating_a_button.clicked.connect(lambda: self.decide_rating("accept_a"))
        self.rating_b_button.clicked.connect(lambda: self.decide_rating("accept_b"))
        self.rating_equal_button.clicked.connect(self.accept_equal_ratings)
        for b in (self.rating_a_button, self.rating_b_button, self.rating_equal_button):
            r_buttons.addWidget(b)
        r_buttons.addStretch(1)
        self.only_differing = QCheckBox("Show only items the coders rated differently")
        self.only_differing.toggled.connect(lambda _on: self._load_ratings())
        r_buttons.addWidget(self.only_differing)
        self.rating_summary = QLabel(
            "Type the consensus value into the table, or accept a coder's."
        )
        self.rating_summary.setWordWrap(True)
        r_layout.addWidget(self.rating_summary)
        r_layout.addWidget(self.rating_view, 1)
        r_layout.addLayout(r_buttons)
        return ratings_tab

    # -- layout helpers ------------------------------------------------------------------------
    def _decision_buttons(self) -> QGridLayout:
        grid = QGridLayout()
        self.prev_button = QPushButton("◀ Previous disagreement")
        self.next_button = QPushButton("Next disagreement ▶")
        self.prev_button.setShortcut("Ctrl+Left")
        self.next_button.setShortcut("Ctrl+Right")
        self.prev_button.clicked.connect(self.previous_disagreement)
        self.next_button.clicked.connect(self.next_disagreement)
        grid.addWidget(self.prev_button, 0, 0, 1, 2)
        grid.addWidget(self.next_button, 0, 2, 1, 3)
        self.decision_buttons: dict[str, QPushButton] = {}
        for col, (decision, text, key) in enumerate(
            (
                ("accept_a", "Accept A", "Ctrl+1"),
                ("accept_b", "Accept B", "Ctrl+2"),
                ("both", "Both", "Ctrl+3"),
                ("neither", "Neither", "Ctrl+4"),
                ("edit", "Edit…", "Ctrl+5"),
            )
        ):
            b = QPushButton(text)
            b.setShortcut(key)
            b.setToolTip(f"{text} ({key})")
            b.clicked.connect(lambda _c=False, d=decision: self._decide_clicked(d))
            grid.addWidget(b, 1, col)
            self.decision_buttons[decision] = b
        return grid

    def _legend(self) -> QLabel:
        def swatch(colour: QColor, text: str) -> str:
            return f"<span style='color:{colour.name()}'>■</span> {text}"

        label = QLabel(
            "&nbsp;&nbsp;".join(
                (
                    swatch(KIND_COLOURS["matched"], "matched"),
                    swatch(KIND_COLOURS["mismatched"], "different code"),
                    swatch(KIND_COLOURS["unmatched_a"], "unmatched"),
                    "<span style='color:#e53935'>|</span> playhead; click a timeline to seek",
                )
            )
        )
        label.setTextFormat(Qt.TextFormat.RichText)
        return label
