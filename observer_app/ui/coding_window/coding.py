"""The coding window's coding controller: the pad, the event model and log, the modifier
picker, the timeline and the focal-subject label; key presses, edits, undo."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QLabel, QWidget

from observer_app.coding.errors import ObserverError
from observer_app.coding.state_logic import format_ms
from observer_app.media.protocol import MediaPlayer
from observer_app.ui.coding_pad import CodingPad
from observer_app.ui.coding_window.playback import is_playing
from observer_app.ui.event_log import EventLog
from observer_app.ui.models import EventTableModel
from observer_app.ui.modifier_picker import SUBJECT_FIELD, ModifierPicker
from observer_app.ui.preferences import Preferences
from observer_app.ui.session import CodingSession, asks_modifiers, event_time
from observer_app.ui.timeline import Timeline


class CodingController(QObject):
    """Turns key presses and edits into session calls and shows their outcome.

    ``padReplaced()`` when a new pad and log are built (the window docks them);
    ``seekRequested(ms)``; ``message(text, ms)`` and ``error(text)`` for the status bar.
    ``ask_time`` asks the coder for an event time when no media plays (or returns None)."""

    padReplaced = Signal()
    seekRequested = Signal(int)
    message = Signal(str, int)
    error = Signal(str)

    def __init__(
        self,
        player: MediaPlayer,
        host: QWidget,
        ask_time: Callable[[], int | None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.player = player
        self.session: CodingSession | None = None
        self.prefs = Preferences()
        self.frame_ms = 40.0
        self._ask_time = ask_time
        self._code_keys: dict[str, str] = {}
        self.pad = CodingPad(None)
        self.event_model = EventTableModel(None, None, self)
        self.event_log = EventLog(self.event_model, None)
        self.picker = ModifierPicker(host)
        self.picker.accepted.connect(self._modifiers_chosen)
        self.picker.cancelled.connect(self._modifiers_cancelled)
        self.picker.edited.connect(self._modifiers_edited)
        self.timeline = Timeline()
        self.timeline.canvas.seekRequested.connect(self.seekRequested)
        self.timeline.canvas.retimeRequested.connect(self._retime)
        self.subject_label = QLabel()
        self.subject_label.setObjectName("subjectLabel")
        self.subject_label.hide()

    # -- the session -----------------------------------------------------------------------
    def attach(self, session: CodingSession | None) -> None:
        self.session = session
        if session is None:
            return
        session.eventChanged.connect(self._event_changed)
        self.show_subject()
        self._build_views(session)

    def _build_views(self, session: CodingSession) -> None:
        scheme = session.scheme
        self.event_model.deleteLater()
        self.event_model = EventTableModel(scheme, self._edit_from_log, self)
        self.event_model.editRefused.connect(self.error)
        self.event_model.frame_ms = self.frame_ms
        self.event_model.position = lambda: int(self.player.position_ms())
        self.event_model.set_events(session.events.values())
        self.event_log = EventLog(self.event_model, scheme)
        self.event_log.seekRequested.connect(self.seekRequested)
        self.event_log.modifiersRequested.connect(self.edit_modifiers)
        self.pad = CodingPad(scheme)
        self.pad.codeClicked.connect(self.code_key)
        self.pad.set_keys(self._code_keys)
        canvas = self.timeline.canvas
        canvas.set_scheme(scheme)
        canvas.set_duration(session.duration_ms)
        canvas.set_events(session.events.values())
        self.timeline.set_segments(session.segment_bounds())
        self.padReplaced.emit()
        self.show_open()

    def set_prefs(self, prefs: Preferences) -> None:
        """The coder's preferences: the reaction lag, the picker's pause, the timeline's lanes."""
        self.prefs = prefs
        self.timeline.canvas.set_subject_lanes(prefs.subject_lanes)

    def set_media(self, duration_ms: int, frame_ms: float) -> None:
        """The loaded recording's length and frame duration."""
        if duration_ms and duration_ms != self.timeline.canvas.duration_ms:
            self.timeline.canvas.set_duration(duration_ms)
        self.frame_ms = frame_ms
        self.event_model.frame_ms = frame_ms

    def set_code_keys(self, keys: dict[str, str]) -> None:
        """The shortcut of each code (code id -> key), shown on the pad."""
        self._code_keys = {
            code: QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText)
            for code, key in keys.items()
        }
        self.pad.set_keys(self._code_keys)

    def set_read_only(self, read_only: bool) -> None:
        self.pad.set_read_only(read_only)
        self.event_model.read_only = read_only
        self.timeline.canvas.read_only = read_only

    # -- key presses -----------------------------------------------------------------------
    def press_time(self) -> int:
        """The event time of a key pressed now: the frame on screen minus the reaction lag
        (without media: a time the coder enters; see ``session.event_time``)."""
        session = self.session
        clock = session is not None and session.media_clock
        entered = None if clock else self._ask_time()
        position = int(self.player.position_ms())
        return event_time(clock, position, self.prefs.reaction_lag_ms, entered)

    def code_key(self, code_id: str) -> None:
        session = self.session
        if session is None or session.scheme is None:
            return
        try:
            time_ms = self.press_time()
        except ObserverError as exc:
            self.error.emit(str(exc))
            return
        if session.read_only:
            self.error.emit("this assignment is complete and read-only")
            return
        ask_subject = session.asks_subject
        try:
            plan = session.plan(code_id, time_ms, session.focal_subject)
        except ObserverError as exc:
            self.error.emit(str(exc))
            self.show_open()
            return
        code = session.scheme.code(code_id)
        if ask_subject or (plan.logs is not None and asks_modifiers(code)):
            if self.picker.active:
                pending = self.picker.code.label if self.picker.code else ""
                self.error.emit(
                    f"choose the modifiers of {pending} first (Enter logs, Esc cancels)"
                )
                return
            if self.prefs.pause_while_choosing and is_playing(self.player):
                self.player.pause()
            subjects = session.scheme.subjects if ask_subject else ()
            self.picker.open_for(code, time_ms, subjects=subjects)
            return
        self._commit_press(code_id, time_ms, None)

    def show_open(self) -> None:
        """The pad marks the codes open for the focal subject (all, without subjects)."""
        session = self.session
        if session is None:
            return
        focal = session.focal_subject
        states = session.open_states(focal, all_subjects=focal is None)
        self.pad.set_open(e.code for e in states)

    def show_subject(self) -> None:
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

    def set_focal_subject(self, subject_id: str) -> None:
        """The subject the next key presses are about (a subject key, "focal" mode)."""
        session = self.session
        if session is None or session.scheme is None:
            return
        session.focal_subject = subject_id
        self.show_subject()
        self.message.emit(f"Coding {session.scheme.subject(subject_id).label}", 2000)
        self.show_open()

    def _commit_press(
        self,
        code_id: str,
        time_ms: int,
        modifiers: dict[str, Any] | None,
        subject: str | None = None,
    ) -> None:
        session = self.session
        if session is None:
            return
        source = {"input": "key", "lag_ms": self.prefs.reaction_lag_ms}
        if session.press(code_id, time_ms, modifiers, source, subject):
            text, new_id = session.last_edit()
            if new_id is not None:
                self.event_log.show_event(new_id)
            self.message.emit(
                f"{text if text is not None else code_id} at {format_ms(time_ms)}", 3000
            )
        self.show_open()

    def _modifiers_chosen(self, code_id: str, time_ms: int, values: dict[str, Any]) -> None:
        values = dict(values)
        subject = values.pop(SUBJECT_FIELD, None)
        self._commit_press(code_id, time_ms, values, subject)

    def edit_modifiers(self, event_id: int) -> None:
        """Edit an event's modifiers (and note) in the picker, filled with its values."""
        session = self.session
        record = session.events.get(event_id) if session is not None else None
        if session is None or session.scheme is None or record is None:
            return
        if session.read_only:
            self.error.emit("this assignment is complete and read-only")
            return
        try:
            code = session.scheme.code(record.code)
        except KeyError:
            self.error.emit(f"{record.code} is not a code of this scheme")
            return
        if not code.modifiers:
            self.error.emit(f"{code.label} has no modifiers")
            return
        if self.picker.active:
            self.picker.cancel()
        self.picker.open_for(code, record.onset_ms, values=record.modifiers, event_id=event_id)

    def _modifiers_edited(self, event_id: int, values: dict[str, Any]) -> None:
        if self.session is not None:
            self.session.update_event(event_id, "edit modifiers", modifiers=values)
        self.event_log.show_event(event_id)
        self.event_log.view.setFocus()

    def _modifiers_cancelled(self, code_id: str, time_ms: int) -> None:
        self.message.emit(f"{code_id} at {format_ms(time_ms)}: cancelled", 3000)

    # -- edits -----------------------------------------------------------------------------
    def _event_changed(self, record: Any) -> None:
        selected = self.event_log.selected_event_id()
        self.event_model.upsert(record)
        self.timeline.canvas.upsert(record)
        if selected == record.id and not record.deleted:  # a moved row stays selected
            self.event_log.show_event(record.id)

    def _edit_from_log(self, event_id: int, changes: dict[str, Any]) -> bool:
        if self.session is None:
            return False
        return self.session.update_event(event_id, "edit event in the log", **changes)

    def _retime(self, event_id: int, onset: int, offset: int | None) -> None:
        if self.session is None:
            return
        self.session.retime_event(event_id, onset, offset)

    def show_event(self, event_id: int) -> None:
        self.event_log.show_event(event_id)

    def delete_selected(self) -> None:
        if self.session is None:
            return
        event_id = self.event_log.selected_event_id()
        if event_id is None:
            self.message.emit("Select an event in the log to delete it", 3000)
            return
        self.session.delete_event(event_id)
        self.show_open()

    def set_selected_to_now(self, field: str) -> None:
        """Set the selected event's start (``onset_ms``) or end (``offset_ms``) to the frame on
        screen: one undoable, audited edit, validated by the services."""
        session = self.session
        if session is None:
            return
        event_id = self.event_log.selected_event_id()
        record = session.events.get(event_id) if event_id is not None else None
        if record is None:
            self.message.emit("Select an event in the log first", 3000)
            return
        scheme = session.scheme
        known = scheme is not None and record.code in {c.id for c in scheme.codes}
        label = scheme.code(record.code).label if scheme is not None and known else record.code
        if field == "offset_ms" and not record.is_state:
            self.error.emit(f"{label} is a point event: it has no end")
            return
        now = int(self.player.position_ms())
        which = "start" if field == "onset_ms" else "end"
        if session.update_event(record.id, f"set {which} to {format_ms(now)}", **{field: now}):
            self.message.emit(f"{label}: {which} set to {format_ms(now)}", 3000)
        self.show_open()

    def undo(self) -> None:
        if self.session is not None and not self.session.read_only:
            self.session.undo_stack.undo()
            self.show_open()

    def redo(self) -> None:
        if self.session is not None and not self.session.read_only:
            self.session.undo_stack.redo()
            self.show_open()
