"""Qt item models of the coding window: the event log, the assignment queue, the problem list."""

from __future__ import annotations

import bisect
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QPixmap

from observer_app.coding.definitions.scheme import Scheme
from observer_app.coding.errors import InputError
from observer_app.coding.state_logic import format_ms, parse_time
from observer_app.services.records import AssignmentInfo, EventRecord, Problem
from observer_app.ui.contrast import code_colours, readable

Index = QModelIndex | QPersistentModelIndex
EVENT_ROLE = Qt.ItemDataRole.UserRole + 1
CATEGORY_ROLE = Qt.ItemDataRole.UserRole + 2
_DISPLAY = Qt.ItemDataRole.DisplayRole
_EDIT = Qt.ItemDataRole.EditRole
_DECORATION = Qt.ItemDataRole.DecorationRole
_FONT = Qt.ItemDataRole.FontRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_NO_FLAGS = Qt.ItemFlag.NoItemFlags
_SELECTABLE = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_EDITABLE = _SELECTABLE | Qt.ItemFlag.ItemIsEditable

#: Called by the event model to commit an in-place edit: (event id, changes) -> accepted.
EditRequest = Callable[[int, dict[str, Any]], bool]


def format_modifiers(values: dict[str, Any]) -> str:
    parts = []
    for key, value in values.items():
        shown = ", ".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
        parts.append(f"{key}={shown}")
    return "; ".join(parts)


def parse_modifiers(text: str, scheme: Scheme | None, code_id: str) -> dict[str, Any]:
    """``"intensity=3; topic=work, family"`` -> a dict typed by the code's modifier definitions."""
    result: dict[str, Any] = {}
    if not text.strip():
        return result
    if text.strip().startswith("{"):
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise InputError(f"modifiers: {exc}") from None
        if not isinstance(data, dict):
            raise InputError("modifiers must be name=value pairs")
        return data
    kinds = {}
    if scheme is not None:
        try:
            kinds = {m.id: m for m in scheme.code(code_id).modifiers}
        except KeyError:
            kinds = {}
    for part in text.split(";"):
        if not part.strip():
            continue
        if "=" not in part:
            raise InputError(f"modifiers: {part.strip()!r} is not name=value")
        key, raw = (s.strip() for s in part.split("=", 1))
        mod = kinds.get(key)
        value: Any = raw
        if mod is not None and mod.type == "multiple":
            value = [v.strip() for v in raw.split(",") if v.strip()]
        elif mod is not None and mod.type == "range":
            try:
                value = int(raw) if mod.integer else float(raw)
            except ValueError:
                raise InputError(f"modifier {key!r}: {raw!r} is not a number") from None
        result[key] = value
    return result


class _RowsModel(QAbstractTableModel):
    """A flat table over ``self._rows`` with the column titles in ``COLUMNS``."""

    COLUMNS: tuple[str, ...] = ()
    _rows: Sequence[Any]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self.COLUMNS):
            return self.COLUMNS[section]
        return None


