"""Sheet writers: an openpyxl write-only workbook and tidy UTF-8 CSV files, fed the same rows.

The workbook is streamed (openpyxl write-only mode: every row goes to disk as it is appended, so
memory stays flat however many events there are). Each sheet gets a styled, frozen header row,
column widths, real number, date and time formats (seconds as numbers with a ``0.000`` format,
times as Excel time values shown ``[h]:mm:ss.000``), and an Excel table over its data (the
table carries the autofilter). A sheet longer than Excel's 1,048,576 rows continues in
``<name> (2)`` and so on. Strings are written as text, never as formulas (a comment beginning
with ``=`` stays a comment), and characters XML cannot hold are dropped. Data rows are
serialised by :class:`~observer_app.export.fast_rows.FastRows` (the same XML as openpyxl's own
row writer, about ten times faster) when :func:`~observer_app.export.fast_rows.available` says the
installed openpyxl is one it matches; otherwise by openpyxl itself.

The CSV files hold the same rows, written to open everywhere: UTF-8 with a byte-order mark
(Excel on Windows reads accents right; ``bom=False`` omits it), numbers unformatted (a whole
``number`` without ``.0``), times as ``hh:mm:ss.000`` text, dates in ISO 8601, booleans ``1``/``0``
(SPSS, Stata and R read them as numbers; the codebook labels them), missing values empty, and a
text cell a spreadsheet would run as a formula (first character ``=``, ``+``, ``-``, ``@``, tab
or carriage return) prefixed with ``'`` as a spreadsheet does for typed text.

Every column carries its codebook entry (:class:`Column`: label, unit, allowed values, value
labels, source definition, ``verify`` notes), so a new sheet documents its variables by
declaring its columns.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import itertools
import json
import math
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.data_source import AxDataSource, NumData, NumDataSource, NumVal, StrRef
from openpyxl.chart.error_bar import ErrorBars
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

from observer_app.export import fast_rows
from observer_app.export.fast_rows import CellSpec, FastRows

#: Excel's row limit; one row is the header.
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_TEXT = 32_767
MS_PER_DAY = 86_400_000

KINDS = (
    "text",
    "key",
    "int",
    "number",
    "float",
    "seconds",
    "time",
    "bool",
    "date",
    "datetime",
    "json",
)
NUMBER_FORMATS = {
    "float": "0.000",
    "seconds": "0.000",
    "time": "[h]:mm:ss.000",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm:ss",
}
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="305496")
HEADER_BORDER = Border(bottom=Side(style="thin", color="1F3864"))
HEADER_ALIGN = Alignment(vertical="center", wrap_text=False)


@dataclass(frozen=True)
class Column:
    """One column: its header (a variable name, see :mod:`observer_app.coding.varnames`), how
    its values are written, its width in characters, and its codebook entry.

    Kinds: ``text`` (free text: cleaned, never a formula), ``key`` (identifiers and labels),
    ``int``, ``number`` (a number shown as it is: a whole rating ``4``, a half ``3.5``),
    ``float`` (shown ``0.000``), ``seconds`` (a number of seconds), ``time`` (milliseconds,
    written as an Excel time value and as ``hh:mm:ss.000`` in CSV), ``bool``, ``date``,
    ``datetime`` (UTC, timezone dropped for Excel), ``json`` (a dict or list written as compact
    JSON text).

    Codebook: ``label`` (what the variable is; the original name where it was renamed),
    ``unit``, ``allowed`` (e.g. ``1..7``), ``value_labels`` ((value, label) pairs), ``source``
    (the scheme or instrument id), ``source_version``, ``signoff`` (the key sign-off status of
    the source instrument, when the study records one), ``verify`` (facts not confirmed).
    """

    name: str
    kind: str = "key"
    width: float = 12.0
    label: str | None = None
    unit: str | None = None
    allowed: str | None = None
    value_labels: tuple[tuple[Any, str], ...] = ()
    source: str | None = None
    source_version: str | None = None
    signoff: str | None = None
    verify: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")


#: The value labels of every boolean column.
BOOL_LABELS: tuple[tuple[Any, str], ...] = ((0, "no"), (1, "yes"))


@dataclass(frozen=True)
class ChartSpec:
    """A clustered bar chart over data rows ``first..last`` (0-based, inclusive) of a sheet:
    categories from ``category_col``, values from ``value_col`` (0-based columns), and custom
    error bars ``value - low`` / ``high - value`` (a CI) given as literal numbers."""

    title: str
    y_title: str
    first: int
    last: int
    category_col: int
    value_col: int
    low: tuple[float | None, ...]
    high: tuple[float | None, ...]
    values: tuple[float | None, ...]
    anchor_col: int = 0
    anchor_row: int = 0
    y_min: float | None = None
    y_max: float | None = 1.0


@dataclass
class SheetResult:
    name: str
    rows: int
    sheets: list[str] = field(default_factory=list)


Tick = Callable[[int], None]


def _clean_text(v: Any) -> str:
    s = v if isinstance(v, str) else str(v)
    if ILLEGAL_CHARACTERS_RE.search(s):
        s = ILLEGAL_CHARACTERS_RE.sub("", s)
    return s[:EXCEL_MAX_TEXT]


def _json_text(v: Any) -> str | None:
    if v is None or (isinstance(v, dict | list) and not v):
        return None
    return json.dumps(v, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def time_text(ms: int | float) -> str:
    """``hh:mm:ss.000`` of a number of milliseconds (hours may exceed 24)."""
    total = round(ms)
    sign = "-" if total < 0 else ""
    total = abs(total)
    h, rest = divmod(total, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, milli = divmod(rest, 1000)
    return f"{sign}{h:02d}:{m:02d}:{s:02d}.{milli:03d}"


def _naive_utc(v: dt.datetime) -> dt.datetime:
    """UTC without tzinfo (Excel has none), to the whole second as the format shows and the CSV
    writes it: a fraction would let the two disagree by a second after Excel's float rounding."""
    v = v.astimezone(dt.UTC).replace(tzinfo=None) if v.tzinfo is not None else v
    return v.replace(microsecond=0)


