"""The rating sheets: Ratings (one row per item response) and Scores (scored forms)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

from observer_app.coding.definitions import roll_up, score_responses
from observer_app.coding.errors import InputError
from observer_app.export.sheets.base import ASSIGNMENT_COLUMNS, Row, Sheet, StudyData, phase
from observer_app.export.workbook import Column
from observer_app.services.streams import RatingRow


def ratings(data: StudyData) -> Sheet:
    cols = (
        Column("rating_id", "int", 10),
        *ASSIGNMENT_COLUMNS,
        Column("instrument", "key", 18),
        Column("instrument_version", "key", 10),
        Column("version_id", "int", 10),
        Column("unit", "key", 9),
        Column("segment", "int", 9),
        Column("item_id", "key", 8),
        Column("item_label", "text", 24),
        Column("subscales", "key", 16),
        Column("reverse", "bool", 8),
        Column("value", "float", 8),
        Column("keyed_value", "float", 11),
        Column("missing_reason", "text", 16),
    )

    def rows() -> Iterator[Row]:
        items = {
            (vid, i.id): (inst, i) for vid, inst in data.instruments.items() for i in inst.items
        }
        for r in data.ratings():
            if r.assignment_id not in data.assignments:
                continue  # not data (services.analysis_data)
            inst, item = items.get((r.instrument_version_id, r.item_id), (None, None))
            keyed = r.value
            if inst is not None and item is not None and item.reverse and r.value is not None:
                keyed = float(inst.scale_of(item).reverse(round(r.value)))
            yield (
                r.id,
                *data.assignment_cols(r.assignment_id),
                inst.id if inst else None,
                inst.version if inst else None,
                r.instrument_version_id,
                r.unit_kind,
                r.unit_index + 1 if r.unit_kind == "segment" else None,
                r.item_id,
                item.label if item else None,
                ", ".join(item.subscales) if item else None,
                item.reverse if item else None,
                r.value,
                keyed,
                r.missing_reason,
            )

    return Sheet("Ratings", cols, rows())


def _forms(
    rows: Sequence[RatingRow],
) -> dict[tuple[int, int], dict[tuple[str, int], dict[str, int | None]]]:
    forms: dict[tuple[int, int], dict[tuple[str, int], dict[str, int | None]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    for r in rows:
        forms[(r.assignment_id, r.instrument_version_id)][(r.unit_kind, r.unit_index)][
            r.item_id
        ] = None if r.value is None else round(r.value)
    return forms


def score_columns(data: StudyData) -> list[str]:
    names: list[str] = []
    for inst in data.instruments.values():
        ids = (
            [r.id for r in inst.rollup]
            if inst.unit == "segment"
            else [d.id for d in inst.score_definitions()]
        )
        # Excel table headers are unique regardless of case
        names += [n for n in ids if n.lower() not in {x.lower() for x in names}]
    return names


def scores(data: StudyData) -> Sheet:
    names = score_columns(data)
    col = {n.lower(): k for k, n in enumerate(names)}
    fixed = (
        Column("recording_id", "int", 12),
        Column("session_number", "int", 15),
        Column("phase", "int", 8),
        Column("coder", "key", 16),
        Column("purpose", "key", 11),
        Column("assignment_id", "int", 13),
        Column("analysis", "bool", 9),
        Column("status", "key", 11),
        Column("completed_at", "datetime", 19),
        Column("instrument", "key", 18),
        Column("instrument_version", "key", 10),
        Column("version_id", "int", 10),
        Column("unit", "key", 16),
    )
    taken = {c.name.lower() for c in fixed} | {"notes"}
    headers = [f"score_{n}" if n.lower() in taken else n for n in names]
    cols = (
        *fixed,
        *(Column(h, "float", max(9.0, len(h) + 2)) for h in headers),
        Column("notes", "text", 40),
    )

    def rows() -> Iterator[Row]:
        for (aid, vid), units in sorted(_forms(data.ratings()).items()):
            inst = data.instruments.get(vid)
            if inst is None or aid not in data.assignments:
                continue
            rec, coder, purpose, _, analysis, status, completed = data.assignment_cols(aid)
            session = data.recordings[rec].session_number
            values: list[float | None] = [None] * len(names)
            notes: list[str] = []
            try:
                if inst.unit == "segment":
                    segs = [units[k] for k in sorted(units) if k[0] == "segment"]
                    for rolled in roll_up(inst, segs):
                        values[col[rolled.id.lower()]] = rolled.value
                        if rolled.reason:
                            notes.append(f"{rolled.id}: {rolled.reason}")
                    unit = "segments (roll-up)"
                else:
                    for sc in score_responses(inst, units.get(("session", 0), {})).scores:
                        values[col[sc.id.lower()]] = sc.value
                        if sc.reason:
                            notes.append(f"{sc.id}: {sc.reason}")
                    unit = "session"
            except InputError as exc:
                notes.append(str(exc))
                unit = inst.unit
            yield (
                rec,
                session,
                phase(session),
                coder,
                purpose,
                aid,
                analysis,
                status,
                completed,
                inst.id,
                inst.version,
                vid,
                unit,
                *values,
                "; ".join(notes) or None,
            )

    return Sheet("Scores", cols, rows())
