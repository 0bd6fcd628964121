"""Instrument ratings and segments in the coding window: forms, navigation, looping."""

from __future__ import annotations

from typing import Any

from observer_app.coding.errors import ObserverError
from observer_app.ui.coding_window.base import CodingWindowBase


class FormsPart(CodingWindowBase):
    """The segment navigator and the instrument forms, kept in step with the session."""

    def _rate(self, key: Any, response: Any) -> None:
        if self.session is not None:
            self.session.rate(key, response)

    def _refresh_forms(self) -> None:
        session = self.session
        if session is None:
            return
        if self.segment_form is not None:
            f = self.segment_form
            f.set_responses(session.responses(f.version_id, f.unit_kind, f.unit_index))
        for form in self.session_forms.forms:
            form.set_responses(session.responses(form.version_id, "session", 0))

    def _refresh_segments(self) -> None:
        session = self.session
        if session is None or self.segments is None:
            return
        self.segments.set_rated(session.segments_rated(len(self.segments.bounds)))
        self._refresh_forms()

    def _segment_chosen(self, index: int) -> None:
        assert self.segments is not None
        self.seek(self.segments.bounds[index][0])
        if self.segments.loop_button.isChecked():
            self._loop_changed(True)
        self._refresh_forms()

    def _segment_step(self, step: int) -> None:
        if self.segments is not None:
            self.segments.choose(self.segments.selected + step)

    def _toggle_loop(self) -> None:
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
                self.show_error(str(exc))
                return
            self.statusBar().showMessage(f"Looping segment {self.segments.selected + 1}", 3000)
        else:
            self.player.clear_loop()

    def _focus_segment_form(self) -> None:
        """Ctrl+R: rate, from the first unanswered item, the form on the tab that is showing
        (a session instrument when the Instruments tab is up, else the current segment's)."""
        if self.forms_dock.isVisible() and not self.forms_dock.visibleRegion().isEmpty():
            tabs = self.session_forms.tabs
            form = (
                self.session_forms.forms[tabs.currentIndex()] if self.session_forms.forms else None
            )
            if form is not None:
                self.forms_dock.raise_()
                form.go_to_first_unanswered()
                return
        if self.segments is not None and self.segment_form is not None:
            self.segment_dock.show()
            self.segment_dock.raise_()
            self.segments.select(self.segments.current)
            self._refresh_forms()
            self.segment_form.go_to_first_unanswered()
