"""The coding window is composed of controllers, not mixins (issue 12, "Structure"): the window's
class has only QMainWindow's lineage, and each controller works on its own — built alone over a
real SQLite study and the FakePlayer, its signals say what happened."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QMainWindow, QWidget
from pytestqt.qtbot import QtBot

from observer_app.ui.coding_window import CodingWindow
from observer_app.ui.coding_window.coding import CodingController
from observer_app.ui.coding_window.forms import FormsController
from observer_app.ui.coding_window.playback import PlaybackController
from observer_app.ui.session import NO_MEDIA_CLOCK, CodingSession
from tests.ui.conftest import DURATION_MS, FPS


def test_the_window_inherits_nothing_but_qmainwindow() -> None:
    assert CodingWindow.__mro__[1:] == QMainWindow.__mro__


def test_playback_controller_alone_loads_seeks_and_remembers(
    qtbot: QtBot, lab: Any, fake_player: Any
) -> None:
    with lab.open_as("Ana Alves") as study:
        playback = PlaybackController(study, fake_player, None)
        session = CodingSession(study, lab.mine)
        with qtbot.waitSignal(playback.mediaLoaded, timeout=1000) as loaded:
            playback.attach(session)
        assert loaded.args == [DURATION_MS, 1000.0 / FPS]
        assert session.media_clock
        with qtbot.waitSignal(playback.positionChanged, timeout=1000) as moved:
            playback.seek(42_000)
        assert moved.args == [42_000]
        with qtbot.waitSignal(playback.message, timeout=1000) as said:
            playback.set_rate(2.0)
        assert said.args == ["Rate 2×", 1500]
        playback.remember_position()
        playback.timer.stop()
    with lab.open_as("Ana Alves") as study:
        assert study.assignments.get(lab.mine).last_position_ms == 42_000


def test_coding_controller_alone_logs_a_key_and_reports_a_missing_clock(
    qtbot: QtBot, lab: Any, fake_player: Any
) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    with lab.open_as("Ana Alves") as study:
        coding = CodingController(fake_player, host, lambda: None)
        session = CodingSession(study, lab.mine)
        with qtbot.waitSignal(coding.padReplaced, timeout=1000):
            coding.attach(session)
        with qtbot.waitSignal(coding.error, timeout=1000) as refused:
            coding.code_key("nod")  # no media loaded: no clock, and no time entered
        assert refused.args == [NO_MEDIA_CLOCK]
        fake_player.load(lab.media)
        fake_player.seek(5_000)
        session.media_clock = True
        with qtbot.waitSignal(coding.message, timeout=1000) as said:
            coding.pad.codeClicked.emit("nod")  # the new pad is wired to the controller
        assert said.args[0].endswith("at 00:00:05.000")
        assert coding.event_model.rowCount() == 1
        with qtbot.waitSignal(coding.seekRequested, timeout=1000) as seek:
            coding.timeline.canvas.seekRequested.emit(7_000)
        assert seek.args == [7_000]
    with lab.open_as("Ana Alves") as study:
        assert [(e.code, e.onset_ms) for e in study.events.for_assignment(lab.mine)] == [
            ("nod", 5_000)
        ]


def test_forms_controller_alone_asks_to_seek_to_a_chosen_segment(
    qtbot: QtBot, lab: Any, fake_player: Any
) -> None:
    with lab.open_as("Ana Alves") as study:
        forms = FormsController(fake_player)
        with qtbot.waitSignal(forms.formsReplaced, timeout=1000):
            forms.attach(CodingSession(study, lab.mine))
        assert forms.segments is not None
        with qtbot.waitSignal(forms.seekRequested, timeout=1000) as seek:
            assert forms.choose_segment(1, None)
        assert seek.args == [60_000]


class RecordingSurface(QWidget):
    """A picture surface that records the span it is told to show (as the waveform does)."""

    def __init__(self) -> None:
        super().__init__()
        self.views: list[tuple[int, int]] = []

    def set_view(self, start_ms: int, view_ms: int) -> None:
        self.views.append((start_ms, view_ms))


def test_the_window_pushes_the_timeline_zoom_into_playback(
    qtbot: QtBot, lab: Any, fake_player: Any, settings: Any
) -> None:
    surfaces: list[RecordingSurface] = []

    def factory(_player: Any, _video: bool, _path: str) -> QWidget:
        surfaces.append(RecordingSurface())
        return surfaces[-1]

    study = lab.open_as("Ana Alves")
    window = CodingWindow(study, fake_player, settings=settings, surface_factory=factory)
    qtbot.addWidget(window)
    window.open_assignment(lab.mine)
    canvas = window.timeline.canvas
    window.seek(30_000)
    canvas.zoom(0.25)
    window._tick()
    assert canvas.view_ms < DURATION_MS
    assert surfaces[-1].views[-1] == (canvas.view_start, canvas.view_ms)


def test_opening_applies_the_keymap_once_and_a_tick_pushes_no_unchanged_view(
    qtbot: QtBot, lab: Any, fake_player: Any, settings: Any, monkeypatch: Any
) -> None:
    """No duplicate work: the keymap is applied once per opened assignment (it was twice), and
    the clock's tick (30 a second) no longer re-sends the timeline's unchanged span to the
    picture surface; a zoom or a new surface still gets it."""
    from observer_app.ui.coding_window.keys import KeymapController

    applied: list[bool] = []
    apply = KeymapController.apply_keymap
    monkeypatch.setattr(
        KeymapController, "apply_keymap", lambda k: applied.append(True) or apply(k)
    )
    surfaces: list[RecordingSurface] = []

    def factory(_player: Any, _video: bool, _path: str) -> QWidget:
        surfaces.append(RecordingSurface())
        return surfaces[-1]

    study = lab.open_as("Ana Alves")
    window = CodingWindow(study, fake_player, settings=settings, surface_factory=factory)
    qtbot.addWidget(window)
    applied.clear()  # once when the window is built (the action table's keys)
    window.open_assignment(lab.mine)
    assert len(applied) == 1
    assert window.actions_by_id["code:nod"].shortcut().toString() == "N"
    assert "[N]" in window.pad.buttons["nod"].toolTip()  # the new pad shows its keys
    surface = surfaces[-1]
    pushed = len(surface.views)
    for ms in (1_000, 1_040, 1_080):
        fake_player.seek(ms)
        window.playback.tick()
    window.playback.tick()
    assert len(surface.views) == pushed
    canvas = window.timeline.canvas
    canvas.zoom(0.5)
    assert surface.views[-1] == (canvas.view_start, canvas.view_ms)
    window.playback.load_media()  # a new surface starts at the timeline's span
    assert surfaces[-1] is not surface
    assert surfaces[-1].views == [(canvas.view_start, canvas.view_ms)]
    window.close()
