"""``observer-app instrument score``: any response file scored; every bad file refused (issue 10).

Expected scores are worked by hand from the WAI-S key (Task 1 2 8 12; Bond 3 5 7 9; Goal 4 6 10 11;
items 4 and 10 reversed as 8 - x; Agreement = Goal + Task), see test_published_keys.py.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from observer_app.cli import main

HEADER = ["id", "client", *[str(i) for i in range(1, 13)]]
GOOD = [
    ["P1", "c7", 7, 6, 5, 2, 4, 3, 6, 5, 7, 1, 2, 6],
    ["P2", "c8", 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, "", ""],
]


def _csv(path: Path, rows: list[list[object]], header: list[str] = HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_scores_a_csv_as_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = _csv(tmp_path / "forms.csv", GOOD)
    assert main(["instrument", "score", "wai-c-s", str(src), "--json"]) == 0
    out, err = capsys.readouterr()
    rows = json.loads(out)
    assert [r["id"] for r in rows] == ["P1", "P2"]
    assert rows[0]["columns"] == {"client": "c7"}
    p1 = rows[0]["scores"]
    assert {k: (v["mean"], v["sum"], v["answered"]) for k, v in p1.items()} == {
        "Task": (6.0, 24.0, 4),
        "Bond": (5.5, 22.0, 4),
        "Goal": (4.5, 18.0, 4),
        "Agreement": (5.25, 42.0, 8),
        "total": (pytest.approx(64 / 12), 64.0, 12),
    }
    assert all(v["reason"] is None for v in p1.values())
    p2 = rows[1]["scores"]
    # items 11 and 12 unanswered: Goal and Task 3 of 4 (75% < 80%): no value, a reason
    assert p2["Goal"]["mean"] is None and p2["Goal"]["sum"] is None
    assert p2["Goal"]["reason"] == "3 of 4 items answered (75%); at least 80% (4 items) needed"
    assert (p2["total"]["mean"], p2["total"]["sum"], p2["total"]["answered"]) == (4.0, 48.0, 10)
    assert "verify" in err  # the key is unconfirmed against the official WAI key: said so


def test_text_output_and_xlsx_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["form", *[str(i) for i in range(1, 13)]])
    ws.append(["A", 7.0, 6, 5, 2, 4, 3, 6, 5, 7, 1, 2, 6])  # Excel numbers may be floats
    wb.save(tmp_path / "forms.xlsx")
    code = main(
        ["instrument", "score", "wai-o-s", str(tmp_path / "forms.xlsx"), "--id-column", "form"]
    )
    out = capsys.readouterr().out
    assert code == 0
    agreement = next(line for line in out.splitlines() if "Agreement" in line).split()
    assert agreement[:4] == ["A", "Agreement", "5.250", "42.00"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".json"])
def test_out_file_is_written(
    tmp_path: Path, suffix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    src = _csv(tmp_path / "forms.csv", GOOD)
    out = tmp_path / f"scores{suffix}"
    assert main(["instrument", "score", "wai-c-s", str(src), "--out", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    if suffix == ".json":
        rows = json.loads(out.read_text(encoding="utf-8"))
        assert rows[0]["scores"]["Bond"]["sum"] == 22.0
        return
    if suffix == ".csv":
        with out.open(encoding="utf-8") as f:
            table = list(csv.DictReader(f))
        got = table[0]
    else:
        ws = load_workbook(out).worksheets[0]
        values = list(ws.iter_rows(values_only=True))
        got = {
            str(k): ("" if v is None else str(v)) for k, v in zip(values[0], values[1], strict=True)
        }
    assert (got["id"], got["client"]) == ("P1", "c7")
    assert (float(got["Bond_mean"]), float(got["Bond_sum"])) == (5.5, 22.0)
    assert got["total_answered"] == "12"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


BAD = [
    (
        "off the scale",
        [["P1", "c", 8, 6, 5, 2, 4, 3, 6, 5, 7, 1, 2, 6]],
        HEADER,
        "row 2, column '1': 8 is outside the scale 1..7",
    ),
    (
        "zero",
        [["P1", "c", 7, 6, 5, 2, 4, 3, 6, 5, 7, 0, 2, 6]],
        HEADER,
        "row 2, column '10': 0 is outside the scale 1..7",
    ),
    (
        "text",
        [["P1", "c", 7, "six", 5, 2, 4, 3, 6, 5, 7, 1, 2, 6]],
        HEADER,
        "row 2, column '2': 'six' is not a whole number on the scale 1..7",
    ),
    (
        "fraction",
        [["P1", "c", 7, 6, "5.5", 2, 4, 3, 6, 5, 7, 1, 2, 6]],
        HEADER,
        "row 2, column '3': '5.5' is not a whole number on the scale 1..7",
    ),
    (
        "not rated where not allowed",
        [["P1", "c", 7, 6, 5, "NR", 4, 3, 6, 5, 7, 1, 2, 6]],
        HEADER,
        "row 2, column '4': 'NR': 'not rated' is not allowed on this scale",
    ),
    (
        "unknown item column",
        [["P1", "c", 7, 6, 5, 2, 4, 3, 6, 5, 7, 1, 2, 6, 4]],
        [*HEADER, "13"],
        "the header row, column '13': not an item of wai-c-s",
    ),
    (
        "missing id",
        [GOOD[0], ["", "c", 7, 6, 5, 2, 4, 3, 6, 5, 7, 1, 2, 6]],
        HEADER,
        "row 3, column 'id': no id",
    ),
    ("repeated id", [GOOD[0], GOOD[0]], HEADER, "row 3, column 'id': id 'P1' repeats row 2"),
    ("no id column", [GOOD[0][1:]], HEADER[1:], "the header row: no id column 'id'"),
    (
        "no item column",
        [["P1", "x"]],
        ["id", "client"],
        "the header row: no column names an item of wai-c-s",
    ),
]


@pytest.mark.parametrize("bad", BAD, ids=[b[0] for b in BAD])
def test_bad_file_is_refused_naming_row_and_column(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    bad: tuple[str, list[list[object]], list[str], str],
) -> None:
    case, rows, header, message = bad
    src = _csv(tmp_path / "bad.csv", rows, header)
    out = tmp_path / "scores.csv"
    code = main(["instrument", "score", "wai-c-s", str(src), "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 2, case
    err = captured.err.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in captured.err
    assert err[0].startswith("observer-app: error: bad.csv: ")
    assert message in err[0]
    assert not out.exists()  # nothing written
    assert list(tmp_path.iterdir()) == [src]


def test_every_problem_is_counted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [["P1", "c", 9, 9, 9, 2, 4, 3, 6, 5, 7, 1, 2, 6]]
    assert main(["instrument", "score", "wai-c-s", str(_csv(tmp_path / "b.csv", rows))]) == 2
    err = capsys.readouterr().err
    assert "row 2, column '1': 9 is outside the scale 1..7 (and 2 more problems)" in err


def test_unknown_instrument_and_bad_out_suffix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = _csv(tmp_path / "forms.csv", GOOD)
    assert main(["instrument", "score", "wai-x", str(src)]) == 2
    assert "no built-in instrument 'wai-x'" in capsys.readouterr().err
    assert main(["instrument", "score", "wai-c-s", str(src), "--out", str(tmp_path / "o.txt")]) == 2
    assert "--out must end in .csv, .xlsx, .json" in capsys.readouterr().err
    assert not (tmp_path / "o.txt").exists()


def test_instrument_from_a_toml_file_allows_not_rated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from observer_app.coding.resources import resource_path

    toml = resource_path("instruments", "alliance-quick-demo.toml")
    from observer_app.coding.definitions import load_instrument_file

    inst = load_instrument_file(toml)
    label = inst.scale.not_rated_label
    header = ["id", *inst.item_ids]
    values: list[object] = [inst.scale.max] * len(inst.item_ids)
    values[0] = label
    src = _csv(tmp_path / "demo.csv", [["F1", *values]], header)
    assert main(["instrument", "score", str(toml), str(src), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    total = rows[0]["scores"]["total"]
    assert total["answered"] == len(inst.item_ids) - 1
