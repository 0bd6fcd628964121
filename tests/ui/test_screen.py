"""Screen: at 1280x800 the 24 codes of the 3RS pad show without scrolling (the compact pad),
and every column of the event log is on screen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from observer_app.services.study import Study
from observer_app.ui.coding_window import CodingWindow
from tests.ui.conftest import opaque_media, probe_stub

ROOT = Path(__file__).parents[2] / "resources"


def test_every_3rs_code_and_log_column_is_visible_at_1280x800(
    qtbot: QtBot, tmp_path: Path, fake_player: Any, settings: QSettings
) -> None:
    path = tmp_path / "3rs.db"
    with Study.create(path, "3RS", probe=probe_stub) as admin:
        scheme = admin.definitions.import_text((ROOT / "schemes/3rs.toml").read_text(), "3rs")
        ana = admin.coders.add("Ana Alves").id
        rec = admin.recordings.add(opaque_media(tmp_path), session_number=1).id
        mine = admin.assignments.create(rec, ana, scheme_version_id=scheme.id).id
    window = CodingWindow(
        Study.open(path, as_coder="Ana Alves", backup=False),
        fake_player,
        settings=settings,
        surface_factory=None,
    )
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    window.open_assignment(mine)
    qtbot.wait(50)
    QApplication.processEvents()
    pad = window.pad
    assert pad.compact and len(pad.buttons) == 24
    viewport = pad.viewport()
    for code_id, button in pad.buttons.items():
        top_left = button.mapTo(viewport, button.rect().topLeft())
        bottom = top_left.y() + button.height()
        assert top_left.y() >= 0 and bottom <= viewport.height(), code_id
    view = window.event_log.view
    header = view.horizontalHeader()
    shown = [c for c in range(header.count()) if not view.isColumnHidden(c)]
    right = max(header.sectionViewportPosition(c) + header.sectionSize(c) for c in shown)
    assert right <= view.viewport().width() + 1
    assert not view.horizontalScrollBar().isVisible() or view.horizontalScrollBar().maximum() == 0
