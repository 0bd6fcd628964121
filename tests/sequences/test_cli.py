"""``observer-app sequences`` and ``observer-app phases`` on the demo study (a copy per test)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from observer_app.cli import main

#: The demo's manager (no password): the command line always runs as a named profile.
ME = ("--as", "Morgan Lee")


@pytest.fixture
def demo(demo_path: Path, tmp_path: Path) -> str:
    target = tmp_path / "demo.db"
    shutil.copy(demo_path, target)
    return str(target)


def test_sequences_json_and_sdis(
    demo: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sdis = tmp_path / "demo.sds"
    assert main(["sequences", demo, *ME, "--window", "60s", "--json", "--sdis", str(sdis)]) == 0
    out = json.loads(capsys.readouterr().out)
    phases = {s["key"]: s for s in out["summaries"] if s["level"] == "phase"}
    assert set(phases) == {"1 Alliance building", "2 Challenge"}
    assert sum(p["ruptures"] for p in phases.values()) == len(out["ruptures"])
    assert out["permutation"]["shuffles"] == 1000 and 0 < out["permutation"]["p_value"] <= 1
    assert sdis.read_text(encoding="utf-8").startswith("Timed ")
    # a shorter window resolves fewer ruptures; the study setting itself is unchanged
    assert main(["sequences", demo, *ME, "--window", "5s", "--json"]) == 0
    short = json.loads(capsys.readouterr().out)
    assert short["rule"].startswith("within 5 s")
    assert sum(r["resolved"] for r in short["ruptures"]) < sum(
        r["resolved"] for r in out["ruptures"]
    )
    assert main(["sequences", demo, *ME, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["settings"]["window_s"] == 60


def test_phases_show_and_dyad_start(demo: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["phases", demo, *ME, "--json"]) == 0
    before = {r["recording"]: r["phase"] for r in json.loads(capsys.readouterr().out)["recordings"]}
    assert (
        main(["phases", demo, *ME, "--dyad", "demo-A", "--phase", "challenge", "--from", "4"]) == 0
    )
    text = capsys.readouterr().out
    assert "dyad demo-A: challenge from 4" in text
    assert main(["phases", demo, *ME, "--json"]) == 0
    after = json.loads(capsys.readouterr().out)
    changed = {r["recording"] for r in after["recordings"] if before[r["recording"]] != r["phase"]}
    assert [
        (r["dyad"], r["session"]) for r in after["recordings"] if r["recording"] in changed
    ] == [("demo-A", 4)]


def test_bad_input_is_one_line_and_writes_nothing(
    demo: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sequences", demo, *ME, "--window", "soon"]) == 2
    assert "window 'soon'" in capsys.readouterr().err
    missing = tmp_path / "nowhere" / "x.sds"
    assert main(["sequences", demo, *ME, "--sdis", str(missing)]) == 2
    assert "does not exist" in capsys.readouterr().err and not missing.exists()
    assert main(["phases", demo, *ME, "--set", "late:3"]) == 2
    assert "must begin at session 1" in capsys.readouterr().err
    assert main(["phases", demo, *ME, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["phases"][1]["id"] == "challenge"
