"""Backups of SQLite study files through SQLite's online backup API, kept in generations.

A backup is a consistent copy even while another connection writes. Backups live in
``<study>.backups/`` beside the study file and are taken before the first write of a session
and before every schema migration (never on a read-only open, so reading cannot rotate history
away). Pruning keeps generations: the newest ``keep`` backups, the newest backup of each of the
last ``days`` days, the newest of each of the last ``weeks`` ISO weeks, and every backup taken
before a migration. A backup carries no password
hashes (removed with ``secure_delete``, so the bytes are overwritten, not just unlinked): a copy
that leaves the machine cannot be attacked offline. After restoring one, a manager sets the
passwords again.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from pathlib import Path

from sqlalchemy import Engine, text

DEFAULT_KEEP = 10
DEFAULT_DAYS = 7
DEFAULT_WEEKS = 8
_STAMP = re.compile(r"-(\d{8}T\d{12}Z)-(.+)\.db$")


def backup_dir_for(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".backups")


def copy_sqlite(db_path: Path, dest: Path) -> Path:
    """A consistent copy of ``db_path`` at ``dest`` (written beside it, then renamed)."""
    if dest.exists():
        raise FileExistsError(f"{dest}: already exists")
    partial = dest.with_name(dest.name + ".partial")
    src = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)
            scrub_secrets(dst)
        finally:
            dst.close()
    finally:
        src.close()
    partial.replace(dest)  # only complete copies ever carry the final name
    return dest


def backup_sqlite(
    db_path: Path,
    reason: str,
    keep: int = DEFAULT_KEEP,
    *,
    days: int = DEFAULT_DAYS,
    weeks: int = DEFAULT_WEEKS,
) -> Path:
    """Copy ``db_path`` to a timestamped file and prune by generations; returns the new file."""
    folder = backup_dir_for(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = copy_sqlite(db_path, folder / f"{db_path.stem}-{stamp}-{reason}.db")
    prune(folder, db_path.stem, keep, days=days, weeks=weeks)
    return target


def scrub_secrets(conn: sqlite3.Connection) -> None:
    """Remove every password hash from a copy of a study database (and from its audit log)."""
    conn.execute("PRAGMA secure_delete = ON")
    columns = {row[1] for row in conn.execute("PRAGMA table_info(coder)")}
    with conn:
        if "password_hash" in columns:
            conn.execute("UPDATE coder SET password_hash = NULL WHERE password_hash IS NOT NULL")
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'audit_log'").fetchone():
            for side in ("before", "after"):
                conn.execute(
                    f"UPDATE audit_log SET {side} = json_set({side}, '$.password_hash', '(set)') "
                    f"WHERE entity = 'coder' AND json_type({side}, '$.password_hash') = 'text'"
                )
    conn.execute("VACUUM")


def _when(path: Path) -> tuple[dt.datetime, str] | None:
    m = _STAMP.search(path.name)
    if m is None:
        return None
    at = dt.datetime.strptime(m.group(1), "%Y%m%dT%H%M%S%fZ").replace(tzinfo=dt.UTC)
    return at, m.group(2)


def kept(paths: list[Path], keep: int, days: int, weeks: int) -> set[Path]:
    """Which backups survive pruning (see the module docstring)."""
    dated = sorted(((w[0], w[1], p) for p in paths if (w := _when(p))), reverse=True)
    survivors = {p for _, _, p in dated[:keep]}
    survivors |= {p for _, reason, p in dated if reason.startswith("before-migration")}
    day_seen: list[dt.date] = []
    week_seen: list[tuple[int, int]] = []
    for at, _, p in dated:  # newest first: the first seen of a day/week is its newest
        day = at.date()
        if day not in day_seen and len(day_seen) < days:
            day_seen.append(day)
            survivors.add(p)
        iso = at.isocalendar()
        week = (iso.year, iso.week)
        if week not in week_seen and len(week_seen) < weeks:
            week_seen.append(week)
            survivors.add(p)
    survivors |= {p for p in paths if _when(p) is None}  # never delete what we cannot date
    return survivors


def prune(
    folder: Path,
    stem: str,
    keep: int,
    *,
    days: int = DEFAULT_DAYS,
    weeks: int = DEFAULT_WEEKS,
) -> list[Path]:
    """Delete the backups of ``stem`` outside the kept generations; returns what was deleted."""
    backups = sorted(folder.glob(f"{stem}-*.db"))
    survivors = kept(backups, keep, days, weeks)
    doomed = [p for p in backups if p not in survivors]
    for path in doomed:
        path.unlink()
    return doomed


def list_backups(db_path: Path) -> list[Path]:
    folder = backup_dir_for(db_path)
    return sorted(folder.glob(f"{db_path.stem}-*.db")) if folder.is_dir() else []


def checkpoint(engine: Engine) -> None:
    """Move every committed change from the ``-wal`` file into the database file."""
    with engine.connect() as conn:
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
