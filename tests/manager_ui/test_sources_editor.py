"""The manager's sources editor (issue 11): add a camera, set its offset in the table, preview
the recording and its sources in sync, remove it. Real SQLite study; FakePlayers for the
preview's UI logic (real libvlc sync: tests/media/test_synced_player.py)."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from observer_app.media import FakePlayer, MediaInfo
from observer_app.ui.manager.recordings import RecordingsPage
from observer_app.ui.sources_view import SourcesView
from tests.manager_ui.conftest import Lab, make_media
from tests.manager_ui.test_setup import _pool

OFFSET_COLUMN = 3


def test_sources_editor_adds_re_times_previews_and_removes(lab: Lab, qtbot: QtBot) -> None:
    page = RecordingsPage(lab.study, _pool(qtbot))
    qtbot.addWidget(page)
    rec = lab.study.recordings.get(lab.recordings[0])
    cam = make_media(lab.media, "s01-cam2.mp4", 99)
    catalog = {
        rec.media_path: MediaInfo(rec.media_path, 60_000, 25.0, 320, 240, True, True),
        str(cam.resolve()): MediaInfo(str(cam), 60_000, 25.0, 320, 240, True, False),
    }
    dialog = page.open_sources(rec.id, player_factory=lambda: FakePlayer(catalog=catalog))
    dialog.add_source(cam, "video")
    qtbot.waitUntil(lambda: len(dialog.model.rows()) == 1)
    assert "Added 's01-cam2' (video) at +0.000 s" in dialog.status.text()

    model = dialog.model
    assert not model.setData(model.index(0, OFFSET_COLUMN), "soon")
    assert "offset 'soon': give seconds" in dialog.status.text()
    assert model.setData(model.index(0, OFFSET_COLUMN), "2.5")
    assert lab.study.sources.of(rec.id)[0].offset_ms == 2500
    assert model.data(model.index(0, OFFSET_COLUMN)) == "+2.500 s"

    dialog.open_preview()
    view = dialog.preview_box.itemAt(0).widget()
    assert isinstance(view, SourcesView) and len(view.tiles) == 2
    dialog.preview.seek(4000)
    follower = dialog.preview.followers()[0].player
    assert follower.position_ms() == 1500
    assert model.setData(model.index(0, OFFSET_COLUMN), "-1 s")  # the preview follows at once
    qtbot.waitUntil(lambda: dialog.preview.followers()[0].source.offset_ms == -1000)
    assert dialog.preview.position_ms() == 4000
    assert dialog.preview.followers()[0].player.position_ms() == 5000

    dialog.add_source(cam, "video")  # the same file again: one clear reason, nothing added
    qtbot.waitUntil(lambda: "already a source of recording" in dialog.status.text())
    dialog.view.selectRow(0)
    dialog.remove_selected()
    assert lab.study.sources.of(rec.id) == []
    assert dialog.preview.followers() == []
    log = lab.study.audit.entries(entity="recording_source")
    assert [e.action for e in log] == ["insert", "update", "update", "delete"]
    dialog.close()


def test_sources_button_needs_a_selected_recording(lab: Lab, qtbot: QtBot) -> None:
    page = RecordingsPage(lab.study, _pool(qtbot))
    qtbot.addWidget(page)
    page.sources_button.click()
    assert "Select the recording" in page.status.text()
    assert Path(lab.study.recordings.get(lab.recordings[0]).media_path).exists()