def _json_cell(v: Any) -> str | None:
    text = _json_text(v)
    return None if text is None else _clean_text(text)


def _time_fraction(ms: Any) -> Any:
    return ms / MS_PER_DAY


def _as_bool(v: Any) -> Any:
    return None if v is None else bool(v)


#: Each kind's cells for the fast row writer; the same cells as ``XlsxBook._converter`` makes
#: (a string it would not write identically, e.g. one with characters XML cannot hold, sends the
#: row through the converters and openpyxl).
CELL_SPECS = {
    "text": CellSpec(prep=_clean_text, text_only=True, wrap=True),
    "json": CellSpec(prep=_json_cell, text_only=True),
    "key": CellSpec(text_only=True),
    "int": CellSpec(),
    "number": CellSpec(),
    "bool": CellSpec(prep=_as_bool),
    "float": CellSpec(number_format=NUMBER_FORMATS["float"]),
    "seconds": CellSpec(number_format=NUMBER_FORMATS["seconds"]),
    "time": CellSpec(prep=_time_fraction, number_format=NUMBER_FORMATS["time"]),
    "date": CellSpec(number_format=NUMBER_FORMATS["date"]),
    "datetime": CellSpec(prep=_naive_utc, number_format=NUMBER_FORMATS["datetime"]),
}
assert set(CELL_SPECS) == set(KINDS)


# ------------------------------------------------------------------------------- xlsx


def _no_sheet_yet(row: Sequence[Any]) -> None:
    raise AssertionError("a row before its sheet")


