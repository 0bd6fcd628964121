"""Read a CSV or Excel (.xlsx) file into a :class:`SourceTable` for the metadata import.

The first non-empty row is the header. A file that cannot be used is refused with one message
naming the file and the problem: not found, empty, not UTF-8 text, an unreadable workbook, an old
binary ``.xls``, a missing sheet, a header cell that is empty or repeated, or a data row longer
than the header. CSV delimiters (``,``, ``;``, tab) are detected, so files saved by a German or
French Excel (``;``) read as well as English ones.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from observer_app.coding.errors import InputError
from observer_app.services.metadata_import import Cell, SourceRow, SourceTable

CSV_SUFFIXES = (".csv", ".tsv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")


def read_table(path: Path, *, sheet: str | None = None) -> SourceTable:
    """The header and data rows of ``path`` (CSV/TSV or xlsx; ``sheet`` defaults to the first)."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if not path.is_file():
        raise InputError(f"{path}: not a file")
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        return _table(path, _xlsx_rows(path, sheet))
    if suffix == ".xls":
        raise InputError(
            f"{path}: the old binary Excel format (.xls) cannot be read; "
            "save it as .xlsx or as CSV UTF-8"
        )
    if suffix in CSV_SUFFIXES or not suffix:
        return _table(path, _csv_rows(path))
    raise InputError(f"{path}: not a CSV or .xlsx file (unknown extension {path.suffix!r})")


def sheet_names(path: Path) -> list[str]:
    """The worksheet names of an xlsx file (for a sheet chooser)."""
    wb = _open_workbook(Path(path))
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


# -- CSV ------------------------------------------------------------------------------------------
def _decode(path: Path) -> str:
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise InputError(f"{path}: not a text file (binary data; is it a spreadsheet?)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{path}: not UTF-8 text (invalid byte at line {line}); "
            "save it as 'CSV UTF-8' and try again"
        ) from None


def _csv_rows(path: Path) -> Iterable[tuple[int, Sequence[Cell]]]:
    text = _decode(path)
    if not text.strip():
        raise InputError(f"{path}: the file is empty")
    sample = text[:20000]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel_tab if path.suffix.lower() == ".tsv" else csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect, strict=True)
    rows: list[tuple[int, Sequence[Cell]]] = []
    try:
        for number, row in enumerate(reader, start=1):
            rows.append((number, row))
    except csv.Error as exc:
        raise InputError(f"{path}: malformed CSV at line {reader.line_num}: {exc}") from None
    return rows


# -- xlsx -----------------------------------------------------------------------------------------
def _open_workbook(path: Path) -> Any:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    if not zipfile.is_zipfile(path):
        raise InputError(f"{path}: not an Excel .xlsx workbook (the file is not a zip archive)")
    _check_zip_sizes(path)
    try:
        return load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InputError(f"{path}: not a readable Excel .xlsx workbook ({exc})") from None
    except (ParseError, RecursionError, TypeError, AttributeError) as exc:  # hostile/corrupt XML
        raise InputError(f"{path}: not a readable Excel .xlsx workbook (bad XML: {exc})") from None


#: A session list unpacks to a few MB; a larger workbook, or one that unpacks to far more than
#: its own size, is refused before openpyxl reads it (a zip bomb).
MAX_XLSX_UNPACKED = 200 * 2**20
MAX_XLSX_RATIO = 200


def _check_zip_sizes(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as z:
            unpacked = sum(i.file_size for i in z.infolist())
            packed = sum(i.compress_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"{path}: not a readable Excel .xlsx workbook ({exc})") from None
    if unpacked > MAX_XLSX_UNPACKED or unpacked > MAX_XLSX_RATIO * max(packed, 1) + 2**20:
        raise InputError(
            f"{path}: refused: it unpacks to {unpacked / 2**20:.0f} MB "
            f"(from {packed / 2**20:.1f} MB), far more than a session list"
        )


def _xlsx_rows(path: Path, sheet: str | None) -> Iterable[tuple[int, Sequence[Cell]]]:
    wb = _open_workbook(path)
    try:
        if sheet is None:
            ws = wb.worksheets[0] if wb.worksheets else None
            if ws is None:
                raise InputError(f"{path}: the workbook has no worksheet")
        elif sheet in wb.sheetnames:
            ws = wb[sheet]
        else:
            raise InputError(
                f"{path}: no sheet named {sheet!r} (sheets: {', '.join(wb.sheetnames)})"
            )
        out: list[tuple[int, Sequence[Cell]]] = []
        try:
            for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
                out.append((number, [_xlsx_cell(v) for v in values]))
        except (ParseError, RecursionError, ValueError, KeyError, TypeError) as exc:
            raise InputError(
                f"{path}: sheet {ws.title!r} cannot be read after row {len(out)} ({exc})"
            ) from None
        return out
    finally:
        wb.close()


def _xlsx_cell(v: Any) -> Cell:
    if v is None or isinstance(v, str | int | float | bool | dt.datetime | dt.date):
        return v
    if isinstance(v, dt.time):
        return v.isoformat()
    return str(v)


# -- common ---------------------------------------------------------------------------------------
def _blank_row(values: Sequence[Cell]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _header(path: Path, number: int, values: Sequence[Cell]) -> tuple[str, ...]:
    last = max(i for i, v in enumerate(values) if v is not None and str(v).strip())
    names: list[str] = []
    for i, v in enumerate(values[: last + 1], start=1):
        name = "" if v is None else str(v).strip()
        if not name:
            raise InputError(f"{path}: row {number} (the header): column {i} has no name")
        if name in names:
            raise InputError(
                f"{path}: row {number} (the header): column name {name!r} appears twice "
                f"(columns {names.index(name) + 1} and {i})"
            )
        names.append(name)
    return tuple(names)


def _table(path: Path, rows: Iterable[tuple[int, Sequence[Cell]]]) -> SourceTable:
    columns: tuple[str, ...] | None = None
    data: list[SourceRow] = []
    for number, values in rows:
        if _blank_row(values):
            continue
        if columns is None:
            columns = _header(path, number, values)
            continue
        extra = [v for v in values[len(columns) :] if v is not None and str(v).strip()]
        if extra:
            raise InputError(
                f"{path}: row {number} has {len(columns) + len(extra)} or more cells but the "
                f"header has {len(columns)} columns (a stray delimiter?)"
            )
        cells = {c: (values[i] if i < len(values) else None) for i, c in enumerate(columns)}
        data.append(SourceRow(number, cells))
    if columns is None:
        raise InputError(f"{path}: no header row (the file or sheet is empty)")
    return SourceTable(columns, tuple(data), path.name)
