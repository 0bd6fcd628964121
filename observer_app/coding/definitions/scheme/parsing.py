"""Parsing and validation of scheme TOML into a :class:`Scheme`: every problem of the file is
collected (file, field path, line, what is wrong) and raised at once."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from observer_app.coding.definitions._source import (
    Collector,
    Reader,
    check_header,
    load_toml,
    show,
    verify_notes,
)
from observer_app.coding.definitions.scheme.keys import normalize_key, window_shortcut
from observer_app.coding.definitions.scheme.model import (
    CODE_KINDS,
    DEFAULT_COLOUR,
    FORMAT_VERSION,
    MODIFIER_TYPES,
    SUBJECT_MODES,
    Category,
    Code,
    ExclusiveGroup,
    Modifier,
    Scheme,
    Segmenting,
    Subject,
    format_number,
)

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_DEFINITION_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")

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
    "subjects",
    "subject_mode",
)


def parse_scheme(text: str, source_name: str) -> Scheme:
    """Parse and validate scheme TOML; raise ``DefinitionProblems`` listing every problem."""
    return parse_scheme_data(load_toml(text, source_name), source_name, text)


def parse_scheme_data(data: Mapping[str, Any], source_name: str, text: str | None = None) -> Scheme:
    """Validate a scheme given as a dict (TOML-decoded or a canonical dict)."""
    out = Collector(source_name, text)
    top = Reader(data, (), out)
    top.check_keys(_TOP_KEYS)
    check_header(top, "scheme", "an instrument", FORMAT_VERSION)
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
        subjects=_parse_subjects(top, codes),
        subject_mode=_subject_mode(top),
    )
    out.raise_if_any()
    return scheme


def _subject_mode(top: Reader) -> str:
    if "subject_mode" not in top.data:
        return "focal"
    return top.choice("subject_mode", SUBJECT_MODES)


def _parse_subjects(top: Reader, codes: Sequence[Code]) -> tuple[Subject, ...]:
    """``[[subjects]]`` with id, label and key; a key may not be a code's or the window's."""
    code_keys = {c.key: c.id for c in codes if c.key}
    result: list[Subject] = []
    for reader in top.tables("subjects"):
        reader.check_keys(("id", "label", "key"))
        s_id = reader.string("id")
        if s_id and not _ID.match(s_id):
            reader.problem("id", f"{show(s_id)} must be letters, digits, '.', '_' or '-'")
        if s_id in [s.id for s in result]:
            reader.problem("id", f"duplicate subject id {show(s_id)}")
        key = reader.optional_string("key")
        if key is not None:
            key = _check_key(reader, key, ("subject", s_id), dict(code_keys))
            if key in [s.key for s in result]:
                reader.problem("key", f"{show(key)} is the key of another subject")
        label = reader.string("label", required=False) or s_id
        result.append(Subject(s_id, label, key))
    return tuple(result)


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
            key = _check_key(reader, key, ("code", c_id), keys)
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


def _check_key(reader: Reader, key: str, owner: tuple[str, str], keys: dict[str, str]) -> str:
    """The canonical key, after reporting a bad spelling, a window shortcut or a clash;
    ``owner`` is what the key is for (("code", "W1")), ``keys`` maps keys taken to code ids."""
    try:
        normal = normalize_key(key)
    except ValueError as exc:
        reader.problem("key", f"{show(key)}: {exc}")
        return key
    reserved = window_shortcut(normal)
    if reserved is not None:
        reader.problem(
            "key",
            f"{show(key)} of {owner[0]} {show(owner[1])} collides with the coding window's "
            f"shortcut for {show(reserved.text)} (action {reserved.action})",
        )
    elif normal in keys:
        reader.problem("key", f"{show(key)} clashes with the key of code {show(keys[normal])}")
    else:
        keys[normal] = owner[1]
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
                reader.problem(
                    "max",
                    f"max ({format_number(high)}) must be greater than min ({format_number(low)})",
                )
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
