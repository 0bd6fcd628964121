"""The playback clock of a ``VlcPlayer``: anchoring, extrapolation, position and rate."""

from __future__ import annotations

import time

from observer_app.media import transport
from observer_app.media.vlc_player._state import _Mixin, _Phase

_STALE_FRAME_S = 0.25  # no frame for this long: position follows the clock alone
_RATE_SETTLE_S = 0.5  # after a rate change libvlc's display lags its clock this long at most
_RATE_DELAY_MS = 100  # after resuming, wait this long before changing libvlc's rate


class _ClockMixin(_Mixin):
    """Where playback is: libvlc's clock anchored on events and extrapolated in between."""

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
