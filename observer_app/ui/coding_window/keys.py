"""The coding window's keymap controller: the coder's preferences, the keymap they imply, the
window's QActions (the action table's and each scheme's code and subject actions), the keys help."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMenu, QMessageBox

from observer_app.coding.errors import ObserverError
from observer_app.services.study import Study
from observer_app.ui.actions import (
    ACTIONS,
    CODE_PREFIX,
    MENUS,
    SUBJECT_PREFIX,
    action_label,
    effective_keymap,
)
from observer_app.ui.preferences import Preferences, PreferencesDialog
from observer_app.ui.session import CodingSession

_SEPARATED = (
    "quit",
    "preferences",
    "delete_event",
    "rate_normal",
    "loop_segment",
    "subject_lanes",
    "spectrogram",
)


class KeymapController(QObject):
    """Preferences (saved with the coder's account), shortcuts and actions.

    ``prefsChanged(prefs)``; ``codeKeysChanged({code id: key})`` for the pad; ``codeKey(id)``
    and ``subjectKey(id)`` when a code's or a subject's action fires; ``error(text)``."""

    prefsChanged = Signal(object)
    codeKeysChanged = Signal(dict)
    codeKey = Signal(str)
    subjectKey = Signal(str)
    error = Signal(str)

    def __init__(self, study: Study, window: QMainWindow) -> None:
        super().__init__(window)
        self.study = study
        self.window = window
        self.session: CodingSession | None = None
        self.prefs = self._load_prefs()
        self.keymap: dict[str, str] = {}
        self.actions_by_id: dict[str, QAction] = {}
        self.menus: dict[str, QMenu] = {}
        self.lag_label = QLabel()
        self.show_lag()

    def _load_prefs(self) -> Preferences:
        actor = self.study.actor
        if actor.id is None:
            return Preferences()
        try:
            return Preferences.from_dict(self.study.coders.preferences(actor.id))
        except ObserverError:
            return Preferences()

    def show_lag(self) -> None:
        lag = self.prefs.reaction_lag_ms
        self.lag_label.setText(f"reaction lag −{lag} ms" if lag else "no reaction lag")

    def _new_action(self, action_id: str, text: str, menu: QMenu) -> QAction:
        action = QAction(text, self.window)
        action.setObjectName(action_id)
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.window.addAction(action)
        menu.addAction(action)
        self.actions_by_id[action_id] = action
        return action

    def build_actions(self, handlers: dict[str, Callable[[], object]]) -> None:
        """The action table's actions and menus, each triggering its handler."""
        bar = self.window.menuBar()
        self.menus = {name: bar.addMenu(f"&{name}") for name in MENUS}
        for spec in ACTIONS:
            action = self._new_action(spec.id, spec.text, self.menus[spec.menu])
            action.setStatusTip(spec.tip)
            action.setCheckable(spec.checkable)
            action.triggered.connect(lambda _=False, h=handlers[spec.id]: h())
            if spec.id in _SEPARATED:
                self.menus[spec.menu].addSeparator()
        self.actions_by_id["manage_study"].setVisible(self.study.actor.is_manager)
        self.show_settings()

    def show_settings(self) -> None:
        """The checkable actions show the preferences they stand for."""
        lanes = self.actions_by_id.get("subject_lanes")
        if lanes is not None:
            lanes.setChecked(self.prefs.subject_lanes)
            scheme = self.session.scheme if self.session is not None else None
            lanes.setEnabled(scheme is not None and bool(scheme.subjects))

    def toggle_subject_lanes(self) -> None:
        """The timeline's lanes per subject on or off, remembered in the preferences."""
        on = self.actions_by_id["subject_lanes"].isChecked()
        self.set_preferences(replace(self.prefs, subject_lanes=on))

    def attach(self, session: CodingSession | None) -> None:
        self.session = session
        undo, redo = self.actions_by_id["undo"], self.actions_by_id["redo"]
        if session is not None:
            stack = session.undo_stack
            stack.canUndoChanged.connect(undo.setEnabled)
            stack.canRedoChanged.connect(redo.setEnabled)
            stack.undoTextChanged.connect(lambda t: undo.setText(f"&Undo {t}" if t else "&Undo"))
            stack.redoTextChanged.connect(lambda t: redo.setText(f"&Redo {t}" if t else "&Redo"))
        undo.setEnabled(False)
        redo.setEnabled(False)
        self._build_code_actions()
        self.apply_keymap()
        self.show_settings()

    def _build_code_actions(self) -> None:
        menu = self.menus["Code"]
        menu.clear()
        for action_id in [
            a for a in self.actions_by_id if a.startswith((CODE_PREFIX, SUBJECT_PREFIX))
        ]:
            action = self.actions_by_id.pop(action_id)
            self.window.removeAction(action)
            menu.removeAction(action)
            action.deleteLater()
        scheme = self.session.scheme if self.session else None
        if scheme is None:
            return
        for subject in scheme.subjects:  # a subject's key makes it the focal subject
            action = self._new_action(SUBJECT_PREFIX + subject.id, f"Code {subject.label}", menu)
            action.setAutoRepeat(False)
            action.triggered.connect(lambda _=False, sid=subject.id: self.subjectKey.emit(sid))
        if scheme.subjects:
            menu.addSeparator()
        for code in scheme.codes:
            action_id = CODE_PREFIX + code.id
            action = self._new_action(action_id, action_label(action_id, scheme), menu)
            action.setAutoRepeat(False)
            action.triggered.connect(lambda _=False, cid=code.id: self.codeKey.emit(cid))

    def apply_keymap(self) -> None:
        scheme = self.session.scheme if self.session else None
        self.keymap = effective_keymap(scheme, self.prefs.keymap)
        for action_id, action in self.actions_by_id.items():
            shortcut = self.keymap.get(action_id, "")
            keys = [QKeySequence(shortcut)] if shortcut else []
            if action_id == "complete" and shortcut == "Ctrl+Return":
                keys.append(QKeySequence("Ctrl+Enter"))
            action.setShortcuts(keys)
        self.codeKeysChanged.emit(
            {a[len(CODE_PREFIX) :]: s for a, s in self.keymap.items() if a.startswith(CODE_PREFIX)}
        )

    def set_read_only(self, read_only: bool) -> None:
        for action_id, action in self.actions_by_id.items():
            if action_id.startswith(CODE_PREFIX) or action_id in ("delete_event", "complete"):
                action.setEnabled(not read_only)
        stack = self.session.undo_stack if self.session is not None else None
        # editable again (reopened elsewhere): undo/redo follow the stack, as after opening
        self.actions_by_id["undo"].setEnabled(not read_only and bool(stack and stack.canUndo()))
        self.actions_by_id["redo"].setEnabled(not read_only and bool(stack and stack.canRedo()))

    def edit_preferences(self) -> None:
        scheme = self.session.scheme if self.session else None
        dialog = PreferencesDialog(self.prefs, scheme, self.window)
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
                self.error.emit(f"preferences not saved: {exc}")
        self.prefsChanged.emit(prefs)
        self.apply_keymap()
        self.show_lag()
        self.show_settings()

    def show_keys(self) -> None:
        scheme = self.session.scheme if self.session else None
        rows = [
            f"<tr><td>{action_label(a, scheme)}</td><td><b>{s}</b></td></tr>"
            for a, s in self.keymap.items()
            if s
        ]
        QMessageBox.information(
            self.window, "observer-app — keyboard", "<table>" + "".join(rows) + "</table>"
        )
