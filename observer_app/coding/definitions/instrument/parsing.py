"""Parsing and validation of instrument TOML into an :class:`Instrument`: every problem of the
file is collected (file, field path, line, what is wrong) and raised at once."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from observer_app.coding.definitions._source import (
    Collector,
    Reader,
    check_header,
    load_toml,
    show,
    verify_notes,
)
from observer_app.coding.definitions.instrument.cross_checks import check_scores, parse_rollup
from observer_app.coding.definitions.instrument.model import (
    DEFAULT_SCALE,
    FORMAT_VERSION,
    PERSPECTIVES,
    SCORE_METHODS,
    UNITS,
    CompositeScore,
    Instrument,
    Item,
    ResponseScale,
    Scoring,
    Subscale,
)

_DEFINITION_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_ITEM_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_MAX_SCALE_POINTS = 101

_TOP_KEYS = (
    "kind",
    "format_version",
    "id",
    "name",
    "version",
    "citation",
    "license",
    "perspective",
    "unit",
    "validated",
    "notes",
    "verify",
    "scale",
    "scales",
    "subscales",
    "items",
    "scoring",
    "rollup",
)


def parse_instrument(text: str, source_name: str) -> Instrument:
    """Parse and validate instrument TOML; raise ``DefinitionProblems`` listing every problem."""
    data = load_toml(text, source_name)
    return parse_instrument_data(data, source_name, text)


def parse_instrument_data(
    data: Mapping[str, Any], source_name: str, text: str | None = None
) -> Instrument:
    """Validate an instrument given as a dict (TOML-decoded or a canonical dict)."""
    out = Collector(source_name, text)
    top = Reader(data, (), out)
    top.check_keys(_TOP_KEYS)
    check_header(top, "instrument", "a coding scheme", FORMAT_VERSION)
    ident = _definition_id(top, "id")
    name = top.string("name")
    version = top.string("version")
    citation = top.string("citation")
    license_note = top.string("license")
    perspective = top.choice("perspective", PERSPECTIVES)
    unit = top.choice("unit", UNITS)
    validated = top.boolean("validated", False)
    notes = top.string("notes", required=False)
    verify = verify_notes(top)

    scales = _parse_scales(top)
    named = top.data.get("scales")
    scale_ids = {DEFAULT_SCALE} | (set(named) if isinstance(named, dict) else set())
    subscales_raw = _parse_subscales(top)
    scoring = _parse_scoring(top)
    subscales = tuple(
        Subscale(s_id, label, method or scoring.method, notes)
        for s_id, label, method, notes in subscales_raw
    )
    items = _parse_items(top, scale_ids, [s.id for s in subscales])
    instrument = Instrument(
        id=ident,
        name=name,
        version=version,
        citation=citation,
        license=license_note,
        perspective=perspective,
        unit=unit,
        scales=scales,
        items=items,
        subscales=subscales,
        scoring=scoring,
        rollup=(),
        validated=validated,
        notes=notes,
        verify=verify,
    )
    check_scores(top, instrument)
    rollup = parse_rollup(top, instrument)
    out.raise_if_any()
    return dataclasses.replace(instrument, rollup=rollup)


def _definition_id(reader: Reader, key: str) -> str:
    value = reader.string(key)
    if value and not _DEFINITION_ID.match(value):
        reader.problem(
            key, f"{show(value)} must be lower-case letters, digits, '.', '_' or '-' (e.g. 'wai-o')"
        )
    return value


def _parse_scale(reader: Reader, scale_id: str) -> ResponseScale | None:
    reader.check_keys(
        ("min", "max", "anchors", "allow_not_rated", "not_rated_label", "reverse_sum")
    )
    low = reader.integer("min")
    high = reader.integer("max")
    ok = True
    if "min" in reader.data and "max" in reader.data and low >= high:
        reader.problem("max", f"max ({high}) must be greater than min ({low})")
        ok = False
    elif high - low + 1 > _MAX_SCALE_POINTS:
        reader.problem("max", f"a scale may have at most {_MAX_SCALE_POINTS} points")
        ok = False
    anchors: list[tuple[int, str]] = []
    anchor_table = reader.table("anchors")
    if anchor_table is not None:
        for key, label in anchor_table.data.items():
            try:
                value = int(key)
            except ValueError:
                anchor_table.problem(key, f"anchor key {show(key)} is not a whole number")
                continue
            if ok and not low <= value <= high:
                anchor_table.problem(key, f"anchor {value} is outside the scale {low}..{high}")
            if not isinstance(label, str) or not label.strip():
                anchor_table.problem(key, "anchor label must be a non-empty string")
                continue
            anchors.append((value, label))
    reverse_sum = reader.data.get("reverse_sum")
    if reverse_sum is not None and ok:
        if isinstance(reverse_sum, bool) or not isinstance(reverse_sum, int):
            reader.problem("reverse_sum", "must be a whole number (reversed = reverse_sum - x)")
        elif reverse_sum != low + high:
            reader.problem(
                "reverse_sum",
                f"reverse key {reverse_sum} - x maps {low}..{high} to "
                f"{reverse_sum - high}..{reverse_sum - low}, outside the scale {low}..{high} "
                f"(reverse keying on this scale is {low + high} - x)",
            )
    allow_not_rated = reader.boolean("allow_not_rated", False)
    not_rated_label = reader.string("not_rated_label", required=False, default="Not rated")
    if not ok:
        return None
    return ResponseScale(
        scale_id, low, high, tuple(sorted(anchors)), allow_not_rated, not_rated_label or "Not rated"
    )


def _parse_scales(top: Reader) -> tuple[ResponseScale, ...]:
    scales: list[ResponseScale] = []
    default = top.table("scale", required=True)
    if default is not None:
        parsed = _parse_scale(default, DEFAULT_SCALE)
        if parsed:
            scales.append(parsed)
    named = top.table("scales")
    if named is not None:
        for scale_id in named.data:
            if scale_id == DEFAULT_SCALE:
                named.problem(scale_id, f"'{DEFAULT_SCALE}' is the [scale] table; use another name")
                continue
            sub = named.table(scale_id)
            if sub is not None:
                parsed = _parse_scale(sub, scale_id)
                if parsed:
                    scales.append(parsed)
    return tuple(scales)


def _parse_subscales(top: Reader) -> list[tuple[str, str, str | None, tuple[str, ...]]]:
    result: list[tuple[str, str, str | None, tuple[str, ...]]] = []
    seen: set[str] = set()
    for sub in top.tables("subscales"):
        sub.check_keys(("id", "label", "method", "verify"))
        s_id = sub.string("id")
        if s_id in seen:
            sub.problem("id", f"duplicate subscale id {show(s_id)}")
        seen.add(s_id)
        label = sub.string("label", required=False) or s_id
        method = sub.choice("method", SCORE_METHODS) if "method" in sub.data else None
        result.append((s_id, label, method, verify_notes(sub)))
    return result


def _parse_items(top: Reader, scale_ids: set[str], subscale_ids: list[str]) -> tuple[Item, ...]:
    readers = top.tables("items")
    if not readers and isinstance(top.data.get("items", []), list):
        top.problem(None, "an instrument needs at least one [[items]] table")
    items: list[Item] = []
    seen: set[str] = set()
    for reader in readers:
        reader.check_keys(
            (
                "id",
                "label",
                "text",
                "subscale",
                "subscales",
                "reverse",
                "required",
                "scale",
                "verify",
            )
        )
        item_id = reader.string("id")
        if item_id and not _ITEM_ID.match(item_id):
            reader.problem("id", f"{show(item_id)} must be letters, digits, '.', '_' or '-'")
        if item_id in seen:
            reader.problem("id", f"duplicate item id {show(item_id)}")
        seen.add(item_id)
        key = "subscales" if "subscales" in reader.data else "subscale"
        subs = reader.string_list(key, allow_single=True)
        for index, sub in enumerate(subs):
            if sub not in subscale_ids:
                known = ", ".join(subscale_ids) if subscale_ids else "(no [[subscales]] declared)"
                single = isinstance(reader.data.get(key), str)
                path = reader.at(key) if single else (*reader.at(key), index)
                reader.out.add(path, f"{show(sub)} is not one of {known}")
        if len(set(subs)) != len(subs):
            reader.problem(key, "lists a subscale twice")
        scale = reader.string("scale", required=False, default=DEFAULT_SCALE) or DEFAULT_SCALE
        if scale not in scale_ids:
            reader.problem(
                "scale",
                f"{show(scale)} is not a declared scale ({', '.join(sorted(scale_ids)) or 'none'})",
            )
        text = reader.optional_string("text")
        items.append(
            Item(
                id=item_id,
                text=text,
                label=reader.string("label", required=False),
                subscales=subs,
                reverse=reader.boolean("reverse", False),
                required=reader.boolean("required", True),
                scale=scale,
                verify=verify_notes(reader),
            )
        )
    return tuple(items)


def _parse_scoring(top: Reader) -> Scoring:
    reader = top.table("scoring")
    if reader is None:
        return Scoring()
    reader.check_keys(("method", "min_answered", "total", "total_label", "scores"))
    method = reader.choice("method", SCORE_METHODS, default="mean")
    share = reader.number("min_answered")
    if share is None:
        share = 1.0
    elif not 0 < share <= 1:
        reader.problem("min_answered", f"{share} must be a share in (0, 1], e.g. 0.8 for 80%")
        share = 1.0
    composites: list[CompositeScore] = []
    for sub in reader.tables("scores"):
        sub.check_keys(("id", "label", "items", "method"))
        c_id = sub.string("id")
        composites.append(
            CompositeScore(
                c_id,
                sub.string("label", required=False) or c_id,
                sub.string_list("items"),
                sub.choice("method", SCORE_METHODS, default=method),
            )
        )
    return Scoring(
        method=method,
        min_answered=float(share),
        total=reader.boolean("total", True),
        total_label=reader.string("total_label", required=False, default="Total") or "Total",
        scores=tuple(composites),
    )
