"""Colours that stay readable in light and dark palettes."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from observer_app.coding.definitions.scheme import Scheme


def is_dark(palette: QPalette | None = None) -> bool:
    """Whether the palette's window background is dark."""
    pal = palette or QApplication.palette()
    return pal.color(QPalette.ColorRole.Window).lightnessF() < 0.5


def readable(colour: str | QColor, palette: QPalette | None = None) -> QColor:
    """``colour`` for text on the palette's background: as given on a light background, lighter
    (the same hue) on a dark one, so red warnings and green ticks read in both palettes."""
    c = QColor(colour)
    if is_dark(palette):
        h, s, l_, a = c.getHslF()
        c = QColor.fromHslF(h if h >= 0 else 0.0, s, max(l_, 0.72), a)
    return c


def css(colour: str | QColor, palette: QPalette | None = None) -> str:
    """:func:`readable` as a CSS colour name for style sheets and rich text."""
    return readable(colour, palette).name()


def code_colours(scheme: Scheme | None) -> dict[str, QColor]:
    """A colour per code: the scheme's colour, except that codes sharing one colour (the 3RS
    gives every withdrawal marker the same blue) get distinct shades of that hue, from dark to
    light in scheme order, so neighbouring marks stay distinguishable on the timeline."""
    if scheme is None:
        return {}
    groups: dict[str, list[str]] = {}
    for code in scheme.codes:
        groups.setdefault(code.colour.lower(), []).append(code.id)
    out: dict[str, QColor] = {}
    for colour, ids in groups.items():
        base = QColor(colour)
        if len(ids) == 1:
            out[ids[0]] = base
            continue
        h, s, _l, a = base.getHslF()
        for k, code_id in enumerate(ids):
            lightness = 0.30 + 0.40 * k / (len(ids) - 1)
            out[code_id] = QColor.fromHslF(h if h >= 0 else 0.0, s, lightness, a)
    return out
