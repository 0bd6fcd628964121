"""Media engine benchmark on a generated 1080p H.264 recording (``python -m benchmarks media``).

Reports, with references measured in the same run:

- timestamp error per rate (0.5x, 1x, 2x): ``position_ms()``'s frame minus the frame on screen
  (decoded from the pixels), p50/p95/max in frames; reference: libvlc's raw ``get_time()`` read
  at the same moments;
- seek-to-frame-shown latency (paused seeks to random times, and seeks while playing), p50/p95,
  with the share that showed exactly the frame at the target; reference: libvlc's own
  ``set_time()`` while playing until the next picture is displayed (not frame-exact);
- CPU share of this process during 1x playback; reference: libvlc playing the same file into
  video callbacks that copy nothing.

Options: ``--quick`` (fewer samples), ``--media-dir DIR`` (where the 1080p file is cached).
"""

from __future__ import annotations

import argparse
import ctypes
import importlib.util
import os
import random
import statistics
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

FRAME_MS = 40.0
SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "make_test_media.py"


def _gen() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_test_media", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def _frame_of(image: Any, gen: ModuleType) -> int | None:
    if image is None or image.isNull():
        return None
    view = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), -1)
    result: int | None = gen.decode_index(view[:, 1 : image.width() * 4 : 4])
    return result


