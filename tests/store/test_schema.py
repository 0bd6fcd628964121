"""Migrations, durability settings, version refusal, backups and crash safety on real files."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from observer_app.coding.errors import StoreVersionError
from observer_app.services.study import Study
from observer_app.store.backup import list_backups, prune
from observer_app.store.engine import make_engine, to_url
from observer_app.store.migrate import ensure_schema, head_revision
from observer_app.store.models import Base


def test_upgrade_from_empty_equals_orm_metadata(tmp_path: Path) -> None:
    engine = make_engine(to_url(tmp_path / "m.db"))
    ensure_schema(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_sqlite_durability_pragmas(tmp_path: Path) -> None:
    Study.create(tmp_path / "d.db", "D").close()
    engine = make_engine(to_url(tmp_path / "d.db"))
    with engine.connect() as conn:
        pragmas = {
            p: conn.exec_driver_sql(f"PRAGMA {p}").scalar()
            for p in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
        }
    assert pragmas == {
        "journal_mode": "wal",
        "synchronous": 2,
        "foreign_keys": 1,
        "busy_timeout": 10000,
    }


def test_newer_schema_is_refused_naming_both_versions(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    Study.create(path, "N").close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0999'")
    head = head_revision()
    expected = rf"newer observer-app \(schema 0999\).*schema {head}"
    with pytest.raises(StoreVersionError, match=expected):
        Study.open(path)


def test_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreVersionError, match="cannot be read as a study database"):
        Study.open(path)
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    with pytest.raises(StoreVersionError, match="not an observer-app study"):
        Study.open(other)


def test_backups_before_the_first_write_not_on_reads(tmp_path: Path) -> None:
    """Issue 13: eleven read-only opens used to rotate every backup away. Now a read-only open
    takes none; the first write of a session takes one (of the state before it)."""
    path = tmp_path / "b.db"
    Study.create(path, "B").close()
    for _ in range(11):
        with Study.open(path) as s:
            s.coders.all()
    assert list_backups(path) == []
    for name in ("Ana", "Ben"):
        with Study.open(path) as s:
            s.coders.add(name)
            s.coders.add(name + " Two")  # one backup per session, not per write
    backups = list_backups(path)
    assert len(backups) == 2
    with sqlite3.connect(backups[-1]) as conn:  # taken before Ben was added
        names = {r[0] for r in conn.execute("SELECT name FROM coder")}
    assert names == {"Ana", "Ana Two"}


def test_backup_generations_keep_days_and_weeks(tmp_path: Path) -> None:
    folder = tmp_path / "b.db.backups"
    folder.mkdir()
    start = dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC)
    for k in range(60):  # two backups a day for 30 days
        at = start + dt.timedelta(hours=12 * k)
        (folder / f"b-{at.strftime('%Y%m%dT%H%M%S%fZ')}-before-first-write.db").touch()
    (folder / "b-20251201T000000000000Z-before-migration-0001-to-0002.db").touch()
    prune(folder, "b", keep=3, days=7, weeks=4)
    left = sorted(p.name for p in folder.glob("b-*.db"))
    assert "b-20251201T000000000000Z-before-migration-0001-to-0002.db" in left
    days = {n[2:10] for n in left if "first-write" in n}
    assert len(days) >= 7 and len(left) < 20
    assert "b-20260101T090000000000Z-before-first-write.db" not in left


def test_close_checkpoints_the_wal_and_backup_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from observer_app.cli import main

    path = tmp_path / "w.db"
    with Study.create(path, "W") as s:
        s.coders.add("Ana", role="manager")
    wal = Path(str(path) + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    only_db = tmp_path / "copy-of-db-alone.db"
    only_db.write_bytes(path.read_bytes())
    with sqlite3.connect(only_db) as conn:
        assert conn.execute("SELECT name FROM coder").fetchall() == [("Ana",)]
    dest = tmp_path / "consistent.db"
    assert main(["backup", str(path), str(dest), "--as", "Ana"]) == 0
    with sqlite3.connect(dest) as conn:
        assert conn.execute("SELECT name FROM coder").fetchall() == [("Ana",)]
    assert main(["backup", str(path), str(dest)]) == 2  # never overwrites
    assert "already exists" in capsys.readouterr().err


def test_killed_process_loses_nothing_committed(tmp_path: Path) -> None:
    """A coder process killed right after an action: the action is in the file on reopen."""
    path = tmp_path / "crash.db"
    admin = Study.create(path, "C")
    coder = admin.coders.add("Ana")
    media = tmp_path / "r.bin"
    media.write_bytes(b"x" * 4096)
    rec = admin.recordings.add(media)
    a = admin.assignments.create(rec.id, coder.id).id
    admin.close()
    child = textwrap.dedent(
        f"""
        import os, signal
        from observer_app.services.study import Study
        s = Study.open({str(path)!r}, as_coder="Ana", backup=False)
        for i in range(25):
            s.events.log({a}, "withdrawal", 1000 * i)
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    proc = subprocess.run([sys.executable, "-c", child], capture_output=True, check=False)
    assert proc.returncode == -9
    with Study.open(path, backup=False) as again:
        events = again.events.for_assignment(a)
    assert [e.onset_ms for e in events] == [1000 * i for i in range(25)]


@pytest.mark.postgres
def test_same_schema_and_services_on_postgresql(postgres_url: str, tmp_path: Path) -> None:
    study = Study.create(postgres_url, "PG study")
    ana = study.coders.add("Ana")
    with pytest.raises(StoreVersionError):
        Study.open(postgres_url.replace("observer_test", "observer_missing"))
    engine = create_engine(postgres_url)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    again = Study.open(postgres_url, as_coder="Ana")
    assert again.actor.id == ana.id
    media = tmp_path / "pg.bin"
    media.write_bytes(b"p" * 4096)
    rec = study.recordings.add(media)
    a = study.assignments.create(rec.id, ana.id).id
    logged = again.events.log(a, "W1", 1_500, modifiers={"note": "é"}, comment="c")
    again.events.log(a, "W2", 900)
    again.events.delete(logged.id)
    assert [e.code for e in again.events.for_assignment(a)] == ["W2"]
    both = again.events.for_assignment(a, include_deleted=True)
    assert [(e.code, e.modifiers, e.deleted) for e in both] == [
        ("W2", {}, False),
        ("W1", {"note": "é"}, True),
    ]
    assert study.audit.entries(entity="coder")[0].actor_name == "administrator"
