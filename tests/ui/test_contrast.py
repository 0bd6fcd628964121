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


def test_codes_sharing_a_colour_get_distinct_shades_of_its_hue() -> None:
    from pathlib import Path

    from observer_app.coding.definitions.scheme import parse_scheme
    from observer_app.ui.contrast import code_colours

    root = Path(__file__).parents[2] / "resources/schemes/3rs.toml"
    scheme = parse_scheme(root.read_text(), "3rs.toml")
    shades = code_colours(scheme)
    for category in {c.category for c in scheme.codes}:
        codes = [c for c in scheme.codes if c.category == category]
        colours = [shades[c.id] for c in codes]
        assert len({c.name() for c in colours}) == len(codes), category
        hues = {QColor(c.colour).hslHue() for c in codes}
        assert {c.hslHue() for c in colours} <= hues | {-1}, category
