"""A coloured strip over the player: a message and an optional button."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget


class Banner(QWidget):
    """A coloured strip with a message and an optional button."""

    def __init__(self, colour: str, button: str | None = None) -> None:
        super().__init__()
        self.setAutoFillBackground(True)
        self.setStyleSheet(f"background: {colour}; color: #000000;")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        self.label = QLabel()
        self.label.setWordWrap(True)
        layout.addWidget(self.label, 1)
        self.button: QPushButton | None = None
        if button:
            self.button = QPushButton(button)
            self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            layout.addWidget(self.button)
        self.hide()

    def show_text(self, text: str) -> None:
        self.label.setText(text)
        self.show()
