"""Fast row serialisation for openpyxl write-only worksheets.

Why this exists: openpyxl (3.1, without lxml) serialises every cell of a write-only sheet by
building an ``xml.etree`` element and running it through ``et_xmlfile``'s namespace-aware
serialiser: 13-20 us per cell, some 80 % of a study export. :class:`FastRows` writes the same
``<row>``/``<c>`` markup as text straight into the sheet's XML stream (about 1.3 us per cell;
a short string's markup is kept per column, as codes, coders and labels repeat).
Everything else stays openpyxl's: the sheet's top and tail, styles (a cell's style id is
obtained from openpyxl's own style machinery, once per column and value type), tables, charts and
the zip packaging.

The text written is byte for byte what openpyxl writes for the same values (checked by a probe,
below, and by tests/export/test_fast_rows.py), as openpyxl 3.1.5 does it:

* numbers (``int``, ``float``): ``t="n"``, ``<v>`` holds ``"%.16g" % value``, NaN and
  infinities an empty ``<v />``; booleans ``t="b"`` with ``1``/``0``;
* strings: inline strings (``t="inlineStr"``, ``<is><t>...</t></is>``; openpyxl 3.1 writes no
  shared strings), truncated to 32,767 characters, escaped with ``xml.etree``'s own
  ``_escape_cdata``, ``xml:space="preserve"`` when the text has surrounding white space; an empty
  string is an empty ``<c t="inlineStr" />``;
* dates and datetimes: ``t="n"`` with openpyxl's ``to_excel`` serial in the workbook's epoch;
* a column's number format gives its cells ``s="<style id>"``.

Anything else falls back, for that whole row, to openpyxl's own row writer, which also raises
openpyxl's own errors: strings with characters XML cannot hold (``IllegalCharacterError``),
strings openpyxl would store as formulas (``=...``) or error values (``#N/A`` ...), aware
datetimes, values of any other type (subclasses included), and rows with row dimensions.

Internals relied on (checked once per process by :func:`available`, which otherwise makes the
caller use the standard path and logs why): ``openpyxl.LXML`` is false (the stream is
``et_xmlfile``'s, whose ``_IncrementalFileWriter`` keeps the text ``write`` function of the open
sheet file in ``_file``); ``WriteOnlyWorksheet._get_writer``/``_writer``/``_rows``/
``_values_to_row`` and ``WorksheetWriter.xf``/``write_row`` behave as in 3.1 (``ws.close()``
closes ``ws._rows``, the generator that owns ``<sheetData>``); and a probe sheet written both ways
must come out byte-identical.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import math
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

import openpyxl
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

log = logging.getLogger(__name__)

#: Excel's (and openpyxl's ``check_string``) limit on the length of a cell's text.
MAX_TEXT = 32_767


def _escape_cdata(text: str) -> str:
    """``xml.etree.ElementTree._escape_cdata`` (Python 3.11), in case it is ever gone."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


#: What et_xmlfile escapes element text with; the probe checks the result either way.
_escape: Callable[[str], str] = getattr(ElementTree, "_escape_cdata", _escape_cdata)
_illegal = ILLEGAL_CHARACTERS_RE.search
_isfinite = math.isfinite
_errors = frozenset(ERROR_CODES)
_EXACT = 2**53  # ints below this in magnitude are exact as floats
#: Short strings repeat (codes, coders, purposes): their cells are kept, up to this many per column.
_CACHE_SIZE, _CACHE_LEN = 4096, 64

Fragment = str | None  # the rest of '<c r="A1' ("": no cell; None: openpyxl must write the row)
Encoder = Callable[[Any], Fragment]
Fallback = Callable[[Sequence[Any]], list[Any]]


@dataclass(frozen=True)
class CellSpec:
    """How one column's values become cells, in openpyxl's terms.

    ``prep`` turns a value into what is put in the cell (``None`` leaves the cell empty);
    ``number_format`` is the cells' number format (``None``: no style); ``text_only`` keeps a
    string beginning with ``=`` a string (openpyxl would store it as a formula) and a string that
    reads like an Excel error (``#N/A``) a string (openpyxl would store an error value).
    """

    prep: Callable[[Any], Any] | None = None
    number_format: str | None = None
    text_only: bool = False
    #: text wrapped in its cell, aligned to the top (free text such as comments)
    wrap: bool = False


