"""Key bindings of codes: the modifiers and named keys a binding may use, the keys kept for
playback, and the canonical spelling of a binding."""

from __future__ import annotations

from dataclasses import dataclass

from observer_app.coding.definitions._source import show

KEY_MODIFIERS = ("ctrl", "alt", "shift", "meta")
NAMED_KEYS = frozenset(
    {f"f{n}" for n in range(1, 13)}
    | {
        "space",
        "tab",
        "enter",
        "escape",
        "backspace",
        "delete",
        "insert",
        "home",
        "end",
        "pageup",
        "pagedown",
        "left",
        "right",
        "up",
        "down",
    }
)


@dataclass(frozen=True)
class WindowShortcut:
    """A key the coding window keeps for itself: the action it triggers and its words."""

    action: str  # the action id of the window's action table (``observer_app.ui.actions``)
    text: str
    key: str  # canonical spelling (``normalize_key``)


#: The coding window's own shortcuts, in one place: the action table takes its default keys
#: from here and scheme validation refuses a code key that would collide with one of them
#: (a collision makes Qt report the shortcut ambiguous and neither action fires).
WINDOW_SHORTCUTS: tuple[WindowShortcut, ...] = (
    WindowShortcut("open_queue", "Open assignment", "ctrl+o"),
    WindowShortcut("complete", "Mark complete", "ctrl+enter"),
    WindowShortcut("show_problems", "Show problems", "ctrl+p"),
    WindowShortcut("preferences", "Preferences", "ctrl+,"),
    WindowShortcut("quit", "Quit", "ctrl+q"),
    WindowShortcut("undo", "Undo", "ctrl+z"),
    WindowShortcut("redo", "Redo", "ctrl+shift+z"),
    WindowShortcut("delete_event", "Delete selected event", "delete"),
    WindowShortcut("onset_now", "Set the selected event's start to the current position", "ctrl+["),
    WindowShortcut("offset_now", "Set the selected state's end to the current position", "ctrl+]"),
    WindowShortcut("play_pause", "Play / pause", "space"),
    WindowShortcut("jump_back", "Jump back", "left"),
    WindowShortcut("jump_forward", "Jump forward", "right"),
    WindowShortcut("frame_back", "Previous frame", "shift+left"),
    WindowShortcut("frame_forward", "Next frame", "shift+right"),
    WindowShortcut("slower", "Slower", "["),
    WindowShortcut("faster", "Faster", "]"),
    WindowShortcut("rate_normal", "Normal rate (1x)", "backspace"),
    WindowShortcut("mute", "Mute", "ctrl+m"),
    WindowShortcut("prev_segment", "Previous segment", "ctrl+left"),
    WindowShortcut("next_segment", "Next segment", "ctrl+right"),
    WindowShortcut("loop_segment", "Loop current segment", "ctrl+l"),
    WindowShortcut("focus_form", "Rate this segment", "ctrl+r"),
    WindowShortcut("zoom_in", "Zoom timeline in", "ctrl+="),
    WindowShortcut("zoom_out", "Zoom timeline out", "ctrl+-"),
    WindowShortcut("zoom_all", "Whole recording in the timeline", "ctrl+0"),
    WindowShortcut("spectrogram", "Spectrogram under the timeline", "ctrl+shift+s"),
    WindowShortcut("keys_help", "Keyboard shortcuts", "f1"),
    # keys of the views rather than of menu actions
    WindowShortcut("edit_cell", "Edit the focused cell of the event log", "f2"),
    WindowShortcut("edit_cell", "Edit the focused cell of the event log", "enter"),
    WindowShortcut("leave_editor", "Leave an editor / cancel", "escape"),
    WindowShortcut("next_field", "Next field", "tab"),
    # the menu bar's mnemonics (``observer_app.ui.actions.MENUS``, each "&Name"): Alt+letter
    # opens that menu, and a code on the same key would never fire
    WindowShortcut("menu_assignment", "Assignment menu", "alt+a"),
    WindowShortcut("menu_edit", "Edit menu", "alt+e"),
    WindowShortcut("menu_playback", "Playback menu", "alt+p"),
    WindowShortcut("menu_code", "Code menu", "alt+c"),
    WindowShortcut("menu_segments", "Segments menu", "alt+s"),
    WindowShortcut("menu_view", "View menu", "alt+v"),
    WindowShortcut("menu_help", "Help menu", "alt+h"),
)

#: Every key in :data:`WINDOW_SHORTCUTS`; a code may not use them.
RESERVED_KEYS = frozenset(s.key for s in WINDOW_SHORTCUTS)


def window_shortcut(key: str) -> WindowShortcut | None:
    """The window shortcut bound to ``key`` (any spelling ``normalize_key`` accepts), if any."""
    try:
        wanted = normalize_key(key)
    except ValueError:
        return None
    return next((s for s in WINDOW_SHORTCUTS if s.key == wanted), None)


def default_window_key(action: str) -> str:
    """The canonical key of window action ``action`` ("" when it has none)."""
    return next((s.key for s in WINDOW_SHORTCUTS if s.action == action), "")


def normalize_key(key: str) -> str:
    """Canonical spelling of a key binding: ``"Shift+W"`` -> ``"shift+w"``.

    Raises ``ValueError`` naming the problem for a binding that is not ``[modifier+]...key``
    with modifiers among ctrl, alt, shift, meta and the key a single character or a named key.
    """
    text = key.strip()
    if text == "+":
        mods, last = [], "+"
    elif text.endswith("++"):
        mods, last = text[:-2].split("+"), "+"
    else:
        *mods, last = text.split("+")
    mods = [m.strip().lower() for m in mods]
    last = last.strip().lower()
    for mod in mods:
        if mod not in KEY_MODIFIERS:
            raise ValueError(f"{show(mod)} is not a modifier ({', '.join(KEY_MODIFIERS)})")
    if len(set(mods)) != len(mods):
        raise ValueError("repeats a modifier")
    if (
        not (len(last) == 1 and last.isprintable() and not last.isspace())
        and last not in NAMED_KEYS
    ):
        raise ValueError(
            f"{show(last)} is not a key (a single character, F1-F12 or a named key such as "
            "'enter', 'tab', 'up')"
        )
    ordered = [m for m in KEY_MODIFIERS if m in mods]
    return "+".join([*ordered, last])
