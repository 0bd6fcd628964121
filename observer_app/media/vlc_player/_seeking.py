"""Exact seeks and frame steps of a ``VlcPlayer``: settle, seek early, run into the target."""

from __future__ import annotations

import math
import time

from PySide6.QtCore import QTimer
from PySide6.QtGui import QImage

from observer_app.media import transport
from observer_app.media.types import MediaInfo, PlaybackState
from observer_app.media.vlc_player._clock import _RATE_DELAY_MS
from observer_app.media.vlc_player._frames import _LABEL_SLACK
from observer_app.media.vlc_player._state import _Landed, _Mixin, _Phase, _Step

_STEP_TIMEOUT_S = {  # give up waiting (static pictures, a stalled decoder) and move on
    "SETTLING": 0.3,
    "STARTING": 1.0,
    "SEEKING": 0.6,
    "RUNNING": 1.0,
}
_SETTLE_S = 0.08  # libvlc shows no new picture for this long: it has really paused
_LEAD_FRAMES = 3  # libvlc seeks by decode time: start this many frames early (B-frame delay)
_VERIFY_EVENTS = 2  # libvlc clock events after an audio seek that re-anchor unconditionally
_VERIFY_S = 3.0  # ... if they come within this long of playing


class _SeekMixin(_Mixin):
    """The exact-seek machinery (see the package docstring) and steps through cached frames."""

    def _seek_cached(self, target: int, info: MediaInfo) -> bool:
        """While paused, show the frame at ``target`` at once if it is on screen or was seen
        recently (steps back and forth); libvlc stays where it is."""
        k = transport.frame_index(target, info)
        with self._lock:
            shown_k = transport.frame_index(self._shown_ms, info)
            frame = self._shown if k == shown_k else self._cache.get(k)
            if self._phase is not _Phase.FROZEN or self._needs_restart or frame is None:
                return False
            self._shown = frame
            self._shown_ms = target
            self._still_ms = target
            self._floor_ms = target
        if k != shown_k:
            self.frameReady.emit(frame)
        return True

    def _transport_position(self) -> int:
        """Where relative moves start: the pending target while a seek is under way (so quick
        repeated jumps and steps add up), else the position."""
        with self._lock:
            if self._phase is _Phase.LANDING:
                return self._target
            return self._position_locked(time.monotonic())

    def _begin_landing(self, target: int, *, play_after: bool) -> None:
        """Start an exact seek to ``target`` (see the package docstring); finishes in
        ``_land_locked`` on libvlc's thread and ``_on_landed`` on the GUI thread."""
        info = self._info
        assert info is not None
        self._rate_one()
        k = transport.frame_index(target, info)
        vlc_ms = transport.frame_time(max(0, k - _LEAD_FRAMES), info) if info.has_video else target
        with self._lock:
            now = time.monotonic()
            settled = self._phase is not _Phase.PLAYING and now - self._fresh_t >= _SETTLE_S
            self._seq += 1
            self._phase = _Phase.LANDING
            if self._needs_restart:
                self._step = _Step.STARTING
            else:
                self._step = _Step.SEEKING if settled else _Step.SETTLING
            self._target = target
            self._target_frame = k
            self._vlc_ms = vlc_ms
            self._still_ms = target
            self._play_after = play_after
            self._buffered = False
            self._stale = set(list(self._recent)[-3:])
            self._seek_t = time.monotonic()
            if not info.has_video:  # verify where libvlc's (re)start seek really lands
                self._verify_echo, self._verify_left = vlc_ms, _VERIFY_EVENTS
                self._verify_until = math.inf
            self._count_frozen = False
            self._resume_pending = False
            self._deadline = now + _STEP_TIMEOUT_S[self._step.name]
            step = self._step
        player = self._player
        player.audio_set_mute(True)
        if step is _Step.STARTING:
            player.stop()
            player.set_media(self._new_media())
            player.play()  # continues in _on_vlc_event("paused")
            self._needs_restart = False
        elif step is _Step.SEEKING:
            player.set_pause(1)
            player.set_time(vlc_ms)
        else:
            player.set_pause(1)  # the seek follows in _tick once libvlc has settled

    def _seek_paused(self) -> None:
        """libvlc is paused (after a (re)start, or settled after a pause): seek (GUI thread)."""
        with self._lock:
            if self._phase is not _Phase.LANDING or self._step not in (
                _Step.STARTING,
                _Step.SETTLING,
            ):
                return
            self._step = _Step.SEEKING
            self._buffered = False
            self._seek_t = time.monotonic()
            self._deadline = self._seek_t + _STEP_TIMEOUT_S["SEEKING"]
            self._stale |= set(list(self._recent)[-3:])
            vlc_ms = self._vlc_ms
        self._player.set_pause(1)
        self._player.set_time(vlc_ms)

    def _resume_landing(self, seq: int) -> None:
        """libvlc has decoded up to the seek point while paused: run into the target."""
        with self._lock:
            if seq != self._seq or self._step is not _Step.SEEKING:
                return
            self._step = _Step.RUNNING
            self._landing_t = time.monotonic()
            self._deadline = self._landing_t + _STEP_TIMEOUT_S["RUNNING"]
        self._player.set_pause(0)
        with self._lock:
            self._landing_t = time.monotonic()

    def _audio_seek(self, target: int, playing: bool) -> None:
        """Seek audio-only media; libvlc's seek is inexact in some containers (Ogg lands
        seconds away), so the clock is verified against libvlc's own clock once it plays
        (``_verify_audio_locked``): the decoder's position wins over the target."""
        self._player.set_time(target)
        with self._lock:
            now = time.monotonic()
            self._still_ms = target
            self._floor_ms = target
            self._vlc_paused_ms = target
            self._reanchor(target, now)
            self._verify_echo = target
            self._verify_left = _VERIFY_EVENTS
            self._audio_seek_t = now
            self._verify_until = math.inf  # the window opens when it plays (below)

    def _verify_audio_locked(self, value: int, now: float) -> bool:
        """A libvlc clock event after an audio seek: re-anchor on where libvlc really is
        (True if the event was taken for verification)."""
        if self._verify_left <= 0 or self._info is None or self._info.has_video:
            return False
        if self._phase is _Phase.PLAYING and self._verify_until == math.inf:
            self._verify_until = now + _VERIFY_S
        if now > self._verify_until:
            self._verify_left = 0
            return False
        if value == self._verify_echo:
            return True  # libvlc echoes the target right after set_time: not yet decoded
        if self._phase is not _Phase.PLAYING:
            return True
        self._verify_left -= 1
        heard = self._heard_ms(value)
        self._reanchor(heard, now)
        self._floor_ms = heard
        return True

    def _land_locked(self, frame: QImage | None, label: int | None, now: float) -> int:
        """Finish the exact seek: show ``frame`` (libvlc's frame ``label``, the target frame
        unless libvlc could not produce it); returns the sequence number."""
        info = self._info
        assert info is not None
        shown = self._target
        if label is not None and label != self._target_frame:
            shown = transport.clamp(transport.frame_time(label, info), info)
        if frame is not None:
            self._cache_put_locked(label if label is not None else self._target_frame, frame)
            self._shown = frame
            self._shown_ms = shown
            self._shown_at = now
            self._shown_sig = self._recent[-1] if self._recent else 0
        self._still_ms = shown
        self._floor_ms = shown
        # Run into the target: libvlc's clock is the landing clock (the picture came at its
        # frame's start), not the target time, which may lie later inside the frame.
        ran_in = self._step is _Step.RUNNING and frame is not None
        self._reanchor(self._landing_clock(now) if ran_in else shown, now)
        self._phase = _Phase.PLAYING if self._play_after else _Phase.FROZEN
        self._vlc_label = label if label is not None else transport.frame_index(shown, info)
        self._count_frozen = frame is not None and self._step is _Step.RUNNING
        if frame is None:
            self._landed_how = _Landed.UNSURE
        elif self._step is _Step.RUNNING:
            self._landed_how = _Landed.RUNNING
        else:
            self._landed_how = _Landed.AT_TARGET
        self._step = _Step.DONE
        return self._seq

    def _on_landed(self, seq: int) -> None:
        with self._lock:
            if seq != self._seq or seq == self._handled_seq:
                return
            self._handled_seq = seq
            playing = self._phase is _Phase.PLAYING
            how = self._landed_how
            restore = self._restore_point()
        player = self._player
        if how is _Landed.UNSURE:
            player.set_time(restore)  # libvlc's position is not known: put it on the target
        if playing:
            if how is not _Landed.RUNNING:  # libvlc is still paused at the target
                player.set_pause(0)
                with self._lock:
                    self._reanchor(self._still_ms, time.monotonic())
            QTimer.singleShot(_RATE_DELAY_MS, self._apply_rate)
            self._set_state(PlaybackState.PLAYING)
        else:
            # After a run-in libvlc is a little past the frame we show; a resume continues
            # from where it paused (re-seeking here would stall libvlc 3 at the next rate
            # change).
            player.set_pause(1)
            with self._lock:
                if how is _Landed.RUNNING:
                    self._vlc_paused_ms = self._landing_clock(time.monotonic())
                else:
                    self._vlc_paused_ms = restore
            if self._state is not PlaybackState.ENDED:
                self._set_state(PlaybackState.PAUSED)
        player.audio_set_mute(self._muted)
        self._emit_position(force=True)

    def _landing_clock(self, now: float) -> float:
        """libvlc's clock during the run into a seek target (landings run at rate 1)."""
        return self._vlc_ms + (now - self._landing_t) * 1000.0

    def _restore_point(self) -> int:
        info = self._info
        if info is None or not info.has_video:
            return self._still_ms
        return transport.frame_time(transport.frame_index(self._still_ms, info), info)

    def _process_pending_landing(self) -> None:
        with self._lock:
            seq = self._seq if self._phase is not _Phase.LANDING else None
        if seq is not None:
            self._on_landed(seq)

    def _landing_label(self, sig: int, now: float) -> int | None:
        """During an exact seek: the frame index of this picture once libvlc runs into the
        target, else None (remembering pictures that are leftovers of the seek)."""
        info = self._info
        assert info is not None
        if self._step is _Step.SETTLING:  # pictures decoded before the seek
            self._stale.add(sig)
            return None
        if self._step is _Step.STARTING:  # the first picture of the recording
            if self._target_frame == 0:
                return 0
            self._stale.add(sig)
            self._vlcEvent.emit("started", self._seq)
            return None
        if self._step is _Step.SEEKING:
            # The first picture libvlc decodes after the seek: 0.15 s after it at the latest
            # (libvlc does not always report the end of buffering near the end of a file).
            decoded = self._buffered or now - self._seek_t > 0.15
            fresh = sig not in self._stale
            self._stale.add(sig)
            if decoded and fresh and self._target_frame == 0:
                return 0  # after a seek to 0 the first picture decoded is the first frame
            if decoded and fresh:  # now run into the target
                self._resumeReq.emit(self._seq)
            return None
        if self._step is not _Step.RUNNING or sig in self._stale:
            return None  # (repeats of the seek's first, possibly wrong, picture)
        return math.floor(self._landing_clock(now) / info.frame_ms + _LABEL_SLACK)
