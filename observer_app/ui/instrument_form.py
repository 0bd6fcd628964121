"""An instrument form generated from the instrument: items, anchors, "not rated", progress.

Keyboard: with the form focused, the digit keys answer the current item with that value and move
to the next one; N marks it "not rated" (where the scale allows it); Up/Down move; Delete clears.
Every answer is committed at once through the session (``rateRequested``).
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from observer_app.coding.definitions.instrument import Instrument, Item, ResponseScale
from observer_app.coding.definitions.textpack import TextPack, item_display_text
from observer_app.coding.edits import RatingKey, Response
from observer_app.services.editing import NOT_RATED
from observer_app.services.instrument_keys import KEY_NOT_CHECKED
from observer_app.ui.contrast import css

NOT_RATED_ID = -10_000


class _ItemRow(QFrame):
    def __init__(self, number: int, item: Item, text: str, scale: ResponseScale) -> None:
        super().__init__()
        self.item = item
        self.scale = scale
        self.setObjectName(f"item_{item.id}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        head = QLabel(f"<b>{number}.</b> {text}" + ("" if item.required else " <i>(optional)</i>"))
        head.setWordWrap(True)
        head.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(head)
        grid = QGridLayout()
        grid.setSpacing(2)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        for col, value in enumerate(scale.points):
            b = QToolButton()
            anchor = scale.anchor(value) or ""
            b.setText(f"{value}\n{anchor}" if anchor else f"{value}\n")
            b.setToolTip(anchor or str(value))
            b.setCheckable(True)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            b.setMinimumWidth(64)
            self.group.addButton(b, value)
            grid.addWidget(b, 0, col)
        if scale.allow_not_rated:
            b = QToolButton()  # the "not rated" choice
            b.setText(f"N\n{scale.not_rated_label}")
            b.setCheckable(True)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.group.addButton(b, NOT_RATED_ID)
            grid.addWidget(b, 0, len(scale.points))
        grid.setColumnStretch(len(scale.points) + 1, 1)
        for button in self.group.buttons():
            button.setStyleSheet(
                "QToolButton:checked { background: palette(highlight); "
                "color: palette(highlighted-text); font-weight: bold; }"
            )
        layout.addLayout(grid)

    def show_response(self, response: Response | None) -> None:
        self.group.setExclusive(False)
        for b in self.group.buttons():
            b.setChecked(False)
        self.group.setExclusive(True)
        if response is None:
            return
        if response.value is None:
            button = self.group.button(NOT_RATED_ID)
        else:
            button = self.group.button(int(response.value))
        if button is not None:
            button.setChecked(True)

    def set_current(self, current: bool) -> None:
        self.setStyleSheet(
            f"QFrame#item_{self.item.id} {{ border: 2px solid palette(highlight); }}"
            if current
            else ""
        )


def verify_notes(instrument: Instrument) -> list[str]:
    """Every unconfirmed (``verify``) fact of the instrument file, located."""
    notes = list(instrument.verify)
    notes += [f"subscale {s.id}: {v}" for s in instrument.subscales for v in s.verify]
    notes += [f"item {i.id}: {v}" for i in instrument.items for v in i.verify]
    return notes


def _key_label(instrument: Instrument, key_check: str) -> QLabel:
    """The header line: who checked the key (or that nobody did) and the open ``verify`` facts;
    the tooltip lists every one of them."""
    notes = verify_notes(instrument)
    checked = key_check != KEY_NOT_CHECKED
    parts = [f"Key: {key_check}" if checked else "<b>Key not checked</b> against the manual"]
    if notes:
        parts.append(f"<b>{len(notes)} unconfirmed fact(s) (verify)</b>: scores are provisional")
    label = QLabel(" · ".join(parts))
    label.setObjectName("keyCheck")
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    if notes or not checked:
        label.setStyleSheet(f"QLabel#keyCheck {{ color: {css('#8a5a00')}; }}")
    label.setToolTip("\n".join(f"verify: {n}" for n in notes) or key_check)
    return label


class InstrumentForm(QWidget):
    rateRequested = Signal(object, object)  # RatingKey, Response | None
    progressChanged = Signal(int, int)  # answered required, required
    done = Signal()  # Escape: give the keyboard back to coding

    def __init__(
        self,
        version_id: int,
        instrument: Instrument,
        pack: TextPack | None = None,
        parent: QWidget | None = None,
        *,
        key_check: str = KEY_NOT_CHECKED,
    ) -> None:
        super().__init__(parent)
        self.version_id = version_id
        self.instrument = instrument
        self.unit_kind = "session" if instrument.unit == "session" else "segment"
        self.unit_index = 0
        self.current = 0
        self.read_only = False
        self._responses: dict[str, Response] = {}
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.title = QLabel()
        self.title.setWordWrap(True)
        outer.addWidget(self.title)
        self.key_label = _key_label(instrument, key_check)
        outer.addWidget(self.key_label)
        self.progress = QLabel()
        outer.addWidget(self.progress)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        body = QWidget()
        rows = QVBoxLayout(body)
        rows.setContentsMargins(2, 2, 2, 2)
        self.rows: list[_ItemRow] = []
        for n, item in enumerate(instrument.items, start=1):
            row = _ItemRow(
                n, item, item_display_text(instrument, item.id, pack), instrument.scale_of(item)
            )
            row.group.idClicked.connect(lambda value, i=n - 1: self._clicked(i, value))
            row.installEventFilter(self)
            rows.addWidget(row)
            self.rows.append(row)
        rows.addStretch(1)
        self.scroll_area.setWidget(body)
        outer.addWidget(self.scroll_area, 1)
        hint = QLabel("Keys: digits answer and advance · N not rated · ↑/↓ move · Delete clears")
        hint.setObjectName("formHint")
        font = hint.font()
        font.setItalic(True)  # a hint, in the text colour: readable in light and dark palettes
        hint.setFont(font)
        outer.addWidget(hint)
        self._update_title()
        self._show_current()

    # -- state -----------------------------------------------------------------------------
    def set_unit(self, unit_kind: str, unit_index: int) -> None:
        self.unit_kind = unit_kind
        self.unit_index = unit_index
        self._update_title()

    def _update_title(self) -> None:
        where = f"segment {self.unit_index + 1}" if self.unit_kind == "segment" else "session"
        note = "" if self.instrument.validated else " — not a validated instrument"
        typing = (
            " <span style='background:palette(highlight); color:palette(highlighted-text)'>"
            "&nbsp;keys answer here — Esc returns to coding&nbsp;</span>"
            if self.hasFocus()
            else " <i>(click an item or Ctrl+R to answer by keyboard)</i>"
        )
        self.title.setText(f"<b>{self.instrument.name}</b> ({where}){note}{typing}")

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self._update_title()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self._update_title()

    def set_responses(self, responses: Mapping[str, Response]) -> None:
        self._responses = dict(responses)
        for row in self.rows:
            row.show_response(self._responses.get(row.item.id))
        self._update_progress()

    def set_read_only(self, read_only: bool) -> None:
        self.read_only = read_only
        for row in self.rows:
            for b in row.group.buttons():
                b.setEnabled(not read_only)

    def key(self, item_id: str) -> RatingKey:
        return RatingKey(self.version_id, item_id, self.unit_kind, self.unit_index)

    def go_to_first_unanswered(self) -> None:
        """Put the current item on the first one without an answer (the first item when all
        are answered) and take the focus, so digits answer from there."""
        index = next((i for i, r in enumerate(self.rows) if r.item.id not in self._responses), 0)
        if self.rows:
            self.go_to(index)
        self.setFocus()

    def missing_required(self) -> list[str]:
        return [
            r.item.id for r in self.rows if r.item.required and r.item.id not in self._responses
        ]

    def _update_progress(self) -> None:
        required = [r.item.id for r in self.rows if r.item.required]
        done = sum(1 for i in required if i in self._responses)
        answered = len(self._responses)
        text = f"{answered}/{len(self.rows)} answered · required {done}/{len(required)}"
        if done < len(required):
            red = css("#c0392b")
            text += f" · <span style='color:{red}'>{len(required) - done} required missing</span>"
        else:
            text += " · ✓ complete"
        self.progress.setText(text)
        self.progressChanged.emit(done, len(required))

    # -- answering -------------------------------------------------------------------------
    def _clicked(self, index: int, value: int) -> None:
        self.go_to(index)
        self._answer(index, None if value == NOT_RATED_ID else value, advance=False)

    def _answer(self, index: int, value: int | None, *, advance: bool, clear: bool = False) -> None:
        if self.read_only or not 0 <= index < len(self.rows):
            return
        row = self.rows[index]
        if clear:
            response = None
        elif value is None:
            if not row.scale.allow_not_rated:
                return
            response = Response(None, NOT_RATED)
        else:
            if value not in row.scale.points:
                return
            response = Response(float(value), None)
        self.rateRequested.emit(self.key(row.item.id), response)
        if advance:
            self.go_to(min(index + 1, len(self.rows) - 1))

    def answer_current(self, value: int | None) -> None:
        self._answer(self.current, value, advance=True)

    def go_to(self, index: int) -> None:
        self.current = max(0, min(index, len(self.rows) - 1))
        self._show_current()

    def go_to_item(self, item_id: str) -> None:
        for i, row in enumerate(self.rows):
            if row.item.id == item_id:
                self.go_to(i)
                self.setFocus()
                return

    def _show_current(self) -> None:
        for i, row in enumerate(self.rows):
            row.set_current(i == self.current)
        if self.rows:
            self.scroll_area.ensureWidgetVisible(self.rows[self.current])

    # -- keyboard --------------------------------------------------------------------------
    def _handles(self, event: QKeyEvent) -> bool:
        if event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return False
        key = event.key()
        return Qt.Key.Key_0 <= key <= Qt.Key.Key_9 or key in (
            Qt.Key.Key_N,
            Qt.Key.Key_Up,
            Qt.Key.Key_Down,
            Qt.Key.Key_Delete,
            Qt.Key.Key_Escape,
        )

    def event(self, event: QEvent) -> bool:
        override = event.type() == QEvent.Type.ShortcutOverride
        if override and isinstance(event, QKeyEvent) and self._handles(event):
            event.accept()  # the form's keys win over code keys while it has focus
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self._handles(event):
            super().keyPressEvent(event)
            return
        key = event.key()
        if Qt.Key.Key_0 <= key <= Qt.Key.Key_9:
            self.answer_current(key - Qt.Key.Key_0)
        elif key == Qt.Key.Key_N:
            self.answer_current(None)
        elif key == Qt.Key.Key_Up:
            self.go_to(self.current - 1)
        elif key == Qt.Key.Key_Down:
            self.go_to(self.current + 1)
        elif key == Qt.Key.Key_Delete:
            self._answer(self.current, None, advance=False, clear=True)
        elif key == Qt.Key.Key_Escape:
            self.done.emit()
        event.accept()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.MouseButtonPress and isinstance(watched, _ItemRow):
            self.go_to(self.rows.index(watched))
            self.setFocus()
        return False


class SessionForms(QWidget):
    """Every session-level instrument, one below the other in a tabbed view."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from PySide6.QtWidgets import QTabWidget

        self.tabs = QTabWidget()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self.forms: list[InstrumentForm] = []

    def add(self, form: InstrumentForm) -> None:
        self.forms.append(form)
        self.tabs.addTab(form, form.instrument.name)
