"""The state a ``VlcPlayer`` shares between the GUI thread and libvlc's threads, and its phases."""

from __future__ import annotations

import enum
import threading
from collections import OrderedDict, deque
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QImage

from observer_app.media.transport import Loop
from observer_app.media.types import MediaInfo, PlaybackState


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


class _PlayerState(QObject):
    """Signals and state of a ``VlcPlayer``; the mixins of this package share them."""

    positionChanged = Signal(int)
    stateChanged = Signal(object)
    mediaLoaded = Signal(object)
    errorOccurred = Signal(str)
    frameReady = Signal(QImage)
    _landed = Signal(int)
    _resumeReq = Signal(int)
    _vlcEvent = Signal(str, int)
    # Set by the ``VlcPlayer`` constructor.
    _timer: QTimer
    _cb_lock: Any
    _cb_unlock: Any
    _cb_display: Any

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
        self._reopened_for = -1  # the audio seek target libvlc was last reopened at
        # Frame buffers (written by libvlc between lock and display).
        self._bufs: list[Any] = []
        self._frame_size = (0, 0)
        self._next_buf = 0
        self._init_shared()

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
        self._verify_echo = -1  # the target of the last audio seek (libvlc echoes it)
        self._verify_left = 0  # clock events still to trust over the target after that seek
        self._verify_until = 0.0  # ... until this time
        self._audio_seek_t = -1e9  # when the last audio seek was asked for
        self._lead_ms = 0.0  # libvlc's clock minus the sound (``_clock.libvlc_lead_ms``)

    def _emit_position(self, *, force: bool = False) -> None:
        pos = self.position_ms()
        if force or pos != self._last_emitted:
            self._last_emitted = pos
            self.positionChanged.emit(pos)

    def _set_state(self, state: PlaybackState) -> None:
        if state is not self._state:
            self._state = state
            self.stateChanged.emit(state)

    if TYPE_CHECKING:  # defined by the mixins and the façade, called across them

        def position_ms(self) -> int: ...
        # _clock
        def _heard_ms(self, libvlc_ms: int) -> float: ...
        def _reanchor(self, ms: float, now: float) -> None: ...
        def _estimate(self, now: float) -> float: ...
        def _position_locked(self, now: float) -> int: ...
        def _rate_one(self) -> None: ...
        def _apply_rate(self) -> None: ...
        # _frames
        def _cache_put_locked(self, k: int, frame: QImage) -> None: ...
        # _seeking
        def _begin_landing(self, target: int, *, play_after: bool) -> None: ...
        def _seek_paused(self) -> None: ...
        def _land_locked(self, frame: QImage | None, label: int | None, now: float) -> int: ...
        def _on_landed(self, seq: int) -> None: ...
        def _verify_audio_locked(self, value: int, now: float) -> bool: ...
        def _landing_label(self, sig: int, now: float) -> int | None: ...
        # _events
        def _new_media(self) -> Any: ...


# Base of the mixins: for the type checker they are ``_PlayerState``s (they use its state);
# at run time plain classes, so ``VlcPlayer``'s only Qt base is ``_PlayerState``.
if TYPE_CHECKING:
    _Mixin = _PlayerState
else:
    _Mixin = object
