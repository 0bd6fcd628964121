"""Waveform decoding through libvlc (off the GUI thread) and the two widgets the UI embeds."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from observer_app.media import Envelope, MediaError, VlcPlayer, compute_envelope
from observer_app.media.widgets import VideoSurface, WaveformWidget
from observer_app.ui.player_panel import _start_waveform

pytestmark = pytest.mark.media

# AAC is lossy and has a short priming delay: compare away from section edges, loosely.
EDGE_MS = 100
TOLERANCE = 0.08


def test_envelope_follows_the_generated_amplitudes(
    media_files: dict[str, Path], gen: ModuleType
) -> None:
    env = compute_envelope(media_files["audio"], bucket_ms=20)
    assert abs(env.duration_ms - gen.AUDIO_SECONDS * 1000) <= 100
    step = 50
    for ms in range(EDGE_MS, int(gen.AUDIO_SECONDS * 1000) - EDGE_MS, step):
        near_edge = any(
            abs(ms - edge * 1000) < EDGE_MS for s, e, _a in gen.AUDIO_SECTIONS for edge in (s, e)
        )
        if near_edge:
            continue
        expected = gen.audio_envelope(ms / 1000)
        assert env.peak_at(ms) == pytest.approx(expected, abs=TOLERANCE), f"at {ms} ms"


def test_waveform_surface_is_computed_through_the_one_worker_with_progress(
    qtbot: QtBot, media_files: dict[str, Path]
) -> None:
    # the audio-only picture's waveform runs through ui.workers.start_task (issue 12: one way
    # off the GUI thread); progress arrives in order before the envelope
    widget = WaveformWidget()
    qtbot.addWidget(widget)
    progress: list[int] = []
    shown = widget.set_progress
    widget.set_progress = lambda percent: (progress.append(percent), shown(percent))  # type: ignore[method-assign]
    _start_waveform(widget, str(media_files["audio"]))
    qtbot.waitUntil(lambda: widget.envelope() is not None, timeout=20_000)
    env = widget.envelope()
    assert isinstance(env, Envelope) and len(env.peaks) > 0
    assert progress and progress[-1] == 100
    assert progress == sorted(progress)


def test_waveform_surface_failure_names_the_file(
    qtbot: QtBot, media_files: dict[str, Path]
) -> None:
    widget = WaveformWidget()
    qtbot.addWidget(widget)
    _start_waveform(widget, str(media_files["garbage"]))
    qtbot.waitUntil(lambda: widget.message() != "", timeout=20_000)
    assert str(media_files["garbage"]) in widget.message()
    assert widget.envelope() is None


def test_a_closed_waveform_surface_cancels_its_computation(
    qtbot: QtBot, media_files: dict[str, Path]
) -> None:
    from observer_app.ui import workers

    widget = WaveformWidget()
    before = len(workers._kept)
    _start_waveform(widget, str(media_files["audio"]))
    progress = workers._kept[before:]
    assert progress, "the waveform was not started through ui.workers"
    cancelled: list[bool] = []
    progress[-1][0].cancelled.connect(lambda: cancelled.append(True))
    widget.deleteLater()
    qtbot.waitUntil(lambda: cancelled == [True], timeout=20_000)


def test_envelope_of_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="no such file"):
        compute_envelope(tmp_path / "x.m4a")


def test_waveform_widget_playhead_and_click_to_seek(
    qtbot: QtBot, media_files: dict[str, Path]
) -> None:
    env = compute_envelope(media_files["audio"])
    widget = WaveformWidget()
    qtbot.addWidget(widget)
    widget.resize(600, 100)
    widget.set_envelope(env)
    widget.set_position(env.duration_ms // 2)
    image = widget.grab().toImage()
    x = round(widget.x_for(env.duration_ms // 2))
    assert QColor(image.pixel(x, 5)).red() > 200  # the playhead line
    with qtbot.waitSignal(widget.seekRequested) as seek:
        qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=QPointF(150, 50).toPoint())
    assert seek.args[0] == pytest.approx(env.duration_ms * 150 / 600, abs=env.duration_ms / 600)


def test_video_surface_paints_the_players_frames_keeping_aspect(
    qtbot: QtBot, media_files: dict[str, Path]
) -> None:
    player = VlcPlayer(audio=False)
    surface = VideoSurface()
    qtbot.addWidget(surface)
    surface.resize(800, 300)  # wider than 4:3: bars left and right
    surface.attach(player)
    with qtbot.waitSignal(player.frameReady, timeout=5000):
        player.load(media_files["index"])
    frame = surface.frame()
    assert frame is not None
    rect = surface.target_rect()
    assert rect.height() == 300 and rect.width() == pytest.approx(400)
    painted = surface.grab().toImage()
    assert QColor(painted.pixel(10, 150)).lightness() == 0  # black bar
    assert QColor(painted.pixel(400, 150)).lightness() in (0, 255)  # inside the picture
    player.close()


def test_video_surface_message(qtbot: QtBot) -> None:
    surface = VideoSurface()
    qtbot.addWidget(surface)
    surface.resize(200, 100)
    surface.show_message("Audio only")
    image: QImage = surface.grab().toImage()
    assert surface.frame() is None
    assert any(QColor(image.pixel(x, 50)).lightness() > 100 for x in range(200))


def test_waveform_follows_a_zoomed_window(qtbot: QtBot, media_files: dict[str, Path]) -> None:
    """Zoomed to 1-3 s (the loud tone section) the whole width is loud; whole, the start is
    silence; clicks and the playhead map through the window."""
    env = compute_envelope(media_files["audio"])
    widget = WaveformWidget()
    qtbot.addWidget(widget)
    widget.resize(600, 100)
    widget.set_envelope(env)

    def loud_at(x: int) -> bool:
        image = widget.grab().toImage()
        return QColor(image.pixel(x, 20)).blue() > 150  # a peak reaching 60 % of full scale

    assert not loud_at(10)  # 0.1 s: silence
    widget.set_view(1000, 2000)
    assert loud_at(10) and loud_at(590)
    assert widget.x_for(2000) == pytest.approx(300)
    with qtbot.waitSignal(widget.seekRequested) as seek:
        qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=QPointF(150, 50).toPoint())
    assert seek.args[0] == pytest.approx(1500, abs=5)
    widget.set_view(0, None)  # back to the whole recording
    assert not loud_at(10)


def test_video_zoom_pan_and_full_screen(qtbot: QtBot) -> None:
    from observer_app.media import FakePlayer, MediaInfo

    player = FakePlayer(catalog={"v.mp4": MediaInfo("v.mp4", 10_000, 25.0, 320, 240, True, True)})
    surface = VideoSurface()
    qtbot.addWidget(surface)
    surface.resize(400, 300)
    surface.attach(player)
    player.load("v.mp4")
    player.seek(1_000)
    qtbot.waitUntil(lambda: surface.frame() is not None)
    whole = surface.target_rect()
    assert (whole.width(), whole.height()) == (400, 300)
    surface.set_zoom(2.0, QPointF(100, 75))  # zoom in on the top-left quarter
    rect = surface.target_rect()
    assert (rect.width(), rect.height()) == (800, 600)
    assert rect.x() == pytest.approx(-100) and rect.y() == pytest.approx(-75)  # point kept
    surface.set_zoom(20.0)
    assert surface.zoom() == 8.0
    surface.set_zoom(1.0)
    assert surface.target_rect() == whole
    big = surface.open_full_screen()
    qtbot.addWidget(big)
    assert big.isFullScreen() and big.frame() is surface.frame()
    surface_before = surface.frame()
    player.seek(2_000)  # the full-screen picture follows the same player
    qtbot.waitUntil(lambda: big.frame() == player.current_frame() != surface_before, timeout=2000)
    qtbot.keyClick(big, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: surface.full_screen is None, timeout=2000)
