"""The Codebook sheet: every attached scheme and instrument version, element by element."""

from __future__ import annotations

from collections.abc import Iterator

from observer_app.coding.definitions import Instrument, Scheme
from observer_app.export.sheets.base import Row, Sheet, StudyData
from observer_app.export.workbook import Column

CODEBOOK_COLUMNS = (
    Column("definition_kind", "key", 12),
    Column("definition_id", "key", 18),
    Column("definition_version", "key", 10),
    Column("version_id", "int", 10),
    Column("attached", "bool", 9),
    Column("element", "key", 11),
    Column("id", "key", 14),
    Column("label", "text", 36),
    Column("belongs_to", "key", 16),
    Column("type", "key", 10),
    Column("value", "key", 10),
    Column("details", "text", 60),
)


def codebook(data: StudyData) -> Sheet:
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

    return Sheet("Codebook", CODEBOOK_COLUMNS, rows())


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
