"""Bad input never writes (issue 17)."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from observer_app.cli import main
from observer_app.coding.errors import StoreVersionError
from observer_app.coding.resources import resource_path
from observer_app.services.study import Study

DEMO_AUDIO = resource_path("demo", "demo_session_2.ogg")
LEE = ("--as", "Lee")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def study(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "s.db"
    assert run(capsys, "init", str(path), "--name", "S", "--manager", "Lee")[0] == 0
    return path


def _media(tmp_path: Path, n: int) -> list[str]:
    out = []
    for i in range(n):
        target = tmp_path / f"good{i}.ogg"
        target.write_bytes(DEMO_AUDIO.read_bytes() + bytes([i]) * (i + 1))
        out.append(str(target))
    return out


def test_recordings_add_with_one_bad_file_adds_none(
    study: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = _media(tmp_path, 2)
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"\0not media" * 500)
    files = [good[0], str(junk), good[1], good[0]]
    code, out, err = run(capsys, "recordings", "add", str(study), *files, *LEE)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "2 of 4 files have problems, nothing was added" in err
    assert "junk.mp4" in err and "the same file as" in err
    with Study.open(study, backup=False) as s:
        assert s.recordings.all() == []
    argv = ("recordings", "add", str(study), *files, "--valid-only", "--json", *LEE)
    code, out, _ = run(capsys, *argv)
    assert code == 0 and [Path(r["media_path"]).name for r in json.loads(out)] == [
        "good0.ogg",
        "good1.ogg",
    ]


def test_refused_databases_are_left_byte_identical(
    study: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE patients (id INTEGER, name TEXT)")
        conn.execute("INSERT INTO patients VALUES (1, 'x')")
    conn.close()
    newer = tmp_path / "newer.db"
    newer.write_bytes(study.read_bytes())
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0999'")
    conn.close()
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    for path, message in (
        (foreign, "not an observer-app study"),
        (newer, "newer observer-app"),
        (empty, "is empty (0 bytes)"),
    ):
        before = path.read_bytes()
        with pytest.raises(StoreVersionError, match=re.escape(message)):
            Study.open(path)
        code, _, err = run(capsys, "info", str(path), *LEE)
        assert code == 2 and message in err
        assert path.read_bytes() == before, path
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(path.stem)) == [
            path.name
        ]