class XlsxBook:
    """A write-only workbook; add sheets in order, then ``save(path)``.

    ``fast``: serialise data rows with :class:`FastRows` (default: when
    :func:`fast_rows.available`); ``False`` uses openpyxl's own row writer throughout.
    """

    def __init__(self, *, fast: bool | None = None) -> None:
        if fast and not fast_rows.available():
            raise RuntimeError("the fast row writer does not match this openpyxl (see the log)")
        self._wb = Workbook(write_only=True)
        self._tables: set[str] = set()
        self.fast = fast_rows.available() if fast is None else fast

    def add_sheet(
        self,
        name: str,
        columns: Sequence[Column],
        rows: Iterable[Sequence[Any]],
        *,
        tick: Tick | None = None,
        charts: Callable[[], Sequence[Any]] | None = None,
        max_rows: int = EXCEL_MAX_ROWS,
    ) -> SheetResult:
        result = SheetResult(name, 0)
        rows, widths = _widths_from_content(columns, rows)
        part = 0
        ws: Any = None
        append: Callable[[Sequence[Any]], None] = _no_sheet_yet
        in_sheet = 0
        for row in rows:
            if ws is None or in_sheet >= max_rows - 1:
                if ws is not None:
                    self._finish(ws, columns, in_sheet)
                part += 1
                title = name if part == 1 else f"{name} ({part})"
                ws, append = self._new_sheet(title, columns, widths)
                result.sheets.append(ws.title)
                in_sheet = 0
            append(row)
            in_sheet += 1
            result.rows += 1
            if tick is not None and result.rows % 1000 == 0:
                tick(1000)
        if ws is None:
            ws, _ = self._new_sheet(name, columns, widths)
            result.sheets.append(ws.title)
        self._finish(ws, columns, in_sheet)
        if tick is not None:
            tick(result.rows % 1000)
        if charts is not None:
            for spec in charts():  # a spec with its own build(ws) makes its own chart
                build = getattr(spec, "build", None)
                chart = build(ws) if build is not None else _bar_chart(ws, spec)
                ws.add_chart(chart, _anchor(spec))
        return result

    def _new_sheet(
        self, title: str, columns: Sequence[Column], widths: Sequence[float]
    ) -> tuple[Any, Callable[[Sequence[Any]], None]]:
        """A new sheet with its header row, and the function that appends a data row to it."""
        ws = self._wb.create_sheet(title[:31])
        for i, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = "A2"
        converters = [self._converter(c.kind) for c in columns]

        def convert(row: Sequence[Any]) -> list[Any]:
            return [conv(ws, v) for conv, v in zip(converters, row, strict=True)]

        def standard(row: Sequence[Any]) -> None:
            ws.append(convert(row))

        append = standard
        if self.fast:  # before the header: the fast writer takes over the sheet's rows
            append = FastRows(ws, [CELL_SPECS[c.kind] for c in columns], convert).append
        header = []
        for col in columns:
            cell = WriteOnlyCell(ws, col.name)
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
            cell.border = HEADER_BORDER
            cell.alignment = HEADER_ALIGN
            header.append(cell)
        ws.append(header)
        return ws, append

    def _finish(self, ws: Any, columns: Sequence[Column], n_rows: int) -> None:
        ref = f"A1:{get_column_letter(len(columns))}{n_rows + 1}"
        if n_rows == 0:  # an Excel table needs a data row; an empty sheet keeps a filter
            ws.auto_filter.ref = ref
            return
        base = "tbl" + "".join(ch for ch in ws.title if ch.isalnum())
        name, k = base, 1
        while name in self._tables:
            k += 1
            name = f"{base}{k}"
        self._tables.add(name)
        table = Table(displayName=name, ref=ref, autoFilter=AutoFilter(ref=ref))
        table.tableStyleInfo = TableStyleInfo(
            name="TableStyleMedium2", showRowStripes=True, showColumnStripes=False
        )
        # named here: a write-only sheet cannot be read back to name them from the header
        table.tableColumns = [
            TableColumn(id=i, name=c.name) for i, c in enumerate(columns, start=1)
        ]
        with warnings.catch_warnings():  # "add table columns manually": done above
            warnings.simplefilter("ignore", UserWarning)
            ws.add_table(table)

    @staticmethod
    def _converter(kind: str) -> Callable[[Any, Any], Any]:
        fmt = NUMBER_FORMATS.get(kind)

        def styled(ws: Any, v: Any) -> Any:
            if v is None:
                return None
            if kind == "time":
                v = v / MS_PER_DAY
            elif kind == "datetime":
                v = _naive_utc(v)
            cell = WriteOnlyCell(ws, v)
            cell.number_format = fmt
            return cell

        def text(ws: Any, v: Any) -> Any:
            if v is None:
                return None
            s = _clean_text(v)
            if s.startswith("=") or s in ERROR_CODES:  # user text, never a formula or error
                cell = WriteOnlyCell(ws, s)
                cell.data_type = "s"
                return cell
            return s

        def wrapped(ws: Any, v: Any) -> Any:
            got = text(ws, v)
            if got is None:
                return None
            cell = WriteOnlyCell(ws, got) if isinstance(got, str) else got
            cell.alignment = fast_rows.WRAP
            return cell

        def as_json(ws: Any, v: Any) -> Any:
            return text(ws, _json_text(v))

        def plain(ws: Any, v: Any) -> Any:
            if isinstance(v, str) and ILLEGAL_CHARACTERS_RE.search(v):
                return _clean_text(v)  # a control character would make the study unexportable
            return v

        def boolean(ws: Any, v: Any) -> Any:
            return _as_bool(v)

        def key(ws: Any, v: Any) -> Any:
            if isinstance(v, str) and (
                v.startswith("=") or v in ERROR_CODES or ILLEGAL_CHARACTERS_RE.search(v)
            ):
                return text(ws, v)
            return v

        if fmt is not None:
            return styled
        kinds = {"text": wrapped, "json": as_json, "key": key, "bool": boolean}
        return kinds.get(kind, plain)

    def save(self, path: Path) -> None:
        self._wb.save(str(path))

    def discard(self) -> None:
        """Abandon an unsaved workbook: close its sheet streams and delete the temporary files
        openpyxl buffers write-only sheets in (otherwise they stay until the process exits)."""
        for ws in self._wb.worksheets:
            writer = getattr(ws, "_writer", None)
            rows = getattr(ws, "_rows", None)
            with contextlib.suppress(Exception):
                if rows is not None:
                    rows.close()
                if writer is not None:
                    writer.xf.close()
            with contextlib.suppress(Exception):
                if writer is not None:
                    writer.cleanup()


