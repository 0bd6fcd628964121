"""The coding window's preferences and keymap: loading, editing, shortcuts, the keys help."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMessageBox

from observer_app.coding.errors import ObserverError
from observer_app.ui.actions import CODE_PREFIX, action_label, effective_keymap
from observer_app.ui.coding_window.base import CodingWindowBase
from observer_app.ui.preferences import Preferences, PreferencesDialog


class KeymapPart(CodingWindowBase):
    """The coder's preferences (saved with their account) and the shortcuts they imply."""

    def _show_lag(self) -> None:
        lag = self.prefs.reaction_lag_ms
        self.lag_label.setText(f"reaction lag −{lag} ms" if lag else "no reaction lag")

    def _load_prefs(self) -> Preferences:
        actor = self.study.actor
        if actor.id is None:
            return Preferences()
        try:
            return Preferences.from_dict(self.study.coders.preferences(actor.id))
        except ObserverError:
            return Preferences()

    def _apply_keymap(self) -> None:
        scheme = self.session.scheme if self.session else None
        self.keymap = effective_keymap(scheme, self.prefs.keymap)
        for action_id, action in self.actions_by_id.items():
            shortcut = self.keymap.get(action_id, "")
            keys = [QKeySequence(shortcut)] if shortcut else []
            if action_id == "complete" and shortcut == "Ctrl+Return":
                keys.append(QKeySequence("Ctrl+Enter"))
            action.setShortcuts(keys)
        if hasattr(self, "pad"):
            self.pad.set_keys(
                {
                    a[len(CODE_PREFIX) :]: QKeySequence(s).toString(
                        QKeySequence.SequenceFormat.NativeText
                    )
                    for a, s in self.keymap.items()
                    if a.startswith(CODE_PREFIX)
                }
            )

    def edit_preferences(self) -> None:
        dialog = PreferencesDialog(self.prefs, self.session.scheme if self.session else None, self)
        if not dialog.exec():
            return
        self.set_preferences(dialog.preferences())

    def set_preferences(self, prefs: Preferences) -> None:
        self.prefs = prefs
        actor = self.study.actor
        if actor.id is not None:
            try:
                stored = self.study.coders.preferences(actor.id)
                stored.update(prefs.to_dict())
                self.study.coders.set_preferences(actor.id, stored)
            except ObserverError as exc:
                self.show_error(f"preferences not saved: {exc}")
        self._apply_keymap()
        self._show_lag()

    def show_keys(self) -> None:
        scheme = self.session.scheme if self.session else None
        rows = [
            f"<tr><td>{action_label(a, scheme)}</td><td><b>{s}</b></td></tr>"
            for a, s in self.keymap.items()
            if s
        ]
        QMessageBox.information(
            self, "observer-app — keyboard", "<table>" + "".join(rows) + "</table>"
        )
