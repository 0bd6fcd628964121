"""Hint and warning text stays readable in light and dark palettes."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QColor, QPalette

from observer_app.ui.contrast import readable


def _palette(window: str) -> QPalette:
    pal = QPalette()
    pal.setColor(QPalette.ColorRole.Window, QColor(window))
    return pal


def _contrast(a: QColor, b: QColor) -> float:
    """WCAG 2.1 contrast ratio of two colours (relative luminance, sRGB)."""

    def lum(c: QColor) -> float:
        def ch(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

        return 0.2126 * ch(c.redF()) + 0.7152 * ch(c.greenF()) + 0.0722 * ch(c.blueF())

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_warning_colours_reach_3_to_1_on_light_and_dark_windows(qapp: Any) -> None:
    for window in ("#f0f0f0", "#2b2b2b"):
        pal = _palette(window)
        for colour in ("#c0392b", "#2e7d32"):
            assert _contrast(readable(colour, pal), QColor(window)) >= 3.0, (colour, window)
