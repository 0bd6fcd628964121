"""The segment view: per segment of every analysed coding, its rupture markers, resolution
strategies, unresolved ruptures and the segment instrument's ratings side by side, so a reader
sees where an unresolved rupture sits and how the segment (and its resolution) was rated."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from observer_app.services.records import RatingRecord
from observer_app.services.sequences.model import CodedSession, SegmentRow, SequenceReport


def segment_rows(
    report: SequenceReport,
    ratings: Iterable[RatingRecord],
    segment_instrument_versions: set[int],
) -> list[SegmentRow]:
    """Rows for every segment of every coding (codings without segments give none)."""
    rated: dict[tuple[int, int], dict[str, float | None]] = defaultdict(dict)
    for r in ratings:
        if r.unit_kind == "segment" and r.instrument_version_id in segment_instrument_versions:
            rated[(r.assignment_id, r.unit_index)][r.item_id] = r.value
    unresolved: dict[tuple[int, int], int] = defaultdict(int)
    for row in report.ruptures:
        seg = row.session.segment_ms
        if seg and not row.repair.resolved:
            unresolved[(row.session.assignment_id, row.repair.rupture.onset_ms // seg)] += 1
    out: list[SegmentRow] = []
    for c in report.sessions:
        out += _rows(c, rated, unresolved)
    return out


def _rows(
    c: CodedSession,
    rated: dict[tuple[int, int], dict[str, float | None]],
    unresolved: dict[tuple[int, int], int],
) -> list[SegmentRow]:
    seg = c.segment_ms
    if not seg or c.duration_ms <= 0:
        return []
    rows = []
    for index, start in enumerate(range(0, c.duration_ms, seg)):
        inside = [e for e in c.events if e.onset_ms // seg == index]
        inside.sort(key=lambda e: e.onset_ms)
        key = (c.assignment_id, index)
        rows.append(
            SegmentRow(
                session=c,
                index=index,
                start_ms=start,
                end_ms=min(start + seg, c.duration_ms),
                markers=tuple(e.code for e in inside if e.code in c.ruptures),
                strategies=tuple(e.code for e in inside if e.code in c.resolutions),
                unresolved=unresolved.get(key, 0),
                ratings=dict(rated.get(key, {})),
            )
        )
    return rows
