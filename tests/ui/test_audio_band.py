"""The coding window feeds the timeline the recording's sound: libvlc decodes it once off the GUI
thread, the waveform and spectrogram are cached beside the study and read back on the next open
without decoding, and the View menu's action (in the action table) switches between them."""

from __future__ import annotations

import wave
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from observer_app.media.audio_views import Spectrogram, WavePyramid
from observer_app.services.study import Study

pytestmark = pytest.mark.media

RATE = 22_050


def write_speech(path: Path, seconds: float = 8.0) -> Path:
    """Syllable-like bursts of a 700 Hz buzz with pauses; silent after ``seconds / 2``."""
    rng = np.random.default_rng(2)
    n = round(seconds * RATE)
    t = np.arange(n) / RATE
    env = np.zeros(n)
    pos = 0
    while pos < n // 2:
        end = min(n // 2, pos + int(rng.uniform(0.1, 0.3) * RATE))
        env[pos:end] = rng.uniform(0.2, 0.8) * np.hanning(end - pos)
        pos = end + int(rng.uniform(0.1, 0.3) * RATE)
    samples = env * np.sin(2 * np.pi * 700 * t)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes((samples * 32767).astype("<i2").tobytes())
    return path


def open_window(qtbot: QtBot, lab: Any, tmp_path: Path, name: str) -> Any:
    from observer_app.app import make_player
    from observer_app.media.probe import probe
    from observer_app.ui.coding_window import CodingWindow

    study = Study.open(lab.path, as_coder="Ana Alves", backup=False, probe=probe)
    settings = QSettings(str(tmp_path / f"{name}.ini"), QSettings.Format.IniFormat)
    # the player the app makes (a FramePlayer over libvlc): the band was missing with it
    window = CodingWindow(study, make_player(), settings=settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.open_assignment(lab.mine)
    return window


def test_the_window_decodes_once_caches_and_toggles_the_spectrogram(
    qtbot: QtBot, tmp_path: Path, make_lab: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OBSERVER_APP_AUDIO", "dummy")
    from observer_app.media import audio_views
    from observer_app.media.probe import probe

    lab = make_lab(tmp_path, write_speech(tmp_path / "speech.wav"), probe)
    window = open_window(qtbot, lab, tmp_path, "first")
    canvas = window.timeline.canvas
    qtbot.waitUntil(lambda: canvas.envelope is not None, timeout=30_000)
    assert isinstance(canvas.envelope, WavePyramid)
    assert isinstance(canvas.spectrogram, Spectrogram)
    assert abs(canvas.envelope.duration_ms - 8_000) <= 60
    lo, hi, _ = canvas.envelope.columns(0, 8_000 / 800, 800)
    assert np.nanmax(hi[:380]) > 0.5 and np.nanmax(np.maximum(-lo, hi)[420:790]) < 0.01
    spec = canvas.spectrogram
    loud = spec.columns(0, 4_000 / 400, 400)
    strongest = loud[np.nanmax(loud, axis=1) > 150].argmax(axis=1)
    assert np.all(np.abs(strongest * spec.band_hz - 700) <= spec.band_hz)
    cached = list((tmp_path / "ui.db.media").glob("*.audio.npz"))
    assert len(cached) == 1
    # the audio-only picture shows the same waveform: one decode for both
    assert window.panel.surface.envelope() is canvas.envelope

    # The View menu's action switches the band; so does its key from the action table.
    action = window.actions_by_id["spectrogram"]
    assert action.isCheckable() and action in window.menus["View"].actions()
    assert action.shortcut().toString() == "Ctrl+Shift+S"
    canvas.resize(900, 200)
    waveform = canvas.grab().toImage()
    action.trigger()
    assert canvas.audio_view == "spectrogram" and action.isChecked()
    assert canvas.grab().toImage() != waveform
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    window.panel.setFocus()
    qtbot.keyClick(
        QApplication.focusWidget() or window,
        Qt.Key.Key_S,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert canvas.audio_view == "waveform" and not action.isChecked()
    assert canvas.grab().toImage() == waveform
    action.trigger()  # the choice is remembered for the next window
    window.close()

    # Reopened: read back from the cache beside the study, never decoded again.
    def no_decode(*_args: Any, **_kw: Any) -> None:
        raise AssertionError("decoded again")

    monkeypatch.setattr(audio_views, "_transcode", no_decode)
    settings = tmp_path / "first.ini"
    (tmp_path / "second.ini").write_bytes(settings.read_bytes())
    again = open_window(qtbot, lab, tmp_path, "second")
    qtbot.waitUntil(lambda: again.timeline.canvas.envelope is not None, timeout=10_000)
    np.testing.assert_array_equal(again.timeline.canvas.envelope.maxs[0], canvas.envelope.maxs[0])
    assert again.timeline.canvas.audio_view == "spectrogram"
    assert again.actions_by_id["spectrogram"].isChecked()
    again.close()


def test_without_real_media_no_band_is_computed(
    qtbot: QtBot, lab: Any, fake_player: Any, settings: QSettings
) -> None:
    """The FakePlayer plays nothing: nothing is decoded, the band stays empty."""
    from observer_app.ui.coding_window import CodingWindow

    study = lab.open_as("Ana Alves")
    window = CodingWindow(study, fake_player, settings=settings, surface_factory=None)
    qtbot.addWidget(window)
    window.open_assignment(lab.mine)
    assert not window.audio.busy() and window.timeline.canvas.envelope is None


def test_a_missing_recording_says_so_in_the_picture(
    qtbot: QtBot, tmp_path: Path, make_lab: Any, settings: QSettings
) -> None:
    from observer_app.media.probe import probe
    from observer_app.media.vlc_player import VlcPlayer
    from observer_app.ui.coding_window import CodingWindow

    media = write_speech(tmp_path / "speech.wav", 2.0)
    lab = make_lab(tmp_path, media, probe)
    media.unlink()
    study = Study.open(lab.path, as_coder="Ana Alves", backup=False, probe=probe)
    window = CodingWindow(study, VlcPlayer(), settings=settings)
    qtbot.addWidget(window)
    window.open_assignment(lab.mine)
    assert not window.audio.busy() and window.timeline.canvas.envelope is None


def test_leaving_the_recording_cancels_its_computation_and_drops_its_result(
    qtbot: QtBot, tmp_path: Path, make_lab: Any, settings: QSettings
) -> None:
    from PySide6.QtCore import QThreadPool

    from observer_app.media.probe import probe
    from observer_app.media.vlc_player import VlcPlayer
    from observer_app.ui.coding_window import CodingWindow

    lab = make_lab(tmp_path, write_speech(tmp_path / "speech.wav", 120.0), probe)
    study = Study.open(lab.path, as_coder="Ana Alves", backup=False, probe=probe)
    window = CodingWindow(study, VlcPlayer(), settings=settings)
    qtbot.addWidget(window)
    window.open_assignment(lab.mine)
    job = window.audio._job
    assert job is not None and not job.cancelled
    window.audio.attach(None)  # the session closes
    assert job.cancelled and not window.audio.busy()
    QThreadPool.globalInstance().waitForDone(30_000)
    qtbot.wait(50)  # queued results, if any, arrive
    assert window.timeline.canvas.envelope is None and window.audio.views is None
