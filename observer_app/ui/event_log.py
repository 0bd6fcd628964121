"""The event log view: the event table with a category filter; a click seeks to the event."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QKeyEvent, QPainter, QPaintEvent, QPalette, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from observer_app.coding.definitions.scheme import Scheme
from observer_app.services.records import EventRecord
from observer_app.ui.contrast import readable
from observer_app.ui.models import EVENT_ROLE, CategoryFilterModel, EventTableModel

Index = QModelIndex | QPersistentModelIndex
_LEFT_MIDDLE = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
# looked up once: the delegate paints every visible cell after each key press
_SELECTED = QStyle.StateFlag.State_Selected
_TEXT = QPalette.ColorRole.Text
_HIGHLIGHTED_TEXT = QPalette.ColorRole.HighlightedText
_CODE, _END = EventTableModel.CODE, EventTableModel.END


#: Elided texts kept by the log's delegate before the cache starts again.
_ELIDED_MAX = 20_000


class EventDelegate(QStyledItemDelegate):
    """Paints the log's cells directly (one call per cell instead of one per cell and role,
    which keeps a repaint after each key press cheap) and edits the Code column with a list
    of the scheme's codes of the same kind."""

    def __init__(self, log: EventLog) -> None:
        super().__init__(log)
        self._log = log
        self._red = readable(QColor("#c0392b"))  # an open state's end, in both palettes
        #: (text, width) -> the text elided to that width: a key press repaints every visible
        #: cell, and eliding is the costliest part of a cell (texts never change under a key)
        self._elided: dict[tuple[str, int], str] = {}

    def _elide(self, painter: QPainter, text: str, width: int) -> str:
        key = (text, width)
        out = self._elided.get(key)
        if out is None:
            if len(self._elided) > _ELIDED_MAX:
                self._elided.clear()
            out = painter.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, width)
            self._elided[key] = out
        return out

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        log = self._log
        proxy = log.proxy
        if proxy.filtering:
            source = proxy.mapToSource(index)
            if not source.isValid():
                return
            row = source.row()
        else:  # nothing filtered: the proxy's rows are the model's
            row = index.row()
        rect = option.rect
        self.paint_row(
            painter,
            [(index.column(), rect.x(), rect.width())],
            band=(rect.y(), rect.height()),
            palette=option.palette,
            selected=bool(option.state & _SELECTED),
            row=row,
        )

    def paint_row(
        self,
        painter: QPainter,
        columns: list[tuple[int, int, int]],
        *,
        band: tuple[int, int],
        palette: QPalette,
        selected: bool,
        row: int,
    ) -> None:
        """The cells of model row ``row`` in ``columns`` ((column, x, width) each), ``band``
        (top, height): each text elided to fit, the code with its colour swatch, an open
        state's end in bold red; an empty text is not drawn."""
        y, h = band
        model = self._log.model
        e = model.event_at(row)
        texts = model.shown(e)
        if selected:
            left = columns[0][1]
            right = columns[-1][1] + columns[-1][2]
            painter.fillRect(QRect(left, y, right - left, h), palette.highlight())
        painter.setPen(palette.color(_HIGHLIGHTED_TEXT if selected else _TEXT))
        for col, x0, w in columns:
            x = x0 + 4
            if col == _CODE:
                painter.fillRect(QRect(x, y + (h - 1) // 2 - 5, 11, 11), model.colour(e.code))
                x += 17
            text = texts[col]
            if not text:
                continue
            text_rect = QRect(x, y, x0 + w - 1 - x - 2, h)
            if col == _END and e.is_open:
                self._paint_open_end(painter, text_rect, text, palette, selected)
                continue
            painter.drawText(text_rect, _LEFT_MIDDLE, self._elide(painter, text, text_rect.width()))

    def _paint_open_end(
        self, painter: QPainter, rect: QRect, text: str, palette: QPalette, selected: bool
    ) -> None:
        painter.save()
        font = painter.font()
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(palette.highlightedText().color() if selected else self._red)
        elided = painter.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect, _LEFT_MIDDLE, elided)
        painter.restore()

    def createEditor(
        self, parent: QWidget, option: QStyleOptionViewItem, index: Index
    ) -> QWidget | None:
        """The editor of the cell's column: a list of codes of the same kind for the code, a
        time field for the start and end, a multi-line field for the comment; the modifiers
        open the modifier picker (``EventLog.modifiersRequested``)."""
        record = self._log.record_at(index)
        col = index.column()
        if record is None:
            return None
        if col == EventTableModel.MODIFIERS:
            self._log.modifiersRequested.emit(record.id)
            return None
        if col == EventTableModel.COMMENT:
            text = QPlainTextEdit(parent)
            text.setObjectName("commentEditor")
            text.setTabChangesFocus(True)
            text.setPlaceholderText("Comment (Enter saves, Shift+Enter new line, Esc cancels)")
            return text
        if col in (EventTableModel.TIME, EventTableModel.END):
            line = QLineEdit(parent)
            line.setObjectName("timeEditor")
            line.setPlaceholderText("hh:mm:ss.mmm, f<frame> or now")
            line.setToolTip(
                "Type a time (hh:mm:ss.mmm), a frame number (f1234), or 'now' for the current "
                "position; an end may be 'open'. Enter saves, Esc cancels."
            )
            return line
        scheme = self._log.scheme
        if col == EventTableModel.SUBJECT and scheme is not None and scheme.subjects:
            box = QComboBox(parent)
            box.addItem("(none)", "")
            for subject in scheme.subjects:
                box.addItem(subject.label, subject.id)
            box.setCurrentIndex(max(0, box.findData(record.subject or "")))
            return box
        if col != EventTableModel.CODE or scheme is None:
            return None
        box = QComboBox(parent)
        kind = "state" if record.is_state else "point"
        for code in scheme.codes:
            if code.kind == kind:
                box.addItem(f"{code.label} ({code.id})", code.id)
        box.setCurrentIndex(max(0, box.findData(record.code)))
        return box

    def updateEditorGeometry(
        self, editor: QWidget, option: QStyleOptionViewItem, index: Index
    ) -> None:
        rect = QRect(option.rect)
        if isinstance(editor, QPlainTextEdit):  # room for a few lines of comment
            rect.setHeight(max(rect.height(), editor.fontMetrics().height() * 4 + 10))
            rect.setWidth(max(rect.width(), 320))
            area = editor.parentWidget()  # the view's viewport: keep every typed word in it
            if area is not None:
                rect.moveRight(min(rect.right(), area.width() - 1))
                rect.moveBottom(min(rect.bottom(), area.height() - 1))
                rect.moveLeft(max(rect.left(), 0))
                rect.moveTop(max(rect.top(), 0))
        editor.setGeometry(rect)

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        text = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(editor, QPlainTextEdit):
            editor.setPlainText(str(text or ""))
            editor.moveCursor(QTextCursor.MoveOperation.End)
        elif isinstance(editor, QLineEdit):
            editor.setText(str(text or ""))
            editor.selectAll()
        elif not isinstance(editor, QComboBox):
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData())
        elif isinstance(editor, QPlainTextEdit):
            model.setData(index, editor.toPlainText())
        elif isinstance(editor, QLineEdit):
            model.setData(index, editor.text())
        else:
            super().setModelData(editor, model, index)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter saves at once (in a comment, Shift+Enter is a new line); other keys as Qt's
        delegate (which would commit on Enter only later, from the event queue)."""
        shift = isinstance(watched, QPlainTextEdit) and isinstance(event, QKeyEvent)
        if shift:
            shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        if (
            isinstance(watched, QPlainTextEdit | QLineEdit | QComboBox)
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not shift
        ):
            self.commitData.emit(watched)
            self.closeEditor.emit(watched, QAbstractItemDelegate.EndEditHint.NoHint)
            return True
        return super().eventFilter(watched, event)


class _LogView(QTableView):
    """The log's table: Enter (like F2) edits the focused cell; its cells are painted in one
    pass by the log's delegate (``cells``).

    Qt's own table repaint calls into Python for every visible cell, several times (the
    delegate, the flags), and a logged event repaints the whole viewport (every row below it
    moves): some 160 cells, most of a key press's time. This paints the same cells, grid and
    selection from one Python call."""

    cells: EventDelegate | None = None
    source_row: Callable[[int], int] | None = None  # a view row -> the model's row

    def keyPressEvent(self, event: QKeyEvent) -> None:
        plain = not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if (
            event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and plain
            and self.state() != QAbstractItemView.State.EditingState
            and self.currentIndex().isValid()
        ):
            self.edit(self.currentIndex())
            return
        super().keyPressEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        cells, source_row = self.cells, self.source_row
        rows = self.model().rowCount() if self.model() is not None else 0
        if cells is None or source_row is None or not rows:
            super().paintEvent(event)
            return
        area = event.rect()
        first = max(0, self.rowAt(area.top()))
        last = self.rowAt(area.bottom())
        last = rows - 1 if last < 0 else last
        columns = self._visible_columns(area)
        palette = self._palette()
        grid = self.showGrid()
        gap = 1 if grid else 0
        selection = self.selectionModel()
        inner = [(col, x, w - gap) for col, x, w in columns]  # a cell stops before the grid
        pen = self._grid_colour()
        chosen = {i.row() for i in selection.selectedRows()} if selection is not None else set()
        painter = QPainter(self.viewport())
        try:
            bottom = area.top()
            for row in range(first, last + 1):
                y = self.rowViewportPosition(row)
                h = self.rowHeight(row) - gap
                if inner:
                    cells.paint_row(
                        painter,
                        inner,
                        band=(y, h),
                        palette=palette,
                        selected=row in chosen,
                        row=source_row(row),
                    )
                bottom = y + h
                if grid:
                    painter.setPen(pen)
                    painter.drawLine(area.left(), bottom, area.right(), bottom)
            if grid:
                painter.setPen(pen)
                for _, x, w in columns:
                    painter.drawLine(x + w - 1, area.top(), x + w - 1, bottom)
        finally:
            painter.end()

    def _visible_columns(self, area: QRect) -> list[tuple[int, int, int]]:
        """(model column, x, width) of the columns shown in ``area``, left to right."""
        header = self.horizontalHeader()
        out = []
        for visual in range(header.count()):
            col = header.logicalIndex(visual)
            if header.isSectionHidden(col):
                continue
            x, w = self.columnViewportPosition(col), self.columnWidth(col)
            if w > 0 and x + w > area.left() and x <= area.right():
                out.append((col, x, w))
        return out

    def _palette(self) -> QPalette:
        """The view's palette in the group Qt's items use (inactive when the window is)."""
        palette = QPalette(self.palette())
        if not self.isEnabled():
            palette.setCurrentColorGroup(QPalette.ColorGroup.Disabled)
        elif not self.isActiveWindow():
            palette.setCurrentColorGroup(QPalette.ColorGroup.Inactive)
        return palette

    def _grid_colour(self) -> QColor:
        option = QStyleOptionViewItem()
        option.initFrom(self)
        hint = self.style().styleHint(QStyle.StyleHint.SH_Table_GridLineColor, option, self)
        return QColor.fromRgba(hint & 0xFFFFFFFF)


class EventLog(QWidget):
    seekRequested = Signal(int)
    modifiersRequested = Signal(int)  # event id: edit its modifiers in the picker

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
        self.view = _LogView()
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
        # a selection of its own: the selected row (a new event's) would repaint the header at
        # every key press, highlighted or not
        header.setHighlightSections(False)
        header.setSelectionModel(QItemSelectionModel(self.proxy, header))
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        # widths from the font, so every column shows in a dock a third of 1280 px wide: a time
        # fits exactly, names and modifiers are elided (the tooltip and the editor show all)
        fm = self.fontMetrics()
        time_w = fm.horizontalAdvance("00:00:00.000") + 12
        chars = fm.averageCharWidth()
        widths = (time_w, time_w, 13 * chars, 9 * chars, 9 * chars, 11 * chars, 9 * chars)
        for col, width in enumerate(widths):
            self.view.setColumnWidth(col, width)
        header.setMinimumSectionSize(4 * chars)
        # the subject sits next to the code, and only when the scheme declares subjects
        header.moveSection(EventTableModel.SUBJECT, EventTableModel.CODE + 1)
        has_subjects = scheme is not None and bool(scheme.subjects)
        self.view.setColumnHidden(EventTableModel.SUBJECT, not has_subjects)
        self.delegate = self._delegate()
        self.view.clicked.connect(self._clicked)
        self.view.installEventFilter(self)  # F2 on a cell that cannot be edited says why
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

    def _delegate(self) -> EventDelegate:
        """The delegate: it edits cells, and paints the viewport's rows in one pass."""
        delegate = EventDelegate(self)
        self.view.setItemDelegate(delegate)
        self.view.cells = delegate
        self.view.source_row = self._source_row
        return delegate

    def _source_row(self, row: int) -> int:
        """The model's row shown in the view's ``row`` (the same when nothing is filtered)."""
        if not self.proxy.filtering:
            return row
        return self.proxy.mapToSource(self.proxy.index(row, 0)).row()

    def _clicked(self, index: Index) -> None:
        source = self.proxy.mapToSource(index)
        if source.isValid():
            self.seekRequested.emit(self.model.event_at(source.row()).onset_ms)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """F2 or Enter on a cell that cannot be edited (a point's end, the category) says why
        in the status bar (``editRefused``) instead of doing nothing."""
        view = self.view
        if (
            watched is view
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_F2, Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            and view.state() != QAbstractItemView.State.EditingState
        ):
            current = view.currentIndex()
            source = self.proxy.mapToSource(current)
            if source.isValid() and not current.flags() & Qt.ItemFlag.ItemIsEditable:
                reason = self.model.why_not_editable(source.row(), source.column())
                if reason:
                    self.model.editRefused.emit(reason)
                return True
        return super().eventFilter(watched, event)

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
