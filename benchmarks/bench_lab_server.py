"""A lab coding at once: key press -> committed with 4 workstations, PostgreSQL beside SQLite.

    .venv/bin/python -m benchmarks lab_server [--quick | --events=N]

Four coder processes log 10,000 events each (``--quick``: 500) into their own assignments while
a manager process completes and reopens them round-robin (``benchmarks/lab_workload.py``). The
latency is that of ``study.events.log`` (one audited, committed transaction, the status check
under the assignment's row lock) as each workstation sees it. Engines: a SQLite file
(WAL, ``synchronous=FULL``) and a throwaway PostgreSQL cluster on a local Unix socket with its
default durability (``fsync=on``, ``synchronous_commit=on``). Reported per engine: p50/p95, the
PostgreSQL/SQLite ratio of the same run, and the checks of the concurrency test (lost,
duplicated, written to a complete assignment: all must be 0).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks import lab_workload
from scripts.pg_cluster import PostgresMissing, throwaway_cluster

WORKSTATIONS = 4


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@contextmanager
def postgres_server() -> Iterator[str]:
    """A throwaway cluster on a Unix socket with the default durability (fsync on)."""
    try:
        with throwaway_cluster("bench", options=("max_connections=50",)) as url:
            yield url
    except PostgresMissing as exc:
        raise SystemExit(str(exc)) from None


def measure(name: str, location: str, folder: Path, n_events: int) -> list[float]:
    work = folder / name
    work.mkdir()
    lab = lab_workload.build(location, work, n_coders=WORKSTATIONS)
    t0 = time.perf_counter()
    out = lab_workload.run(lab, n_events=n_events, cycles=20, workdir=work)
    seconds = time.perf_counter() - t0
    lat = out.latencies_ms
    print(
        f"{name:10s} key press -> committed, {WORKSTATIONS} workstations at once: "
        f"p50 {pct(lat, 0.5):6.2f} ms  p95 {pct(lat, 0.95):6.2f} ms  "
        f"({out.saved:,} saved, {out.refused:,} refused while complete, "
        f"{out.completions} completions, {out.lock_timeouts} lock waits over the busy "
        f"timeout, retried; {seconds:.0f} s)"
    )
    checks = (out.lost, out.duplicated, out.unexpected, out.written_while_complete)
    print(
        f"{'':10s} lost {checks[0]}, duplicated {checks[1]}, unexpected {checks[2]}, "
        f"written to a complete assignment {checks[3]}"
    )
    if any(checks):
        raise SystemExit(f"{name}: the lab lost or corrupted work: {checks}")
    return lat


def main(argv: list[str]) -> None:
    sized = [a for a in argv if a.startswith("--events=")]
    n_events = int(sized[0].split("=")[1]) if sized else 500 if "--quick" in argv else 10_000
    folder = Path(tempfile.mkdtemp(prefix="observer-bench-lab-"))
    os.chmod(folder, 0o755)
    print(f"{WORKSTATIONS} coder processes x {n_events:,} events, a manager completing/reopening")
    sqlite = measure("SQLite", str(folder / "lab.db"), folder, n_events)
    with postgres_server() as url:
        pg = measure("PostgreSQL", url, folder, n_events)
    print(
        f"ratio PostgreSQL/SQLite (same run): p50 {pct(pg, 0.5) / pct(sqlite, 0.5):.2f}x, "
        f"p95 {pct(pg, 0.95) / pct(sqlite, 0.95):.2f}x"
    )
    shutil.rmtree(folder, ignore_errors=True)
