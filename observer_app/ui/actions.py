"""The one action table of the coding window, and the coder's keymap over it.

Every command the coder can give is declared here once: its id, menu, text and default shortcut.
The window builds one ``QAction`` per row (so each appears in a menu with its shortcut), the
scheme's codes are added as ``code:<id>`` actions, and a coder's keymap (stored in their
preferences) overrides the defaults. :func:`conflicts` finds shortcuts bound twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from PySide6.QtGui import QKeySequence

from observer_app.coding.definitions.scheme import Scheme


@dataclass(frozen=True)
class ActionSpec:
    id: str
    text: str
    menu: str
    shortcut: str = ""  # portable text, e.g. "Ctrl+Shift+Z"
    tip: str = ""


MENUS = ("Assignment", "Edit", "Playback", "Code", "Segments", "View", "Help")

ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("open_queue", "&Open assignment…", "Assignment", "Ctrl+O", "Your assignment queue"),
    ActionSpec("complete", "Mark &complete", "Assignment", "Ctrl+Return", "Check and complete"),
    ActionSpec("show_problems", "Show &problems", "Assignment", "Ctrl+P"),
    ActionSpec("locate_media", "&Locate file…", "Assignment", "", "Relink a moved recording"),
    ActionSpec("manage_study", "&Manage study…", "Assignment", "", "Study management (managers)"),
    ActionSpec("preferences", "P&references…", "Assignment", "Ctrl+,"),
    ActionSpec("quit", "&Quit", "Assignment", "Ctrl+Q"),
    ActionSpec("undo", "&Undo", "Edit", "Ctrl+Z"),
    ActionSpec("redo", "&Redo", "Edit", "Ctrl+Shift+Z"),
    ActionSpec("delete_event", "&Delete selected event", "Edit", "Delete"),
    ActionSpec("play_pause", "&Play / pause", "Playback", "Space"),
    ActionSpec("jump_back", "Jump &back", "Playback", "Left"),
    ActionSpec("jump_forward", "Jump &forward", "Playback", "Right"),
    ActionSpec("frame_back", "Previous frame", "Playback", "Shift+Left"),
    ActionSpec("frame_forward", "Next frame", "Playback", "Shift+Right"),
    ActionSpec("slower", "&Slower", "Playback", "["),
    ActionSpec("faster", "F&aster", "Playback", "]"),
    ActionSpec("rate_normal", "Normal &rate (1×)", "Playback", "Backspace"),
    ActionSpec("mute", "&Mute", "Playback", "Ctrl+M"),
    ActionSpec("prev_segment", "&Previous segment", "Segments", "Ctrl+Left"),
    ActionSpec("next_segment", "&Next segment", "Segments", "Ctrl+Right"),
    ActionSpec("loop_segment", "&Loop current segment", "Segments", "Ctrl+L"),
    ActionSpec("focus_form", "Rate this &segment", "Segments", "Ctrl+R"),
    ActionSpec("zoom_in", "Zoom timeline &in", "View", "Ctrl+="),
    ActionSpec("zoom_out", "Zoom timeline &out", "View", "Ctrl+-"),
    ActionSpec("zoom_all", "Whole &recording in the timeline", "View", "Ctrl+0"),
    ActionSpec("reset_layout", "&Reset layout", "View", ""),
    ActionSpec("keys_help", "&Keyboard shortcuts", "Help", "F1"),
)

ACTION_IDS = frozenset(a.id for a in ACTIONS)
CODE_PREFIX = "code:"

#: Playback rates offered by slower/faster (the player accepts 0.25 to 4).
RATES = (0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0)


def spec(action_id: str) -> ActionSpec:
    for a in ACTIONS:
        if a.id == action_id:
            return a
    raise KeyError(action_id)


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


def default_keymap(scheme: Scheme | None) -> dict[str, str]:
    """Action id -> shortcut text: the table's defaults and the scheme's code keys."""
    keymap = {a.id: a.shortcut for a in ACTIONS}
    if scheme is not None:
        for code in scheme.codes:
            keymap[CODE_PREFIX + code.id] = scheme_key_to_sequence(code.key) if code.key else ""
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
