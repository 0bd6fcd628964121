"""Sequence analyses on a study of 500 sessions x 200 events (3RS codes, 50-min sessions).

Goals (issue 16): rupture -> resolution pairing, summaries, the lag-1 table and the Yoder & Tapp
time-window table for the whole study < 1 s; the shuffled-onsets permutation test with 1,000
shuffles < 10 s. Prints medians (and p90) and the ratio to a plain-Python reference measured in
the same run (the lag-1 table by ``collections.Counter``; the permutation test by a nested-loop
statistic over 10 shuffles, scaled to 1,000). These are the pure ``coding`` functions; reading the
events from the store is not included. Options: ``--repeat N`` (5).
"""

from __future__ import annotations

import itertools
import random
import statistics
from collections import Counter

from benchmarks._timing import fmt, time_calls
from observer_app.coding.sequences import (
    RepairRules,
    SeqEvent,
    TimedSession,
    find_repairs,
    lag1_table,
    permutation_test,
    summarize_repairs,
    window_table,
)

SESSIONS, EVENTS, DURATION_MS, WINDOW_MS = 500, 200, 3_000_000, 60_000
RUPTURES = {f"W{k}": "withdrawal" for k in range(1, 8)} | {
    f"C{k}": "confrontation" for k in range(1, 8)
}
STRATEGIES = frozenset(f"R{k}" for k in range(1, 11))
CODES = [*RUPTURES, *sorted(STRATEGIES)]


def _study(seed: int = 16) -> list[list[SeqEvent]]:
    rng = random.Random(seed)
    return [
        sorted(
            (SeqEvent(rng.choice(CODES), rng.randrange(DURATION_MS)) for _ in range(EVENTS)),
            key=lambda e: e.onset_ms,
        )
        for _ in range(SESSIONS)
    ]


def _category(code: str) -> str:
    return RUPTURES.get(code, "resolution")


def main(argv: list[str]) -> None:
    repeat = int(argv[argv.index("--repeat") + 1]) if "--repeat" in argv else 5
    study = _study()
    timed = [
        TimedSession(tuple(e.code for e in s), tuple(e.onset_ms for e in s), DURATION_MS)
        for s in study
    ]
    rules = RepairRules(window_ms=WINDOW_MS)

    def sequences() -> None:
        repairs = [r for s in study for r in find_repairs(s, RUPTURES, STRATEGIES, rules)]
        summarize_repairs(repairs, SESSIONS * DURATION_MS)
        lag1_table([[_category(e.code) for e in s] for s in study]).cells()
        window_table(timed, set(RUPTURES), STRATEGIES, WINDOW_MS)

    def reference_lag() -> None:
        counts: Counter[tuple[str, str]] = Counter()
        for s in study:
            counts.update(itertools.pairwise(_category(e.code) for e in s))

    ours = time_calls(sequences, repeat)
    ref = time_calls(reference_lag, repeat)
    print(f"sequences + lag-1 + time window, {SESSIONS} x {EVENTS} events: {_fmt1(ours)}")
    print(f"  reference (Counter of lag-1 pairs only): {_fmt1(ref)}")
    ratio = statistics.median(ours) / statistics.median(ref)
    print(f"  ratio ours / reference: {ratio:.2f}; goal < 1 s: {statistics.median(ours) < 1}")

    perm = time_calls(
        lambda: permutation_test(timed, set(RUPTURES), STRATEGIES, WINDOW_MS, shuffles=1000),
        max(1, repeat // 2),
    )

    def naive(shuffles: int = 10) -> None:
        rng = random.Random(1)
        for _ in range(shuffles):
            for s in study:
                codes = [e.code for e in s]
                rng.shuffle(codes)
                onsets = [e.onset_ms for e in s]
                for i, c in enumerate(codes):
                    if c in RUPTURES:
                        any(
                            codes[j] in STRATEGIES and 0 <= onsets[j] - onsets[i] <= WINDOW_MS
                            for j in range(i + 1, len(codes))
                        )

    naive_t = time_calls(naive, 1)
    scaled = [t * 1000 / 10 for t in naive_t]
    print(f"permutation test, 1,000 shuffles: {_fmt1(perm)}")
    print(f"  reference (nested loops, 10 shuffles scaled to 1,000): {_fmt1(scaled)}")
    ratio = statistics.median(perm) / statistics.median(scaled)
    print(f"  ratio ours / reference: {ratio:.3f}; goal < 10 s: {statistics.median(perm) < 10}")


def _fmt1(samples: list[float]) -> str:
    return fmt(samples, width=9, digits=1)
