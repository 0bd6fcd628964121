"""The export as an analysis data set: every variable name valid in R, SPSS and Stata, the
context on every row equal to the database, typed metadata, a codebook row for every variable,
the wide Sessions table, CSV that opens everywhere, and the SPSS, Stata and R readers."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
import subprocess
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from observer_app.cli import main
from observer_app.coding.varnames import is_valid
from observer_app.export import SHEET_ORDER, ExportOptions, export_study
from observer_app.export.r_script import R_SCRIPT_NAME
from observer_app.export.workbook import csv_file_name

from .conftest import Exported

CONTEXT = (
    "recording_id",
    "recording_file",
    "client_id",
    "therapist_id",
    "dyad_id",
    "session_number",
    "session_date",
    "phase",
    "condition",
    "client_age",
    "site",
    "intake",
    "assignment_id",
    "coder",
    "purpose",
    "status",
    "completed_at",
    "analysis",
)
OBSERVATION_SHEETS = ("Sessions", "Events", "Segments", "Ratings", "Scores", "Consensus")


def _table(ws: Any) -> list[dict[str, Any]]:
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


@pytest.fixture(scope="module")
def wb(exported: Exported) -> Any:
    return load_workbook(exported.xlsx)


def test_every_variable_name_follows_the_rule(wb: Any) -> None:
    for ws in wb.worksheets:
        names = [c.value for c in ws[1]]
        assert all(is_valid(n) for n in names), (ws.title, [n for n in names if not is_valid(n)])
        assert len({n.lower() for n in names}) == len(names), ws.title


def test_context_on_every_row_equals_the_database(wb: Any, exported: Exported) -> None:
    mia = exported.lab.manager()
    recs = {r.id: r for r in mia.recordings.all()}
    assignments = {a.id: a for a in mia.assignments.list_all()}
    phase = {rid: mia.phases.phase_of(r) for rid, r in recs.items()}  # the study's phases
    for name in OBSERVATION_SHEETS:
        ws = wb[name]
        header = [c.value for c in ws[1]]
        assert tuple(header[: len(CONTEXT)]) == CONTEXT or header[1 : len(CONTEXT) + 1] == list(
            CONTEXT
        ), name
        rows = _table(ws)
        assert rows, name
        for row in rows:
            a = assignments[row["assignment_id"]]
            r = recs[a.recording_id]
            assert row["recording_id"] == r.id and row["client_id"] == r.client_id, name
            assert (row["therapist_id"], row["dyad_id"]) == (r.therapist_id, r.dyad_id)
            assert row["session_number"] == r.session_number
            assert row["session_date"].date() == r.session_date  # a real date cell
            found = phase[r.id]
            assert row["phase"] == (None if found is None else found.number)
            assert (row["coder"], row["purpose"], row["status"]) == (
                a.coder_name,
                a.purpose,
                a.status,
            )
            want = a.completed_at
            if want is None:
                assert row["completed_at"] is None
            else:
                assert row["completed_at"] == want.astimezone(dt.UTC).replace(
                    tzinfo=None, microsecond=0
                )
            # metadata typed: numbers as numbers, dates as dates, text as text
            age = r.meta.get("client_age")
            assert row["client_age"] == (None if age is None else int(age))
            assert row["intake"].date() == dt.date.fromisoformat(r.meta["intake"])
            assert row["condition"] == r.meta["condition"]


def test_codebook_has_one_row_per_variable(wb: Any) -> None:
    book = _table(wb["Codebook"])
    got = [(r["table_name"], r["variable"]) for r in book]
    want = [(ws.title, c.value) for ws in wb.worksheets if ws.title != "About" for c in ws[1]]
    want += [("About", c.value) for c in wb["About"][1]]
    assert sorted(got) == sorted(want)
    assert all(r["label"] and r["type"] for r in book)
    by = {(r["table_name"], r["variable"]): r for r in book}
    assert by[("Events", "analysis")]["value_labels"] == "0 = no; 1 = yes"
    assert by[("Events", "client_age")]["type"] == "integer"
    assert by[("Events", "intake")]["type"].startswith("date")
    assert by[("Segments", "n_wd")]["source"] == "test-markers"
    item = [r for r in book if r["table_name"] == "Sessions" and r["source"]]
    assert item and all(r["source_version"] for r in item)


def test_sessions_table_holds_every_count_rate_and_score(wb: Any, exported: Exported) -> None:
    mia = exported.lab.manager()
    rows = {r["assignment_id"]: r for r in _table(wb["Sessions"])}
    events = mia.events.all_in_study()
    counted = Counter((e.assignment_id, e.code) for e in events)
    assert set(rows) == {a.id for a in mia.assignments.list_all()}
    for aid, row in rows.items():
        for code in ("WD", "CF", "RS", "XX", "ST"):
            n = counted[(aid, code)]
            assert row[f"n_{code.lower()}"] == n
            assert row[f"rate_{code.lower()}"] == pytest.approx(n / (300 / 3600))
    scores = {
        (s.assignment_id, s.score_id): s.value
        for s in mia.scores.for_study(mia.assignments.list_all(), mia.ratings.all_in_study())
        if s.unit_kind == "session"
    }
    inst = mia.definitions.instrument(exported.lab.instrument_id)
    # the column of a score's mean, found by its codebook label (long names are shortened)
    book = [r for r in _table(wb["Codebook"]) if r["table_name"] == "Sessions"]
    column = {
        sid: next(r["variable"] for r in book if r["label"].startswith(f"{inst.id} {sid}_mean "))
        for _aid, sid in scores
    }
    for (aid, sid), value in scores.items():
        got = rows[aid][column[sid]]
        assert (got is None) == (value is None)
        if value is not None:
            assert got == pytest.approx(value, rel=1e-15)


def test_reliability_tables_are_tidy(wb: Any, exported: Exported) -> None:
    stats = _table(wb["Reliability"])
    assert {"value", "ci_low", "ci_high", "n_units", "few_units"} <= set(stats[0])
    for r in stats:
        assert r["few_units"] == (r["n_units"] is not None and r["n_units"] < 30)
    conf = _table(wb["Confusion"])
    assert conf and all(isinstance(r["count"], int) and r["count"] > 0 for r in conf)
    design = _table(wb["Reliability design"])
    assert {r["definition_id"] for r in design} >= {r["definition_id"] for r in stats}


def test_spreadsheet_formats(wb: Any) -> None:
    ws = wb["Ratings"]
    header = [c.value for c in ws[1]]
    value = ws.cell(2, header.index("value") + 1)
    assert value.number_format == "General"  # 4, not 4.000
    for ws in wb.worksheets:
        for c in ws[1]:
            width = ws.column_dimensions[c.column_letter].width
            assert width >= min(60, len(c.value) + 4), (ws.title, c.value)
    analysis = [r["analysis"] for r in _table(wb["Events"])]
    assert set(analysis) == {True, False}  # one boolean display, never 1 beside FALSE


def _csv(exported: Exported, sheet: str) -> list[dict[str, str]]:
    with (exported.csv_dir / csv_file_name(sheet)).open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_csv_opens_everywhere(exported: Exported) -> None:
    for name in SHEET_ORDER:
        raw = (exported.csv_dir / csv_file_name(name)).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), name  # BOM: Excel on Windows reads UTF-8
    events = _csv(exported, "Events")
    assert {r["analysis"] for r in events} == {"0", "1"}
    comments = {r["comment"] for r in events}
    assert "coração\nsegunda linha" in comments
    assert "'+cmd|' /C calc'!A0" in comments and "'@SUM(1+1)" in comments and "'=1+1" in comments
    assert all(not c.startswith(("=", "+", "-", "@")) for c in comments)
    dates = {r["session_date"] for r in events}
    assert all(dt.date.fromisoformat(d) for d in dates)
    assert (exported.csv_dir / R_SCRIPT_NAME).exists()


def test_csv_only_and_no_bom(
    exported: Exported, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = str(exported.lab.path)
    out = tmp_path / "csv"
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret\n"))  # Mia Manager's password
    argv = ["export", db, "--as", "Mia Manager", "--csv-dir", str(out), "--no-bom", "--quiet"]
    assert main(argv) == 0
    assert not list(tmp_path.glob("*.xlsx"))
    raw = (out / "events.csv").read_bytes()
    assert raw.startswith(b"event_id,")
    assert main(["export", db, "--quiet"]) == 2


def test_pandas_reads_the_types(exported: Exported) -> None:
    pd = pytest.importorskip("pandas")
    ev = pd.read_csv(exported.csv_dir / "events.csv", encoding="utf-8-sig")
    assert ev["client_age"].dtype.kind == "f"  # whole numbers with a missing value
    assert ev["session_number"].dtype.kind == "i" and ev["phase"].dtype.kind == "i"
    assert pd.to_datetime(ev["intake"]).notna().all()


@pytest.fixture(scope="module")
def stat_files(exported: Exported, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    pytest.importorskip("pyreadstat")
    folder = tmp_path_factory.mktemp("stats")
    sav, dta = folder / "spss", folder / "stata"
    summary = export_study(
        exported.lab.manager(), None, sav_dir=sav, dta_dir=dta, options=ExportOptions()
    )
    assert summary.xlsx is None and len(summary.sav_files) == len(SHEET_ORDER)
    return sav, dta


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_spss_and_stata_files_reopen_with_labels(
    stat_files: tuple[Path, Path], wb: Any, exported: Exported, fmt: str
) -> None:
    import pyreadstat

    folder = stat_files[0] if fmt == "sav" else stat_files[1]
    read = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
    book = {(r["table_name"], r["variable"]): r for r in _table(wb["Codebook"])}
    for name in SHEET_ORDER:
        df, meta = read(str(folder / f"{name.lower().replace(' ', '_')}.{fmt}"))
        header = [c.value for c in wb[name][1]]
        assert list(df.columns) == header, name
        assert len(df) == wb[name].max_row - 1, name
        for var, label in zip(meta.column_names, meta.column_labels, strict=True):
            assert label and label.startswith(str(book[(name, var)]["label"])[:40]), (name, var)
    df, meta = read(str(folder / f"events.{fmt}"))
    assert meta.variable_value_labels["analysis"] == {0: "no", 1: "yes"}
    rows = _table(wb["Events"])
    assert list(df["event_id"].astype(int)) == [r["event_id"] for r in rows]
    assert list(df["analysis"].astype(int)) == [int(r["analysis"]) for r in rows]
    assert list(df["onset_s"]) == [r["onset_s"] for r in rows]
    assert df["client_age"].dtype.kind == "f" and set(df["condition"]) == {"CBT", "PDT"}
    dates = [d.date() if hasattr(d, "date") else d for d in df["session_date"]]
    assert dates == [r["session_date"].date() for r in rows]


def test_r_reads_the_csv_with_types_and_labels(exported: Exported, tmp_path: Path) -> None:
    rscript = shutil.which("Rscript")
    if rscript is None:
        pytest.skip("Rscript not installed (Debian: apt-get install r-base-core)")
    code = f"""
