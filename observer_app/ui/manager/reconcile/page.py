"""The reconciliation page: builds its controllers, lays out their widgets, and wires them once.

``choice`` opens a :class:`ReconcileSession` and announces it with ``sessionChanged``; the page
connects that to each part's ``attach`` (events, ratings, completion, playback), routes the
events' ``seekRequested``/``playRequested`` to playback and playback's playhead and duration to
the timeline, a completed consensus back to the choice (its label), and every ``message``/
``error`` to the status line. The page's public attributes (``recording``, ``aligned``,
``timeline`` …) are read-only views of the controllers' widgets.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from observer_app.coding.definitions import Scheme
from observer_app.services.consensus import (
    Aligned,
    EventEdit,
    RatingComparison,
    Reconciliation,
)
from observer_app.services.study import Study
from observer_app.ui.manager._common import Page
from observer_app.ui.manager.reconcile.choice import ChoiceController
from observer_app.ui.manager.reconcile.completion import CompletionController
from observer_app.ui.manager.reconcile.edit_dialog import EditEventDialog
from observer_app.ui.manager.reconcile.events import EventsController
from observer_app.ui.manager.reconcile.playback import PlaybackController, PlayerFactory
from observer_app.ui.manager.reconcile.ratings import RatingsController


class ReconcilePage(Page):
    """Two coders' timelines under the video; each disagreement decided into a consensus."""

    def __init__(
        self, study: Study, player_factory: PlayerFactory, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("reconcile")
        self.study = study
        self.service = study.consensus
        self.choice = ChoiceController(study, self)
        # late-bound: tests and scripts replace ask_edit with their answer
        ask_edit = lambda scheme, item: self.ask_edit(scheme, item)  # noqa: E731, PLW0108
        self.events = EventsController(ask_edit, self)
        self.item_ratings = RatingsController(self)
        self.completion = CompletionController(self)
        self.playback = PlaybackController(study, player_factory, self)
        self._build()
        self._wire()
        self.refresh()
        play = QShortcut(QKeySequence(Qt.Key.Key_Space), self)
        play.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        play.activated.connect(self.playback.toggle_play)

    # -- the controllers' state and widgets, read-only -------------------------------------
    session = property(lambda self: self.choice.session)  # the ReconcileSession, or None
    rec = property(lambda self: self.events.rec)
    current = property(lambda self: self.events.current)
    comparisons = property(lambda self: self.item_ratings.comparisons)
    player = property(lambda self: self.playback.player)
    recording = property(lambda self: self.choice.recording)
    coder_a = property(lambda self: self.choice.coder_a)
    coder_b = property(lambda self: self.choice.coder_b)
    tolerance = property(lambda self: self.choice.tolerance)
    open_button = property(lambda self: self.choice.open_button)
    lead = property(lambda self: self.events.lead)
    aligned = property(lambda self: self.events.aligned)
    aligned_view = property(lambda self: self.events.aligned_view)
    summary = property(lambda self: self.events.summary)
    timeline = property(lambda self: self.events.timeline)
    prev_button = property(lambda self: self.events.prev_button)
    next_button = property(lambda self: self.events.next_button)
    decision_buttons = property(lambda self: self.events.decision_buttons)
    ratings = property(lambda self: self.item_ratings.ratings)
    rating_view = property(lambda self: self.item_ratings.rating_view)
    rating_a_button = property(lambda self: self.item_ratings.rating_a_button)
    rating_b_button = property(lambda self: self.item_ratings.rating_b_button)
    rating_equal_button = property(lambda self: self.item_ratings.rating_equal_button)
    only_differing = property(lambda self: self.item_ratings.only_differing)
    rating_summary = property(lambda self: self.item_ratings.rating_summary)
    complete_button = property(lambda self: self.completion.complete_button)
    panel = property(lambda self: self.playback.panel)
    no_player = property(lambda self: self.playback.no_player)

    # -- construction ----------------------------------------------------------------------
    def _build(self) -> None:
        top = self.choice.row()
        top.addWidget(QLabel("Lead"))
        top.addWidget(self.events.lead)
        top.addWidget(self.choice.open_button)
        upper = QSplitter(Qt.Orientation.Horizontal)
        upper.addWidget(self.playback.box)
        upper.addWidget(self.events.side)
        upper.setStretchFactor(0, 3)
        upper.setStretchFactor(1, 2)
        events_tab = QSplitter(Qt.Orientation.Vertical)
        events_tab.addWidget(upper)
        events_tab.addWidget(self.events.timelines)
        events_tab.setStretchFactor(0, 3)
        events_tab.setStretchFactor(1, 2)
        self.tabs = QTabWidget()
        self.tabs.addTab(events_tab, "Events")
        self.tabs.addTab(self.item_ratings.widget, "Instrument ratings")
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.completion.complete_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(bottom)

    def _wire(self) -> None:
        """Every connection between the controllers, made once."""
        choice, events, ratings, done, playback = (
            self.choice,
            self.events,
            self.item_ratings,
            self.completion,
            self.playback,
        )
        for attach in (events.attach, ratings.attach, done.attach, playback.attach):
            choice.sessionChanged.connect(attach)
        events.seekRequested.connect(playback.seek)
        events.playRequested.connect(playback.play)
        playback.playheadMoved.connect(events.timeline.set_playhead)
        playback.durationKnown.connect(events.timeline.set_duration)
        done.completed.connect(lambda _id: choice.refresh())
        for part in (choice, events, ratings, done):
            part.message.connect(self.report)
            part.error.connect(self.report_error)

    def ask_edit(self, scheme: Scheme | None, item: Aligned) -> EventEdit | None:
        """The manager's own version of ``item`` (scripts may replace this with their answer)."""
        dialog = EditEventDialog(scheme, item, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.edit()
        return None

    # -- what the page offers (the manager window, tests) ----------------------------------
    def refresh(self) -> None:
        self.choice.refresh()

    def select_recording(self, recording_id: int) -> None:
        self.choice.select_recording(recording_id)

    def open_selected(self) -> Reconciliation | None:
        return self.choice.open_selected()

    def go_to(self, item: Aligned, *, play: bool = True) -> None:
        self.events.go_to(item, play=play)

    def next_disagreement(self) -> Aligned | None:
        return self.events.next_disagreement()

    def previous_disagreement(self) -> Aligned | None:
        return self.events.previous_disagreement()

    def jump_to_selected(self) -> None:
        self.events.jump_to_selected()

    def decide(self, decision: str, edit: EventEdit | None = None) -> bool:
        return self.events.decide(decision, edit)

    def decide_rating(self, decision: str) -> None:
        self.item_ratings.decide_rating(decision)

    def edit_rating(self, c: RatingComparison, value: Any) -> RatingComparison:
        return self.item_ratings.edit_rating(c, value)

    def accept_equal_ratings(self) -> int:
        return self.item_ratings.accept_equal_ratings()

    def complete_consensus(self) -> bool:
        return self.completion.complete_consensus()

    def seek(self, ms: int) -> None:
        self.playback.seek(ms)

    def toggle_play(self) -> None:
        self.playback.toggle_play()