#: The alignment of wrapped text cells.
WRAP = Alignment(wrap_text=True, vertical="top")


def _text(s: str, text_only: bool) -> Fragment:
    """A cell holding string ``s``; ``None`` if openpyxl would not write it as an inline string
    (or would raise)."""
    if len(s) > MAX_TEXT:
        s = s[:MAX_TEXT]
    if _illegal(s) is not None or (s in _errors and not text_only):
        return None
    if not s:
        return '" t="inlineStr" />'
    if not text_only and s[0] == "=" and len(s) > 1:
        return None
    stripped = s.strip()
    if stripped and stripped != s:
        return f'" t="inlineStr"><is><t xml:space="preserve">{_escape(s)}</t></is></c>'
    return f'" t="inlineStr"><is><t>{_escape(s)}</t></is></c>'


def _number(head: str, v: int | float) -> str:
    """openpyxl's ``safe_string``: ``"%.16g" % v``, nothing for NaN and infinities (an int
    below 2**53 in magnitude prints the same with ``str``, which is quicker)."""
    if v.__class__ is int and -_EXACT < v < _EXACT:
        return f"{head}<v>{v}</v></c>"
    if v.__class__ is float and not _isfinite(v):
        return f"{head}<v /></c>"
    return f"{head}<v>{'%.16g' % v}</v></c>"  # noqa: UP031 (exactly as openpyxl)


def _plain_encoder(prep: Callable[[Any], Any] | None, text_only: bool) -> Encoder:
    strings: dict[str, str] = {}

    def encode(v: Any) -> Fragment:
        if prep is not None:
            v = prep(v)
            if v is None:
                return ""
        t = v.__class__
        if t is str:
            frag = strings.get(v)
            if frag is None:
                frag = _text(v, text_only)
                if frag is not None and len(v) <= _CACHE_LEN and len(strings) < _CACHE_SIZE:
                    strings[v] = frag
            return frag
        if t is int or t is float:
            return _number('" t="n">', v)
        if t is bool:
            return '" t="b"><v>1</v></c>' if v else '" t="b"><v>0</v></c>'
        return None

    return encode


def _wrapped_encoder(ws: Any, prep: Callable[[Any], Any] | None, text_only: bool) -> Encoder:
    """Strings in a wrapped, top-aligned cell (the style registered at the first string, as
    the standard path registers it); anything else through openpyxl."""
    head: list[str] = []

    def encode(v: Any) -> Fragment:
        if prep is not None:
            v = prep(v)
            if v is None:
                return ""
        if v.__class__ is not str:
            return None
        frag = _text(v, text_only)
        if frag is None:
            return None
        if not head:
            cell = WriteOnlyCell(ws, v)
            cell.alignment = WRAP
            if cell.data_type not in ("s", "inlineStr") and not text_only:
                return None
            head.append(f'" s="{cell.style_id}"')
        return head[0] + frag[1:]

    return encode


def _styled_encoder(
    ws: Any, prep: Callable[[Any], Any] | None, number_format: str, epoch: dt.datetime
) -> Encoder:
    heads: dict[type, str] = {}  # value type -> '" s="<style id>" t="<type>">'
    kinds = {int: "n", float: "n", bool: "b", dt.date: "d", dt.datetime: "d"}

    def head_of(v: Any) -> str | None:
        """Style the first cell of a value type exactly as the standard path does (the value,
        then the number format: openpyxl registers the same formats and styles in the same
        order, so style ids and styles.xml come out the same)."""
        if kinds.get(v.__class__) is None:
            return None
        cell = WriteOnlyCell(ws, v)
        cell.number_format = number_format
        if cell.data_type != kinds[v.__class__]:
            return None
        t = "b" if cell.data_type == "b" else "n"
        head = heads[v.__class__] = f'" s="{cell.style_id}" t="{t}">'
        return head

    moments: dict[Any, Fragment] = {}  # dates repeat (context columns): encoded once each

    def encode(v: Any) -> Fragment:
        if v.__class__ is dt.datetime or v.__class__ is dt.date:
            frag = moments.get(v)
            if frag is None:
                frag = encode_value(v)
                if len(moments) < _CACHE_SIZE:
                    moments[v] = frag
            return frag
        return encode_value(v)

    def encode_value(v: Any) -> Fragment:
        if prep is not None:
            v = prep(v)
            if v is None:
                return ""
        t = v.__class__
        head = heads.get(t)
        if head is None:
            head = head_of(v)
            if head is None:
                return None
        if t is int or t is float:
            return _number(head, v)
        if t is bool:
            return f"{head}<v>1</v></c>" if v else f"{head}<v>0</v></c>"
        if t is dt.datetime and v.tzinfo is not None:
            return None  # openpyxl raises: Excel has no time zones
        return _number(head, to_excel(v, epoch))

    return encode


