"""The timeline's views of a recording's sound: a min/max waveform pyramid and a speech
spectrogram, both from one libvlc decode, cached beside the study by the media's fingerprint.

libvlc's transcoder decodes the audio (of the working copy when there is one, else of the
original) to 16 kHz mono 16-bit PCM; one pass over it, in chunks, builds

- the **waveform**: per 10 ms bucket the minimum and maximum sample and the sum of squares,
  then coarser levels (each bucket two of the level below: min of mins, max of maxes, sum of
  sums). A view of ``ms_per_px`` reads the coarsest level whose bucket is at most a quarter of
  a pixel column, so every column shows the extremes of its own span (widened to whole buckets)
  at any zoom: a 50-minute session zoomed to 10 s shows the speech, not a solid band;
- the **spectrogram**: a short-time Fourier transform, 25 ms Hann window, 10 ms hop, the
  512-point spectrum up to 8 kHz pooled into 128 bands of 62.5 Hz, log magnitude in dB
  relative to a full-scale sine, stored as ``uint8`` over ``DB_FLOOR``..0 dB, with coarser levels
  (each frame the mean of four) for zoomed-out views.

Frame ``i`` of both describes ``[i * 10, (i + 1) * 10)`` ms (the window is centred on it). The
result is cached as ``<study>.media/<key>.audio.npz`` (no pickles), keyed by the original's
fingerprint and :data:`FORMAT_VERSION`, so opening the recording again reads it back at once.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import math
import os
import tempfile
import threading
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from observer_app.media.probe import check_file
from observer_app.media.types import MediaError
from observer_app.media.waveform import _transcode
from observer_app.media.working_copy import file_fingerprint, find_working_copy

#: Bump when the analysis changes, so older cached files are computed again.
FORMAT_VERSION = 3
ANALYSIS_RATE = 16_000
BASE_MS = 10.0
WINDOW_MS = 25.0
FFT_SIZE = 512
BANDS = 128  # 0-8 kHz in 62.5 Hz bands
DB_FLOOR = -90.0
SPECTRO_POOL = 4  # frames of one spectrogram level per frame of the next
_CHUNK_FRAMES = 600  # analysis chunk: 6 s of audio


class Cancel(Protocol):
    def is_set(self) -> bool: ...


# -- the waveform pyramid -------------------------------------------------------------------------
@dataclass(frozen=True)
class WavePyramid:
    """Min, max (-1..1 of full scale) and sum of squares of every ``BASE_MS * 2**k`` ms bucket
    at level ``k``; ``counts[k]`` samples per bucket."""

    mins: tuple[np.ndarray, ...]
    maxs: tuple[np.ndarray, ...]
    sumsq: tuple[np.ndarray, ...]
    counts: tuple[np.ndarray, ...]
    duration_ms: int
    base_ms: float = BASE_MS

    @classmethod
    def from_base(
        cls,
        mins: np.ndarray,
        maxs: np.ndarray,
        sumsq: np.ndarray,
        counts: np.ndarray,
        duration_ms: int,
    ) -> WavePyramid:
        levels = [
            (
                np.asarray(mins, np.float32),
                np.asarray(maxs, np.float32),
                np.asarray(sumsq, np.float64),
                np.asarray(counts, np.int64),
            )
        ]
        while len(levels[-1][0]) > 1:
            lo, hi, sq, n = levels[-1]
            starts = np.arange(0, len(lo), 2)
            levels.append(
                (
                    np.minimum.reduceat(lo, starts),
                    np.maximum.reduceat(hi, starts),
                    np.add.reduceat(sq, starts),
                    np.add.reduceat(n, starts),
                )
            )
        return cls(
            tuple(level[0] for level in levels),
            tuple(level[1] for level in levels),
            tuple(level[2] for level in levels),
            tuple(level[3] for level in levels),
            duration_ms,
        )

    # compatibility with ``media.waveform.Envelope`` (the audio-only picture's widget)
    @functools.cached_property
    def peaks(self) -> np.ndarray:
        peaks: np.ndarray = np.maximum(np.abs(self.mins[0]), np.abs(self.maxs[0]))
        return peaks

    @property
    def bucket_ms(self) -> float:
        return self.base_ms

    def peak_at(self, ms: float) -> float:
        """The peak absolute amplitude of the base bucket at ``ms`` (as ``Envelope.peak_at``)."""
        peaks = self.peaks
        i = min(len(peaks) - 1, max(0, int(ms / self.base_ms)))
        return float(peaks[i]) if len(peaks) else 0.0

    def level_for(self, ms_per_px: float) -> int:
        """The coarsest level whose bucket is at most a quarter of a ``ms_per_px`` column."""
        level = 0
        while level + 1 < len(self.mins) and self.base_ms * 2 ** (level + 1) <= ms_per_px / 4:
            level += 1
        return level

    def columns(
        self, t0: float, ms_per_px: float, n: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(lo, hi, rms)`` of ``n`` pixel columns from ``t0`` ms, each ``ms_per_px`` wide:
        column ``i``'s span ``[t0 + i * ms_per_px, t0 + (i + 1) * ms_per_px)`` widened to the
        buckets of level :meth:`level_for` it touches; NaN where there is no audio."""
        level = self.level_for(ms_per_px)
        bucket = self.base_ms * 2**level
        spans = column_spans(len(self.mins[level]), bucket, t0, ms_per_px, n)
        lo = _reduce(np.minimum, self.mins[level], spans)
        hi = _reduce(np.maximum, self.maxs[level], spans)
        sq = _reduce(np.add, self.sumsq[level], spans, np.float64)
        count = _reduce(np.add, self.counts[level], spans, np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            rms = np.sqrt(sq / count)
        return lo, hi, rms.astype(np.float32)


def column_spans(size: int, bucket_ms: float, t0: float, ms_per_px: float, n: int) -> np.ndarray:
    """``(n, 2)`` index ranges ``[first, end)`` of the buckets each column touches (``first ==
    end`` for a column past the audio)."""
    edges = (t0 + np.arange(n + 1) * ms_per_px) / bucket_ms
    first = np.clip(np.floor(edges[:-1]).astype(np.int64), 0, size)
    end = np.clip(np.ceil(edges[1:]).astype(np.int64), 0, size)
    end = np.where(first < size, np.maximum(end, first + 1), first)
    return np.column_stack((first, np.minimum(end, size)))


def _reduce(
    op: np.ufunc, values: np.ndarray, spans: np.ndarray, dtype: type = np.float32
) -> np.ndarray:
    """``op`` over each span of ``values`` along its first axis, as ``dtype`` (NaN for an empty
    span); only the part of ``values`` the spans cover is read."""
    out = np.full((len(spans), *values.shape[1:]), np.nan, dtype)
    inside = spans[:, 1] > spans[:, 0]
    if not inside.any() or not len(values):
        return out
    used = spans[inside]
    start, stop = int(used[:, 0].min()), int(used[:, 1].max())
    window: np.ndarray = values[start:stop].astype(dtype)
    padded = np.concatenate([window, window[-1:]], axis=0)  # every end index is valid
    out[inside] = op.reduceat(padded, (used - start).ravel(), axis=0)[::2]
    return out


# -- the spectrogram --------------------------------------------------------------------------
@dataclass(frozen=True)
class Spectrogram:
    """``levels[k]``: ``(frames, BANDS)`` uint8 log magnitudes, one frame per
    ``BASE_MS * SPECTRO_POOL**k`` ms (level ``k + 1`` the mean power of four frames of level
    ``k``);
    band ``j`` covers ``[j, j + 1) * band_hz`` Hz; byte ``q`` is ``DB_FLOOR * (1 - q / 255)`` dB."""

    levels: tuple[np.ndarray, ...]
    duration_ms: int
    band_hz: float = ANALYSIS_RATE / FFT_SIZE * (FFT_SIZE // 2 // BANDS)
    base_ms: float = BASE_MS

    @classmethod
    def from_base(cls, frames: np.ndarray, duration_ms: int) -> Spectrogram:
        levels = [np.asarray(frames, np.uint8)]
        while len(levels[-1]) > SPECTRO_POOL:
            prev = levels[-1]
            whole = len(prev) // SPECTRO_POOL * SPECTRO_POOL
            power = _POWER[prev]  # pooled as power, so a pause does not hide the speech by it
            total = power[0:whole:SPECTRO_POOL].copy()
            for k in range(1, SPECTRO_POOL):  # contiguous row blocks: faster than sum(axis=1)
                total += power[k:whole:SPECTRO_POOL]
            pooled = [total / SPECTRO_POOL]
            if whole < len(prev):  # the last, shorter group
                pooled.append(power[whole:].mean(axis=0, keepdims=True))
            levels.append(_to_byte(np.concatenate(pooled)))
        return cls(tuple(levels), duration_ms)

    @property
    def bands(self) -> int:
        return int(self.levels[0].shape[1]) if self.levels[0].ndim == 2 else BANDS

    def level_for(self, ms_per_px: float) -> int:
        """The coarsest level whose frame is at most one ``ms_per_px`` column."""
        level = 0
        while (
            level + 1 < len(self.levels) and self.base_ms * SPECTRO_POOL ** (level + 1) <= ms_per_px
        ):
            level += 1
        return level

    def columns(self, t0: float, ms_per_px: float, n: int) -> np.ndarray:
        """``(n, bands)`` mean byte level of the frames each column touches (as
        :meth:`WavePyramid.columns`); NaN past the audio."""
        level = self.level_for(ms_per_px)
        frames = self.levels[level]
        spans = column_spans(len(frames), self.base_ms * SPECTRO_POOL**level, t0, ms_per_px, n)
        out = np.full((n, frames.shape[1]), np.nan, np.float32)
        inside = spans[:, 1] > spans[:, 0]
        if inside.any():
            used = spans[inside]
            start, stop = int(used[:, 0].min()), int(used[:, 1].max())
            totals = np.zeros((stop - start + 1, frames.shape[1]), np.int32)  # < 2**31 / 255
            np.cumsum(frames[start:stop], axis=0, dtype=np.int32, out=totals[1:])
            sums = totals[used[:, 1] - start] - totals[used[:, 0] - start]
            out[inside] = sums / (used[:, 1] - used[:, 0])[:, np.newaxis]
        return out

    def db(self, byte: float) -> float:
        return DB_FLOOR * (1 - byte / 255)


#: The power (re a full-scale sine) of each byte level, and back.
_POWER = (10 ** (DB_FLOOR * (1 - np.arange(256) / 255) / 10)).astype(np.float32)


def _to_byte(power: np.ndarray) -> np.ndarray:
    db = 10 * np.log10(np.maximum(power, 1e-30))
    byte: np.ndarray = np.clip(np.round((db - DB_FLOOR) / -DB_FLOOR * 255), 0, 255).astype(np.uint8)
    return byte


def stft_db(samples: np.ndarray, rate: int = ANALYSIS_RATE) -> np.ndarray:
    """Log-magnitude spectra (dB re a full-scale sine) of ``samples`` (float, -1..1): one
    ``WINDOW_MS`` Hann-windowed frame per ``BASE_MS`` hop, frame ``i`` centred on
    ``(i + 0.5) * hop`` samples (zero-padded at both ends), ``FFT_SIZE // 2 + 1`` bins from 0 to
    ``rate / 2`` (the short-time Fourier transform; Allen & Rabiner 1977, Proc. IEEE 65:1558)."""
    hop, win = _hop_win(rate)
    frames = math.ceil(len(samples) / hop)
    left = win // 2 - hop // 2
    padded = np.concatenate(
        [np.zeros(left, np.float32), np.asarray(samples, np.float32), np.zeros(win, np.float32)]
    )
    return _spectra(padded, frames, rate)


def _hop_win(rate: int) -> tuple[int, int]:
    return round(rate * BASE_MS / 1000), round(rate * WINDOW_MS / 1000)


def _spectra(padded: np.ndarray, frames: int, rate: int) -> np.ndarray:
    hop, win = _hop_win(rate)
    if frames <= 0:
        return np.zeros((0, FFT_SIZE // 2 + 1), np.float32)
    view = np.lib.stride_tricks.sliding_window_view(padded[: (frames - 1) * hop + win], win)
    window = np.hanning(win + 2)[1:-1].astype(np.float32)  # no zero end points
    magnitude = np.abs(np.fft.rfft(view[::hop][:frames] * window, FFT_SIZE, axis=1))
    reference = window.sum() / 2  # a full-scale sine's peak
    spectra: np.ndarray = (20 * np.log10(magnitude / reference + 1e-12)).astype(np.float32)
    return spectra


def to_bands(spectra_db: np.ndarray) -> np.ndarray:
    """``FFT_SIZE // 2 + 1`` bins (0 to 8 kHz at 16 kHz) to ``BANDS`` bytes: the loudest of
    each band's bins, ``DB_FLOOR``..0 dB mapped to 0..255."""
    per = (spectra_db.shape[1] - 1) // BANDS
    pooled = spectra_db[:, : per * BANDS].reshape(len(spectra_db), BANDS, per).max(axis=2)
    scaled = (pooled - DB_FLOOR) / -DB_FLOOR * 255
    bands: np.ndarray = np.clip(np.round(scaled), 0, 255).astype(np.uint8)
    return bands


# -- one pass over the decoded audio ------------------------------------------------------------
@dataclass(frozen=True)
class AudioViews:
    """A recording's waveform pyramid and spectrogram."""

    wave: WavePyramid
    spectrogram: Spectrogram

    @property
    def duration_ms(self) -> int:
        return self.wave.duration_ms


class _Builder:
    """Consumes PCM in chunks: envelope buckets and spectrogram frames at the same 10 ms."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self.hop, self.win = _hop_win(rate)
        self._wave_rest = np.zeros(0, np.float32)
        self._stft_buf = np.zeros(self.win // 2 - self.hop // 2, np.float32)
        self._stft_done = 0
        self._parts: dict[str, list[np.ndarray]] = {k: [] for k in ("lo", "hi", "sq", "n", "sp")}
        self.samples = 0

    def feed(self, x: np.ndarray) -> None:
        self.samples += len(x)
        self._feed_wave(x)
        self._stft_buf = np.concatenate([self._stft_buf, x])
        ready = (len(self._stft_buf) - self.win) // self.hop + 1
        if ready > 0:
            self._emit_frames(ready)

    def _feed_wave(self, x: np.ndarray, final: bool = False) -> None:
        data = np.concatenate([self._wave_rest, x])
        whole = len(data) // self.hop * self.hop
        if whole:
            block = data[:whole].reshape(-1, self.hop)
            self._add_buckets(
                block.min(axis=1), block.max(axis=1), (block**2).sum(axis=1), self.hop
            )
        self._wave_rest = data[whole:]
        if final and len(self._wave_rest):
            rest = self._wave_rest
            self._add_buckets(
                rest.min(keepdims=True),
                rest.max(keepdims=True),
                np.array([(rest**2).sum()]),
                len(rest),
            )
            self._wave_rest = np.zeros(0, np.float32)

    def _add_buckets(self, lo: np.ndarray, hi: np.ndarray, sq: np.ndarray, size: int) -> None:
        self._parts["lo"].append(lo.astype(np.float32))
        self._parts["hi"].append(hi.astype(np.float32))
        self._parts["sq"].append(sq.astype(np.float64))
        self._parts["n"].append(np.full(len(lo), size, np.int64))

    def _emit_frames(self, count: int) -> None:
        self._parts["sp"].append(to_bands(_spectra(self._stft_buf, count, self.rate)))
        self._stft_done += count
        self._stft_buf = self._stft_buf[count * self.hop :]

    def finish(self) -> AudioViews:
        self._feed_wave(np.zeros(0, np.float32), final=True)
        total = math.ceil(self.samples / self.hop)
        self._stft_buf = np.concatenate([self._stft_buf, np.zeros(self.win, np.float32)])
        if total > self._stft_done:
            self._emit_frames(total - self._stft_done)
        duration = round(self.samples * 1000 / self.rate)
        joined = {k: np.concatenate(v) if v else np.zeros(0) for k, v in self._parts.items()}
        spectro = joined["sp"].reshape(-1, BANDS).astype(np.uint8)
        wave_ = WavePyramid.from_base(
            joined["lo"], joined["hi"], joined["sq"], joined["n"], duration
        )
        return AudioViews(wave_, Spectrogram.from_base(spectro, duration))


def analyse_wav(
    wav: Path,
    progress: Callable[[float], None] | None = None,
    cancel: Cancel | None = None,
) -> AudioViews:
    """The :class:`AudioViews` of a 16-bit PCM WAV file (channels averaged)."""
    with wave.open(str(wav), "rb") as w:
        rate, n, channels = w.getframerate(), w.getnframes(), w.getnchannels()
        if n == 0 or w.getsampwidth() != 2:
            raise MediaError(f"{wav}: has no audio track libvlc can decode")
        builder = _Builder(rate)
        chunk = builder.hop * _CHUNK_FRAMES
        while True:
            if cancel is not None and cancel.is_set():
                from observer_app.media.waveform import Cancelled

                raise Cancelled
            raw = w.readframes(chunk)
            if not raw:
                break
            x = np.frombuffer(raw, "<i2").astype(np.float32) / 32768.0
            if channels > 1:
                x = x.reshape(-1, channels).mean(axis=1)
            builder.feed(x)
            if progress is not None:
                progress(min(1.0, builder.samples / n))
    return builder.finish()


# -- the cache ---------------------------------------------------------------------------------
def cache_path(cache_dir: Path, source_fingerprint: str) -> Path:
    name = hashlib.sha256(f"audio{FORMAT_VERSION}:{source_fingerprint}".encode()).hexdigest()
    return cache_dir / f"{name[:32]}.audio.npz"


def save_views(views: AudioViews, path: Path) -> None:
    """Write ``views`` to ``path`` (the waveform's base level, every level of the spectrogram:
    pooling them again costs more than reading them; a temporary name renamed when complete)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    wave_ = views.wave
    with partial.open("wb") as fh:
        np.savez(
            fh,
            mins=wave_.mins[0],
            maxs=wave_.maxs[0],
            sumsq=wave_.sumsq[0],
            counts=wave_.counts[0],
            meta=np.array([FORMAT_VERSION, views.duration_ms], np.int64),
            **{f"spectrogram{k}": level for k, level in enumerate(views.spectrogram.levels)},
        )
    os.replace(partial, path)


def load_views(path: Path) -> AudioViews | None:
    """The views cached at ``path``, or None (missing, unreadable or of another version)."""
    try:
        with np.load(path, allow_pickle=False) as data:
            version, duration = (int(v) for v in data["meta"])
            if version != FORMAT_VERSION:
                return None
            wave_ = WavePyramid.from_base(
                data["mins"], data["maxs"], data["sumsq"], data["counts"], duration
            )
            levels = [data[f"spectrogram{k}"] for k in range(len(data.files) - 5)]
            return AudioViews(wave_, Spectrogram(tuple(levels), duration))
    except (OSError, ValueError, KeyError):
        return None


def compute_audio_views(
    source: str | Path,
    cache_dir: Path | None,
    *,
    progress: Callable[[float], None] | None = None,
    cancel: Cancel | None = None,
) -> AudioViews:
    """The waveform and spectrogram of ``source``: read from ``cache_dir`` when computed
    before, else decoded by libvlc (from the working copy if one is cached), analysed and
    cached. Raises :class:`MediaError` (no audio, undecodable) or ``waveform.Cancelled``."""
    src = check_file(source)
    cached = cache_path(cache_dir, file_fingerprint(src)) if cache_dir is not None else None
    if cached is not None:
        found = load_views(cached)
        if found is not None:
            return found
    copy = find_working_copy(src, cache_dir) if cache_dir is not None else None
    decode_from = copy.path if copy is not None else src

    def decoding(fraction: float) -> None:
        if progress is not None:
            progress(0.8 * fraction)

    def analysing(fraction: float) -> None:
        if progress is not None:
            progress(0.8 + 0.2 * fraction)

    with tempfile.TemporaryDirectory(prefix="observer-audio-") as tmp:
        wav = Path(tmp) / "audio.wav"
        event = cancel if isinstance(cancel, threading.Event) or cancel is None else _Bridge(cancel)
        _transcode(
            decode_from, wav, decoding, event, audio=f"channels=1,samplerate={ANALYSIS_RATE}"
        )
        if not wav.exists() or wav.stat().st_size <= 44:
            raise MediaError(f"{src}: has no audio track libvlc can decode")
        views = analyse_wav(wav, analysing, cancel)
    if cached is not None:
        with contextlib.suppress(OSError):  # read-only: the views still serve this session
            save_views(views, cached)
    return views


class _Bridge(threading.Event):
    """A ``threading.Event`` view of any object with ``is_set`` (the transcoder polls it)."""

    def __init__(self, source: Cancel) -> None:
        super().__init__()
        self._source = source

    def is_set(self) -> bool:
        return self._source.is_set()
