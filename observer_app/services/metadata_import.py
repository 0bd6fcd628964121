"""Bulk import of recording metadata from a table (CSV or spreadsheet rows) with a column mapping.

A lab usually keeps its session list in a spreadsheet: file name, client, therapist, dyad, session
number and date, plus study-specific columns (condition, site, ...). This module checks every row
of such a table against the study's recordings and writes the metadata in ONE transaction:

- every row is checked first; every bad row is reported with its row number (the number the user
  sees in the spreadsheet: the header is row 1) and the column and problem;
- nothing is written unless every row is valid, or the caller asks for ``valid_rows_only``, in
  which case the valid rows are written and the bad ones listed as skipped;
- a blank cell leaves the stored value unchanged (it never clears a field).

Reading files is not done here (services import no spreadsheet library): the export layer's
``observer_app.export.tables_in.read_table`` turns a CSV or xlsx file into a :class:`SourceTable`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from sqlalchemy import select

from observer_app.coding.errors import InputError
from observer_app.services.access import require_manager
from observer_app.services.context import ServiceContext
from observer_app.store.models import Recording

#: A cell as read from a file: text (CSV), or a typed spreadsheet value.
Cell = str | int | float | bool | dt.datetime | dt.date | None

#: Recording fields that can be imported, with their column width in the store.
TEXT_FIELDS: Mapping[str, int] = {"dyad_id": 80, "client_id": 80, "therapist_id": 80}
FIELDS: tuple[str, ...] = (*TEXT_FIELDS, "session_number", "session_date")

#: How a row names its recording: by media file name (or full path), or by recording id.
KEY_KINDS = ("file", "id")

_MAX_META_TEXT = 2000


@dataclass(frozen=True)
class SourceRow:
    """One data row; ``number`` is its row number in the file as a user sees it (header = 1)."""

    number: int
    values: Mapping[str, Cell]


@dataclass(frozen=True)
class SourceTable:
    """A header and its data rows, read from ``source`` (a file name, for messages)."""

    columns: tuple[str, ...]
    rows: tuple[SourceRow, ...]
    source: str = ""


@dataclass(frozen=True)
class MetadataMapping:
    """Which source column feeds which recording field.

    ``key_column`` identifies the recording (``key_kind`` "file": its media file name or full
    path; "id": the recording id). ``fields`` maps recording fields (:data:`FIELDS`) to source
    columns; ``meta`` maps free metadata keys to source columns.
    """

    key_column: str
    fields: Mapping[str, str] = field(default_factory=dict)
    meta: Mapping[str, str] = field(default_factory=dict)
    key_kind: str = "file"


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column {self.column!r}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class RowUpdate:
    """What one valid row would change on one recording."""

    row: int
    recording_id: int
    recording_name: str
    changes: Mapping[str, Any]
    meta: Mapping[str, Any]


@dataclass(frozen=True)
class MetadataCheck:
    """The outcome of checking every row (nothing written)."""

    updates: tuple[RowUpdate, ...]
    problems: tuple[RowProblem, ...]
    n_rows: int

    @property
    def bad_rows(self) -> tuple[int, ...]:
        return tuple(sorted({p.row for p in self.problems}))

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class MetadataImportResult:
    updated: tuple[int, ...]  # recording ids, in row order
    skipped_rows: tuple[int, ...]
    problems: tuple[RowProblem, ...]


class MetadataImportError(InputError):
    """Some rows are invalid and the caller did not choose to import only the valid ones."""

    def __init__(self, check: MetadataCheck, source: str = "") -> None:
        self.check = check
        self.problems = check.problems
        rows = check.bad_rows
        head = f"{source}: " if source else ""
        listed = "; ".join(str(p) for p in check.problems[:5])
        more = f"; and {len(check.problems) - 5} more" if len(check.problems) > 5 else ""
        super().__init__(
            f"{head}{len(rows)} of {check.n_rows} rows have problems, nothing was imported "
            f"({listed}{more})"
        )


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def meta_key(column: str) -> str:
    """The metadata key a free column is stored under: ``"Site (city)"`` -> ``"site_city"``."""
    return _norm(column) or column.strip()


_ALIASES: Mapping[str, tuple[str, ...]] = {
    "key": ("file", "file_name", "filename", "media", "media_path", "path", "recording", "video"),
    "dyad_id": ("dyad_id", "dyad"),
    "client_id": ("client_id", "client", "patient", "patient_id"),
    "therapist_id": ("therapist_id", "therapist"),
    "session_number": ("session_number", "session", "session_no", "session_nr"),
    "session_date": ("session_date", "date"),
}


def guess_mapping(columns: Sequence[str]) -> MetadataMapping:
    """A first guess from the header names (the user confirms it in the mapping dialog).

    Known names (``client``, ``session``, ``date``, ``file``, ...) map to recording fields; a
    column named ``recording_id`` or ``id`` is used as the key by id; every other column becomes a
    free metadata key.
    """
    by_norm = {_norm(c): c for c in columns}
    key_kind, key = "file", ""
    for alias in ("recording_id", "id"):
        if alias in by_norm:
            key_kind, key = "id", by_norm[alias]
            break
    if not key:
        key = next((by_norm[a] for a in _ALIASES["key"] if a in by_norm), "")
    fields: dict[str, str] = {}
    for target in FIELDS:
        hit = next((by_norm[a] for a in _ALIASES[target] if a in by_norm), None)
        if hit is not None and hit != key:
            fields[target] = hit
    used = {key, *fields.values()}
    meta = {meta_key(c): c for c in columns if c not in used and c.strip()}
    return MetadataMapping(key_column=key, fields=fields, meta=meta, key_kind=key_kind)


def _check_mapping(table: SourceTable, mapping: MetadataMapping) -> None:
    if mapping.key_kind not in KEY_KINDS:
        raise InputError(f"key kind {mapping.key_kind!r} is not one of {', '.join(KEY_KINDS)}")
    if not mapping.key_column:
        raise InputError("choose the column that names the recording (file name or id)")
    unknown_fields = set(mapping.fields) - set(FIELDS)
    if unknown_fields:
        raise InputError(f"not importable fields: {', '.join(sorted(unknown_fields))}")
    columns = set(table.columns)
    wanted = [mapping.key_column, *mapping.fields.values(), *mapping.meta.values()]
    missing = [c for c in wanted if c not in columns]
    if missing:
        raise InputError(
            f"{table.source or 'the table'} has no column {missing[0]!r} "
            f"(its columns: {', '.join(table.columns)})"
        )
    bad_keys = [k for k in mapping.meta if not k.strip() or k in FIELDS]
    if bad_keys:
        raise InputError(f"metadata key {bad_keys[0]!r} is empty or a recording field name")
    if not mapping.fields and not mapping.meta:
        raise InputError("the mapping imports no column: map at least one field")


def _blank(v: Cell) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _text(v: Cell, limit: int) -> str:
    if isinstance(v, bool):
        raise ValueError(f"{v!r} is not text")
    if isinstance(v, float) and v.is_integer():
        text = str(int(v))
    elif isinstance(v, dt.datetime | dt.date):
        text = v.isoformat()
    else:
        text = str(v).strip()
    if len(text) > limit:
        raise ValueError(f"longer than {limit} characters")
    return text


#: The largest value of an ``Integer`` column on both engines (32-bit on PostgreSQL).
MAX_INTEGER = 2**31 - 1


def whole_number(v: Cell) -> int:
    """A cell read as a whole number (``4``, ``4.0``, ``"4"``, ``"4.00"``), else ValueError
    naming the value (a date or a boolean is never a number)."""
    if isinstance(v, bool | dt.date):
        raise ValueError(f"{v!r} is not a whole number")
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        if not v.is_integer():
            raise ValueError(f"{v!r} is not a whole number")
        return int(v)
    text = str(v).strip()
    if not re.fullmatch(r"[+-]?\d+(\.0+)?", text):
        raise ValueError(f"{text!r} is not a whole number")
    return int(text.split(".")[0])


def _whole(v: Cell) -> int:
    n = whole_number(v)
    if n < 0:
        raise ValueError(f"{n} is negative")
    if n > MAX_INTEGER:
        raise ValueError(f"{n} is too large (at most {MAX_INTEGER:,})")
    return n


def _date(v: Cell) -> dt.date:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    text = str(v).strip()
    try:
        return dt.date.fromisoformat(text[:10] if re.match(r"\d{4}-\d\d-\d\dT", text) else text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date in the form YYYY-MM-DD") from None


def _meta_value(v: Cell) -> Any:
    if isinstance(v, dt.datetime | dt.date):
        return v.isoformat()
    if isinstance(v, str):
        text = v.strip()
        if len(text) > _MAX_META_TEXT:
            raise ValueError(f"longer than {_MAX_META_TEXT} characters")
        return text
    return v


_CONVERT = {"session_number": _whole, "session_date": _date}


class _Index:
    """Recordings by id, by full path and by file name (names may be ambiguous)."""

    def __init__(self, recordings: Sequence[tuple[int, str]]) -> None:
        self.ids = dict(recordings)
        self.paths = {path: rid for rid, path in recordings}
        self.names: dict[str, list[int]] = {}
        for rid, path in recordings:
            self.names.setdefault(_file_name(path).casefold(), []).append(rid)

    def find(self, key: Cell, kind: str) -> int:
        if kind == "id":
            rid = _whole(key)
            if rid not in self.ids:
                raise ValueError(f"no recording #{rid} in this study")
            return rid
        text = _text(key, 4000)
        if text in self.paths:
            return self.paths[text]
        hits = self.names.get(_file_name(text).casefold(), [])
        if not hits:
            raise ValueError(f"no recording with the file name {_file_name(text)!r}")
        if len(hits) > 1:
            ids = ", ".join(f"#{h}" for h in hits)
            raise ValueError(f"{text!r} matches recordings {ids}: give the full path instead")
        return hits[0]


def _file_name(path: str) -> str:
    return PurePath(path.replace("\\", "/")).name


def check_rows(
    table: SourceTable, mapping: MetadataMapping, recordings: Sequence[tuple[int, str]]
) -> MetadataCheck:
    """Check every row against ``recordings`` (``(id, media_path)`` pairs); nothing is written.

    Raises :class:`InputError` when the mapping itself is unusable (a column that is not in the
    table); problems in the data are returned, one per bad cell, with row numbers.
    """
    _check_mapping(table, mapping)
    index = _Index(recordings)
    updates: list[RowUpdate] = []
    problems: list[RowProblem] = []
    seen: dict[int, int] = {}
    for row in table.rows:
        found = _check_row(row, mapping, index, problems)
        if found is None:
            continue
        rid, changes, meta = found
        if rid in seen:
            problems.append(
                RowProblem(
                    row.number,
                    mapping.key_column,
                    f"recording #{rid} is already given in row {seen[rid]}",
                )
            )
            continue
        seen[rid] = row.number
        name = _file_name(index.ids[rid])
        updates.append(RowUpdate(row.number, rid, name, changes, meta))
    bad = {p.row for p in problems}
    kept = tuple(u for u in updates if u.row not in bad)
    return MetadataCheck(kept, tuple(problems), len(table.rows))


def _check_row(
    row: SourceRow, mapping: MetadataMapping, index: _Index, problems: list[RowProblem]
) -> tuple[int, dict[str, Any], dict[str, Any]] | None:
    before = len(problems)
    key = row.values.get(mapping.key_column)
    rid: int | None = None
    if _blank(key):
        problems.append(RowProblem(row.number, mapping.key_column, "no recording given"))
    else:
        try:
            rid = index.find(key, mapping.key_kind)
        except ValueError as exc:
            problems.append(RowProblem(row.number, mapping.key_column, str(exc)))
    changes: dict[str, Any] = {}
    for target, column in mapping.fields.items():
        value = row.values.get(column)
        if _blank(value):
            continue
        try:
            if target in TEXT_FIELDS:
                changes[target] = _text(value, TEXT_FIELDS[target])
            else:
                changes[target] = _CONVERT[target](value)
        except ValueError as exc:
            problems.append(RowProblem(row.number, column, f"{target}: {exc}"))
    meta: dict[str, Any] = {}
    for key, column in mapping.meta.items():
        value = row.values.get(column)
        if _blank(value):
            continue
        try:
            meta[key] = _meta_value(value)
        except ValueError as exc:
            problems.append(RowProblem(row.number, column, str(exc)))
    if rid is None or len(problems) > before:
        return None
    return rid, changes, meta


class MetadataImportService:
    """Check and import recording metadata for one study (managers only)."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def _recordings(self) -> list[tuple[int, str]]:
        with self._ctx.read() as s:
            q = select(Recording.id, Recording.media_path).where(
                Recording.study_id == self._ctx.study_id
            )
            return [(int(rid), str(path)) for rid, path in s.execute(q.order_by(Recording.id))]

    def check(self, table: SourceTable, mapping: MetadataMapping) -> MetadataCheck:
        """Every row checked, nothing written (the preview the import dialog shows)."""
        require_manager(self._ctx.actor, "import recording metadata")
        return check_rows(table, mapping, self._recordings())

    def apply(
        self, table: SourceTable, mapping: MetadataMapping, *, valid_rows_only: bool = False
    ) -> MetadataImportResult:
        """Write the metadata of every row in one transaction.

        With any bad row, raises :class:`MetadataImportError` (nothing written) unless
        ``valid_rows_only``: then the valid rows are written and the bad ones reported skipped.
        """
        require_manager(self._ctx.actor, "import recording metadata")
        where = table.source or "table"
        with self._ctx.tx(f"import recording metadata from {where}") as s:
            q = select(Recording.id, Recording.media_path).where(
                Recording.study_id == self._ctx.study_id
            )
            recs = [(int(rid), str(path)) for rid, path in s.execute(q)]
            check = check_rows(table, mapping, recs)
            if check.problems and not valid_rows_only:
                raise MetadataImportError(check, table.source)
            for update in check.updates:
                rec = s.get(Recording, update.recording_id)
                assert rec is not None
                for name, value in update.changes.items():
                    setattr(rec, name, value)
                if update.meta:
                    rec.meta = {**rec.meta, **update.meta}
            return MetadataImportResult(
                tuple(u.recording_id for u in check.updates), check.bad_rows, check.problems
            )
