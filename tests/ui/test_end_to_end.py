"""End to end with the real player: libvlc plays a generated, frame-indexed recording; the coder
presses code keys while it plays, rates items by keyboard and completes; then the database is
reopened and every event and rating is checked (each event's time against the frame that was on
screen when its key was pressed)."""

from __future__ import annotations

import importlib.util
import shutil
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from observer_app.services.study import Study

pytestmark = [pytest.mark.media, pytest.mark.slow]

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "make_test_media.py"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_test_media", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def media_files() -> tuple[ModuleType, dict[str, Path]]:
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is needed to generate the test media (sudo apt-get install ffmpeg)")
    gen = _generator()
    return gen, gen.make_all(Path(tempfile.gettempdir()) / "observer-app-test-media")


@pytest.fixture(scope="module")
def media(media_files: tuple[ModuleType, dict[str, Path]]) -> tuple[ModuleType, Path]:
    gen, files = media_files
    return gen, files["index"]


def frame_on_screen(gen: ModuleType, image: QImage | None) -> int | None:
    if image is None or image.isNull():
        return None
    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    width, height, stride = gray.width(), gray.height(), gray.bytesPerLine()
    data = np.frombuffer(gray.constBits(), np.uint8, count=stride * height)
    result: int | None = gen.decode_index(data.reshape(height, stride)[:, :width])
    return result


def test_code_a_recording_with_the_real_player(
    qtbot: QtBot,
    media: tuple[ModuleType, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    make_lab: Any,
) -> None:
    monkeypatch.setenv("OBSERVER_APP_AUDIO", "dummy")
    from observer_app.media.probe import probe
    from observer_app.media.vlc_player import VlcPlayer
    from observer_app.ui.coding_window import CodingWindow

    gen, video = media
    lab = make_lab(tmp_path, video, probe)
    study = Study.open(lab.path, as_coder="Ana Alves", backup=False, probe=probe)
    player = VlcPlayer()
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    window = CodingWindow(study, player, settings=settings)
    window.confirm_completion = lambda question: True  # type: ignore[method-assign]
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    window.open_assignment(lab.mine)
    assert not window.media_banner.isVisible(), window.media_banner.label.text()
    assert window.segments is not None and len(window.segments.bounds) == 1

    # While playing: each event's time is the player's clock at the key press.
    windows: list[tuple[int, int]] = []

    def press(key: Any) -> None:
        before = player.position_ms()
        qtbot.keyClick(QApplication.focusWidget() or window, key)
        windows.append((before, player.position_ms()))

    player.play()
    qtbot.waitUntil(lambda: player.position_ms() > 1_000, timeout=10_000)
    press(Qt.Key.Key_N)  # nod
    qtbot.wait(700)
    press(Qt.Key.Key_A)  # talk opens
    qtbot.wait(900)
    press(Qt.Key.Key_S)  # silence opens, closes talk
    qtbot.wait(600)
    press(Qt.Key.Key_S)  # silence closes
    player.pause()
    # Paused on a frame: the event's time lies in the frame shown on screen.
    player.seek(14_530)
    qtbot.waitUntil(
        lambda: frame_on_screen(gen, player.current_frame()) == 14_530 // 40, timeout=5_000
    )
    shown = frame_on_screen(gen, player.current_frame())
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_N)
    qtbot.wait(100)

    assert window.segment_form is not None
    window.segments.choose(0)
    window.segment_form.setFocus()
    window.segment_form.go_to(0)
    qtbot.keyClick(window.segment_form, Qt.Key.Key_4)
    qtbot.keyClick(window.segment_form, Qt.Key.Key_2)
    form = window.session_forms.forms[0]
    form.setFocus()
    form.go_to(0)
    qtbot.keyClick(form, Qt.Key.Key_6)
    qtbot.keyClick(form, Qt.Key.Key_2)
    window.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert window.complete_banner.isVisible(), window.statusBar().currentMessage()
    window.close()
    player.close()
    study.close()
    time.sleep(0.1)

    with Study.open(lab.path, as_coder="Ana Alves", backup=False) as again:
        info = again.assignments.get(lab.mine)
        events = again.events.for_assignment(lab.mine)
        ratings = {
            (r.unit_kind, r.unit_index, r.item_id): (r.value, r.missing_reason)
            for r in again.ratings.for_assignment(lab.mine)
        }
    assert info.status == "complete"
    assert [e.code for e in events] == ["nod", "talk", "silence", "nod"]
    nod1, talk, silence, nod2 = events
    assert silence.offset_ms is not None
    logged = [nod1.onset_ms, talk.onset_ms, silence.onset_ms, silence.offset_ms]
    for onset, (before, after) in zip(logged, windows, strict=True):
        assert before <= onset <= after, (onset, before, after)
    assert talk.offset_ms == silence.onset_ms  # the exclusive switch closes at the same time
    assert shown is not None and shown * 40 <= nod2.onset_ms < (shown + 1) * 40
    assert ratings == {
        ("segment", 0, "s1"): (4.0, None),
        ("segment", 0, "s2"): (2.0, None),
        ("session", 0, "q1"): (6.0, None),
        ("session", 0, "q2"): (2.0, None),
    }


