"""``SyncedPlayer``: several sources of one recording played on ONE clock (issue 11).

The recording's own file (the *main* player) is the session clock: ``position_ms()`` is the
main player's, so every logged time is the session's time. Each further source (another camera,
a separate audio track) is a follower player showing ``session_time - offset_ms``; while the
session time is outside a follower's range (before its offset, after its end) it is paused
and shows nothing (``source_frame`` is None, ``coverageChanged`` says so) and is silent.

Play, pause, seek, jump, frame steps and the rate are applied to every player; a seek or a
pause re-aligns every follower by an exact seek to its own time. While playing, a drift check
(every :data:`CHECK_MS`) compares each follower's frame with the session's: a follower more
than :data:`TOLERANCE_FRAMES` frames off is *cued*: paused, sought exactly to where the
session will be :data:`CUE_LEAD_MS` later, and resumed when the session reaches that point.

Audio comes only from the audible sources (default: the separate audio tracks if there are
any, else the main file); the others are muted. Followers are built by ``make_player`` (a
``VlcPlayer`` for real, a ``FakePlayer`` in UI tests); ``sources`` is asked, at every
:meth:`load`, which further sources the recording has.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtGui import QImage

from observer_app.media import transport
from observer_app.media.protocol import MediaPlayer
from observer_app.media.transport import Loop
from observer_app.media.types import MediaError, MediaInfo, PlaybackState

CHECK_MS = 100
#: A follower this many frames (or audio steps) away from the session is re-synchronised.
TOLERANCE_FRAMES = 2
#: A drifting follower is sought this far ahead of the session and waits there for it.
CUE_LEAD_MS = 600
#: VlcPlayer resumes at 1x and gives libvlc another rate only this long after (libvlc 3 corrupts
#: its clock otherwise; ``media/vlc_player/_clock.py``): at rate r a cued follower is resumed
#: ``(r - 1) * RESUME_RAMP_MS`` of session time early so that it meets the session there.
RESUME_RAMP_MS = 100


@dataclass(frozen=True, slots=True)
class SyncSource:
    """A further source: ``offset_ms`` is where its time 0 falls on the session clock."""

    path: str
    offset_ms: int = 0
    kind: str = "video"
    label: str = ""
    #: None: decided by the rule in the module docstring.
    audible: bool | None = None


class _Follower:
    """One further source's player and where it stands."""

    def __init__(self, index: int, source: SyncSource, player: MediaPlayer) -> None:
        self.index = index
        self.source = source
        self.player = player
        self.info: MediaInfo | None = None
        self.error = ""
        self.covered = False
        self.cue_at: int | None = None  # session time at which a cued follower resumes

    def own_time(self, session_ms: int) -> int:
        return session_ms - self.source.offset_ms

    def covers(self, session_ms: int) -> bool:
        info = self.info
        if info is None:
            return False
        t = self.own_time(session_ms)
        return 0 <= t <= transport.last_position(info)


