"""Checking a survey tool's export row by row: the column mapping, its guess, and every problem
named by row and column (nothing is written here).

A row is one completed form: a respondent id, a session number, optionally a date and a dyad,
and one column per item. A blank item cell is an unanswered item; anything else must be a whole
number on the item's scale. Recordings are matched by respondent (the client id for a client
form, the therapist id for a therapist form) and session, and by dyad when a dyad column is
mapped; with no recording for that session the form is still kept, tied to the dyad and session.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from observer_app.coding.definitions import Instrument
from observer_app.coding.errors import InputError
from observer_app.services.metadata_import import (
    Cell,
    RowProblem,
    SourceRow,
    SourceTable,
    _blank,
    _date,
    _norm,
    _text,
    _whole,
    whole_number,
)

#: The non-item fields a mapping can name; ``respondent`` and ``session`` are required.
HEADER_FIELDS = ("respondent", "session", "date", "dyad")
ITEM_PATTERN_FIELD = "items"

_ALIASES: Mapping[str, tuple[str, ...]] = {
    "respondent": (
        "respondent",
        "respondent_id",
        "participant",
        "participant_id",
        "client",
        "client_id",
        "patient",
        "patient_id",
        "therapist",
        "therapist_id",
        "id",
    ),
    "session": ("session", "session_number", "session_no", "session_nr", "visit"),
    "date": ("date", "session_date", "form_date", "completed", "recordeddate", "enddate"),
    "dyad": ("dyad", "dyad_id", "case", "case_id"),
}


@dataclass(frozen=True)
class SelfReportMapping:
    """Which column holds what: ``fields`` for respondent/session/date/dyad, ``items`` item id
    -> column. Stored per study and instrument in ``study.settings`` as :meth:`as_dict`."""

    fields: Mapping[str, str]
    items: Mapping[str, str]

    def as_dict(self) -> dict[str, Any]:
        return {"fields": dict(self.fields), "items": dict(self.items)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SelfReportMapping:
        return cls(dict(data.get("fields", {})), dict(data.get("items", {})))


@dataclass(frozen=True)
class RecordingKey:
    """What a recording offers for matching."""

    id: int
    dyad_id: str | None
    client_id: str | None
    therapist_id: str | None
    session_number: int | None


@dataclass(frozen=True)
class FormRow:
    """One valid form ready to write."""

    row: int
    respondent_id: str
    dyad_id: str
    session_number: int
    recording_id: int | None
    form_date: dt.date | None
    responses: Mapping[str, int]

    @property
    def identity(self) -> tuple[str, str, int]:
        return (self.respondent_id, self.dyad_id, self.session_number)


@dataclass(frozen=True)
class FormCheck:
    forms: tuple[FormRow, ...]
    problems: tuple[RowProblem, ...]
    n_rows: int
    mapping: SelfReportMapping = field(default_factory=lambda: SelfReportMapping({}, {}))

    @property
    def bad_rows(self) -> tuple[int, ...]:
        return tuple(sorted({p.row for p in self.problems}))


class SelfReportImportError(InputError):
    """Some rows are invalid and the caller did not ask to import only the valid ones."""

    def __init__(self, check: FormCheck, source: str = "") -> None:
        self.check = check
        head = f"{source}: " if source else ""
        listed = "; ".join(str(p) for p in check.problems[:5])
        more = f"; and {len(check.problems) - 5} more" if len(check.problems) > 5 else ""
        super().__init__(
            f"{head}{len(check.bad_rows)} of {check.n_rows} rows have problems, nothing was "
            f"imported ({listed}{more})"
        )


def _item_column_guess(columns: Sequence[str], instrument: Instrument) -> dict[str, str]:
    """Item columns by name: the item id itself, or one shared prefix plus the id (``Q1``,
    ``wai_1``, ``WAI-C 1``, ...). The prefix that covers most items wins."""
    exact = {c.strip(): c for c in columns}
    if all(i in exact for i in instrument.item_ids):
        return {i: exact[i] for i in instrument.item_ids}
    by_prefix: dict[str, dict[str, str]] = {}
    for c in columns:
        m = re.fullmatch(r"(.*?)[\s_.\-]*0*(\d+)", c.strip())
        if m and m.group(2) in instrument.item_ids:
            by_prefix.setdefault(_norm(m.group(1)), {})[m.group(2)] = c
    if not by_prefix:
        return {}
    return max(by_prefix.values(), key=len)


def guess_mapping(columns: Sequence[str], instrument: Instrument) -> SelfReportMapping:
    """A first guess from the header (the user confirms or overrides it)."""
    items = _item_column_guess(columns, instrument)
    used = set(items.values())
    by_norm = {_norm(c).replace("_", ""): c for c in columns if c not in used}
    fields: dict[str, str] = {}
    role_first = ("client", "client_id") if instrument.perspective == "client" else ()
    if instrument.perspective == "therapist":
        role_first = ("therapist", "therapist_id")
    for target in HEADER_FIELDS:
        aliases = _ALIASES[target]
        if target == "respondent":
            aliases = (*role_first, *aliases)
        keys = [a.replace("_", "") for a in aliases]
        hit = next((by_norm[a] for a in keys if a in by_norm), None)
        if hit is not None and hit not in fields.values():
            fields[target] = hit
    return SelfReportMapping(fields, items)


def apply_overrides(
    base: SelfReportMapping, overrides: Mapping[str, str], instrument: Instrument
) -> SelfReportMapping:
    """``respondent=Col``, ``session=Col``, ``date=Col``, ``dyad=Col``, ``items=Q{item}`` (a
    pattern) and ``item.5=Col`` on top of ``base``."""
    fields = dict(base.fields)
    items = dict(base.items)
    for key, column in overrides.items():
        if key in HEADER_FIELDS:
            fields[key] = column
        elif key == ITEM_PATTERN_FIELD:
            if "{item}" not in column:
                raise InputError(f"mapping items={column!r}: the pattern needs {{item}}")
            items = {i: column.replace("{item}", i) for i in instrument.item_ids}
        elif key.startswith("item."):
            item_id = key[5:]
            if item_id not in instrument.item_ids:
                raise InputError(f"mapping {key}: {item_id!r} is not an item of {instrument.id}")
            items[item_id] = column
        else:
            known = ", ".join((*HEADER_FIELDS, ITEM_PATTERN_FIELD, "item.<id>"))
            raise InputError(f"mapping {key!r}: not a field (fields: {known})")
    return SelfReportMapping(fields, items)


def check_mapping(table: SourceTable, mapping: SelfReportMapping, instrument: Instrument) -> None:
    for required in ("respondent", "session"):
        if not mapping.fields.get(required):
            raise InputError(
                f"{table.source or 'the table'}: no column for the {required} "
                f"(give --mapping {required}=COLUMN; columns: {', '.join(table.columns)})"
            )
    unknown = set(mapping.items) - set(instrument.item_ids)
    if unknown:
        raise InputError(
            f"mapping names items not in {instrument.id}: {', '.join(sorted(unknown))}"
        )
    if not mapping.items:
        raise InputError(
            f"{table.source or 'the table'}: no column matches an item of {instrument.id} "
            "(give --mapping items=PREFIX{item})"
        )
    columns = set(table.columns)
    for column in [*mapping.fields.values(), *mapping.items.values()]:
        if column not in columns:
            raise InputError(
                f"{table.source or 'the table'} has no column {column!r} "
                f"(its columns: {', '.join(table.columns)})"
            )
    taken = [c for c in mapping.fields.values() if c in mapping.items.values()]
    if taken:
        raise InputError(f"column {taken[0]!r} is mapped both to a field and to an item")


def _item_value(v: Cell, lo: int, hi: int) -> int:
    n = whole_number(v)
    if not lo <= n <= hi:
        raise ValueError(f"{n} is outside the scale {lo}..{hi}")
    return n


class RecordingMatcher:
    """Recordings by (respondent, session) for one respondent role."""

    def __init__(self, recordings: Sequence[RecordingKey], role: str) -> None:
        self.role = role
        self.by_key: dict[tuple[str, int], list[RecordingKey]] = {}
        self.dyads: dict[str, set[str]] = {}
        for r in recordings:
            person = r.client_id if role == "client" else r.therapist_id
            if person and r.session_number is not None:
                self.by_key.setdefault((person, r.session_number), []).append(r)
            if person and r.dyad_id:
                self.dyads.setdefault(person, set()).add(r.dyad_id)

    def match(self, respondent: str, session: int, dyad: str | None) -> tuple[int | None, str]:
        """(recording id or None, dyad id); raises ValueError on a conflict or ambiguity."""
        found = self.by_key.get((respondent, session), [])
        hits = [r for r in found if r.dyad_id in (None, "", dyad)] if dyad else found
        if dyad and found and not hits and self.role == "client":
            other = found[0]
            raise ValueError(
                f"client {respondent!r} session {session} is recording #{other.id} of dyad "
                f"{other.dyad_id!r}, not {dyad!r}"
            )
        if len(hits) > 1:
            ids = ", ".join(f"#{r.id}" for r in hits)
            raise ValueError(
                f"{self.role} {respondent!r} session {session} matches recordings {ids}; "
                "map a dyad column to tell them apart"
            )
        if hits:
            return hits[0].id, dyad or hits[0].dyad_id or ""
        if dyad:
            return None, dyad
        known = self.dyads.get(respondent, set())
        return None, next(iter(known)) if len(known) == 1 else ""


def check_forms(
    table: SourceTable,
    mapping: SelfReportMapping,
    instrument: Instrument,
    recordings: Sequence[RecordingKey],
) -> FormCheck:
    """Every row checked; problems returned with row and column, nothing written."""
    check_mapping(table, mapping, instrument)
    matcher = RecordingMatcher(recordings, instrument.perspective)
    forms: list[FormRow] = []
    problems: list[RowProblem] = []
    seen: dict[tuple[str, str, int], int] = {}
    for row in table.rows:
        form = _check_row(row, mapping, instrument, matcher, problems)
        if form is None:
            continue
        if form.identity in seen:
            problems.append(
                RowProblem(
                    row.number,
                    mapping.fields["respondent"],
                    f"{instrument.perspective} {form.respondent_id!r} session "
                    f"{form.session_number} is already given in row {seen[form.identity]}",
                )
            )
            continue
        seen[form.identity] = row.number
        forms.append(form)
    bad = {p.row for p in problems}
    kept = tuple(f for f in forms if f.row not in bad)
    return FormCheck(kept, tuple(problems), len(table.rows), mapping)


def _check_row(
    row: SourceRow,
    mapping: SelfReportMapping,
    instrument: Instrument,
    matcher: RecordingMatcher,
    problems: list[RowProblem],
) -> FormRow | None:
    before = len(problems)

    def problem(column: str, message: str) -> None:
        problems.append(RowProblem(row.number, column, message))

    f = mapping.fields
    respondent = _required_text(row, f["respondent"], "no respondent id", problem)
    session: int | None = None
    raw_session = row.values.get(f["session"])
    if _blank(raw_session):
        problem(f["session"], "no session number")
    else:
        try:
            session = _whole(raw_session)
        except ValueError as exc:
            problem(f["session"], f"session: {exc}")
    form_date = None
    if f.get("date") and not _blank(row.values.get(f["date"])):
        try:
            form_date = _date(row.values.get(f["date"]))
        except ValueError as exc:
            problem(f["date"], f"date: {exc}")
    dyad = None
    if f.get("dyad") and not _blank(row.values.get(f["dyad"])):
        try:
            dyad = _text(row.values.get(f["dyad"]), 80)
        except ValueError as exc:
            problem(f["dyad"], f"dyad: {exc}")
    responses = _responses(row, mapping, instrument, problem)
    if len(problems) > before or respondent is None or session is None:
        return None
    if not responses:
        problem(f["respondent"], "no item is answered: not a completed form")
        return None
    try:
        recording_id, dyad_id = matcher.match(respondent, session, dyad)
    except ValueError as exc:
        problem(f["session"], str(exc))
        return None
    return FormRow(row.number, respondent, dyad_id, session, recording_id, form_date, responses)


def _required_text(row: SourceRow, column: str, missing: str, problem: Any) -> str | None:
    value = row.values.get(column)
    if _blank(value):
        problem(column, missing)
        return None
    try:
        return _text(value, 80)
    except ValueError as exc:
        problem(column, str(exc))
        return None


def _responses(
    row: SourceRow, mapping: SelfReportMapping, instrument: Instrument, problem: Any
) -> dict[str, int]:
    responses: dict[str, int] = {}
    for item_id, column in mapping.items.items():
        value = row.values.get(column)
        if _blank(value):
            continue
        scale = instrument.scale_of(instrument.item(item_id))
        try:
            responses[item_id] = _item_value(value, scale.min, scale.max)
        except ValueError as exc:
            problem(column, f"item {item_id}: {exc}")
    return responses
