"""Several sources side by side (issue 11), UI logic on FakePlayers: the tiles follow the
session clock, a source outside its range shows a line, the sound comes from one source,
zoom buttons and full screen work. (Real libvlc: tests/media/test_synced_player.py.)"""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from observer_app.media import FakePlayer, MediaInfo, PlaybackState
from observer_app.media.synced import TOLERANCE_FRAMES, SyncedPlayer, SyncSource
from observer_app.media.widgets import VideoSurface
from observer_app.ui.player_panel import make_surface
from observer_app.ui.sources_view import SourcesView

CATALOG = {
    "main.mp4": MediaInfo("main.mp4", 20_000, 25.0, 320, 240, True, True),
    "cam2.mp4": MediaInfo("cam2.mp4", 20_000, 25.0, 320, 240, True, False),
    "room.wav": MediaInfo("room.wav", 25_000, 0.0, 0, 0, False, True),
}
SOURCES = [
    SyncSource("cam2.mp4", 2500, "video", "Camera 2"),
    SyncSource("room.wav", -1000, "audio", "Room mic"),
]


def synced(sources: list[SyncSource] = SOURCES) -> SyncedPlayer:
    return SyncedPlayer(
        FakePlayer(catalog=CATALOG),
        make_player=lambda: FakePlayer(catalog=CATALOG),
        sources=lambda: sources,
    )


def advance(p: SyncedPlayer, ms: float, extra_for: dict[int, float] | None = None) -> None:
    """Let ``ms`` of wall time pass on every player (a follower may run ahead by extra ms)."""
    p.main.advance(ms)
    for f in p.followers():
        f.player.advance(ms + (extra_for or {}).get(f.index, 0))
    p.check_drift()


def test_tiles_follow_the_session_clock(qtbot: QtBot) -> None:
    p = synced()
    p.load("main.mp4")
    view = make_surface(p, True, "main.mp4")
    qtbot.addWidget(view)
    assert isinstance(view, SourcesView)
    assert [t.caption.text() for t in view.tiles] == ["Main recording", "Camera 2 (+00:00:02.500)"]
    cam = view.tiles[1].surface
    assert isinstance(cam, VideoSurface)
    assert cam.frame() is None and "no picture at this time" in cam._message
    cam2, room = (f.player for f in p.followers())
    assert room.position_ms() == 1000  # the room mic started a second before the main file

    p.seek(3000)
    qtbot.waitUntil(lambda: cam.frame() is not None)
    assert (p.position_ms(), cam2.position_ms(), room.position_ms()) == (3000, 500, 4000)

    p.play()
    assert {f.player.state() for f in p.followers()} == {PlaybackState.PLAYING}
    advance(p, 1000)
    assert (p.position_ms(), cam2.position_ms(), room.position_ms()) == (4000, 1500, 5000)
    p.step_frame(-1)
    assert p.state() is PlaybackState.PAUSED
    assert (p.position_ms(), cam2.position_ms()) == (3960, 1460)

    p.seek(1000)  # before the second camera starts: it shows a line again
    assert p.source_frame(0) is None and cam.frame() is None
    assert "(it covers +00:00:02.500 to +00:00:22.500" in cam._message


def test_a_follower_that_drifts_is_cued_back_to_the_session(qtbot: QtBot) -> None:
    p = synced()
    p.load("main.mp4")
    p.seek(5000)
    p.play()
    cam2 = p.followers()[0].player
    advance(p, 100, {0: TOLERANCE_FRAMES * 40 + 50})  # the camera ran ahead by > 2 frames
    assert not p.in_sync() and cam2.state() is PlaybackState.PAUSED
    cued = cam2.position_ms()
    assert cued > 5100 - 2500  # waits ahead of the session
    while p.position_ms() < cued + 2500:
        advance(p, 40)
    qtbot.waitUntil(p.in_sync)
    assert cam2.state() is PlaybackState.PLAYING
    assert abs(cam2.position_ms() - (p.position_ms() - 2500)) <= 40
    assert p.corrections == 1


def test_sound_comes_from_the_chosen_source(qtbot: QtBot) -> None:
    p = synced()
    p.load("main.mp4")
    view = make_surface(p, True, "main.mp4")
    qtbot.addWidget(view)
    cam2, room = (f.player for f in p.followers())
    # a separate audio track is heard by default, and only it
    assert (p.main.muted(), cam2.muted(), room.muted()) == (True, True, False)
    assert view.sound.currentText() == "Room mic (audio)"
    view.sound.setCurrentIndex(view.sound.findData(None))
    assert (p.main.muted(), cam2.muted(), room.muted()) == (False, True, True)
    p.set_muted(True)
    assert p.main.muted()


def test_zoom_buttons_and_full_screen(qtbot: QtBot) -> None:
    p = synced()
    p.load("main.mp4")
    view = make_surface(p, True, "main.mp4")
    qtbot.addWidget(view)
    view.show()
    tile = view.tiles[0]
    surface = tile.surface
    assert isinstance(surface, VideoSurface)
    qtbot.mouseClick(tile.buttons["zoom_in"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(tile.buttons["zoom_in"], Qt.MouseButton.LeftButton)
    assert abs(surface.zoom() - 1.25**2) < 1e-9
    qtbot.mouseClick(tile.buttons["zoom_reset"], Qt.MouseButton.LeftButton)
    assert surface.zoom() == 1.0
    qtbot.mouseClick(tile.buttons["full_screen"], Qt.MouseButton.LeftButton)
    big = surface.full_screen
    assert big is not None and big.isVisible()
    qtbot.keyClick(big, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: surface.full_screen is None)


def test_a_source_that_cannot_be_played_says_so_and_the_rest_plays(qtbot: QtBot) -> None:
    p = synced([SyncSource("gone.mp4", 0, "video", "Camera 3")])
    errors: list[str] = []
    p.errorOccurred.connect(errors.append)
    p.load("main.mp4")
    view = make_surface(p, True, "main.mp4")
    qtbot.addWidget(view)
    assert errors == ["Camera 3: gone.mp4: no such file"]
    assert "Cannot play: gone.mp4: no such file" in view.tiles[1].surface._message
    p.play()
    advance(p, 500)
    assert p.position_ms() == 500


def test_without_further_sources_the_panel_is_unchanged(qtbot: QtBot) -> None:
    p = synced([])
    p.load("main.mp4")
    surface = make_surface(p, True, "main.mp4")
    qtbot.addWidget(surface)
    assert isinstance(surface, VideoSurface)
