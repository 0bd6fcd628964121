"""A non-modal, keyboard-driven modifier picker.

Opened when a code with modifiers is pressed; it keeps the time taken at the key press (the event
is logged at that time however long choosing takes). Playback goes on unless the coder chose
"pause while choosing". Digits pick a choice of the current modifier (and move to the next for
single choices), Tab/↓ and ↑ move between modifiers, Enter logs, Escape cancels.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QDoubleSpinBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from observer_app.coding.definitions.scheme import Code, Modifier, Subject
from observer_app.coding.state_logic import format_ms
from observer_app.ui.contrast import css

#: The field of the picker's values that carries the chosen subject (not a modifier: the
#: scheme's ids start with a letter or digit, so it cannot clash with one).
SUBJECT_FIELD = "__subject__"


def subject_row(subjects: Sequence[Subject]) -> Modifier:
    """The picker's "Subject" row: a required single choice among the scheme's subjects."""
    return Modifier(SUBJECT_FIELD, "Subject", "single", True, tuple(s.label for s in subjects))


def asked_modifiers(code: Code) -> tuple[Modifier, ...]:
    """The modifiers the picker shows at a key press: every one (an optional note too, so it
    can be written there and then)."""
    return code.modifiers


class _Row(QWidget):
    def __init__(self, mod: Modifier) -> None:
        super().__init__()
        self.mod = mod
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 1, 2, 1)
        req = " *" if mod.required else ""
        self.label = QLabel(f"{mod.label}{req}")
        self.label.setMinimumWidth(110)
        layout.addWidget(self.label)
        self.group: QButtonGroup | None = None
        self.editor: QWidget | None = None
        if mod.type in ("single", "multiple"):
            self.group = QButtonGroup(self)
            self.group.setExclusive(False)
            for i, choice in enumerate(mod.choices):
                b = QToolButton()
                b.setText(f"{i + 1} {choice}" if i < 9 else choice)
                b.setCheckable(True)
                b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
                b.setStyleSheet(
                    "QToolButton:checked { background: palette(highlight); "
                    "color: palette(highlighted-text); font-weight: bold; }"
                )
                self.group.addButton(b, i)
                layout.addWidget(b)
            self.group.idClicked.connect(self._clicked)
        elif mod.type == "range":
            # One step below the range is "unanswered" (shown so): a range left untouched is
            # stored as no answer, never as its minimum.
            spin: QSpinBox | QDoubleSpinBox
            if mod.integer:
                spin = QSpinBox()
                spin.setRange(int(mod.min or 0) - 1, int(mod.max or 0))
            else:
                spin = QDoubleSpinBox()
                spin.setRange(float(mod.min or 0) - spin.singleStep(), float(mod.max or 0))
            spin.setSpecialValueText("— unanswered")
            spin.setValue(spin.minimum())
            self.editor = spin
            layout.addWidget(spin)
        else:  # a note: the row's whole width, so a sentence shows while it is typed
            line = QLineEdit()
            if mod.max_length:
                line.setMaxLength(mod.max_length)
            self.editor = line
            layout.addWidget(line, 1)
            return
        layout.addStretch(1)

    def set_value(self, value: Any) -> None:
        """Show a stored value (editing an event's modifiers)."""
        if value is None:
            return
        if self.group is not None:
            chosen = value if isinstance(value, list | tuple) else [value]
            for i, choice in enumerate(self.mod.choices):
                self.group.button(i).setChecked(choice in chosen)
        elif isinstance(self.editor, QSpinBox) and isinstance(value, int | float):
            self.editor.setValue(int(value))
        elif isinstance(self.editor, QDoubleSpinBox) and isinstance(value, int | float):
            self.editor.setValue(float(value))
        elif isinstance(self.editor, QLineEdit):
            self.editor.setText(str(value))

    def pick(self, index: int) -> bool:
        """Keyboard: choose (single) or toggle (multiple) choice ``index``; True if valid."""
        if self.group is None or not 0 <= index < len(self.mod.choices):
            return False
        button = self.group.button(index)
        if self.mod.type == "single":
            self._clicked(index)
            button.setChecked(True)
        else:
            button.setChecked(not button.isChecked())
        return True

    def _clicked(self, index: int) -> None:
        if self.group is not None and self.mod.type == "single":
            for i, b in enumerate(self.group.buttons()):
                if i != index:
                    b.setChecked(False)

    def value(self) -> Any:
        if self.group is not None:
            chosen = [
                self.mod.choices[i] for i, b in enumerate(self.group.buttons()) if b.isChecked()
            ]
            if self.mod.type == "single":
                return chosen[0] if chosen else None
            return chosen or None
        if isinstance(self.editor, QSpinBox | QDoubleSpinBox):
            if self.editor.value() == self.editor.minimum():
                return None  # "unanswered"
            return self.editor.value()
        if isinstance(self.editor, QLineEdit):
            return self.editor.text() or None
        return None

    def set_current(self, current: bool) -> None:
        req = " *" if self.mod.required else ""
        self.label.setText(("▶ " if current else "   ") + self.mod.label + req)
        font = self.label.font()
        font.setBold(current)
        self.label.setFont(font)
        if current and self.editor is not None:
            self.editor.setFocus()
            if isinstance(self.editor, QSpinBox | QDoubleSpinBox):
                # a typed digit replaces "— unanswered" (which would refuse it otherwise)
                self.editor.selectAll()


_OWN_KEYS = frozenset(
    {
        Qt.Key.Key_Return,
        Qt.Key.Key_Enter,
        Qt.Key.Key_Escape,
        Qt.Key.Key_Tab,
        Qt.Key.Key_Backtab,
        Qt.Key.Key_Up,
        Qt.Key.Key_Down,
        *(getattr(Qt.Key, f"Key_{n}") for n in range(1, 10)),
    }
)


class ModifierPicker(QFrame):
    accepted = Signal(str, int, object)  # code id, time ms, modifiers dict
    edited = Signal(int, object)  # event id, modifiers dict (editing a logged event)
    cancelled = Signal(str, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("modifierPicker")
        self.setProperty("ownsEscape", True)  # Esc cancels the picker, from any of its fields
        #: The widget the picker covers when open (the coding pad), so it hides no picture.
        self.anchor: QWidget | None = None
        self.event_id: int | None = None
        self._subjects: tuple[Subject, ...] = ()
        self.setFrameShape(QFrame.Shape.Box)
        self.setAutoFillBackground(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setStyleSheet(
            "QFrame#modifierPicker { background: palette(window); "
            "border: 2px solid palette(highlight); border-radius: 4px; }"
        )
        self._layout = QVBoxLayout(self)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self._layout.addWidget(self.title)
        self.rows: list[_Row] = []
        self.message = QLabel()
        self.message.setStyleSheet(f"color: {css('#c0392b')}")
        foot = QHBoxLayout()
        foot.addWidget(self.message, 1)
        ok = QPushButton("Log (Enter)")
        ok.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        ok.clicked.connect(self.accept)
        cancel = QPushButton("Cancel (Esc)")
        cancel.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        cancel.clicked.connect(self.cancel)
        foot.addWidget(ok)
        foot.addWidget(cancel)
        self._foot = foot
        self._layout.addLayout(foot)
        self.code: Code | None = None
        self.time_ms = 0
        self.current = 0
        self.hide()

    def open_for(
        self,
        code: Code,
        time_ms: int,
        *,
        values: dict[str, Any] | None = None,
        event_id: int | None = None,
        subjects: Sequence[Subject] = (),
    ) -> None:
        """Ask for ``code``'s modifiers of a press at ``time_ms``; with ``event_id``, edit the
        modifiers ``values`` of that logged event instead (``edited`` is emitted)."""
        for row in self.rows:
            self._layout.removeWidget(row)
            row.deleteLater()
        self.rows = []
        self.code = code
        self.time_ms = time_ms
        self.event_id = event_id
        verb = "saves" if event_id is not None else "logs"
        mods = code.modifiers if event_id is not None else asked_modifiers(code)
        self._subjects = tuple(subjects)
        if subjects:  # "ask" mode: whom is this event about? first row, digits choose
            mods = (subject_row(subjects), *mods)
        # in a number ↑/↓ change it (the spin box's own keys): say so, Tab still moves on
        number = ", ↑/↓ change a number" if any(m.type == "range" for m in mods) else ""
        self.title.setText(
            f"<b>{code.label}</b> at <b>{format_ms(time_ms)}</b> — choose modifiers "
            f"(digits pick, Tab/↓ next, ↑ back{number}, Enter {verb}, Esc cancels)"
        )
        for i, mod in enumerate(mods):
            row = _Row(mod)
            row.set_value((values or {}).get(mod.id))
            if row.editor is not None:
                row.editor.installEventFilter(self)
            self._layout.insertWidget(1 + i, row)
            self.rows.append(row)
        self.message.clear()
        self.current = 0
        self._show_current()
        self.adjustSize()
        self._place()
        self.show()
        self.raise_()
        self._show_current()  # again once shown: a hidden field cannot take the focus

    def _place(self) -> None:
        parent = self.parentWidget()
        anchor = self.anchor
        if parent is not None and anchor is not None and anchor.isVisible():
            # over the coding pad (not needed while choosing), never over the picture
            top_left = anchor.mapTo(parent, anchor.rect().topLeft())
            width = max(anchor.width(), 360)
            x = min(top_left.x(), max(0, parent.width() - width))
            self.resize(width, self.sizeHint().height())
            self.adjustSize()
            self.resize(width, max(self.sizeHint().height(), self.height()))
            self.move(x, top_left.y())
        elif parent is not None:
            width = min(parent.width() - 40, max(self.sizeHint().width(), 560))
            self.resize(width, self.heightForWidth(width) if self.hasHeightForWidth() else 0)
            self.adjustSize()
            self.resize(width, max(self.sizeHint().height(), self.height()))
            self.move((parent.width() - width) // 2, 60)

    def _show_current(self) -> None:
        """Mark the current row; the keyboard goes to its field (a note, a number), else to
        the picker itself (digits pick a choice)."""
        for i, row in enumerate(self.rows):
            row.set_current(i == self.current)
        if not (self.rows and self.rows[self.current].editor is not None):
            self.setFocus()

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for row in self.rows:
            value = row.value()
            if value is not None and value != []:
                out[row.mod.id] = value
        return out

    def accept(self) -> None:
        if self.code is None:
            return
        values = self.values()
        missing = [r.mod.label for r in self.rows if r.mod.required and r.mod.id not in values]
        if missing:
            self.message.setText("required: " + ", ".join(missing))
            return
        label = values.pop(SUBJECT_FIELD, None)
        problems = self.code.modifier_problems(values)
        if problems:
            self.message.setText("; ".join(problems))
            return
        if label is not None:
            values[SUBJECT_FIELD] = next(s.id for s in self._subjects if s.label == label)
        code, time_ms, event_id = self.code, self.time_ms, self.event_id
        self.code = None
        self.event_id = None
        self.hide()
        if event_id is not None:
            self.edited.emit(event_id, values)
        else:
            self.accepted.emit(code.id, time_ms, values)

    def cancel(self) -> None:
        if self.code is None:
            self.hide()
            return
        code, time_ms = self.code, self.time_ms
        self.code = None
        self.event_id = None
        self.hide()
        self.cancelled.emit(code.id, time_ms)

    @property
    def active(self) -> bool:
        return self.isVisible() and self.code is not None

    # -- keyboard --------------------------------------------------------------------------
    def handle_key(self, event: QKeyEvent) -> bool:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.accept()
            return True
        if key == Qt.Key.Key_Escape:
            self.cancel()
            return True
        if key in (Qt.Key.Key_Tab, Qt.Key.Key_Down):
            self.current = min(self.current + 1, len(self.rows) - 1)
            self._show_current()
            return True
        if key in (Qt.Key.Key_Backtab, Qt.Key.Key_Up):
            self.current = max(self.current - 1, 0)
            self._show_current()
            return True
        if Qt.Key.Key_1 <= key <= Qt.Key.Key_9 and self.rows:
            row = self.rows[self.current]
            if row.group is not None and row.pick(key - Qt.Key.Key_1):
                if row.mod.type == "single" and self.current < len(self.rows) - 1:
                    self.current += 1
                    self._show_current()
                return True
        return False

    def event(self, event: QEvent) -> bool:
        override = event.type() == QEvent.Type.ShortcutOverride
        if override and isinstance(event, QKeyEvent) and event.key() in _OWN_KEYS:
            event.accept()  # its own keys are not shortcuts while it has focus; others still are
            return True
        return super().event(event)

    def focusNextPrevChild(self, next: bool) -> bool:
        """Tab and Shift+Tab move between the picker's rows; they never leave the picker."""
        if not self.active:
            return super().focusNextPrevChild(next)
        step = 1 if next else -1
        self.current = max(0, min(self.current + step, len(self.rows) - 1))
        self._show_current()
        return True

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self.handle_key(event):
            super().keyPressEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            navigation = (
                Qt.Key.Key_Return,
                Qt.Key.Key_Enter,
                Qt.Key.Key_Escape,
                Qt.Key.Key_Tab,
                Qt.Key.Key_Backtab,
            )
            if event.key() in navigation:
                return self.handle_key(event)
            arrows = (Qt.Key.Key_Up, Qt.Key.Key_Down)
            if event.key() in arrows and isinstance(watched, QLineEdit):
                return self.handle_key(event)
        return False
