"""Values the database cannot hold, and text Excel cannot hold (issue 17), on both engines.

Observed before: an OverflowError traceback for a number too large; a control character in a
name or comment made the whole study unexportable (openpyxl's IllegalCharacterError)."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from observer_app.coding.errors import InputError
from observer_app.export import export_study
from observer_app.services.metadata_import import (
    MetadataMapping,
    SourceRow,
    SourceTable,
)

from .conftest import Lab, make_media


def test_numbers_too_large_are_refused_in_one_line(lab: Lab, tmp_path: Path) -> None:
    a = lab.admin.assignments.create(lab.rec1, lab.ana).id
    ana = lab.as_("Ana Alves")
    with pytest.raises(InputError, match="too large"):
        ana.events.log(a, "withdrawal", 2**70)
    with pytest.raises(InputError, match="out of range"):
        lab.admin.recordings.add(make_media(tmp_path, "big.mp4", seed=9), session_number=2**40)
    assert ana.events.for_assignment(a) == []
    assert len(lab.admin.recordings.all()) == 2


def test_metadata_row_with_a_huge_number_is_named(lab: Lab) -> None:
    table = SourceTable(
        ("File", "Session"),
        (
            SourceRow(2, {"File": "s01.mp4", "Session": "3"}),
            SourceRow(3, {"File": "s02.mp4", "Session": "99999999999999999999"}),
        ),
        "sessions.csv",
    )
    mapping = MetadataMapping("File", fields={"session_number": "Session"})
    with pytest.raises(InputError, match=r"row 3, column 'Session'.*too large"):
        lab.admin.metadata_import.apply(table, mapping)
    assert [r.session_number for r in lab.admin.recordings.all()] == [1, 2]


def test_control_characters_are_cleaned_on_export(lab: Lab, tmp_path: Path) -> None:
    odd = lab.admin.coders.add("Bell\x07 Coder")
    a = lab.admin.assignments.create(lab.rec1, odd.id, blind=False).id
    with pytest.raises(InputError, match="NUL character"):  # PostgreSQL cannot store it
        lab.admin.events.log(a, "withdrawal", 1_000, comment="bad\x00char")
    lab.admin.events.log(a, "withdrawal", 1_000, comment="bad\x1bchar\x0bhere")
    out = tmp_path / "out.xlsx"
    export_study(lab.admin, out, csv_dir=tmp_path / "csv")
    book = load_workbook(out, read_only=True)
    cells = [
        str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row
    ]
    assert "Bell Coder" in cells and "badcharhere" in cells
