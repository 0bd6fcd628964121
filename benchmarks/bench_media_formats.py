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
- the time to make the video working copy (all-intra MPEG-4 by PyAV, ``media/video_copy.py``)
  per hour of 1080p video;
- exact-seek latency on 1080p H.264 (paused seeks to random times, then frame steps, each until
  the target frame is shown), p50/p95 and share showing exactly the target frame: libvlc's own
  exact seek (``VlcPlayer``) on the camera-like original (GOP 2 s, B-frames) and on the
  all-intra proxy, and the frame server (``FramePlayer``) decoding from the original and from
  the video working copy; medians as ratios to libvlc on the original.

Options: ``--quick`` (fewer seeks), ``--video-only`` (skip the audio clocks),
``--media-dir=DIR`` (cache of generated files).
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

from observer_app.media import transport

#: Pause between two seeks of the latency measurement (ms): uniform in this range, so that some
#: requests come while libvlc is re-seeking behind a served frame and some when it is idle.
GAP_MS = (100, 2000)
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


def _shown_index(image: Any, gen: ModuleType) -> int | None:
    if image is None:
        return None
    view = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), -1)
    result: int | None = gen.decode_index(view[:, 1 : image.width() * 4 : 4])
    return result


def seek_latency(
    qt: _Qt, path: Path, gen: ModuleType, n: int, *, served_from: Path | None = None
) -> tuple[list[float], list[float], float, float]:
    """Paused seeks to random times, then frame steps (+-1..3), each until the target frame
    is shown, ``GAP_MS`` apart. ``served_from``: a ``FramePlayer``
    serving paused frames from that file (the original or the video working copy); None: a
    ``VlcPlayer`` (libvlc's own exact seek). Returns seek and step latencies (ms) and the
    shares of seeks and of steps that showed exactly the target frame."""
    from observer_app.media import VlcPlayer
    from observer_app.media.frame_player import FramePlayer

    player: Any = VlcPlayer(audio=False) if served_from is None else FramePlayer(audio=False)
    info = player.load(path)
    if served_from is not None:
        player.use_frame_source(served_from)
    while player.seeking():
        qt.wait(2)
    rng = random.Random(3)
    seeks: list[float] = []
    steps: list[float] = []
    exact = [0, 0]
    for i in range(2 * n):
        t0 = time.perf_counter()
        if i < n:
            target = rng.randrange(0, info.duration_ms - 2000)
            player.seek(target)
        else:
            frames = rng.choice((-3, -2, -1, 1, 2, 3))
            target = transport.step_target(player.position_ms(), frames, info)
            player.step_frame(frames)
        while player.seeking():
            qt.wait(1)
        (seeks if i < n else steps).append((time.perf_counter() - t0) * 1000)
        exact[i >= n] += _shown_index(player.current_frame(), gen) == target // 40
        qt.wait(rng.uniform(*GAP_MS))
    player.close()
    return seeks, steps, exact[0] / max(1, n), exact[1] / max(1, n)


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
    parser.add_argument("--video-only", action="store_true", help="skip the audio clocks")
    parser.add_argument(
        "--media-dir", type=Path, default=Path(tempfile.gettempdir()) / "observer-app-bench-media"
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("OBSERVER_APP_AUDIO", "dummy")

    gen = _load("make_test_media")
    files = gen.make_all(args.media_dir)
    qt = _Qt()
    seeks = 4 if args.quick else 10
    copies = Path(tempfile.mkdtemp(prefix="observer-bench-copies-"))
    if not args.video_only:
        _audio_part(qt, files, gen, seeks, copies=copies, media_dir=args.media_dir)
    _video_part(qt, gen, args, copies)


def _audio_part(
    qt: _Qt, files: dict[str, Path], gen: ModuleType, seeks: int, *, copies: Path, media_dir: Path
) -> None:
    from observer_app.media.working_copy import make_working_copy

    print(f"clock - decoder after {seeks} seeks while playing, ms (signed median; |error|):")
    print(f"{'format':<13} {'original med':>12} {'p50':>5} {'p95':>5} {'max':>5} {'silent':>6}"
          f"   {'copy med':>8} {'p50':>5} {'p95':>5} {'max':>5}")  # fmt: skip
    for name in gen.AUDIO_FORMATS:
        original = files[f"pos_{name}"]
        orig, silent = clock_errors(qt, original, gen, seeks)
        copy = make_working_copy(original, copies).path if name != "wav" else original
        ours, _ = clock_errors(qt, copy, gen, seeks)
        print(f"{name:<13} {_summary(orig, 12)} {silent:>6d}   {_summary(ours, 8)}")
    long_ogg = media_dir / "ten_minutes.ogg"
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


def _video_part(qt: _Qt, gen: ModuleType, args: argparse.Namespace, copies: Path) -> None:
    from observer_app.media.video_copy import find_video_copy, make_video_copy
    from observer_app.media.working_copy import make_intra_proxy

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
    copy_dir = copies / "video"
    copy_s = _timed(lambda: make_video_copy(hd, copy_dir))
    video_copy = find_video_copy(hd, copy_dir)
    assert video_copy is not None
    print(
        f"video working copy (all-intra MPEG-4, PyAV) of 1080p: {copy_s:.1f} s for "
        f"{seconds:.0f} s of video -> {copy_s * 3600 / seconds / 60:.0f} min/hour "
        f"({video_copy.stat().st_size / 1e6:.0f} MB for {seconds:.0f} s)"
    )
    n = 8 if args.quick else 30
    print(
        f"exact paused seek / frame step until the target frame is shown, 1080p H.264, "
        f"{n} each, {GAP_MS[0]}-{GAP_MS[1]} ms apart, ms (exact: share showing the target):"
    )
    results = {}
    variants = (
        ("libvlc, original GOP 2 s", hd, None),
        ("libvlc, all-intra proxy", proxy, None),
        ("frame server, original", hd, hd),
        ("frame server, working copy", hd, video_copy),
    )
    for label, path, served in variants:
        seeks_ms, steps_ms, exact, exact_steps = seek_latency(qt, path, gen, n, served_from=served)
        results[label] = seeks_ms
        print(
            f"  {label:<27} seek p50 {_pct(seeks_ms, 50):5.0f} p95 {_pct(seeks_ms, 95):5.0f}"
            f"   step p50 {_pct(steps_ms, 50):5.0f} p95 {_pct(steps_ms, 95):5.0f}"
            f"   exact {exact:.0%} / {exact_steps:.0%}"
        )
    base = _pct(results["libvlc, original GOP 2 s"], 50)
    for label in list(results)[1:]:
        ratio = _pct(results[label], 50) / max(1e-9, base)
        print(f"median seek latency, {label} / libvlc original: {ratio:.2f}")
    subprocess.run(["rm", "-rf", str(copies)], check=False)
