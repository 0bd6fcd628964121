"""``VlcPlayer``: frame-accurate playback through libvlc 3's video callbacks.

libvlc 3 updates ``get_time()`` only every 250-500 ms, seeks by decode time, shows a picture a
few frames before the target after a seek while paused, skips the first ``next_frame()`` step,
and corrupts its clock when it seeks while paused at a rate other than 1. So:

- **Clock.** While playing, the clock is anchored on every ``MediaPlayerTimeChanged`` event
  (its value matches the picture displayed at that instant) and on every seek, resume and rate
  change, and extrapolated with ``time.monotonic()`` times the rate in between. Every picture
  libvlc displays is labelled with its frame index from that clock; after a resume the first new
  picture is labelled by counting the pictures libvlc still showed after the pause, and for a
  moment after a rate change (libvlc keeps showing queued pictures at the old rate) pictures
  are counted too. ``position_ms()`` stays inside the frame on screen and never runs
  backwards while playing.
- **Exact seeks** (``seek``, ``step_frame``, the initial load): wait until libvlc has stopped
  showing pictures decoded before (after a pause), seek while paused at rate 1 to three frames
  before the target, wait for the first picture decoded there, resume muted, label pictures
  with a clock started at the resume, and show the first one labelled with the target frame
  (or later, if libvlc dropped it: the position then says which frame it is). libvlc then
  pauses a frame or two further on; a resume counts from there (re-seeking it would stall
  libvlc 3 at the next rate change).
- **Threads.** Frames are copied out of libvlc's buffer on libvlc's thread into a new
  ``QImage`` and reach the GUI thread through queued signals. libvlc is never called from its
  own callbacks and never while holding our lock.
"""

from __future__ import annotations

import ctypes
import enum
import math
import threading
import time
import weakref
import zlib
from collections import OrderedDict, deque
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QImage

from observer_app.media import _libvlc, transport
from observer_app.media.probe import probe
from observer_app.media.transport import Loop
from observer_app.media.types import MediaError, MediaInfo, PlaybackState

_LockCb = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p))
_UnlockCb = ctypes.CFUNCTYPE(
    None, ctypes.c_void_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p)
)
_DisplayCb = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p)

_BUFFERS = 6  # ring of picture buffers handed to libvlc (more than it keeps in flight)
_STEP_TIMEOUT_S = {  # give up waiting (static pictures, a stalled decoder) and move on
    "SETTLING": 0.3,
    "STARTING": 1.0,
    "SEEKING": 0.6,
    "RUNNING": 1.0,
}
_SETTLE_S = 0.08  # libvlc shows no new picture for this long: it has really paused
_CACHE_FRAMES = 12  # recent frames kept for instant steps while paused
_LEAD_FRAMES = 3  # libvlc seeks by decode time: start this many frames early (B-frame delay)
_LABEL_SLACK = 0.2  # fraction of a frame a picture may be displayed early by libvlc
_STALE_FRAME_S = 0.25  # no frame for this long: position follows the clock alone
_TICK_MS = 20
_EVENT_LATENCY_S = 0.015  # time events can reach us this late without being wrong
_RATE_SETTLE_S = 0.5  # after a rate change libvlc's display lags its clock this long at most
_RATE_DELAY_MS = 100  # after resuming, wait this long before changing libvlc's rate


class _Step(enum.Enum):
    STARTING = 0  # libvlc (re)opens the recording, paused on its first picture
    SETTLING = 4  # paused; waiting until libvlc stops showing pictures decoded before
    SEEKING = 1  # paused seek to a few frames before the target; waiting for its first frame
    RUNNING = 2  # playing into the target; frames are labelled with the landing clock
    DONE = 3


class _Landed(enum.Enum):
    RUNNING = 0  # libvlc is playing just past the target
    AT_TARGET = 1  # libvlc is paused on the target (a seek to the first frame)
    UNSURE = 2  # no frame came in time (static picture) or audio only: re-seek libvlc


class _Phase(enum.Enum):
    IDLE = 0  # nothing loaded
    FROZEN = 1  # paused or ended: frames from libvlc are not shown
    LANDING = 2  # exact seek under way: waiting for the first frame at the target
    PLAYING = 3  # frames are shown and labelled with the clock


