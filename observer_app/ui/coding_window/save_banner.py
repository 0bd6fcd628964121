"""The banner that stays while a change is unsaved, and the retry timer (issue 17).

Owns its banner widget and timer; ``attach(session)`` follows one ``CodingSession``'s save guard
(``ui/save_guard.py``). While the guard is failing: the red banner shows what failed and how many
changes are kept, the status bar's "Saved" label says NOT SAVED, and a retry runs every few
seconds (and on "Retry now"). When everything is saved, the banner goes and the label shows the
time of the last commit again.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from observer_app.ui.coding_window.banner import Banner
from observer_app.ui.save_guard import RETRY_SECONDS
from observer_app.ui.session import CodingSession


class SaveBanner(QObject):
    def __init__(self, saved_label: QLabel | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.banner = Banner("#f4a3a3", "Retry now")
        self.banner.setObjectName("saveBanner")
        assert self.banner.button is not None
        self.banner.button.clicked.connect(self.retry)
        self._saved_label = saved_label
        self._timer = QTimer(self)
        self._timer.setInterval(RETRY_SECONDS * 1000)
        self._timer.timeout.connect(self.retry)
        self._session: CodingSession | None = None

    def set_saved_label(self, label: QLabel) -> None:
        self._saved_label = label

    def attach(self, session: CodingSession | None) -> None:
        if self._session is not None:
            self._session.saveStateChanged.disconnect(self.refresh)
        self._session = session
        if session is not None:
            session.saveStateChanged.connect(self.refresh)
        self.refresh()

    def warn_if_unsaved(self, parent: QWidget) -> None:
        """Leaving an assignment with unsaved changes: one last try, then say what is lost."""
        self.retry()
        guard = self._session.save_guard if self._session is not None else None
        if guard is None or not guard.failing:
            return
        lost = "\n".join(f"• {label}" for label in guard.unsaved_labels)
        QMessageBox.warning(
            parent,
            "Changes not saved",
            f"{guard.banner_text()}\n\nThese changes could not be saved and are lost now:\n{lost}",
        )

    def retry(self) -> None:
        if self._session is not None and self._session.save_guard.failing:
            self._session.retry_saves()
            self.refresh()

    def refresh(self) -> None:
        guard = self._session.save_guard if self._session is not None else None
        text = guard.banner_text() if guard is not None else None
        if text is None:
            self.banner.hide()
            self._timer.stop()
            when = self._session.last_saved if self._session is not None else None
            if when is not None and self._saved_label is not None:
                self._saved_label.setText(f"Saved {when:%H:%M:%S}")
            return
        assert guard is not None
        self.banner.show_text(text)
        if self._saved_label is not None:
            self._saved_label.setText(guard.status_text())
        if not self._timer.isActive():
            self._timer.start()
