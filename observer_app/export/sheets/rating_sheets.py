"""The rating sheets: Ratings (one row per item response) and Scores (scored forms)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

from observer_app.coding.definitions import Instrument, roll_up, score_responses
from observer_app.coding.errors import InputError
from observer_app.coding.varnames import unique_names
from observer_app.export.sheets.base import Row, Sheet, StudyData
from observer_app.export.workbook import BOOL_LABELS, Column
from observer_app.services.streams import RatingRow

INSTRUMENT_COLUMNS = (
    Column("instrument", "key", 18, label="instrument id (Definitions sheet)"),
    Column("instrument_version", "key", 10, label="instrument's own version"),
    Column("version_id", "int", 10, label="stored definition version (content hash)"),
)


def ratings(data: StudyData) -> Sheet:
    cols = (
        Column("rating_id", "int", 10, label="rating"),
        *data.context.columns,
        *INSTRUMENT_COLUMNS,
        Column("unit", "key", 9, label="what was rated", allowed="session, segment"),
        Column("segment", "int", 9, label="segment number (from 1); empty for a session"),
        Column("item_id", "key", 8, label="item id"),
        Column("item_label", "text", 24, label="item label"),
        Column("subscales", "key", 16, label="subscales the item belongs to"),
        Column("reverse", "bool", 9, label="reverse-keyed item", value_labels=BOOL_LABELS),
        Column("value", "number", 8, label="answer as given"),
        Column("keyed_value", "number", 12, label="answer after reverse keying"),
        Column("missing_reason", "text", 16, label="why the item has no value"),
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
                *data.context.of(r.assignment_id),
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


def forms(
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


Units = dict[tuple[str, int], dict[str, int | None]]


def form_scores(
    inst: Instrument, units: Units
) -> tuple[list[tuple[str, float | None]], list[str], str, list[str]]:
    """One form's scores (``<score>_mean`` and ``<score>_sum`` of every subscale, composite and
    total: published norms are sums; segment instruments: their roll-ups), the reasons for
    missing (or prorated) ones, the scored unit, and the scores resting on unconfirmed facts."""
    scored: list[tuple[str, float | None]] = []
    notes: list[str] = []
    provisional: list[str] = []
    try:
        if inst.unit == "segment":
            segs = [units[k] for k in sorted(units) if k[0] == "segment"]
            for rolled in roll_up(inst, segs):
                scored.append((rolled.id, rolled.value))
                if rolled.reason:
                    notes.append(f"{rolled.id}: {rolled.reason}")
            return scored, notes, "segments (roll-up)", provisional
        for sc in score_responses(inst, units.get(("session", 0), {})).scores:
            scored += [(f"{sc.id}_mean", sc.mean), (f"{sc.id}_sum", sc.sum)]
            if sc.reason:
                notes.append(f"{sc.id}: {sc.reason}")
            elif sc.prorated:
                notes.append(f"{sc.id}: sum prorated ({sc.answered} of {sc.items})")
            if sc.verify:
                provisional.append(sc.id)
        return scored, notes, "session", provisional
    except InputError as exc:
        return [], [str(exc)], inst.unit, provisional


def score_ids(inst: Instrument) -> list[tuple[str, str]]:
    """(column id, label) of every score value ``form_scores`` gives for ``inst``."""
    if inst.unit == "segment":
        return [(r.id, r.label or r.id) for r in inst.rollup]
    return [
        (f"{d.id}_{part}", f"{d.label or d.id} ({part})")
        for d in inst.score_definitions()
        for part in ("mean", "sum")
    ]


def score_columns(data: StudyData) -> list[str]:
    """One column per score value shared across instruments (ignoring case): ``<score>_mean``
    and ``<score>_sum`` for every subscale, composite and total, ``<rollup>`` for roll-ups."""
    names: list[str] = []
    for inst in data.instruments.values():
        ids = [i for i, _ in score_ids(inst)]
        names += [n for n in ids if n.lower() not in {x.lower() for x in names}]
    return names


def scores(data: StudyData) -> Sheet:
    names = score_columns(data)
    col = {n.lower(): k for k, n in enumerate(names)}
    fixed = (
        *data.context.columns,
        *INSTRUMENT_COLUMNS,
        Column("unit", "key", 16, label="scored unit", allowed="session, segments (roll-up)"),
    )
    taken = [c.name for c in fixed] + ["notes", "key_check", "verify"]
    headers = unique_names(taken + names)[len(taken) :]
    cols = (
        *fixed,
        *(
            Column(h, "float", max(9.0, len(h) + 2), label=f"score {n} (of its row's instrument)")
            for h, n in zip(headers, names, strict=True)
        ),
        Column("notes", "text", 40, label="why a score has no value"),
        Column("key_check", "text", 30, label="who checked the key, when, against what"),
        Column("verify", "text", 30, label="scores resting on unconfirmed facts (see Codebook)"),
    )

    def rows() -> Iterator[Row]:
        for (aid, vid), units in sorted(forms(data.ratings()).items()):
            inst = data.instruments.get(vid)
            if inst is None or aid not in data.assignments:
                continue
            values: list[float | None] = [None] * len(names)
            scored, notes, unit, provisional = form_scores(inst, units)
            for sid, value in scored:
                values[col[sid.lower()]] = value
            verify = (
                f"provisional ({', '.join(provisional)}): unconfirmed facts, see Codebook"
                if provisional
                else ("unconfirmed facts, see Codebook" if inst.needs_verification else None)
            )
            yield (
                *data.context.of(aid),
                inst.id,
                inst.version,
                vid,
                unit,
                *values,
                "; ".join(notes) or None,
                data.key_check(vid),
                verify,
            )

    return Sheet("Scores", cols, rows())
