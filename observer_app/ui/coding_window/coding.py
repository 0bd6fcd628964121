"""Coding in the window: key presses, modifiers, edits from the log and the timeline, undo."""

from __future__ import annotations

from typing import Any

from observer_app.coding.errors import ObserverError
from observer_app.coding.state_logic import format_ms
from observer_app.ui.coding_window.base import CodingWindowBase
from observer_app.ui.coding_window.playback import is_playing
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
        try:
            plan = session.plan(code_id, time_ms)
        except ObserverError as exc:
            self.show_error(str(exc))
            self.pad.set_open(e.code for e in session.open_states())
            return
        code = session.scheme.code(code_id)
        if plan.logs is not None and asks_modifiers(code):
            if self.picker.active:
                pending = self.picker.code.label if self.picker.code else ""
                self.show_error(
                    f"choose the modifiers of {pending} first (Enter logs, Esc cancels)"
                )
                return
            if self.prefs.pause_while_choosing and is_playing(self.player):
                self.player.pause()
            self.picker.open_for(code, time_ms)
            return
        self._commit_press(code_id, time_ms, None)

    def _commit_press(self, code_id: str, time_ms: int, modifiers: dict[str, Any] | None) -> None:
        session = self.session
        if session is None:
            return
        source = {"input": "key", "lag_ms": self.prefs.reaction_lag_ms}
        if session.press(code_id, time_ms, modifiers, source):
            text, new_id = session.last_edit()
            if new_id is not None:
                self.event_log.show_event(new_id)
            self.statusBar().showMessage(
                f"{text if text is not None else code_id} at {format_ms(time_ms)}", 3000
            )
        self.pad.set_open(e.code for e in session.open_states())

    def _modifiers_chosen(self, code_id: str, time_ms: int, values: dict[str, Any]) -> None:
        self._commit_press(code_id, time_ms, values)

    def _modifiers_cancelled(self, code_id: str, time_ms: int) -> None:
        self.statusBar().showMessage(f"{code_id} at {format_ms(time_ms)}: cancelled", 3000)

    def _event_changed(self, record: Any) -> None:
        self.event_model.upsert(record)
        self.timeline.canvas.upsert(record)

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
        self.pad.set_open(e.code for e in self.session.open_states())

    def undo(self) -> None:
        if self.session is not None and not self.session.read_only:
            self.session.undo_stack.undo()
            self.pad.set_open(e.code for e in self.session.open_states())

    def redo(self) -> None:
        if self.session is not None and not self.session.read_only:
            self.session.undo_stack.redo()
            self.pad.set_open(e.code for e in self.session.open_states())
