"""The scheme model: codes with their modifiers (and the validation of modifier values),
categories, mutually exclusive groups, segmenting, and the frozen :class:`Scheme` with its
lookups and canonical (hashed) form."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from observer_app.coding.definitions._source import show
from observer_app.coding.definitions.hashing import content_hash_of
from observer_app.coding.definitions.scheme.keys import normalize_key
from observer_app.coding.errors import InputError

FORMAT_VERSION = 1
CODE_KINDS = ("point", "state")
MODIFIER_TYPES = ("single", "multiple", "range", "text")
DEFAULT_COLOUR = "#808080"
MS_PER_MINUTE = 60_000


@dataclass(frozen=True)
class Modifier:
    """A value attached to a logged event of a code (e.g. intensity, which topic)."""

    id: str
    label: str
    type: str
    required: bool = False
    choices: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    integer: bool = False
    max_length: int | None = None

    def problems(self, value: object) -> list[str]:
        """What is wrong with ``value`` for this modifier (empty when it is valid)."""
        check = {
            "single": self._single_problem,
            "multiple": self._multiple_problem,
            "range": self._range_problem,
            "text": self._text_problem,
        }[self.type]
        problem = check(value)
        return [f"{show(self.id)}: {problem}"] if problem else []

    def _single_problem(self, value: object) -> str | None:
        if not isinstance(value, str) or value not in self.choices:
            return f"{show(value)} is not one of {', '.join(self.choices)}"
        return None

    def _multiple_problem(self, value: object) -> str | None:
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            return "must be a list of choices"
        bad = [v for v in value if v not in self.choices]
        if bad:
            return f"{', '.join(map(show, bad))} not among {', '.join(self.choices)}"
        if len(set(value)) != len(value):
            return "lists a choice twice"
        return None

    def _range_problem(self, value: object) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"{show(value)} is not a number"
        if self.integer and not float(value).is_integer():
            return f"{value} is not a whole number"
        low = self.min if self.min is not None else -math.inf
        high = self.max if self.max is not None else math.inf
        if not low <= value <= high:
            return f"{value} is outside {format_number(low)}..{format_number(high)}"
        return None

    def _text_problem(self, value: object) -> str | None:
        if not isinstance(value, str):
            return "must be text"
        if self.max_length is not None and len(value) > self.max_length:
            return f"longer than {self.max_length} characters"
        return None

    def to_canonical_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "label": self.label,
            "type": self.type,
            "required": self.required,
        }
        if self.type in ("single", "multiple"):
            data["choices"] = list(self.choices)
        if self.type == "range":
            data.update(min=self.min, max=self.max, integer=self.integer)
        if self.type == "text" and self.max_length is not None:
            data["max_length"] = self.max_length
        return data


def format_number(value: float) -> str:
    """``3`` for a whole number, else the number as Python writes it (``2.5``)."""
    return str(int(value)) if float(value).is_integer() else str(value)


def _is_empty(value: object) -> bool:
    return value is None or value == "" or (isinstance(value, list | tuple) and not value)


@dataclass(frozen=True)
class Code:
    id: str
    label: str
    category: str
    kind: str
    key: str | None = None
    colour: str = DEFAULT_COLOUR
    description: str = ""
    modifiers: tuple[Modifier, ...] = ()

    def modifier_problems(self, values: Mapping[str, object]) -> list[str]:
        """Every problem of a modifiers dict for this code (empty when valid)."""
        known = {m.id: m for m in self.modifiers}
        problems = [
            f"{show(k)} is not a modifier of code {show(self.id)}" for k in values if k not in known
        ]
        for mod in self.modifiers:
            value = values.get(mod.id)
            if _is_empty(value):
                if mod.required:
                    problems.append(f"{show(mod.id)} is required")
                continue
            problems += mod.problems(value)
        return problems

    def to_canonical_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "category": self.category,
            "kind": self.kind,
            "key": self.key or "",
            "colour": self.colour.lower(),
            "description": self.description,
            "modifiers": [m.to_canonical_dict() for m in self.modifiers],
        }


@dataclass(frozen=True)
class Category:
    id: str
    label: str

    def to_canonical_dict(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label}


@dataclass(frozen=True)
class ExclusiveGroup:
    """State codes of which at most one may be active at any moment."""

    id: str
    label: str
    codes: tuple[str, ...]

    def to_canonical_dict(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "codes": list(self.codes)}


#: A last segment shorter than this joins the previous one (``study.settings``
#: ``min_last_segment_s`` overrides it per study).
DEFAULT_MIN_LAST_SEGMENT_MS = 60_000


def plan_segments(
    duration_ms: int, length_ms: int, min_last_ms: int = DEFAULT_MIN_LAST_SEGMENT_MS
) -> tuple[tuple[int, int], ...]:
    """Fixed segments of ``length_ms`` over ``duration_ms``; a last segment shorter than
    ``min_last_ms`` is merged into the previous one (the one rule every segment plan uses:
    coding forms, the completion check, the workbook and segment-level reliability)."""
    if length_ms <= 0:
        raise InputError(f"segment length must be positive, not {length_ms} ms")
    if min_last_ms < 0:
        raise InputError(f"minimum last segment must not be negative, not {min_last_ms} ms")
    bounds = [(s, min(s + length_ms, duration_ms)) for s in range(0, duration_ms, length_ms)]
    if len(bounds) > 1 and bounds[-1][1] - bounds[-1][0] < min_last_ms:
        bounds[-2:] = [(bounds[-2][0], bounds[-1][1])]
    return tuple(bounds)


def segment_index(ms: int, bounds: tuple[tuple[int, int], ...]) -> int | None:
    """The 0-based segment of ``bounds`` containing ``ms`` (the end of the last one included),
    or None outside the recording."""
    if not bounds or ms < 0 or ms > bounds[-1][1]:
        return None
    length = bounds[0][1] - bounds[0][0]
    return min(ms // length, len(bounds) - 1) if length > 0 else 0


@dataclass(frozen=True)
class Segmenting:
    """Fixed segments of ``minutes`` minutes, each rated with ``instrument`` (if any)."""

    minutes: int
    instrument: str | None = None

    @property
    def length_ms(self) -> int:
        return self.minutes * MS_PER_MINUTE

    def to_canonical_dict(self) -> dict[str, Any]:
        return {"minutes": self.minutes, "instrument": self.instrument or ""}


SUBJECT_MODES = ("focal", "ask")


@dataclass(frozen=True)
class Subject:
    """Who an event is about (e.g. client, therapist), chosen by its key while coding."""

    id: str
    label: str
    key: str | None = None

    def to_canonical_dict(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "key": self.key or ""}


@dataclass(frozen=True)
class Scheme:
    """A validated coding scheme. Build it with :func:`parse_scheme`."""

    id: str
    name: str
    version: str
    citation: str
    license: str
    codes: tuple[Code, ...]
    categories: tuple[Category, ...] = ()
    exclusive_groups: tuple[ExclusiveGroup, ...] = ()
    segments: Segmenting | None = None
    session_instruments: tuple[str, ...] = ()
    validated: bool = False
    notes: str = ""
    verify: tuple[str, ...] = ()
    #: The actors events are about; with ``subject_mode`` "focal" a focal subject is chosen by
    #: its key and every event is about it, with "ask" each key press asks for one.
    subjects: tuple[Subject, ...] = ()
    subject_mode: str = "focal"

    def code(self, code_id: str) -> Code:
        for code in self.codes:
            if code.id == code_id:
                return code
        raise KeyError(code_id)

    def code_for_key(self, key: str) -> Code | None:
        """The code bound to ``key`` (any spelling ``normalize_key`` accepts), if any."""
        wanted = normalize_key(key)
        for code in self.codes:
            if code.key and normalize_key(code.key) == wanted:
                return code
        return None

    def subject(self, subject_id: str) -> Subject:
        for subject in self.subjects:
            if subject.id == subject_id:
                return subject
        raise KeyError(subject_id)

    def validate_subject(self, subject_id: str | None) -> None:
        """Raise ``InputError`` when ``subject_id`` is not a subject of this scheme (``None``,
        no subject, is always allowed)."""
        if subject_id is None:
            return
        if not self.subjects:
            raise InputError(f"scheme {self.id!r} declares no subjects (got {subject_id!r})")
        if subject_id not in [s.id for s in self.subjects]:
            known = ", ".join(s.id for s in self.subjects)
            raise InputError(f"{subject_id!r} is not a subject of scheme {self.id!r} ({known})")

    def category_label(self, category_id: str) -> str:
        for cat in self.categories:
            if cat.id == category_id:
                return cat.label
        return category_id

    def exclusive_with(self, code_id: str) -> tuple[str, ...]:
        """State codes that may not be active at the same time as ``code_id``."""
        others: list[str] = []
        for group in self.exclusive_groups:
            if code_id in group.codes:
                others += [c for c in group.codes if c != code_id and c not in others]
        return tuple(others)

    def validate_modifiers(self, code_id: str, values: Mapping[str, object]) -> None:
        """Raise ``InputError`` listing every problem of ``values`` for code ``code_id``."""
        try:
            code = self.code(code_id)
        except KeyError:
            raise InputError(f"scheme {self.id!r} has no code {code_id!r}") from None
        problems = code.modifier_problems(values)
        if problems:
            raise InputError(f"code {code_id!r} ({code.label}): " + "; ".join(problems))

    def segment_bounds(
        self, duration_ms: int, min_last_ms: int = DEFAULT_MIN_LAST_SEGMENT_MS
    ) -> tuple[tuple[int, int], ...]:
        """``(start_ms, end_ms)`` of each segment of a recording of ``duration_ms``.

        Segments are consecutive, ``minutes`` long from 0, the last one ends at the end of the
        recording; a last segment shorter than ``min_last_ms`` (the study's minimum, default
        60 s) joins the one before it, so no coder rates a 12-second tail. An unsegmented scheme
        gives the whole recording as one segment; a zero duration gives none.
        """
        if isinstance(duration_ms, bool) or not isinstance(duration_ms, int) or duration_ms < 0:
            raise InputError(
                f"duration must be a whole, non-negative number of ms: {duration_ms!r}"
            )
        if duration_ms == 0:
            return ()
        if self.segments is None:
            return ((0, duration_ms),)
        return plan_segments(duration_ms, self.segments.length_ms, min_last_ms)

    def to_canonical_dict(self) -> dict[str, Any]:
        return {
            "kind": "scheme",
            "format_version": FORMAT_VERSION,
            "id": self.id,
            "name": self.name,
            "version": self.version,
            "citation": self.citation,
            "license": self.license,
            "validated": self.validated,
            "notes": self.notes,
            "verify": list(self.verify),
            "categories": [c.to_canonical_dict() for c in self.categories],
            "codes": [c.to_canonical_dict() for c in self.codes],
            "exclusive_groups": [g.to_canonical_dict() for g in self.exclusive_groups],
            "segments": self.segments.to_canonical_dict() if self.segments else {},
            "session_instruments": list(self.session_instruments),
        } | self._subjects_dict()

    def _subjects_dict(self) -> dict[str, Any]:
        """Subjects enter the canonical form only when declared, so the hash of a scheme
        without subjects is what it was before subjects existed."""
        if not self.subjects:
            return {}
        return {
            "subjects": [s.to_canonical_dict() for s in self.subjects],
            "subject_mode": self.subject_mode,
        }

    @cached_property
    def content_hash(self) -> str:
        """``sha256:...`` of the canonical JSON: the version identity of this scheme."""
        return content_hash_of(self.to_canonical_dict())

    @property
    def instrument_ids(self) -> tuple[str, ...]:
        """Instruments this scheme refers to (segment instrument first)."""
        ids = [self.segments.instrument] if self.segments and self.segments.instrument else []
        return tuple(ids + [i for i in self.session_instruments if i not in ids])

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "version": self.version,
            "codes": len(self.codes),
            "point_codes": sum(c.kind == "point" for c in self.codes),
            "state_codes": sum(c.kind == "state" for c in self.codes),
            "categories": [c.id for c in self.categories],
            "segment_minutes": self.segments.minutes if self.segments else None,
            "segment_instrument": self.segments.instrument if self.segments else None,
            "session_instruments": list(self.session_instruments),
            "verify": bool(self.verify),
            "hash": self.content_hash,
        }
