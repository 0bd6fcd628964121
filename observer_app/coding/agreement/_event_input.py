"""Event input for event agreement: the Event type, validation of coders' events into columns.

Events are ``(code, onset_ms, offset_ms[, subject])`` tuples (``offset_ms`` ``None`` for a point
event, ``subject`` the actor the event is about, or ``None``), or objects with those attributes.
Times are integer milliseconds. Internal to the event-agreement modules; the public names are
re-exported by :mod:`observer_app.coding.agreement.events`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from observer_app.coding.agreement._data import IntArray
from observer_app.coding.errors import InputError

UNMATCHED = "unmatched"
NONE_CODE = "(none)"


@dataclass(frozen=True)
class Event:
    """One coded event; ``offset_ms`` is ``None`` for a point event."""

    code: str
    onset_ms: int
    offset_ms: int | None = None


def as_events(events: Iterable[Any], who: str = "coder") -> list[Event]:
    """Normalise tuples ``(code, onset[, offset])`` or objects with those attributes; times must
    be whole milliseconds."""
    out = []
    for i, e in enumerate(events):
        if isinstance(e, Event):
            code, on, off = e.code, e.onset_ms, e.offset_ms
        elif hasattr(e, "code") and hasattr(e, "onset_ms"):
            code, on, off = e.code, e.onset_ms, getattr(e, "offset_ms", None)
        else:
            t = tuple(e)
            if len(t) not in (2, 3, 4):
                raise InputError(f"{who} event {i + 1}: expected (code, onset_ms[, offset_ms])")
            code, on, off = t[0], t[1], t[2] if len(t) >= 3 else None
        ev = Event(str(code), _whole_ms(on, who, i, "onset"), _opt_ms(off, who, i))
        if ev.offset_ms is not None and ev.offset_ms < ev.onset_ms:
            raise InputError(
                f"{who} event {i + 1}: offset {ev.offset_ms} is before onset {ev.onset_ms}"
            )
        out.append(ev)
    return out


def _whole_ms(v: Any, who: str, i: int, what: str) -> int:
    try:
        ms = int(v)
        exact = ms == v
    except (TypeError, ValueError):
        exact = False
    if not exact or isinstance(v, bool):
        raise InputError(f"{who} event {i + 1}: {what} {v!r} is not a whole number of ms")
    return ms


def _opt_ms(v: Any, who: str, i: int) -> int | None:
    return None if v is None else _whole_ms(v, who, i, "offset")


@dataclass(frozen=True)
class Track:
    """One coder's events as columns: code, onset, offset (= onset for a point event)."""

    codes: npt.NDArray[np.str_]
    onset: IntArray
    offset: IntArray
    is_point: npt.NDArray[np.bool_]

    def __len__(self) -> int:
        return len(self.onset)


def _int_column(values: Sequence[Any], who: str, what: str) -> IntArray:
    """Whole milliseconds as int64; a fractional, missing or text time names its event."""
    arr = np.asarray(values)
    if arr.dtype.kind in "iu":
        return arr.astype(np.int64)
    if arr.dtype.kind == "f":
        bad = ~np.isfinite(arr) | (arr != np.round(arr))
        if not bad.any():
            return arr.astype(np.int64)
        k = int(np.flatnonzero(bad)[0])
    else:
        k = next(i for i, v in enumerate(values) if not isinstance(v, int | np.integer))
    raise InputError(f"{who} event {k + 1}: {what} {values[k]!r} is not a whole number of ms")


def read_track(events: Iterable[Any], who: str) -> Track:
    """Columns of ``(code, onset_ms[, offset_ms])`` tuples, :class:`Event` objects or objects
    with ``code``/``onset_ms``/``offset_ms`` attributes (fast path for lists of tuples)."""
    evs = events if isinstance(events, list) else list(events)
    if not evs:
        empty = np.zeros(0, dtype=np.int64)
        return Track(np.zeros(0, dtype=str), empty, empty, np.zeros(0, dtype=bool))
    cols: list[tuple[Any, ...]] = []
    if isinstance(evs[0], tuple | list) and len(evs[0]) in (2, 3, 4):
        try:  # transposing checks that every event has the same length (strict)
            cols = list(zip(*evs, strict=True))
        except (TypeError, ValueError):
            cols = []
    if not cols:
        norm = as_events(evs, who)
        cols = [
            tuple(e.code for e in norm),
            tuple(e.onset_ms for e in norm),
            tuple(e.offset_ms for e in norm),
        ]
    codes = np.asarray(cols[0]).astype(str)
    onset = _int_column(cols[1], who, "onset")
    raw_off = cols[2] if len(cols) >= 3 else None
    if raw_off is None or all(v is None for v in raw_off):
        offset, is_point = onset.copy(), np.ones(len(onset), dtype=bool)
    else:
        is_point = np.array([v is None for v in raw_off], dtype=bool)
        filled = [o if v is None else v for v, o in zip(raw_off, onset.tolist(), strict=True)]
        offset = _int_column(filled, who, "offset")
    before = offset < onset
    if before.any():
        k = int(np.flatnonzero(before)[0])
        raise InputError(f"{who} event {k + 1}: offset {offset[k]} is before onset {onset[k]}")
    return Track(codes, onset, offset, is_point)


def subject_of(event: Any) -> str | None:
    """The subject an event is about: the fourth item of a ``(code, onset, offset, subject)``
    tuple, or a ``subject`` attribute; ``None`` (or empty) when it has none."""
    if isinstance(event, tuple | list):
        return str(event[3]) if len(event) > 3 and event[3] else None
    value = getattr(event, "subject", None)
    return str(value) if value else None


def code_index(a: Track, b: Track) -> tuple[list[str], IntArray, IntArray]:
    """Sorted union of both coders' codes and each event's index into it."""
    labels = np.unique(np.concatenate([a.codes, b.codes]))
    ia: IntArray = np.searchsorted(labels, a.codes).astype(np.int64)
    ib: IntArray = np.searchsorted(labels, b.codes).astype(np.int64)
    return [str(c) for c in labels.tolist()], ia, ib


def canonical_order(onset: IntArray, offset: IntArray, code: IntArray) -> IntArray:
    """Order by onset, offset, code: solving in this order makes the result (the table, and
    which of two equally good partners is chosen) independent of the order of the input."""
    order: IntArray = np.lexsort((code, offset, onset)).astype(np.int64)
    return order
