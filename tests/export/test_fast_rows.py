"""The fast row writer writes the same workbook as openpyxl's own row writer.

Every column kind the export uses goes through ``XlsxBook(fast=True)`` and
``XlsxBook(fast=False)`` (openpyxl's ``WriteOnlyWorksheet.append`` path); the two files must be
identical part by part (bar the creation time) and read back identically by openpyxl, cell by
cell (value, data type, number format), in normal and read-only mode.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from observer_app.export import fast_rows
from observer_app.export.workbook import Column, XlsxBook

COLUMNS = [
    Column("text", "text"),
    Column("key", "key"),
    Column("int", "int"),
    Column("float", "float"),
    Column("seconds", "seconds"),
    Column("time", "time"),
    Column("bool", "bool"),
    Column("date", "date"),
    Column("datetime", "datetime"),
    Column("json", "json"),
]
UTC = dt.UTC
CEST = dt.timezone(dt.timedelta(hours=2))


def _rows() -> list[list[Any]]:
    """Rows with every kind of value the export writes, and the awkward ones."""
    return [
        [
            "plain",
            "CF",
            1,
            1.5,
            0.25,
            3_723_004,
            True,
            dt.date(2026, 1, 2),
            dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
            {"b": [1, 2], "a": "x"},
        ],
        [
            "a <&> b \"q\" 'q'",
            "<&>",
            0,
            0.0,
            0.0,
            0,
            False,
            dt.date(1900, 1, 1),
            dt.datetime(2026, 6, 1, 23, 59, 59, 999_000, tzinfo=CEST),
            [],
        ],
        [
            "Zo\u00eb \u4e2d\u6587 \U0001f600 \u00e9",
            "K\u00e9",
            -(2**40),
            -1e-300,
            1e300,
            86_400_000 * 30 + 1,
            None,
            dt.date(9999, 12, 31),
            dt.datetime(2026, 1, 2, 3, 4),
            {},
        ],
        [
            "bell\x07 tab\t nl\n cr\r\n nul\x00 esc\x1b",
            "=A1+1",
            2**70,
            float("nan"),
            float("inf"),
            -5_000,
            True,
            None,
            None,
            {"note": "=1+1 \x01"},
        ],
        ["=SUM(A1:A2)", " padded ", None, -0.0, None, 12.5, None, None, None, None],
        ["#N/A", "#DIV/0!", 7, 1, 2, 1, False, dt.datetime(2026, 3, 4, 5, 6, 7), None, None],
        ["", "", None, None, None, None, None, None, None, None],
        ["   ", "x" * 40_000, None, 3.0, None, None, None, None, None, None],
        [None] * 10,
        [2**53 + 1, 2**53 - 1, -(2**53) - 1, 2**53, -(2**53) + 1, 2**53 + 3, 1, None, None, 9],
        [12345, 6.5, True, 3, 4.0, 0.5, True, None, None, "text as json"],
        ["=", "\u2028\ufeff", 10**15, 1 / 3, 2 / 3, 999, None, None, None, ["=x", None]],
    ]


def _book(path: Path, fast: bool, rows: Sequence[Sequence[Any]], max_rows: int = 1000) -> Path:
    book = XlsxBook(fast=fast)
    assert book.fast is fast
    book.add_sheet("Kinds", COLUMNS, rows, max_rows=max_rows)
    book.add_sheet("Empty", COLUMNS, [])
    book.add_sheet("Second", COLUMNS[:3], [r[:3] for r in rows])
    book.save(path)
    return path


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}  # created at


def _cells(path: Path, read_only: bool) -> Iterator[tuple[str, int, int, Any, str, str]]:
    wb = load_workbook(path, read_only=read_only)
    try:
        for ws in wb.worksheets:
            for r, row in enumerate(ws.iter_rows(), start=1):
                for c, cell in enumerate(row, start=1):
                    value = cell.value
                    if isinstance(value, float) and math.isnan(value):
                        value = "NaN"
                    yield ws.title, r, c, value, cell.data_type, cell.number_format
    finally:
        wb.close()


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("fast")
    return (
        _book(folder / "fast.xlsx", True, _rows(), max_rows=6),
        _book(folder / "standard.xlsx", False, _rows(), max_rows=6),
    )


def test_available_with_the_installed_openpyxl() -> None:
    assert fast_rows.available()


def test_same_package_part_by_part(pair: tuple[Path, Path]) -> None:
    fast, standard = _parts(pair[0]), _parts(pair[1])
    assert sorted(fast) == sorted(standard)
    assert [n for n in fast if n.startswith("xl/worksheets/sheet")] == [
        f"xl/worksheets/sheet{i}.xml" for i in range(1, 6)
    ]  # Kinds, Kinds (2), Kinds (3), Empty, Second
    for name in standard:
        assert fast[name] == standard[name], name


@pytest.mark.parametrize("read_only", [False, True], ids=["normal", "read-only"])
def test_same_cells_read_back(pair: tuple[Path, Path], read_only: bool) -> None:
    fast = list(_cells(pair[0], read_only))
    standard = list(_cells(pair[1], read_only))
    assert len(fast) == len(standard) > 100
    for a, b in zip(fast, standard, strict=True):
        assert a == b


def test_cells_are_what_the_columns_say(pair: tuple[Path, Path]) -> None:
    """Not only the same as openpyxl's: the right cells (spot checks on the fast file)."""
    ws = load_workbook(pair[0])["Kinds"]
    assert ws["A2"].value == "plain" and ws["A2"].data_type == "s"
    assert ws["D2"].value == 1.5 and ws["D2"].number_format == "0.000"
    assert ws["F2"].number_format == "[h]:mm:ss.000"
    assert ws["F2"].value == dt.timedelta(milliseconds=3_723_004)
    assert ws["G2"].value is True and ws["G2"].data_type == "b"
    assert ws["H2"].value == dt.datetime(2026, 1, 2) and ws["H2"].number_format == "yyyy-mm-dd"
    assert ws["I2"].value == dt.datetime(2026, 1, 2, 3, 4, 5)
    assert ws["J2"].value == '{"a":"x","b":[1,2]}'
    assert ws["A3"].value == "a <&> b \"q\" 'q'"
    # CEST -> UTC, to the whole second (as the format shows and the CSV writes it)
    assert ws["I3"].value == dt.datetime(2026, 6, 1, 21, 59, 59)
    assert ws["A4"].value == "Zo\u00eb \u4e2d\u6587 \U0001f600 \u00e9"
    assert ws["A5"].value == "bell tab\t nl\n cr\n nul esc"  # control characters dropped
    assert ws["B5"].value == "=A1+1" and ws["B5"].data_type == "s"  # never a formula
    assert ws["A6"].value == "=SUM(A1:A2)" and ws["A6"].data_type == "s"
    book = load_workbook(pair[0])
    error_like = [
        c
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for c in row[:2]
        if c.value in ("#N/A", "#DIV/0!")
    ]
    assert error_like and all(c.data_type == "s" for c in error_like)  # text, not errors
    assert ws["B6"].value == " padded "
    assert ws["C6"].value is None and ws["C6"].has_style is False


