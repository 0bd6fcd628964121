"""``VlcPlayer``: the MediaPlayer façade composing the clock, seek, frame and event parts."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QImage

from observer_app.media import transport
from observer_app.media.probe import probe
from observer_app.media.transport import Loop
from observer_app.media.types import MediaError, MediaInfo, PlaybackState
from observer_app.media.vlc_player._clock import _RATE_DELAY_MS, _ClockMixin
from observer_app.media.vlc_player._events import _EventMixin
from observer_app.media.vlc_player._frames import _DisplayCb, _FrameMixin, _LockCb, _UnlockCb
from observer_app.media.vlc_player._seeking import _SETTLE_S, _SeekMixin
from observer_app.media.vlc_player._state import _Phase, _PlayerState, _Step

_TICK_MS = 20


class VlcPlayer(_EventMixin, _FrameMixin, _SeekMixin, _ClockMixin, _PlayerState):
    """The :class:`~observer_app.media.protocol.MediaPlayer` on libvlc (see the package docstring).

    ``audio``: True plays to the sound device, False to libvlc's silent dummy output, None
    decides from ``OBSERVER_APP_AUDIO`` and whether the machine has a sound device.
    """

    def __init__(self, parent: QObject | None = None, *, audio: bool | None = None) -> None:
        super().__init__(parent, audio=audio)
        # Keep the ctypes callbacks alive as long as the player.
        self._cb_lock = _LockCb(self._on_lock)
        self._cb_unlock = _UnlockCb(self._on_unlock)
        self._cb_display = _DisplayCb(self._on_display)
        self._landed.connect(self._on_landed, Qt.ConnectionType.QueuedConnection)
        self._resumeReq.connect(self._resume_landing, Qt.ConnectionType.QueuedConnection)
        self._vlcEvent.connect(self._on_vlc_event, Qt.ConnectionType.QueuedConnection)
        self._timer = QTimer(self)
        self._timer.setInterval(_TICK_MS)
        self._timer.timeout.connect(self._tick)

    # ----------------------------------------------------------------- public API
    def load(self, path: str | Path) -> MediaInfo:
        """Open ``path`` paused on its first frame; on failure emit ``errorOccurred`` (state
        ERROR) and raise :class:`MediaError`."""
        self.close()
        try:
            info = probe(path)
            self._ensure_player()
        except MediaError as exc:
            self._fail(str(exc))
            raise
        self._info = info
        self._loop = None
        if info.has_video:
            self._setup_video(info.width, info.height)
        self._player.audio_set_volume(self._volume)
        self._needs_restart = True
        self._begin_landing(0, play_after=False)
        self._set_state(PlaybackState.PAUSED)
        self._timer.start()
        self.mediaLoaded.emit(info)
        return info

    def info(self) -> MediaInfo | None:
        return self._info

    def close(self) -> None:
        """Stop and release the recording (state EMPTY); the player can load another."""
        self._timer.stop()
        with self._lock:
            self._phase = _Phase.IDLE
            self._shown = None
            self._cache.clear()
            self._seq += 1
        if self._player is not None:
            self._player.stop()
        self._info = None
        self._still_ms = 0
        self._set_state(PlaybackState.EMPTY)

    def play(self) -> None:
        info = self._info
        if info is None or self._state in (PlaybackState.PLAYING, PlaybackState.ERROR):
            return
        self._process_pending_landing()
        if self._state is PlaybackState.ENDED or self._needs_restart:
            start = self._loop.start_ms if self._loop else 0
            if self._state is not PlaybackState.ENDED:
                start = self._still_ms
            self._begin_landing(start, play_after=True)
            self._set_state(PlaybackState.PLAYING)
            return
        with self._lock:
            landing = self._phase is _Phase.LANDING
            shown_k = transport.frame_index(self._shown_ms, info)
            # After steps through remembered frames libvlc may be elsewhere: seek it back.
            in_sync = not info.has_video or 0 <= self._vlc_label - shown_k <= 2
        if not landing and not in_sync:
            self._begin_landing(self._still_ms, play_after=True)
            self._set_state(PlaybackState.PLAYING)
            return
        with self._lock:
            if landing:  # the seek under way will keep playing when it lands
                self._play_after = True
            else:
                now = time.monotonic()
                self._phase = _Phase.PLAYING
                self._reanchor(max(self._vlc_paused_ms, self._still_ms), now)
                self._floor_ms = self._still_ms
                self._resume_pending = True
                self._count_frozen = False
                self._shown_at = now  # hold the position on this frame until the next
        if not landing:
            self._player.audio_set_mute(self._muted)
            self._player.set_pause(0)
            QTimer.singleShot(_RATE_DELAY_MS, self._apply_rate)
        self._loop_prev = self._still_ms
        self._set_state(PlaybackState.PLAYING)

    def pause(self) -> None:
        if self._info is None or self._state is not PlaybackState.PLAYING:
            return
        with self._lock:
            landing = self._phase is _Phase.LANDING
            if landing:  # the seek under way will stay paused when it lands
                self._play_after = False
        if not landing:
            self._player.set_pause(1)
            with self._lock:
                now = time.monotonic()
                self._vlc_paused_ms = self._estimate(now)
                self._still_ms = self._position_locked(now)
                self._phase = _Phase.FROZEN
                self._vlc_label = transport.frame_index(self._shown_ms, self._info)
                self._count_frozen = True
        self._set_state(PlaybackState.PAUSED)
        self._emit_position(force=True)

    def toggle(self) -> None:
        if self._state is PlaybackState.PLAYING:
            self.pause()
        else:
            self.play()

    def seek(self, ms: int) -> None:
        info = self._info
        if info is None or self._state is PlaybackState.ERROR:
            return
        target = transport.clamp(ms, info)
        playing = self._state is PlaybackState.PLAYING
        if self._state is PlaybackState.ENDED:
            self._set_state(PlaybackState.PAUSED)
        if not info.has_video and self._retarget_opening(target):
            pass
        elif not info.has_video and not self._needs_restart:
            self._audio_seek(target, playing)
        elif not playing and self._seek_cached(target, info):
            pass
        else:
            self._begin_landing(target, play_after=playing)
        self._loop_prev = target
        self._emit_position(force=True)

    def _retarget_opening(self, target: int) -> bool:
        """Audio still opening (the landing that starts libvlc paused is under way): land at
        ``target`` instead, and libvlc is put there once it has opened (``_on_landed``). A seek
        sent to libvlc now is lost, and the opening's landing would put the clock back on its
        own target (a resume position right after ``load``)."""
        with self._lock:
            if self._phase is not _Phase.LANDING or self._step is not _Step.STARTING:
                return False
            self._target = target
            self._vlc_ms = target
            self._still_ms = target
            self._verify_echo = target
            return True

    def jump(self, delta_ms: int) -> None:
        if self._info is not None:
            self.seek(transport.jump_target(self._transport_position(), delta_ms, self._info))

    def step_frame(self, n: int = 1) -> None:
        if self._info is None:
            return
        self.pause()
        self.seek(transport.step_target(self._transport_position(), n, self._info))

    def set_rate(self, rate: float) -> None:
        self._rate = transport.clamp_rate(rate)
        if self._player is not None and self._phase is _Phase.PLAYING:
            self._apply_rate()

    def rate(self) -> float:
        return self._rate

    def set_volume(self, percent: int) -> None:
        self._volume = max(0, min(100, int(percent)))
        if self._player is not None:
            self._player.audio_set_volume(self._volume)

    def set_muted(self, muted: bool) -> None:
        self._muted = bool(muted)
        if self._player is not None and self._phase is not _Phase.LANDING:
            self._player.audio_set_mute(self._muted)

    def set_loop(self, start_ms: int, end_ms: int | None) -> None:
        self._loop = transport.loop_for(start_ms, end_ms, self._info)

    def clear_loop(self) -> None:
        self._loop = None

    def loop(self) -> Loop | None:
        return self._loop

    def position_ms(self) -> int:
        with self._lock:
            return self._position_locked(time.monotonic())

    def current_frame(self) -> QImage | None:
        with self._lock:
            return self._shown

    def state(self) -> PlaybackState:
        return self._state

    def libvlc_time_ms(self) -> int:
        """libvlc's own ``get_time()`` (coarse: for diagnostics and benchmarks only)."""
        return int(self._player.get_time()) if self._player is not None else 0

    def seeking(self) -> bool:
        """True while an exact seek (or the initial load) is still finding its frame."""
        with self._lock:
            return self._phase is _Phase.LANDING

    # ----------------------------------------------------------------- GUI timer
    def _tick(self) -> None:
        now = time.monotonic()
        seq, resume, seek = -1, -1, False
        with self._lock:
            if self._phase is _Phase.LANDING:
                step, late = self._step, now > self._deadline
                if step is _Step.SETTLING:
                    seek = late or now - self._fresh_t >= _SETTLE_S
                elif step is _Step.STARTING:
                    seek = late
                elif step is _Step.SEEKING and late:
                    resume = self._seq
                elif step is _Step.RUNNING and late:
                    seq = self._land_locked(None, None, now)
        if seek:
            self._seek_paused()
        if resume >= 0:
            self._resume_landing(resume)
        if seq >= 0:
            self._on_landed(seq)
        if self._state is PlaybackState.PLAYING and self._info is not None and not self.seeking():
            pos = self.position_ms()
            target = transport.loop_jump(self._loop_prev, pos, self._loop)
            self._loop_prev = pos
            if target is not None:
                self.seek(target)
                return
        self._emit_position()
