"""The reconciliation page: choose a double-coded recording, navigate and decide disagreements."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QHBoxLayout, QPushButton, QTabWidget, QVBoxLayout, QWidget

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
)
from observer_app.services.study import Study
from observer_app.ui.manager._common import selected_rows
from observer_app.ui.manager.pair_timeline import Mark
from observer_app.ui.manager.reconcile.edit_dialog import EditEventDialog
from observer_app.ui.manager.reconcile.layout import ReconcileLayout
from observer_app.ui.manager.reconcile.playback import PlayerFactory, ReconcilePlayback
from observer_app.ui.manager.reconcile.ratings import ReconcileRatings


class ReconcilePage(ReconcileLayout, ReconcilePlayback, ReconcileRatings):
    """Two coders' timelines under the video; each disagreement decided into a consensus."""

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

    # -- choosing ------------------------------------------------------------------------------
    def refresh(self) -> None:
        try:
            items = self.service.double_coded()
            stale = self.service.stale()
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
            if d.consensus_id in stale:
                extra += f" — STALE ({stale[d.consensus_id]})"
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
            # issue 13 hook: a stale consensus is re-reconciled from the changes only
            stale = d.consensus_id is not None and d.consensus_id in self.service.stale()
            opener = self.service.open_changes if stale else self.service.open
            rec = opener(d.recording_id, a, b, tolerance_ms=round(self.tolerance.value() * 1000))
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
