"""``observer-app agree`` and ``observer-app agree-events`` on real files in tmp_path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from observer_app.cli import main

SF_ROWS = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _wide_csv(tmp_path: Path) -> Path:
    lines = ["unit,J1,J2,J3,J4"] + [
        f"{i + 1}," + ",".join(map(str, r)) for i, r in enumerate(SF_ROWS)
    ]
    return _write(tmp_path / "sf.csv", "\n".join(lines) + "\n")


def _run_json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> dict:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def _run_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert err.startswith("observer-app: error: ")
    return err


def test_icc_json_schema(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _run_json(capsys, ["agree", str(_wide_csv(tmp_path)), "--stat", "icc", "--json"])
    assert out["statistic"] == "icc"
    names = [r["name"] for r in out["results"]]
    assert names == ["ICC(1,1)", "ICC(A,1)", "ICC(C,1)", "ICC(1,k)", "ICC(A,k)", "ICC(C,k)"]
    first = out["results"][1]
    for key in ("value", "ci95", "se", "p", "n_units", "n_raters", "label", "undefined_reason"):
        assert key in first
    assert round(first["value"], 2) == 0.29  # Shrout & Fleiss (1979) ICC(2,1)
    assert first["n_units"] == 6
    assert first["n_raters"] == 4
    assert len(first["ci95"]) == 2


def test_text_table_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["agree", str(_wide_csv(tmp_path)), "--stat", "alpha", "--level", "interval"]) == 0
    out = capsys.readouterr().out
    assert "Krippendorff's alpha (interval)" in out
    assert "95% CI" in out


def test_xlsx_and_long_input_give_the_same_answer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["unit", "A", "B", "C"])
    ws.append([1, 1, 1, None])
    ws.append([2, 2, 3, 2])
    ws.append([3, 3, 3, 3])
    ws.append([4, 1, 2, 1])
    xlsx = tmp_path / "r.xlsx"
    wb.save(xlsx)
    long = _write(
        tmp_path / "long.csv",
        "unit,rater,value\n1,A,1\n1,B,1\n2,A,2\n2,B,3\n2,C,2\n3,A,3\n3,B,3\n3,C,3\n"
        "4,A,1\n4,B,2\n4,C,1\n",
    )
    a = _run_json(capsys, ["agree", str(xlsx), "--stat", "alpha", "--level", "ordinal", "--json"])
    b = _run_json(
        capsys,
        ["agree", str(long), "--input", "long", "--stat", "alpha", "--level", "ordinal", "--json"],
    )
    assert a["results"][0]["value"] == pytest.approx(b["results"][0]["value"], abs=1e-12)
    assert a["results"][0]["n_pairable"] == 11


@pytest.mark.parametrize(
    ("stat", "extra", "first_name"),
    [
        (
            "cohen",
            ["--weights", "quadratic", "--categories", "1,2,3,4,5"],
            "weighted kappa (quadratic)",
        ),
        ("fleiss", [], "Fleiss' kappa"),
        ("ac1", [], "Gwet's AC1"),
        ("ac2", ["--categories", "1,2,3,4,5"], "Gwet's AC2 (quadratic)"),
        ("bp", ["--categories", "1,2,3,4,5"], "Brennan-Prediger"),
        ("percent", [], "percent agreement"),
    ],
)
def test_each_statistic(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], stat: str, extra: list[str], first_name: str
) -> None:
    f = _write(tmp_path / "two.csv", "unit,A,B\n1,1,1\n2,2,3\n3,5,5\n4,4,4\n5,2,2\n6,1,2\n")
    out = _run_json(capsys, ["agree", str(f), "--stat", stat, *extra, "--json"])
    assert out["results"][0]["name"] == first_name
    assert out["results"][0]["value"] is not None


def test_semicolon_csv_with_decimal_commas(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    comma = _write(tmp_path / "c.csv", "unit,A,B\n1,1.5,2\n2,3,3.5\n3,4,4\n")
    semi = _write(tmp_path / "s.csv", "unit;A;B\n1;1,5;2\n2;3;3,5\n3;4;4\n")
    a = _run_json(capsys, ["agree", str(comma), "--stat", "icc", "--json"])
    b = _run_json(capsys, ["agree", str(semi), "--stat", "icc", "--json"])
    assert a["results"][1]["value"] == pytest.approx(b["results"][1]["value"], abs=1e-12)


def test_fleiss_missing_available(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = _write(tmp_path / "m.csv", "unit,A,B,C\n1,1,1,\n2,2,2,2\n3,1,2,1\n4,2,2,2\n")
    listwise = _run_json(capsys, ["agree", str(f), "--stat", "fleiss", "--json"])
    kept = _run_json(
        capsys, ["agree", str(f), "--stat", "fleiss", "--missing", "available", "--json"]
    )
    assert listwise["results"][0]["n_dropped"] == 1
    assert len(listwise["results"]) == 3  # overall + 2 categories
    assert kept["results"][0]["n_dropped"] == 0
    assert len(kept["results"]) == 1


def test_bad_files_give_one_line_naming_the_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ragged = _write(tmp_path / "ragged.csv", "unit,A,B\n1,1,2\n2,3\n")
    assert "row 3" in _run_error(capsys, ["agree", str(ragged), "--stat", "icc"])
    text = _write(tmp_path / "text.csv", "unit,A,B\n1,1,2\n2,3,high\n")
    err = _run_error(capsys, ["agree", str(text), "--stat", "alpha", "--level", "interval"])
    assert "row 3, column 3" in err
    assert "'high'" in err
    one = _write(tmp_path / "one.csv", "unit,A\n1,1\n2,2\n")
    assert "at least 2 raters" in _run_error(capsys, ["agree", str(one), "--stat", "alpha"])
    unknown = _write(tmp_path / "long.csv", "unit,coder,value\n1,A,1\n")
    err = _run_error(capsys, ["agree", str(unknown), "--input", "long", "--stat", "alpha"])
    assert "column 2" in err
    assert "'coder'" in err
    blank = _write(tmp_path / "blank.csv", "unit,A,,C\n1,1,2,3\n")
    assert "column 3" in _run_error(capsys, ["agree", str(blank), "--stat", "alpha"])
    dup = _write(tmp_path / "dup.csv", "unit,rater,value\n1,A,1\n1,A,2\n")
    assert "row 3" in _run_error(capsys, ["agree", str(dup), "--input", "long", "--stat", "alpha"])
    three = _wide_csv(tmp_path)
    assert "exactly 2 rater" in _run_error(capsys, ["agree", str(three), "--stat", "cohen"])
    off_scale = _write(tmp_path / "scale.csv", "unit,A,B\n1,1,2\n2,9,1\n")
    err = _run_error(capsys, ["agree", str(off_scale), "--stat", "cohen", "--categories", "1,2,3"])
    assert "not on the category scale" in err
    assert "no such file" in _run_error(
        capsys, ["agree", str(tmp_path / "nope.csv"), "--stat", "icc"]
    )


def test_undefined_statistic_is_reported_not_crashed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    same = _write(tmp_path / "same.csv", "unit,A,B\n1,3,3\n2,3,3\n3,3,3\n")
    out = _run_json(capsys, ["agree", str(same), "--stat", "icc", "--json"])
    assert all(r["value"] is None and r["undefined_reason"] for r in out["results"])
    assert main(["agree", str(same), "--stat", "cohen"]) == 0
    assert "undefined" in capsys.readouterr().out


def _events(tmp_path: Path) -> tuple[Path, Path]:
    a = _write(
        tmp_path / "a.csv", "code,onset_ms,offset_ms\nX,0,1000\nY,5000,6000\nX,10000,11000\n"
    )
    b = _write(
        tmp_path / "b.csv", "code,onset_ms,offset_ms\nY,500,1000\nX,10100,11000\nZ,30000,31000\n"
    )
    return a, b


@pytest.mark.parametrize("method", ["point", "elan", "time"])
def test_agree_events(tmp_path: Path, capsys: pytest.CaptureFixture[str], method: str) -> None:
    a, b = _events(tmp_path)
    out = _run_json(
        capsys, ["agree-events", str(a), str(b), "--method", method, "--tolerance", "2s", "--json"]
    )
    assert out["method"] == method
    assert out["results"]
    counts = out["confusion"]["counts"]
    assert len(counts) == len(out["confusion"]["labels"])
    assert main(["agree-events", str(a), str(b), "--method", method]) == 0
    assert "A \\ B" in capsys.readouterr().out


def test_agree_events_bad_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, _ = _events(tmp_path)
    bad = _write(tmp_path / "bad.csv", "code,onset_ms\nX,12.5\n")
    assert "row 2, column 2" in _run_error(capsys, ["agree-events", str(a), str(bad)])
    header = _write(tmp_path / "h.csv", "code,time\nX,1\n")
    assert "code,onset_ms" in _run_error(capsys, ["agree-events", str(a), str(header)])
    err = _run_error(capsys, ["agree-events", str(a), str(a), "--tolerance", "two seconds"])
    assert "--tolerance" in err
