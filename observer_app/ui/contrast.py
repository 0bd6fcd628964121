"""Colours that stay readable in light and dark palettes."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication


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
