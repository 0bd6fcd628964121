"""Identity on every command, on a SQLite file and on a PostgreSQL URL (issue 17).

Observed before: ``init`` of a PostgreSQL URL made a local SQLite file; ``export``, ``reliability``,
``score`` and ``info`` run by anyone showed another coder's blind work; ``coders add X --role
manager`` needed no password.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from observer_app.cli import main
from observer_app.services.study import Study


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def stdin(monkeypatch: pytest.MonkeyPatch, *lines: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("".join(f"{line}\n" for line in lines)))


@pytest.fixture
def study(
    study_location: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> str:
    stdin(monkeypatch, "boss-pw")
    code, out, err = run(
        capsys, "init", study_location, "--name", "Lab", "--manager", "Mo", "--password-stdin"
    )
    assert code == 0, err
    assert "with manager Mo" in out
    stdin(monkeypatch, "boss-pw")
    assert run(capsys, "coders", "add", study_location, "Ana", "--as", "Mo")[0] == 0
    return study_location


@pytest.mark.postgres
def test_init_of_a_postgresql_url_makes_no_local_file(
    fresh_postgres_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "init", fresh_postgres_url, "--name", "PG", "--manager", "Mo")
    assert code == 0, err
    code, out, err = run(capsys, "info", fresh_postgres_url, "--as", "Mo", "--json")
    assert code == 0, err
    assert json.loads(out)["coders"] == 1
    assert list(tmp_path.iterdir()) == []  # nothing named after the URL appeared here


def test_no_identity_is_refused_before_the_study_is_touched(
    study: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = Path(study).read_bytes() if "://" not in study else b""
    for argv in (
        ("info", study),
        ("coders", "add", study, "X", "--role", "manager"),
        ("coders", "list", study),
        ("score", study),
        ("reliability", study),
        ("export", study, "--xlsx", "out.xlsx"),
        ("recordings", "list", study),
    ):
        code, out, err = run(capsys, *argv)
        assert code == 2 and out == ""
        assert err.count("\n") == 1 and "--as NAME" in err, argv
    if before:
        assert Path(study).read_bytes() == before
    with Study.open(study, backup=False) as admin:
        assert [c.name for c in admin.coders.all()] == ["Ana", "Mo"]


def test_a_coder_cannot_make_a_manager_or_read_study_wide(
    study: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "coders", "add", study, "X", "--role", "manager", "--as", "Ana")
    assert code == 2 and "only a manager may add coders" in err
    out_xlsx = str(tmp_path / "o.xlsx")
    for argv in (
        ("info", study),
        ("score", study),
        ("reliability", study),
        ("export", study, "--xlsx", out_xlsx),
    ):
        code, out, err = run(capsys, *argv, "--as", "Ana")
        assert code == 2 and out == "" and "only a manager may" in err, argv
    assert not (tmp_path / "o.xlsx").exists()


def test_a_manager_needs_the_password(
    study: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stdin(monkeypatch, "guess")
    code, _, err = run(capsys, "coders", "add", study, "X", "--role", "manager", "--as", "Mo")
    assert code == 2 and "wrong password for coder 'Mo'" in err
    stdin(monkeypatch, "boss-pw", "x-pw")
    argv = ("coders", "add", study, "X", "--role", "manager", "--password-stdin", "--as", "Mo")
    assert run(capsys, *argv)[0] == 0
    stdin(monkeypatch, "x-pw")
    code, out, _ = run(capsys, "coders", "list", study, "--json", "--as", "X")
    assert code == 0
    assert {(c["name"], c["role"], c["has_password"]) for c in json.loads(out)} == {
        ("Ana", "coder", False),
        ("Mo", "manager", True),
        ("X", "manager", True),
    }
