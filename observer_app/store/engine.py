"""Engine and session set-up for a study database (SQLite file by default, or a PostgreSQL URL).

SQLite is opened for durability: WAL journal, ``synchronous=FULL`` (a committed action survives a
power cut), foreign keys enforced, and a busy timeout so two windows on one file wait rather than
fail. A write transaction (execution option ``WRITE_OPTION``) starts with ``BEGIN IMMEDIATE``: it
takes the file's write lock before its first read, so the checks it makes (is this assignment
complete?) cannot be overtaken by another writer before its insert. Reads start a plain deferred
transaction and never wait for writers (WAL).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, make_url
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker

from observer_app.coding.errors import InputError
from observer_app.store import audit

BUSY_TIMEOUT_MS = 10_000
#: Execution option marking a connection whose transaction will write (``ServiceContext.tx``).
WRITE_OPTION = "observer_write"


class StudySession(Session):
    """The session class for study databases: every flush is audited."""


audit.install(StudySession)


def _refuse_nul(session: Session, _context: Any, _instances: Any) -> None:
    """A NUL character cannot be stored in PostgreSQL text: refuse it on both engines alike."""
    for obj in (*session.new, *session.dirty):
        for attr in inspect(obj).mapper.column_attrs:
            value = getattr(obj, attr.key, None)
            if isinstance(value, str) and "\x00" in value:
                raise InputError(f"{attr.key}: text with a NUL character (\\x00) cannot be stored")


event.listen(StudySession, "before_flush", _refuse_nul)


def to_url(location: str | Path | URL) -> URL:
    """A SQLAlchemy URL for a file path (SQLite) or a URL string (e.g. ``postgresql+psycopg://``).

    A ``URL`` object is taken as it is: it may carry a password that its text form hides.
    """
    if isinstance(location, URL):
        return location
    text = str(location)
    if "://" in text:
        url = make_url(text)
        if url.drivername in ("postgresql", "postgres"):
            url = url.set(drivername="postgresql+psycopg")
        return url
    return URL.create("sqlite+pysqlite", database=str(Path(text).expanduser().resolve()))


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def sqlite_path(url: URL) -> Path | None:
    """The database file of a SQLite URL (``None`` for other backends or in-memory)."""
    if not is_sqlite(url) or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def _sqlite_pragmas(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    try:
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = FULL")
        cur.execute("PRAGMA foreign_keys = ON")
    finally:
        cur.close()


def _sqlite_connect(dbapi_conn: sqlite3.Connection, record: Any) -> None:
    # The driver's own implicit BEGIN (deferred, before the first write) is switched off:
    # SQLAlchemy's "begin" event below emits the BEGIN itself.
    dbapi_conn.isolation_level = None
    _sqlite_pragmas(dbapi_conn, record)


def _sqlite_begin(conn: Connection) -> None:
    write = conn.get_execution_options().get(WRITE_OPTION, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def make_engine(url: URL) -> Engine:
    """Create the engine with the durability settings for its backend."""
    if is_sqlite(url):
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True)


def make_session_factory(engine: Engine) -> sessionmaker[StudySession]:
    return sessionmaker(bind=engine, class_=StudySession, expire_on_commit=False)
