"""Issue 12 audited as a coder would use it (Xvfb, xdotool, real libvlc: docs/evidence/
issue12-xvfb.md): each observation of that session as a test with real key events and a real
SQLite study, read back through a second connection.

- the modifier picker opened on a code whose first field is a note (every 3RS code, from the
  log's Modifiers cell) left the keyboard on the picker's frame: the typed note coded 23 events
  and Space toggled playback;
- a digit typed into the picker's number field was refused ("— unanswered" stayed);
- the picker's note field was 125 px wide in a 560 px picker;
- the comment editor of the log's last column reached past the view: the typed words were hidden;
- a code key on a menu's mnemonic (Alt+E) validated, then opened the Edit menu and never coded;
- warning texts kept their light-palette colours in a dark palette (2:1 contrast).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QRect, QSettings, Qt
from PySide6.QtGui import QColor, QKeySequence, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPlainTextEdit, QSpinBox
from pytestqt.qtbot import QtBot

from observer_app.coding.definitions.scheme import RESERVED_KEYS, normalize_key, parse_scheme
from observer_app.coding.errors import ObserverError
from observer_app.services.study import Study
from observer_app.ui.coding_window import CodingWindow
from observer_app.ui.models import EventTableModel
from tests.ui.conftest import HERE, opaque_media, probe_stub
from tests.ui.test_coding_window import key, open_window, saved_events
from tests.ui.test_contrast import _contrast

ROOT = Path(__file__).parents[2] / "resources"


def _window_on(
    qtbot: QtBot, path: Path, assignment: int, player: Any, settings: QSettings
) -> CodingWindow:
    window = CodingWindow(
        Study.open(path, as_coder="Ana Alves", backup=False),
        player,
        settings=settings,
        surface_factory=None,
    )
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    window.open_assignment(assignment)
    window.panel.setFocus()
    return window


def _study_with(folder: Path, scheme_text: str) -> tuple[Path, int]:
    path = folder / "audit.db"
    with Study.create(path, "Audit", probe=probe_stub) as admin:
        scheme = admin.definitions.import_text(scheme_text, "scheme.toml")
        ana = admin.coders.add("Ana Alves").id
        rec = admin.recordings.add(opaque_media(folder), session_number=1).id
        mine = admin.assignments.create(rec, ana, scheme_version_id=scheme.id).id
    return path, mine


def _events(path: Path, assignment: int) -> list[Any]:
    with Study.open(path, as_coder="Ana Alves", backup=False) as study:
        return study.events.for_assignment(assignment, include_deleted=True)


def _type(qtbot: QtBot, text: str) -> None:
    """Key by key into whatever has the focus now (as a coder types: the keyboard decides)."""
    for char in text:
        qtbot.keyClicks(QApplication.focusWidget(), char)


@pytest.fixture
def window(qtbot: QtBot, lab: Any, fake_player: Any, settings: QSettings) -> CodingWindow:
    return open_window(qtbot, lab, fake_player, settings)


def test_the_3rs_note_opened_from_the_log_takes_the_typing(
    qtbot: QtBot, tmp_path: Path, fake_player: Any, settings: QSettings
) -> None:
    path, mine = _study_with(tmp_path, (ROOT / "schemes/3rs.toml").read_text())
    window = _window_on(qtbot, path, mine, fake_player, settings)
    fake_player.seek(2_000)
    key(qtbot, window, Qt.Key.Key_1)  # W1: its only modifier is an optional note
    [w1] = _events(path, mine)
    log = window.event_log
    log.view.setFocus()
    log.view.setCurrentIndex(log.proxy.index(0, EventTableModel.MODIFIERS))
    qtbot.keyClick(log.view, Qt.Key.Key_F2)
    picker = window.picker
    assert picker.active and picker.event_id == w1.id
    note = QApplication.focusWidget()
    assert isinstance(note, QLineEdit) and picker.isAncestorOf(note)
    before = (fake_player.state(), fake_player.position_ms())
    _type(qtbot, "denies 1 2 q x z, then a sip")  # 1, 2, q, a, s, z, x: code and subject keys
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert not picker.active
    [saved] = _events(path, mine)  # nothing logged, nothing deleted: the note only
    assert saved.modifiers == {"note": "denies 1 2 q x z, then a sip "}
    assert saved.subject == "patient"  # x and z did not switch the focal subject
    assert (fake_player.state(), fake_player.position_ms()) == before
    # the note field takes the row's width, so a sentence shows as it is typed
    session = window.session
    assert session is not None and session.scheme is not None
    picker.open_for(session.scheme.code("W1"), 2_000, event_id=w1.id)
    field = QApplication.focusWidget()
    assert isinstance(field, QLineEdit)
    assert field.width() > picker.width() // 2
    picker.cancel()


def test_a_digit_typed_into_the_pickers_number_sets_it(
    qtbot: QtBot, window: CodingWindow, lab: Any, fake_player: Any
) -> None:
    fake_player.seek(5_000)
    key(qtbot, window, Qt.Key.Key_U)  # utter: tone (choice), note, strength (1-5)
    key(qtbot, window, Qt.Key.Key_Tab)
    key(qtbot, window, Qt.Key.Key_Tab)
    spin = QApplication.focusWidget()
    assert isinstance(spin, QSpinBox) and spin.text() == "— unanswered"
    key(qtbot, window, Qt.Key.Key_4)
    assert spin.text() == "4"
    key(qtbot, window, Qt.Key.Key_Return)
    [event] = saved_events(lab, lab.mine)
    assert event.modifiers == {"strength": 4}  # tone and note left untouched: unanswered


def test_a_picker_whose_first_field_is_a_number_takes_the_keys(
    qtbot: QtBot, tmp_path: Path, fake_player: Any, settings: QSettings
) -> None:
    text = (HERE / "scheme.toml").read_text()
    # "tagged" asks first for a number (its choice follows)
    text = text.replace(
        'key = "t"\ncolour = "#ff7f0e"\n',
        'key = "t"\ncolour = "#ff7f0e"\n\n[[codes.modifiers]]\nid = "level"\nlabel = "Level"\n'
        'type = "range"\nmin = 1\nmax = 9\ninteger = true\n',
        1,
    )
    path, mine = _study_with(tmp_path, text)
    window = _window_on(qtbot, path, mine, fake_player, settings)
    fake_player.seek(3_000)
    key(qtbot, window, Qt.Key.Key_T)
    spin = QApplication.focusWidget()
    assert isinstance(spin, QSpinBox) and window.picker.isAncestorOf(spin)
    key(qtbot, window, Qt.Key.Key_7)
    key(qtbot, window, Qt.Key.Key_Tab)
    key(qtbot, window, Qt.Key.Key_2)  # intensity: high
    key(qtbot, window, Qt.Key.Key_Return)
    [event] = _events(path, mine)
    assert (event.code, event.modifiers) == ("tagged", {"level": 7, "intensity": "high"})


def test_the_comment_editor_of_the_last_column_stays_inside_the_log(
    qtbot: QtBot, window: CodingWindow, lab: Any, fake_player: Any
) -> None:
    window.resize(1280, 800)
    fake_player.seek(3_000)
    key(qtbot, window, Qt.Key.Key_N)
    log = window.event_log
    log.view.setFocus()
    log.view.setCurrentIndex(log.proxy.index(0, EventTableModel.COMMENT))
    qtbot.keyClick(log.view, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QPlainTextEdit)
    viewport = log.view.viewport()
    assert editor.parentWidget() is viewport
    assert QRect(0, 0, viewport.width(), viewport.height()).contains(editor.geometry())
    assert editor.width() >= min(320, viewport.width())
    qtbot.keyClick(editor, Qt.Key.Key_Escape)


@pytest.mark.parametrize(("spelling", "menu"), [("alt+e", "Edit menu"), ("Alt+H", "Help menu")])
def test_a_code_key_on_a_menu_mnemonic_is_refused(spelling: str, menu: str) -> None:
    text = (HERE / "scheme.toml").read_text().replace('key = "n"', f'key = "{spelling}"', 1)
    with pytest.raises(ObserverError) as info:
        parse_scheme(text, "scheme.toml")
    message = str(info.value)
    assert "nod" in message and menu in message


def test_every_menu_mnemonic_of_the_coding_window_is_a_reserved_key(
    window: CodingWindow,
) -> None:
    titles = [a.text() for a in window.menuBar().actions() if a.text()]
    assert len(titles) >= 7
    for title in titles:
        mnemonic = QKeySequence.mnemonic(title).toString(QKeySequence.SequenceFormat.PortableText)
        assert mnemonic, title
        assert normalize_key(mnemonic) in RESERVED_KEYS, title


@pytest.fixture
def dark_palette(qapp: Any) -> Iterator[QPalette]:
    """The application palette of a dark desktop (what Fusion shows there)."""
    before = QApplication.palette()
    dark = QPalette(before)
    for role, colour in {
        QPalette.ColorRole.Window: "#353535",
        QPalette.ColorRole.WindowText: "#ffffff",
        QPalette.ColorRole.Base: "#2a2a2a",
        QPalette.ColorRole.Text: "#ffffff",
    }.items():
        dark.setColor(role, QColor(colour))
    QApplication.setPalette(dark)
    yield dark
    QApplication.setPalette(before)


def _style_colour(sheet: str) -> QColor:
    found = re.search(r"color:\s*(#[0-9a-fA-F]{6})", sheet)
    assert found, sheet
    return QColor(found.group(1))


def test_warnings_of_the_coding_window_read_in_a_dark_palette(
    qtbot: QtBot, lab: Any, fake_player: Any, settings: QSettings, dark_palette: QPalette
) -> None:
    window = open_window(qtbot, lab, fake_player, settings)
    window_bg = dark_palette.color(QPalette.ColorRole.Window)
    base_bg = dark_palette.color(QPalette.ColorRole.Base)
    key_checks = [w for w in window.findChildren(QLabel) if w.objectName() == "keyCheck"]
    assert key_checks  # every form shows whether its key was checked
    for label in key_checks:
        assert _contrast(_style_colour(label.styleSheet()), window_bg) >= 3.0
    fake_player.seek(4_000)
    key(qtbot, window, Qt.Key.Key_A)  # an open state: its End cell is drawn in red
    delegate = window.event_log.view.itemDelegate()
    assert _contrast(delegate._red, base_bg) >= 3.0


def test_f2_on_a_cell_that_cannot_be_edited_says_why(
    qtbot: QtBot, window: CodingWindow, lab: Any, fake_player: Any
) -> None:
    fake_player.seek(3_000)
    key(qtbot, window, Qt.Key.Key_N)  # a point event
    log = window.event_log
    log.view.setFocus()
    for col, reason in (
        (EventTableModel.END, "Nod is a point event: it has no end"),
        (EventTableModel.CATEGORY, "the category follows the code"),
    ):
        log.view.setCurrentIndex(log.proxy.index(0, col))
        qtbot.keyClick(log.view, Qt.Key.Key_F2)
        assert QApplication.focusWidget() is log.view  # no editor opened
        assert reason in window.statusBar().currentMessage()
    [event] = saved_events(lab, lab.mine)
    assert event.offset_ms is None


def test_setting_an_end_to_now_speaks_the_codes_label(
    qtbot: QtBot, window: CodingWindow, lab: Any, fake_player: Any
) -> None:
    fake_player.seek(10_000)
    key(qtbot, window, Qt.Key.Key_A)  # talk opens
    [event] = saved_events(lab, lab.mine)
    window.event_log.show_event(event.id)
    fake_player.seek(14_200)
    window.panel.setFocus()
    key(qtbot, window, Qt.Key.Key_BracketRight, Qt.KeyboardModifier.ControlModifier)
    assert window.statusBar().currentMessage() == "Talk: end set to 00:00:14.200"
    fake_player.seek(20_000)
    key(qtbot, window, Qt.Key.Key_N)  # a point: it has no end to set
    [_, nod] = saved_events(lab, lab.mine)
    window.event_log.show_event(nod.id)
    window.panel.setFocus()
    key(qtbot, window, Qt.Key.Key_BracketRight, Qt.KeyboardModifier.ControlModifier)
    assert "Nod is a point event: it has no end" in window.statusBar().currentMessage()
