"""The lab manager's and PI's window: study set-up, assignment planning, reliability dashboard,
reconciliation into consensus, and export.

``open_manager_window(study, parent=None)`` is what the main window's "Manage study…" action
calls; the study must be opened by a manager (or the administrator).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QWidget

from observer_app.coding.errors import AccessDenied
from observer_app.services.study import Study

if TYPE_CHECKING:
    from observer_app.ui.manager.window import ManagerWindow

__all__ = ["analysis_pages", "open_manager_window"]


def open_manager_window(study: Study, parent: QWidget | None = None) -> ManagerWindow:
    """Create and show the manager window for ``study`` (managers only)."""
    from observer_app.ui.manager.window import ManagerWindow

    if not study.actor.is_manager:
        raise AccessDenied(f"only a manager may manage the study ({study.actor.name} is a coder)")
    window = ManagerWindow(study, parent)
    window.show()
    return window


def analysis_pages(study: Study, pool: QThreadPool) -> list[tuple[str, QWidget]]:
    """The reliability, reconciliation and export tabs, as far as their services exist."""
    pages: list[tuple[str, QWidget]] = []
    return pages
