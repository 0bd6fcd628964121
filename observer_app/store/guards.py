"""Rules the database itself enforces: nothing is written to a complete assignment. (On
PostgreSQL, also the announcement of every change of progress: ``CHANNEL``.)

The services check "is this assignment complete?" with the assignment row locked
(``services/context.lock_or_raise``). These triggers are the last line on both engines: an
insert, update or delete of an event or rating whose assignment is complete is refused inside
the same statement, whoever issues it (a stale window, a second process, a plain SQL client).
A rating update that leaves the answer columns alone (a re-key to a corrected instrument
version, ``services/instrument_keys.py``) is not refused.

On PostgreSQL the trigger reads the assignment ``FOR SHARE``: a manager's ``UPDATE`` that
completes it waits for the coder's transaction to end (and vice versa), so the status it sees is
the one that will be committed. On SQLite every write transaction holds the file's write lock
from its start (``BEGIN IMMEDIATE``), so the status read inside the trigger cannot change before
the commit.

SQLite drops a table's triggers when Alembic's batch mode rebuilds the table, so
``store.migrate.ensure_schema`` re-installs them (idempotently) after every upgrade.
"""

from __future__ import annotations

from sqlalchemy import Connection

#: Text every refusal carries, so the services can tell it from other database errors.
COMPLETE_MARKER = "observer: assignment is complete and read-only"

_PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION observer_refuse_complete() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    ids integer[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        ids := ARRAY[NEW.assignment_id];
    ELSIF TG_OP = 'DELETE' THEN
        ids := ARRAY[OLD.assignment_id];
    ELSE
        ids := ARRAY[OLD.assignment_id, NEW.assignment_id];
    END IF;
    PERFORM 1 FROM public.assignment WHERE id = ANY(ids) FOR SHARE;
    IF EXISTS (SELECT 1 FROM public.assignment WHERE id = ANY(ids) AND status = 'complete') THEN
        RAISE EXCEPTION '{COMPLETE_MARKER}' USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$
"""

_TABLES = ("event", "rating")

#: The rating columns that hold a coder's answer. An update that sets none of them (a manager's
#: re-key moves a rating to a corrected version of its instrument, ``instrument_version_id``,
#: keeping the answer) is not a change to the complete work, so the guard lets it through.
_RATING_ANSWER = "assignment_id, unit_kind, unit_index, item_id, value, missing_reason"


def _update_clause(table: str) -> str:
    return f"UPDATE OF {_RATING_ANSWER}" if table == "rating" else "UPDATE"


def _sqlite_statements() -> list[str]:
    out = []
    for table in _TABLES:
        for op, ids in (
            ("INSERT", "NEW.assignment_id"),
            ("UPDATE", "OLD.assignment_id, NEW.assignment_id"),
            ("DELETE", "OLD.assignment_id"),
        ):
            out.append(
                f"CREATE TRIGGER IF NOT EXISTS {table}_{op.lower()}_refuse_complete "
                f"BEFORE {_update_clause(table) if op == 'UPDATE' else op} ON {table} "
                f"WHEN EXISTS (SELECT 1 FROM assignment WHERE id IN ({ids}) "
                "AND status = 'complete') "
                f"BEGIN SELECT RAISE(ABORT, '{COMPLETE_MARKER}'); END"
            )
    return out


#: The PostgreSQL channel on which every change of progress is announced (``services/live.py``).
CHANNEL = "observer_changes"

_PG_NOTIFY = f"""
CREATE OR REPLACE FUNCTION observer_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('{CHANNEL}', TG_TABLE_NAME);
    RETURN NULL;
END
$$
"""


def _postgres_statements() -> list[str]:
    out = [_PG_FUNCTION, _PG_NOTIFY]
    for table in ("assignment", "event", "rating"):
        name = f"{table}_notify"
        out.append(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        out.append(
            f"CREATE TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION observer_notify()"
        )
    for table in _TABLES:
        name = f"{table}_refuse_complete"
        out.append(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        out.append(
            f"CREATE TRIGGER {name} BEFORE INSERT OR {_update_clause(table)} OR DELETE "
            f"ON {table} FOR EACH ROW EXECUTE FUNCTION observer_refuse_complete()"
        )
    return out


def install(conn: Connection) -> None:
    """Create (or re-create) the triggers; idempotent."""
    dialect = conn.dialect.name
    if dialect == "sqlite":
        statements = _sqlite_statements()
    elif dialect == "postgresql":
        statements = _postgres_statements()
    else:  # pragma: no cover - only the two supported engines
        return
    for sql in statements:
        conn.exec_driver_sql(sql)


def drop(conn: Connection) -> None:
    """Remove the triggers (the downgrade of migration 0002)."""
    if conn.dialect.name == "sqlite":
        for table in _TABLES:
            for op in ("insert", "update", "delete"):
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_{op}_refuse_complete")
    elif conn.dialect.name == "postgresql":
        for table in _TABLES:
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_refuse_complete ON {table}")
        for table in ("assignment", "event", "rating"):
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_notify ON {table}")
        conn.exec_driver_sql("DROP FUNCTION IF EXISTS observer_refuse_complete()")
        conn.exec_driver_sql("DROP FUNCTION IF EXISTS observer_notify()")