class SyncedPlayer(QObject):
    """A :class:`~observer_app.media.protocol.MediaPlayer` over a main player and followers."""

    positionChanged = Signal(int)
    stateChanged = Signal(object)
    mediaLoaded = Signal(object)
    errorOccurred = Signal(str)
    frameReady = Signal(QImage)
    #: (source index, covered): the session time entered or left a source's range.
    coverageChanged = Signal(int, bool)
    #: The further sources were (re)loaded: the views should be rebuilt.
    sourcesChanged = Signal()

    def __init__(
        self,
        main: MediaPlayer,
        *,
        make_player: Callable[[], MediaPlayer] | None = None,
        sources: Callable[[], Sequence[SyncSource]] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.main = main
        # A FramePlayer's followers are plain VlcPlayers (``FramePlayer.follower_type``).
        self._make = make_player or getattr(main, "follower_type", type(main))
        self._sources_of = sources or (lambda: ())
        self._followers: list[_Follower] = []
        self._muted = False
        self._volume = 100
        self._audible: int | None = None
        self._pending: int | None = None
        for name in ("positionChanged", "stateChanged", "mediaLoaded", "errorOccurred"):
            getattr(main, name).connect(getattr(self, name))
        main_frames = getattr(main, "frameReady", None)
        if main_frames is not None:
            main_frames.connect(self.frameReady)  # direct: VideoSurface queues it itself
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_MS)
        self._timer.timeout.connect(self.check_drift)
        self.corrections = 0  # drift re-syncs so far (diagnostics, benchmarks)

    # ----------------------------------------------------------------- the further sources
    def followers(self) -> list[_Follower]:
        return list(self._followers)

    def source_frame(self, index: int) -> QImage | None:
        """The frame of further source ``index`` on screen, None outside its range."""
        f = self._followers[index]
        return f.player.current_frame() if f.covered else None

    def audible(self) -> int | None:
        """The further source whose sound is heard (None: the main file's)."""
        return self._audible

    def set_audible(self, index: int | None) -> None:
        """Play the sound of further source ``index`` only (None: the main file's only)."""
        self.main.set_muted(self._muted or index is not None)
        for f in self._followers:
            f.player.set_muted(self._muted or f.index != index or not f.covered)
        self._audible = index

    def _default_audible(self) -> int | None:
        chosen = [f.index for f in self._followers if f.source.audible and f.info]
        audio = [f.index for f in self._followers if f.source.kind == "audio" and f.info]
        return (chosen or audio or [None])[0]

    def _close_followers(self) -> None:
        for f in self._followers:
            f.player.close()
            f.player.deleteLater()  # type: ignore[attr-defined]
        self._followers = []

    def _load_followers(self) -> None:
        for i, source in enumerate(self._sources_of()):
            f = _Follower(i, source, self._make())
            try:
                f.info = f.player.load(source.path)
            except MediaError as exc:
                f.error = str(exc)
                self.errorOccurred.emit(f"{source.label or source.path}: {exc}")
            f.player.set_volume(self._volume)
            self._followers.append(f)

    # ----------------------------------------------------------------- MediaPlayer API
    def load(self, path: str | Path) -> MediaInfo:
        self._timer.stop()
        self._close_followers()
        info = self.main.load(path)
        self._load_followers()
        self._audible = self._default_audible()
        self._align(0, playing=False)
        self.set_audible(self._audible)
        self.sourcesChanged.emit()
        self._timer.start()
        return info

    def info(self) -> MediaInfo | None:
        return self.main.info()

    def close(self) -> None:
        self._timer.stop()
        self._close_followers()
        self.main.close()
        self.sourcesChanged.emit()

    def play(self) -> None:
        self.main.play()
        if self.main.state() is not PlaybackState.PLAYING:
            return
        now = self.main.position_ms()
        if self.main.seeking():  # (a FramePlayer handing over to libvlc): cued, not started
            self._align(now, playing=True)
            return
        for f in self._followers:
            if self._set_covered(f, f.covers(now)) and f.cue_at is None:
                f.player.play()

    def pause(self) -> None:
        # relative moves now start from the paused position (a FramePlayer's pause serves the
        # paused frame, so it is "seeking" while the target of the last seek is long gone)
        self._pending = None
        self.main.pause()
        self._align(self.main.position_ms(), playing=False)

    def toggle(self) -> None:
        if self.main.state() is PlaybackState.PLAYING:
            self.pause()
        else:
            self.play()

    def seek(self, ms: int) -> None:
        info = self.main.info()
        if info is None:
            return
        target = transport.clamp(ms, info)
        self._pending = target
        self.main.seek(target)
        self._align(target, playing=self.main.state() is PlaybackState.PLAYING)

    def jump(self, delta_ms: int) -> None:
        info = self.main.info()
        if info is not None:
            self.seek(transport.jump_target(self._transport_position(), delta_ms, info))

    def step_frame(self, n: int = 1) -> None:
        info = self.main.info()
        if info is None:
            return
        if self.main.state() is PlaybackState.PLAYING:
            self.main.pause()
        self.seek(transport.step_target(self._transport_position(), n, info))

    def _transport_position(self) -> int:
        """Where relative moves start: the pending target while the main player is still
        finding it (quick repeated steps add up), else the session's time."""
        if self.main.seeking() and self._pending is not None:
            return self._pending
        return self.main.position_ms()

    def set_rate(self, rate: float) -> None:
        self.main.set_rate(rate)
        for f in self._followers:
            f.player.set_rate(rate)

    def rate(self) -> float:
        return self.main.rate()

    def set_volume(self, percent: int) -> None:
        self._volume = max(0, min(100, int(percent)))
        self.main.set_volume(self._volume)
        for f in self._followers:
            f.player.set_volume(self._volume)

    def set_muted(self, muted: bool) -> None:
        self._muted = bool(muted)
        self.set_audible(self._audible)

    def set_loop(self, start_ms: int, end_ms: int | None) -> None:
        self.main.set_loop(start_ms, end_ms)  # the main's loop jumps; the drift check follows

    def clear_loop(self) -> None:
        self.main.clear_loop()

    def loop(self) -> Loop | None:
        return self.main.loop()

    def position_ms(self) -> int:
        """The session's time: the main source's clock."""
        return self.main.position_ms()

    def current_frame(self) -> QImage | None:
        return self.main.current_frame()

    def state(self) -> PlaybackState:
        return self.main.state()

    def seeking(self) -> bool:
        """True while the main source or a covered follower is still finding its frame."""
        return self.main.seeking() or any(
            f.covered and f.cue_at is None and f.player.seeking() for f in self._followers
        )

    def in_sync(self) -> bool:
        """No follower is waiting at a cue point for the session to catch up."""
        return all(f.cue_at is None for f in self._followers)

    # ----------------------------------------------------------------- synchronisation
    def _set_covered(self, f: _Follower, covered: bool) -> bool:
        if covered != f.covered:
            f.covered = covered
            f.player.set_muted(self._muted or f.index != self._audible or not covered)
            self.coverageChanged.emit(f.index, covered)
        return covered

    def _align(self, session_ms: int, *, playing: bool) -> None:
        """Exact seek of every follower to its own time of ``session_ms``."""
        for f in self._followers:
            f.cue_at = None
            if f.info is None:
                continue
            if not self._set_covered(f, f.covers(session_ms)):
                f.player.pause()
                continue
            if playing:
                self._cue(f, session_ms)
            else:
                f.player.pause()
                f.player.seek(f.own_time(session_ms))

    def _cue(self, f: _Follower, session_ms: int) -> None:
        """Seek a follower paused to where the session will be shortly; resume it there."""
        lead = int(CUE_LEAD_MS * self.main.rate())
        cue = session_ms + lead
        f.player.pause()
        if not f.covers(cue):
            f.cue_at = None
            return
        f.player.seek(f.own_time(cue))
        f.cue_at = cue
        self.corrections += 1

    def _ramp(self, f: _Follower) -> float:
        from observer_app.media.vlc_player import VlcPlayer

        if not isinstance(f.player, VlcPlayer):
            return 0.0
        return (self.main.rate() - 1.0) * RESUME_RAMP_MS

    def _resume(self, f: _Follower, cue: int) -> None:
        if f.cue_at == cue and f in self._followers:
            f.cue_at = None
            if self.main.state() is PlaybackState.PLAYING:
                f.player.play()

    def _frames_off(self, f: _Follower, session_ms: int) -> float:
        info = f.info
        assert info is not None
        return (f.player.position_ms() - f.own_time(session_ms)) / info.frame_ms

    @Slot()
    def check_drift(self) -> None:
        """Bring every follower back to the session's time (see the module docstring)."""
        if self.main.info() is None or self.main.seeking():
            return
        playing = self.main.state() is PlaybackState.PLAYING
        now = self.main.position_ms()
        for f in self._followers:
            if f.info is not None:
                self._check_one(f, now, playing)

    def _check_one(self, f: _Follower, now: int, playing: bool) -> None:
        was = f.covered
        if not self._set_covered(f, f.covers(now)):
            f.cue_at = None
            if f.player.state() is PlaybackState.PLAYING:
                f.player.pause()
            return
        if not playing:
            if not was:  # came into range while paused (e.g. a loop or a seek of the main)
                f.player.seek(f.own_time(now))
            return
        if f.cue_at is not None:
            rate = max(self.main.rate(), 0.01)
            wait = (f.cue_at - self._ramp(f) - now) / rate
            if f.player.seeking():
                if wait < 0:  # the seek took longer than the lead: cue again
                    self._cue(f, now)
            elif wait <= CHECK_MS:
                cue = f.cue_at
                QTimer.singleShot(max(0, int(wait)), lambda: self._resume(f, cue))
            return
        if not was or self._drifted(f, now):
            self._cue(f, now)

    def _drifted(self, f: _Follower, now: int) -> bool:
        if f.player.state() is not PlaybackState.PLAYING:
            return True
        return not f.player.seeking() and abs(self._frames_off(f, now)) > TOLERANCE_FRAMES


def main_player(player: Any) -> Any:
    """The main player of a :class:`SyncedPlayer`, else ``player`` itself."""
    return player.main if isinstance(player, SyncedPlayer) else player
