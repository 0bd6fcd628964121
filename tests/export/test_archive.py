"""Encrypted export archives (issue 17): ``export --encrypt`` writes one AES-256 zip, read back
with pyzipper and with 7-Zip (``7zz``/``7z``, an independent implementation); a wrong password
fails; nothing unencrypted is left beside it or in the temp folder."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

import openpyxl
import pytest
import pyzipper

from observer_app.cli import main
from observer_app.export import export_study
from observer_app.export.archive import export_archive
from tests.reliability.lab import Lab, build_lab

PASSWORD = "the PI's archive pass phrase"
SEVEN_ZIP = shutil.which("7zz") or shutil.which("7z")
needs_7z = pytest.mark.skipif(SEVEN_ZIP is None, reason="7-Zip missing (apt-get install 7zip)")


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Lab:
    return build_lab(tmp_path_factory.mktemp("archive"), n_recordings=2)


def _leftovers() -> list[Path]:
    return list(Path(tempfile.gettempdir()).glob("observer-app-export-*/archive-*"))


def _seven_zip(*args: str) -> subprocess.CompletedProcess[str]:
    assert SEVEN_ZIP is not None
    return subprocess.run([SEVEN_ZIP, *args], capture_output=True, text=True, check=False)


@needs_7z
def test_the_archive_holds_the_export_and_7zip_reads_it(lab: Lab, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    archive = out / "study.zip"
    with lab.manager() as mia:
        summary = export_archive(mia, archive, PASSWORD, parts=("xlsx", "csv", "sav"))
        plain = tmp_path / "plain"
        export_study(mia, None, csv_dir=plain)
    assert summary.archive == archive and summary.rows["Events"] > 0
    assert sorted(p.name for p in out.iterdir()) == ["study.zip"]  # no plain file, no .partial
    assert _leftovers() == []

    with pyzipper.AESZipFile(archive) as zf:
        zf.setpassword(PASSWORD.encode())
        names = zf.namelist()
        assert "study.xlsx" in names and "csv/events.csv" in names and "sav/events.sav" in names
        assert all(zf.getinfo(n).flag_bits & 0x1 for n in names)  # every member encrypted
        assert zf.read("csv/events.csv") == (plain / "events.csv").read_bytes()
        book = openpyxl.load_workbook(io.BytesIO(zf.read("study.xlsx")), read_only=True)
        assert "Events" in book.sheetnames
        book.close()

    listing = _seven_zip("l", "-slt", f"-p{PASSWORD}", str(archive)).stdout
    methods = {line for line in listing.splitlines() if line.startswith("Method = ")}
    assert methods and all("AES-256" in m for m in methods), methods
    assert _seven_zip("t", f"-p{PASSWORD}", str(archive)).returncode == 0
    unpacked = tmp_path / "7z"
    assert _seven_zip("x", f"-p{PASSWORD}", f"-o{unpacked}", str(archive)).returncode == 0
    assert (unpacked / "csv" / "events.csv").read_bytes() == (plain / "events.csv").read_bytes()


@needs_7z
def test_a_wrong_password_fails(lab: Lab, tmp_path: Path) -> None:
    archive = tmp_path / "study.zip"
    with lab.manager() as mia:
        export_archive(mia, archive, PASSWORD, parts=("csv",))
    with pyzipper.AESZipFile(archive) as zf:
        zf.setpassword(b"not the password")
        with pytest.raises(RuntimeError, match="Bad password"):
            zf.read("csv/events.csv")
    assert _seven_zip("t", "-pnot-the-password", str(archive)).returncode != 0
    unpacked = tmp_path / "x"
    assert _seven_zip("x", "-pnot-the-password", f"-o{unpacked}", str(archive)).returncode == 2
    # 7-Zip leaves an empty file where the member failed to decrypt: no plain byte comes out
    assert {p.stat().st_size for p in unpacked.rglob("*") if p.is_file()} <= {0}


def test_the_command_line_takes_the_password_after_the_profile_s(
    lab: Lab,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    archive = tmp_path / "cli.zip"
    monkeypatch.setattr("sys.stdin", io.StringIO(f"s3cret\n{PASSWORD}\n"))
    argv = ["export", str(lab.path), "--as", "Mia Manager", "--encrypt", str(archive)]
    assert main([*argv, "--csv-dir", "tables"]) == 0, capsys.readouterr().err
    assert "wrote the encrypted archive" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cli.zip"]  # no "tables" folder
    with pyzipper.AESZipFile(archive) as zf:
        zf.setpassword(PASSWORD.encode())
        assert zf.read("csv/events.csv").startswith(b"\xef\xbb\xbf")

    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret\n"))  # no archive password
    code = main([*argv[:-1], str(tmp_path / "none.zip")])
    assert code == 2 and "give the archive's password" in capsys.readouterr().err
    assert not (tmp_path / "none.zip").exists()


def test_bad_targets_are_refused_before_anything_is_written(lab: Lab, tmp_path: Path) -> None:
    with lab.manager() as mia:
        for target, password, message in (
            (tmp_path / "study.7z", PASSWORD, "must end in .zip"),
            (tmp_path / "missing" / "study.zip", PASSWORD, "no such folder"),
            (tmp_path / "study.zip", "", "needs a password"),
        ):
            with pytest.raises(Exception, match=message):
                export_archive(mia, target, password)
    assert list(tmp_path.iterdir()) == [] and _leftovers() == []


@pytest.mark.usefixtures("system_keyring")
def test_the_archive_password_can_come_from_the_keyring(
    lab: Lab,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(f"s3cret\n{PASSWORD}\n"))
    assert main(["login", str(lab.path), "--as", "Mia Manager", "--archive"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret\n"))  # Mia's own password only
    archive = tmp_path / "kept.zip"
    argv = [
        "export",
        str(lab.path),
        "--as",
        "Mia Manager",
        "--encrypt",
        str(archive),
        "--csv-dir",
        "c",
    ]
    assert main(argv) == 0, capsys.readouterr().err
    with pyzipper.AESZipFile(archive) as zf:
        zf.setpassword(PASSWORD.encode())
        assert zf.read("csv/events.csv")
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{PASSWORD}\n"))
    code = main(["login", str(lab.path), "--as", "Ana Alves", "--archive"])
    assert code == 2 and "only a manager" in capsys.readouterr().err
