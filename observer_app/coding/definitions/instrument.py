"""Rating instruments (WAI-O, VTAS, CALPAS, ...) as validated, immutable data.

An instrument file is TOML (see ``resources/instruments/`` and the README). It is parsed and
validated into an :class:`Instrument`; every problem of the file is reported at once, each with
the file, the field path, its line and what is wrong. The canonical dict
(:meth:`Instrument.to_canonical_dict`) is the parseable, default-filled form whose SHA-256 is
the instrument's version identity (:attr:`Instrument.content_hash`).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from observer_app.coding.definitions._source import (
    Collector,
    Reader,
    load_toml,
    show,
    verify_notes,
)
from observer_app.coding.definitions.hashing import content_hash_of

FORMAT_VERSION = 1
PERSPECTIVES = ("observer", "client", "therapist")
UNITS = ("session", "segment")
SCORE_METHODS = ("mean", "sum")
ROLLUP_METHODS = ("mean", "max", "count_marked")
DEFAULT_SCALE = "default"
TOTAL_SCORE_ID = "total"

_DEFINITION_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_ITEM_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_MAX_SCALE_POINTS = 101


@dataclass(frozen=True)
class ResponseScale:
    """The values an item can take: ``min``..``max`` (whole numbers) and their anchor labels."""

    id: str
    min: int
    max: int
    anchors: tuple[tuple[int, str], ...] = ()
    allow_not_rated: bool = False
    not_rated_label: str = "Not rated"

    @property
    def points(self) -> range:
        return range(self.min, self.max + 1)

    def anchor(self, value: int) -> str | None:
        """The anchor label of ``value`` (``None`` for an unlabelled point)."""
        return dict(self.anchors).get(value)

    def reverse(self, value: int) -> int:
        """The reverse-keyed value: ``min + max - value`` (1..7: 1 <-> 7, 4 stays 4)."""
        return self.min + self.max - value

    def to_canonical_dict(self) -> dict[str, Any]:
        return {
            "min": self.min,
            "max": self.max,
            "anchors": {str(v): label for v, label in self.anchors},
            "allow_not_rated": self.allow_not_rated,
            "not_rated_label": self.not_rated_label,
        }


@dataclass(frozen=True)
class Item:
    """One rated item. ``text`` is ``None`` when the wording is not shipped (see text packs)."""

    id: str
    text: str | None
    label: str = ""
    subscales: tuple[str, ...] = ()
    reverse: bool = False
    required: bool = True
    scale: str = DEFAULT_SCALE
    verify: tuple[str, ...] = ()

    def to_canonical_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "text": self.text or "",
            "subscales": list(self.subscales),
            "reverse": self.reverse,
            "required": self.required,
            "scale": self.scale,
            "verify": list(self.verify),
        }


@dataclass(frozen=True)
class Subscale:
    id: str
    label: str
    method: str
    verify: tuple[str, ...] = ()

    def to_canonical_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "method": self.method,
            "verify": list(self.verify),
        }


@dataclass(frozen=True)
class CompositeScore:
    """A score over an explicit list of items (e.g. Penn HAr Type 1 signs)."""

    id: str
    label: str
    items: tuple[str, ...]
    method: str

    def to_canonical_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "items": list(self.items),
            "method": self.method,
        }


@dataclass(frozen=True)
class Scoring:
    """How scores are formed: ``method`` after reverse keying, and the minimum answered share."""

    method: str = "mean"
    min_answered: float = 1.0
    total: bool = True
    total_label: str = "Total"
    scores: tuple[CompositeScore, ...] = ()

    def to_canonical_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "min_answered": float(self.min_answered),
            "total": self.total,
            "total_label": self.total_label,
            "scores": [s.to_canonical_dict() for s in self.scores],
        }


@dataclass(frozen=True)
class RollupRule:
    """How per-segment values of an item or score become one session value.

    ``mean`` and ``max`` of the segments that have a value; ``count_marked``: the number of
    segments whose value is at least ``marked_at_least``.
    """

    id: str
    label: str
    source: str
    method: str
    marked_at_least: int | None = None

    def to_canonical_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "label": self.label,
            "source": self.source,
            "method": self.method,
        }
        if self.marked_at_least is not None:
            data["marked_at_least"] = self.marked_at_least
        return data


@dataclass(frozen=True)
class ScoreDefinition:
    """A subscale, composite or total score: its items and method (derived, not stored)."""

    id: str
    label: str
    kind: str  # "subscale" | "composite" | "total"
    items: tuple[str, ...]
    method: str
    verify: bool = False  # the subscale or one of its items carries a `verify` note


@dataclass(frozen=True)
class Instrument:
    """A validated rating instrument. Build it with :func:`parse_instrument`."""

    id: str
    name: str
    version: str
    citation: str
    license: str
    perspective: str
    unit: str
    scales: tuple[ResponseScale, ...]
    items: tuple[Item, ...]
    subscales: tuple[Subscale, ...] = ()
    scoring: Scoring = Scoring()
    rollup: tuple[RollupRule, ...] = ()
    validated: bool = False
    notes: str = ""
    verify: tuple[str, ...] = ()

    # -- lookups --------------------------------------------------------------------------
    @property
    def scale(self) -> ResponseScale:
        """The default response scale."""
        return self.scale_by_id(DEFAULT_SCALE)

    def scale_by_id(self, scale_id: str) -> ResponseScale:
        for scale in self.scales:
            if scale.id == scale_id:
                return scale
        raise KeyError(scale_id)

    def item(self, item_id: str) -> Item:
        return self._items_by_id[item_id]

    @cached_property
    def _items_by_id(self) -> dict[str, Item]:
        return {i.id: i for i in self.items}

    def scale_of(self, item: Item) -> ResponseScale:
        return self.scale_by_id(item.scale)

    def subscale_label(self, subscale_id: str) -> str:
        for sub in self.subscales:
            if sub.id == subscale_id:
                return sub.label
        return subscale_id

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.items)

    @property
    def has_item_text(self) -> bool:
        """Whether the file carries item wording (published instruments ship none)."""
        return any(i.text for i in self.items)

    @property
    def needs_verification(self) -> bool:
        return bool(self.verify) or any(i.verify for i in self.items)

    def score_definitions(self) -> tuple[ScoreDefinition, ...]:
        """Subscales (in declared order), then composite scores, then the total if scored."""
        return self._score_definitions

    @cached_property
    def _score_definitions(self) -> tuple[ScoreDefinition, ...]:
        flagged = {i.id for i in self.items if i.verify}
        result = []
        for sub in self.subscales:
            members = tuple(i.id for i in self.items if sub.id in i.subscales)
            result.append(
                ScoreDefinition(
                    sub.id,
                    sub.label,
                    "subscale",
                    members,
                    sub.method,
                    bool(sub.verify) or bool(flagged & set(members)),
                )
            )
        for comp in self.scoring.scores:
            result.append(
                ScoreDefinition(
                    comp.id,
                    comp.label,
                    "composite",
                    comp.items,
                    comp.method,
                    bool(flagged & set(comp.items)),
                )
            )
        if self.scoring.total:
            result.append(
                ScoreDefinition(
                    TOTAL_SCORE_ID,
                    self.scoring.total_label,
                    "total",
                    self.item_ids,
                    self.scoring.method,
                    bool(flagged),
                )
            )
        return tuple(result)

    # -- identity ---------------------------------------------------------------------------
    def to_canonical_dict(self) -> dict[str, Any]:
        """The default-filled content, in the input format (``parse_instrument_data`` reads it)."""
        scales = {s.id: s.to_canonical_dict() for s in self.scales if s.id != DEFAULT_SCALE}
        return {
            "kind": "instrument",
            "format_version": FORMAT_VERSION,
            "id": self.id,
            "name": self.name,
            "version": self.version,
            "citation": self.citation,
            "license": self.license,
            "perspective": self.perspective,
            "unit": self.unit,
            "validated": self.validated,
            "notes": self.notes,
            "verify": list(self.verify),
            "scale": self.scale.to_canonical_dict(),
            "scales": scales,
            "subscales": [s.to_canonical_dict() for s in self.subscales],
            "items": [i.to_canonical_dict() for i in self.items],
            "scoring": self.scoring.to_canonical_dict(),
            "rollup": [r.to_canonical_dict() for r in self.rollup],
        }

    @cached_property
    def content_hash(self) -> str:
        """``sha256:...`` of the canonical JSON: the version identity of this definition."""
        return content_hash_of(self.to_canonical_dict())

    def summary(self) -> dict[str, Any]:
        """One row for listings: id, name, version, items, subscales, perspective, unit, text."""
        return {
            "id": self.id,
            "name": self.name,
            "version": self.version,
            "items": len(self.items),
            "subscales": [s.id for s in self.subscales],
            "perspective": self.perspective,
            "unit": self.unit,
            "item_text": self.has_item_text,
            "validated": self.validated,
            "verify": self.needs_verification,
            "hash": self.content_hash,
        }


# ------------------------------------------------------------------------------------------
# Parsing and validation
# ------------------------------------------------------------------------------------------

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
    kind = data.get("kind", "instrument")
    if kind != "instrument":
        top.problem("kind", f"{show(kind)} is not 'instrument' (is this a coding scheme?)")
    fmt = data.get("format_version", FORMAT_VERSION)
    if fmt != FORMAT_VERSION:
        top.problem("format_version", f"{show(fmt)} is not supported (this version reads 1)")
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
    _check_scores(top, instrument)
    rollup = _parse_rollup(top, instrument)
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


def _check_scores(top: Reader, instrument: Instrument) -> None:
    """Composite scores name known items; no score mixes items rated on different scales."""
    known = set(instrument.item_ids)
    score_ids = [s.id for s in instrument.subscales]
    for index, comp in enumerate(instrument.scoring.scores):
        path = ("scoring", "scores", index)
        if comp.id in score_ids or comp.id == TOTAL_SCORE_ID:
            top.out.add((*path, "id"), f"score id {show(comp.id)} is already used")
        score_ids.append(comp.id)
        if not comp.items:
            top.out.add((*path, "items"), "a score needs at least one item")
        for j, item_id in enumerate(comp.items):
            if item_id not in known:
                top.out.add((*path, "items", j), f"names unknown item {show(item_id)}")
    scale_ids = {s.id for s in instrument.scales}
    for score in instrument.score_definitions():
        scales = {instrument.item(i).scale for i in score.items if i in known} & scale_ids
        if len(scales) > 1:
            path = _score_path(instrument, score)
            top.out.add(
                path,
                f"score {show(score.id)} mixes items rated on different scales "
                f"({', '.join(sorted(scales))}); give it items of one scale",
            )
        if score.kind == "subscale" and not score.items:
            top.out.add(_score_path(instrument, score), f"subscale {show(score.id)} has no items")


def _score_path(instrument: Instrument, score: ScoreDefinition) -> tuple[Any, ...]:
    if score.kind == "subscale":
        return ("subscales", [s.id for s in instrument.subscales].index(score.id))
    if score.kind == "composite":
        return ("scoring", "scores", [s.id for s in instrument.scoring.scores].index(score.id))
    return ("scoring", "total")


def _parse_rollup(top: Reader, instrument: Instrument) -> tuple[RollupRule, ...]:
    readers = top.tables("rollup")
    if readers and instrument.unit != "segment":
        top.problem("rollup", "roll-up rules apply only to instruments rated per segment")
    values: dict[str, tuple[str, ...]] = {i.id: (i.scale,) for i in instrument.items}
    for score in instrument.score_definitions():
        values.setdefault(
            score.id,
            tuple({instrument.item(i).scale for i in score.items if i in instrument.item_ids}),
        )
    rules: list[RollupRule] = []
    seen: set[str] = set()
    for reader in readers:
        reader.check_keys(("id", "label", "source", "method", "marked_at_least"))
        r_id = reader.string("id")
        if r_id in seen:
            reader.problem("id", f"duplicate roll-up id {show(r_id)}")
        seen.add(r_id)
        source = reader.string("source")
        if source and source not in values:
            reader.problem("source", f"{show(source)} is not an item or score of this instrument")
        method = reader.choice("method", ROLLUP_METHODS)
        marked: int | None = None
        if method == "count_marked":
            marked = reader.integer("marked_at_least")
            scales = [
                instrument.scale_by_id(s)
                for s in values.get(source, ())
                if s in {x.id for x in instrument.scales}
            ]
            for scale in scales:
                if "marked_at_least" in reader.data and not scale.min <= marked <= scale.max:
                    reader.problem(
                        "marked_at_least", f"{marked} is outside the scale {scale.min}..{scale.max}"
                    )
        elif "marked_at_least" in reader.data:
            reader.problem("marked_at_least", "only 'count_marked' roll-ups take marked_at_least")
        rules.append(
            RollupRule(r_id, reader.string("label", required=False) or r_id, source, method, marked)
        )
    return tuple(rules)
