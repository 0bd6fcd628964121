"""The exported workbook, reopened with openpyxl, matches the database cell by cell; its CSV
twins hold the same rows; the spreadsheet is a proper one (formats, frozen header, tables,
chart); pseudonymisation; nothing is half-written on failure."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import threading
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from observer_app.cli import main
from observer_app.coding.errors import AccessDenied, InputError
from observer_app.export import SHEET_ORDER, ExportOptions, export_study
from observer_app.export.workbook import Column, XlsxBook, csv_file_name, time_text
from observer_app.services.reliability import Cancelled, ReliabilityRequest

from .conftest import Exported


def _table(ws: Any) -> list[dict[str, Any]]:
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, r, strict=True)) for r in rows[1:]]


def _ms(v: Any) -> int | None:
    """An Excel time cell read back by openpyxl (timedelta or time) in milliseconds."""
    if v is None:
        return None
    if isinstance(v, dt.timedelta):
        return round(v.total_seconds() * 1000)
    if isinstance(v, dt.time):
        return ((v.hour * 60 + v.minute) * 60 + v.second) * 1000 + round(v.microsecond / 1000)
    if isinstance(v, dt.datetime):  # 0 days maps to the epoch date
        return _ms(v.time())
    return round(float(v) * 86_400_000)


@pytest.fixture(scope="module")
def wb(exported: Exported) -> Any:
    return load_workbook(exported.xlsx)


def test_sheets_in_order_with_frozen_styled_headers_and_tables(wb: Any, exported: Exported) -> None:
    assert wb.sheetnames == list(SHEET_ORDER)
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert ws["A1"].font.bold, ws.title
        assert ws.max_row == exported.summary.rows[ws.title] + 1
        if ws.max_row > 1:
            (table,) = ws.tables.values()
            assert table.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}"
            assert table.autoFilter is not None
        assert ws.column_dimensions["A"].width > 0


def test_events_match_the_database(wb: Any, exported: Exported) -> None:
    mia = exported.lab.manager()
    stored = {e.id: e for e in mia.events.all_in_study()}
    assignments = {a.id: a for a in mia.assignments.list_all()}
    scheme = mia.definitions.scheme(exported.lab.scheme_id)
    ws = wb["Events"]
    rows = _table(ws)
    header = [c.value for c in ws[1]]
    assert sorted(r["event_id"] for r in rows) == sorted(stored)
    for k, row in enumerate(rows, start=2):
        e = stored[row["event_id"]]
        a = assignments[e.assignment_id]
        assert row["recording_id"] == a.recording_id
        assert row["coder"] == a.coder_name
        assert row["purpose"] == a.purpose
        assert row["assignment_id"] == a.id
        assert row["code"] == e.code
        assert row["category"] == scheme.code(e.code).category
        assert row["onset_s"] == e.onset_ms / 1000
        assert _ms(row["onset"]) == e.onset_ms
        if e.offset_ms is None:
            assert (row["offset_s"], row["offset"], row["duration_s"]) == (None, None, None)
        else:
            assert row["offset_s"] == e.offset_ms / 1000 and _ms(row["offset"]) == e.offset_ms
            assert row["duration_s"] == (e.offset_ms - e.onset_ms) / 1000
        assert json.loads(row["modifiers"] or "{}") == e.modifiers
        assert (row["comment"] or "") == e.comment
        header = [c.value for c in ws[1]]
        onset = ws.cell(k, header.index("onset") + 1)
        # a real time value (openpyxl reads time-formatted numbers back as times), not text
        assert onset.data_type in ("n", "d") and onset.number_format == "[h]:mm:ss.000"
        assert ws.cell(k, header.index("onset_s") + 1).number_format == "0.000"
    assert [(r["code"], r["duration_s"]) for r in rows if r["code"] == "ST"] == [("ST", 13.75)]
    # the comment "=1+1" is text, not a formula
    assert any(r["comment"] == "=1+1" for r in rows)
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


def test_analysis_flag_prefers_the_completed_consensus(wb: Any, exported: Exported) -> None:
    rows = _table(wb["Events"])
    first = exported.lab.recordings[0]
    flagged = {r["assignment_id"] for r in rows if r["analysis"]}
    assert exported.consensus_id in flagged
    assert (
        not {r["assignment_id"] for r in rows if r["recording_id"] == first}
        - {exported.consensus_id}
        & flagged
    )
    for rec in exported.lab.recordings[1:]:
        primary = {r["assignment_id"] for r in rows if r["recording_id"] == rec and r["analysis"]}
        assert {r["purpose"] for r in rows if r["assignment_id"] in primary} == {"primary"}


def test_ratings_and_scores_match_the_database(wb: Any, exported: Exported) -> None:
    mia = exported.lab.manager()
    stored = {r.id: r for r in mia.ratings.all_in_study()}
    rows = _table(wb["Ratings"])
    assert sorted(r["rating_id"] for r in rows) == sorted(stored)
    inst = mia.definitions.instrument(exported.lab.instrument_id)
    for row in rows:
        r = stored[row["rating_id"]]
        assert (row["item_id"], row["value"], row["unit"]) == (r.item_id, r.value, r.unit_kind)
        item = inst.item(r.item_id)
        keyed = inst.scale.reverse(round(r.value)) if item.reverse and r.value else r.value
        assert row["keyed_value"] == keyed
    # scores: the lead's ScoreService (an independent use of the scoring API) agrees
    expected = {
        (s.assignment_id, s.score_id, part): getattr(s, part)
        for s in mia.scores.for_study(mia.assignments.list_all(), mia.ratings.all_in_study())
        if s.unit_kind == "session"
        for part in ("mean", "sum")
    }
    got = {}
    for row in _table(wb["Scores"]):
        for score in ("Bordin", "Relational", "total"):
            for part in ("mean", "sum"):
                got[(row["assignment_id"], score, part)] = row[f"{score}_{part}".lower()]
        assert row["key_check"] == "key not checked"
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, rel=1e-15)


def test_recordings_coders_and_segments(wb: Any, exported: Exported) -> None:
    mia = exported.lab.manager()
    recs = _table(wb["Recordings"])
    assert [r["session_number"] for r in recs] == [1, 2, 3, 4, 5, 6]
    assert [r["phase"] for r in recs] == [1, 1, 1, 1, 1, 2]
    assert all(r["duration_s"] == 300.0 and _ms(r["duration"]) == 300_000 for r in recs)
    coders = _table(wb["Coders"])
    assert [c["coder"] for c in coders] == [
        c.name for c in sorted(mia.coders.all(), key=lambda c: c.id)
    ]
    segs = _table(wb["Segments"])
    events = mia.events.all_in_study()
    counted = Counter((e.assignment_id, e.onset_ms // 60_000 + 1, e.code) for e in events)
    assignments = {a.id for a in mia.assignments.list_all()}
    assert {(r["assignment_id"], r["segment"]) for r in segs} == {
        (a, s) for a in assignments for s in range(1, 6)
    }
    for r in segs:
        for code in ("WD", "CF", "RS", "XX", "ST"):
            assert r[f"n_{code.lower()}"] == counted[(r["assignment_id"], r["segment"], code)]
        assert r["end_s"] - r["start_s"] == 60.0


def test_reliability_values_equal_the_engines(wb: Any, exported: Exported) -> None:
    svc = exported.lab.manager().reliability
    rows = _table(wb["Reliability"])
    inst = svc.compute(ReliabilityRequest(exported.lab.instrument_id))
    for s in inst.scores:
        for r in [*s.iccs, s.alpha, *([s.kappa] if s.kappa else [])]:
            (row,) = [
                x
                for x in rows
                if (x["target_kind"], x["target_id"], x["statistic"]) == (s.kind, s.id, r.name)
            ]
            for key, want in (("value", r.value), ("se", r.se), ("p", r.p)):
                assert (row[key] is None) == (want is None)
                if want is not None:
                    assert row[key] == pytest.approx(want, rel=1e-15, abs=1e-300)
            if r.ci95 is not None:
                assert row["ci_low"] == pytest.approx(r.ci95[0], rel=1e-15)
                assert row["ci_high"] == pytest.approx(r.ci95[1], rel=1e-15)
            assert row["n_units"] == r.n_units and row["interpretation"] == r.label
    scheme = svc.compute(ReliabilityRequest(exported.lab.scheme_id))
    assert scheme.events is not None
    conf = {(x["code_a"], x["code_b"]): x["count"] for x in _table(wb["Confusion"])}
    labels = scheme.events.confusion.labels
    for i, row_ in enumerate(scheme.events.confusion.counts):
        for j, n in enumerate(row_):
            assert conf.get((labels[i], labels[j]), 0) == n
    assert 0 not in conf.values()
    for c in scheme.codes:
        (row,) = [
            x for x in rows if x["target_id"] == c.code and x["statistic"] == "specific agreement"
        ]
        assert row["value"] == c.specific_agreement and row["below_threshold"] == c.flagged


def test_native_chart_of_reliability_with_error_bars(exported: Exported) -> None:
    with zipfile.ZipFile(exported.xlsx) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        reliability = [x for x in (z.read(n).decode() for n in charts) if "'Reliability'!" in x]
        assert len(reliability) == 1  # (the Phases and Sequences sheets have their own charts)
        xml = reliability[0]
    assert "<c:barChart>" in xml or "<barChart>" in xml
    assert "errBars" in xml and 'errValType val="cust"' in xml
    assert "'Reliability'!$F$" in xml and "'Reliability'!$H$" in xml


def test_consensus_sheet_has_the_decisions_with_provenance(wb: Any, exported: Exported) -> None:
    mia = exported.lab.manager()
    rows = _table(wb["Consensus"])
    assert {r["assignment_id"] for r in rows} == {exported.consensus_id}
    events = {e.id: e for e in mia.events.for_assignment(exported.consensus_id)}
    event_rows = [r for r in rows if r["record"] == "event" and r["result_id"] is not None]
    assert {r["result_id"] for r in event_rows} == set(events)
    for r in event_rows:
        e = events[r["result_id"]]
        assert r["decision"] == e.source["decision"]
        assert r["source_ids"] == ", ".join(str(i) for i in e.source["events"])
    assert any(r["decision"] == "neither" and r["result_id"] is None for r in rows)
    ratings = [r for r in rows if r["record"] == "rating"]
    assert len(ratings) == 6
    assert all(r["value"] in (r["value_a"], r["value_b"]) for r in ratings)


def test_csv_round_trip(wb: Any, exported: Exported) -> None:
    for name in SHEET_ORDER:
        path = exported.csv_dir / csv_file_name(name)
        with path.open(encoding="utf-8-sig", newline="") as fh:
            data = list(csv.reader(fh))
        ws = wb[name]
        assert len(data) == ws.max_row, name
        header = data[0]
        assert header == [c.value for c in ws[1]]
        for xl_row, csv_row in zip(ws.iter_rows(min_row=2), data[1:], strict=True):
            for cell, text in zip(xl_row, csv_row, strict=True):
                _same_cell(cell, text, name)


def _same_cell(cell: Any, text: str, sheet: str) -> None:
    v = cell.value
    where = f"{sheet}!{cell.coordinate}"
    if v is None:
        assert text == "", where
    elif isinstance(v, bool):
        assert text == ("1" if v else "0"), where
    elif cell.number_format == "[h]:mm:ss.000":
        assert text == time_text(_ms(v) or 0), where
    elif isinstance(v, dt.datetime):
        assert dt.datetime.fromisoformat(text) == v.replace(microsecond=0), where
    elif isinstance(v, dt.date):
        assert dt.date.fromisoformat(text) == v, where
    elif isinstance(v, int | float):
        assert float(text) == pytest.approx(v, rel=1e-15), where
    elif isinstance(v, str) and v[:1] in ("=", "+", "-", "@"):
        assert text == "'" + v, where  # neutralised for spreadsheets
    else:
        assert text == str(v), where


def test_csv_reads_into_pandas_with_numeric_columns(exported: Exported) -> None:
    pd = pytest.importorskip("pandas")
    events = pd.read_csv(exported.csv_dir / "events.csv")
    assert events["onset_s"].dtype.kind == "f" and events["event_id"].dtype.kind == "i"
    assert set(events["analysis"]) <= {0, 1} and events["analysis"].dtype.kind == "i"
    ratings = pd.read_csv(exported.csv_dir / "ratings.csv")
    assert ratings["value"].dtype.kind in "if"


def test_pseudonymized_export_hides_coder_names(exported: Exported, tmp_path: Path) -> None:
    mia = exported.lab.manager()
    out = tmp_path / "p.xlsx"
    export_study(mia, out, csv_dir=tmp_path / "csv", options=ExportOptions(pseudonymize=True))
    names = [c.name for c in mia.coders.all()]
    wb = load_workbook(out)
    texts = [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value]
    texts += [p.read_text(encoding="utf-8") for p in (tmp_path / "csv").iterdir()]
    for name in names:
        assert not [t for t in texts if name in t], name
    assert [r["coder"] for r in _table(wb["Coders"])] == ["C01", "C02", "C03", "C04"]
    assert all(r["media_path"] is None for r in _table(wb["Recordings"]))
    assert all(r["initials"] is None for r in _table(wb["Coders"]))


def test_failure_or_cancel_leaves_nothing_half_written(exported: Exported, tmp_path: Path) -> None:
    mia = exported.lab.manager()
    out = tmp_path / "keep.xlsx"
    out.write_bytes(b"previous export")
    flag = threading.Event()

    def progress(done: int, total: int) -> None:
        if done > 100:
            flag.set()

    with pytest.raises(Cancelled):
        export_study(mia, out, csv_dir=tmp_path / "csv", progress=progress, cancel=flag)
    assert out.read_bytes() == b"previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.xlsx"]
    with pytest.raises(InputError, match=r"\.xlsx"):
        export_study(mia, tmp_path / "out.csv")
    with pytest.raises(AccessDenied):
        export_study(exported.lab.as_("Ana Alves"), tmp_path / "x.xlsx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.xlsx"]


def test_long_sheets_continue_on_a_second_sheet(tmp_path: Path) -> None:
    book = XlsxBook()
    cols = (Column("n", "int"), Column("t", "time"))
    result = book.add_sheet("Events", cols, ((i, i * 1000) for i in range(7)), max_rows=4)
    book.save(tmp_path / "split.xlsx")
    assert result.sheets == ["Events", "Events (2)", "Events (3)"]
    wb = load_workbook(tmp_path / "split.xlsx")
    got = [r[0] for ws in wb.worksheets for r in ws.iter_rows(min_row=2, values_only=True)]
    assert got == list(range(7))
    assert [len(ws.tables) for ws in wb.worksheets] == [1, 1, 1]


def test_cli_export_and_reliability(
    exported: Exported,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "cli.xlsx"
    db = str(exported.lab.path)
    me = ["--as", "Mia Manager"]

    def password() -> None:
        monkeypatch.setattr("sys.stdin", io.StringIO("s3cret\n"))

    password()
    argv = ["export", db, *me, "--xlsx", str(out), "--tolerance", "1500ms", "--quiet"]
    assert main(argv) == 0
    assert f"{len(SHEET_ORDER)} sheets" in capsys.readouterr().out
    about = {r["setting"]: r["value"] for r in _table(load_workbook(out)["About"])}
    assert about["tolerance_ms"] == 1500 and about["icc_form"] == "auto"
    password()
    assert main(["reliability", db, *me, "--json", "--tolerance", "2s"]) == 0
    data = json.loads(capsys.readouterr().out)
    svc = exported.lab.admin.reliability
    want = [svc.compute(ReliabilityRequest(v)).to_dict() for v in svc.versions_with_data()]
    assert data["reports"] == json.loads(json.dumps(want, default=str))
    password()
    assert main(["reliability", db, *me]) == 0
    out = capsys.readouterr().out  # the headline form is the one the design note names
    assert "Design: one-way; ICC(1,1) because" in out and "ICC(1,1)" in out
    password()
    assert main(["export", db, *me, "--xlsx", str(tmp_path / "no" / "x.xlsx")]) == 2
    assert "no such folder" in capsys.readouterr().err


def test_the_export_carries_no_password_hashes(exported: Exported) -> None:
    """Mia Manager has a password; neither the workbook nor the CSV files hold its hash."""
    with zipfile.ZipFile(exported.xlsx) as book:
        assert not any(b"scrypt$" in book.read(n) for n in book.namelist())
    assert not any(b"scrypt$" in f.read_bytes() for f in exported.csv_dir.iterdir())
