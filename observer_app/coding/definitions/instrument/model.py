"""The instrument model: response scales, items, subscales, scoring and roll-up rules, and the
frozen :class:`Instrument` with its lookups, score definitions and canonical (hashed) form."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from observer_app.coding.definitions.hashing import content_hash_of

FORMAT_VERSION = 1
PERSPECTIVES = ("observer", "client", "therapist")
UNITS = ("session", "segment")
SCORE_METHODS = ("mean", "sum")
ROLLUP_METHODS = ("mean", "max", "count_marked")
DEFAULT_SCALE = "default"
TOTAL_SCORE_ID = "total"


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
        # An item is unconfirmed when it, or a subscale it belongs to, carries a `verify` note:
        # every score over such an item (subscale, composite, total) is flagged.
        doubtful = {s.id for s in self.subscales if s.verify}
        flagged = {i.id for i in self.items if i.verify or doubtful & set(i.subscales)}
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
