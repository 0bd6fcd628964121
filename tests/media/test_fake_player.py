"""Transport semantics (shared by both players) exercised through FakePlayer's test clock."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from observer_app.media import (
    FakePlayer,
    MediaError,
    MediaInfo,
    MediaPlayer,
    PlaybackState,
    transport,
)

VIDEO = MediaInfo("session.mp4", 20_000, 25.0, 320, 240, True, True)
AUDIO = MediaInfo("session.m4a", 6_000, 0.0, 0, 0, False, True)


@pytest.fixture
def fake(qtbot: QtBot) -> FakePlayer:
    player = FakePlayer(catalog={VIDEO.path: VIDEO, AUDIO.path: AUDIO})
    player.load(VIDEO.path)
    return player


def test_fake_implements_the_protocol(fake: FakePlayer) -> None:
    assert isinstance(fake, MediaPlayer)


def test_load_is_paused_on_the_first_frame(fake: FakePlayer) -> None:
    assert fake.state() is PlaybackState.PAUSED
    assert fake.position_ms() == 0
    frame = fake.current_frame()
    assert frame is not None and frame.width() == VIDEO.width


def test_play_moves_with_the_clock_times_the_rate(fake: FakePlayer) -> None:
    fake.play()
    fake.advance(1000)
    assert fake.position_ms() == 1000
    fake.set_rate(2.0)
    fake.advance(500)
    assert fake.position_ms() == 2000
    fake.pause()
    fake.advance(1000)
    assert fake.position_ms() == 2000


def test_rate_is_clamped_to_quarter_to_four(fake: FakePlayer) -> None:
    fake.set_rate(10)
    assert fake.rate() == transport.MAX_RATE == 4.0
    fake.set_rate(0.01)
    assert fake.rate() == transport.MIN_RATE == 0.25
    with pytest.raises(MediaError):
        fake.set_rate(float("nan"))


def test_jump_clamps_at_zero_and_at_the_last_frame(fake: FakePlayer) -> None:
    fake.seek(1000)
    fake.jump(-5000)
    assert fake.position_ms() == 0
    fake.jump(10**9)
    # 20 s at 25 fps: 500 frames, the last starts at 499 * 40 ms.
    assert fake.position_ms() == 499 * 40 == transport.last_position(VIDEO)


def test_seek_keeps_playing_state_and_clamps(fake: FakePlayer) -> None:
    fake.play()
    fake.seek(-10)
    assert fake.position_ms() == 0 and fake.state() is PlaybackState.PLAYING
    fake.seek(25_000)
    assert fake.position_ms() == 19_960


def test_step_frame_pauses_and_moves_whole_frames(fake: FakePlayer) -> None:
    fake.seek(1010)  # inside frame 25 (1000-1039 ms)
    fake.play()
    fake.step_frame(1)
    assert fake.state() is PlaybackState.PAUSED
    assert fake.position_ms() == 26 * 40
    fake.step_frame(-3)
    assert fake.position_ms() == 23 * 40
    fake.step_frame(-100)
    assert fake.position_ms() == 0
    fake.seek(19_990)
    fake.step_frame(5)
    assert fake.position_ms() == 19_960


def test_step_frame_at_29_97_fps_lands_inside_each_frame() -> None:
    info = MediaInfo("ntsc.mp4", 10_000, 30000 / 1001, 640, 480, True, True)
    player = FakePlayer(catalog={info.path: info})
    player.load(info.path)
    for k in range(1, 40):
        player.step_frame(1)
        assert transport.frame_index(player.position_ms(), info) == k


def test_audio_only_steps_by_40_ms_and_has_no_frame(qtbot: QtBot) -> None:
    player = FakePlayer(catalog={AUDIO.path: AUDIO})
    player.load(AUDIO.path)
    player.step_frame(2)
    assert player.position_ms() == 80
    assert player.current_frame() is None


def test_loop_jumps_back_to_its_start_when_crossing_its_end(fake: FakePlayer) -> None:
    fake.set_loop(2000, 3000)
    fake.seek(2900)
    fake.play()
    fake.advance(150)  # crosses 3000
    assert fake.position_ms() == 2000
    fake.advance(500)
    assert fake.position_ms() == 2500


def test_open_loop_repeats_from_the_end(fake: FakePlayer) -> None:
    fake.set_loop(5000, None)
    fake.seek(19_900)
    fake.play()
    fake.advance(200)
    assert fake.position_ms() == 5000 and fake.state() is PlaybackState.PLAYING


def test_loop_needs_an_end_after_its_start(fake: FakePlayer) -> None:
    with pytest.raises(MediaError, match="must be after its start"):
        fake.set_loop(3000, 2000)


def test_end_of_recording_then_play_restarts(fake: FakePlayer) -> None:
    states: list[PlaybackState] = []
    fake.stateChanged.connect(states.append)
    fake.seek(19_000)
    fake.play()
    fake.advance(2000)
    assert fake.state() is PlaybackState.ENDED
    assert fake.position_ms() == 19_960
    fake.play()
    assert fake.position_ms() == 0 and fake.state() is PlaybackState.PLAYING
    assert states == [PlaybackState.PLAYING, PlaybackState.ENDED, PlaybackState.PLAYING]


def test_toggle(fake: FakePlayer) -> None:
    fake.toggle()
    assert fake.state() is PlaybackState.PLAYING
    fake.toggle()
    assert fake.state() is PlaybackState.PAUSED


def test_signals_position_and_frames(fake: FakePlayer, qtbot: QtBot) -> None:
    positions: list[int] = []
    fake.positionChanged.connect(positions.append)
    with qtbot.waitSignal(fake.frameReady):
        fake.seek(400)
    assert positions[-1] == 400


def test_unknown_file_reports_an_error(qtbot: QtBot, tmp_path: Path) -> None:
    player = FakePlayer()
    with qtbot.waitSignal(player.errorOccurred) as blocker, pytest.raises(MediaError):
        player.load(tmp_path / "nope.mp4")
    assert "nope.mp4: no such file" in blocker.args[0]
    assert player.state() is PlaybackState.ERROR


def test_volume_and_mute(fake: FakePlayer) -> None:
    fake.set_volume(150)
    assert fake.volume() == 100
    fake.set_muted(True)
    assert fake.muted()
