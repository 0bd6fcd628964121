"""The reconciliation page's events: the aligned-event table, the two coders' timelines, moving
from one disagreement to the next, and deciding each (accept A, accept B, both, neither, edit)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from observer_app.coding.definitions import Scheme
from observer_app.coding.errors import ObserverError
from observer_app.coding.state_logic import format_ms
from observer_app.services.consensus import DECISIONS, Aligned, EventEdit, Reconciliation
from observer_app.ui.manager._common import make_table, selected_rows
from observer_app.ui.manager.pair_timeline import KIND_COLOURS, Mark, PairTimeline
from observer_app.ui.manager.reconcile.models import AlignedModel
from observer_app.ui.manager.reconcile.session import ReconcileSession

#: Asks the manager for their own version of a disputed event (None: cancelled).
AskEdit = Callable[[Scheme | None, Aligned], EventEdit | None]

DECISION_BUTTONS = (
    ("accept_a", "Accept A", "Ctrl+1"),
    ("accept_b", "Accept B", "Ctrl+2"),
    ("both", "Both", "Ctrl+3"),
    ("neither", "Neither", "Ctrl+4"),
    ("edit", "Edit…", "Ctrl+5"),
)


class EventsController(QObject):
    """The aligned events and their decisions. Going to an event emits ``seekRequested(ms)``
    (a few seconds before it) and, to play it, ``playRequested()``; ``message(text)`` and
    ``error(text)`` for the status line. ``ask_edit`` asks for an 'edit' decision's event."""

    seekRequested = Signal(int)
    playRequested = Signal()
    message = Signal(str)
    error = Signal(str)

    def __init__(self, ask_edit: AskEdit, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ask_edit = ask_edit
        self.session: ReconcileSession | None = None
        self.current: Aligned | None = None
        self.lead = QDoubleSpinBox()
        self.lead.setRange(0, 30)
        self.lead.setDecimals(1)
        self.lead.setSuffix(" s")
        self.lead.setValue(3.0)
        self.lead.setToolTip("Jumping to a disagreement starts the video this long before it")
        self.aligned = AlignedModel(self)
        self.aligned_view = make_table(self.aligned)
        self.aligned_view.selectionModel().selectionChanged.connect(self._row_selected)
        self.aligned_view.doubleClicked.connect(lambda _i: self.jump_to_selected())
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.buttons = self._decision_buttons()
        self.timeline = PairTimeline()
        self.timeline.seekRequested.connect(self.seekRequested)
        self.timeline.itemClicked.connect(self._timeline_item)
        self.side = self._side()
        self.timelines = self._timelines()
        self._update_buttons()

    @property
    def rec(self) -> Reconciliation | None:
        return self.session.rec if self.session is not None else None

    # -- widgets ---------------------------------------------------------------------------
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
        for col, (decision, text, key) in enumerate(DECISION_BUTTONS):
            b = QPushButton(text)
            b.setShortcut(key)
            b.setToolTip(f"{text} ({key})")
            b.clicked.connect(lambda _c=False, d=decision: self._decide_clicked(d))
            grid.addWidget(b, 1, col)
            self.decision_buttons[decision] = b
        return grid

    def _side(self) -> QWidget:
        side = QWidget()
        layout = QVBoxLayout(side)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.aligned_view, 1)
        layout.addLayout(self.buttons)
        return side

    def _timelines(self) -> QWidget:
        timelines = QWidget()
        layout = QVBoxLayout(timelines)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.timeline, 1)
        legend_row = QHBoxLayout()
        legend_row.addWidget(_legend(), 1)
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
        layout.addLayout(legend_row)
        return timelines

    # -- showing ---------------------------------------------------------------------------
    def attach(self, session: ReconcileSession) -> None:
        self.session = session
        self.current = None
        session.changed.connect(self.show)
        self.show(session.rec)

    def show(self, rec: Reconciliation) -> None:
        """Both coders' events on the timelines and in the table (the current one kept)."""
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
        self._update_buttons()

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
        for name, b in self.decision_buttons.items():
            ok = item is not None
            if name in ("accept_a", "both"):
                ok = ok and item is not None and item.a is not None
            if name in ("accept_b", "both"):
                ok = ok and item is not None and item.b is not None
            b.setEnabled(ok)
        self.prev_button.setEnabled(self.rec is not None)
        self.next_button.setEnabled(self.rec is not None)

    # -- navigating ------------------------------------------------------------------------
    def go_to(self, item: Aligned, *, play: bool = True) -> None:
        """Select ``item`` and ask for the video from a few seconds before it (and to play)."""
        self._select_key(item.key)
        self.current = item
        self.timeline.set_current(item.key)
        start = item.seek_ms(round(self.lead.value() * 1000))
        if self.timeline.view_ms > 120_000:  # zoom in enough to tell the events apart
            self.timeline.show_range(max(0, start - 10_000), start + 50_000)
        self.seekRequested.emit(start)
        if play:
            self.playRequested.emit()
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
            self.message.emit("No further disagreement.")
            return None
        self.go_to(item)
        return item

    def previous_disagreement(self) -> Aligned | None:
        if self.rec is None:
            return None
        before = self.current.time_ms if self.current is not None else 2**62
        item = self.rec.previous_disagreement(before)
        if item is None:
            self.message.emit("No earlier disagreement.")
            return None
        self.go_to(item)
        return item

    def jump_to_selected(self) -> None:
        if self.current is not None:
            self.go_to(self.current)

    # -- deciding --------------------------------------------------------------------------
    def _decide_clicked(self, decision: str) -> None:
        if decision != "edit":
            self.decide(decision)
            return
        if self.current is None or self.session is None:
            return
        edit = self._ask_edit(self.session.scheme, self.current)
        if edit is not None:
            self.decide("edit", edit)

    def decide(self, decision: str, edit: EventEdit | None = None) -> bool:
        """Record ``decision`` on the selected item (one audited transaction)."""
        if self.session is None or self.current is None:
            return False
        key = self.current.key
        try:
            self.current = self.session.decide(key, decision, edit)
        except ObserverError as exc:
            self.error.emit(str(exc))
            return False
        self._select_key(key)
        self.message.emit(f"{DECISIONS[decision]} at {format_ms(self.current.time_ms)}.")
        return True


def _legend() -> QLabel:
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