class _Bench:
    def __init__(self, path: Path, gen: ModuleType, quick: bool) -> None:
        from PySide6.QtGui import QGuiApplication

        from observer_app.media import VlcPlayer

        self.app = QGuiApplication.instance() or QGuiApplication(["bench"])
        self.path, self.gen, self.quick = path, gen, quick
        self.player = VlcPlayer(audio=False)
        self.player.load(path)
        self.settle()

    def wait(self, ms: float) -> None:
        end = time.monotonic() + ms / 1000
        while time.monotonic() < end:
            self.app.processEvents()
            time.sleep(0.001)

    def settle(self, timeout_s: float = 10.0) -> None:
        end = time.monotonic() + timeout_s
        while self.player.seeking() and time.monotonic() < end:
            self.wait(2)

    def timestamp_errors(self, rate: float, seconds: float) -> tuple[list[int], list[int]]:
        p, rng = self.player, random.Random(int(rate * 100))
        p.set_rate(rate)
        p.seek(2000)
        self.settle()
        p.play()
        ours: list[int] = []
        raw: list[int] = []
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.wait(rng.uniform(5, 60))
            pos, libvlc, shown = p.position_ms(), p.libvlc_time_ms(), p.current_frame()
            k = _frame_of(shown, self.gen)
            if k is None:
                continue
            ours.append(int(pos // FRAME_MS) - k)
            raw.append(int(libvlc // FRAME_MS) - k)
        p.pause()
        p.set_rate(1.0)
        return ours, raw

    def seek_latencies(self, n: int, playing: bool) -> tuple[list[float], float, float]:
        p, rng = self.player, random.Random(7 if playing else 3)
        info = p.info()
        assert info is not None
        latencies: list[float] = []
        exact = honest = 0
        if playing:
            p.play()
        for _ in range(n):
            target = rng.randrange(0, info.duration_ms - 2000)
            t0 = time.perf_counter()
            p.seek(target)
            self.settle()
            latencies.append((time.perf_counter() - t0) * 1000)
            pos, k = p.position_ms(), _frame_of(p.current_frame(), self.gen)
            exact += k == target // FRAME_MS
            honest += k == pos // FRAME_MS  # (while playing it may have moved on: both read)
            self.wait(150 if playing else 30)
        p.pause()
        return latencies, exact / n, honest / n

    def step_latencies(self, rounds: int) -> tuple[list[float], list[float], float]:
        """Frame steps while paused, right after pausing playback: back (frames just played
        are remembered) and forward (needs an exact seek); share landing on the right frame."""
        p, rng = self.player, random.Random(5)
        back: list[float] = []
        forward: list[float] = []
        exact = total = 0
        for _ in range(rounds):
            p.seek(rng.randrange(2000, 25_000))
            self.settle()
            p.play()
            self.wait(500)
            p.pause()
            for n, out in ((-1, back), (-1, back), (1, forward), (1, forward), (1, forward)):
                before = _frame_of(p.current_frame(), self.gen)
                t0 = time.perf_counter()
                p.step_frame(n)
                self.settle()
                out.append((time.perf_counter() - t0) * 1000)
                after = _frame_of(p.current_frame(), self.gen)
                total += 1
                exact += before is not None and after == before + n
        return back, forward, exact / max(1, total)

    def cpu_share(self, seconds: float) -> float:
        p = self.player
        p.seek(1000)
        self.settle()
        p.play()
        self.wait(500)
        c0, w0 = time.process_time(), time.monotonic()
        self.wait(seconds * 1000)
        share = (time.process_time() - c0) / (time.monotonic() - w0)
        p.pause()
        return share


def _raw_reference(path: Path, seconds: float, seeks: int) -> tuple[float, list[float]]:
    """CPU share of plain libvlc into do-nothing video callbacks at 1x, and libvlc's own
    set_time()-while-playing to next-picture latency."""
    import threading

    from observer_app.media import _libvlc

    vlc = _libvlc.vlc_module()
    inst = _libvlc.instance(audio=False)
    player = inst.media_player_new()
    player.set_media(inst.media_new_path(str(path)))
    buf = ctypes.create_string_buffer(1920 * 1080 * 4)
    shown = threading.Event()
    lock_t = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p))
    unlock_t = ctypes.CFUNCTYPE(
        None, ctypes.c_void_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p)
    )
    display_t = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p)

    def on_lock(_o: Any, planes: Any) -> int:
        planes[0] = ctypes.addressof(buf)
        return 1

    def on_display(_o: Any, _p: Any) -> None:
        shown.set()

    callbacks = (lock_t(on_lock), unlock_t(lambda *_: None), display_t(on_display))
    fn = vlc.dll.libvlc_video_set_callbacks
    fn.argtypes = [ctypes.c_void_p, lock_t, unlock_t, display_t, ctypes.c_void_p]
    fn(player._as_parameter_, *callbacks, None)
    player.video_set_format("RV32", 1920, 1080, 1920 * 4)
    player.play()
    time.sleep(1.0)
    c0, w0 = time.process_time(), time.monotonic()
    time.sleep(seconds)
    share = (time.process_time() - c0) / (time.monotonic() - w0)
    rng = random.Random(11)
    latencies = []
    for _ in range(seeks):
        shown.clear()
        t0 = time.perf_counter()
        player.set_time(rng.randrange(0, 28_000))
        time.sleep(0.03)  # pictures already queued before the seek are still displayed
        shown.clear()
        if shown.wait(5.0):
            latencies.append((time.perf_counter() - t0) * 1000)
        time.sleep(0.15)
    player.stop()
    player.release()
    return share, latencies


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks media")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--media-dir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "observer-app-bench-media",
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("OBSERVER_APP_AUDIO", "dummy")
    gen = _gen()
    path = args.media_dir / "index25_1080p.mp4"
    if not path.exists():
        print(f"generating {path} (1920x1080 H.264, 30 s, GOP 2 s) ...")
        args.media_dir.mkdir(parents=True, exist_ok=True)
        gen.make_index_video_1080p(path)
    seconds = 4.0 if args.quick else 8.0
    n_seeks = 10 if args.quick else 25
    bench = _Bench(path, gen, args.quick)
    print(f"file: {path.name}; machine: {os.cpu_count()} CPUs")
    print("timestamp error, frames (position's frame - frame on screen), |error| percentiles:")
    print(f"{'rate':>6} {'ours p50':>9} {'p95':>5} {'max':>5} {'raw p50':>9} {'p95':>5} {'max':>5}")
    for rate in (0.5, 1.0, 2.0):
        ours, raw = bench.timestamp_errors(rate, seconds)
        a, b = np.abs(ours), np.abs(raw)
        print(
            f"{rate:>5}x {_pct(list(a), 50):>9.0f} {_pct(list(a), 95):>5.0f} {a.max():>5d}"
            f" {_pct(list(b), 50):>9.0f} {_pct(list(b), 95):>5.0f} {b.max():>5d}"
            f"   (n={len(ours)})"
        )
    paused, exact_p, honest_p = bench.seek_latencies(n_seeks, playing=False)
    playing, exact_q, honest_q = bench.seek_latencies(n_seeks, playing=True)
    back, forward, exact_steps = bench.step_latencies(3 if args.quick else 6)
    cpu = bench.cpu_share(seconds)
    bench.player.close()
    ref_cpu, ref_seek = _raw_reference(path, seconds, n_seeks)
    print("seek to frame shown, ms:")
    for name, lat, ok, named in (
        ("paused", paused, exact_p, honest_p),
        ("playing", playing, exact_q, honest_q),
    ):
        print(
            f"  {name:<8} p50 {_pct(lat, 50):6.0f}  p95 {_pct(lat, 95):6.0f}"
            f"  exact frame {ok:.0%}  position names the frame shown {named:.0%}"
        )
    print(
        f"  libvlc set_time while playing -> next picture (reference, not frame-exact):"
        f" p50 {_pct(ref_seek, 50):.0f}  p95 {_pct(ref_seek, 95):.0f}"
    )
    print(
        f"  step -1 after a pause p50 {_pct(back, 50):.0f}  p95 {_pct(back, 95):.0f};"
        f"  step +1 p50 {_pct(forward, 50):.0f}  p95 {_pct(forward, 95):.0f};"
        f"  right frame {exact_steps:.0%}"
    )
    ratio = cpu / ref_cpu if ref_cpu else float("nan")
    print(
        f"CPU during 1x playback: {cpu:.0%} of one core (reference libvlc without copies:"
        f" {ref_cpu:.0%}; ratio {ratio:.2f})"
    )
    seek_ratio = statistics.median(paused) / max(1e-9, statistics.median(ref_seek))
    print(f"median paused exact seek / libvlc reference seek: {seek_ratio:.2f}")
