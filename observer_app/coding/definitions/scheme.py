"""Coding schemes (e.g. the 3RS) as validated, immutable data.

A scheme lists the codes a coder logs while watching a recording: point codes (an instant) and
state codes (an interval), each with a label, category, default key, colour and optional
modifiers; groups of mutually exclusive state codes; and an optional segmenting rule (fixed
N-minute segments, each rated with a segment instrument) plus session-level instruments.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
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
from observer_app.coding.errors import InputError

FORMAT_VERSION = 1
CODE_KINDS = ("point", "state")
MODIFIER_TYPES = ("single", "multiple", "range", "text")
KEY_MODIFIERS = ("ctrl", "alt", "shift", "meta")
NAMED_KEYS = frozenset(
    {f"f{n}" for n in range(1, 13)}
    | {
        "space",
        "tab",
        "enter",
        "escape",
        "backspace",
        "delete",
        "insert",
        "home",
        "end",
        "pageup",
        "pagedown",
        "left",
        "right",
        "up",
        "down",
    }
)
#: Keys the coding window keeps for playback (play/pause, step, leave); a code may not use them.
RESERVED_KEYS = frozenset({"space", "left", "right", "escape"})
DEFAULT_COLOUR = "#808080"
MS_PER_MINUTE = 60_000

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_DEFINITION_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


def normalize_key(key: str) -> str:
    """Canonical spelling of a key binding: ``"Shift+W"`` -> ``"shift+w"``.

    Raises ``ValueError`` naming the problem for a binding that is not ``[modifier+]...key``
    with modifiers among ctrl, alt, shift, meta and the key a single character or a named key.
    """
    text = key.strip()
    if text == "+":
        mods, last = [], "+"
    elif text.endswith("++"):
        mods, last = text[:-2].split("+"), "+"
    else:
        *mods, last = text.split("+")
    mods = [m.strip().lower() for m in mods]
    last = last.strip().lower()
    for mod in mods:
        if mod not in KEY_MODIFIERS:
            raise ValueError(f"{show(mod)} is not a modifier ({', '.join(KEY_MODIFIERS)})")
    if len(set(mods)) != len(mods):
        raise ValueError("repeats a modifier")
    if (
        not (len(last) == 1 and last.isprintable() and not last.isspace())
        and last not in NAMED_KEYS
    ):
        raise ValueError(
            f"{show(last)} is not a key (a single character, F1-F12 or a named key such as "
            "'enter', 'tab', 'up')"
        )
    ordered = [m for m in KEY_MODIFIERS if m in mods]
    return "+".join([*ordered, last])


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
            return f"{value} is outside {_num(low)}..{_num(high)}"
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


def _num(value: float) -> str:
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

    def segment_bounds(self, duration_ms: int) -> tuple[tuple[int, int], ...]:
        """``(start_ms, end_ms)`` of each segment of a recording of ``duration_ms``.

        Segments are consecutive, ``minutes`` long from 0, the last one ends at the end of the
        recording (shorter when the duration is not a multiple). An unsegmented scheme gives
        the whole recording as one segment; a zero duration gives none.
        """
        if isinstance(duration_ms, bool) or not isinstance(duration_ms, int) or duration_ms < 0:
            raise InputError(
                f"duration must be a whole, non-negative number of ms: {duration_ms!r}"
            )
        if duration_ms == 0:
            return ()
        if self.segments is None:
            return ((0, duration_ms),)
        step = self.segments.length_ms
        return tuple(
            (start, min(start + step, duration_ms)) for start in range(0, duration_ms, step)
        )

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
    "validated",
    "notes",
    "verify",
    "categories",
    "codes",
    "exclusive_groups",
    "segments",
    "session_instruments",
)


def parse_scheme(text: str, source_name: str) -> Scheme:
    """Parse and validate scheme TOML; raise ``DefinitionProblems`` listing every problem."""
    return parse_scheme_data(load_toml(text, source_name), source_name, text)


def parse_scheme_data(data: Mapping[str, Any], source_name: str, text: str | None = None) -> Scheme:
    """Validate a scheme given as a dict (TOML-decoded or a canonical dict)."""
    out = Collector(source_name, text)
    top = Reader(data, (), out)
    top.check_keys(_TOP_KEYS)
    kind = data.get("kind", "scheme")
    if kind != "scheme":
        top.problem("kind", f"{show(kind)} is not 'scheme' (is this an instrument?)")
    fmt = data.get("format_version", FORMAT_VERSION)
    if fmt != FORMAT_VERSION:
        top.problem("format_version", f"{show(fmt)} is not supported (this version reads 1)")
    ident = top.string("id")
    if ident and not _DEFINITION_ID.match(ident):
        top.problem("id", f"{show(ident)} must be lower-case letters, digits, '.', '_' or '-'")
    categories = _parse_categories(top)
    codes = _parse_codes(top, [c.id for c in categories])
    scheme = Scheme(
        id=ident,
        name=top.string("name"),
        version=top.string("version"),
        citation=top.string("citation"),
        license=top.string("license"),
        codes=codes,
        categories=categories,
        exclusive_groups=_parse_groups(top, codes),
        segments=_parse_segments(top),
        session_instruments=_instrument_ids(top),
        validated=top.boolean("validated", False),
        notes=top.string("notes", required=False),
        verify=verify_notes(top),
    )
    out.raise_if_any()
    return scheme


def _parse_categories(top: Reader) -> tuple[Category, ...]:
    result: list[Category] = []
    for reader in top.tables("categories"):
        reader.check_keys(("id", "label"))
        c_id = reader.string("id")
        if c_id in [c.id for c in result]:
            reader.problem("id", f"duplicate category id {show(c_id)}")
        result.append(Category(c_id, reader.string("label", required=False) or c_id))
    return tuple(result)


def _parse_codes(top: Reader, category_ids: Sequence[str]) -> tuple[Code, ...]:
    readers = top.tables("codes")
    if not readers and isinstance(top.data.get("codes", []), list):
        top.problem(None, "a scheme needs at least one [[codes]] table")
    codes: list[Code] = []
    ids: set[str] = set()
    keys: dict[str, str] = {}
    for reader in readers:
        reader.check_keys(
            ("id", "label", "category", "kind", "key", "colour", "description", "modifiers")
        )
        c_id = reader.string("id")
        if c_id and not _ID.match(c_id):
            reader.problem("id", f"{show(c_id)} must be letters, digits, '.', '_' or '-'")
        if c_id in ids:
            reader.problem("id", f"duplicate code id {show(c_id)}")
        ids.add(c_id)
        category = reader.string("category")
        if category and category_ids and category not in category_ids:
            reader.problem("category", f"{show(category)} is not one of {', '.join(category_ids)}")
        key = reader.optional_string("key")
        if key is not None:
            key = _check_key(reader, key, c_id, keys)
        colour = reader.string("colour", required=False, default=DEFAULT_COLOUR) or DEFAULT_COLOUR
        if not _COLOUR.match(colour):
            reader.problem("colour", f"{show(colour)} is not a colour like '#1f77b4'")
        codes.append(
            Code(
                id=c_id,
                label=reader.string("label"),
                category=category,
                kind=reader.choice("kind", CODE_KINDS),
                key=key,
                colour=colour.lower(),
                description=reader.string("description", required=False),
                modifiers=_parse_modifiers(reader),
            )
        )
    return tuple(codes)


def _check_key(reader: Reader, key: str, code_id: str, keys: dict[str, str]) -> str:
    try:
        normal = normalize_key(key)
    except ValueError as exc:
        reader.problem("key", f"{show(key)}: {exc}")
        return key
    if normal in RESERVED_KEYS:
        reader.problem(
            "key", f"{show(key)} is reserved for playback ({', '.join(sorted(RESERVED_KEYS))})"
        )
    elif normal in keys:
        reader.problem("key", f"{show(key)} clashes with the key of code {show(keys[normal])}")
    else:
        keys[normal] = code_id
    return normal


def _parse_modifiers(code: Reader) -> tuple[Modifier, ...]:
    result: list[Modifier] = []
    for reader in code.tables("modifiers"):
        reader.check_keys(
            ("id", "label", "type", "required", "choices", "min", "max", "integer", "max_length")
        )
        m_id = reader.string("id")
        if m_id in [m.id for m in result]:
            reader.problem("id", f"duplicate modifier id {show(m_id)}")
        m_type = reader.choice("type", MODIFIER_TYPES)
        choices = reader.string_list("choices")
        low, high = reader.number("min"), reader.number("max")
        integer = reader.boolean("integer", False)
        max_length = reader.integer("max_length", required=False, default=0) or None
        allowed = {
            "single": {"choices"},
            "multiple": {"choices"},
            "range": {"min", "max", "integer"},
            "text": {"max_length"},
        }[m_type]
        for extra in ("choices", "min", "max", "integer", "max_length"):
            if extra in reader.data and extra not in allowed:
                reader.problem(extra, f"does not apply to a {m_type!r} modifier")
        if m_type in ("single", "multiple"):
            if not choices:
                reader.problem(None, f"a {m_type!r} modifier needs a non-empty 'choices' list")
            if len(set(choices)) != len(choices):
                reader.problem("choices", "lists a choice twice")
        if m_type == "range":
            if low is None or high is None:
                reader.problem(None, "a 'range' modifier needs 'min' and 'max'")
            elif low >= high:
                reader.problem("max", f"max ({_num(high)}) must be greater than min ({_num(low)})")
            elif integer and not (float(low).is_integer() and float(high).is_integer()):
                reader.problem("min", "an integer range needs whole-number bounds")
        if max_length is not None and max_length <= 0:
            reader.problem("max_length", "must be a positive number of characters")
        result.append(
            Modifier(
                id=m_id,
                label=reader.string("label", required=False) or m_id,
                type=m_type,
                required=reader.boolean("required", False),
                choices=choices,
                min=low,
                max=high,
                integer=integer,
                max_length=max_length,
            )
        )
    return tuple(result)


def _parse_groups(top: Reader, codes: Sequence[Code]) -> tuple[ExclusiveGroup, ...]:
    kinds = {c.id: c.kind for c in codes}
    result: list[ExclusiveGroup] = []
    for reader in top.tables("exclusive_groups"):
        reader.check_keys(("id", "label", "codes"))
        g_id = reader.string("id")
        if g_id in [g.id for g in result]:
            reader.problem("id", f"duplicate group id {show(g_id)}")
        members = reader.string_list("codes")
        if len(members) < 2:
            reader.problem("codes", "a mutually exclusive group needs at least two codes")
        for index, member in enumerate(members):
            path = (*reader.at("codes"), index)
            if member not in kinds:
                reader.out.add(path, f"names unknown code {show(member)}")
            elif kinds[member] != "state":
                reader.out.add(
                    path,
                    f"code {show(member)} is a point code; only state codes "
                    "can be mutually exclusive",
                )
        if len(set(members)) != len(members):
            reader.problem("codes", "lists a code twice")
        result.append(ExclusiveGroup(g_id, reader.string("label", required=False) or g_id, members))
    return tuple(result)


def _parse_segments(top: Reader) -> Segmenting | None:
    reader = top.table("segments")
    if reader is None or not reader.data:
        return None
    reader.check_keys(("minutes", "instrument"))
    minutes = reader.integer("minutes")
    if "minutes" in reader.data and not 1 <= minutes <= 240:
        reader.problem("minutes", f"{minutes} must be between 1 and 240 minutes")
        minutes = 1
    instrument = reader.optional_string("instrument")
    return Segmenting(minutes, instrument)


def _instrument_ids(top: Reader) -> tuple[str, ...]:
    ids = top.string_list("session_instruments")
    if len(set(ids)) != len(ids):
        top.problem("session_instruments", "lists an instrument twice")
    return ids
