"""``FramePlayer``: a :class:`VlcPlayer` whose paused seeks and frame steps are served at once by
the frame server (issue 11: p95 <= 100 ms from a seek to the exact frame on 1080p H.264).

libvlc's own exact seek takes 0.4-0.8 s at 1080p (``python -m benchmarks media``). While paused,
a seek, jump or frame step here asks the :class:`~observer_app.media.frame_server.FrameServer`
for the frame (decoded with PyAV from the video working copy if there is one, else from the
original) and shows it as soon as it is decoded; the position is that frame's (the target, or the
frame the server really delivered). :data:`RESYNC_MS` after the last served frame libvlc is
sought to it behind the scenes, its pictures hidden, so that playback can start there; ``play()``
hands over to libvlc (seeking it first if it is not there yet), and the served frame and its
position stay, and ``seeking()`` is true, until libvlc's seek has landed. A pause serves the
frame at the paused position, so that the picture is exactly the position's frame. Seeks while
playing, audio-only recordings and files the server cannot decode go to libvlc as before.

The served picture is the frame libvlc would show (the same index, decoded by FFmpeg; from the
working copy: its MPEG-4 re-encoding, visually lossless).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QImage

from observer_app.media import transport
from observer_app.media.frame_server import FrameServer
from observer_app.media.transport import Loop
from observer_app.media.types import MediaInfo, PlaybackState
from observer_app.media.video_copy import needs_video_copy
from observer_app.media.vlc_player import VlcPlayer

#: libvlc is re-sought behind the served frame once no other was asked for this long (its
#: 1080p seek takes the CPU for 0.4-0.8 s: not while a coder is stepping about).
RESYNC_MS = 1000
#: Served frames kept, so that stepping back and forth over them needs no decoding.
CACHE_FRAMES = 8


class FramePlayer(QObject):
    """The :class:`~observer_app.media.protocol.MediaPlayer` (see the module docstring);
    ``vlc`` is the libvlc player underneath."""

    positionChanged = Signal(int)
    stateChanged = Signal(object)
    mediaLoaded = Signal(object)
    errorOccurred = Signal(str)
    frameReady = Signal(QImage)
    _served = Signal(int, int, object)
    #: Further sources of a ``SyncedPlayer`` play on libvlc alone (its drift cues need
    #: libvlc itself at the cue when they resume).
    follower_type = VlcPlayer

    def __init__(self, parent: QObject | None = None, *, audio: bool | None = None) -> None:
        super().__init__(parent)
        self.vlc = VlcPlayer(self, audio=audio)
        self._lock = threading.Lock()
        self._server: FrameServer | None = None
        self._source: Path | None = None
        self._token = 0
        self._pending = False  # a request is being decoded
        self._override = False  # the served frame, not libvlc's, is on screen
        self._handover = False  # playing: libvlc is finding its way to the served frame
        self._target = 0  # position of the served (or requested) frame
        self._shown_ms = 0  # position of the served frame on screen
        self._image: QImage | None = None
        self._cache: OrderedDict[int, QImage] = OrderedDict()
        self._vlc_at: int | None = None  # the target libvlc was last sought to behind us
        self._last_state = PlaybackState.EMPTY
        self._resync = QTimer(self)
        self._resync.setSingleShot(True)
        self._resync.setInterval(RESYNC_MS)
        self._resync.timeout.connect(self._resync_vlc)
        self._served.connect(self._on_served, Qt.ConnectionType.QueuedConnection)
        vlc = self.vlc
        vlc.frameReady.connect(self._on_vlc_frame, Qt.ConnectionType.DirectConnection)
        vlc.positionChanged.connect(self._on_vlc_position)
        vlc.stateChanged.connect(self._on_vlc_state)
        vlc.mediaLoaded.connect(self.mediaLoaded)
        vlc.errorOccurred.connect(self.errorOccurred)

    # ----------------------------------------------------------------- loading
    def load(self, path: str | Path) -> MediaInfo:
        """Open ``path`` (see ``VlcPlayer.load``). Paused frames of a small video are served
        from the file itself; an HD one's only from its video working copy
        (:meth:`use_frame_source`): from a camera file's long GOPs the server is slower than
        libvlc (``python -m benchmarks media``)."""
        self._close_server()
        info = self.vlc.load(path)
        if info.has_video and not needs_video_copy(info):
            self._open_server(Path(path))
        return info

    def use_frame_source(self, path: Path | None) -> None:
        """Serve paused frames from ``path`` (the video working copy; None: the original);
        the frame on screen stays, a request under way is asked again of the new source."""
        info = self.vlc.info()
        if info is None or not info.has_video:
            return
        old = self._server
        self._open_server(path or Path(info.path))
        if old is not None:
            old.close()
        with self._lock:
            again = (self._target, self._token) if self._pending else None
        if again is not None and self._server is not None:
            self._server.request(transport.frame_index(again[0], info), again[1])

    def frame_source(self) -> Path | None:
        """The file paused frames are decoded from (None: libvlc serves them)."""
        return self._source

    def _open_server(self, path: Path) -> None:
        self._source = path
        self._cache.clear()
        self._server = FrameServer(path, self._served.emit)

    def _close_server(self) -> None:
        self._resync.stop()
        if self._server is not None:
            self._server.close()
        self._server, self._source = None, None
        self._cache.clear()
        with self._lock:
            self._token += 1
            self._pending = self._override = self._handover = False
            self._image = None
            self._vlc_at = None

    def close(self) -> None:
        self._close_server()
        self.vlc.close()

    def info(self) -> MediaInfo | None:
        return self.vlc.info()

    # ----------------------------------------------------------------- transport
    def play(self) -> None:
        with self._lock:
            override, handover = self._override, self._handover
            target = self._target
        if not override or handover:
            self.vlc.play()
            return
        self._resync.stop()
        with self._lock:
            self._handover = True
            synced = self._vlc_at == target
        if not synced:
            self.vlc.seek(target)
        self.vlc.play()
        self._emit_state()

    def pause(self) -> None:
        """Pause; the frame at the paused position is then served, so that the picture is
        exactly the position's frame (libvlc's last picture can be a frame off it)."""
        playing = self.state() is PlaybackState.PLAYING
        with self._lock:
            self._handover = False
        self.vlc.pause()
        if playing and self._server is not None and not self.vlc.seeking():
            self._serve(self.vlc.position_ms(), vlc_there=True)
        self._emit_state()

    def toggle(self) -> None:
        if self.state() is PlaybackState.PLAYING:
            self.pause()
        else:
            self.play()

    def seek(self, ms: int) -> None:
        info = self.vlc.info()
        state = self.state()
        if info is None or state is PlaybackState.ERROR:
            return
        if self._server is None or state is PlaybackState.PLAYING:
            self._drop_override()
            self.vlc.seek(ms)
            return
        self._serve(transport.clamp(ms, info), vlc_there=False)

    def _serve(self, target: int, *, vlc_there: bool) -> None:
        """Show the frame at ``target`` (paused): at once if it was served recently, else when
        the server has decoded it; ``vlc_there``: libvlc is paused at it already."""
        info = self.vlc.info()
        assert info is not None and self._server is not None
        k = transport.frame_index(target, info)
        cached = self._cache.get(k)
        with self._lock:
            if not self._override:
                self._shown_ms = self.vlc.position_ms()
            self._token += 1
            token = self._token
            self._override, self._handover, self._pending = True, False, cached is None
            self._target = target
            if vlc_there:
                self._vlc_at = target
            if cached is not None:
                self._image, self._shown_ms = cached, target
        if cached is None:
            self._server.request(k, token)
        else:
            self.frameReady.emit(cached)
            self._resync.start()
        self._emit_state()
        self.positionChanged.emit(self.position_ms())

    def jump(self, delta_ms: int) -> None:
        info = self.vlc.info()
        if info is not None:
            self.seek(transport.jump_target(self._transport_position(), delta_ms, info))

    def step_frame(self, n: int = 1) -> None:
        info = self.vlc.info()
        if info is None:
            return
        self.pause()
        self.seek(transport.step_target(self._transport_position(), n, info))

    def _transport_position(self) -> int:
        """Where relative moves start: the pending target while a seek is under way."""
        with self._lock:
            if self._override:
                return self._target
        return self.vlc._transport_position()

    # ----------------------------------------------------------------- the served frame
    def _on_served(self, token: int, index: int, image: QImage | None) -> None:
        info = self.vlc.info()
        with self._lock:
            if token != self._token or info is None:
                return
            self._pending = False
            if image is None:  # the server could not decode it: libvlc seeks
                self._override = False
                fallback = self._target
            else:
                fallback = -1
                self._image = image
                self._cache[index] = image
                self._cache.move_to_end(index)
                while len(self._cache) > CACHE_FRAMES:
                    self._cache.popitem(last=False)
                if index != transport.frame_index(self._target, info):
                    self._target = transport.frame_time(index, info)
                self._shown_ms = self._target
        if fallback >= 0:
            self.vlc.seek(fallback)
            return
        assert image is not None
        self.frameReady.emit(image)
        self.positionChanged.emit(self.position_ms())
        self._resync.start()  # (after decoding: libvlc's seek would compete for the CPU)

    def _on_vlc_frame(self, image: QImage) -> None:
        """libvlc's pictures (on libvlc's thread): hidden while a served frame is on screen,
        until libvlc has found the served frame after ``play()``."""
        if self._overriding():
            return
        self.frameReady.emit(image)

    def _overriding(self) -> bool:
        """Whether the served frame is on screen; a handover ends once libvlc's seek has
        landed (its picture and clock are then the served frame's)."""
        with self._lock:
            if not self._override:
                return False
            if not self._handover:
                return True
        if self.vlc.seeking():
            return True
        with self._lock:
            if self._handover:
                self._override = self._handover = False
            return self._override

    def _on_vlc_position(self, ms: int) -> None:
        if not self._overriding():
            self.positionChanged.emit(ms)

    def _on_vlc_state(self, _state: object) -> None:
        self._emit_state()

    def _emit_state(self) -> None:
        state = self.state()
        if state is not self._last_state:
            self._last_state = state
            self.stateChanged.emit(state)

    def _resync_vlc(self) -> None:
        """No request for a while: seek libvlc to the served frame behind it (pictures hidden)."""
        with self._lock:
            if not self._override or self._handover:
                return
            target = self._target
            if self._vlc_at == target:
                return
            self._vlc_at = target
        self.vlc.seek(target)

    def _drop_override(self) -> None:
        self._resync.stop()
        with self._lock:
            self._token += 1
            self._override = self._handover = self._pending = False
            self._vlc_at = None

    # ----------------------------------------------------------------- state
    def position_ms(self) -> int:
        if self._overriding():
            with self._lock:
                return self._target if not self._pending else self._shown_ms
        return self.vlc.position_ms()

    def current_frame(self) -> QImage | None:
        if self._overriding():
            with self._lock:
                if self._image is not None:
                    return self._image
        return self.vlc.current_frame()

    def state(self) -> PlaybackState:
        state = self.vlc.state()
        with self._lock:
            if self._override and not self._handover and state is not PlaybackState.ERROR:
                return PlaybackState.PAUSED
        return state

    def seeking(self) -> bool:
        """True while the served frame is being decoded, and after ``play()`` until libvlc's
        seek to it has landed (playback has not really started: a ``SyncedPlayer`` cues its
        followers meanwhile)."""
        if self._overriding():
            with self._lock:
                return self._pending or self._handover
        return self.vlc.seeking()

    # ----------------------------------------------------------------- delegated
    def set_rate(self, rate: float) -> None:
        self.vlc.set_rate(rate)

    def rate(self) -> float:
        return self.vlc.rate()

    def set_volume(self, percent: int) -> None:
        self.vlc.set_volume(percent)

    def set_muted(self, muted: bool) -> None:
        self.vlc.set_muted(muted)

    def set_loop(self, start_ms: int, end_ms: int | None) -> None:
        self.vlc.set_loop(start_ms, end_ms)

    def clear_loop(self) -> None:
        self.vlc.clear_loop()

    def loop(self) -> Loop | None:
        return self.vlc.loop()

    def libvlc_time_ms(self) -> int:
        return self.vlc.libvlc_time_ms()


def plays_real_media(player: object) -> bool:
    """Whether ``player`` (or a :class:`SyncedPlayer`'s main player) is a real media engine,
    a :class:`VlcPlayer` or a :class:`FramePlayer` over one (not the ``FakePlayer`` of UI
    tests): what decides whether the coding window decodes waveforms and makes working copies."""
    from observer_app.media.synced import main_player

    return isinstance(main_player(player), VlcPlayer | FramePlayer)
