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
