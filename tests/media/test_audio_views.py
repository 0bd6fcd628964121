"""The timeline's audio views: the min/max pyramid against the samples themselves, the STFT
against generated tones, and the real libvlc decode with its cache beside the study."""

from __future__ import annotations

import math
import wave
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from observer_app.media.audio_views import (
    ANALYSIS_RATE,
    BASE_MS,
    AudioViews,
    WavePyramid,
    _Builder,
    cache_path,
    compute_audio_views,
    stft_db,
    to_bands,
)
from observer_app.media.working_copy import file_fingerprint

RATE = ANALYSIS_RATE


def speechlike(seconds: float, seed: int = 3) -> np.ndarray:
    """Bursts of noise (syllables, 80-300 ms) with pauses between, at varying loudness."""
    rng = np.random.default_rng(seed)
    n = round(seconds * RATE)
    out = np.zeros(n, np.float32)
    t = 0
    while t < n:
        burst = int(rng.uniform(0.08, 0.3) * RATE)
        gap = int(rng.uniform(0.05, 0.4) * RATE)
        amp = rng.uniform(0.05, 0.9)
        end = min(n, t + burst)
        out[t:end] = amp * rng.uniform(-1, 1, end - t) * np.hanning(end - t)
        t = end + gap
    return out


def build(samples: np.ndarray) -> AudioViews:
    builder = _Builder(RATE)
    for start in range(0, len(samples), 7_777):  # odd chunks: carries across every boundary
        builder.feed(samples[start : start + 7_777])
    return builder.finish()


def oracle(samples: np.ndarray, pyramid: WavePyramid, t0: float, mpp: float, n: int) -> tuple:
    """Each column's min and max straight from the samples of its span, widened to the
    buckets of the level the pyramid reads at this zoom."""
    bucket_ms = BASE_MS * 2 ** pyramid.level_for(mpp)
    per = round(bucket_ms * RATE / 1000)
    lo = np.full(n, np.nan)
    hi = np.full(n, np.nan)
    for i in range(n):
        first = math.floor((t0 + i * mpp) / bucket_ms)
        end = max(first + 1, math.ceil((t0 + (i + 1) * mpp) / bucket_ms))
        chunk = samples[first * per : end * per]
        if chunk.size:
            lo[i], hi[i] = chunk.min(), chunk.max()
    return lo, hi


@pytest.mark.parametrize(
    ("t0", "view_ms"),
    [(0, 60_000), (12_345, 10_000), (30_000, 900)],  # whole minute, 10 s, under a second
)
def test_each_column_is_the_min_and_max_of_its_own_span(t0: int, view_ms: int) -> None:
    samples = speechlike(60.0)
    views = build(samples)
    n = 700
    mpp = view_ms / n
    lo, hi, rms = views.wave.columns(t0, mpp, n)
    want_lo, want_hi = oracle(samples, views.wave, t0, mpp, n)
    np.testing.assert_allclose(lo, want_lo, atol=1e-6)
    np.testing.assert_allclose(hi, want_hi, atol=1e-6)
    assert np.all(rms[~np.isnan(rms)] <= np.maximum(-lo, hi)[~np.isnan(rms)] + 1e-6)


def test_zoomed_in_the_pauses_show_and_zoomed_out_they_merge() -> None:
    """Ten seconds of a long session show silent columns between the syllables; the whole
    session at the same width shows (almost) none: the band follows the zoom."""
    samples = speechlike(600.0)
    views = build(samples)
    n = 1000
    lo, hi, _ = views.wave.columns(100_000, 10_000 / n, n)
    quiet = np.mean(np.maximum(-lo, hi) < 0.01)
    lo_all, hi_all, _ = views.wave.columns(0, 600_000 / n, n)
    quiet_all = np.mean(np.maximum(-lo_all, hi_all) < 0.01)
    assert quiet > 0.2 and quiet_all < 0.02
    assert views.wave.level_for(600_000 / n) > views.wave.level_for(10_000 / n)


def test_columns_past_the_end_are_empty() -> None:
    views = build(speechlike(2.0))
    lo, _hi, _ = views.wave.columns(1_000, 10.0, 300)  # 1 s to 4 s; audio ends at 2 s
    assert not np.isnan(lo[:99]).any() and np.isnan(lo[101:]).all()
    assert views.duration_ms == 2_000


@pytest.mark.parametrize("freq", [250.0, 440.0, 1_000.0, 3_150.0, 6_800.0])
def test_stft_peak_is_at_the_tone(freq: float) -> None:
    t = np.arange(RATE) / RATE
    spectra = stft_db(0.5 * np.sin(2 * np.pi * freq * t), RATE)
    assert spectra.shape == (100, 257)
    middle = spectra[10:90]
    bins = middle.argmax(axis=1)
    assert np.all(np.abs(bins * RATE / 512 - freq) <= RATE / 512)
    # a 0.5 full-scale sine reads about -6 dB at its peak (Hann scalloping <= 1.5 dB)
    assert np.all(np.abs(middle.max(axis=1) - 20 * np.log10(0.5)) <= 1.6)
    bands = to_bands(middle)
    band_hz = RATE / 512 * 2
    assert np.all(np.abs(bands.argmax(axis=1) * band_hz + band_hz / 2 - freq) <= band_hz)


def test_builder_spectrogram_equals_the_whole_signal_stft() -> None:
    """The chunked pass gives the frames the one-shot transform gives."""
    samples = speechlike(5.0)
    views = build(samples)
    whole = to_bands(stft_db(samples, RATE))
    assert views.spectrogram.levels[0].shape == whole.shape == (500, 128)
    assert np.abs(views.spectrogram.levels[0].astype(int) - whole.astype(int)).max() <= 1


