"""Passwords from the system keyring (issue 17): ``login`` checks and keeps a profile's password,
commands with ``--as`` use it when standard input gives none, ``logout`` forgets it; never in
plain text, never in the study or its audit log.

The keyring is a real backend (``system_keyring`` in tests/conftest.py: keyrings.cryptfile); the
machine's own "no keyring" case is keyring's real ``fail`` backend, the suite's default.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from observer_app.cli import main
from observer_app.services import credentials
from observer_app.services.study import Study

SECRET = "Mo's own pass phrase"


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
    stdin(monkeypatch, SECRET)
    argv = ("init", study_location, "--name", "Lab", "--manager", "Mo", "--password-stdin")
    assert run(capsys, *argv)[0] == 0
    return study_location


def _study_bytes(location: str) -> bytes:
    return Path(location).read_bytes() if "://" not in location else b""


def test_login_keeps_the_checked_password_and_commands_use_it(
    study: str,
    system_keyring: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    stdin(monkeypatch, "a wrong guess")
    code, _, err = run(capsys, "login", study, "--as", "Mo")
    assert code == 2 and "wrong password for coder 'Mo'" in err
    assert credentials.get_secret(credentials.profile_account(study, "Mo")) is None

    stdin(monkeypatch, SECRET)
    code, out, err = run(capsys, "login", study, "--as", "Mo")
    assert code == 0, err and "kept the password of Mo" in out
    stdin(monkeypatch)  # nothing on standard input: the keyring's entry signs Mo in
    code, out, err = run(capsys, "info", study, "--as", "Mo", "--json")
    assert code == 0, err
    assert json.loads(out)["coders"] == 1

    keyring_file = Path(system_keyring.file_path).read_bytes()
    assert SECRET.encode() not in keyring_file  # the backend encrypted it
    with Study.open(study, as_coder="Mo", password=SECRET, backup=False) as admin:
        audit = json.dumps([str(e) for e in admin.audit.entries()])
    assert SECRET not in audit
    assert SECRET.encode() not in _study_bytes(study)

    code, out, _ = run(capsys, "logout", study, "--as", "Mo")
    assert code == 0 and "removed from the system keyring" in out
    stdin(monkeypatch)
    code, out, err = run(capsys, "info", study, "--as", "Mo")
    assert code == 2 and out == "" and "give it on standard input" in err


def test_a_line_on_standard_input_wins_over_the_keyring(
    study: str,
    system_keyring: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    stdin(monkeypatch, SECRET)
    assert run(capsys, "login", study, "--as", "Mo")[0] == 0
    stdin(monkeypatch, "not it")
    code, _, err = run(capsys, "info", study, "--as", "Mo")
    assert code == 2 and "wrong password for coder 'Mo'" in err and "keyring" not in err


def test_a_stale_keyring_entry_is_named(
    study: str,
    system_keyring: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    credentials.set_secret(credentials.profile_account(study, "Mo"), "an old password")
    stdin(monkeypatch)
    code, _, err = run(capsys, "info", study, "--as", "Mo")
    assert code == 2 and err.count("\n") == 1
    assert "wrong password for coder 'Mo'" in err and "run observer-app login again" in err


def test_without_a_keyring_the_commands_say_so(
    study: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _study_bytes(study)
    stdin(monkeypatch)
    code, out, err = run(capsys, "info", study, "--as", "Mo")
    assert code == 2 and out == ""
    assert "give it on standard input" in err and "no system keyring is available" in err
    stdin(monkeypatch, SECRET)
    code, _, err = run(capsys, "login", study, "--as", "Mo")
    assert code == 2 and "cannot keep the password: no system keyring" in err
    assert _study_bytes(study) == before


def test_login_of_a_profile_without_password_keeps_nothing(
    study: str,
    system_keyring: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    stdin(monkeypatch, SECRET)
    assert run(capsys, "coders", "add", study, "Ana", "--as", "Mo")[0] == 0
    stdin(monkeypatch, "anything")
    code, _, err = run(capsys, "login", study, "--as", "Ana")
    assert code == 2 and "Ana has no password" in err
    assert credentials.get_secret(credentials.profile_account(study, "Ana")) is None
