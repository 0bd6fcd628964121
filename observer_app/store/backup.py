"""Rolling backups of SQLite study files through SQLite's online backup API.

A backup is a consistent copy even while another connection writes. The newest ``keep`` backups
are kept in ``<study>.backups/`` beside the study file. A backup carries no password hashes
(removed with ``secure_delete``, so the bytes are overwritten, not just unlinked): a copy that
leaves the machine cannot be attacked offline. After restoring one, a manager sets the passwords
again.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

DEFAULT_KEEP = 10


def backup_dir_for(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".backups")


def backup_sqlite(db_path: Path, reason: str, keep: int = DEFAULT_KEEP) -> Path:
    """Copy ``db_path`` to a timestamped file and prune old copies; returns the new file."""
    folder = backup_dir_for(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = folder / f"{db_path.stem}-{stamp}-{reason}.db"
    partial = target.with_suffix(".partial")
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
    partial.replace(target)  # only complete copies ever carry the .db name
    prune(folder, db_path.stem, keep)
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


def prune(folder: Path, stem: str, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups of ``stem``; returns what was deleted."""
    backups = sorted(folder.glob(f"{stem}-*.db"))
    doomed = backups[: max(0, len(backups) - keep)]
    for path in doomed:
        path.unlink()
    return doomed


def list_backups(db_path: Path) -> list[Path]:
    folder = backup_dir_for(db_path)
    return sorted(folder.glob(f"{db_path.stem}-*.db")) if folder.is_dir() else []
