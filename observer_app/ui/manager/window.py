"""The manager window: study set-up, assignments, reliability, reconciliation and export tabs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QDateTime, QThreadPool
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QMainWindow, QTabWidget, QWidget

from observer_app.services.study import Study
from observer_app.ui.actions import ShortcutContext
from observer_app.ui.live import LiveUpdates
from observer_app.ui.manager._common import Page
from observer_app.ui.manager.audit_page import AuditPage
from observer_app.ui.manager.coders import CodersPage
from observer_app.ui.manager.definitions import DefinitionsPage
from observer_app.ui.manager.planner import PlannerPage
from observer_app.ui.manager.recordings import RecordingsPage


class ManagerWindow(QMainWindow):
    """Everything a lab manager does, one tab per task; each tab reloads when shown."""

    def __init__(
        self,
        study: Study,
        parent: QWidget | None = None,
        *,
        player_factory: Callable[[], Any] | None = None,
        live: LiveUpdates | None = None,
    ) -> None:
        super().__init__(parent)
        self.study = study
        self._player_factory = player_factory
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(2)
        self.setWindowTitle(f"Manage study - {study.name}")
        self.resize(1280, 820)
        self.tabs = QTabWidget()
        self.coders = CodersPage(study)
        self.recordings = RecordingsPage(study, self.pool)
        self.definitions = DefinitionsPage(study)
        self.planner = PlannerPage(study)
        self.tabs.addTab(self.coders, "Coders")
        self.tabs.addTab(self.recordings, "Recordings")
        self.tabs.addTab(self.definitions, "Schemes && instruments")
        self.tabs.addTab(self.planner, "Assignments")
        self._add_optional_pages()
        self._add_perspective_pages()
        self.audit = AuditPage(study)
        self.tabs.addTab(self.audit, "Audit")
        self.tabs.currentChanged.connect(self._tab_changed)
        self.definitions.definitionsChanged.connect(self._study_changed)
        self.setCentralWidget(self.tabs)
        # typing in a field never plays or decides (the reconciliation's Space and keys)
        self.shortcut_context = ShortcutContext.install(self, home=self.tabs)
        close = QAction("Close", self)
        close.setShortcut(QKeySequence.StandardKey.Close)
        close.triggered.connect(self.close)
        menu = self.menuBar().addMenu("&Study")
        self.export_action = QAction("Export to Excel…", self)
        self.export_action.triggered.connect(self.show_export)
        menu.addAction(self.export_action)
        menu.addSeparator()
        menu.addAction(close)
        app = QApplication.instance()
        if app is not None:  # quitting with the coding window must not wait for a long export
            app.aboutToQuit.connect(self.cancel_tasks)
        # Live progress from other workstations (issue 17): pages that can reload without
        # losing the manager's choices (``live_refresh``) do so; the status bar says when.
        # The coding window's live updates (``live``) when it opened this one, else its own.
        self.live = live if live is not None else LiveUpdates(study, self)
        self._unsubscribe = self.live.subscribe(self._changed_elsewhere)

    def _study_changed(self) -> None:
        for i in range(self.tabs.count()):
            page = self.tabs.widget(i)
            if isinstance(page, Page):
                page.study_changed()

    def _changed_elsewhere(self) -> None:
        self._study_changed()
        page = self.tabs.currentWidget()
        if getattr(page, "live_refresh", False) and isinstance(page, Page):
            page.refresh()
        when = QDateTime.currentDateTime().toString("HH:mm:ss")
        self.statusBar().showMessage(f"The study changed on another workstation ({when})", 10000)

    def _add_optional_pages(self) -> None:
        """Reliability, reconciliation and export need the analysis services."""
        from observer_app.ui.manager import analysis_pages, default_player

        factory = self._player_factory or default_player
        for title, page in analysis_pages(self.study, self.pool, factory):
            self.tabs.addTab(page, title)
            setattr(self, page.objectName(), page)

    def _add_perspective_pages(self) -> None:
        """Client and therapist self-reports, and the three perspectives side by side."""
        from observer_app.ui.manager.perspectives_page import PerspectivesPage
        from observer_app.ui.manager.selfreports_page import SelfReportsPage

        self.selfreports = SelfReportsPage(self.study)
        self.perspectives = PerspectivesPage(self.study)
        self.tabs.addTab(self.selfreports, "Self-reports")
        self.tabs.addTab(self.perspectives, "Perspectives")

    def _tab_changed(self, index: int) -> None:
        page = self.tabs.widget(index)
        if isinstance(page, Page):
            page.refresh()

    def show_export(self) -> None:
        page = getattr(self, "export", None)
        if page is not None:
            self.tabs.setCurrentWidget(page)

    def cancel_tasks(self) -> None:
        """Ask every running background task to stop (they check between units of work)."""
        for page in self.findChildren(Page):
            bar = getattr(page, "tasks", None)
            if bar is not None:
                bar.cancel()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._unsubscribe()
        self.cancel_tasks()
        self.pool.waitForDone(10_000)
        player = getattr(getattr(self, "reconcile", None), "player", None)
        if player is not None:
            player.close()
        super().closeEvent(event)
