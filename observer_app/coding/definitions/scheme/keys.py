"""Key bindings of codes: the modifiers and named keys a binding may use, the keys kept for
playback, and the canonical spelling of a binding."""

from __future__ import annotations

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
#: Keys the coding window keeps for playback (play/pause, step, leave); a code may not use them.
RESERVED_KEYS = frozenset({"space", "left", "right", "escape"})


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
