"""Peak memory and time of the reliability event matching as the events per assignment grow.

    .venv/bin/python -m benchmarks matching_memory [--max=40000]

Issue 14: memory must grow linearly with the events (it once grew with the square of the events
per tolerance window: 1,000 events per assignment 186 MB, 8,000 1.6 GB, 40,000 killed at 24 GB).
Two designs, each size in its own subprocess so its peak (``ru_maxrss``) is its own, minus a
subprocess that builds the same event lists and stops before matching (the baseline):

* **fixed recording** (a 50-minute session, 10 codes, tolerance 2 s): the events per tolerance
  window grow with the events, so the candidate pairs grow with their square; memory per
  candidate pair is the figure to watch (it must stay flat);
* **fixed density** (one event per 75 ms per coder): the events per window stay constant, so
  memory per event must stay flat.

Coder B is coder A's onsets shifted by 300 ms with independent codes (the densest case for the
solver: every window holds about as many candidates as events).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SESSION_MS = 50 * 60_000
TOLERANCE_MS = 2000


def _tracks(n: int, length_ms: int) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    import numpy as np

    rng = np.random.default_rng(20261203)
    onsets = np.sort(rng.integers(0, length_ms, n))
    codes = np.array([f"c{k}" for k in range(10)])
    a = list(zip(codes[rng.integers(0, 10, n)].tolist(), onsets.tolist(), strict=True))
    b = list(zip(codes[rng.integers(0, 10, n)].tolist(), (onsets + 300).tolist(), strict=True))
    return a, b


def _child(argv: list[str]) -> None:
    n, length_ms, match = int(argv[0]), int(argv[1]), argv[2] == "match"
    from observer_app.coding.agreement import events as ev

    a, b = _tracks(n, length_ms)
    out: dict[str, float] = {"seconds": 0.0, "pairs": 0.0, "candidates": 0.0}
    if match:
        import numpy as np

        from observer_app.coding.agreement._point_assignment import candidates

        ta = np.sort(np.array([t for _, t in a], dtype=np.int64))
        tb = np.sort(np.array([t for _, t in b], dtype=np.int64))
        out["candidates"] = float(len(candidates(ta, tb, TOLERANCE_MS)[0]))
        del ta, tb
        t = time.perf_counter()
        pairs = ev.match_point_events(a, b, TOLERANCE_MS)
        out["seconds"] = time.perf_counter() - t
        out["pairs"] = float(len(pairs))
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


def _run(n: int, length_ms: int, kind: str) -> dict[str, float]:
    cmd = [sys.executable, "-m", "benchmarks.bench_matching_memory", "--child", str(n)]
    cmd += [str(length_ms), kind]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _design(label: str, sizes: list[int], length: object) -> None:
    print(f"{label}:")
    for n in sizes:
        length_ms = SESSION_MS if length == "session" else n * 75
        base = _run(n, length_ms, "baseline")
        got = _run(n, length_ms, "match")
        extra = max(0.0, got["peak_mb"] - base["peak_mb"])
        per_event = extra * 1024 / (2 * n)
        per_pair = extra * 1024**2 / max(1.0, got["candidates"])
        print(
            f"  {n:>7,} events per coder: {got['seconds']:7.2f} s, peak +{extra:7.1f} MB above "
            f"the baseline ({per_event:5.2f} KB per event, {per_pair:6.1f} B per candidate pair; "
            f"{got['candidates']:,.0f} candidate pairs, {got['pairs']:,.0f} pairs)"
        )


def main(argv: list[str]) -> None:
    opts = dict(a.lstrip("-").split("=", 1) for a in argv if "=" in a)
    top = int(opts.get("max", "40000"))
    sizes = [n for n in (1_000, 8_000, 20_000, 40_000, 80_000) if n <= top]
    _design("fixed 50-minute recording (events per window grow with the events)", sizes, "session")
    _design("fixed density, one event per 75 ms (events per window constant)", sizes, "density")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child(sys.argv[2:])
    else:
        main(sys.argv[1:])
