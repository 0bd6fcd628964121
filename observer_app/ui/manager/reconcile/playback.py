"""The reconciliation page's playback: the recording of the open pair in a player panel.

The player is any object with the ``MediaPlayer`` API (``VlcPlayer``; ``FakePlayer`` in tests),
made by the page's ``PlayerFactory`` when the first recording is opened.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from observer_app.coding.errors import ObserverError
from observer_app.services.study import Study
from observer_app.ui.manager.reconcile.session import ReconcileSession
from observer_app.ui.player_panel import PlayerPanel, make_surface

PlayerFactory = Callable[[], Any]


class PlaybackController(QObject):
    """The recording under the timelines. ``playheadMoved(ms)`` on every position (a seek, a
    player tick); ``durationKnown(ms)`` once the time axis is known (the recording's, else the
    last event's)."""

    playheadMoved = Signal(int)
    durationKnown = Signal(int)

    def __init__(
        self, study: Study, player_factory: PlayerFactory, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.study = study
        self._player_factory = player_factory
        self.player: Any = None
        self.loaded_path: str | None = None
        self.panel: PlayerPanel | None = None
        self.box = QWidget()
        self._layout = QVBoxLayout(self.box)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.no_player = QLabel("Open a double-coded recording to reconcile it.")
        self.no_player.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._layout.addWidget(self.no_player)

    @property
    def loaded(self) -> bool:
        return self.player is not None and self.loaded_path is not None

    def attach(self, session: ReconcileSession) -> None:
        """Load the session's recording (a missing file is named, the previous one released)."""
        rec = self.study.recordings.get(session.rec.recording_id)
        self.durationKnown.emit(rec.duration_ms or session.last_event_ms() + 10_000)
        if not Path(rec.media_path).exists():
            self._show_message(
                f"{rec.media_path}: file not found (Recordings tab: Find moved media…)"
            )
            return
        if self.player is None:
            try:
                self.player = self._player_factory()
            except ObserverError as exc:
                self._show_message(str(exc))
                return
            self.player.positionChanged.connect(self._position)
        if self.loaded_path != rec.media_path:
            self._load(rec.media_path)

    def _load(self, path: str) -> None:
        try:
            info = self.player.load(path)
        except ObserverError as exc:
            self._show_message(str(exc))
            return
        self.loaded_path = path
        panel = self._ensure_panel()
        panel.set_media(info.duration_ms, info.fps)
        panel.surface.hide()  # replaced (deleted later): never paint it meanwhile
        panel.set_surface(make_surface(self.player, info.has_video, path))
        self.durationKnown.emit(info.duration_ms)

    def _show_message(self, text: str) -> None:
        if self.loaded:
            self.player.close()  # never keep showing (and seeking) another recording
        self.loaded_path = None
        self.no_player.setText(text)
        self.no_player.setVisible(True)
        if self.panel is not None:
            self.panel.setVisible(False)

    def _ensure_panel(self) -> PlayerPanel:
        self.no_player.setVisible(False)
        if self.panel is not None:
            self.panel.setVisible(True)
            return self.panel
        player = self.player
        panel = PlayerPanel(player)
        panel.seekRequested.connect(self.seek)
        panel.rateRequested.connect(player.set_rate)
        actions = {
            "play_pause": player.toggle,
            "jump_back": lambda: player.jump(-5000),
            "jump_forward": lambda: player.jump(5000),
            "frame_back": lambda: player.step_frame(-1),
            "frame_forward": lambda: player.step_frame(1),
        }
        for name, action in actions.items():
            panel.buttons[name].clicked.connect(action)
        self.panel = panel
        self._layout.addWidget(panel, 1)
        return panel

    def _position(self, ms: int) -> None:
        playing = getattr(self.player.state(), "value", "") == "playing"
        if self.panel is not None:
            self.panel.show_position(ms, playing)
        self.playheadMoved.emit(ms)

    # -- transport -------------------------------------------------------------------------
    def seek(self, ms: int) -> None:
        """Seek the loaded recording (none loaded: only the playhead moves)."""
        if self.loaded:
            self.player.seek(ms)
        self.playheadMoved.emit(ms)

    def play(self) -> None:
        if self.loaded:
            self.player.play()

    def toggle_play(self) -> None:
        """Space: play or pause the recording (when one is loaded)."""
        if self.loaded:
            self.player.toggle()

    def close(self) -> None:
        if self.player is not None:
            self.player.close()
