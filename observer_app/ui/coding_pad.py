"""The coding pad: one button per code, grouped by category, in the code's colour, key shown.

A click does what the code's key does (the window connects ``codeClicked`` to the same handler);
state codes that are open are shown pressed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QResizeEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from observer_app.coding.definitions.scheme import Scheme
from observer_app.ui.contrast import code_colours

COLUMNS = 2
#: A scheme with more codes than this gets the compact pad: one line per button ("[1] Denial"),
#: three columns, tight margins, so the 24 codes of the 3RS fit a 1280x800 screen unscrolled.
COMPACT_ABOVE = 12
COMPACT_COLUMNS = 3


class _CodeButton(QPushButton):
    """A code's button; in the compact pad its one-line text is elided to fit (the tooltip
    keeps the whole label)."""

    def __init__(self, compact: bool) -> None:
        super().__init__()
        self.compact = compact
        self.full_text = ""

    def set_full_text(self, text: str) -> None:
        self.full_text = text
        self._fit()

    def _fit(self) -> None:
        if not self.compact:
            self.setText(self.full_text)
            return
        width = max(20, self.width() - 12)
        elided = self.fontMetrics().elidedText(self.full_text, Qt.TextElideMode.ElideRight, width)
        self.setText(elided.replace("&", "&&"))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()


def _text_colour(background: QColor) -> str:
    return "#000000" if background.lightnessF() > 0.6 else "#ffffff"


class CodingPad(QScrollArea):
    codeClicked = Signal(str)

    def __init__(self, scheme: Scheme | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.buttons: dict[str, _CodeButton] = {}
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        self._scheme = scheme
        self.compact = scheme is not None and len(scheme.codes) > COMPACT_ABOVE
        shades = code_colours(scheme)
        columns = COMPACT_COLUMNS if self.compact else COLUMNS
        if self.compact:
            layout.setContentsMargins(2, 2, 2, 2)
            layout.setSpacing(2)
        if scheme is not None:
            cats = [c.id for c in scheme.categories]
            cats += [c.category for c in scheme.codes if c.category not in cats]
            for cat in cats:
                codes = [c for c in scheme.codes if c.category == cat]
                if not codes:
                    continue
                box = QGroupBox(scheme.category_label(cat))
                grid = QGridLayout(box)
                grid.setSpacing(2 if self.compact else 4)
                if self.compact:
                    grid.setContentsMargins(4, 2, 4, 4)
                for i, code in enumerate(codes):
                    b = _CodeButton(self.compact)
                    b.setObjectName(f"code_{code.id}")
                    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
                    b.setCheckable(code.kind == "state")
                    if self.compact:
                        b.setMinimumHeight(b.fontMetrics().height() + 6)
                    else:
                        b.setMinimumHeight(2 * b.fontMetrics().height() + 10)
                    b.setMinimumWidth(60)
                    b.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
                    colour = shades[code.id]
                    b.setStyleSheet(
                        f"QPushButton {{ background: {colour.name()}; "
                        f"color: {_text_colour(colour)}; border-radius: 4px; "
                        f"padding: {1 if self.compact else 4}px; "
                        f"border: 1px solid {colour.darker(130).name()}; }}"
                        f"QPushButton:checked {{ border: 3px solid palette(highlight); "
                        f"font-weight: bold; }}"
                        f"QPushButton:disabled {{ background: palette(button); "
                        f"color: palette(mid); }}"
                    )
                    b.clicked.connect(lambda _=False, cid=code.id: self._clicked(cid))
                    grid.addWidget(b, i // columns, i % columns)
                    self.buttons[code.id] = b
                layout.addWidget(box)
        layout.addStretch(1)
        self.setWidget(body)
        self.set_keys({})

    def _clicked(self, code_id: str) -> None:
        button = self.buttons[code_id]
        if button.isCheckable():  # the pressed look follows the open states, not the click
            button.setChecked(not button.isChecked())
        self.codeClicked.emit(code_id)

    def set_keys(self, keys: Mapping[str, str]) -> None:
        """Show each code's current key (code id -> shortcut text) on its button."""
        if self._scheme is None:
            return
        for code in self._scheme.codes:
            key = keys.get(code.id, "")
            if self.compact:
                mark = "◼ " if code.kind == "state" else ""
                label = f"[{key}] {mark}{code.label}" if key else f"{mark}{code.label}"
            else:
                kind = "◼ state" if code.kind == "state" else "• point"
                label = f"{code.label}\n[{key}]  {kind}" if key else f"{code.label}\n{kind}"
            self.buttons[code.id].set_full_text(label)
            tip = f"{code.label} [{key}] ({code.kind})" if key else f"{code.label} ({code.kind})"
            self.buttons[code.id].setToolTip(
                tip + (f"\n{code.description}" if code.description else "")
            )

    def content_height(self) -> int:
        """The height the pad needs to show every code without scrolling."""
        body = self.widget()
        return body.sizeHint().height() + 2 * self.frameWidth() if body is not None else 0

    def set_open(self, open_codes: Iterable[str]) -> None:
        wanted = set(open_codes)
        for code_id, button in self.buttons.items():
            if button.isCheckable():
                button.setChecked(code_id in wanted)

    def set_read_only(self, read_only: bool) -> None:
        for button in self.buttons.values():
            button.setEnabled(not read_only)
