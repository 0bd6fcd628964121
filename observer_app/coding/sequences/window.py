"""Time-window sequential analysis: does a target follow a given within W seconds more often
than chance?

Two views of the same question, both on timed-event data (one :class:`TimedSession` per coded
session; onsets in integer ms):

* :func:`window_table` -- Yoder & Tapp's (2004) time-unit table (also Bakeman & Quera 2011,
  ch. 11, "time-window sequential analysis"). Each session is cut into time units of
  ``tick_ms`` (unit ``k`` covers ``[k*tick, (k+1)*tick)``). A unit is *in a window* when it lies
  within ``window_ms`` after the onset of a given event: the units ``u`` with
  ``g <= u < g + ceil(window_ms / tick_ms)``, ``g`` the given's unit (windows of several givens may
  overlap; a unit counts once). A unit is a *target unit* when a target event's onset falls in
  it. The 2x2 table counts units: ``a`` in a window with a target onset, ``b`` in a window
  without, ``c`` outside windows with a target onset, ``d`` outside without. Its Yule's Q and
  odds ratio ``ad / bc`` measure how much more likely a target onset is inside windows.
* :func:`followed_within` -- the event view: the number (and proportion) of given events
  followed by at least one target event whose onset is within ``[0, window_ms]`` of the given's
  onset (ties count: a target logged at the same ms follows).
* :func:`permutation_test` -- chance for the event view, by shuffling onsets: within each session
  the observed onsets are randomly re-assigned among that session's events (equivalently, the
  codes are permuted over the observed onsets), keeping every session's number of events of each
  code and its timing of events; the statistic (givens followed by a target within the window)
  is recomputed for each of ``shuffles`` seeded shuffles. One-sided p-value
  ``(1 + #{shuffled >= observed}) / (1 + shuffles)`` (Phipson & Smyth 2010), reproducible with
  its seed (numpy's PCG64 generator).

References: Yoder, P. J., & Tapp, J. (2004). Empirical guidance for time-window sequential
analysis of single cases. Journal of Behavioral Education, 13(4), 227-246. Bakeman, R., &
Quera, V. (2011). Sequential analysis and observational methods for the behavioral sciences.
Cambridge University Press. Phipson, B., & Smyth, G. K. (2010). Permutation p-values should never
be zero. Statistical Applications in Genetics and Molecular Biology, 9(1), Article 39.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from observer_app.coding.errors import InputError
from observer_app.coding.sequences.lag import yules_q


@dataclass(frozen=True)
class TimedSession:
    """One coded session: event codes and onsets (ms, any order) and its duration (ms)."""

    codes: tuple[str, ...]
    onsets_ms: tuple[int, ...]
    duration_ms: int

    def __post_init__(self) -> None:
        if len(self.codes) != len(self.onsets_ms):
            raise InputError("a timed session needs one onset per code")
        if self.duration_ms < 0:
            raise InputError(f"a session's duration cannot be negative: {self.duration_ms} ms")
        late = [t for t in self.onsets_ms if t < 0 or t > self.duration_ms]
        if late:
            raise InputError(
                f"onset {late[0]} ms lies outside the session (0 to {self.duration_ms} ms)"
            )


@dataclass(frozen=True)
class WindowTable:
    """Yoder & Tapp's time-unit 2x2 table (see the module docstring)."""

    a: int
    b: int
    c: int
    d: int

    @property
    def yules_q(self) -> float | None:
        return yules_q(self.a, self.b, self.c, self.d)

    @property
    def odds_ratio(self) -> float | None:
        """``ad / bc`` (``None`` when ``bc`` is 0)."""
        bc = self.b * self.c
        return None if bc == 0 else self.a * self.d / bc


def _check_codes(given: Collection[str], target: Collection[str], window_ms: int) -> None:
    if not given or not target:
        raise InputError("a time-window analysis needs given codes and target codes")
    both = set(given) & set(target)
    if both:
        raise InputError(f"codes cannot be both given and target: {sorted(both)}")
    if window_ms < 0:
        raise InputError(f"the window cannot be negative: {window_ms} ms")


