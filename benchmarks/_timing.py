"""Timing helpers shared by the benchmarks: repeated calls after a warm-up, median and p90."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def time_calls(fn: Callable[[], Any], repeat: int) -> list[float]:
    """Seconds per call of ``fn``, ``repeat`` times, after one warm-up call (imports, caches)."""
    fn()
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def fmt(samples: list[float], *, width: int = 8, digits: int = 2) -> str:
    """``median ... ms   p90 ... ms`` of ``samples`` (seconds)."""
    med = statistics.median(samples)
    p90 = sorted(samples)[max(0, round(0.9 * len(samples)) - 1)]
    return f"median {med * 1000:{width}.{digits}f} ms   p90 {p90 * 1000:{width}.{digits}f} ms"