class FastRows:
    """Rows of one openpyxl write-only worksheet, serialised as text.

    Create it right after the sheet (after setting column widths, freeze panes and the like, which
    go into the sheet's top, written now), then call :meth:`append` with raw values, one per
    column of ``specs``. ``fallback`` turns a raw row into what ``ws.append`` would be given on
    the standard path (values and styled ``WriteOnlyCell`` s); it writes the rows the fast path
    does not handle. ``ws.append(cells)`` keeps working (e.g. for a styled header): such rows go
    through openpyxl's own row writer, numbered in sequence with the others. ``ws.close()`` (or
    saving the workbook) ends the sheet as usual.
    """

    def __init__(self, ws: Any, specs: Sequence[CellSpec], fallback: Fallback) -> None:
        if ws._rows is not None:
            raise ValueError("FastRows must be attached to a sheet before any row is written")
        wb = ws.parent
        if wb.iso_dates:
            raise ValueError("FastRows writes dates as serial numbers, not ISO 8601 text")
        self._ws = ws
        self._fallback = fallback
        self._encoders = [
            _wrapped_encoder(ws, s.prep, s.text_only)
            if s.wrap
            else _plain_encoder(s.prep, s.text_only)
            if s.number_format is None
            else _styled_encoder(ws, s.prep, s.number_format, wb.epoch)
            for s in specs
        ]
        self._cells = [f'<c r="{get_column_letter(i)}' for i in range(1, len(specs) + 1)]
        self._dims = ws.row_dimensions
        ws._get_writer()
        self._xf = ws._writer.xf.send(True)
        self._write: Callable[[str], Any] = self._xf._file
        self._next = 1
        ws._rows = self._sheet_data()
        next(ws._rows)

    @property
    def rows_written(self) -> int:
        return self._next - 1

    def append(self, row: Sequence[Any]) -> None:
        """Write one row of raw values (``None``: no cell)."""
        r = self._next
        if self._dims and r in self._dims:  # a row height or the like: openpyxl writes it
            self._write_cells(self._fallback(row))
            return
        rs = str(r)
        parts = [f'<row r="{rs}">']
        for encode, cell, v in zip(self._encoders, self._cells, row, strict=True):
            if v is None:
                continue
            frag = encode(v)
            if frag is None:  # a value only openpyxl writes right: the whole row through it
                self._write_cells(self._fallback(row))
                return
            if frag:
                parts.append(f"{cell}{rs}{frag}")
        parts.append("</row>")
        self._write("".join(parts))
        self._next = r + 1

    def _write_cells(self, cells: Sequence[Any]) -> None:
        """One row through openpyxl's own writer (as ``WriteOnlyWorksheet.append`` does)."""
        ws, r = self._ws, self._next
        ws._writer.write_row(self._xf, ws._values_to_row(cells, r), r)
        self._next = r + 1

    def _sheet_data(self) -> Generator[None, Any, None]:
        """Stands in for ``WriteOnlyWorksheet._write_rows``: owns ``<sheetData>``."""
        with self._xf.element("sheetData"):
            try:
                while True:
                    cells = yield
                    if cells is not None:  # ws.append(...)
                        self._write_cells(cells)
            except GeneratorExit:
                pass
        self._ws._writer.xf.send(None)


# ------------------------------------------------------------------------------ the guard


