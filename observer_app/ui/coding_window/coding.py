"""Coding in the window: key presses, modifiers, edits from the log and the timeline, undo."""

from __future__ import annotations

from typing import Any

from observer_app.coding.errors import ObserverError
from observer_app.coding.state_logic import format_ms
from observer_app.ui.coding_window.base import CodingWindowBase
from observer_app.ui.coding_window.playback import is_playing
from observer_app.ui.modifier_picker import SUBJECT_FIELD
from observer_app.ui.session import asks_modifiers, event_time


class CodingPart(CodingWindowBase):
    """Turns key presses and edits into session calls and shows their outcome."""

    def press_time(self) -> int:
        """The event time of a key pressed now: the frame on screen minus the reaction lag
        (without media: a time the coder enters; see ``session.event_time``)."""
        session = self.session
        clock = session is not None and session.media_clock
        entered = None if clock else self._ask_event_time()
        position = int(self.player.position_ms())
        return event_time(clock, position, self.prefs.reaction_lag_ms, entered)

    def _ask_event_time(self) -> int | None:
        from PySide6.QtWidgets import QInputDialog

        from observer_app.coding.state_logic import parse_time

        text, ok = QInputDialog.getText(
            self,
            "No media: enter the time",
            "The recording is not playing. Time of this event (hh:mm:ss.mmm), or Cancel:",
        )
        return parse_time(text) if ok and text.strip() else None

    def code_key(self, code_id: str) -> None:
        session = self.session
        if session is None or session.scheme is None:
            return
        try:
            time_ms = self.press_time()
        except ObserverError as exc:
            self.show_error(str(exc))
            return
        if session.read_only:
            self.show_error("this assignment is complete and read-only")
            return
        ask_subject = session.asks_subject
        try:
            plan = session.plan(code_id, time_ms, session.focal_subject)
        except ObserverError as exc:
            self.show_error(str(exc))
            self._show_open()
            return
        code = session.scheme.code(code_id)
        if ask_subject or (plan.logs is not None and asks_modifiers(code)):
            if self.picker.active:
                pending = self.picker.code.label if self.picker.code else ""
                self.show_error(
                    f"choose the modifiers of {pending} first (Enter logs, Esc cancels)"
                )
                return
            if self.prefs.pause_while_choosing and is_playing(self.player):
                self.player.pause()
            subjects = session.scheme.subjects if ask_subject else ()
            self.picker.open_for(code, time_ms, subjects=subjects)
            return
        self._commit_press(code_id, time_ms, None)

    def _show_open(self) -> None:
        """The pad marks the codes open for the focal subject (all, without subjects)."""
        session = self.session
        if session is None:
            return
        focal = session.focal_subject
        states = session.open_states(focal, all_subjects=focal is None)
        self.pad.set_open(e.code for e in states)

    def set_focal_subject(self, subject_id: str) -> None:
        """The subject the next key presses are about (a subject key, "focal" mode)."""
        session = self.session
        if session is None or session.scheme is None:
            return
        session.focal_subject = subject_id
        self._show_subject()
        self.statusBar().showMessage(f"Coding {session.scheme.subject(subject_id).label}", 2000)
        self._show_open()

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
            self.statusBar().showMessage(
                f"{text if text is not None else code_id} at {format_ms(time_ms)}", 3000
            )
        self._show_open()

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
            self.show_error("this assignment is complete and read-only")
            return
        try:
            code = session.scheme.code(record.code)
        except KeyError:
            self.show_error(f"{record.code} is not a code of this scheme")
            return
        if not code.modifiers:
            self.show_error(f"{code.label} has no modifiers")
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
        self.statusBar().showMessage(f"{code_id} at {format_ms(time_ms)}: cancelled", 3000)

    def _event_changed(self, record: Any) -> None:
        selected = self.event_log.selected_event_id()
        self.event_model.upsert(record)
        self.timeline.canvas.upsert(record)
        if selected == record.id and not record.deleted:  # a moved row stays selected
            self.event_log.show_event(record.id)

    def _rating_changed(self, key: Any, record: Any) -> None:
        self._refresh_forms()
        self._refresh_segments()

    def _saved(self, when: Any) -> None:
        if when is not None:
            self.saved_label.setText(f"Saved {when:%H:%M:%S}")

    def _edit_from_log(self, event_id: int, changes: dict[str, Any]) -> bool:
        if self.session is None:
            return False
        return self.session.update_event(event_id, "edit event in the log", **changes)

    def _retime(self, event_id: int, onset: int, offset: int | None) -> None:
        if self.session is None:
            return
        self.session.retime_event(event_id, onset, offset)

    def delete_selected(self) -> None:
        if self.session is None:
            return
        event_id = self.event_log.selected_event_id()
        if event_id is None:
            self.statusBar().showMessage("Select an event in the log to delete it", 3000)
            return
        self.session.delete_event(event_id)
        self._show_open()

    def set_selected_to_now(self, field: str) -> None:
        """Set the selected event's start (``onset_ms``) or end (``offset_ms``) to the frame on
        screen: one undoable, audited edit, validated by the services."""
        session = self.session
        if session is None:
            return
        event_id = self.event_log.selected_event_id()
        record = session.events.get(event_id) if event_id is not None else None
        if record is None:
            self.statusBar().showMessage("Select an event in the log first", 3000)
            return
        if field == "offset_ms" and not record.is_state:
            self.show_error(f"{record.code} is a point event: it has no end")
            return
        now = int(self.player.position_ms())
        which = "start" if field == "onset_ms" else "end"
        if session.update_event(record.id, f"set {which} to {format_ms(now)}", **{field: now}):
            self.statusBar().showMessage(f"{record.code}: {which} set to {format_ms(now)}", 3000)
        self._show_open()

    def undo(self) -> None:
        if self.session is not None and not self.session.read_only:
            self.session.undo_stack.undo()
            self._show_open()

    def redo(self) -> None:
        if self.session is not None and not self.session.read_only:
            self.session.undo_stack.redo()
            self._show_open()
