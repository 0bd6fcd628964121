"""Shared pieces of the manager window: the task bar over background tasks, table models, pages.

Background work (adding recordings, reliability, export) runs through the one mechanism of
``observer_app.ui.workers`` (a :class:`~observer_app.ui.workers.Task` on a ``QThreadPool``,
results relayed to the GUI thread); :class:`TaskBar` shows its progress and a Cancel button.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QThreadPool,
    Signal,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from observer_app.coding.errors import ObserverError
from observer_app.ui.workers import Cancelled, Progress, Relay, Task, TaskSignals

log = logging.getLogger(__name__)

__all__ = ["Cancelled", "Progress", "TaskBar"]  # the workers' names pages import from here

AnyIndex = QModelIndex | QPersistentModelIndex

#: Colours used across the manager views (readable on light and dark palettes).
LOW = QColor(255, 205, 200)  # below threshold / disagreement
GOOD = QColor(205, 240, 205)  # matched / agreement
WARN = QColor(255, 236, 179)  # partial: code mismatch
MUTED = QColor(225, 225, 225)


class TaskBar(QWidget):
    """A progress bar with a caption and a Cancel button that runs one task at a time.

    ``start(work, on_done, caption)``: ``on_done(result)`` runs on the GUI thread; failures and
    cancellation are shown in the caption. ``busy`` is True while a task runs; ``idle`` is
    emitted when it ends, whichever way.
    """

    idle = Signal()

    def __init__(self, pool: QThreadPool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pool = pool
        self._progress: Progress | None = None
        self._relay: Relay | None = None
        #: Signal objects of every task started here: a pool thread may still be inside an
        #: emit on one after the GUI thread has handled it, so they live as long as the bar.
        self._signals: list[TaskSignals] = []
        #: Relays likewise: deleting one from inside its own slot (deleteLater or the last
        #: Python reference) crashed Qt's event dispatch; they are a few bytes each.
        self._relays: list[Relay] = []
        self.caption = QLabel()
        self.bar = QProgressBar()
        self.bar.setMinimumWidth(220)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.caption, 1)
        row.addWidget(self.bar)
        row.addWidget(self.cancel_button)
        self.last_error: str | None = None
        self._set_running(False)

    @property
    def busy(self) -> bool:
        return self._progress is not None

    def _set_running(self, running: bool) -> None:
        self.bar.setVisible(running)
        self.cancel_button.setVisible(running)

    def start(
        self,
        work: Callable[[Progress], Any],
        on_done: Callable[[Any], None],
        caption: str,
        on_failed: Callable[[str], None] | None = None,
    ) -> Progress:
        if self._progress is not None:
            raise RuntimeError("a task is already running")
        signals = TaskSignals()
        self._signals.append(signals)
        relay = Relay(
            self,
            lambda r: self._end(on_done, r),
            self._fail(on_failed),
            self._step,
            self._cancelled,
        )
        self._relays.append(relay)
        signals.finished.connect(relay.done)
        signals.failed.connect(relay.failed)
        signals.progress.connect(relay.progress)
        signals.cancelled.connect(relay.cancelled)
        task = Task(work, signals)
        self._progress, self._relay = task.progress, relay
        self.last_error = None
        self.caption.setText(caption)
        self.bar.setRange(0, 0)
        self._set_running(True)
        self._pool.start(task)
        return task.progress

    def cancel(self) -> None:
        if self._progress is not None and not self._progress.cancelled:
            self._progress.cancelled = True
            self.caption.setText(self.caption.text() + " - cancelling…")

    def _step(self, done: int, total: int, text: str) -> None:
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(done)
        if text:
            self.caption.setText(text)

    def _finish(self) -> None:
        self._progress = None
        self._relay = None  # kept in self._relays (see start)
        self._set_running(False)
        self.idle.emit()

    def _end(self, on_done: Callable[[Any], None], result: Any) -> None:
        self.caption.setText("")
        self._finish()
        on_done(result)

    def _fail(self, on_failed: Callable[[str], None] | None) -> Callable[[str], None]:
        def failed(message: str) -> None:
            self.last_error = message
            self.caption.setText(message)
            self._finish()
            if on_failed is not None:
                on_failed(message)

        return failed

    def _cancelled(self) -> None:
        self.caption.setText("Cancelled.")
        self._finish()


# -- table models ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    """One column of a :class:`RowsModel`: title, how to show a row, optionally how to edit it."""

    title: str
    show: Callable[[Any], Any]
    edit: Callable[[Any, Any], Any] | None = None  # (row, value) -> the changed row
    raw: Callable[[Any], Any] | None = None  # value for the editor / sorting
    align_right: bool = False
    tip: Callable[[Any], str | None] | None = None


class RowsModel(QAbstractTableModel):
    """A read-mostly table of immutable records; each view gets its own subclass and instance.

    An editable column's ``edit`` calls a service and returns the updated record; a refused edit
    (an ObserverError) leaves the row unchanged and is emitted as ``editFailed``.
    """

    editFailed = Signal(str)

    def __init__(self, columns: Sequence[Column], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._rows: list[Any] = []

    # rows
    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[Any]:
        return list(self._rows)

    def row_at(self, row: int) -> Any:
        return self._rows[row]

    # Qt API
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._columns[section].title if 0 <= section < len(self._columns) else None
        return str(section + 1)

    def background(self, row: Any, column: int) -> QColor | None:
        """Override to colour cells (thresholds, disagreements)."""
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if not 0 <= index.column() < len(self._columns):
            return None
        row, col = self._rows[index.row()], self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            value = col.show(row)
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.EditRole:
            value = (col.raw or col.show)(row)
            return "" if value is None else value
        if role == Qt.ItemDataRole.TextAlignmentRole and col.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            colour = self.background(row, index.column())
            return QBrush(colour) if colour is not None else None
        if role == Qt.ItemDataRole.ToolTipRole and col.tip is not None:
            return col.tip(row)
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self._columns[index.column()].edit is not None:
            base |= Qt.ItemFlag.ItemIsEditable
        return base

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        edit = self._columns[index.column()].edit
        if edit is None:
            return False
        try:
            updated = edit(self._rows[index.row()], value)
        except (ObserverError, ValueError) as exc:
            self.editFailed.emit(str(exc))
            return False
        self._rows[index.row()] = updated
        left = self.index(index.row(), 0)
        right = self.index(index.row(), len(self._columns) - 1)
        self.dataChanged.emit(left, right)
        return True


def make_table(model: QAbstractTableModel, *, stretch_last: bool = True) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
    view.setWordWrap(False)
    view.horizontalHeader().setStretchLastSection(stretch_last)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.setEditTriggers(
        QTableView.EditTrigger.DoubleClicked
        | QTableView.EditTrigger.EditKeyPressed
        | QTableView.EditTrigger.AnyKeyPressed
    )
    return view


def selected_rows(view: QTableView) -> list[int]:
    model = view.selectionModel()
    return sorted(
        {i.row() for i in model.selectedRows()} | {i.row() for i in model.selectedIndexes()}
    )


class Page(QWidget):
    """A tab of the manager window: a status line for results and errors, and ``refresh()``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._boxes: list[QMessageBox] = []

    def refresh(self) -> None:
        """Reload from the study (called when the tab is shown)."""

    def study_changed(self) -> None:
        """The study changed on another workstation or on another tab (a scheme imported):
        drop what the page keeps between refreshes (called on every page)."""

    def report(self, text: str) -> None:
        self.status.setStyleSheet("")
        self.status.setText(text)

    def report_error(self, text: str, *, popup: bool = False) -> None:
        self.status.setStyleSheet("color: #a40000;")
        self.status.setText(text)
        if popup:
            self.popup("Problem", text, icon=QMessageBox.Icon.Warning)

    def popup(
        self,
        title: str,
        text: str,
        details: str = "",
        icon: QMessageBox.Icon = QMessageBox.Icon.Information,
    ) -> QMessageBox:
        """A non-blocking message box (window-modal, the event loop keeps running)."""
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self)
        if details:
            box.setDetailedText(details)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _r, b=box: self._boxes.remove(b) if b in self._boxes else None)
        self._boxes.append(box)
        box.open()
        return box

    def run_action(self, action: Callable[[], Any], done: str = "") -> Any:
        """Run a quick service call on the GUI thread; an ObserverError goes to the status line."""
        try:
            result = action()
        except ObserverError as exc:
            self.report_error(str(exc))
            return None
        if done:
            self.report(done)
        return result


def vbox(*widgets: QWidget, margins: int = 6) -> QVBoxLayout:
    layout = QVBoxLayout()
    layout.setContentsMargins(margins, margins, margins, margins)
    for w in widgets:
        layout.addWidget(w)
    return layout


def hms(ms: int | None) -> str:
    """``h:mm:ss`` (or ``m:ss``) of a duration or position in ms."""
    if ms is None:
        return ""
    s = int(ms) // 1000
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def hms_ms(ms: int | None) -> str:
    """``m:ss.mmm``: a time with milliseconds (events)."""
    if ms is None:
        return ""
    return f"{hms(ms)}.{int(ms) % 1000:03d}"