class EventTableModel(_RowsModel):
    """The assignment's live events in time order; edits go through ``edit_request``."""

    editRefused = Signal(str)

    COLUMNS = ("Time", "End", "Code", "Category", "Modifiers", "Comment", "Subject")
    TIME, END, CODE, CATEGORY, MODIFIERS, COMMENT, SUBJECT = range(7)

    def __init__(
        self,
        scheme: Scheme | None,
        edit_request: EditRequest | None = None,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self._scheme = scheme
        self._edit = edit_request
        self._rows: list[EventRecord] = []
        self._keys: list[tuple[int, int]] = []
        self._by_id: dict[int, EventRecord] = {}
        self._shown: dict[int, tuple[str, ...]] = {}
        self._grey = QColor("#808080")
        self._swatches: dict[str, QPixmap] = {}
        self._red = QBrush(readable("#c0392b"))
        self._bold = QFont()
        self._bold.setBold(True)
        self.read_only = False
        #: How long one frame lasts, and where playback is: for times typed as ``f<frame>``
        #: or ``now`` in the time editors (the window sets both).
        self.frame_ms = 40.0
        self.position: Callable[[], int] | None = None
        self._colours: dict[str, QColor] = {}
        self._labels: dict[str, str] = {}
        self._categories: dict[str, str] = {}
        self._subjects: dict[str, str] = {}
        if scheme is not None:
            self._subjects = {s.id: s.label for s in scheme.subjects}
            shades = code_colours(scheme)
            for c in scheme.codes:
                self._colours[c.id] = shades[c.id]
                self._labels[c.id] = c.label
                self._categories[c.id] = c.category

    # -- contents --------------------------------------------------------------------------
    def set_events(self, events: Iterable[EventRecord]) -> None:
        self.beginResetModel()
        live = sorted((e for e in events if not e.deleted), key=lambda e: (e.onset_ms, e.id))
        self._rows = live
        self._keys = [(e.onset_ms, e.id) for e in live]
        self._by_id = {e.id: e for e in live}
        self._shown = {}
        self.endResetModel()

    def upsert(self, record: EventRecord) -> None:
        """Insert, move, update or (when deleted) remove one event."""
        self._shown.pop(record.id, None)
        old = self._by_id.get(record.id)
        if old is not None:
            row = bisect.bisect_left(self._keys, (old.onset_ms, old.id))
            if record.deleted or old.onset_ms != record.onset_ms:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[row]
                del self._keys[row]
                del self._by_id[record.id]
                self.endRemoveRows()
            else:
                self._rows[row] = record
                self._by_id[record.id] = record
                last = len(self.COLUMNS) - 1
                self.dataChanged.emit(self.index(row, 0), self.index(row, last))
                return
        if record.deleted:
            return
        key = (record.onset_ms, record.id)
        row = bisect.bisect_left(self._keys, key)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.insert(row, record)
        self._keys.insert(row, key)
        self._by_id[record.id] = record
        self.endInsertRows()

    def row_of(self, event_id: int) -> int | None:
        record = self._by_id.get(event_id)
        if record is None:
            return None
        return bisect.bisect_left(self._keys, (record.onset_ms, record.id))

    def event_at(self, row: int) -> EventRecord:
        return self._rows[row]

    def events(self) -> Sequence[EventRecord]:
        return self._rows

    def category_of(self, code: str) -> str:
        return self._categories.get(code, "")

    # -- QAbstractTableModel ---------------------------------------------------------------
    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return section + 1
        return super().headerData(section, orientation, role)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Called for every visible cell and role on each repaint: the common cases are plain
        # integer comparisons and a per-event cache of the shown texts.
        row = index.row()
        if row < 0 or row >= len(self._rows):
            return None
        e = self._rows[row]
        col = index.column()
        if role == _DISPLAY:
            return self.shown(e)[col]
        if role == _EDIT:
            return self._text(e, col, True)
        if role == _DECORATION:
            return self._swatch(e.code) if col == self.CODE else None
        if role == _FONT:
            return self._bold if col == self.END and e.is_open else None
        if role == _FOREGROUND:
            return self._red if col == self.END and e.is_open else None
        if role == _TOOLTIP:
            kind = "state" if e.is_state else "point"
            state = " (open)" if e.is_open else ""
            tip = f"#{e.id} {self._labels.get(e.code, e.code)} — {kind}{state}"
            if e.subject:
                tip += f", {self._subjects.get(e.subject, e.subject)}"
            if e.modifiers:
                tip += "\n" + format_modifiers(e.modifiers)
            if e.comment:
                tip += "\n" + e.comment
            return tip
        if role == EVENT_ROLE:
            return e.id
        if role == CATEGORY_ROLE:
            return self._categories.get(e.code, "")
        return None

    def shown(self, e: EventRecord) -> tuple[str, ...]:
        """The texts of an event's row as displayed (cached until the event changes)."""
        texts = self._shown.get(e.id)
        if texts is None:
            texts = self._shown[e.id] = tuple(
                self._text(e, c, False) for c in range(len(self.COLUMNS))
            )
        return texts

    def colour(self, code: str) -> QColor:
        return self._colours.get(code, self._grey)

    def _swatch(self, code: str) -> QPixmap:
        """A small square in the code's colour (cached: the view asks on every repaint)."""
        swatch = self._swatches.get(code)
        if swatch is None:
            swatch = QPixmap(12, 12)
            swatch.fill(self._colours.get(code, self._grey))
            self._swatches[code] = swatch
        return swatch

    def _text(self, e: EventRecord, col: int, editing: bool) -> str:
        if col == self.TIME:
            return format_ms(e.onset_ms)
        if col == self.END:
            if not e.is_state:
                return "" if editing else "—"
            return "open" if e.offset_ms is None else format_ms(e.offset_ms)
        if col == self.CODE:
            return e.code if editing else self._labels.get(e.code, e.code)
        if col == self.CATEGORY:
            cat = self._categories.get(e.code, "")
            return self._scheme.category_label(cat) if self._scheme and cat else cat
        if col == self.MODIFIERS:
            return format_modifiers(e.modifiers)
        if col == self.SUBJECT:
            if e.subject is None:
                return ""
            return e.subject if editing else self._subjects.get(e.subject, e.subject)
        return e.comment if editing else e.comment.replace("\n", " ↵ ")

    def why_not_editable(self, row: int, col: int) -> str:
        """Why the cell at ``row``, ``col`` cannot be edited (F2 on it says so), "" if it can."""
        e = self._rows[row]
        if self.read_only or self._edit is None:
            return "this assignment is complete and read-only"
        if col == self.END and not e.is_state:
            return f"{self._labels.get(e.code, e.code)} is a point event: it has no end"
        if col == self.CATEGORY:
            return "the category follows the code: edit the code"
        if col == self.SUBJECT and not self._subjects:
            return "this scheme declares no subjects"
        return ""

    def flags(self, index: Index) -> Qt.ItemFlag:
        row = index.row()
        if row < 0 or row >= len(self._rows):
            return _NO_FLAGS
        if self.read_only or self._edit is None:
            return _SELECTABLE
        col = index.column()
        if col == self.CATEGORY or (col == self.END and not self._rows[row].is_state):
            return _SELECTABLE
        if col == self.SUBJECT and not self._subjects:
            return _SELECTABLE
        return _EDITABLE

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or self._edit is None:
            return False
        e = self._rows[index.row()]
        try:
            changes = self._changes(e, index.column(), str(value))
        except InputError as exc:
            self.editRefused.emit(str(exc))
            return False
        if not changes:
            return False
        return self._edit(e.id, changes)

    def _changes(self, e: EventRecord, col: int, text: str) -> dict[str, Any]:
        if col == self.TIME:
            return {"onset_ms": self.typed_time(text)}
        if col == self.END:
            low = text.strip().lower()
            return {"offset_ms": None if low in ("", "open") else self.typed_time(text)}
        if col == self.CODE:
            code = text.strip()
            if self._scheme is not None:
                by_label = {c.label: c.id for c in self._scheme.codes}
                code = by_label.get(code, code)
            return {"code": code}
        if col == self.MODIFIERS:
            return {"modifiers": parse_modifiers(text, self._scheme, e.code)}
        if col == self.COMMENT:
            return {"comment": text}
        if col == self.SUBJECT:
            by_label = {label: sid for sid, label in self._subjects.items()}
            wanted = text.strip()
            return {"subject": by_label.get(wanted, wanted) or None}
        return {}

    def typed_time(self, text: str) -> int:
        """A time typed in the log: ``hh:mm:ss.mmm`` (or shorter), ``f<frame>`` / ``#<frame>``
        (the start of that frame), or ``now`` (the current position)."""
        raw = text.strip().lower()
        if raw == "now":
            if self.position is None:
                raise InputError("no playback position to use for 'now'")
            return int(self.position())
        if raw[:1] in ("f", "#"):
            digits = raw[1:].strip()
            if not digits.isdigit():
                raise InputError(f"{text!r} is not a frame number (use f1234)")
            return round(int(digits) * self.frame_ms)
        return parse_time(text)


class CategoryFilterModel(QSortFilterProxyModel):
    """Shows only the events of the chosen categories (all when none is chosen)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._categories: frozenset[str] = frozenset()

    @property
    def filtering(self) -> bool:
        """True when some rows are hidden (proxy rows then differ from the model's)."""
        return bool(self._categories)

    def set_categories(self, categories: Iterable[str]) -> None:
        self.beginFilterChange()
        self._categories = frozenset(categories)
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if not self._categories:
            return True
        model = self.sourceModel()
        index = model.index(source_row, 0, source_parent)
        return model.data(index, CATEGORY_ROLE) in self._categories


STATUS_TEXT = {"not_started": "Not started", "in_progress": "In progress", "complete": "Complete"}


class QueueModel(_RowsModel):
    """A coder's own assignments: recording, purpose (hidden when blind), status, progress."""

    COLUMNS = ("#", "Recording", "Purpose", "Status", "Progress")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[AssignmentInfo, int | None]] = []

    def set_rows(self, rows: Sequence[tuple[AssignmentInfo, int | None]]) -> None:
        """``(assignment, recording duration ms)`` pairs."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def assignment(self, row: int) -> AssignmentInfo:
        return self._rows[row][0]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        a, duration = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(a, duration, index.column())
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 2 and a.purpose is None:
            return "Blind: the purpose of this assignment is not shown to coders"
        if role == EVENT_ROLE:
            return a.id
        return None

    @staticmethod
    def progress(a: AssignmentInfo, duration: int | None) -> int:
        if a.status == "complete":
            return 100
        if not duration:
            return 0
        return max(0, min(99, round(100 * a.last_position_ms / duration)))

    def _text(self, a: AssignmentInfo, duration: int | None, col: int) -> str:
        if col == 0:
            return str(a.id)
        if col == 1:
            return a.recording_label
        if col == 2:
            return a.purpose.capitalize() if a.purpose else "Blind"
        if col == 3:
            return STATUS_TEXT.get(a.status, a.status)
        pos = format_ms(a.last_position_ms)
        return f"{self.progress(a, duration)} % (at {pos})"

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class ProblemModel(QAbstractListModel):
    """What stops completion; each row knows where to go to fix it (``PROBLEM_ROLE``)."""

    PROBLEM_ROLE = Qt.ItemDataRole.UserRole + 3

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Problem] = []
        #: Words for a problem (the window names codes by their labels); default: its message.
        self.describe: Callable[[Problem], str] = lambda p: p.message

    def set_problems(self, problems: Sequence[Problem]) -> None:
        self.beginResetModel()
        self._rows = list(problems)
        self.endResetModel()

    def problem(self, row: int) -> Problem:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        p = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.describe(p)
        if role == Qt.ItemDataRole.ToolTipRole:
            return "Click (or Enter) to go there"
        if role == self.PROBLEM_ROLE:
            return p
        return None
