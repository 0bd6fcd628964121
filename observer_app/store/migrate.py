"""Schema versions: create, check and upgrade a study database with Alembic.

Revision ids are zero-padded sequence numbers ("0001", "0002", ...), so a database written by a
newer observer-app can be recognised and refused with both versions named. An older database is
backed up (SQLite online backup) before it is upgraded.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect
from sqlalchemy.exc import DatabaseError

from observer_app.coding.errors import StoreVersionError
from observer_app.store import guards
from observer_app.store.backup import backup_sqlite
from observer_app.store.engine import sqlite_path

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def _config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    return {rev.revision for rev in ScriptDirectory.from_config(_config()).walk_revisions()}


@dataclass(frozen=True)
class SchemaState:
    current: str | None
    head: str
    has_tables: bool


def read_state(engine: Engine) -> SchemaState:
    where = sqlite_path(engine.url) or engine.url.render_as_string(hide_password=True)
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            current = MigrationContext.configure(conn).get_current_revision()
    except DatabaseError as exc:
        reason = str(exc.orig) if exc.orig is not None else str(exc)
        raise StoreVersionError(f"{where}: cannot be read as a study database ({reason})") from exc
    return SchemaState(current=current, head=head_revision(), has_tables=bool(tables))


def _check(state: SchemaState, where: object) -> None:
    if state.current is None:
        if state.has_tables:
            raise StoreVersionError(
                f"{where}: has tables but no observer-app schema version; "
                "it is not an observer-app study database"
            )
        return
    if state.current in known_revisions():
        return
    newer = state.current.isdigit() and int(state.current) > int(state.head)
    if newer:
        raise StoreVersionError(
            f"{where}: written by a newer observer-app (schema {state.current}); this version "
            f"supports schema {state.head} at most. Upgrade observer-app to open it."
        )
    raise StoreVersionError(f"{where}: unknown schema version {state.current!r}")


def check_sqlite_file(db_file: Path) -> None:
    """Refuse a file that is not a study this version can open, without writing to it.

    Read through a read-only connection before any engine touches the file: the engine's
    connection set-up switches the journal to WAL, which would rewrite a foreign database's
    header. A 0-byte file is refused too (SQLite would take it for a new, empty database).
    """
    if db_file.stat().st_size == 0:
        raise StoreVersionError(f"{db_file}: is empty (0 bytes), not a study database")
    # No -wal file: nobody has the study open, and ``immutable`` reads it without creating the
    # -shm/-wal files a WAL database otherwise gets even from a read-only connection.
    live = db_file.with_name(db_file.name + "-wal").exists()
    options = "mode=ro" if live else "mode=ro&immutable=1"
    try:
        conn = sqlite3.connect(f"{db_file.resolve().as_uri()}?{options}", uri=True)
    except sqlite3.Error as exc:
        raise StoreVersionError(f"{db_file}: cannot be read as a study database ({exc})") from exc
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        current = None
        if "alembic_version" in tables:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            current = row[0] if row else None
    except sqlite3.Error as exc:
        raise StoreVersionError(f"{db_file}: cannot be read as a study database ({exc})") from exc
    finally:
        conn.close()
    _check(SchemaState(current=current, head=head_revision(), has_tables=bool(tables)), db_file)


def ensure_schema(engine: Engine, *, backup_keep: int = 10) -> SchemaState:
    """Create a new database's tables, or upgrade an older one after a backup.

    A database written by a newer schema is refused with both versions named.
    """
    db_file = sqlite_path(engine.url)
    where = db_file or engine.url.render_as_string(hide_password=True)
    state = read_state(engine)
    _check(state, where)
    if state.current == state.head:
        return state
    if state.current is not None and db_file is not None:
        backup_sqlite(db_file, f"before-migration-{state.current}-to-{state.head}", backup_keep)
    with engine.begin() as conn:
        command.upgrade(_config(conn), "head")
        guards.install(conn)  # a batch rebuild of a table drops its SQLite triggers
    return read_state(engine)
