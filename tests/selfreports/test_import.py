"""Importing survey exports: good files (CSV and xlsx), every kind of bad file (nothing written),
re-import idempotent and replacing, the remembered mapping, and matching by session."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select

from observer_app.coding.errors import InputError
from observer_app.export.tables_in import read_table
from observer_app.services.selfreports import SelfReportImportError
from observer_app.store.models import AuditEntry, SelfReport, SelfReportItem
from tests.selfreports.lab import NO_RECORDING, PerspectiveLab, write_csv


def _import(lab: PerspectiveLab, path: Path, inst: str = "wai-c-s", **kw: Any) -> Any:
    svc = lab.study.selfreports
    vid = svc.instrument_version(inst)
    table = read_table(path)
    mapping = svc.mapping_for(table, vid, kw.pop("overrides", None))
    return svc.import_table(table, vid, mapping, **kw)


def _counts(lab: PerspectiveLab) -> tuple[int, int, int]:
    with lab.study._ctx.read() as s:
        return (
            int(s.scalar(select(func.count()).select_from(SelfReport)) or 0),
            int(s.scalar(select(func.count()).select_from(SelfReportItem)) or 0),
            int(s.scalar(select(func.count()).select_from(AuditEntry)) or 0),
        )


def test_good_csv_imports_every_form_matched_to_its_recording(
    plab: PerspectiveLab, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "client.csv", plab.client_rows)
    result = _import(plab, path)
    assert len(result.created) == len(plab.client_rows) == 14
    forms = plab.study.selfreports.all(instrument_id="wai-c-s")
    by_key = {(f.dyad_id, f.session_number): f for f in forms}
    for key, rid in plab.recordings.items():
        assert by_key[key].recording_id == rid
        assert by_key[key].respondent_role == "client"
    # the session with no recording is still a form of that dyad and session
    orphan = by_key[NO_RECORDING]
    assert orphan.recording_id is None and orphan.respondent_id == "C2"
    row = plab.client_rows[0]
    first = by_key[("D1", 1)]
    assert first.responses == {str(i): int(row[f"Q{i}"]) for i in range(1, 13)}
    assert str(first.form_date) == row["Date"]
    total = first.scores["total"]
    values = [int(row[f"Q{i}"]) for i in range(1, 13)]
    values = [8 - v if i in (4, 10) else v for i, v in enumerate(values, start=1)]  # reverse keys
    assert total["sum"] == pytest.approx(sum(values))
    assert total["mean"] == pytest.approx(sum(values) / 12)
    assert {"Goal", "Task", "Bond", "total"} <= set(first.scores)


def test_xlsx_with_typed_cells_and_blank_items(plab: PerspectiveLab, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    header = ["TherapistID", "Session", "Date", *[f"Q{i}" for i in range(1, 13)]]
    ws.append(header)
    import datetime as dt

    ws.append(["T1", 1, dt.datetime(2025, 2, 3), *[5] * 11, None])  # item 12 unanswered
    ws.append(["T2", 3.0, dt.date(2025, 2, 4), *[3] * 12])
    wb.save(tmp_path / "t.xlsx")
    result = _import(plab, tmp_path / "t.xlsx", "wai-t-s")
    assert len(result.created) == 2
    forms = {f.respondent_id: f for f in plab.study.selfreports.all(instrument_id="wai-t-s")}
    assert "12" not in forms["T1"].responses
    assert forms["T1"].scores["total"]["answered"] == 11
    # items 4 and 10 are reverse-keyed (8 - x): the mean of the 11 keyed answers, times 12
    keyed = [3 if i in (4, 10) else 5 for i in range(1, 12)]
    assert forms["T1"].scores["total"]["sum"] == pytest.approx(sum(keyed) / 11 * 12)  # prorated
    assert forms["T2"].recording_id == plab.recordings[("D2", 3)]


BAD_CELLS = [
    ("Q3", "8", "item 3: 8 is outside the scale 1..7"),
    ("Q3", "0", "outside the scale"),
    ("Q3", "x", "'x' is not a whole number"),
    ("Q3", "4.5", "not a whole number"),
    ("Session", "", "no session number"),
    ("Session", "two", "session"),
    ("ClientID", "", "no respondent id"),
    ("Date", "31/12/2025", "not a date"),
]


@pytest.mark.parametrize(("column", "value", "message"), BAD_CELLS)
def test_bad_cell_names_row_and_column_and_writes_nothing(
    plab: PerspectiveLab, tmp_path: Path, column: str, value: str, message: str
) -> None:
    rows = [dict(r) for r in plab.client_rows]
    rows[2][column] = value
    path = write_csv(tmp_path / "bad.csv", rows)
    before = _counts(plab)
    with pytest.raises(SelfReportImportError) as info:
        _import(plab, path)
    text = str(info.value)
    assert f"row 4, column {column!r}" in text and message in text
    assert "nothing was imported" in text
    assert _counts(plab) == before


def test_duplicate_form_and_ambiguous_and_empty_rows(plab: PerspectiveLab, tmp_path: Path) -> None:
    rows = [dict(r) for r in plab.client_rows]
    rows.append(dict(rows[0]))  # the same client and session twice
    empty = dict(rows[1]) | {f"Q{i}": "" for i in range(1, 13)}
    empty["Session"] = "7"
    rows.append(empty)
    path = write_csv(tmp_path / "dup.csv", rows)
    before = _counts(plab)
    with pytest.raises(SelfReportImportError) as info:
        _import(plab, path)
    text = str(info.value)
    assert "row 16, column 'ClientID': client 'C1' session 1 is already given in row 2" in text
    assert "row 17, column 'ClientID': no item is answered" in text
    assert _counts(plab) == before


def test_unusable_mapping_is_refused_before_any_row(plab: PerspectiveLab, tmp_path: Path) -> None:
    rows = [{k: v for k, v in r.items() if k != "Session"} for r in plab.client_rows]
    path = write_csv(tmp_path / "nosession.csv", rows)
    with pytest.raises(InputError, match="no column for the session"):
        _import(plab, path)
    path = write_csv(tmp_path / "ok.csv", plab.client_rows)
    with pytest.raises(InputError, match="has no column 'Visit'"):
        _import(plab, path, overrides={"session": "Visit"})
    with pytest.raises(InputError, match="not an item of wai-c-s"):
        _import(plab, path, overrides={"item.99": "Q1"})
    with pytest.raises(InputError, match="not a client or therapist self-report"):
        plab.study.selfreports.instrument_version("wai-o-s")
    assert _counts(plab)[0] == 0


def test_valid_rows_only_writes_the_good_rows(plab: PerspectiveLab, tmp_path: Path) -> None:
    rows = [dict(r) for r in plab.client_rows]
    rows[0]["Q1"] = "9"
    path = write_csv(tmp_path / "some.csv", rows)
    result = _import(plab, path, valid_rows_only=True)
    assert result.skipped_rows == (2,)
    assert len(result.created) == 13
    assert "row 2, column 'Q1'" in str(result.problems[0])


def test_reimport_is_idempotent_and_a_corrected_file_replaces(
    plab: PerspectiveLab, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "client.csv", plab.client_rows)
    _import(plab, path)
    once = _counts(plab)
    again = _import(plab, path)
    assert again.created == () and again.replaced == () and len(again.unchanged) == 14
    assert _counts(plab) == once  # not a row, not an audit entry more
    rows = [dict(r) for r in plab.client_rows]
    rows[0]["Q1"] = "1" if rows[0]["Q1"] != "1" else "2"
    rows[0]["Q2"] = ""
    write_csv(path, rows)
    fixed = _import(plab, path)
    assert len(fixed.replaced) == 1 and fixed.created == ()
    forms = plab.study.selfreports.all(instrument_id="wai-c-s")
    assert len(forms) == 14
    first = next(f for f in forms if (f.dyad_id, f.session_number) == ("D1", 1))
    assert first.responses["1"] == int(rows[0]["Q1"]) and "2" not in first.responses
    with plab.study._ctx.read() as s:
        audited = list(s.scalars(select(AuditEntry).where(AuditEntry.entity == "self_report_item")))
    assert any(a.action == "delete" for a in audited)
    assert any(
        a.action == "update" and a.after == {"value": first.responses["1"]}
        for a in audited
        if a.action == "update"
    )


def test_mapping_is_remembered_per_study(plab: PerspectiveLab, tmp_path: Path) -> None:
    rows = [
        {"Pat": r["ClientID"], "Visit": r["Session"]}
        | {f"wai{k[1:]}": v for k, v in r.items() if k.startswith("Q")}
        for r in plab.client_rows
    ]
    path = write_csv(tmp_path / "odd.csv", rows)
    with pytest.raises(InputError, match="no column for the respondent"):
        _import(plab, path)
    _import(plab, path, overrides={"respondent": "Pat", "session": "Visit"})
    remembered = plab.study.selfreports.remembered_mapping("wai-c-s")
    assert remembered is not None
    assert remembered.fields == {"respondent": "Pat", "session": "Visit"}
    assert remembered.items["7"] == "wai7"
    again = _import(plab, path)  # no overrides: the study remembers
    assert len(again.unchanged) == 14


def test_matching_by_session_with_a_dyad_column(plab: PerspectiveLab, tmp_path: Path) -> None:
    # a therapist who sees two dyads: session 1 of each is told apart by the dyad column
    study = plab.study
    from tests.selfreports.lab import media

    study.recordings.add(
        media(tmp_path / "media", "x.mp4", 99),
        client_id="C3",
        therapist_id="T1",
        dyad_id="D3",
        session_number=1,
    )
    rows = [
        {"TherapistID": "T1", "Session": "1"} | {f"Q{i}": "4" for i in range(1, 13)},
    ]
    path = write_csv(tmp_path / "t.csv", rows)
    with pytest.raises(SelfReportImportError, match="matches recordings"):
        _import(plab, path, "wai-t-s")
    rows[0]["Dyad"] = "D3"
    write_csv(path, rows)
    _import(plab, path, "wai-t-s")
    (form,) = study.selfreports.all(instrument_id="wai-t-s")
    assert form.dyad_id == "D3"
    assert study.recordings.get(form.recording_id).dyad_id == "D3"  # type: ignore[arg-type]


def test_a_client_in_the_wrong_dyad_is_a_problem(plab: PerspectiveLab, tmp_path: Path) -> None:
    rows = [dict(r) | {"Dyad": "D1" if r["ClientID"] == "C1" else "D2"} for r in plab.client_rows]
    rows[3]["Dyad"] = "D7"
    path = write_csv(tmp_path / "dyads.csv", rows)
    with pytest.raises(SelfReportImportError) as info:
        _import(plab, path)
    assert "row 5, column 'Session': client 'C1' session 4 is recording #" in str(info.value)
    assert "of dyad 'D1', not 'D7'" in str(info.value)