#: Rows looked at to size the columns (the columns are written before the first row).
WIDTH_SAMPLE = 500
_SHOWN_WIDTH = {"time": 13.0, "date": 11.0, "datetime": 19.0, "bool": 6.0, "seconds": 9.0}


def _shown(kind: str, v: Any) -> float:
    """About how many characters a value takes on screen."""
    if kind in _SHOWN_WIDTH:
        return _SHOWN_WIDTH[kind]
    if kind == "float":
        return len(f"{v:.3f}") if isinstance(v, int | float) else 8.0
    if kind == "json":
        return len(_json_text(v) or "")
    text = v if isinstance(v, str) else str(v)
    return max((len(line) for line in text.split("\n")), default=0)


def _widths_from_content(
    columns: Sequence[Column], rows: Iterable[Sequence[Any]]
) -> tuple[Iterator[Sequence[Any]], list[float]]:
    """Column widths from the header and the first :data:`WIDTH_SAMPLE` rows (those rows are
    kept and put back in front of the rest): at least the header and its filter button, at
    most 60 characters (free text at most 50: it wraps)."""
    it = iter(rows)
    head = list(itertools.islice(it, WIDTH_SAMPLE))
    widths = []
    for k, col in enumerate(columns):
        content = max((_shown(col.kind, r[k]) for r in head if r[k] is not None), default=0.0)
        cap = 50.0 if col.kind == "text" else 60.0
        widths.append(min(cap, max(len(col.name) + 4.0, content + 2.0, 6.0)))
    return itertools.chain(head, it), widths


def _anchor(spec: ChartSpec) -> str:
    return f"{get_column_letter(spec.anchor_col + 1)}{spec.anchor_row + 1}"


def _num_source(values: Sequence[float]) -> NumDataSource:
    pts = [NumVal(idx=i, v=v) for i, v in enumerate(values)]
    return NumDataSource(numLit=NumData(pt=pts, ptCount=len(pts), formatCode="General"))


