"""The reconciliation page's player: loading the recording, the panel, seeking, the playhead."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from observer_app.coding.errors import ObserverError
from observer_app.ui.manager.reconcile.base import ReconcileBase
from observer_app.ui.player_panel import PlayerPanel, make_surface

PlayerFactory = Callable[[], Any]


class ReconcilePlayback(ReconcileBase):
    """The recording under the timelines (any object with the ``MediaPlayer`` API)."""

    def toggle_play(self) -> None:
        """Space: play or pause the recording (when one is loaded)."""
        if self.player is not None and self._loaded_path is not None:
            self.player.toggle()

    def _load_media(self, recording_id: int) -> None:
        rec = self.study.recordings.get(recording_id)
        duration = rec.duration_ms or 0
        self.timeline.set_duration(duration or self._last_event_ms() + 10_000)
        if not Path(rec.media_path).exists():
            self._show_player_message(
                f"{rec.media_path}: file not found (Recordings tab: Find moved media…)"
            )
            return
        if self.player is None:
            try:
                self.player = self._player_factory()
            except ObserverError as exc:
                self._show_player_message(str(exc))
                return
            self.player.positionChanged.connect(self._position)
        if self._loaded_path != rec.media_path:
            try:
                info = self.player.load(rec.media_path)
            except ObserverError as exc:
                self._show_player_message(str(exc))
                return
            self._loaded_path = rec.media_path
            self._ensure_panel()
            assert self.panel is not None
            self.panel.set_media(info.duration_ms, info.fps)
            self.panel.surface.hide()  # replaced (deleted later): never paint it meanwhile
            self.panel.set_surface(make_surface(self.player, info.has_video, rec.media_path))
            self.timeline.set_duration(info.duration_ms)

    def _last_event_ms(self) -> int:
        if self.rec is None or not self.rec.items:
            return 60_000
        return max(i.time_ms for i in self.rec.items)

    def _show_player_message(self, text: str) -> None:
        if self.player is not None and self._loaded_path is not None:
            self.player.close()  # never keep showing (and seeking) another recording
        self._loaded_path = None
        self.no_player.setText(text)
        self.no_player.setVisible(True)
        if self.panel is not None:
            self.panel.setVisible(False)

    def _ensure_panel(self) -> None:
        if self.panel is not None:
            self.panel.setVisible(True)
            self.no_player.setVisible(False)
            return
        panel = PlayerPanel(self.player)
        panel.seekRequested.connect(self.seek)
        panel.rateRequested.connect(self.player.set_rate)
        actions = {
            "play_pause": self.player.toggle,
            "jump_back": lambda: self.player.jump(-5000),
            "jump_forward": lambda: self.player.jump(5000),
            "frame_back": lambda: self.player.step_frame(-1),
            "frame_forward": lambda: self.player.step_frame(1),
        }
        for name, action in actions.items():
            panel.buttons[name].clicked.connect(action)
        self.panel = panel
        self.no_player.setVisible(False)
        self.player_layout.addWidget(panel, 1)

    def _position(self, ms: int) -> None:
        playing = getattr(self.player.state(), "value", "") == "playing"
        if self.panel is not None:
            self.panel.show_position(ms, playing)
        self.timeline.set_playhead(ms)

    def seek(self, ms: int) -> None:
        if self.player is not None and self._loaded_path is not None:
            self.player.seek(ms)
        self.timeline.set_playhead(ms)
