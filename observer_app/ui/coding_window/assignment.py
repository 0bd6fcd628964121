"""Opening an assignment in the coding window: the session, the code actions, every view."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QLabel, QWidget

from observer_app.coding.errors import ObserverError
from observer_app.coding.state_logic import format_ms
from observer_app.ui.actions import CODE_PREFIX, SUBJECT_PREFIX, action_label
from observer_app.ui.coding_pad import CodingPad
from observer_app.ui.coding_window.base import CodingWindowBase
from observer_app.ui.event_log import EventLog
from observer_app.ui.instrument_form import InstrumentForm, SessionForms
from observer_app.ui.models import EventTableModel
from observer_app.ui.segments import SegmentNavigator
from observer_app.ui.session import CodingSession


class AssignmentPart(CodingWindowBase):
    """Loads an assignment into the window (and leaves the previous one)."""

    def open_queue(self) -> None:
        if self._choose_assignment is None:
            return
        chosen = self._choose_assignment(self)
        if chosen is not None:
            self.open_assignment(chosen)

    def open_assignment(self, assignment_id: int) -> None:
        """Load an assignment into every dock and resume at its last position."""
        try:
            session = CodingSession(self.study, assignment_id, self)
        except ObserverError as exc:  # e.g. another coder's blind work: the current one stays
            self.show_error(str(exc))
            return
        self._leave_assignment()
        self.session = session
        session.eventChanged.connect(self._event_changed)
        session.ratingChanged.connect(self._rating_changed)
        session.saved.connect(self._saved)
        session.failed.connect(self.show_error)
        session.statusChanged.connect(self._status_changed)
        self.save_banner.attach(session)  # issue 17 hook
        self.assignment_watch.attach(session)  # issue 17 hook: changes made elsewhere
        session.undo_stack.canUndoChanged.connect(self.actions_by_id["undo"].setEnabled)
        session.undo_stack.canRedoChanged.connect(self.actions_by_id["redo"].setEnabled)
        session.undo_stack.undoTextChanged.connect(self._undo_text)
        session.undo_stack.redoTextChanged.connect(self._redo_text)
        self.actions_by_id["undo"].setEnabled(False)
        self.actions_by_id["redo"].setEnabled(False)
        self._build_code_actions()
        self._show_subject()
        self._build_views()
        QTimer.singleShot(0, self._fit_pad)  # once the new pad is laid out
        self._load_media()
        self._apply_keymap()
        self._update_read_only()
        self._refresh_segments()
        start = session.info.last_position_ms
        self.seek(start)
        self._remembered = start
        rec = session.recording
        self.setWindowTitle(
            f"observer-app — {rec.label} — {self.study.actor.name} ({self.study.name})"
        )
        self.activateWindow()  # keys go to the coding window once the queue dialog has closed
        self.raise_()
        self.panel.setFocus()
        self.statusBar().showMessage(
            f"Opened assignment #{session.info.id}, resuming at {format_ms(start)}", 5000
        )

    def _show_subject(self) -> None:
        """The focal subject in the status bar (hidden when the scheme declares none)."""
        session = self.session
        scheme = session.scheme if session is not None else None
        if session is None or scheme is None or not scheme.subjects:
            self.subject_label.hide()
            return
        if session.asks_subject:
            self.subject_label.setText("Subject: <b>asked at each key</b>")
        elif session.focal_subject is not None:
            keys = ", ".join(f"{s.key or '—'} {s.label}" for s in scheme.subjects)
            label = scheme.subject(session.focal_subject).label
            self.subject_label.setText(f"Subject: <b>{label}</b>")
            self.subject_label.setToolTip(f"Keys: {keys}")
        self.subject_label.show()

    def _undo_text(self, text: str) -> None:
        self.actions_by_id["undo"].setText(f"&Undo {text}" if text else "&Undo")

    def _redo_text(self, text: str) -> None:
        self.actions_by_id["redo"].setText(f"&Redo {text}" if text else "&Redo")

    def _status_changed(self, _status: str) -> None:
        self._update_read_only()

    def _leave_assignment(self) -> None:
        if self.session is None:
            return
        self.picker.cancel()
        self.remember_position()
        self.save_banner.warn_if_unsaved(self)  # issue 17 hook: never drop a change silently
        self.save_banner.attach(None)  # issue 17 hook
        self.assignment_watch.attach(None)  # issue 17 hook
        self.session.undo_stack.clear()
        self.session.deleteLater()
        self.session = None

    def _build_code_actions(self) -> None:
        menu = self.menus["Code"]
        menu.clear()
        for action_id in [
            a for a in self.actions_by_id if a.startswith((CODE_PREFIX, SUBJECT_PREFIX))
        ]:
            action = self.actions_by_id.pop(action_id)
            self.removeAction(action)
            menu.removeAction(action)
            action.deleteLater()
        scheme = self.session.scheme if self.session else None
        if scheme is None:
            return
        for subject in scheme.subjects:  # a subject's key makes it the focal subject
            action_id = SUBJECT_PREFIX + subject.id
            action = QAction(f"Code {subject.label}", self)
            action.setObjectName(action_id)
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.setAutoRepeat(False)
            action.triggered.connect(lambda _=False, sid=subject.id: self.set_focal_subject(sid))
            self.addAction(action)
            menu.addAction(action)
            self.actions_by_id[action_id] = action
        if scheme.subjects:
            menu.addSeparator()
        for code in scheme.codes:
            action_id = CODE_PREFIX + code.id
            action = QAction(action_label(action_id, scheme), self)
            action.setObjectName(action_id)
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.setAutoRepeat(False)
            action.triggered.connect(lambda _=False, cid=code.id: self.code_key(cid))
            self.addAction(action)
            menu.addAction(action)
            self.actions_by_id[action_id] = action

    def _build_views(self) -> None:
        session = self.session
        assert session is not None
        scheme = session.scheme
        self.event_model.deleteLater()
        self.event_model = EventTableModel(scheme, self._edit_from_log, self)
        self.event_model.editRefused.connect(self.show_error)
        self.event_model.frame_ms = self.frame_ms
        self.event_model.position = lambda: int(self.player.position_ms())
        self.event_model.set_events(session.events.values())
        self.event_log = EventLog(self.event_model, scheme)
        self.event_log.seekRequested.connect(self.seek)
        self.event_log.modifiersRequested.connect(self.edit_modifiers)
        self._replace(self.log_dock, self.event_log)
        self.pad = CodingPad(scheme)
        self.pad.codeClicked.connect(self.code_key)
        self._replace(self.pad_dock, self.pad)
        canvas = self.timeline.canvas
        canvas.set_scheme(scheme)
        canvas.set_duration(session.duration_ms)
        canvas.set_events(session.events.values())
        self.timeline.set_segments(session.segment_bounds())
        seg_form_spec = session.segment_form()
        self.segment_form = None
        if seg_form_spec is not None:
            self.segment_form = InstrumentForm(
                seg_form_spec.version_id,
                seg_form_spec.instrument,
                seg_form_spec.pack,
                key_check=seg_form_spec.key_check,
            )
            self.segment_form.rateRequested.connect(self._rate)
            self.segment_form.done.connect(self.panel.setFocus)
        bounds = session.segment_bounds()
        if bounds:
            self.segments = SegmentNavigator(bounds, self.segment_form)
            self.segments.segmentChosen.connect(self._segment_chosen)
            self.segments.loopToggled.connect(self._loop_changed)
            self.segments.select(0)
            self._replace(self.segment_dock, self.segments)
            self.segment_dock.show()
        else:
            self.segments = None
            self._replace(self.segment_dock, QLabel("This scheme has no segments."))
        self.session_forms = SessionForms()
        for spec in session.session_forms():
            form = InstrumentForm(
                spec.version_id, spec.instrument, spec.pack, key_check=spec.key_check
            )
            form.rateRequested.connect(self._rate)
            form.done.connect(self.panel.setFocus)
            form.set_responses(session.responses(spec.version_id, "session", 0))
            self.session_forms.add(form)
        if not self.session_forms.forms:
            self._replace(self.forms_dock, QLabel("No session-level instrument."))
        else:
            self._replace(self.forms_dock, self.session_forms)
        self._show_open()
        self.problem_model.set_problems([])

    def _fit_pad(self) -> None:
        """Give the pad the height its codes need (a compact pad, up to 60% of the window),
        so no code is hidden behind a scroll bar; the log keeps the rest."""
        chrome = self.pad_dock.height() - self.pad.height()  # the dock's title bar
        needed = self.pad.content_height() + chrome + 16
        if self.pad.compact and needed > self.pad_dock.height():
            height = min(needed, int(self.height() * 0.6))
            self.resizeDocks([self.pad_dock], [height], Qt.Orientation.Vertical)

    def _replace(self, dock: QDockWidget, widget: QWidget) -> None:
        old = dock.widget()
        dock.setWidget(widget)
        if old is not None and old is not self.problem_view and old is not self.timeline:
            old.deleteLater()