def window_table(
    sessions: Sequence[TimedSession],
    given: Collection[str],
    target: Collection[str],
    window_ms: int,
    tick_ms: int = 1000,
) -> WindowTable:
    """Yoder & Tapp's (2004) time-unit table summed over sessions (definition above)."""
    _check_codes(given, target, window_ms)
    if tick_ms <= 0:
        raise InputError(f"the time unit must be positive: {tick_ms} ms")
    width = max(1, -(-window_ms // tick_ms))
    a = b = c = d = 0
    for s in sessions:
        units = max(1, -(-s.duration_ms // tick_ms))
        in_window = np.zeros(units + width, dtype=bool)
        has_target = np.zeros(units + 1, dtype=bool)
        for code, onset in zip(s.codes, s.onsets_ms, strict=True):
            unit = min(onset // tick_ms, units - 1)
            if code in given:
                in_window[unit : unit + width] = True
            elif code in target:
                has_target[unit] = True
        win, tgt = in_window[:units], has_target[:units]
        a += int(np.count_nonzero(win & tgt))
        b += int(np.count_nonzero(win & ~tgt))
        c += int(np.count_nonzero(~win & tgt))
        d += int(np.count_nonzero(~win & ~tgt))
    return WindowTable(a, b, c, d)


@dataclass(frozen=True)
class _Prepared:
    """One session in onset order: labels (1 given, 2 target, 0 other) and, per event ``i``,
    the index range ``[lo[i], hi[i])`` of events with ``0 <= onset_j - onset_i <= window``."""

    labels: npt.NDArray[np.int8]
    lo: npt.NDArray[np.intp]
    hi: npt.NDArray[np.intp]


def _prepare(
    s: TimedSession, given: Collection[str], target: Collection[str], window_ms: int
) -> _Prepared:
    order = np.argsort(np.asarray(s.onsets_ms, dtype=np.int64), kind="stable")
    onsets = np.asarray(s.onsets_ms, dtype=np.int64)[order]
    codes = [s.codes[k] for k in order]
    labels = np.array([1 if c in given else 2 if c in target else 0 for c in codes], dtype=np.int8)
    lo = np.searchsorted(onsets, onsets, side="left").astype(np.intp)
    hi = np.searchsorted(onsets, onsets + window_ms, side="right").astype(np.intp)
    return _Prepared(labels, lo, hi)


def _hits(p: _Prepared, labels: npt.NDArray[np.int8]) -> npt.NDArray[np.int64]:
    """Givens followed by a target within the window, for each row of ``labels`` (k x n).

    Targets in each window are counted with a running sum over the onset-ordered events: the
    window of event ``i`` holds ``C[hi[i]] - C[lo[i]]`` targets (event ``i`` itself is a given,
    never a target, so it adds nothing), which is O(k n) instead of O(k n^2).
    """
    k, n = labels.shape
    if n == 0:
        return np.zeros(k, dtype=np.int64)
    running = np.zeros((k, n + 1), dtype=np.int32)
    np.cumsum(labels == 2, axis=1, out=running[:, 1:])
    in_window = running[:, p.hi] - running[:, p.lo]
    followed = (labels == 1) & (in_window > 0)
    counts: npt.NDArray[np.int64] = np.count_nonzero(followed, axis=1).astype(np.int64)
    return counts


def followed_within(
    sessions: Sequence[TimedSession],
    given: Collection[str],
    target: Collection[str],
    window_ms: int,
) -> tuple[int, int]:
    """``(followed, givens)``: given events followed by a target within the window, and all."""
    _check_codes(given, target, window_ms)
    followed = total = 0
    for s in sessions:
        p = _prepare(s, given, target, window_ms)
        followed += int(_hits(p, p.labels[np.newaxis, :])[0])
        total += int(np.count_nonzero(p.labels == 1))
    return followed, total


@dataclass(frozen=True)
class PermutationResult:
    """The event view with its shuffled-onsets null distribution (see the module docstring)."""

    followed: int
    givens: int
    shuffles: int
    seed: int
    shuffled_mean: float
    p_value: float

    @property
    def proportion(self) -> float | None:
        return None if self.givens == 0 else self.followed / self.givens

    @property
    def chance_proportion(self) -> float | None:
        """The mean shuffled proportion: what chance alone gives with these onsets."""
        return None if self.givens == 0 else self.shuffled_mean / self.givens


def permutation_test(
    sessions: Sequence[TimedSession],
    given: Collection[str],
    target: Collection[str],
    window_ms: int,
    *,
    shuffles: int = 1000,
    seed: int = 1,
    batch: int = 250,
    progress: Callable[[int, int], None] | None = None,
) -> PermutationResult:
    """Seeded permutation test of :func:`followed_within` on shuffled onsets.

    ``progress(done, total)`` after each session's shuffles (an exception raised there stops
    the test: how a caller cancels it); the result does not depend on it."""
    _check_codes(given, target, window_ms)
    if shuffles < 1:
        raise InputError(f"the permutation test needs at least one shuffle: {shuffles}")
    rng = np.random.default_rng(seed)
    prepared = [_prepare(s, given, target, window_ms) for s in sessions]
    observed = sum(int(_hits(p, p.labels[np.newaxis, :])[0]) for p in prepared)
    givens = sum(int(np.count_nonzero(p.labels == 1)) for p in prepared)
    null = np.zeros(shuffles, dtype=np.int64)
    for done, p in enumerate(prepared, 1):
        if np.any(p.labels == 1) and np.any(p.labels == 2):  # else every shuffle gives 0
            for start in range(0, shuffles, batch):
                k = min(batch, shuffles - start)
                shuffled = rng.permuted(np.tile(p.labels, (k, 1)), axis=1)
                null[start : start + k] += _hits(p, shuffled)
        if progress is not None:
            progress(done, len(prepared))
    extreme = int(np.count_nonzero(null >= observed))
    return PermutationResult(
        followed=observed,
        givens=givens,
        shuffles=shuffles,
        seed=seed,
        shuffled_mean=float(null.mean()),
        p_value=(1 + extreme) / (1 + shuffles),
    )
