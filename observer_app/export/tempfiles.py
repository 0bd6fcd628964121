"""Temporary files of an export: removed when the export ends, and left-overs of an interrupted
one (a killed process, a power cut) removed at the next export or start.

Two kinds: the hidden ``.<target>.<pid>.<random>.partial`` beside the target (renamed into place
at the very end: ``partial_file``/``partial_dir``, ``put_in_place``, ``replacing``; the workbook,
CSV, SPSS, Stata files and the encrypted archive all go through them), and openpyxl's write-only
buffers (one XML file per sheet, which openpyxl itself deletes only when the process exits: 16
cancelled exports once left 1.9 GB). The buffers
are made in a folder of this process, ``<temp>/observer-app-export-<pid>``, so a left-over is
recognisable by its dead process id.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

_PREFIX = "observer-app-export-"
_PARTIAL = re.compile(r"^\..+\.(\d+)\.[^.]+\.partial$")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def buffer_dir() -> Path:
    folder = Path(tempfile.gettempdir()) / f"{_PREFIX}{os.getpid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def partial_prefix(target: Path) -> str:
    return f".{target.name}.{os.getpid()}."


def partial_file(target: Path) -> Path:
    """A new empty hidden ``.partial`` file beside ``target`` (private to the user while it is
    written); ``put_in_place`` renames it over ``target``."""
    fd, name = tempfile.mkstemp(prefix=partial_prefix(target), suffix=".partial", dir=target.parent)
    os.close(fd)
    return Path(name)


def partial_dir(target: Path) -> Path:
    """A new empty hidden ``.partial`` folder beside the folder ``target``."""
    return Path(
        tempfile.mkdtemp(prefix=partial_prefix(target), suffix=".partial", dir=target.parent)
    )


def put_in_place(partial: Path, target: Path) -> None:
    """Rename a finished ``partial_file`` over ``target`` (atomic: the old file or the new one,
    never half of it), readable like any other file of the user."""
    with suppress(OSError):
        os.chmod(partial, 0o644)  # mkstemp made it private to the user
    os.replace(partial, target)


@contextmanager
def replacing(target: Path) -> Iterator[Path]:
    """Write ``target`` whole or not at all: yields a ``partial_file`` to write, put in place
    when the block ends, removed (``target`` untouched) when it raises."""
    partial = partial_file(target)
    try:
        yield partial
        put_in_place(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _install_buffer_dir() -> None:
    """Make openpyxl's write-only buffers in ``buffer_dir()`` (once per process)."""
    try:
        from openpyxl.worksheet import _writer
    except ImportError:  # pragma: no cover
        return
    if getattr(_writer.create_temporary_file, "_observer", False):
        return

    def create_temporary_file(suffix: str = "") -> str:
        fd, name = tempfile.mkstemp(suffix=suffix, prefix="openpyxl.", dir=buffer_dir())
        os.close(fd)
        _writer.ALL_TEMP_FILES.append(name)
        return name

    create_temporary_file._observer = True  # type: ignore[attr-defined]
    _writer.create_temporary_file = create_temporary_file


def clean_stale(folder: Path | None = None) -> list[Path]:
    """Remove the left-overs of exports by processes that no longer run; returns them."""
    gone: list[Path] = []
    for path in Path(tempfile.gettempdir()).glob(f"{_PREFIX}*"):
        pid = path.name.removeprefix(_PREFIX)
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)
            gone.append(path)
    if folder is not None and folder.is_dir():
        for path in folder.glob(".*.partial"):
            match = _PARTIAL.match(path.name)
            if match and not _alive(int(match.group(1))):
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
                gone.append(path)
    return gone


@contextmanager
def export_buffers() -> Iterator[None]:
    """Around one export: openpyxl's buffers made during it are deleted when it ends."""
    _install_buffer_dir()
    from openpyxl.worksheet import _writer

    before = set(_writer.ALL_TEMP_FILES)
    try:
        yield
    finally:
        for name in [n for n in _writer.ALL_TEMP_FILES if n not in before]:
            Path(name).unlink(missing_ok=True)
            _writer.ALL_TEMP_FILES.remove(name)
