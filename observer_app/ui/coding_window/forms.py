"""The coding window's forms controller: the segment navigator, the segment form and the
session forms, kept in step with the session; segment navigation and looping."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QWidget

from observer_app.coding.errors import ObserverError
from observer_app.media.protocol import MediaPlayer
from observer_app.ui.instrument_form import InstrumentForm, SessionForms
from observer_app.ui.segments import SegmentNavigator
from observer_app.ui.session import CodingSession


class FormsController(QObject):
    """Ratings and segments. ``segmentWidget`` and ``formsWidget`` are what the segment and
    instrument docks show (rebuilt on ``attach``; ``formsReplaced()`` says so);
    ``seekRequested(ms)``; ``done()`` when a form hands the keyboard back; ``message``/``error``."""

    formsReplaced = Signal()
    dockWanted = Signal(str)
    seekRequested = Signal(int)
    done = Signal()
    message = Signal(str, int)
    error = Signal(str)

    def __init__(self, player: MediaPlayer, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.player = player
        self.session: CodingSession | None = None
        self.segments: SegmentNavigator | None = None
        self.segment_form: InstrumentForm | None = None
        self.session_forms = SessionForms()
        self.segment_widget: QWidget = QLabel("This scheme has no segments.")
        self.forms_widget: QWidget = self.session_forms

    def attach(self, session: CodingSession | None) -> None:
        self.session = session
        if session is None:
            return
        session.ratingChanged.connect(self._rating_changed)
        self._build_segments(session)
        self._build_session_forms(session)
        self.formsReplaced.emit()

    def _build_segments(self, session: CodingSession) -> None:
        spec = session.segment_form()
        self.segment_form = None
        if spec is not None:
            self.segment_form = InstrumentForm(
                spec.version_id, spec.instrument, spec.pack, key_check=spec.key_check
            )
            self.segment_form.rateRequested.connect(self._rate)
            self.segment_form.done.connect(self.done)
        bounds = session.segment_bounds()
        if bounds:
            self.segments = SegmentNavigator(bounds, self.segment_form)
            self.segments.segmentChosen.connect(self._segment_chosen)
            self.segments.loopToggled.connect(self._loop_changed)
            self.segments.select(0)
            self.segment_widget = self.segments
        else:
            self.segments = None
            self.segment_widget = QLabel("This scheme has no segments.")

    def _build_session_forms(self, session: CodingSession) -> None:
        self.session_forms = SessionForms()
        for spec in session.session_forms():
            form = InstrumentForm(
                spec.version_id, spec.instrument, spec.pack, key_check=spec.key_check
            )
            form.rateRequested.connect(self._rate)
            form.done.connect(self.done)
            form.set_responses(session.responses(spec.version_id, "session", 0))
            self.session_forms.add(form)
        if self.session_forms.forms:
            self.forms_widget = self.session_forms
        else:
            self.forms_widget = QLabel("No session-level instrument.")

    def set_read_only(self, read_only: bool) -> None:
        if self.segment_form is not None:
            self.segment_form.set_read_only(read_only)
        for form in self.session_forms.forms:
            form.set_read_only(read_only)

    def follow(self, position_ms: int) -> None:
        """The navigator marks the segment under the playhead."""
        if self.segments is not None and self.session is not None:
            self.segments.follow(position_ms)

    def _rate(self, key: Any, response: Any) -> None:
        if self.session is not None:
            self.session.rate(key, response)

    def _rating_changed(self, _key: Any, _record: Any) -> None:
        self.refresh_segments()

    def refresh_forms(self) -> None:
        session = self.session
        if session is None:
            return
        if self.segment_form is not None:
            f = self.segment_form
            f.set_responses(session.responses(f.version_id, f.unit_kind, f.unit_index))
        for form in self.session_forms.forms:
            form.set_responses(session.responses(form.version_id, "session", 0))

    def refresh_segments(self) -> None:
        session = self.session
        if session is not None and self.segments is not None:
            self.segments.set_rated(session.segments_rated(len(self.segments.bounds)))
        self.refresh_forms()

    def _segment_chosen(self, index: int) -> None:
        assert self.segments is not None
        self.seekRequested.emit(self.segments.bounds[index][0])
        if self.segments.loop_button.isChecked():
            self._loop_changed(True)
        self.refresh_forms()

    def step_segment(self, step: int) -> None:
        if self.segments is not None:
            self.segments.choose(self.segments.selected + step)

    def toggle_loop(self) -> None:
        if self.segments is not None:
            self.segments.loop_button.toggle()

    def _loop_changed(self, on: bool) -> None:
        if self.segments is None:
            return
        if on:
            start, end = self.segments.bounds[self.segments.selected]
            try:
                self.player.set_loop(start, end)
            except ObserverError as exc:
                self.error.emit(str(exc))
                return
            self.message.emit(f"Looping segment {self.segments.selected + 1}", 3000)
        else:
            self.player.clear_loop()

    def choose_segment(self, index: int, item_id: str | None) -> bool:
        """Go to segment ``index`` (and its form's ``item_id``); False without segments."""
        if self.segments is None:
            return False
        self.segments.choose(index)
        if self.segment_form is not None and item_id:
            self.segment_form.go_to_item(item_id)
        return True

    def show_session_item(self, version_id: int, item_id: str | None) -> None:
        for i, form in enumerate(self.session_forms.forms):
            if form.version_id == version_id:
                self.session_forms.tabs.setCurrentIndex(i)
                if item_id:
                    form.go_to_item(item_id)

    def focus_form(self, session_tab_showing: bool) -> str | None:
        """Ctrl+R: rate, from the first unanswered item, the form on the tab that is showing
        (a session instrument when ``session_tab_showing``, else the current segment's).
        ``dockWanted(name)`` first brings that form's dock ("session" or "segment") up."""
        if session_tab_showing and self.session_forms.forms:
            tabs = self.session_forms.tabs
            self.dockWanted.emit("session")
            self.session_forms.forms[tabs.currentIndex()].go_to_first_unanswered()
            return "session"
        if self.segments is not None and self.segment_form is not None:
            self.dockWanted.emit("segment")
            self.segments.select(self.segments.current)
            self.refresh_forms()
            self.segment_form.go_to_first_unanswered()
            return "segment"
        return None
