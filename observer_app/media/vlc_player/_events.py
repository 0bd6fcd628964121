"""libvlc wiring of a ``VlcPlayer``: the player and its callbacks, libvlc events, end, errors."""

from __future__ import annotations

import ctypes
import time
import weakref
from typing import Any

from observer_app.media import _libvlc, transport
from observer_app.media.types import MediaInfo, PlaybackState
from observer_app.media.vlc_player._clock import libvlc_lead_ms
from observer_app.media.vlc_player._frames import _DisplayCb, _LockCb, _UnlockCb
from observer_app.media.vlc_player._state import _Mixin, _Phase, _Step

_SEEK_END_S = 5.0  # an end this soon after an audio seek is libvlc's seek failing, not the file
_EVENT_LATENCY_S = 0.015  # time events can reach us this late without being wrong
#: libvlc 3 reports the end of an audio file (and flushes its output) about 100 ms before its
#: last samples are due (measured with ``scripts/audio_tap.py`` on PCM WAV: 99.7 ms): an end
#: this close to the duration is the end of the recording, not a stop before it.
_AUDIO_END_SLACK_MS = 500


def _shutdown(player: Any) -> None:
    player.stop()
    player.release()


class _EventMixin(_Mixin):
    """Creates the libvlc player and turns its events into state changes on the GUI thread."""

    def _ensure_player(self) -> None:
        if self._player is not None:
            return
        inst = _libvlc.instance(self._audio)
        self._vlc = _libvlc.vlc_module()
        player = inst.media_player_new()
        fn = self._vlc.dll.libvlc_video_set_callbacks
        fn.argtypes = [ctypes.c_void_p, _LockCb, _UnlockCb, _DisplayCb, ctypes.c_void_p]
        fn.restype = None
        fn(player._as_parameter_, self._cb_lock, self._cb_unlock, self._cb_display, None)
        events = player.event_manager()
        et = self._vlc.EventType
        for kind, name in (
            (et.MediaPlayerTimeChanged, "time"),
            (et.MediaPlayerBuffering, "buffering"),
            (et.MediaPlayerPaused, "paused"),
            (et.MediaPlayerEndReached, "end"),
            (et.MediaPlayerEncounteredError, "error"),
        ):
            events.event_attach(kind, self._on_event, name)
        self._player = player
        # Stop libvlc before the interpreter (and our callbacks) go away.
        weakref.finalize(self, _shutdown, player)

    def _new_media(self) -> Any:
        assert self._info is not None
        lead = libvlc_lead_ms(self._info)
        with self._lock:
            self._lead_ms = lead
        media = _libvlc.instance(self._audio).media_new_path(self._info.path)
        media.add_option(":start-paused")  # opens, shows the first picture, pauses
        return media

    def _on_event(self, event: Any, name: str) -> None:
        if name == "time":
            value = int(event.u.new_time)
            with self._lock:
                now = time.monotonic()
                if self._verify_audio_locked(value, now):
                    return
                if self._phase is _Phase.PLAYING and self._info is not None:
                    heard = self._heard_ms(value)
                    ahead = self._estimate(now) - heard
                    # Events reach us a few ms late (the GIL, a busy machine), which makes
                    # them look behind: pull the clock back only beyond that.
                    if -1000 < ahead < 0 or _EVENT_LATENCY_S * 1000 * self._vlc_rate < ahead < 1000:
                        self._reanchor(heard, now)
            return
        if name == "buffering":
            if event.u.new_cache >= 100:
                with self._lock:
                    self._buffered = True
            return
        self._vlcEvent.emit(name, 0)

    def _on_vlc_event(self, name: str, _value: int) -> None:
        info = self._info
        if info is None:
            return
        if name == "paused":
            with self._lock:
                starting = self._phase is _Phase.LANDING and self._step is _Step.STARTING
                seq = -1
                if starting and not info.has_video:
                    seq = self._land_locked(None, None, time.monotonic())
            if seq >= 0:
                self._on_landed(seq)
            elif starting:
                self._seek_paused()
        elif name == "started":
            self._seek_paused()
        elif name == "end":
            self._on_end(info)
        elif name == "error":
            self._fail(f"{info.path}: libvlc could not decode the recording")

    def _on_end(self, info: MediaInfo) -> None:
        if self._state is not PlaybackState.PLAYING:
            # libvlc ran into the end while finishing an exact seek near it: stay paused.
            self._needs_restart = True
            return
        with self._lock:
            if self._phase is _Phase.LANDING:
                return
            reached = self._shown_ms if info.has_video and self._shown else self._still_ms
            if self._phase is _Phase.PLAYING:
                reached = max(reached, self._position_locked(time.monotonic()))
            self._phase = _Phase.FROZEN
            self._still_ms = transport.clamp(max(reached, 0), info)
        self._needs_restart = True
        missing = info.duration_ms - reached
        if self._seek_broke_audio(info, missing):
            return
        if not info.has_video and missing <= _AUDIO_END_SLACK_MS:
            with self._lock:
                self._still_ms = transport.last_position(info)
        if missing > max(2000, info.duration_ms // 20) and self._reopened_for >= 0:
            self.errorOccurred.emit(
                f"{info.path}: libvlc stopped at {reached / 1000:.1f} s of "
                f"{info.duration_ms / 1000:.1f} s after a seek, which it cannot do exactly in "
                "this format; play it from its working copy"
            )
        elif missing > max(2000, info.duration_ms // 20):
            self.errorOccurred.emit(
                f"{info.path}: playback stopped at {reached / 1000:.1f} s of "
                f"{info.duration_ms / 1000:.1f} s; the file is probably truncated or damaged"
            )
        if self._loop is not None and self._loop.end_ms is None and missing <= 2000:
            self._set_state(PlaybackState.PAUSED)
            self._begin_landing(self._loop.start_ms, play_after=True)
            self._set_state(PlaybackState.PLAYING)
            return
        self._set_state(PlaybackState.ENDED)
        self._emit_position(force=True)

    def _seek_broke_audio(self, info: MediaInfo, missing: int) -> bool:
        """libvlc 3 often ends an Ogg stream right after a seek (not a damaged file): reopen
        it at the seek's target, once per seek, instead of ending (True if it did)."""
        with self._lock:
            since_seek = time.monotonic() - self._audio_seek_t
            pending = since_seek < _SEEK_END_S and not info.has_video
            target = self._verify_echo
        if not pending or missing <= 2000 or self._reopened_for == target:
            return False
        self._reopened_for = target
        self._set_state(PlaybackState.PAUSED)
        self._begin_landing(target, play_after=True)
        self._set_state(PlaybackState.PLAYING)
        return True

    def _fail(self, message: str) -> None:
        self._timer.stop()
        with self._lock:
            self._phase = _Phase.IDLE
        if self._player is not None:
            self._player.stop()
        self._set_state(PlaybackState.ERROR)
        self.errorOccurred.emit(message)
