"""The timeline's sound: computing a session's waveform and spectrogram, reading them back,
drawing them.

    .venv/bin/python -m benchmarks audio_views [--quick]

A 50-minute (``--quick``: 10-minute) speech-like recording (syllable bursts with pauses, Ogg
Vorbis at 16 kHz made by ffmpeg) is analysed by ``media.audio_views.compute_audio_views``:
libvlc decodes it, one pass builds the waveform pyramid and the spectrogram. Reported:

* the first computation (decode + analysis), and the analysis alone, per hour of audio;
* reading the cached result back (what reopening costs): p50/p95; reference: one read of the
  original's fingerprint (the cache key);
* the timeline's repaint with the band, the whole session in view and zoomed to 10 s, waveform
  and spectrogram; reference: the same repaint without a band. Goal <= 16 ms.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("OBSERVER_APP_AUDIO", "dummy")

RATE = 16_000


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def line(name: str, values_ms: list[float], goal: float | None = None) -> str:
    p50, p95 = pct(values_ms, 0.5), pct(values_ms, 0.95)
    text = f"{name:<50} p50 {p50:8.2f} ms  p95 {p95:8.2f} ms"
    if goal is not None:
        text += f"  (goal p95 <= {goal:g} ms: {'met' if p95 <= goal else 'NOT met'})"
    return text


def speechlike(seconds: float, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = round(seconds * RATE)
    out = np.zeros(n, np.float32)
    t = 0
    while t < n:
        end = min(n, t + int(rng.uniform(0.08, 0.3) * RATE))
        buzz = np.sin(2 * np.pi * rng.uniform(100, 250) * np.arange(end - t) / RATE)
        noise = rng.uniform(-1, 1, end - t)
        out[t:end] = rng.uniform(0.05, 0.8) * (0.6 * buzz + 0.4 * noise) * np.hanning(end - t)
        t = end + int(rng.uniform(0.05, 0.5) * RATE)
    return out


def make_recording(folder: Path, seconds: float) -> Path:
    out = folder / f"session_{int(seconds)}s.ogg"
    cmd = ["ffmpeg", "-v", "error", "-y", "-f", "f32le", "-ar", str(RATE), "-ac", "1", "-i", "-"]
    samples = speechlike(seconds)
    subprocess.run(
        [*cmd, "-c:a", "libvorbis", "-q:a", "3", str(out)], input=samples.tobytes(), check=True
    )
    return out


def measure_computation(source: Path, cache: Path, seconds: float) -> object:
    from observer_app.media import audio_views
    from observer_app.media.working_copy import file_fingerprint

    hours = seconds / 3600
    t0 = time.perf_counter()
    views = audio_views.compute_audio_views(source, cache)
    first = time.perf_counter() - t0
    wav = source.with_name("decoded.wav")
    audio_views._transcode(source, wav, None, None, audio=f"channels=1,samplerate={RATE}")
    t0 = time.perf_counter()
    audio_views.analyse_wav(wav)
    analysis = time.perf_counter() - t0
    size = source.stat().st_size / 1e6
    print(f"recording: {seconds / 60:.0f} min Ogg Vorbis, {size:.1f} MB")
    print(f"first computation (decode + analysis): {first:6.1f} s, {first / hours:6.1f} s/hour")
    print(
        f"analysis alone (one pass over PCM):    {analysis:6.1f} s, {analysis / hours:6.1f} s/hour"
    )
    spec = sum(level.nbytes for level in views.spectrogram.levels) / 1e6
    w = views.wave
    wave_mb = sum(a.nbytes for a in (*w.mins, *w.maxs, *w.sumsq, *w.counts)) / 1e6
    cached = audio_views.cache_path(cache, file_fingerprint(source)).stat().st_size / 1e6
    print(f"in memory: waveform {wave_mb:.1f} MB, spectrogram {spec:.1f} MB; cache {cached:.1f} MB")
    reads, keys = [], []
    for _ in range(15):
        t0 = time.perf_counter()
        audio_views.compute_audio_views(source, cache)
        reads.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        file_fingerprint(source)
        keys.append((time.perf_counter() - t0) * 1000)
    print(line("reopen: read back from the cache", reads))
    print(line("  reference: the fingerprint alone", keys))
    return views


def measure_repaint(views: object, seconds: float) -> None:
    from PySide6.QtWidgets import QApplication

    from observer_app.ui.timeline import TimelineCanvas

    app = QApplication.instance() or QApplication([])
    canvas = TimelineCanvas()
    canvas.resize(1100, 200)
    canvas.set_duration(int(seconds * 1000))
    canvas.show()
    app.processEvents()

    def repaint_ms(start: int, span: int, repeat: int = 30) -> list[float]:
        out = []
        for k in range(repeat):
            canvas.view_start, canvas.view_ms = start + (k % 2) * (span // 50), span
            canvas._changed()
            t0 = time.perf_counter()
            canvas.repaint()
            out.append((time.perf_counter() - t0) * 1000)
        return out

    whole, zoom = (0, int(seconds * 1000)), (int(seconds * 500), 10_000)
    for name, span in (("whole session", whole), ("zoomed to 10 s", zoom)):
        canvas.set_envelope(None)
        canvas.set_spectrogram(None)
        bare = repaint_ms(*span)
        canvas.set_envelope(views.wave)  # type: ignore[attr-defined]
        canvas.set_spectrogram(views.spectrogram)  # type: ignore[attr-defined]
        canvas.set_audio_view("waveform")
        wave_ms = repaint_ms(*span)
        canvas.set_audio_view("spectrogram")
        spec_ms = repaint_ms(*span)
        print(line(f"repaint, {name}: waveform", wave_ms, 16))
        print(line(f"repaint, {name}: spectrogram", spec_ms, 16))
        print(line("  reference: no band", bare))
        base = pct(bare, 0.5)
        print(
            f"  p50 ratios: waveform/bare {pct(wave_ms, 0.5) / base:.2f}, "
            f"spectrogram/bare {pct(spec_ms, 0.5) / base:.2f}"
        )
    canvas.close()


def main(argv: list[str]) -> None:
    if shutil.which("ffmpeg") is None:
        print("ffmpeg is needed to make the recording")
        return
    seconds = 600.0 if "--quick" in argv else 3000.0
    with tempfile.TemporaryDirectory(prefix="bench-audio-") as tmp:
        source = make_recording(Path(tmp), seconds)
        views = measure_computation(source, Path(tmp) / "study.db.media", seconds)
        measure_repaint(views, seconds)
