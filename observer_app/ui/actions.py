"""The one action table of the coding window, and the coder's keymap over it.

Every command the coder can give is declared here once: its id, menu, text and default shortcut.
The window builds one ``QAction`` per row (so each appears in a menu with its shortcut), the
scheme's codes are added as ``code:<id>`` actions, and a coder's keymap (stored in their
preferences) overrides the defaults. :func:`conflicts` finds shortcuts bound twice.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QKeySequenceEdit,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from observer_app.coding.definitions.scheme import Scheme, default_window_key


@dataclass(frozen=True)
class ActionSpec:
    id: str
    text: str
    menu: str
    shortcut: str = ""  # portable text, e.g. "Ctrl+Shift+Z"
    tip: str = ""
    checkable: bool = False  # an on/off setting (its state kept in the coder's preferences)


def scheme_key_to_sequence(key: str) -> str:
    """A scheme key (``"shift+w"``, ``"f2"``, ``"pageup"``) as Qt portable text (``"Shift+W"``)."""
    named = {
        "pageup": "PgUp",
        "pagedown": "PgDown",
        "escape": "Esc",
        "delete": "Del",
        "insert": "Ins",
        "enter": "Return",
    }
    *mods, last = key.split("+") if key != "+" else ["+"]
    if key.endswith("++"):
        mods, last = key[:-2].split("+"), "+"
    parts = [m.capitalize() for m in mods if m]
    parts.append(named.get(last, last.upper() if len(last) == 1 else last.capitalize()))
    return "+".join(parts)


def _action(
    action_id: str, text: str, menu: str, tip: str = "", *, checkable: bool = False
) -> ActionSpec:
    """A row of the table; its default key comes from the one list of window shortcuts
    (``WINDOW_SHORTCUTS``), which scheme validation checks code keys against."""
    key = default_window_key(action_id)
    shortcut = scheme_key_to_sequence(key) if key else ""
    return ActionSpec(action_id, text, menu, shortcut, tip, checkable)


MENUS = ("Assignment", "Edit", "Playback", "Code", "Segments", "View", "Help")

ACTIONS: tuple[ActionSpec, ...] = (
    _action("open_queue", "&Open assignment…", "Assignment", "Your assignment queue"),
    _action("complete", "Mark &complete", "Assignment", "Check and complete"),
    _action("show_problems", "Show &problems", "Assignment"),
    _action("locate_media", "&Locate file…", "Assignment", "Relink a moved recording"),
    _action("manage_study", "&Manage study…", "Assignment", "Study management (managers)"),
    _action("preferences", "P&references…", "Assignment"),
    _action("quit", "&Quit", "Assignment"),
    _action("undo", "&Undo", "Edit"),
    _action("redo", "&Redo", "Edit"),
    _action("delete_event", "&Delete selected event", "Edit"),
    _action("onset_now", "Set &start to the current position", "Edit"),
    _action("offset_now", "Set &end to the current position", "Edit"),
    _action("play_pause", "&Play / pause", "Playback"),
    _action("jump_back", "Jump &back", "Playback"),
    _action("jump_forward", "Jump &forward", "Playback"),
    _action("frame_back", "Previous frame", "Playback"),
    _action("frame_forward", "Next frame", "Playback"),
    _action("slower", "&Slower", "Playback"),
    _action("faster", "F&aster", "Playback"),
    _action("rate_normal", "Normal &rate (1×)", "Playback"),
    _action("mute", "&Mute", "Playback"),
    _action("prev_segment", "&Previous segment", "Segments"),
    _action("next_segment", "&Next segment", "Segments"),
    _action("loop_segment", "&Loop current segment", "Segments"),
    _action("focus_form", "Rate this &segment", "Segments"),
    _action("zoom_in", "Zoom timeline &in", "View"),
    _action("zoom_out", "Zoom timeline &out", "View"),
    _action("zoom_all", "Whole &recording in the timeline", "View"),
    _action(
        "subject_lanes",
        "Timeline lanes per s&ubject",
        "View",
        "One timeline lane per category and subject (schemes with subjects)",
        checkable=True,
    ),
    _action(
        "spectrogram",
        "&Spectrogram under the timeline",
        "View",
        "Show the spectrogram (0-8 kHz) under the lanes instead of the waveform",
        checkable=True,
    ),
    _action("reset_layout", "&Reset layout", "View"),
    _action("keys_help", "&Keyboard shortcuts", "Help"),
)


ACTION_IDS = frozenset(a.id for a in ACTIONS)
CODE_PREFIX = "code:"
SUBJECT_PREFIX = "subject:"

#: Playback rates offered by slower/faster (the player accepts 0.25 to 4).
RATES = (0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0)


def spec(action_id: str) -> ActionSpec:
    for a in ACTIONS:
        if a.id == action_id:
            return a
    raise KeyError(action_id)


def default_keymap(scheme: Scheme | None) -> dict[str, str]:
    """Action id -> shortcut text: the table's defaults and the scheme's code keys."""
    keymap = {a.id: a.shortcut for a in ACTIONS}
    if scheme is not None:
        for code in scheme.codes:
            keymap[CODE_PREFIX + code.id] = scheme_key_to_sequence(code.key) if code.key else ""
        for subject in scheme.subjects:
            key = scheme_key_to_sequence(subject.key) if subject.key else ""
            keymap[SUBJECT_PREFIX + subject.id] = key
    return keymap


def effective_keymap(scheme: Scheme | None, overrides: Mapping[str, str]) -> dict[str, str]:
    """Defaults with the coder's overrides applied (unknown ids are ignored)."""
    keymap = default_keymap(scheme)
    for action_id, shortcut in overrides.items():
        if action_id in keymap and isinstance(shortcut, str):
            keymap[action_id] = shortcut
    return keymap