def test_audio_only_recording_shows_its_waveform_and_a_click_seeks(
    qtbot: QtBot,
    media_files: tuple[ModuleType, dict[str, Path]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    make_lab: Any,
) -> None:
    monkeypatch.setenv("OBSERVER_APP_AUDIO", "dummy")
    from observer_app.media.probe import probe
    from observer_app.media.vlc_player import VlcPlayer
    from observer_app.media.widgets import WaveformWidget
    from observer_app.ui.coding_window import CodingWindow

    _, files = media_files
    lab = make_lab(tmp_path, files["audio"], probe)
    study = Study.open(lab.path, as_coder="Ana Alves", backup=False, probe=probe)
    player = VlcPlayer()
    window = CodingWindow(
        study, player, settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    )
    qtbot.addWidget(window)
    window.show()
    window.open_assignment(lab.mine)
    # AAC is played from its exact working copy (made once, off the GUI thread), then reused.
    info = player.info
    qtbot.waitUntil(lambda: (i := info()) is not None and i.path.endswith(".wav"), timeout=20_000)
    copies = list((lab.path.parent / (lab.path.name + ".media")).glob("*.wav"))
    assert [Path(i.path) for i in [player.info()] if i] == copies
    wave = window.panel.surface
    assert isinstance(wave, WaveformWidget)
    qtbot.waitUntil(lambda: wave.envelope() is not None, timeout=20_000)
    envelope = wave.envelope()
    assert envelope is not None and envelope.duration_ms > 5_000
    # the generator's loud tone section (1-3 s) is louder than its silence (3-4 s)
    assert envelope.peak_at(2_000) > 0.5 > envelope.peak_at(3_500)
    x = int(wave.x_for(4_500))
    qtbot.mouseClick(wave, Qt.MouseButton.LeftButton, pos=QPoint(x, wave.height() // 2))
    qtbot.waitUntil(lambda: abs(player.position_ms() - 4_500) <= 100, timeout=5_000)
    window.close()
    player.close()
    study.close()


def test_hd_video_gets_its_fast_seek_copy_and_paused_seeks_show_the_exact_frame(
    qtbot: QtBot,
    media_files: tuple[ModuleType, dict[str, Path]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    make_lab: Any,
) -> None:
    """Issue 11 (fast exact seeks): an HD recording gets its all-intra video working copy in
    the background, beside the study; paused seeks are then served from it, and the window's
    video surface shows exactly the target frame."""
    monkeypatch.setenv("OBSERVER_APP_AUDIO", "dummy")
    from observer_app.app import make_player
    from observer_app.media.frame_player import FramePlayer
    from observer_app.media.probe import probe
    from observer_app.media.widgets import VideoSurface
    from observer_app.ui.coding_window import CodingWindow

    gen, files = media_files
    lab = make_lab(tmp_path, files["hd720"], probe)
    study = Study.open(lab.path, as_coder="Ana Alves", backup=False, probe=probe)
    player = make_player()
    assert isinstance(player, FramePlayer)
    window = CodingWindow(
        study, player, settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    )
    qtbot.addWidget(window)
    window.show()
    window.open_assignment(lab.mine)
    cache = lab.path.parent / (lab.path.name + ".media")
    qtbot.waitUntil(lambda: list(cache.glob("*.intra.mkv")) != [], timeout=60_000)
    qtbot.waitUntil(
        lambda: player.frame_source() in list(cache.glob("*.intra.mkv")), timeout=10_000
    )
    surface = window.panel.surface
    assert isinstance(surface, VideoSurface)
    for target in (5_210, 1_990, 7_000, 40):
        player.seek(target)
        qtbot.waitUntil(lambda: not player.seeking(), timeout=5_000)
        qtbot.waitUntil(
            lambda t=target: frame_on_screen(gen, surface.frame()) == t // 40, timeout=2_000
        )
        assert player.position_ms() == target
    window.close()
    player.close()
    study.close()
