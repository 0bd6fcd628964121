"""What libvlc's decoder is really playing, for the media tests and benchmarks.

:class:`AudioTap` replaces a libvlc player's audio output with callbacks (libvlc's ``amem``
output: decoded, paced and timed like a sound card, at 16 kHz mono). Each buffer arrives with
the libvlc clock time at which its first sample is to be heard. :meth:`AudioTap.heard_ms`
matches the last ~0.3 s of decoded samples against the known signal (FFT cross-correlation;
``make_test_media.position_signal``), so it returns the position in the signal being heard at
this instant: the decoder's truth, independent of libvlc's clock and of the player's.

Lossy codecs add an encoder delay the decoder may not remove (LAME: 1105 samples, 69 ms at
16 kHz), which shows as a constant lag of the heard signal behind the source.
"""

from __future__ import annotations

import ctypes
import threading
from typing import Any

import numpy as np

RATE = 16_000
_PLAY = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_uint, ctypes.c_int64)
_OTHER = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int64)
_KEEP = 600  # buffers kept (a few seconds)


class AudioTap:
    """Decoded audio of one libvlc player, matched against ``reference`` (16 kHz mono)."""

    def __init__(self, reference: np.ndarray) -> None:
        self.ref = reference.astype(np.float32)
        self._n = 1 << int(np.ceil(np.log2(len(self.ref) + 4 * RATE)))
        self._ref_f = np.fft.rfft(self.ref, self._n)
        self._energy = np.concatenate([[0.0], np.cumsum(self.ref.astype(np.float64) ** 2)])
        self._lock = threading.Lock()
        self._chunks: list[tuple[int, np.ndarray]] = []
        self._callbacks: tuple[Any, ...] = ()
        self._vlc: Any = None

    def attach(self, vlc: Any, media_player: Any) -> None:
        """Send ``media_player``'s audio here (call before its media starts playing)."""
        self._vlc = vlc

        def play(_opaque: Any, data: Any, count: int, pts: int) -> None:
            pcm = ctypes.cast(data, ctypes.POINTER(ctypes.c_int16))
            block = np.ctypeslib.as_array(pcm, (count,)).astype(np.float32) / 32768.0
            with self._lock:
                self._chunks.append((int(pts), block))
                del self._chunks[:-_KEEP]

        def flush(_opaque: Any, _pts: int) -> None:
            with self._lock:
                self._chunks.clear()

        def nothing(_opaque: Any, _pts: int) -> None:
            return None

        self._callbacks = (_PLAY(play), _OTHER(nothing), _OTHER(nothing), _OTHER(flush))
        fn = vlc.dll.libvlc_audio_set_callbacks
        fn.argtypes = [ctypes.c_void_p, _PLAY, _OTHER, _OTHER, _OTHER, _OTHER, ctypes.c_void_p]
        fn.restype = None
        cb = self._callbacks
        fn(media_player._as_parameter_, cb[0], cb[1], cb[2], cb[3], cb[1], None)
        media_player.audio_set_format("S16N", RATE, 1)

    def heard_ms(self, window_s: float = 0.3) -> float | None:
        """Position (ms) in the reference being heard now; None if nothing recognisable is
        playing (silence, a pause, no buffer yet, or no unique match)."""
        now = int(self._vlc.libvlc_clock())
        with self._lock:
            due = [c for c in self._chunks if c[0] <= now]
        if not due:
            return None
        tail = [due[-1]]
        for chunk in reversed(due[:-1]):
            if abs(chunk[0] + len(chunk[1]) * 1e6 / RATE - tail[0][0]) > 3000:
                break  # not contiguous (a seek or a flush in between)
            tail.insert(0, chunk)
            if sum(len(c[1]) for c in tail) >= window_s * RATE:
                break
        seg = np.concatenate([c[1] for c in tail])
        if len(seg) < 0.1 * RATE or float(np.abs(seg).max()) < 1e-3:
            return None
        corr = np.fft.irfft(self._ref_f * np.conj(np.fft.rfft(seg, self._n)), self._n)
        k = int(np.argmax(corr[: len(self.ref)]))
        ref_energy = self._energy[min(k + len(seg), len(self.ref))] - self._energy[k]
        score = corr[k] / (np.linalg.norm(seg) * np.sqrt(ref_energy) + 1e-9)
        if score < 0.5:
            return None
        return k * 1000.0 / RATE + (now - tail[0][0]) / 1000.0
