"""Corrupt and hostile files get one line, never a traceback or a hang (issue 17): an XML
entity bomb, a truncated sheet, a zip bomb in an .xlsx; a TOML definition nested a hundred
thousand levels deep (RecursionError before) or far too large."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from observer_app.coding.definitions._source import MAX_TOML_CHARS, load_toml
from observer_app.coding.errors import InputError, ObserverError
from observer_app.export.tables_in import read_table

SHEET = "xl/worksheets/sheet1.xml"
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _entity_bomb(_data: bytes) -> bytes:
    entities = "".join(f'<!ENTITY e{i + 1} "' + f"&e{i};" * 10 + '">' for i in range(9))
    return (
        f'<?xml version="1.0"?><!DOCTYPE b [<!ENTITY e0 "lol">{entities}]>'
        f'<worksheet xmlns="{NS}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is>'
        "<t>&e9;</t></is></c></row></sheetData></worksheet>"
    ).encode()


@pytest.mark.parametrize(
    ("name", "change", "message"),
    [
        ("bomb.xlsx", _entity_bomb, "bad XML"),
        ("truncated.xlsx", lambda data: data[: len(data) // 2], "cannot be read after row"),
    ],
)
def test_hostile_or_corrupt_sheet_is_one_line(
    tmp_path: Path, name: str, change: object, message: str
) -> None:
    ok = tmp_path / "ok.xlsx"
    wb = Workbook()
    wb.active.append(["file", "client"])
    wb.active.append(["a.mp4", "C1"])
    wb.save(ok)
    bad = tmp_path / name
    with zipfile.ZipFile(ok) as zin, zipfile.ZipFile(bad, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            zout.writestr(item, change(data) if item.filename == SHEET else data)  # type: ignore[operator]
    with pytest.raises(InputError, match=message) as info:
        read_table(bad)
    assert str(info.value).startswith(str(bad)) and "\n" not in str(info.value)


def test_zip_bomb_is_refused_before_reading(tmp_path: Path) -> None:
    bomb = tmp_path / "zipbomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", b" " * (300 * 2**20))
    with pytest.raises(InputError, match="unpacks to 300 MB"):
        read_table(bomb)


def test_deep_or_huge_toml_is_refused_in_one_line() -> None:
    with pytest.raises(ObserverError, match="line 1: nested more than 32 levels"):
        load_toml("a = " + "[" * 100_000 + "]" * 100_000, "deep.toml")
    with pytest.raises(ObserverError, match="too large for a definition"):
        load_toml("# x\n" * (MAX_TOML_CHARS // 4 + 1), "huge.toml")
    brackets_in_text = 'x = "' + "[" * 40 + '"  # [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n'
    assert load_toml(brackets_in_text, "ok.toml") == {"x": "[" * 40}
