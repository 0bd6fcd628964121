"""The playback clock of a ``VlcPlayer``: anchoring, extrapolation, position and rate, and the
correction of libvlc's clock of audio-only WAV files to the sound (``WAV_LEAD_MS``)."""

from __future__ import annotations

import time
from pathlib import Path

from observer_app.media import transport
from observer_app.media.types import MediaInfo
from observer_app.media.vlc_player._state import _Mixin, _Phase

_STALE_FRAME_S = 0.25  # no frame for this long: position follows the clock alone
_RATE_SETTLE_S = 0.5  # after a rate change libvlc's display lags its clock this long at most
_RATE_DELAY_MS = 100  # after resuming, wait this long before changing libvlc's rate
#: How far libvlc 3's clock of a PCM WAV file runs ahead of the samples it plays: its WAV
#: demuxer reads blocks of ``rate // 20`` samples (50 ms; VLC 3 ``modules/demux/wav.c``,
#: ``FrameInfo_PCM``) and reports the time after the block it has just read. Measured with
#: ``scripts/audio_tap.py`` (clock minus the sample being played; 16-bit PCM at 16, 22.05,
#: 44.1 and 48 kHz, mono and stereo; with and without time stretching, ``file-caching`` 50
#: and 300 ms, the tap at 16, 44.1 and 48 kHz): 49.5-50.0 ms median, p5-p95 44-60 ms. After
#: the correction, clock minus sound after seeks: median -1 ms, max 10 ms (``python -m
#: benchmarks media``); in the 50-300 ms after a seek while playing, before libvlc's first
#: clock event there, +10 ms (max 28).
WAV_LEAD_MS = 50.0


def libvlc_lead_ms(info: MediaInfo) -> float:
    """How far libvlc's clock runs ahead of the sound of this recording: 50 ms for audio-only
    PCM WAV (every audio-only recording the app plays, through its working copy), else 0.

    Originals in other containers (played only until their copy is made) are not corrected;
    their leads were measured (ms, median while playing from the start): FLAC 96, Ogg Vorbis
    0, Opus -74, M4A/AAC 0, MP3 108 (16 kHz), 78 (22.05 kHz), 52 (44.1 kHz) = LAME's encoder
    delay (576 + 529 samples, which libvlc's decoder removes but its clock keeps) plus one
    frame (576 samples at 16/22.05 kHz, 1152 at 44.1 kHz). After a seek in them libvlc lands
    off by a further -60..+60 ms (MP3), so no constant would make them exact: the copy does.
    Video is timed by its frames (0).
    """
    if info.has_video:
        return 0.0
    try:
        with Path(info.path).open("rb") as fh:
            head = fh.read(12)
    except OSError:
        return 0.0
    return WAV_LEAD_MS if head[:4] == b"RIFF" and head[8:12] == b"WAVE" else 0.0


class _ClockMixin(_Mixin):
    """Where playback is: libvlc's clock anchored on events and extrapolated in between."""

    def _heard_ms(self, libvlc_ms: int) -> float:
        """What is being heard when libvlc's clock says ``libvlc_ms`` (see ``WAV_LEAD_MS``)."""
        return libvlc_ms - self._lead_ms

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
