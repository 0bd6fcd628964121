"""Temporary files of an interrupted export (issue 17: 1.9 GB of openpyxl buffers after 16
interrupted exports): gone when the export ends, and the left-overs of a killed one removed at
the next export."""

from __future__ import annotations

import subprocess
import tempfile
import threading
from pathlib import Path

import pytest

from observer_app.export import export_study, tempfiles
from observer_app.services.reliability import Cancelled

from .conftest import Exported


def test_a_cancelled_export_leaves_no_buffers(exported: Exported, tmp_path: Path) -> None:
    flag = threading.Event()

    def progress(done: int, total: int) -> None:
        if done > 100:
            flag.set()

    with pytest.raises(Cancelled):
        export_study(exported.lab.manager(), tmp_path / "x.xlsx", progress=progress, cancel=flag)
    assert list(tempfiles.buffer_dir().iterdir()) == []
    assert list(tmp_path.iterdir()) == []


def test_left_overs_of_a_killed_export_are_removed_next_time(
    exported: Exported, tmp_path: Path
) -> None:
    child = subprocess.Popen(["true"])
    child.wait()
    dead = child.pid  # a process id that no longer runs
    stale_buffers = Path(tempfile.gettempdir()) / f"observer-app-export-{dead}"
    stale_buffers.mkdir(exist_ok=True)
    (stale_buffers / "openpyxl.abc.xml").write_bytes(b"x" * 1000)
    stale = tmp_path / f".out.xlsx.{dead}.k3j_x9a2.partial"
    stale.write_bytes(b"half a workbook")
    stale_csv = tmp_path / f".csv.{dead}.zz81.partial"
    stale_csv.mkdir()
    alive = tmp_path / ".out.xlsx.1.abcdefgh.partial"  # pid 1 runs: someone's export
    alive.write_bytes(b"in progress")
    export_study(exported.lab.manager(), tmp_path / "out.xlsx", csv_dir=tmp_path / "csv")
    assert not stale_buffers.exists() and not stale.exists() and not stale_csv.exists()
    assert alive.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [alive.name, "csv", "out.xlsx"]


def test_a_file_is_replaced_whole_or_not_at_all(tmp_path: Path) -> None:
    """The one atomic-replace helper of the workbook and the archive: written as a hidden
    ``.partial`` beside the target, renamed over it (readable like any file) when complete,
    removed (the old file untouched) when writing fails."""
    import os
    import stat

    target = tmp_path / "study.zip"
    target.write_bytes(b"old")
    with tempfiles.replacing(target) as partial:
        assert partial.parent == tmp_path and partial.name.startswith(".study.zip.")
        assert stat.S_IMODE(partial.stat().st_mode) == 0o600  # private while written
        partial.write_bytes(b"new")
        assert target.read_bytes() == b"old"
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    with pytest.raises(OSError, match="disk full"), tempfiles.replacing(target) as partial:
        partial.write_bytes(b"half")
        raise OSError("disk full")
    assert target.read_bytes() == b"new" and os.listdir(tmp_path) == ["study.zip"]