def _probe_rows() -> tuple[list[CellSpec], list[list[Any]]]:
    specs = [
        CellSpec(),
        CellSpec(text_only=True),
        CellSpec(number_format="0.000"),
        CellSpec(prep=lambda v: v / 86_400_000, number_format="[h]:mm:ss.000"),
        CellSpec(number_format="yyyy-mm-dd"),
        CellSpec(number_format="yyyy-mm-dd hh:mm:ss"),
        CellSpec(text_only=True, wrap=True),
    ]
    day, moment = dt.date(2026, 1, 2), dt.datetime(1900, 2, 28, 13, 14, 15, 678000)
    rows: list[list[Any]] = [
        [1, "a <&> b", 1.5, 3_723_004, day, moment, "two\nlines <&>"],
        [-(2**70), " x ", float("nan"), None, None, dt.datetime(2026, 11, 26, 9, 30), ""],
        [0.1, "", float("inf"), 0, dt.datetime(2026, 1, 2, 3, 4), None, " y "],
        [True, "=1+1", True, 1, None, None, "=1+1"],
        ["=SUM(A1)", "\u00e9\u4e2d\U0001f600\r\n\t", -0.0, 86_400_000 * 3, day, moment, None],
        ["#N/A", "   ", 2, None, None, None, "   "],
        [None, None, None, None, None, None, None],
        [False, "x" * (MAX_TEXT + 5), 1e300, 7, None, None, "z" * (MAX_TEXT + 1)],
        [2**53 + 1, None, 2**53 - 1, -(2**53) - 1, None, None, "\u00e7\u00e3o"],
    ]
    return specs, rows


def _reference_cell(ws: Any, spec: CellSpec, v: Any) -> Any:
    if v is not None and spec.prep is not None:
        v = spec.prep(v)
    if v is None:
        return None
    cell = WriteOnlyCell(ws, v)
    if spec.number_format is not None:
        cell.number_format = spec.number_format
    if spec.wrap:
        cell.alignment = WRAP
    if spec.text_only and cell.data_type == "f":
        cell.data_type = "s"
    return cell


def _sheet_xml(fast: bool) -> bytes:
    specs, rows = _probe_rows()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("probe")
    ws.column_dimensions["A"].width = 10

    def convert(row: Sequence[Any]) -> list[Any]:
        return [_reference_cell(ws, s, v) for s, v in zip(specs, row, strict=True)]

    header = [WriteOnlyCell(ws, "h")]
    header[0].number_format = "@"
    if fast:
        writer = FastRows(ws, specs, convert)
        ws.append(header)
        for row in rows:
            writer.append(row)
    else:
        ws.append(header)
        for row in rows:
            ws.append(convert(row))
    ws.close()
    try:
        data: bytes = ws._writer.read()
    finally:
        ws._writer.cleanup()
    return data


def _check() -> str | None:
    """Why the fast path cannot be used here, or ``None``."""
    if openpyxl.LXML:
        return "openpyxl writes through lxml here"
    from et_xmlfile.xmlfile import _IncrementalFileWriter  # type: ignore[import-untyped]
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet
    from openpyxl.worksheet._writer import WorksheetWriter

    needed = (
        (WriteOnlyWorksheet, ("_get_writer", "_values_to_row", "_rows", "_writer", "close")),
        (WorksheetWriter, ("write_row", "read", "cleanup")),
        (_IncrementalFileWriter, ("element", "write")),
    )
    for cls, names in needed:
        missing = [n for n in names if not hasattr(cls, n)]
        if missing:
            return f"{cls.__name__} has no {', '.join(missing)}"
    standard, fast = _sheet_xml(False), _sheet_xml(True)
    if standard != fast:
        at = next(i for i, (a, b) in enumerate(zip(standard, fast, strict=False)) if a != b)
        return f"probe sheets differ at byte {at}: {standard[at - 40 : at + 40]!r}"
    return None


@functools.cache
def available() -> bool:
    """Whether :class:`FastRows` can be used with the installed openpyxl (checked once)."""
    try:
        reason = _check()
    except Exception as exc:  # any surprise in openpyxl's internals: use the standard path
        reason = f"probe failed: {exc!r}"
    if reason is not None:
        log.warning(
            "openpyxl %s: fast row writer off, using openpyxl's own (%s)",
            openpyxl.__version__,
            reason,
        )
        return False
    return True