def test_spectrogram_columns_follow_the_zoom() -> None:
    """A 1 kHz tone for the first half, 3 kHz for the second: zoomed in to either half every
    column's loudest band is that tone's; the coarse levels are means of the fine ones."""
    t = np.arange(20 * RATE) / RATE
    samples = np.where(t < 10, np.sin(2 * np.pi * 1000 * t), np.sin(2 * np.pi * 3000 * t)) * 0.3
    spec = build(samples.astype(np.float32)).spectrogram
    for t0, freq in ((2_000, 1000), (13_000, 3000)):
        cols = spec.columns(t0, 5_000 / 400, 400)
        assert np.all(np.abs(cols.argmax(axis=1) * spec.band_hz - freq) <= spec.band_hz)
    whole = spec.columns(0, 20_000 / 400, 400)
    assert spec.level_for(20_000 / 400) == 1  # 40 ms frames for 50 ms columns
    assert whole.shape == (400, 128)


def _write_tone(path: Path, freq: float, seconds: float, rate: int = 44_100) -> Path:
    t = np.arange(round(seconds * rate)) / rate
    samples = np.where(t < seconds / 2, 0.6 * np.sin(2 * np.pi * freq * t), 0.0)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(rate)
        stereo = np.repeat((samples * 32767).astype("<i2"), 2)
        w.writeframes(stereo.tobytes())
    return path


@pytest.mark.media
def test_libvlc_decode_of_a_tone_and_the_cache(tmp_path: Path) -> None:
    """A 1.5 kHz tone for 2 s, then 2 s of silence, decoded by libvlc: the spectrogram peaks at
    1.5 kHz, the waveform reaches 0.6 then falls silent; the result is cached by the file's
    fingerprint and read back the same without decoding."""
    source = _write_tone(tmp_path / "tone.wav", 1_500.0, 4.0)
    cache = tmp_path / "study.db.media"
    progress: list[float] = []
    views = compute_audio_views(source, cache, progress=progress.append)
    # libvlc's resampler (44.1 -> 16 kHz) drops up to a few tens of ms at the very end
    assert abs(views.duration_ms - 4_000) <= 60
    spec = views.spectrogram
    cols = spec.columns(200, 10.0, 150)  # 0.2 s to 1.7 s
    assert np.all(np.abs(cols.argmax(axis=1) * spec.band_hz - 1_500) <= spec.band_hz)
    lo, hi, rms = views.wave.columns(0, 4_000 / 400, 400)
    assert hi[20:180].min() == pytest.approx(0.6, abs=0.02)
    assert np.nanmax(np.maximum(-lo[220:390], hi[220:390])) < 0.01
    assert rms[20:180] == pytest.approx(0.6 / math.sqrt(2), abs=0.02)
    cached = cache_path(cache, file_fingerprint(source))
    assert cached.exists() and progress[-1] == pytest.approx(1.0)
    progress.clear()
    again = compute_audio_views(source, cache, progress=progress.append)
    assert progress == []  # read back, not decoded
    np.testing.assert_array_equal(again.wave.maxs[0], views.wave.maxs[0])
    np.testing.assert_array_equal(again.spectrogram.levels[0], spec.levels[0])
    assert again.duration_ms == views.duration_ms


@pytest.mark.media
def test_cancelling_the_working_copy_task_reports_cancelled_not_a_failure(
    qtbot: Any, media_files: dict[str, Path], tmp_path: Path
) -> None:
    """The coding window's progress dialog Cancel: the task says ``cancelled`` (the banner
    explains what that means), never ``failed`` with an "unexpected error"."""
    from PySide6.QtWidgets import QWidget

    from observer_app.ui.media_prep import WorkingCopyTask

    parent = QWidget()
    qtbot.addWidget(parent)
    task = WorkingCopyTask(media_files["pos_ogg_vorbis"], tmp_path, parent)
    failures: list[str] = []
    task.failed.connect(failures.append)
    task.cancel()
    with qtbot.waitSignal(task.cancelled, timeout=20_000):
        task.start()
    assert failures == []
    assert not list(tmp_path.glob("*.wav"))


def test_coarse_spectrogram_levels_average_power_so_pauses_do_not_hide_speech() -> None:
    """Four 10 ms frames, one at 0 dB and three silent, pool to their mean power: -6 dB
    (10 log10 1/4), not the mean of the dB levels (-67.5 dB). Zoomed out over a whole
    speech-like recording, every column still shows its syllables."""
    from observer_app.media.audio_views import DB_FLOOR, Spectrogram

    frames = np.zeros((8, 128), np.uint8)
    frames[0, 10] = 255
    spec = Spectrogram.from_base(frames, 80)
    assert spec.db(spec.levels[1][0, 10]) == pytest.approx(10 * np.log10(0.25), abs=0.4)
    assert spec.db(spec.levels[1][1, 10]) == pytest.approx(DB_FLOOR, abs=0.4)
    t = np.arange(600 * RATE) / RATE
    bursts = np.where(t % 0.5 < 0.2, 0.5, 0.0)  # 200 ms syllables, 300 ms pauses
    noise = np.random.default_rng(4).uniform(-1, 1, t.size)
    whole = build((bursts * noise).astype(np.float32)).spectrogram
    cols = whole.columns(0, 600_000 / 900, 900)
    assert whole.level_for(600_000 / 900) >= 2
    loudest = np.array([whole.db(v) for v in cols.max(axis=1)])
    fine = whole.columns(0, 10.0, 6_000)  # the first minute, one 10 ms frame a column
    syllables = np.array([whole.db(v) for v in fine.max(axis=1)])
    speaking = np.median(syllables[syllables > -70])
    # within a few dB of a syllable's level (the mean of dB would sit tens of dB below)
    assert loudest.min() > speaking - 12, (loudest.min(), speaking)