def normal(shortcut: str) -> str:
    """Qt's canonical portable text of a shortcut ("ctrl+z" -> "Ctrl+Z"), "" for none."""
    return QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.PortableText)


def conflicts(keymap: Mapping[str, str]) -> dict[str, list[str]]:
    """Shortcut -> the action ids bound to it, for every shortcut bound more than once."""
    seen: dict[str, list[str]] = {}
    for action_id, shortcut in keymap.items():
        key = normal(shortcut)
        if key:
            seen.setdefault(key, []).append(action_id)
    return {k: sorted(v) for k, v in seen.items() if len(v) > 1}


def keymap_overrides(keymap: Mapping[str, str], scheme: Scheme | None) -> dict[str, str]:
    """Only the entries that differ from the defaults (what is stored per coder)."""
    defaults = default_keymap(scheme)
    return {k: v for k, v in keymap.items() if normal(defaults.get(k, "")) != normal(v)}


def action_label(action_id: str, scheme: Scheme | None) -> str:
    if action_id.startswith(SUBJECT_PREFIX) and scheme is not None:
        subject_id = action_id[len(SUBJECT_PREFIX) :]
        try:
            return f"Code {scheme.subject(subject_id).label} (focal subject)"
        except KeyError:
            return subject_id
    if action_id.startswith(CODE_PREFIX) and scheme is not None:
        code_id = action_id[len(CODE_PREFIX) :]
        try:
            code = scheme.code(code_id)
        except KeyError:
            return code_id
        return f"Log {code.label} ({code.kind})"
    try:
        return spec(action_id).text.replace("&", "")
    except KeyError:
        return action_id


def ordered_ids(keymap: Iterable[str]) -> list[str]:
    """Table order: declared actions first, then code actions."""
    ids = list(keymap)
    declared = [a.id for a in ACTIONS if a.id in ids]
    return declared + [i for i in ids if i not in declared]


# -- the shortcut context -------------------------------------------------------------------
#: Widgets where a typed key is text or a value, never a command.
EDITOR_TYPES: tuple[type[QWidget], ...] = (
    QLineEdit,
    QTextEdit,
    QPlainTextEdit,
    QAbstractSpinBox,
    QComboBox,
    QKeySequenceEdit,
)
_COMMAND_MODIFIERS = (
    Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.MetaModifier
)


def is_editor(widget: QWidget | None) -> bool:
    """Whether ``widget`` takes typed keys as text or a value (a text field, a spin box, a
    combo box, a key-sequence field — in a dialog, a form, the picker or a table cell)."""
    return isinstance(widget, EDITOR_TYPES)


def is_typing_key(event: QKeyEvent) -> bool:
    """A key an editor consumes: any key without Ctrl, Alt or Meta that is not F1-F35.

    Code keys, Space, the arrows, ``[``, ``]``, Backspace and Delete are all typing keys; Ctrl+Z,
    Ctrl+Enter or F1 still act as the window's shortcuts while an editor has focus."""
    if event.modifiers() & _COMMAND_MODIFIERS:
        return False
    return not Qt.Key.Key_F1 <= event.key() <= Qt.Key.Key_F35


class ShortcutContext(QObject):
    """The one rule of when the window's shortcuts act: never while an editor has focus.

    Installed once per window (``ShortcutContext.install(window)``). When the focus enters an
    editor of that window, the context watches it: a typing key's ``ShortcutOverride`` is
    accepted, so Qt delivers the key to the editor instead of triggering the code, transport or
    edit action bound to it; Escape in an editor outside a table cell leaves it (the focus goes
    back to the window, where the keys code again). A widget that handles Escape itself (the
    modifier picker, a table's cell editor) sets the ``ownsEscape`` property.
    """

    def __init__(self, window: QWidget, home: QWidget | None = None) -> None:
        super().__init__(window)
        self._window = window
        self._home = home or window
        self._watched: QWidget | None = None
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)

    @classmethod
    def install(cls, window: QWidget, home: QWidget | None = None) -> ShortcutContext:
        """Guard ``window``; Escape in an editor gives the focus to ``home`` (the window)."""
        return cls(window, home)

    def _focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        if self._watched is not None:
            with contextlib.suppress(RuntimeError):  # already destroyed
                self._watched.removeEventFilter(self)
            self._watched = None
        if new is not None and is_editor(new) and new.window() is self._window:
            new.installEventFilter(self)
            self._watched = new

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not isinstance(event, QKeyEvent):
            return False
        kind = event.type()
        if kind == QEvent.Type.ShortcutOverride and is_typing_key(event):
            event.accept()  # the editor keeps the key; no shortcut fires
            return True
        escape = kind == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Escape
        if escape and not _owns_escape(watched):
            self._home.setFocus(Qt.FocusReason.ShortcutFocusReason)
            return True
        return False


def _owns_escape(widget: QObject) -> bool:
    """Whether ``widget`` or an ancestor handles Escape itself (the picker, a cell editor)."""
    node: QObject | None = widget
    while node is not None:
        if node.property("ownsEscape") or isinstance(node, QAbstractItemView):
            return True
        node = node.parent()
    return False
