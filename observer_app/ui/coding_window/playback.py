"""The coding window's playback: loading the recording, seeking, rate, the tick, relinking."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from observer_app.coding.errors import ObserverError
from observer_app.media.protocol import MediaPlayer
from observer_app.media.synced import main_player
from observer_app.media.types import PlaybackState
from observer_app.media.vlc_player import VlcPlayer
from observer_app.media.working_copy import cache_dir_for, needs_working_copy
from observer_app.ui.actions import RATES
from observer_app.ui.coding_window.base import CodingWindowBase
from observer_app.ui.media_prep import WorkingCopyTask, existing_copy
from observer_app.ui.workers import run_in_background

TICK_MS = 33
REMEMBER_EVERY_MS = 10_000


def is_playing(player: MediaPlayer) -> bool:
    """Whether the player is playing (not paused, stopped or closed)."""
    return player.state() is PlaybackState.PLAYING


def next_rate(current: float, direction: int) -> float:
    """The playback rate one step faster (``direction`` > 0) or slower than ``current`` in
    ``RATES``, staying at the fastest or slowest."""
    if direction > 0:
        return next((r for r in RATES if r > current + 1e-9), RATES[-1])
    return next((r for r in reversed(RATES) if r < current - 1e-9), RATES[0])


class PlaybackPart(CodingWindowBase):
    """The player under the window: the recording, position, rate, and finding moved media."""

    def _load_media(self) -> None:
        session = self.session
        assert session is not None
        self.media_banner.hide()
        path = session.media_path
        fps = session.recording.fps or 0.0
        duration = session.duration_ms
        has_video = bool(session.recording.has_video)
        session.media_clock = False
        play_path = path
        if not path.exists():
            self._close_player()
            self.media_banner.show_text(
                f"<b>Media file not found:</b> {path}<br>"
                "Coding continues without playback; use <b>Locate file…</b> to find it "
                "(it is recognised by its fingerprint, wherever it was moved)."
            )
        else:
            copy = existing_copy(path, self._copies_dir())
            play_path = copy or path
            try:
                info = self.player.load(play_path)
            except ObserverError as exc:
                self.media_banner.show_text(f"<b>Cannot play the recording:</b> {exc}")
            else:
                session.media_clock = True
                fps = info.fps
                duration = info.duration_ms or duration
                has_video = info.has_video
                # libvlc's inexact seeks are the reason for the copy (a FakePlayer has none).
                if (
                    copy is None
                    and isinstance(main_player(self.player), VlcPlayer)
                    and needs_working_copy(info)
                ):
                    self._make_working_copy(path)
        if self._surface_factory is not None:
            surface = self._surface_factory(self.player, has_video, str(play_path))
            seek = getattr(surface, "seekRequested", None)
            if seek is not None:
                seek.connect(self.seek)
            self.panel.set_surface(surface)
        self._surface_position = getattr(self.panel.surface, "set_position", None)
        self.panel.set_media(duration, fps)
        if duration and duration != self.timeline.canvas.duration_ms:
            self.timeline.canvas.set_duration(duration)
        self.frame_ms = 1000.0 / fps if fps else 40.0
        self.event_model.frame_ms = self.frame_ms

    def _copies_dir(self) -> Path:
        return cache_dir_for(self.study.study_file)

    def _make_working_copy(self, original: Path) -> None:
        """Decode an inexactly seekable recording once, then play the copy from here on."""
        task = WorkingCopyTask(original, self._copies_dir(), self)
        task.finished.connect(lambda _copy: self._relinked("Playing the exact working copy"))
        task.failed.connect(lambda m: self.media_banner.show_text(f"<b>No working copy:</b> {m}"))
        task.cancelled.connect(
            lambda: self.media_banner.show_text(
                "<b>Working copy cancelled:</b> this format cannot be sought exactly; the "
                "clock follows libvlc after each jump, but a jump may land away from its target."
            )
        )
        task.start()

    def _close_player(self) -> None:
        self.player.close()

    def seek(self, ms: int) -> None:
        self.player.seek(int(ms))
        self._tick()

    def _set_rate(self, rate: float) -> None:
        self.player.set_rate(rate)
        current = self.player.rate()
        self.panel.show_rate(current)
        self.statusBar().showMessage(f"Rate {current:g}×", 1500)

    def _step_rate(self, direction: int) -> None:
        self._set_rate(next_rate(self.player.rate(), direction))

    def _tick(self) -> None:
        pos = int(self.player.position_ms())
        playing = is_playing(self.player)
        self.panel.show_position(pos, playing)
        if self._surface_position is not None and pos != self._last_tick_pos:
            self._surface_position(pos)
        follow_zoom = getattr(self.panel.surface, "set_view", None)  # the waveform (issue 11)
        if follow_zoom is not None:
            follow_zoom(self.timeline.canvas.view_start, self.timeline.canvas.view_ms)
        self._last_tick_pos = pos
        self.timeline.canvas.set_playhead(pos)
        if self.segments is not None and self.session is not None:
            self.segments.follow(pos)
        self._since_remember += TICK_MS
        if self._since_remember >= REMEMBER_EVERY_MS:
            self._since_remember = 0
            if abs(pos - self._remembered) >= 1000:
                self.remember_position()

    def remember_position(self) -> None:
        if self.session is None or self.session.read_only:
            return
        pos = int(self.player.position_ms())
        if pos != self._remembered:
            self.session.remember_position(pos)
            self._remembered = pos

    def _player_error(self, message: str) -> None:
        self.media_banner.show_text(f"<b>Playback problem:</b> {message}")

    def locate_media(self) -> None:
        session = self.session
        if session is None:
            return
        start = str(session.media_path.parent) if session.media_path.parent.exists() else ""
        name, _ = QFileDialog.getOpenFileName(
            self, f"Locate {session.media_path.name}", start, "Recordings (*)"
        )
        if name:
            self.relink(Path(name))

    def relink(self, path: Path) -> None:
        """Relink the recording to ``path`` (checked by fingerprint, off the GUI thread)."""
        session = self.session
        if session is None:
            return
        self.statusBar().showMessage(f"Checking {path.name}…")
        run_in_background(
            lambda: session.relink(path), lambda _info: self._relinked(), self._relink_failed, self
        )

    def _relinked(self, message: str = "Recording relinked") -> None:
        if self.session is None:
            return
        pos = int(self.player.position_ms())
        playing = is_playing(self.player)
        self._load_media()
        self.seek(pos)
        if playing:
            self.player.play()
        self.statusBar().showMessage(message, 5000)

    def _relink_failed(self, message: str) -> None:
        self.show_error(message)
