"""Bulk recording-metadata import: row-numbered problems, all-or-nothing, "import valid rows"."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from observer_app.coding.errors import AccessDenied, InputError
from observer_app.export.tables_in import read_table, sheet_names
from observer_app.services.metadata_import import (
    MetadataImportError,
    MetadataMapping,
    SourceRow,
    SourceTable,
    check_rows,
    guess_mapping,
)
from observer_app.services.study import Study


def _media(folder: Path, name: str, seed: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(bytes((seed * 37 + i) % 253 for i in range(4096)) * 4)
    return path


@pytest.fixture
def study(tmp_path: Path) -> Study:
    s = Study.create(tmp_path / "lab.db", "Import test")
    for i in range(1, 5):
        s.recordings.add(_media(tmp_path / "media", f"s{i:02d}.mp4", i))
    s.coders.add("Ana")
    return s


def _csv(tmp_path: Path, text: str, name: str = "meta.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _snapshot(study: Study) -> list[tuple[object, ...]]:
    return [
        (r.client_id, r.therapist_id, r.dyad_id, r.session_number, r.session_date, r.meta)
        for r in study.recordings.all()
    ]


GOOD = (
    "File,Client,Therapist,Session,Date,Condition\n"
    "s01.mp4,C1,T1,1,2024-03-01,CBT\n"
    "s02.mp4,C1,T1,2,2024-03-08,CBT\n"
    "s03.mp4,C2,T2,1,2024-03-02,PDT\n"
)


def test_guess_mapping_reads_usual_header_names() -> None:
    mapping = guess_mapping(["File", "Client", "Therapist", "Session", "Date", "Condition"])
    assert mapping.key_column == "File" and mapping.key_kind == "file"
    assert dict(mapping.fields) == {
        "client_id": "Client",
        "therapist_id": "Therapist",
        "session_number": "Session",
        "session_date": "Date",
    }
    assert dict(mapping.meta) == {"condition": "Condition"}
    assert guess_mapping(["Recording ID", "Dyad"]).key_kind == "id"


def test_valid_csv_is_imported_in_one_audited_transaction(study: Study, tmp_path: Path) -> None:
    table = read_table(_csv(tmp_path, GOOD))
    assert [r.number for r in table.rows] == [2, 3, 4]
    before = len(study.audit.entries())
    result = study.metadata_import.apply(table, guess_mapping(table.columns))
    assert result.skipped_rows == () and len(result.updated) == 3
    recs = {Path(r.media_path).name: r for r in study.recordings.all()}
    assert recs["s02.mp4"].client_id == "C1"
    assert recs["s02.mp4"].session_number == 2
    assert recs["s02.mp4"].session_date == dt.date(2024, 3, 8)
    assert recs["s03.mp4"].meta == {"condition": "PDT"}
    assert recs["s04.mp4"].client_id is None  # not in the file: untouched
    entries = study.audit.entries()[before:]
    assert {e.context for e in entries} == {"import recording metadata from meta.csv"}
    assert {e.entity_id for e in entries} == set(result.updated)


def test_bad_rows_are_reported_with_numbers_and_nothing_is_imported(
    study: Study, tmp_path: Path
) -> None:
    text = (
        "File,Client,Session,Date\n"
        "s01.mp4,C1,1,2024-03-01\n"
        "nosuch.mp4,C1,2,2024-03-08\n"  # row 3: unknown recording
        "s03.mp4,C2,two,2024-03-02\n"  # row 4: session not a number
        "s04.mp4,C2,3,03/04/2024\n"  # row 5: ambiguous date format
        "s01.mp4,C9,4,\n"  # row 6: s01 given twice
    )
    table = read_table(_csv(tmp_path, text))
    mapping = guess_mapping(table.columns)
    before = _snapshot(study)
    with pytest.raises(MetadataImportError) as info:
        study.metadata_import.apply(table, mapping)
    assert info.value.check.bad_rows == (3, 4, 5, 6)
    by_row = {p.row: p for p in info.value.problems}
    assert by_row[3].column == "File" and "nosuch.mp4" in by_row[3].message
    assert by_row[4].column == "Session" and "'two' is not a whole number" in by_row[4].message
    assert by_row[5].column == "Date" and "YYYY-MM-DD" in by_row[5].message
    assert "already given in row 2" in by_row[6].message
    assert "4 of 5 rows have problems, nothing was imported" in str(info.value)
    assert _snapshot(study) == before


def test_import_valid_rows_writes_those_and_lists_the_skipped(study: Study, tmp_path: Path) -> None:
    text = "File,Client,Session\ns01.mp4,C1,1\ns02.mp4,C1,x\ns03.mp4,C2,3\n"
    table = read_table(_csv(tmp_path, text))
    service = study.metadata_import
    check = service.check(table, guess_mapping(table.columns))
    assert [u.row for u in check.updates] == [2, 4] and check.bad_rows == (3,)
    result = service.apply(table, guess_mapping(table.columns), valid_rows_only=True)
    assert result.skipped_rows == (3,)
    recs = {Path(r.media_path).name: r for r in study.recordings.all()}
    assert (recs["s01.mp4"].session_number, recs["s03.mp4"].session_number) == (1, 3)
    assert recs["s02.mp4"].client_id is None  # the bad row wrote nothing at all


def test_blank_cells_leave_stored_values_unchanged(study: Study, tmp_path: Path) -> None:
    rid = study.recordings.all()[0].id
    study.recordings.update(rid, client_id="KEEP", session_number=7)
    table = read_table(_csv(tmp_path, "File,Client,Session,Therapist\ns01.mp4,,,T3\n"))
    study.metadata_import.apply(table, guess_mapping(table.columns))
    rec = study.recordings.get(rid)
    assert (rec.client_id, rec.session_number, rec.therapist_id) == ("KEEP", 7, "T3")


def test_semicolon_csv_by_recording_id_and_full_path(study: Study, tmp_path: Path) -> None:
    recs = study.recordings.all()
    by_id = read_table(_csv(tmp_path, f"recording_id;dyad\n{recs[1].id};D7\n"))
    study.metadata_import.apply(by_id, guess_mapping(by_id.columns))
    assert study.recordings.get(recs[1].id).dyad_id == "D7"
    full = read_table(_csv(tmp_path, f"path,client\n{recs[2].media_path},C5\n", "p.csv"))
    study.metadata_import.apply(full, guess_mapping(full.columns))
    assert study.recordings.get(recs[2].id).client_id == "C5"


def test_an_ambiguous_file_name_asks_for_the_full_path(study: Study, tmp_path: Path) -> None:
    study.recordings.add(_media(tmp_path / "other", "s01.mp4", 99))
    table = read_table(_csv(tmp_path, "File,Client\ns01.mp4,C1\n"))
    check = study.metadata_import.check(table, guess_mapping(table.columns))
    assert check.bad_rows == (2,)
    assert "give the full path" in check.problems[0].message


def test_xlsx_typed_cells(study: Study, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sessions"
    ws.append(["File", "Client", "Session", "Date", "Weight"])
    ws.append(["s01.mp4", 101, 1, dt.datetime(2024, 5, 6), 0.5])
    ws.append([])  # blank rows are skipped but keep the numbering honest
    ws.append(["s02.mp4", 102.0, 2.0, dt.date(2024, 5, 13), None])
    ws.append(["s03.mp4", "C3", 2.5, "2024-05-20", None])
    path = tmp_path / "meta.xlsx"
    wb.save(path)
    assert sheet_names(path) == ["Sessions"]
    table = read_table(path)
    assert [r.number for r in table.rows] == [2, 4, 5]
    service = study.metadata_import
    with pytest.raises(MetadataImportError) as info:
        service.apply(table, guess_mapping(table.columns))
    assert info.value.check.bad_rows == (5,)
    assert "2.5 is not a whole number" in info.value.problems[0].message
    service.apply(table, guess_mapping(table.columns), valid_rows_only=True)
    recs = {Path(r.media_path).name: r for r in study.recordings.all()}
    assert recs["s01.mp4"].client_id == "101" and recs["s02.mp4"].client_id == "102"
    assert recs["s02.mp4"].session_date == dt.date(2024, 5, 13)
    assert recs["s01.mp4"].meta == {"weight": 0.5}


def test_a_mapping_naming_a_missing_column_is_refused(study: Study, tmp_path: Path) -> None:
    table = read_table(_csv(tmp_path, GOOD))
    with pytest.raises(InputError, match="has no column 'Sesion'"):
        study.metadata_import.check(
            table, MetadataMapping("File", fields={"session_number": "Sesion"})
        )
    with pytest.raises(InputError, match="names the recording"):
        study.metadata_import.check(table, MetadataMapping("", fields={"client_id": "Client"}))


def test_coders_may_not_import(study: Study, tmp_path: Path) -> None:
    coder = Study.open(study.location, as_coder="Ana", backup=False)
    table = read_table(_csv(tmp_path, GOOD))
    with pytest.raises(AccessDenied):
        coder.metadata_import.apply(table, guess_mapping(table.columns))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "the file is empty"),
        ("latin1.csv", "File,Client\ns01.mp4,Jos\xe9\n".encode("latin-1"), "not UTF-8 text"),
        ("dup.csv", b"File,Client,client,Client\n", "'Client' appears twice"),
        ("hole.csv", b"File,,Client\ns01.mp4,x,y\n", "column 2 has no name"),
        ("wide.csv", b"File,Client\ns01.mp4,C1,extra\n", "row 2 has 3 or more cells"),
        ("quote.csv", b'File,Client\ns01.mp4,"C1\n', "malformed CSV"),
        ("fake.xlsx", b"File,Client\n", "not a zip archive"),
        ("broken.xlsx", b"PK\x03\x04 truncated", "not a"),
        ("old.xls", b"\xd0\xcf\x11\xe0", "old binary Excel format"),
        ("data.json", b"{}", "not a CSV or .xlsx file"),
        ("blank.csv", b"\n\n ,\n", "no header row"),
    ],
)
def test_malformed_files_get_a_clear_message(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as info:
        read_table(path)
    assert name in str(info.value)


def test_missing_sheet_and_missing_file(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.append(["File"])
    wb.save(tmp_path / "x.xlsx")
    with pytest.raises(InputError, match="no sheet named 'Other'"):
        read_table(tmp_path / "x.xlsx", sheet="Other")
    with pytest.raises(InputError, match="no such file"):
        read_table(tmp_path / "missing.csv")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bom.csv", "\ufeffFile,Client\r\ns01.mp4,C1\r\n".encode()),
        ("tabs.tsv", b"File\tClient\ns01.mp4\tC1\n"),
        ("quoted.csv", b'File,Client\n"s01.mp4","C1"\n'),
    ],
)
def test_csv_variants_read_alike(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    table = read_table(path)
    assert table.columns == ("File", "Client")
    assert [dict(r.values) for r in table.rows] == [{"File": "s01.mp4", "Client": "C1"}]


RECS = [(i, f"/data/s{i:02d}.mp4") for i in range(1, 31)]


@given(
    st.lists(
        st.tuples(
            st.integers(1, 40),  # recording number (31-40 do not exist)
            st.one_of(st.integers(0, 99).map(str), st.sampled_from(["x", "1.5", "-2", ""])),
        ),
        max_size=25,
    )
)
@settings(max_examples=60, deadline=None)
def test_exactly_the_bad_rows_are_reported(rows: list[tuple[int, str]]) -> None:
    """Row i (file row i + 2) is bad iff its recording is unknown, repeats an earlier row's
    recording, or its session is not a whole number >= 0 (blank leaves the value alone)."""
    table = SourceTable(
        ("File", "Session"),
        tuple(
            SourceRow(i + 2, {"File": f"s{rec:02d}.mp4", "Session": session})
            for i, (rec, session) in enumerate(rows)
        ),
    )
    check = check_rows(table, MetadataMapping("File", fields={"session_number": "Session"}), RECS)
    expected_bad, seen = set(), set()
    for i, (rec, session) in enumerate(rows):
        bad = rec > 30 or (session != "" and not session.isdigit())
        if rec <= 30 and rec in seen and not bad:
            bad = True
        if rec <= 30 and not (session != "" and not session.isdigit()):
            seen.add(rec)
        if bad:
            expected_bad.add(i + 2)
    assert set(check.bad_rows) == expected_bad
    assert {u.row for u in check.updates} == {i + 2 for i in range(len(rows))} - expected_bad
    for u in check.updates:
        session = rows[u.row - 2][1]
        assert u.changes == ({} if session == "" else {"session_number": int(session)})
