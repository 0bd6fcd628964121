"""Media truth per format (``python -m benchmarks media``, with ``bench_media``).

Reports, with references measured in the same run:

- per audio format, the clock's error against the decoder after seeks to random targets while
  playing: ``position_ms()`` minus the position the decoder is playing (``scripts/audio_tap.py``:
  decoded PCM matched against the known tune; positive = the clock is ahead of the sound), the
  median of the signed error and p50/p95/max of |error| in ms; for the original file (libvlc's
  own seek, our re-anchoring on libvlc's clock) and for the app's PCM WAV working copy; seeks
  after which the original played nothing (libvlc ended) are counted separately;
- the time to make a working copy per hour of audio (a 10-minute Ogg Vorbis file; FFmpeg through
  PyAV, against libvlc's transcoder in the same run) and to make an
  all-intra H.264 proxy per hour of 1080p video (libvlc's x264), both single-threaded wall time
  on this machine;
- exact-seek latency on 1080p H.264 (paused seeks to random times, until the target frame is
  shown), p50/p95 and share showing exactly the target frame, on the camera-like original (GOP
  2 s, B-frames) and on the all-intra proxy.

Options: ``--quick`` (fewer seeks), ``--media-dir DIR`` (cache of generated files).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import subprocess
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


class _Qt:
    def __init__(self) -> None:
        from PySide6.QtGui import QGuiApplication

        self.app = QGuiApplication.instance() or QGuiApplication(["bench"])

    def wait(self, ms: float) -> None:
        end = time.monotonic() + ms / 1000
        while time.monotonic() < end:
            self.app.processEvents()
            time.sleep(0.001)


def clock_errors(qt: _Qt, path: Path, gen: ModuleType, seeks: int) -> tuple[list[float], int]:
    """Signed position - decoded position after ``seeks`` random seeks while playing; and how
    many seeks left the decoder playing nothing recognisable."""
    from observer_app.media import VlcPlayer, _libvlc, probe

    tap_module = _load("audio_tap")
    player = VlcPlayer(audio=False)
    player._ensure_player()
    tap = tap_module.AudioTap(gen.position_signal())
    tap.attach(_libvlc.vlc_module(), player._player)
    duration = probe(path).duration_ms
    player.load(path)
    qt.wait(300)
    player.play()
    qt.wait(400)
    rng = random.Random(path.name)
    errors: list[float] = []
    silent = 0
    for _ in range(seeks):
        player.seek(rng.randrange(500, max(600, duration - 2500)))
        if player.state().value != "playing":
            player.play()
        qt.wait(350)
        heard = None
        for _ in range(20):
            pos = player.position_ms()  # first: heard_ms() answers for the instant it is called
            heard = tap.heard_ms()
            if heard is not None:
                break
            qt.wait(25)
        if heard is None:
            silent += 1
            continue
        errors.append(pos - heard)
    player.close()
    return errors, silent


def seek_latency(qt: _Qt, path: Path, gen: ModuleType, n: int) -> tuple[list[float], float]:
    from observer_app.media import VlcPlayer

    player = VlcPlayer(audio=False)
    info = player.load(path)
    while player.seeking():
        qt.wait(2)
    rng = random.Random(3)
    latencies: list[float] = []
    exact = 0
    for _ in range(n):
        target = rng.randrange(0, info.duration_ms - 2000)
        t0 = time.perf_counter()
        player.seek(target)
        while player.seeking():
            qt.wait(1)
        latencies.append((time.perf_counter() - t0) * 1000)
        image = player.current_frame()
        if image is not None:
            view = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), -1)
            exact += gen.decode_index(view[:, 1 : image.width() * 4 : 4]) == target // 40
        qt.wait(30)
    player.close()
    return latencies, exact / max(1, n)


def _summary(signed: list[float], width: int) -> str:
    """Signed median, then p50/p95/max of |error| (ms)."""
    size = [abs(e) for e in signed]
    top = max(size, default=float("nan"))
    return (
        f"{_pct(signed, 50):>{width}.0f} {_pct(size, 50):>5.0f} {_pct(size, 95):>5.0f} {top:>5.0f}"
    )


def _timed(fn: Any) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks media")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--media-dir", type=Path, default=Path(tempfile.gettempdir()) / "observer-app-bench-media"
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("OBSERVER_APP_AUDIO", "dummy")
    from observer_app.media.working_copy import make_intra_proxy, make_working_copy

    gen = _load("make_test_media")
    files = gen.make_all(args.media_dir)
    qt = _Qt()
    seeks = 4 if args.quick else 10
    copies = Path(tempfile.mkdtemp(prefix="observer-bench-copies-"))
    print(f"clock - decoder after {seeks} seeks while playing, ms (signed median; |error|):")
    print(f"{'format':<13} {'original med':>12} {'p50':>5} {'p95':>5} {'max':>5} {'silent':>6}"
          f"   {'copy med':>8} {'p50':>5} {'p95':>5} {'max':>5}")  # fmt: skip
    for name in gen.AUDIO_FORMATS:
        original = files[f"pos_{name}"]
        orig, silent = clock_errors(qt, original, gen, seeks)
        copy = make_working_copy(original, copies).path if name != "wav" else original
        ours, _ = clock_errors(qt, copy, gen, seeks)
        print(f"{name:<13} {_summary(orig, 12)} {silent:>6d}   {_summary(ours, 8)}")
    long_ogg = args.media_dir / "ten_minutes.ogg"
    if not long_ogg.exists():
        gen.make_position_audio(long_ogg, gen.AUDIO_FORMATS["ogg_vorbis"][1], seconds=600.0)
    audio_s = _timed(lambda: make_working_copy(long_ogg, copies))
    print(f"working copy of audio: {audio_s:.1f} s for 10 min of Ogg -> {audio_s * 6:.0f} s/hour")
    from observer_app.media.waveform import _transcode

    vlc_s = _timed(lambda: _transcode(long_ogg, copies / "by_libvlc.wav", None, None, audio=""))
    print(
        f"  (libvlc's transcoder, the copies' decoder before: {vlc_s:.1f} s; "
        f"PyAV / libvlc time {audio_s / max(1e-9, vlc_s):.2f})"
    )
    hd = args.media_dir / "index25_1080p.mp4"
    if not hd.exists():
        gen.make_index_video_1080p(hd)
    proxy = copies / "proxy_intra.mp4"
    video_s = _timed(lambda: make_intra_proxy(hd, proxy))
    seconds = 30.0
    print(
        f"all-intra proxy of 1080p: {video_s:.1f} s for {seconds:.0f} s of video -> "
        f"{video_s * 3600 / seconds / 60:.0f} min/hour ({proxy.stat().st_size / 1e6:.0f} MB "
        f"for {seconds:.0f} s; original {hd.stat().st_size / 1e6:.0f} MB)"
    )
    n = 8 if args.quick else 20
    print("exact seek (paused) to the target frame shown, 1080p H.264, ms:")
    results = {}
    for label, path in (("original GOP 2 s", hd), ("all-intra proxy", proxy)):
        lat, exact = seek_latency(qt, path, gen, n)
        results[label] = lat
        p50, p95 = _pct(lat, 50), _pct(lat, 95)
        print(f"  {label:<17} p50 {p50:5.0f}  p95 {p95:5.0f}  exact {exact:.0%}")
    ratio = _pct(results["all-intra proxy"], 50) / max(1e-9, _pct(results["original GOP 2 s"], 50))
    print(f"median proxy / original seek latency: {ratio:.2f}")
    subprocess.run(["rm", "-rf", str(copies)], check=False)
