"""An encrypted export: the workbook, CSV, SPSS and Stata files in one AES-256 zip archive.

The archive is a WinZip AES zip (AE-2, AES-256 in CTR mode with an HMAC-SHA1 check per member,
PBKDF2-derived key; the format 7-Zip, WinZip and pyzipper read), written with ``pyzipper``. What it
protects: the contents of every file, against anyone without the password (a lost laptop, a copy
sent to the wrong person). What it does not: the member names, sizes and dates are visible, as in
every zip; a weak password can be guessed offline.

Nothing unencrypted is left beside the archive: the plain files are written in this process's
private folder under the system temp folder (``tempfiles.buffer_dir``, mode 0700), zipped into
a hidden ``.partial`` beside the target, renamed into place, and the folder is removed at once;
a killed export's left-overs are removed at the next export or start (``tempfiles.clean_stale``).
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pyzipper

from observer_app.coding.errors import InputError
from observer_app.export import ExportSummary, export_study, stats_files, tempfiles

#: The kinds of file an archive can hold, in the order they are written.
PARTS = ("xlsx", "csv", "sav", "dta")
AES_BITS = 256


def default_parts() -> tuple[str, ...]:
    """Workbook and CSV files, and SPSS and Stata files when pyreadstat is installed."""
    return PARTS if stats_files.available() else ("xlsx", "csv")


def export_archive(
    study: Any,
    archive: Path,
    password: str,
    *,
    parts: tuple[str, ...] | None = None,
    **export_kwargs: Any,
) -> ExportSummary:
    """Export ``parts`` into one AES-256 zip at ``archive``; returns what went in.

    Members are named ``<archive stem>.xlsx`` and ``csv/``, ``sav/``, ``dta/`` folders. Like
    every export, nothing is written unless all of it succeeds.
    """
    archive = archive.expanduser().resolve()
    parts = parts or default_parts()
    _check(archive, password, parts)
    tempfiles.clean_stale(archive.parent)
    with _private_folder() as work:
        summary = export_study(
            study,
            work / f"{archive.stem}.xlsx" if "xlsx" in parts else None,
            csv_dir=work / "csv" if "csv" in parts else None,
            sav_dir=work / "sav" if "sav" in parts else None,
            dta_dir=work / "dta" if "dta" in parts else None,
            **export_kwargs,
        )
        _zip(work, archive, password)
    return replace(summary, xlsx=None, archive=archive)


def _check(archive: Path, password: str, parts: tuple[str, ...]) -> None:
    if archive.suffix.lower() != ".zip":
        raise InputError(f"{archive}: the encrypted archive's name must end in .zip")
    if not archive.parent.is_dir():
        raise InputError(f"{archive.parent}: no such folder for the archive")
    if archive.is_dir():
        raise InputError(f"{archive}: is a folder")
    if not password:
        raise InputError("the archive needs a password (an empty one encrypts nothing)")
    unknown = sorted(set(parts) - set(PARTS))
    if unknown or not parts:
        raise InputError(f"archive parts {unknown or '(none)'}: choose from {', '.join(PARTS)}")


@contextlib.contextmanager
def _private_folder() -> Iterator[Path]:
    """A folder only this user can read, in this process's export folder; removed at the end."""
    work = Path(tempfile.mkdtemp(prefix="archive-", dir=tempfiles.buffer_dir()))
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _zip(work: Path, archive: Path, password: str) -> None:
    with (
        tempfiles.replacing(archive) as tmp,
        pyzipper.AESZipFile(
            tmp, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES
        ) as zf,
    ):
        zf.setpassword(password.encode("utf-8"))
        zf.setencryption(pyzipper.WZ_AES, nbits=AES_BITS)
        for path in sorted(p for p in work.rglob("*") if p.is_file()):
            zf.write(path, path.relative_to(work).as_posix())
