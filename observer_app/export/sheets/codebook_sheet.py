"""The Codebook sheet (one row per variable of every table) and the Definitions sheet (every
scheme and instrument version, element by element)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from observer_app.coding.definitions import Instrument, Scheme
from observer_app.export.sheets.base import Row, Sheet, StudyData
from observer_app.export.workbook import BOOL_LABELS, Column, csv_file_name

#: The codebook's type of each column kind (what the CSV, .sav and .dta files hold).
TYPE_OF_KIND = {
    "text": "text",
    "key": "text",
    "json": "text (JSON)",
    "int": "integer",
    "number": "number",
    "float": "number",
    "seconds": "number",
    "time": "time (hh:mm:ss.000 text in CSV)",
    "bool": "boolean (1 = yes, 0 = no)",
    "date": "date (YYYY-MM-DD)",
    "datetime": "date-time (UTC, YYYY-MM-DD hh:mm:ss)",
}

VARIABLE_COLUMNS = (
    Column("table_name", "key", 14, label="sheet of the workbook"),
    Column("csv_file", "key", 16, label="its CSV file"),
    Column("position", "int", 9, label="column number in the table (from 1)"),
    Column("variable", "key", 24, label="variable name (letters, digits, _; R, SPSS, Stata)"),
    Column("label", "text", 40, label="what the variable holds (original name where renamed)"),
    Column("type", "key", 14, label="value type"),
    Column("unit", "key", 12, label="unit of measurement"),
    Column("allowed_values", "text", 18, label="allowed values or range"),
    Column("value_labels", "text", 24, label="value = label pairs"),
    Column("source", "key", 16, label="scheme or instrument the variable comes from"),
    Column("source_version", "key", 12, label="its version"),
    Column("key_signoff", "key", 12, label="key sign-off status of the source instrument"),
    Column("verify", "text", 40, label="facts of the source not confirmed from a citable source"),
)


def _signoff(info: Any) -> str | None:
    """The key sign-off status of a definition version, where the study records one."""
    for attr in ("key_signoff", "signoff_status", "signoff"):
        value = getattr(info, attr, None)
        if value is not None:
            return str(value)
    return None


def codebook(data: StudyData, sheets: Sequence[Sheet]) -> Sheet:
    """One row per variable of every table (this one included, first)."""
    by_source: dict[tuple[str, str], tuple[str | None, str | None]] = {}
    for v in data.versions:
        definition: Instrument | Scheme | None = (
            data.schemes.get(v.id) if v.kind == "scheme" else data.instruments.get(v.id)
        )
        notes = "; ".join(getattr(definition, "verify", ()) or ()) or None
        by_source[(v.definition_id, v.version)] = (_signoff(v), notes)

    def rows() -> Iterator[Row]:
        own = Sheet("Codebook", VARIABLE_COLUMNS, iter(()))
        for sheet in (*sheets[:1], own, *sheets[1:]):
            for k, c in enumerate(sheet.columns, start=1):
                signoff, notes = by_source.get(
                    (c.source or "", c.source_version or ""), (None, None)
                )
                yield (
                    sheet.name,
                    csv_file_name(sheet.name),
                    k,
                    c.name,
                    c.label or c.name,
                    TYPE_OF_KIND[c.kind],
                    c.unit,
                    c.allowed,
                    "; ".join(f"{v} = {lab}" for v, lab in c.value_labels) or None,
                    c.source,
                    c.source_version,
                    c.signoff or signoff,
                    c.verify or notes,
                )

    return Sheet("Codebook", VARIABLE_COLUMNS, rows())


#: The Definitions sheet's columns.
CODEBOOK_COLUMNS = (
    Column("definition_kind", "key", 12, label="scheme or instrument"),
    Column("definition_id", "key", 18, label="scheme or instrument id"),
    Column("definition_version", "key", 10, label="its own version"),
    Column("version_id", "int", 10, label="stored definition version (content hash)"),
    Column("attached", "bool", 9, label="attached to the study", value_labels=BOOL_LABELS),
    Column("element", "key", 11, label="kind of element (code, item, score, anchor, ...)"),
    Column("id", "key", 14, label="element id"),
    Column("label", "text", 36, label="element label"),
    Column("belongs_to", "key", 16, label="category, subscale or scale it belongs to"),
    Column("type", "key", 10, label="element type (point/state, scale, method, ...)"),
    Column("value", "key", 10, label="scale range or anchor value"),
    Column("details", "text", 60, label="details: keys, choices, items, citation [version hash]"),
)


def definitions(data: StudyData) -> Sheet:
    def rows() -> Iterator[Row]:
        for v in data.versions:
            head = ("scheme" if v.kind == "scheme" else "instrument", v.definition_id, v.version)
            base = (*head, v.id, v.attached)
            if v.kind == "scheme":
                yield from ((*base, *r) for r in _scheme_rows(data.schemes[v.id], v.content_hash))
            else:
                yield from (
                    (*base, *r) for r in _instrument_rows(data.instruments[v.id], v.content_hash)
                )
                yield (*base, "key_check", None, data.key_check(v.id), None, None, None, None)
                yield from ((*base, *r) for r in _verify_rows(data.instruments[v.id]))

    return Sheet("Definitions", CODEBOOK_COLUMNS, rows())


def _scheme_rows(s: Scheme, digest: str) -> Iterator[Row]:
    yield ("scheme", s.id, s.name, None, None, None, f"{s.citation.strip()} [{digest}]")
    for c in s.categories:
        yield ("category", c.id, c.label, None, None, None, None)
    for code in s.codes:
        details = "; ".join(
            x
            for x in (
                f"key {code.key}" if code.key else "",
                f"colour {code.colour}",
                code.description,
            )
            if x
        )
        yield ("code", code.id, code.label, code.category, code.kind, None, details)
        for m in code.modifiers:
            if m.type in ("single", "multiple"):
                detail = "choices: " + ", ".join(m.choices)
            elif m.type == "range":
                detail = f"range {m.min}..{m.max}" + (" (whole numbers)" if m.integer else "")
            else:
                detail = f"text up to {m.max_length} characters" if m.max_length else "text"
            req = "required; " if m.required else ""
            yield ("modifier", m.id, m.label, code.id, m.type, None, req + detail)
    for g in s.exclusive_groups:
        yield ("exclusive", g.id, g.label, None, None, None, ", ".join(g.codes))
    if s.segments is not None:
        yield (
            "segments",
            None,
            f"{s.segments.minutes}-minute segments",
            None,
            None,
            str(s.segments.minutes),
            f"rated with {s.segments.instrument}" if s.segments.instrument else None,
        )
    for inst in s.session_instruments:
        yield ("session_instrument", inst, None, None, None, None, None)
    for note in s.verify:
        yield ("verify", None, note, None, None, None, None)


def _instrument_rows(inst: Instrument, digest: str) -> Iterator[Row]:
    head = f"{inst.citation.strip()} [{digest}]"
    yield ("instrument", inst.id, inst.name, None, inst.unit, inst.perspective, head)
    for sc in inst.scales:
        detail = "not rated allowed" if sc.allow_not_rated else None
        yield ("scale", sc.id, None, None, None, f"{sc.min}..{sc.max}", detail)
        for value, label in sc.anchors:
            yield ("anchor", str(value), label, sc.id, None, str(value), None)
    for sub in inst.subscales:
        yield ("subscale", sub.id, sub.label, None, sub.method, None, None)
    for item in inst.items:
        flags = [f for f, on in (("reverse", item.reverse), ("optional", not item.required)) if on]
        yield (
            "item",
            item.id,
            item.label,
            ", ".join(item.subscales) or None,
            item.scale,
            None,
            ", ".join(flags) or None,
        )
    rule = f"valid when at least {inst.scoring.min_answered:.0%} of its items are answered"
    for d in inst.score_definitions():
        yield (
            "score",
            d.id,
            d.label,
            d.kind,
            d.method,
            None,
            f"items {', '.join(d.items)}; {rule}",
        )
    for r in inst.rollup:
        extra = f"; marked at >= {r.marked_at_least}" if r.marked_at_least is not None else ""
        yield ("rollup", r.id, r.label, r.source, r.method, None, f"over segments{extra}")


def _verify_rows(inst: Instrument) -> Iterator[Row]:
    """Every unconfirmed fact of the file (``verify``), so no reader takes it as confirmed."""
    for note in inst.verify:
        yield ("verify", None, note, None, None, None, None)
    for sub in inst.subscales:
        for note in sub.verify:
            yield ("verify", sub.id, note, "subscale", None, None, None)
    for item in inst.items:
        for note in item.verify:
            yield ("verify", item.id, note, "item", None, None, None)
