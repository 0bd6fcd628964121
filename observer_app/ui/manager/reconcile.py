"""Reconciliation: two coders' timelines under the video, decisions into a consensus assignment.

Pick a double-coded recording (and, if it has more than two coders, which two); the coders'
timelines are drawn one above the other on the recording's time axis, each event coloured by how
it aligned with the other coder's (green matched, orange a different code, red unmatched). Next /
previous disagreement jumps the video a few seconds before it and plays. Each disagreement is
decided: accept A, accept B, both, neither, or edit. Instrument ratings are compared item by item
with differences highlighted, and the consensus value is entered in the table.

All decisions go through :mod:`observer_app.services.consensus` (one audited transaction each);
the player is any object with the ``MediaPlayer`` API (``VlcPlayer``; ``FakePlayer`` in tests).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from observer_app.coding.definitions import Scheme
from observer_app.coding.errors import ObserverError
from observer_app.coding.state_logic import format_ms
from observer_app.services.consensus import (
    DECISIONS,
    Aligned,
    DoubleCoded,
    EventEdit,
    RatingComparison,
    Reconciliation,
    SourceEvent,
)
from observer_app.services.study import Study
from observer_app.ui.manager._common import (
    GOOD,
    LOW,
    MUTED,
    WARN,
    Column,
    Page,
    RowsModel,
    make_table,
    selected_rows,
)
from observer_app.ui.manager.pair_timeline import KIND_COLOURS, Mark, PairTimeline
from observer_app.ui.player_panel import PlayerPanel, make_surface

PlayerFactory = Callable[[], Any]

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
    """Both coders' item values, the difference, and the editable consensus value."""

    def __init__(self, page: ReconcilePage, parent: QObject | None = None) -> None:
        self._page = page
        super().__init__(
            [
                Column("Instrument", lambda c: page.instrument_name(c.instrument_version_id)),
                Column(
                    "Unit",
                    lambda c: (
                        "session" if c.unit_kind == "session" else f"segment {c.unit_index + 1}"
                    ),
                ),
                Column("Item", lambda c: c.item_id),
                Column("Label", lambda c: page.item_label(c) or ""),
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
                    edit=page.edit_rating,
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
        )


class ReconcilePage(Page):
    def __init__(
        self, study: Study, player_factory: PlayerFactory, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("reconcile")
        self.study = study
        self.service = study.consensus
        self._player_factory = player_factory
        self.player: Any = None
        self.rec: Reconciliation | None = None
        self.current: Aligned | None = None
        self.comparisons: list[RatingComparison] = []
        self._scheme: Scheme | None = None
        self._instrument_names: dict[int, str] = {}
        self._loaded_path: str | None = None
        top = self._top_row()
        events_tab = self._events_tab()
        ratings_tab = self._ratings_tab()
        self.tabs = QTabWidget()
        self.tabs.addTab(events_tab, "Events")
        self.tabs.addTab(ratings_tab, "Instrument ratings")
        self.complete_button = QPushButton("Mark the consensus complete")
        self.complete_button.clicked.connect(self.complete_consensus)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.complete_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(bottom)
        self._update_buttons()
        self.refresh()
        play = QShortcut(QKeySequence(Qt.Key.Key_Space), self)
        play.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        play.activated.connect(self.toggle_play)

    def toggle_play(self) -> None:
        """Space: play or pause the recording (when one is loaded)."""
        if self.player is not None and self._loaded_path is not None:
            self.player.toggle()

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

    # -- choosing ------------------------------------------------------------------------------
    def refresh(self) -> None:
        try:
            items = self.service.double_coded()
        except ObserverError as exc:
            self.report_error(str(exc))
            return
        labels = {r.id: r.label for r in self.study.recordings.all()}
        current = self.recording.currentData()
        self.recording.blockSignals(True)
        self.recording.clear()
        for d in items:
            coders = " × ".join(
                f"{name} ({purpose}, {status.replace('_', ' ')})"
                for _id, name, purpose, status in d.assignments
            )
            extra = f"; consensus #{d.consensus_id}" if d.consensus_id else ""
            self.recording.addItem(
                f"#{d.recording_id} {labels.get(d.recording_id, '')}: {coders}{extra}", d
            )
        if current is not None:
            for i in range(self.recording.count()):
                if self.recording.itemData(i).recording_id == current.recording_id:
                    self.recording.setCurrentIndex(i)
        self.recording.blockSignals(False)
        self._fill_pair()
        if not items:
            self.report("No recording is double-coded yet (plan a double-coded share first).")

    def _fill_pair(self) -> None:
        d: DoubleCoded | None = self.recording.currentData()
        for combo, default in ((self.coder_a, 0), (self.coder_b, 1)):
            before = combo.currentData()
            combo.clear()
            if d is None:
                continue
            for aid, name, purpose, _status in d.assignments:
                combo.addItem(f"{name} ({purpose})", aid)
            kept = combo.findData(before) if before is not None else -1
            combo.setCurrentIndex(kept if kept >= 0 else min(default, combo.count() - 1))
        self.open_button.setEnabled(d is not None)

    def select_recording(self, recording_id: int) -> None:
        for i in range(self.recording.count()):
            if self.recording.itemData(i).recording_id == recording_id:
                self.recording.setCurrentIndex(i)
                return

    # -- opening -------------------------------------------------------------------------------
    def open_selected(self) -> Reconciliation | None:
        d: DoubleCoded | None = self.recording.currentData()
        if d is None:
            return None
        a, b = self.coder_a.currentData(), self.coder_b.currentData()
        try:
            rec = self.service.open(
                d.recording_id, a, b, tolerance_ms=round(self.tolerance.value() * 1000)
            )
        except ObserverError as exc:
            self.report_error(str(exc))
            return None
        self.current = None
        self._load_definitions(a)
        self._show(rec)
        self._load_media(d.recording_id)
        self.report(
            f"{len(rec.disagreements)} disagreement(s) of {len(rec.items)} aligned event(s); "
            "agreements are accepted automatically when you make the first decision."
        )
        return rec

    def _load_definitions(self, assignment_id: int) -> None:
        self._scheme = None
        try:
            a = self.study.assignments.get(assignment_id)
            if a.scheme_version_id is not None:
                self._scheme = self.study.definitions.scheme(a.scheme_version_id)
        except ObserverError:
            self._scheme = None
        self._instrument_names = {
            d.id: d.definition_id for d in self.study.definitions.versions("instrument")
        }

    def _load_media(self, recording_id: int) -> None:
        rec = self.study.recordings.get(recording_id)
        duration = rec.duration_ms or 0
        self.timeline.set_duration(duration or self._last_event_ms() + 10_000)
        if not Path(rec.media_path).exists():
            self._show_player_message(
                f"{rec.media_path}: file not found (Recordings tab: Find moved media…)"
            )
            return
        if self.player is None:
            try:
                self.player = self._player_factory()
            except ObserverError as exc:
                self._show_player_message(str(exc))
                return
            self.player.positionChanged.connect(self._position)
        if self._loaded_path != rec.media_path:
            try:
                info = self.player.load(rec.media_path)
            except ObserverError as exc:
                self._show_player_message(str(exc))
                return
            self._loaded_path = rec.media_path
            self._ensure_panel()
            assert self.panel is not None
            self.panel.set_media(info.duration_ms, info.fps)
            self.panel.surface.hide()  # replaced (deleted later): never paint it meanwhile
            self.panel.set_surface(make_surface(self.player, info.has_video, rec.media_path))
            self.timeline.set_duration(info.duration_ms)

    def _last_event_ms(self) -> int:
        if self.rec is None or not self.rec.items:
            return 60_000
        return max(i.time_ms for i in self.rec.items)

    def _show_player_message(self, text: str) -> None:
        if self.player is not None and self._loaded_path is not None:
            self.player.close()  # never keep showing (and seeking) another recording
        self._loaded_path = None
        self.no_player.setText(text)
        self.no_player.setVisible(True)
        if self.panel is not None:
            self.panel.setVisible(False)

    def _ensure_panel(self) -> None:
        if self.panel is not None:
            self.panel.setVisible(True)
            self.no_player.setVisible(False)
            return
        panel = PlayerPanel(self.player)
        panel.seekRequested.connect(self.seek)
        panel.rateRequested.connect(self.player.set_rate)
        actions = {
            "play_pause": self.player.toggle,
            "jump_back": lambda: self.player.jump(-5000),
            "jump_forward": lambda: self.player.jump(5000),
            "frame_back": lambda: self.player.step_frame(-1),
            "frame_forward": lambda: self.player.step_frame(1),
        }
        for name, action in actions.items():
            panel.buttons[name].clicked.connect(action)
        self.panel = panel
        self.no_player.setVisible(False)
        self.player_layout.addWidget(panel, 1)

    def _position(self, ms: int) -> None:
        playing = getattr(self.player.state(), "value", "") == "playing"
        if self.panel is not None:
            self.panel.show_position(ms, playing)
        self.timeline.set_playhead(ms)

    def seek(self, ms: int) -> None:
        if self.player is not None and self._loaded_path is not None:
            self.player.seek(ms)
        self.timeline.set_playhead(ms)

    # -- showing -------------------------------------------------------------------------------
    def _show(self, rec: Reconciliation) -> None:
        self.rec = rec
        marks_a: list[Mark] = []
        marks_b: list[Mark] = []
        for item in rec.items:
            for e, marks in ((item.a, marks_a), (item.b, marks_b)):
                if e is not None:
                    marks.append(Mark(e.id, e.onset_ms, e.offset_ms, e.code, item.kind, item.key))
        self.timeline.set_marks((f"A: {rec.coder_a}", f"B: {rec.coder_b}"), marks_a, marks_b)
        key = self.current.key if self.current is not None else None
        self.aligned.set_rows(list(rec.items))
        self.aligned_view.resizeColumnsToContents()
        if key is not None:
            self._select_key(key)
        n_dis = len(rec.disagreements)
        decided = sum(1 for i in rec.disagreements if i.decision)
        consensus = f"consensus #{rec.consensus_id}" if rec.consensus_id else "no consensus yet"
        self.summary.setText(
            f"{rec.coder_a} (A) × {rec.coder_b} (B), tolerance ±{rec.tolerance_ms / 1000:g} s: "
            f"{len(rec.items) - n_dis} agreements, {n_dis} disagreements, {decided} decided; "
            f"{consensus}."
        )
        self._load_ratings()
        self._update_buttons()

    def _load_ratings(self) -> None:
        if self.rec is None:
            return
        try:
            self.comparisons = self.service.ratings(self.rec)
        except ObserverError as exc:
            self.report_error(str(exc))
            return
        shown = self.comparisons
        if self.only_differing.isChecked():
            shown = [c for c in shown if c.differs]
        self.ratings.set_rows(shown)
        self.rating_view.resizeColumnsToContents()
        differ = sum(1 for c in self.comparisons if c.differs)
        done = sum(1 for c in self.comparisons if c.consensus is not None)
        self.rating_summary.setText(
            f"{len(self.comparisons)} item(s), {differ} differ (highlighted), {done} with a "
            "consensus value. Type the consensus value into the table, or accept a coder's."
        )

    def instrument_name(self, version_id: int) -> str:
        return self._instrument_names.get(version_id, f"#{version_id}")

    def item_label(self, c: RatingComparison) -> str | None:
        try:
            inst = self.study.definitions.instrument(c.instrument_version_id)
            item = inst.item(c.item_id)
        except (ObserverError, KeyError):
            return None
        return item.label or None

    def _select_key(self, key: str) -> None:
        for row, item in enumerate(self.aligned.rows()):
            if item.key == key:
                self.aligned_view.selectRow(row)
                self.aligned_view.scrollTo(self.aligned.index(row, 0))
                return

    def _row_selected(self) -> None:
        rows = selected_rows(self.aligned_view)
        self.current = self.aligned.row_at(rows[0]) if rows else None
        self.timeline.set_current(self.current.key if self.current else None)
        self._update_buttons()

    def _update_buttons(self) -> None:
        item = self.current
        opened = self.rec is not None
        for name, b in self.decision_buttons.items():
            ok = item is not None
            if name in ("accept_a", "both"):
                ok = ok and item is not None and item.a is not None
            if name in ("accept_b", "both"):
                ok = ok and item is not None and item.b is not None
            b.setEnabled(ok)
        self.prev_button.setEnabled(opened)
        self.next_button.setEnabled(opened)
        has_rows = bool(self.comparisons)
        for b in (self.rating_a_button, self.rating_b_button, self.rating_equal_button):
            b.setEnabled(opened and has_rows)
        self.complete_button.setEnabled(
            opened and self.rec is not None and bool(self.rec.consensus_id)
        )

    # -- navigating ----------------------------------------------------------------------------
    def _lead_ms(self) -> int:
        return round(self.lead.value() * 1000)

    def go_to(self, item: Aligned, *, play: bool = True) -> None:
        """Select ``item`` and play the video from a few seconds before it."""
        self._select_key(item.key)
        self.current = item
        self.timeline.set_current(item.key)
        start = item.seek_ms(self._lead_ms())
        if self.timeline.view_ms > 120_000:  # zoom in enough to tell the events apart
            self.timeline.show_range(max(0, start - 10_000), start + 50_000)
        self.seek(start)
        if play and self.player is not None and self._loaded_path is not None:
            self.player.play()
        self._update_buttons()

    def _timeline_item(self, key: str) -> None:
        if self.rec is not None:
            self.go_to(self.rec.item(key), play=False)

    def next_disagreement(self) -> Aligned | None:
        if self.rec is None:
            return None
        after = self.current.time_ms if self.current is not None else -1
        item = self.rec.next_disagreement(after)
        if item is None:
            self.report("No further disagreement.")
            return None
        self.go_to(item)
        return item

    def previous_disagreement(self) -> Aligned | None:
        if self.rec is None:
            return None
        before = self.current.time_ms if self.current is not None else 2**62
        item = self.rec.previous_disagreement(before)
        if item is None:
            self.report("No earlier disagreement.")
            return None
        self.go_to(item)
        return item

    def jump_to_selected(self) -> None:
        if self.current is not None:
            self.go_to(self.current)

    # -- deciding ------------------------------------------------------------------------------
    def _decide_clicked(self, decision: str) -> None:
        if decision != "edit":
            self.decide(decision)
            return
        if self.current is None:
            return
        dialog = EditEventDialog(self._scheme, self.current, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.decide("edit", dialog.edit())

    def decide(self, decision: str, edit: EventEdit | None = None) -> bool:
        """Record ``decision`` on the selected item (one audited transaction)."""
        if self.rec is None or self.current is None:
            return False
        key = self.current.key
        try:
            rec = self.service.decide(self.rec, key, decision, edit)
        except ObserverError as exc:
            self.report_error(str(exc))
            return False
        self._show(rec)
        self.current = rec.item(key)
        self._select_key(key)
        self.report(f"{DECISIONS[decision]} at {format_ms(self.current.time_ms)}.")
        self.refresh_choice_label()
        return True

    def refresh_choice_label(self) -> None:
        """The recording picker shows the consensus number once there is one."""
        if self.rec is None:
            return
        index = self.recording.currentIndex()
        d = self.recording.currentData()
        if d is not None and d.consensus_id is None and self.rec.consensus_id:
            self.refresh()
            self.recording.setCurrentIndex(index)

    # -- ratings -------------------------------------------------------------------------------
    def _selected_comparison(self) -> RatingComparison | None:
        rows = selected_rows(self.rating_view)
        return self.ratings.row_at(rows[0]) if rows else None

    def _decide_rating(
        self, c: RatingComparison, decision: str, value: float | None = None
    ) -> RatingComparison:
        assert self.rec is not None
        result = self.service.decide_rating(
            self.rec,
            c.instrument_version_id,
            c.item_id,
            decision,
            value=value,
            unit_kind=c.unit_kind,
            unit_index=c.unit_index,
        )
        if self.rec.consensus_id is None:
            self.rec = self.service.open(
                self.rec.recording_id,
                self.rec.assignment_a,
                self.rec.assignment_b,
                tolerance_ms=self.rec.tolerance_ms,
            )
            self._show(self.rec)
        return result

    def edit_rating(self, c: RatingComparison, value: Any) -> RatingComparison:
        """The table's Consensus column: a typed value is an 'edit' decision."""
        text = str(value).strip()
        try:
            number = float(text.replace(",", "."))
        except ValueError:
            raise ValueError(f"consensus value {text!r} is not a number") from None
        result = self._decide_rating(c, "edit", number)
        self.report(f"Consensus value {number:g} for item {c.item_id}.")
        return result

    def decide_rating(self, decision: str) -> None:
        c = self._selected_comparison()
        if c is None or self.rec is None:
            self.report_error("Select an item in the table first.")
            return
        row = selected_rows(self.rating_view)[0]
        try:
            self._decide_rating(c, decision)
        except ObserverError as exc:
            self.report_error(str(exc))
            return
        self._load_ratings()
        self.rating_view.selectRow(row)
        self.report(f"{DECISIONS[decision]} for item {c.item_id}.")

    def accept_equal_ratings(self) -> int:
        if self.rec is None:
            return 0
        try:
            if self.rec.consensus_id is None:
                self.rec = self.service.start(self.rec)
            n = self.service.accept_equal_ratings(self.rec)
        except ObserverError as exc:
            self.report_error(str(exc))
            return 0
        self._show(self.rec)
        self.report(f"Copied {n} value(s) both coders agree on into the consensus.")
        return n

    # -- completing ----------------------------------------------------------------------------
    def complete_consensus(self) -> bool:
        if self.rec is None or self.rec.consensus_id is None:
            return False
        undecided = [i for i in self.rec.disagreements if i.decision is None]
        if undecided:
            self.report_error(
                f"{len(undecided)} disagreement(s) are not decided yet; the first is at "
                f"{format_ms(undecided[0].time_ms)}."
            )
            return False
        try:
            problems = self.study.assignments.complete(self.rec.consensus_id)
        except ObserverError as exc:
            self.report_error(str(exc))
            return False
        if problems:
            listed = "; ".join(p.message for p in problems[:5])
            self.report_error(f"The consensus is not complete: {listed}")
            return False
        self.report(f"Consensus #{self.rec.consensus_id} is complete.")
        self.refresh()
        return True