def test_a_key_with_illegal_characters_is_cleaned_alike_on_both_paths(tmp_path: Path) -> None:
    """A control character Excel cannot hold is dropped (issue 17: it used to make the whole
    study unexportable), the same way on the fast and the standard path."""
    row = ["ok", "bad\x01key", 1, None, None, None, None, None, None, None]
    got = []
    for fast in (True, False):
        book = XlsxBook(fast=fast)
        book.add_sheet("Kinds", COLUMNS, [row])
        book.save(tmp_path / f"{fast}.xlsx")
        got.append([c.value for c in load_workbook(tmp_path / f"{fast}.xlsx")["Kinds"][2]][:2])
    assert got == [["ok", "badkey"], ["ok", "badkey"]]


def test_off_when_the_probe_fails(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    monkeypatch.setattr(fast_rows, "_check", lambda: "probe sheets differ at byte 1")
    fast_rows.available.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger=fast_rows.__name__):
            book = XlsxBook()
        assert book.fast is False
        assert "probe sheets differ" in caplog.text
        with pytest.raises(RuntimeError, match="fast row writer"):
            XlsxBook(fast=True)
        book.add_sheet("Kinds", COLUMNS, _rows())
        book.save(tmp_path / "standard.xlsx")
        assert load_workbook(tmp_path / "standard.xlsx")["Kinds"]["A2"].value == "plain"
    finally:
        fast_rows.available.cache_clear()


# ------------------------------------------------------------------------ any values

_text = st.text(max_size=30) | st.integers()
_when = st.datetimes(min_value=dt.datetime(1800, 1, 2), max_value=dt.datetime(9999, 12, 30))
_number = st.floats() | st.integers(-(10**20), 10**20)
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)
_kinds: dict[str, st.SearchStrategy[Any]] = {
    "text": _text,
    "key": st.text(max_size=12) | st.integers() | st.booleans(),
    "int": st.integers() | st.booleans(),
    "float": _number,
    "seconds": _number,
    "time": st.integers(-(10**12), 10**12) | st.floats(-1e12, 1e12),
    "bool": st.booleans(),
    "date": st.dates() | _when,
    "datetime": _when | _when.map(lambda d: d.replace(tzinfo=UTC)),
    "json": _json,
}
_row = st.tuples(*(st.none() | _kinds[c.kind] for c in COLUMNS))


def _sheet_or_error(path: Path, fast: bool, rows: Sequence[Sequence[Any]]) -> Any:
    book = XlsxBook(fast=fast)
    try:
        book.add_sheet("Any", COLUMNS, rows)
    except Exception as exc:  # the standard path's error must be the fast path's too
        book.discard()
        return type(exc)
    book.save(path)
    with zipfile.ZipFile(path) as z:
        return z.read("xl/worksheets/sheet1.xml"), z.read("xl/styles.xml")


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(_row, min_size=1, max_size=6))
def test_any_rows_serialise_as_openpyxl_does(tmp_path: Path, rows: list[tuple[Any, ...]]) -> None:
    fast = _sheet_or_error(tmp_path / "fast.xlsx", True, rows)
    standard = _sheet_or_error(tmp_path / "standard.xlsx", False, rows)
    assert fast == standard


@given(text=st.text())
def test_own_escape_matches_xml_etree(text: str) -> None:
    from xml.etree import ElementTree

    assert fast_rows._escape_cdata(text) == ElementTree._escape_cdata(text)  # type: ignore[attr-defined]