def _bar_chart(ws: Any, spec: ChartSpec) -> BarChart:
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "clustered"
    chart.title = spec.title
    chart.y_axis.title = spec.y_title
    chart.y_axis.delete = False
    chart.x_axis.delete = False
    chart.legend = None
    if spec.y_max is not None:
        chart.y_axis.scaling.max = spec.y_max
    if spec.y_min is not None:
        chart.y_axis.scaling.min = spec.y_min
    first, last = spec.first + 2, spec.last + 2
    data = Reference(ws, min_col=spec.value_col + 1, min_row=first, max_row=last)
    chart.add_data(data, titles_from_data=False)
    cats = Reference(ws, min_col=spec.category_col + 1, min_row=first, max_row=last)
    chart.series[0].cat = AxDataSource(strRef=StrRef(f=str(cats)))  # text labels
    plus, minus = [], []
    for v, lo, hi in zip(spec.values, spec.low, spec.high, strict=True):
        ok = v is not None and lo is not None and hi is not None
        plus.append(max(0.0, hi - v) if ok else 0.0)  # type: ignore[operator]
        minus.append(max(0.0, v - lo) if ok else 0.0)  # type: ignore[operator]
    bars = ErrorBars(errDir="y", errBarType="both", errValType="cust", noEndCap=False)
    bars.plus = _num_source(plus)
    bars.minus = _num_source(minus)
    chart.series[0].errBars = bars
    n = spec.last - spec.first + 1
    chart.width = max(15.0, min(60.0, 1.2 * n + 6))
    chart.height = 9.0
    return chart


# -------------------------------------------------------------------------------- csv


def csv_file_name(sheet: str) -> str:
    """A sheet's CSV file name: its name in lower case, spaces as underscores."""
    return sheet.lower().replace(" ", "_") + ".csv"


class CsvDir:
    """One tidy UTF-8 CSV file per sheet in a folder (with a byte-order mark unless ``bom`` is
    False)."""

    def __init__(self, folder: Path, *, bom: bool = True) -> None:
        self.folder = folder
        self.bom = bom
        folder.mkdir(parents=True, exist_ok=True)
        self.files: list[Path] = []

    def open_sheet(self, name: str, columns: Sequence[Column]) -> CsvSheet:
        path = self.folder / csv_file_name(name)
        self.files.append(path)
        return CsvSheet(path, columns, bom=self.bom)


#: First characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(s: str) -> str:
    """Text a spreadsheet would run as a formula, prefixed with ``'`` (shown as typed)."""
    return "'" + s if s.startswith(FORMULA_STARTS) else s


class CsvSheet:
    def __init__(self, path: Path, columns: Sequence[Column], *, bom: bool = True) -> None:
        encoding = "utf-8-sig" if bom else "utf-8"
        self._fh: TextIO = path.open("w", newline="", encoding=encoding)
        self._w = csv.writer(self._fh, lineterminator="\n")
        self._conv = [_csv_converter(c.kind) for c in columns]
        self._time_cols = [i for i, c in enumerate(columns) if c.kind == "time"]
        self._w.writerow([c.name for c in columns])

    def write(self, row: Sequence[Any]) -> None:
        self._w.writerow([conv(v) for conv, v in zip(self._conv, row, strict=True)])

    def close(self) -> None:
        self._fh.close()


def _csv_converter(kind: str) -> Callable[[Any], Any]:
    def time_(v: Any) -> Any:
        return "" if v is None else time_text(v)

    def bool_(v: Any) -> Any:
        return "" if v is None else ("1" if v else "0")

    def date_(v: Any) -> Any:
        if v is None:
            return ""
        if isinstance(v, dt.datetime):
            return _naive_utc(v).isoformat(sep=" ", timespec="seconds")
        return v.isoformat()

    def num(v: Any) -> Any:
        if v is None or (isinstance(v, float) and not math.isfinite(v)):
            return ""
        return repr(v) if isinstance(v, float) else v

    def number(v: Any) -> Any:
        if isinstance(v, float) and v.is_integer():
            return int(v)
        return num(v)

    def json_(v: Any) -> Any:
        return neutralise(_json_text(v) or "")

    def plain(v: Any) -> Any:
        """Text, keys and mixed columns (e.g. About's values): by the value's own type."""
        if v is None:
            return ""
        if isinstance(v, bool):
            return bool_(v)
        if isinstance(v, dt.date):
            return date_(v)
        if isinstance(v, float):
            return num(v)
        if isinstance(v, str):
            return neutralise(v)
        return v

    return {
        "time": time_,
        "bool": bool_,
        "date": date_,
        "datetime": date_,
        "float": num,
        "seconds": num,
        "int": num,
        "number": number,
        "json": json_,
    }.get(kind, plain)
