"""The study set-up commands end to end, through ``observer_app.cli.main``, on real files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from observer_app.cli import main
from observer_app.coding.resources import resource_path
from observer_app.services.study import Study
from observer_app.store.migrate import head_revision

DEMO_VIDEO = resource_path("demo", "demo_session_1.mp4")
DEMO_AUDIO = resource_path("demo", "demo_session_2.ogg")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def study(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "s.db"
    assert run(capsys, "init", str(path), "--name", "Pilot", "--manager", "Lee")[0] == 0
    return path


#: The study fixture's first manager (made by init, no password).
LEE = ("--as", "Lee")


def test_init_coders_recordings_assign_info(
    study: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("Ana", "Ben", "Cy"):
        assert run(capsys, "coders", "add", str(study), name, *LEE)[0] == 0
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("pw\n"))
    code, out, _ = run(
        capsys, "coders", "add", str(study), "Mo", "--role", "manager", "--password-stdin", *LEE
    )
    assert code == 0 and "manager Mo" in out
    code, out, _ = run(capsys, "coders", "list", str(study), "--json", *LEE)
    coders = json.loads(out)
    assert [(c["name"], c["role"], c["has_password"]) for c in coders] == [
        ("Ana", "coder", False),
        ("Ben", "coder", False),
        ("Cy", "coder", False),
        ("Lee", "manager", False),
        ("Mo", "manager", True),
    ]
    media = []
    for i in range(8):
        target = tmp_path / f"session{i}{DEMO_AUDIO.suffix}"
        data = DEMO_AUDIO.read_bytes()
        target.write_bytes(data + bytes([i]) * (i + 1))  # distinct fingerprints, still decodable
        media.append(str(target))
    code, out, err = run(
        capsys,
        "recordings",
        "add",
        str(study),
        *media[:1],
        str(DEMO_VIDEO),
        "--client",
        "C7",
        "--session",
        "3",
        "--json",
        *LEE,
    )
    assert code == 0, err
    added = json.loads(out)
    assert added[1]["duration_ms"] == 82_160 and added[1]["has_video"] is True
    assert added[0]["client_id"] == "C7" and added[0]["session_number"] == 3
    assert run(capsys, "recordings", "add", str(study), *media[1:], *LEE)[0] == 0
    code, _out, err = run(capsys, "assign", str(study), "--coders", "Ana,Ben,Cy", *LEE)
    assert code == 2 and "no scheme or instrument is attached" in err  # and nothing written
    assert run(capsys, "scheme", "attach", str(study), "3rs", *LEE)[0] == 0
    code, out, _ = run(
        capsys,
        "assign",
        str(study),
        "--coders",
        "Ana,Ben,Cy",
        "--double-code",
        "0.25",
        "--seed",
        "1",
        "--json",
        *LEE,
    )
    plan = json.loads(out)
    assert code == 0 and len(plan["assignments"]) == 9 + 3  # 9 recordings, 2.25 rounded up
    again_dir = tmp_path / "again"
    again_dir.mkdir()
    code, out, _ = run(capsys, "info", str(study), "--json", *LEE)
    info = json.loads(out)
    assert info["recordings"] == 9 and info["coders"] == 5
    assert info["assignments_by_status"]["not_started"] == 12
    assert info["schema_version"] == head_revision()


def test_assign_is_reproducible_with_a_seed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plans = []
    for run_no in range(2):
        path = tmp_path / f"r{run_no}.db"
        run(capsys, "init", str(path), "--name", "R", "--manager", "Lee")
        for name in ("Ana", "Ben", "Cy"):
            run(capsys, "coders", "add", str(path), name, *LEE)
        for i in range(12):
            f = tmp_path / f"m{run_no}_{i}.bin"
            f.write_bytes(bytes([i]) * 2048)
        with Study.open(path) as s:
            for i in range(12):
                s.recordings.add(tmp_path / f"m{run_no}_{i}.bin")
        run(capsys, "scheme", "attach", str(path), "3rs", *LEE)
        _code, out, _ = run(
            capsys,
            "assign",
            str(path),
            "--coders",
            "Ana,Ben,Cy",
            "--seed",
            "5",
            "--dry-run",
            "--json",
            *LEE,
            *LEE,
        )
        plans.append(json.loads(out)["assignments"])
    assert plans[0] == plans[1]
    with Study.open(tmp_path / "r0.db") as s:
        assert s.info().assignments_by_status["not_started"] == 0  # dry run wrote nothing


def test_errors_are_one_line_and_write_nothing(
    study: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "recordings", "add", str(study), str(tmp_path / "gone.mp4"), *LEE)
    assert code == 2 and err.strip().count("\n") == 0 and "gone.mp4: no such file" in err
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"\x00not a media file" * 1000)
    code, _, err = run(capsys, "recordings", "add", str(study), str(junk), *LEE)
    assert code == 2 and "junk.mp4" in err
    copy = tmp_path / "copy.mp4"
    shutil.copy(DEMO_VIDEO, copy)
    assert run(capsys, "recordings", "add", str(study), str(DEMO_VIDEO), *LEE)[0] == 0
    code, _, err = run(capsys, "recordings", "add", str(study), str(copy), *LEE)
    assert code == 2 and "already in the study as recording #1" in err
    bad_db = tmp_path / "bad.db"
    bad_db.write_bytes(b"garbage" * 500)
    code, _, err = run(capsys, "info", str(bad_db), *LEE)
    assert code == 2 and "cannot be read as a study database" in err
    code, _, err = run(capsys, "info", str(tmp_path / "nope.db"), *LEE)
    assert code == 2 and "no such study database" in err
    code, _, err = run(capsys, "init", str(study), "--name", "again", "--manager", "X")
    assert code == 2 and "already exists" in err
    code, _, err = run(capsys, "assign", str(study), "--coders", "Zed", *LEE)
    assert code == 2 and "unknown coder(s): Zed" in err
    with Study.open(study) as s:
        assert len(s.recordings.all()) == 1


def test_demo_study_is_created_once_and_reopened(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, _ = run(capsys, "demo", str(tmp_path / "d"), "--no-gui")
    assert code == 0
    db = tmp_path / "d" / "demo-study.db"
    with Study.open(db) as s:
        info = s.info()
        assert info.recordings == 6 and info.coders == 4
        assert info.assignments_by_status == {
            "not_started": 2,
            "in_progress": 1,
            "complete": 10,
            "cancelled": 0,
        }
        first_events = s.events.all_in_study()
    assert run(capsys, "demo", str(tmp_path / "d"), "--no-gui")[0] == 0
    with Study.open(db) as s:
        assert s.events.all_in_study() == first_events


def test_gui_without_display_prints_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], study: Path
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    code, _, err = run(capsys, "gui", str(study))
    assert code == 1 and "xvfb-run" in err and err.count("\n") == 1


def test_recordings_import_is_all_or_nothing_unless_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "demo", str(tmp_path / "d"), "--no-gui")
    db = str(tmp_path / "d" / "demo-study.db")
    table = tmp_path / "sessions.csv"
    table.write_text(
        "file,client,session,date,condition\n"
        "demo_session_1.mp4,C01,3,2026-01-12,CBT\n"
        "demo_session_2.ogg,C02,x,2026-02-30,IPT\n",
        encoding="utf-8",
    )
    code, _, err = run(capsys, "recordings", "import", db, str(table), "--as", "Morgan Lee")
    assert code == 2 and "1 of 2 rows have problems, nothing was imported" in err
    assert "row 3, column 'session'" in err and "row 3, column 'date'" in err
    with Study.open(db) as s:
        assert [r.client_id for r in s.recordings.all()][:2] == ["demo-client-A", "demo-client-B"]
    code, out, _ = run(
        capsys,
        "recordings",
        "import",
        db,
        str(table),
        "--valid-rows-only",
        "--json",
        "--as",
        "Morgan Lee",
    )
    result = json.loads(out)
    assert code == 0 and result["updated"] == [1] and result["skipped_rows"] == [3]
    with Study.open(db) as s:
        first = s.recordings.get(1)
    assert (first.client_id, first.session_number, first.meta["condition"]) == ("C01", 3, "CBT")
    assert str(first.session_date) == "2026-01-12"


def test_lifecycle_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """scheme attach/detach, assign, assignments list/reassign/cancel/reopen/delete, coders
    deactivate with hand-over, audit with filters, export --csv-dir alone."""
    path = tmp_path / "l.db"
    run(capsys, "init", str(path), "--name", "L", "--manager", "Lee")
    for name in ("Ana", "Ben", "Cy"):
        run(capsys, "coders", "add", str(path), name, *LEE)
    with Study.open(path) as s:
        for i in range(4):
            f = tmp_path / f"m{i}.bin"
            f.write_bytes(bytes([i]) * 2048)
            s.recordings.add(f)
    db = str(path)
    code, out, err = run(capsys, "scheme", "attach", db, "3rs", *LEE)
    assert code == 0 and "attached" in out, err
    assert run(capsys, "instrument", "attach", db, "alliance-quick-demo", *LEE)[0] == 0
    assert run(capsys, "instrument", "detach", db, "alliance-quick-demo", *LEE)[0] == 0
    assert run(capsys, "instrument", "attach", db, "no-such-thing", *LEE)[0] == 2
    code, out, _ = run(
        capsys, "assign", db, "--coders", "Ana,Ben", "--double-code", "0", "--json", *LEE
    )
    assert code == 0
    code, out, _ = run(capsys, "assignments", "list", db, "--json", *LEE)
    rows = json.loads(out)
    assert len(rows) == 4 and {r["status"] for r in rows} == {"not_started"}
    ana = [r["id"] for r in rows if r["coder"] == "Ana"]
    code, out, err = run(capsys, "assignments", "reassign", db, str(ana[0]), "--to", "Cy", *LEE)
    assert code == 0 and "starting empty" in out, err
    assert run(capsys, "assignments", "reopen", db, str(ana[0]), *LEE)[0] == 2  # it was reassigned
    ben = [r["id"] for r in rows if r["coder"] == "Ben"]
    assert run(capsys, "assignments", "cancel", db, str(ben[0]), *LEE)[0] == 0
    assert run(capsys, "assignments", "reopen", db, str(ben[0]), *LEE)[0] == 0
    assert run(capsys, "assignments", "cancel", db, str(ben[0]), *LEE)[0] == 0
    assert run(capsys, "assignments", "delete", db, str(ben[0]), *LEE)[0] == 0
    code, out, _ = run(capsys, "coders", "deactivate", db, "Ana", "--hand-over-to", "Cy", *LEE)
    assert code == 0 and "1 assignment(s) handed over" in out
    code, out, _ = run(capsys, "assignments", "list", db, "--coder", "Cy", "--json", *LEE)
    assert len(json.loads(out)) == 2
    code, out, _ = run(capsys, "audit", db, "--what", "assignment", "--json", *LEE)
    entries = json.loads(out)
    assert any("reassign" in e["context"] for e in entries)
    assert all(e["what"] == "assignment" for e in entries)
    code, out, _ = run(capsys, "audit", db, "--since", "2999-01-01", "--json", *LEE)
    assert json.loads(out) == []
    assert run(capsys, "audit", db, "--since", "yesterday", *LEE)[0] == 2
    csv_dir = tmp_path / "csv"
    code, out, err = run(capsys, "export", db, "--csv-dir", str(csv_dir), "--quiet", *LEE)
    assert code == 0, err
    assert (csv_dir / "events.csv").exists() and not list(tmp_path.glob("*.xlsx"))
    assert run(capsys, "export", db, *LEE)[0] == 2
    assert run(capsys, "scheme", "detach", db, "3rs", *LEE)[0] == 0
