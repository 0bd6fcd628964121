"""The coded-event sheets: Events (one row per event) and Segments (code counts and segment
ratings per assignment and segment)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from observer_app.coding.definitions import Scheme
from observer_app.coding.varnames import unique_names
from observer_app.export.sheets.base import Row, Sheet, StudyData
from observer_app.export.workbook import Column
from observer_app.services.records import AssignmentInfo

#: A segment length larger than any recording: an unsegmented scheme has one segment.
WHOLE_RECORDING_MS = 2_147_483_647

#: The Events sheet's own columns (after ``event_id`` and the context columns).
EVENT_COLUMNS = (
    Column("code", "key", 10, label="code id (Definitions sheet)"),
    Column("category", "key", 14, label="category of the code"),
    Column("onset_s", "seconds", 10, label="onset", unit="seconds from the recording's start"),
    Column("onset", "time", 13, label="onset", unit="hh:mm:ss.000"),
    Column("offset_s", "seconds", 10, label="offset of a state event", unit="seconds"),
    Column("offset", "time", 13, label="offset of a state event", unit="hh:mm:ss.000"),
    Column("duration_s", "seconds", 11, label="duration of a state event", unit="seconds"),
    Column("modifiers", "json", 24, label="modifier values (JSON object)"),
    Column("comment", "text", 40, label="coder's comment"),
    Column("subject", "key", 12, label="who the event is about (a subject id of the scheme)"),
)


def events(data: StudyData) -> Sheet:
    category: dict[tuple[int | None, str], str | None] = {}
    for vid, scheme in data.schemes.items():
        for code in scheme.codes:
            category[(vid, code.id)] = code.category
    ctx = data.context
    per_assignment = {aid: ctx.of(aid) for aid in data.assignments}
    scheme_of = {aid: a.scheme_version_id for aid, a in data.assignments.items()}
    cols = (Column("event_id", "int", 10, label="event"), *ctx.columns, *EVENT_COLUMNS)

    def rows() -> Iterator[Row]:
        for e in data.stream.events():
            aid = e.assignment_id
            if aid not in per_assignment:
                continue  # not data (services.analysis_data)
            off = e.offset_ms
            yield (
                e.id,
                *per_assignment[aid],
                e.code,
                category.get((scheme_of[aid], e.code)),
                e.onset_ms / 1000,
                e.onset_ms,
                None if off is None else off / 1000,
                off,
                None if off is None else (off - e.onset_ms) / 1000,
                e.modifiers,
                e.comment or None,
                e.subject,
            )

    return Sheet("Events", cols, rows())


def _segment_bounds(
    scheme: Scheme, duration: int | None, last_onset: int | None, min_last_ms: int
) -> tuple[tuple[int, int], ...]:
    if duration is None:
        duration = (last_onset or 0) + 1
    return scheme.segment_bounds(duration, min_last_ms)


def _fixed_slots(start: int, end: int, seg_ms: int) -> range:
    """The fixed ``seg_ms`` slots (the stream's per-slot counts) a segment covers: two for a
    last segment that absorbed a short tail."""
    return range(start // seg_ms, max(start // seg_ms + 1, -(-end // seg_ms)))


def code_columns(data: StudyData, prefix: str = "n_") -> tuple[dict[str, int], list[Column]]:
    """One column per code id over every scheme (a code id shared by two schemes shares its
    column): column index by code id, and the columns (``n_<code>`` counts)."""
    index: dict[str, int] = {}
    cols: list[Column] = []
    labels: list[tuple[str, str, str, str]] = []
    for scheme in data.schemes.values():
        for c in scheme.codes:
            if c.id not in index:
                index[c.id] = len(labels)
                labels.append((c.id, c.label, scheme.id, scheme.version))
    names = unique_names(f"{prefix}{code}" for code, *_ in labels)
    for name, (code, label, sid, version) in zip(names, labels, strict=True):
        cols.append(
            Column(
                name,
                "int",
                max(6.0, len(name) + 2),
                label=f"number of {code} events ({label})",
                unit="events",
                source=sid,
                source_version=version,
            )
        )
    return index, cols


def segment_item_columns(data: StudyData) -> tuple[dict[tuple[int, str], int], list[Column]]:
    """One column per item of every segment instrument: index by (version id, item id)."""
    keys: list[tuple[int, str]] = []
    labels: list[str] = []
    first: dict[str, int] = {}
    info: list[tuple[str, str, str, str | None]] = []
    for vid, inst in data.instruments.items():
        if inst.unit != "segment":
            continue
        for i in inst.items:
            label = f"{inst.id}:{i.id}"
            keys.append((vid, i.id))
            if label not in first:
                first[label] = len(labels)
                labels.append(label)
                sc = inst.scale_of(i)
                info.append((inst.id, inst.version, f"{sc.min}..{sc.max}", i.label))
    names = unique_names(labels)
    cols = [
        Column(
            name,
            "number",
            max(8.0, len(name) + 2),
            label=f"{label}" + (f" ({text})" if text else ""),
            allowed=allowed,
            source=iid,
            source_version=version,
        )
        for name, label, (iid, version, allowed, text) in zip(names, labels, info, strict=True)
    ]
    index = {(vid, item): first[f"{data.instruments[vid].id}:{item}"] for vid, item in keys}
    return index, cols


def segments(data: StudyData) -> Sheet:
    code_col, code_cols = code_columns(data)
    item_col, item_cols = segment_item_columns(data)
    n_codes, n_items = len(code_cols), len(item_cols)
    ctx = data.context
    cols = (
        *ctx.columns,
        Column("segment", "int", 9, label="segment number (from 1)"),
        Column("start_s", "seconds", 9, label="segment start", unit="seconds"),
        Column("end_s", "seconds", 9, label="segment end", unit="seconds"),
        Column("start", "time", 12, label="segment start", unit="hh:mm:ss.000"),
        *code_cols,
        *item_cols,
    )

    def rows() -> Iterator[Row]:
        seg_ratings: dict[tuple[int, int], list[float | None]] = {}
        for r in data.ratings():
            k = item_col.get((r.instrument_version_id, r.item_id))
            if r.unit_kind == "segment" and k is not None:
                slot = seg_ratings.setdefault((r.assignment_id, r.unit_index), [None] * n_items)
                slot[k] = r.value
        last = data.stream.last_onsets()
        min_last = data.study.definitions.min_last_segment_ms()
        by_scheme: dict[int, list[AssignmentInfo]] = defaultdict(list)
        for a in data.assignments.values():
            if a.scheme_version_id in data.schemes:
                by_scheme[a.scheme_version_id].append(a)
        for vid, assigned in sorted(by_scheme.items()):
            scheme = data.schemes[vid]
            seg_ms = scheme.segments.length_ms if scheme.segments else WHOLE_RECORDING_MS
            counts = data.stream.segment_counts([a.id for a in assigned], seg_ms)
            mine = [(c.id, code_col[c.id]) for c in scheme.codes]
            for a in sorted(assigned, key=lambda x: (x.recording_id, x.id)):
                rec = data.recordings[a.recording_id]
                head = ctx.of(a.id)
                bounds = _segment_bounds(scheme, rec.duration_ms, last.get(a.id), min_last)
                for index, (start, end) in enumerate(bounds):
                    n: list[int | None] = [None] * n_codes
                    slots = _fixed_slots(start, end, seg_ms)
                    for code, k in mine:
                        n[k] = (n[k] or 0) + sum(counts.get((a.id, i, code), 0) for i in slots)
                    rated = seg_ratings.get((a.id, index), [None] * n_items)
                    yield (*head, index + 1, start / 1000, end / 1000, start, *n, *rated)

    return Sheet("Segments", cols, rows())
