"""Alignment of two coders' events into matched, mismatched and unmatched items, with the
agreement engine's point-event matching (Bakeman, Quera & Gnisci 2009)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from observer_app.coding import agreement as ag
from observer_app.services.consensus.model import Aligned, SourceEvent


@dataclass(frozen=True)
class _Point:
    """An event as matched: its code and onset (as a point), and its subject."""

    code: str
    onset_ms: int
    subject: str | None
    offset_ms: None = None


def _key(a: SourceEvent | None, b: SourceEvent | None) -> str:
    return f"a{a.id if a else ''}-b{b.id if b else ''}"


def align(
    events_a: Sequence[SourceEvent], events_b: Sequence[SourceEvent], tolerance_ms: int
) -> tuple[Aligned, ...]:
    """Pair the events with the engine's point-event matching (onsets; within one subject
    when the events have subjects), ordered in time."""
    pairs = ag.match_point_events(
        [_Point(e.code, e.onset_ms, e.subject) for e in events_a],
        [_Point(e.code, e.onset_ms, e.subject) for e in events_b],
        tolerance_ms,
    )
    items: list[Aligned] = []
    used_a = {i for i, _ in pairs}
    used_b = {j for _, j in pairs}
    for i, j in pairs:
        a, b = events_a[i], events_b[j]
        kind = "matched" if a.code == b.code else "mismatched"
        items.append(Aligned(_key(a, b), kind, a, b))
    items += [
        Aligned(_key(e, None), "unmatched_a", e, None)
        for i, e in enumerate(events_a)
        if i not in used_a
    ]
    items += [
        Aligned(_key(None, e), "unmatched_b", None, e)
        for j, e in enumerate(events_b)
        if j not in used_b
    ]
    return tuple(sorted(items, key=lambda x: (x.time_ms, x.key)))