source(file.path("{exported.csv_dir}", "{R_SCRIPT_NAME}"))
s <- read_observer_export("{exported.csv_dir}")
e <- s$events
stopifnot(is.integer(e$event_id), is.numeric(e$onset_s), is.logical(e$analysis))
stopifnot(inherits(e$session_date, "Date"), inherits(e$completed_at, "POSIXct"))
stopifnot(inherits(e$intake, "Date"), is.integer(e$client_age), is.character(e$condition))
stopifnot(any(e$comment == "=1+1", na.rm = TRUE), any(e$comment == "@SUM(1+1)", na.rm = TRUE))
stopifnot(nchar(attr(e$phase, "label")) > 0)
cat(nrow(e), length(s), "\\n")
"""
    out = subprocess.run(
        [rscript, "--vanilla", "-e", code], check=False, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    n_events, n_tables = out.stdout.split()
    assert int(n_tables) == len(SHEET_ORDER)
    assert int(n_events) == len(_csv(exported, "Events"))


def test_comments_wrap_and_the_chart_sits_beside_its_rows(wb: Any, exported: Exported) -> None:
    ws = wb["Events"]
    header = [c.value for c in ws[1]]
    col = header.index("comment") + 1
    cells = [ws.cell(r, col) for r in range(2, ws.max_row + 1) if ws.cell(r, col).value]
    assert cells and all(c.alignment.wrap_text and c.alignment.vertical == "top" for c in cells)
    with zipfile.ZipFile(exported.xlsx) as z:
        drawing = next(n for n in z.namelist() if n.startswith("xl/drawings/drawing"))
        xml = z.read(drawing).decode()
    # the chart's top-left cell is on the first row of the scores it shows
    top = re.search(r"<(?:xdr:)?from>.*?<(?:xdr:)?row>(\d+)</", xml, re.S)
    stats = _table(wb["Reliability"])
    first = next(k for k, r in enumerate(stats) if r["definition_kind"] == "instrument")
    assert top is not None and int(top.group(1)) == first + 1  # 0-based, below the header


def test_consensus_names_instruments_and_times_every_decision(wb: Any) -> None:
    rows = _table(wb["Consensus"])
    ratings = [r for r in rows if r["record"] == "rating"]
    assert ratings and all(r["instrument"] and r["instrument_version"] for r in ratings)
    assert all(isinstance(r["decided_at"], dt.datetime) and r["decided_by"] for r in rows)
