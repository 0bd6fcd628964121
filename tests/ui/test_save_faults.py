"""Failing loudly (issue 17): when a save fails the coding window says so in a banner that stays,
stops taking input for the assignment, keeps the unsaved press in memory and saves it once the
fault is cleared; "Saved" is never shown for an unsaved change.

Observed before: on a read-only study 0 of 10 presses were saved, on a full disk 167 of 200 failed
while the status bar still said "Saved" (errors only on stderr).

Real faults: a study on a tmpfs remounted read-only; a tmpfs filled to the last byte; the
PostgreSQL server refusing connections after killing the window's. Mounting needs root.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import create_engine, make_url

from observer_app.services.study import Study
from observer_app.ui.coding_window import CodingWindow

from .conftest import UiLab, build_study, opaque_media
from .test_coding_window import key, open_window

needs_root = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("mount") is None,
    reason="mounting a tmpfs needs root (and mount)",
)


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "mnt"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _remount(mount: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(mount)], check=True)


def _assert_failing_loudly(window: CodingWindow, qtbot: QtBot, reason: str, shown: int = 0) -> None:
    banner = window.save_banner.banner
    assert banner.isVisible()
    assert "NOT SAVED" in banner.label.text() and reason in banner.label.text()
    assert "1 change kept in memory" in banner.label.text()
    assert window.saved_label.text().startswith("NOT SAVED")
    assert window.event_model.rowCount() == shown  # the unsaved press is not shown as an event
    key(qtbot, window, Qt.Key.Key_N)  # coding is paused: the second press is refused, not kept
    assert window.session is not None and window.session.save_guard.unsaved == 1
    assert window.saved_label.text().startswith("NOT SAVED")


def _saved_onsets(location: str | Path, assignment: int) -> list[int]:
    with Study.open(location, as_coder="Ana Alves", backup=False) as study:
        return [e.onset_ms for e in study.events.for_assignment(assignment)]


def _lab_in(folder: Path) -> UiLab:
    return build_study(folder, opaque_media(folder))


@needs_root
def test_read_only_study_file(
    qtbot: QtBot, tmp_path: Path, fake_player: Any, settings: QSettings
) -> None:
    """A study file that cannot be written (root ignores file modes: an immutable file)."""
    lab = _lab_in(tmp_path)
    if subprocess.run(["chattr", "+i", str(lab.path)], check=False).returncode != 0:
        pytest.skip("chattr +i is not supported on this file system")
    try:
        window = open_window(qtbot, lab, fake_player, settings)
        fake_player.seek(2_000)
        key(qtbot, window, Qt.Key.Key_N)
        _assert_failing_loudly(window, qtbot, "read-only")
        window.save_banner.retry()  # still read-only: still failing, nothing lost
        assert window.save_banner.banner.isVisible()
    finally:
        subprocess.run(["chattr", "-i", str(lab.path)], check=True)
    window.save_banner.retry()
    assert not window.save_banner.banner.isVisible()
    assert window.saved_label.text().startswith("Saved ")
    fake_player.seek(3_000)
    key(qtbot, window, Qt.Key.Key_N)  # coding goes on
    assert _saved_onsets(lab.path, lab.mine) == [2_000, 3_000]
    assert window.event_model.rowCount() == 2
    window.close()


@needs_root
def test_full_disk(qtbot: QtBot, tmpfs: Path, fake_player: Any, settings: QSettings) -> None:
    lab = _lab_in(tmpfs)
    window = open_window(qtbot, lab, fake_player, settings)
    filler = tmpfs / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        for size in (1 << 16, 1):  # take every byte left
            while True:
                try:
                    os.write(fd, b"\0" * size)
                except OSError:
                    break
    finally:
        os.close(fd)
    fake_player.seek(4_000)
    pressed = 0
    while window.session is not None and window.session.save_guard.accepting and pressed < 200:
        key(qtbot, window, Qt.Key.Key_N)  # the WAL may absorb a few before the disk refuses
        fake_player.seek(4_000 + 10 * (pressed := pressed + 1))
    assert window.session is not None and window.session.save_guard.failing
    banner_text = window.save_banner.banner.label.text()
    assert "disk is full" in banner_text
    assert window.saved_label.text().startswith("NOT SAVED")
    shown = window.event_model.rowCount()
    filler.unlink()
    window.save_banner.retry()
    assert not window.save_banner.banner.isVisible()
    onsets = _saved_onsets(lab.path, lab.mine)
    assert len(onsets) == shown + 1  # every press shown, plus the one kept in memory
    assert onsets == sorted(onsets) and len(set(onsets)) == len(onsets)
    window.close()


@pytest.mark.postgres
def test_server_stopped_mid_session(
    qtbot: QtBot,
    fresh_postgres_url: str,
    tmp_path: Path,
    fake_player: Any,
    settings: QSettings,
) -> None:
    from tests.ui.conftest import HERE, probe_stub

    with Study.create(fresh_postgres_url, "PG UI", probe=probe_stub) as admin:
        scheme = admin.definitions.import_text((HERE / "scheme.toml").read_text(), "scheme.toml")
        ana = admin.coders.add("Ana Alves").id
        rec = admin.recordings.add(opaque_media(tmp_path)).id
        mine = admin.assignments.create(rec, ana, scheme_version_id=scheme.id).id
    lab = UiLab(fresh_postgres_url, tmp_path, ana, 0, 0, mine, 0, 0, scheme.id)  # type: ignore[arg-type]
    window = open_window(qtbot, lab, fake_player, settings)
    fake_player.seek(1_000)
    key(qtbot, window, Qt.Key.Key_N)
    url = make_url(fresh_postgres_url)
    database = url.database
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.exec_driver_sql(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
        conn.exec_driver_sql(
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'"
        )
    fake_player.seek(2_000)
    key(qtbot, window, Qt.Key.Key_N)
    _assert_failing_loudly(window, qtbot, "cannot be reached", shown=1)
    with server.connect() as conn:
        conn.exec_driver_sql(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
    window.save_banner.retry()
    assert not window.save_banner.banner.isVisible()
    assert _saved_onsets(fresh_postgres_url, mine) == [1_000, 2_000]
    window.close()
    window.study.close()
    server.dispose()