def _shutdown(player: Any) -> None:
    player.stop()
    player.release()


def _signature(buf: Any, size: int) -> int:
    """A cheap checksum of a picture (every 97th byte), to recognise a repeated picture."""
    view = np.frombuffer(buf, dtype=np.uint8, count=size)
    return zlib.crc32(view[::97].tobytes())


class VlcPlayer(QObject):
    """The :class:`~observer_app.media.protocol.MediaPlayer` on libvlc (see module docstring).

    ``audio``: True plays to the sound device, False to libvlc's silent dummy output, None
    decides from ``OBSERVER_APP_AUDIO`` and whether the machine has a sound device.
    """

    positionChanged = Signal(int)
    stateChanged = Signal(object)
    mediaLoaded = Signal(object)
    errorOccurred = Signal(str)
    frameReady = Signal(QImage)
    _landed = Signal(int)
    _resumeReq = Signal(int)
    _vlcEvent = Signal(str, int)

    def __init__(self, parent: QObject | None = None, *, audio: bool | None = None) -> None:
        super().__init__(parent)
        self._audio = audio
        self._lock = threading.Lock()
        self._player: Any = None
        self._vlc: Any = None
        self._info: MediaInfo | None = None
        self._state = PlaybackState.EMPTY
        self._rate = 1.0
        self._vlc_rate = 1.0
        self._volume = 100
        self._muted = False
        self._loop: Loop | None = None
        self._needs_restart = True
        self._last_emitted = -1
        self._loop_prev = 0
        # Frame buffers (written by libvlc between lock and display).
        self._bufs: list[Any] = []
        self._frame_size = (0, 0)
        self._next_buf = 0
        self._init_shared()
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

    def _init_shared(self) -> None:
        """State shared with libvlc's threads (guarded by ``_lock``)."""
        self._phase = _Phase.IDLE
        self._anchor_ms = 0.0
        self._anchor_t = 0.0
        self._floor_ms = 0.0
        self._still_ms = 0
        self._shown: QImage | None = None
        self._shown_ms = 0
        self._shown_at = 0.0
        self._shown_sig = 0
        self._count_until = 0.0
        self._rate_up = False
        self._seq = 0
        self._target = 0
        self._play_after = False
        self._step = _Step.DONE
        self._target_frame = 0
        self._vlc_ms = 0
        self._buffered = False
        self._landing_t = 0.0
        self._landed_how = _Landed.UNSURE
        self._vlc_paused_ms = 0.0
        self._deadline = 0.0
        self._stale: set[int] = set()
        self._seek_t = 0.0
        self._recent: deque[int] = deque(maxlen=8)
        self._cache: OrderedDict[int, QImage] = OrderedDict()
        self._last_any_sig = 0  # the last picture libvlc displayed, published or not
        self._fresh_t = 0.0  # when libvlc last displayed a new picture
        self._vlc_label = 0  # index of the last distinct picture libvlc displayed
        self._count_frozen = False  # count pictures libvlc still shows after we froze
        self._resume_pending = False  # label the first new picture after a resume by count
        self._handled_seq = 0

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
        if not info.has_video and not self._needs_restart:
            self._audio_seek(target, playing)
        elif not playing and self._seek_cached(target, info):
            pass
        else:
            self._begin_landing(target, play_after=playing)
        self._loop_prev = target
        self._emit_position(force=True)

    def jump(self, delta_ms: int) -> None:
        if self._info is not None:
            self.seek(transport.jump_target(self._transport_position(), delta_ms, self._info))

    def step_frame(self, n: int = 1) -> None:
        if self._info is None:
            return
        self.pause()
        self.seek(transport.step_target(self._transport_position(), n, self._info))

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

    def set_rate(self, rate: float) -> None:
        self._rate = transport.clamp_rate(rate)
        if self._player is not None and self._phase is _Phase.PLAYING:
            self._apply_rate()

    def _rate_one(self) -> None:
        """libvlc 3 mis-handles seeks while paused at rates other than 1 (its clock jumps by
        the paused time times the rate): go back to 1 before seeking."""
        with self._lock:
            if self._vlc_rate == 1.0:
                return
            now = time.monotonic()
            self._reanchor(self._estimate(now), now)
            self._vlc_rate = 1.0
        self._player.set_rate(1.0)

    def _apply_rate(self) -> None:
        """Give libvlc the wanted rate (only while it plays: libvlc 3 corrupts its clock when
        the rate changes while paused or right after resuming)."""
        with self._lock:
            if self._vlc_rate == self._rate or self._phase is not _Phase.PLAYING:
                return
            now = time.monotonic()
            self._reanchor(self._estimate(now), now)
            self._rate_up = self._rate > self._vlc_rate
            self._vlc_rate = self._rate
            self._count_until = now + _RATE_SETTLE_S
        self._player.set_rate(self._rate)

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

    # ----------------------------------------------------------------- set-up
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

    def _setup_video(self, width: int, height: int) -> None:
        if self._frame_size != (width, height):
            self._bufs = [ctypes.create_string_buffer(width * height * 4) for _ in range(_BUFFERS)]
            self._frame_size = (width, height)
        self._player.video_set_format("RV32", width, height, width * 4)

    def _new_media(self) -> Any:
        assert self._info is not None
        media = _libvlc.instance(self._audio).media_new_path(self._info.path)
        media.add_option(":start-paused")  # opens, shows the first picture, pauses
        return media

    # ----------------------------------------------------------------- seeking
    def _begin_landing(self, target: int, *, play_after: bool) -> None:
        """Start an exact seek to ``target`` (see the module docstring); finishes in
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
        self._player.set_time(target)
        with self._lock:
            self._still_ms = target
            self._floor_ms = target
            self._vlc_paused_ms = target
            self._reanchor(target, time.monotonic())

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

    # ----------------------------------------------------------------- clock
    def _reanchor(self, ms: float, now: float) -> None:
        self._anchor_ms = ms
        self._anchor_t = now

    def _estimate(self, now: float) -> float:
        if self._phase is not _Phase.PLAYING:
            return float(self._still_ms)
        return self._anchor_ms + (now - self._anchor_t) * 1000.0 * self._vlc_rate

    def _position_locked(self, now: float) -> int:
        info = self._info
        if self._phase is _Phase.LANDING and info is not None and info.has_video and self._shown:
            return self._shown_ms  # the old frame is on screen until the seek lands
        if self._phase is not _Phase.PLAYING or info is None:
            return self._still_ms
        est = self._estimate(now)
        if info.has_video and self._shown is not None and now - self._shown_at < _STALE_FRAME_S:
            # Inside the frame on screen: from its time to the last ms before the next frame.
            next_frame = transport.frame_time(transport.frame_index(self._shown_ms, info) + 1, info)
            est = min(max(est, self._shown_ms), next_frame - 1)
        est = min(max(est, self._floor_ms), info.duration_ms)
        self._floor_ms = est
        return int(est)

    # ----------------------------------------------------------------- libvlc threads
    def _on_lock(self, _opaque: int | None, planes: Any) -> int:
        i = self._next_buf
        self._next_buf = (i + 1) % _BUFFERS
        planes[0] = ctypes.addressof(self._bufs[i])
        return i + 1  # picture ids must not be NULL

    def _on_unlock(self, _opaque: int | None, _picture: int | None, _planes: Any) -> None:
        return None

    def _on_display(self, _opaque: int | None, picture: int | None) -> None:
        try:
            self._display(int(picture or 1) - 1)
        except Exception:  # never let an exception unwind into libvlc
            return

    def _display(self, index: int) -> None:
        now = time.monotonic()
        width, height = self._frame_size
        size = width * height * 4
        buf = self._bufs[index]
        sig = _signature(buf, size)
        label: int | None = None
        cache_only = False
        with self._lock:
            phase = self._phase
            if phase is _Phase.IDLE:
                return
            fresh = sig != self._last_any_sig
            self._last_any_sig = sig
            if fresh:
                self._fresh_t = now
            self._recent.append(sig)
            if phase is _Phase.FROZEN:
                if not (self._count_frozen and fresh):
                    return
                self._vlc_label += 1  # libvlc still advancing after our pause: keep it
                label, cache_only = self._vlc_label, True
            elif phase is _Phase.LANDING:
                label = self._landing_label(sig, now)
                if label is None:
                    return
                cache_only = label < self._target_frame  # the run-in before the target
            elif self._resume_pending and not fresh:
                return  # libvlc repeats the paused picture
        frame = QImage(width, height, QImage.Format.Format_RGB32)
        ctypes.memmove((ctypes.c_char * size).from_buffer(frame.bits()), buf, size)
        landed = -1
        with self._lock:
            if self._phase is not phase:
                return
            if cache_only:
                assert label is not None
                self._cache_put_locked(label, frame)
                return
            if phase is _Phase.LANDING:
                landed = self._land_locked(frame, label, now)
            else:
                self._publish_locked(frame, sig, now)
        self.frameReady.emit(frame)
        if landed >= 0:
            self._landed.emit(landed)

    def _cache_put_locked(self, k: int, frame: QImage) -> None:
        """Keep recent frames by index, so short steps while paused need no seek."""
        self._cache[k] = frame
        self._cache.move_to_end(k)
        while len(self._cache) > _CACHE_FRAMES:
            self._cache.popitem(last=False)

    def _publish_locked(self, frame: QImage, sig: int, now: float) -> None:
        """Show a picture libvlc displays during playback, labelled with its frame index."""
        info = self._info
        assert info is not None
        if self._resume_pending:
            # The first new picture after a resume follows the last one libvlc showed while
            # pausing: anchor the clock on it.
            k = self._vlc_label + 1
            self._reanchor(max(transport.frame_time(k, info), self._floor_ms), now)
            self._resume_pending = False
        else:
            k = self._playing_label(sig, now, info)
        self._vlc_label = k
        self._cache_put_locked(k, frame)
        self._shown_sig = sig
        self._shown = frame
        self._shown_ms = transport.frame_time(k, info)
        self._shown_at = now

    def _playing_label(self, sig: int, now: float, info: MediaInfo) -> int:
        """Index of the frame libvlc displays now, during playback."""
        if now < self._count_until and self._shown is not None:
            # libvlc shows already-queued pictures at the old rate for a while after a rate
            # change: count pictures instead of trusting its (new) clock, until pictures come
            # at the new rate's interval.
            period = info.frame_ms / 1000.0 / self._vlc_rate
            interval = now - self._shown_at
            # Speeding up, libvlc catches up by dropping pictures and showing the one due at
            # once, right after the previous: that one the clock labels right.
            catch_up = self._rate_up and sig != self._shown_sig and interval < 0.5 * period
            if abs(interval - period) >= 0.25 * period and not catch_up:
                return transport.frame_index(self._shown_ms, info) + (sig != self._shown_sig)
            self._count_until = now
        return math.floor(self._estimate(now) / info.frame_ms + _LABEL_SLACK)

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

    def _on_event(self, event: Any, name: str) -> None:
        if name == "time":
            value = int(event.u.new_time)
            with self._lock:
                if self._phase is _Phase.PLAYING and self._info is not None:
                    now = time.monotonic()
                    ahead = self._estimate(now) - value
                    # Events reach us a few ms late (the GIL, a busy machine), which makes
                    # them look behind: pull the clock back only beyond that.
                    if -1000 < ahead < 0 or _EVENT_LATENCY_S * 1000 * self._vlc_rate < ahead < 1000:
                        self._reanchor(value, now)
            return
        if name == "buffering":
            if event.u.new_cache >= 100:
                with self._lock:
                    self._buffered = True
            return
        self._vlcEvent.emit(name, 0)

    # ----------------------------------------------------------------- GUI thread
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
        if missing > max(2000, info.duration_ms // 20):
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

    def _emit_position(self, *, force: bool = False) -> None:
        pos = self.position_ms()
        if force or pos != self._last_emitted:
            self._last_emitted = pos
            self.positionChanged.emit(pos)

    def _set_state(self, state: PlaybackState) -> None:
        if state is not self._state:
            self._state = state
            self.stateChanged.emit(state)

    def _fail(self, message: str) -> None:
        self._timer.stop()
        with self._lock:
            self._phase = _Phase.IDLE
        if self._player is not None:
            self._player.stop()
        self._set_state(PlaybackState.ERROR)
        self.errorOccurred.emit(message)
