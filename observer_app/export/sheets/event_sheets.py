"""The coded-event sheets: Events (one row per event) and Segments (code counts and segment
ratings per assignment and segment)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from observer_app.coding.definitions import Scheme
from observer_app.export.sheets.base import ASSIGNMENT_COLUMNS, Row, Sheet, StudyData
from observer_app.export.workbook import Column
from observer_app.services.records import AssignmentInfo

#: A segment length larger than any recording: an unsegmented scheme has one segment.
WHOLE_RECORDING_MS = 2_147_483_647

EVENT_COLUMNS = (
    Column("event_id", "int", 10),
    *ASSIGNMENT_COLUMNS,
    Column("code", "key", 10),
    Column("category", "key", 14),
    Column("onset_s", "seconds", 10),
    Column("onset", "time", 13),
    Column("offset_s", "seconds", 10),
    Column("offset", "time", 13),
    Column("duration_s", "seconds", 11),
    Column("modifiers", "json", 24),
    Column("comment", "text", 40),
)


def events(data: StudyData) -> Sheet:
    category: dict[tuple[int | None, str], str | None] = {}
    for vid, scheme in data.schemes.items():
        for code in scheme.codes:
            category[(vid, code.id)] = code.category
    per_assignment = {aid: data.assignment_cols(aid) for aid in data.assignments}
    scheme_of = {aid: a.scheme_version_id for aid, a in data.assignments.items()}

    def rows() -> Iterator[Row]:
        for e in data.stream.events():
            if e.assignment_id not in per_assignment:
                continue  # not data (services.analysis_data)
            rec, coder, purpose, aid, analysis, status, completed = per_assignment[e.assignment_id]
            off = e.offset_ms
            yield (
                e.id,
                rec,
                coder,
                purpose,
                aid,
                analysis,
                status,
                completed,
                e.code,
                category.get((scheme_of[aid], e.code)),
                e.onset_ms / 1000,
                e.onset_ms,
                None if off is None else off / 1000,
                off,
                None if off is None else (off - e.onset_ms) / 1000,
                e.modifiers,
                e.comment or None,
            )

    return Sheet("Events", EVENT_COLUMNS, rows())


def _segment_bounds(
    scheme: Scheme, duration: int | None, last_onset: int | None
) -> tuple[tuple[int, int], ...]:
    if duration is None:
        duration = (last_onset or 0) + 1
    return scheme.segment_bounds(duration)


def _unique(headers: list[str]) -> dict[str, int]:
    """Column index per header, merging headers that differ only in case (Excel tables
    require unique headers regardless of case)."""
    index: dict[str, int] = {}
    for h in headers:
        index.setdefault(h.lower(), len(index))
    return index


def segments(data: StudyData) -> Sheet:
    code_heads: list[str] = []
    for scheme in data.schemes.values():
        code_heads += [f"n_{c.id}" for c in scheme.codes]
    code_col = _unique(code_heads)
    item_heads: list[str] = []
    for inst in data.instruments.values():
        if inst.unit == "segment":
            item_heads += [f"{inst.id}:{i.id}" for i in inst.items]
    item_index = _unique(item_heads)
    item_col = {
        (vid, i.id): item_index[f"{inst.id}:{i.id}".lower()]
        for vid, inst in data.instruments.items()
        if inst.unit == "segment"
        for i in inst.items
    }
    n_codes, n_items = len(code_col), len(item_index)
    first_spelling = {h.lower(): h for h in reversed(code_heads + item_heads)}
    cols = (
        *ASSIGNMENT_COLUMNS,
        Column("segment", "int", 9),
        Column("start_s", "seconds", 9),
        Column("end_s", "seconds", 9),
        Column("start", "time", 12),
        *(Column(first_spelling[h], "int", max(6.0, len(h) + 2)) for h in code_col),
        *(Column(first_spelling[h], "float", max(8.0, len(h) + 2)) for h in item_index),
    )

    def rows() -> Iterator[Row]:
        seg_ratings: dict[tuple[int, int], list[float | None]] = {}
        for r in data.ratings():
            k = item_col.get((r.instrument_version_id, r.item_id))
            if r.unit_kind == "segment" and k is not None:
                slot = seg_ratings.setdefault((r.assignment_id, r.unit_index), [None] * n_items)
                slot[k] = r.value
        last = data.stream.last_onsets()
        by_scheme: dict[int, list[AssignmentInfo]] = defaultdict(list)
        for a in data.assignments.values():
            if a.scheme_version_id in data.schemes:
                by_scheme[a.scheme_version_id].append(a)
        for vid, assigned in sorted(by_scheme.items()):
            scheme = data.schemes[vid]
            seg_ms = scheme.segments.length_ms if scheme.segments else WHOLE_RECORDING_MS
            counts = data.stream.segment_counts([a.id for a in assigned], seg_ms)
            mine = [(c.id, code_col[f"n_{c.id}".lower()]) for c in scheme.codes]
            for a in sorted(assigned, key=lambda x: (x.recording_id, x.id)):
                rec = data.recordings[a.recording_id]
                head = data.assignment_cols(a.id)
                bounds = _segment_bounds(scheme, rec.duration_ms, last.get(a.id))
                for index, (start, end) in enumerate(bounds):
                    n: list[int | None] = [None] * n_codes
                    for code, k in mine:
                        n[k] = (n[k] or 0) + counts.get((a.id, index, code), 0)
                    rated = seg_ratings.get((a.id, index), [None] * n_items)
                    yield (*head, index + 1, start / 1000, end / 1000, start, *n, *rated)

    return Sheet("Segments", cols, rows())
