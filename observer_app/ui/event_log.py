"""The event log view: the event table with a category filter; a click seeks to the event."""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from observer_app.coding.definitions.scheme import Scheme
from observer_app.services.records import EventRecord
from observer_app.ui.models import EVENT_ROLE, CategoryFilterModel, EventTableModel

Index = QModelIndex | QPersistentModelIndex
_LEFT_MIDDLE = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


class EventDelegate(QStyledItemDelegate):
    """Paints the log's cells directly (one call per cell instead of one per cell and role,
    which keeps a repaint after each key press cheap) and edits the Code column with a list
    of the scheme's codes of the same kind."""

    def __init__(self, log: EventLog) -> None:
        super().__init__(log)
        self._log = log
        self._red = QColor("#c0392b")

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        log = self._log
        source = log.proxy.mapToSource(index)
        if not source.isValid():
            return
        model = log.model
        e = model.event_at(source.row())
        col = index.column()
        rect = option.rect
        palette = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(rect, palette.highlight())
        x = rect.x() + 4
        if col == EventTableModel.CODE:
            painter.fillRect(QRect(x, rect.center().y() - 5, 11, 11), model.colour(e.code))
            x += 17
        painter.save()
        if col == EventTableModel.END and e.is_open:
            font = painter.font()
            font.setBold(True)
            painter.setFont(font)
            painter.setPen(palette.highlightedText().color() if selected else self._red)
        else:
            role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
            painter.setPen(palette.color(role))
        text_rect = QRect(x, rect.y(), rect.right() - x - 2, rect.height())
        text = painter.fontMetrics().elidedText(
            model.shown(e)[col], Qt.TextElideMode.ElideRight, text_rect.width()
        )
        painter.drawText(text_rect, _LEFT_MIDDLE, text)
        painter.restore()

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        scheme = self._log.scheme
        record = self._log.record_at(index)
        if scheme is None or record is None:
            return super().createEditor(parent, option, index)
        box = QComboBox(parent)
        kind = "state" if record.is_state else "point"
        for code in scheme.codes:
            if code.kind == kind:
                box.addItem(f"{code.label} ({code.id})", code.id)
        box.setCurrentIndex(max(0, box.findData(record.code)))
        return box

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        if not isinstance(editor, QComboBox):
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData())
        else:
            super().setModelData(editor, model, index)


class EventLog(QWidget):
    seekRequested = Signal(int)

    def __init__(self, model: EventTableModel, scheme: Scheme | None) -> None:
        super().__init__()
        self.model = model
        self.scheme = scheme
        self.proxy = CategoryFilterModel(self)
        self.proxy.setSourceModel(model)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        top = QHBoxLayout()
        top.addWidget(QLabel("Show"))
        self.filter = QComboBox()
        self.filter.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.filter.addItem("All categories", "")
        if scheme is not None:
            cats = [c.id for c in scheme.categories]
            cats += [c.category for c in scheme.codes if c.category not in cats]
            for cat in cats:
                self.filter.addItem(scheme.category_label(cat), cat)
        self.filter.currentIndexChanged.connect(self._filter_changed)
        top.addWidget(self.filter)
        top.addStretch(1)
        self.count = QLabel()
        top.addWidget(self.count)
        layout.addLayout(top)
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.view.verticalHeader().hide()
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate((100, 100, 170, 110, 150)):
            self.view.setColumnWidth(col, width)
        self.view.setItemDelegate(EventDelegate(self))
        self.view.clicked.connect(self._clicked)
        layout.addWidget(self.view)
        for signal in (model.rowsInserted, model.rowsRemoved, model.modelReset):
            signal.connect(self._count)
        self._count()

    def _filter_changed(self) -> None:
        cat = self.filter.currentData()
        self.proxy.set_categories([cat] if cat else [])
        self._count()

    def _count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.count.setText(f"{total} events" if shown == total else f"{shown} of {total} events")

    def _clicked(self, index: Index) -> None:
        source = self.proxy.mapToSource(index)
        if source.isValid():
            self.seekRequested.emit(self.model.event_at(source.row()).onset_ms)

    def record_at(self, index: Index) -> EventRecord | None:
        source = self.proxy.mapToSource(index)
        return self.model.event_at(source.row()) if source.isValid() else None

    def selected_event_id(self) -> int | None:
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return None
        value = self.proxy.data(rows[0], EVENT_ROLE)
        return int(value) if value is not None else None

    def show_event(self, event_id: int, select: bool = True) -> None:
        row = self.model.row_of(event_id)
        if row is None:
            return
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            return
        self.view.scrollTo(index)
        if select:
            self.view.selectRow(index.row())
