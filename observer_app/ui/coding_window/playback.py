"""The coding window's playback controller: the player panel, the media banner, the tick timer,
the frame duration and the remembered position; loading, seeking, rate and relinking."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from observer_app.coding.errors import ObserverError
from observer_app.media.audio_views import AudioViews
from observer_app.media.frame_player import FramePlayer, plays_real_media
from observer_app.media.protocol import MediaPlayer
from observer_app.media.synced import main_player
from observer_app.media.types import MediaInfo, PlaybackState
from observer_app.media.video_copy import needs_video_copy
from observer_app.media.widgets import WaveformWidget
from observer_app.media.working_copy import cache_dir_for, needs_working_copy
from observer_app.services.study import Study
from observer_app.ui.actions import RATES
from observer_app.ui.coding_window.banner import Banner
from observer_app.ui.media_prep import WorkingCopyTask, existing_copy, existing_video_copy
from observer_app.ui.player_panel import PlayerPanel
from observer_app.ui.session import CodingSession
from observer_app.ui.workers import run_in_background

TICK_MS = 33
REMEMBER_EVERY_MS = 10_000

SurfaceFactory = Callable[[MediaPlayer, bool, str], QWidget]


def is_playing(player: MediaPlayer) -> bool:
    """Whether the player is playing (not paused, stopped or closed)."""
    return player.state() is PlaybackState.PLAYING


def next_rate(current: float, direction: int) -> float:
    """The playback rate one step faster (``direction`` > 0) or slower than ``current`` in
    ``RATES``, staying at the fastest or slowest."""
    if direction > 0:
        return next((r for r in RATES if r > current + 1e-9), RATES[-1])
    return next((r for r in reversed(RATES) if r < current - 1e-9), RATES[0])


class PlaybackController(QObject):
    """The player under the window: the recording, position, rate, and finding moved media.

    ``positionChanged(ms)`` on every tick; ``mediaLoaded(duration_ms, frame_ms)`` once a
    recording is loaded; ``message(text, ms)`` and ``error(text)`` for the status bar."""

    positionChanged = Signal(int)
    mediaLoaded = Signal(int, float)
    message = Signal(str, int)
    error = Signal(str)

    def __init__(
        self,
        study: Study,
        player: MediaPlayer,
        surface_factory: SurfaceFactory | None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.study = study
        self.player = player
        self.session: CodingSession | None = None
        self._surface_factory = surface_factory
        self.frame_ms = 40.0
        self.remembered = -1
        self._since_remember = 0
        self._surface_position: Callable[[int], None] | None = None
        self._last_tick_pos = -1
        self._view: tuple[int, int] = (0, 60_000)
        self.media_banner = Banner("#ffe08a", "Locate file…")
        assert self.media_banner.button is not None
        self.media_banner.button.clicked.connect(self.locate_media)
        self.media_banner.setObjectName("mediaBanner")
        self.panel = PlayerPanel(player)
        self.panel.seekRequested.connect(self.seek)
        self.panel.rateRequested.connect(self.set_rate)
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.tick)
        self.timer.start()

    def attach(self, session: CodingSession | None) -> None:
        self.session = session
        if session is not None:
            self.load_media()

    def set_view(self, start_ms: int, view_ms: int) -> None:
        """The timeline's visible span, which a waveform surface follows (issue 11): pushed
        when it changes and to each new surface, never per tick."""
        self._view = (int(start_ms), int(view_ms))
        self._push_view()

    def _push_view(self) -> None:
        follow_zoom = getattr(self.panel.surface, "set_view", None)
        if follow_zoom is not None:
            follow_zoom(*self._view)

    def load_media(self) -> None:
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
            self.player.close()
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
                if copy is None and plays_real_media(self.player) and needs_working_copy(info):
                    self._make_working_copy(path)
                self._serve_frames(path, info)
        self._set_surface(has_video, str(play_path))
        self.panel.set_media(duration, fps)
        self.frame_ms = 1000.0 / fps if fps else 40.0
        self.mediaLoaded.emit(int(duration or 0), self.frame_ms)

    def _set_surface(self, has_video: bool, path: str) -> None:
        if self._surface_factory is not None:
            surface = self._surface_factory(self.player, has_video, path)
            seek = getattr(surface, "seekRequested", None)
            if seek is not None:
                seek.connect(self.seek)
            self.panel.set_surface(surface)
            self._push_view()  # a new surface starts at the timeline's span
        self._surface_position = getattr(self.panel.surface, "set_position", None)

    def _waveform(self) -> WaveformWidget | None:
        """The audio-only picture (beside further sources, the main one), if it shows one."""
        surface = self.panel.surface
        main = getattr(surface, "main", surface)
        return main if isinstance(main, WaveformWidget) else None

    def show_audio(self, views: AudioViews | None) -> None:
        """The recording's waveform (computed for the timeline) in the audio-only picture."""
        wave = self._waveform()
        if wave is not None and views is not None:
            wave.set_envelope(views.wave)  # type: ignore[arg-type]  # an Envelope's fields

    def show_audio_problem(self, text: str) -> None:
        wave = self._waveform()
        if wave is not None and wave.envelope() is None:
            wave.show_message(text)

    def _copies_dir(self) -> Path:
        return cache_dir_for(self.study.study_file)

    def _make_working_copy(self, original: Path) -> None:
        """Decode an inexactly seekable recording once, then play the copy from here on."""
        task = WorkingCopyTask(original, self._copies_dir(), self.panel)
        task.finished.connect(lambda _copy: self._relinked("Playing the exact working copy"))
        task.failed.connect(lambda m: self.media_banner.show_text(f"<b>No working copy:</b> {m}"))
        task.cancelled.connect(
            lambda: self.media_banner.show_text(
                "<b>Working copy cancelled:</b> this format cannot be sought exactly; the "
                "clock follows libvlc after each jump, but a jump may land away from its target."
            )
        )
        task.start()

    def _serve_frames(self, original: Path, info: MediaInfo) -> None:
        """Paused frames of an HD video come from its all-intra video working copy (made once
        in the background, issue 11: fast exact seeks); until then from the original."""
        player = main_player(self.player)
        if not isinstance(player, FramePlayer) or not needs_video_copy(info):
            return
        copy = existing_video_copy(original, self._copies_dir())
        if copy is not None:
            player.use_frame_source(copy)
            return
        task = WorkingCopyTask(original, self._copies_dir(), self.panel, video=True)
        task.finished.connect(lambda made: self._use_video_copy(player, original, made))
        task.failed.connect(
            lambda m: self.media_banner.show_text(f"<b>No fast-seek video copy:</b> {m}")
        )
        task.start()

    def _use_video_copy(self, player: FramePlayer, original: Path, copy: Path) -> None:
        session = self.session
        if session is not None and session.media_path == original:  # still this recording
            player.use_frame_source(copy)
            self.message.emit("Paused frames now come from the fast-seek video copy", 5000)

    def seek(self, ms: int) -> None:
        self.player.seek(int(ms))
        self.tick()

    def set_rate(self, rate: float) -> None:
        self.player.set_rate(rate)
        current = self.player.rate()
        self.panel.show_rate(current)
        self.message.emit(f"Rate {current:g}×", 1500)

    def step_rate(self, direction: int) -> None:
        self.set_rate(next_rate(self.player.rate(), direction))

    def jump(self, ms: int) -> None:
        self.player.jump(ms)

    def tick(self) -> None:
        pos = int(self.player.position_ms())
        self.panel.show_position(pos, is_playing(self.player))
        if self._surface_position is not None and pos != self._last_tick_pos:
            self._surface_position(pos)
        self._last_tick_pos = pos
        self.positionChanged.emit(pos)
        self._since_remember += TICK_MS
        if self._since_remember >= REMEMBER_EVERY_MS:
            self._since_remember = 0
            if abs(pos - self.remembered) >= 1000:
                self.remember_position()

    def remember_position(self) -> None:
        if self.session is None or self.session.read_only:
            return
        pos = int(self.player.position_ms())
        if pos != self.remembered:
            self.session.remember_position(pos)
            self.remembered = pos

    def player_error(self, message: str) -> None:
        self.media_banner.show_text(f"<b>Playback problem:</b> {message}")

    def locate_media(self) -> None:
        session = self.session
        if session is None:
            return
        start = str(session.media_path.parent) if session.media_path.parent.exists() else ""
        name, _ = QFileDialog.getOpenFileName(
            self.panel, f"Locate {session.media_path.name}", start, "Recordings (*)"
        )
        if name:
            self.relink(Path(name))

    def relink(self, path: Path) -> None:
        """Relink the recording to ``path`` (checked by fingerprint, off the GUI thread)."""
        session = self.session
        if session is None:
            return
        self.message.emit(f"Checking {path.name}…", 0)
        run_in_background(
            lambda: session.relink(path), lambda _info: self._relinked(), self.error.emit, self
        )

    def _relinked(self, message: str = "Recording relinked") -> None:
        if self.session is None:
            return
        pos = int(self.player.position_ms())
        playing = is_playing(self.player)
        self.load_media()
        self.seek(pos)
        if playing:
            self.player.play()
        self.message.emit(message, 5000)
