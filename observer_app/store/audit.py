"""Automatic audit trail: every insert, update and delete of a model row is logged.

The listener runs inside the flush, so the audit rows commit (or roll back) with the change they
describe. The acting coder and a short context are taken from ``session.info`` (set by the
services layer for each use case); a change made without an actor is logged as ``system``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import Table, event, insert, inspect
from sqlalchemy.orm import Session, UOWTransaction

from observer_app.store.models import AppMeta, AuditEntry, Base, utcnow

_NOT_AUDITED: tuple[type[Base], ...] = (AuditEntry, AppMeta)
ACTOR_KEY = "observer_actor"
CONTEXT_KEY = "observer_context"
#: Columns whose values are secrets: the log records only that one was set (or removed).
SECRET_COLUMNS = frozenset({"password_hash"})
SECRET_SET = "(set)"


def redact(key: str, value: Any) -> Any:
    """A secret column's value as the audit log shows it: ``"(set)"`` or ``None``."""
    if key in SECRET_COLUMNS:
        return None if value is None else SECRET_SET
    return value


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def snapshot(obj: Base) -> dict[str, Any]:
    """The current column values of a model row, as JSON-compatible values."""
    mapper = inspect(obj).mapper
    return {
        attr.key: redact(attr.key, _jsonable(getattr(obj, attr.key)))
        for attr in mapper.column_attrs
    }


def _before_snapshot(obj: Base) -> tuple[dict[str, Any], dict[str, Any]]:
    """(before, after) of only the columns that changed in this flush."""
    state = inspect(obj)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        hist = state.attrs[attr.key].history
        if hist.has_changes():
            old = _jsonable(hist.deleted[0]) if hist.deleted else None
            new = _jsonable(hist.added[0]) if hist.added else None
            before[attr.key] = redact(attr.key, old)
            after[attr.key] = redact(attr.key, new)
    return before, after


def _entry(session: Session, action: str, obj: Base, before: Any, after: Any) -> dict[str, Any]:
    actor_id, actor_name = session.info.get(ACTOR_KEY, (None, "system"))
    return {
        "at": utcnow(),
        "actor_id": actor_id,
        "actor_name": actor_name,
        "action": action,
        "entity": obj.__tablename__,
        "entity_id": getattr(obj, "id", None),
        "before": before,
        "after": after,
        "context": session.info.get(CONTEXT_KEY, ""),
    }


def _collect(session: Session) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for obj in session.new:
        if isinstance(obj, Base) and not isinstance(obj, _NOT_AUDITED):
            rows.append(_entry(session, "insert", obj, None, snapshot(obj)))
    for obj in session.dirty:
        audited = isinstance(obj, Base) and not isinstance(obj, _NOT_AUDITED)
        if audited and session.is_modified(obj, include_collections=False):
            before, after = _before_snapshot(obj)
            if before or after:
                rows.append(_entry(session, "update", obj, before, after))
    for obj in session.deleted:
        if isinstance(obj, Base) and not isinstance(obj, _NOT_AUDITED):
            rows.append(_entry(session, "delete", obj, snapshot(obj), None))
    return rows


def _after_flush(session: Session, flush_context: UOWTransaction) -> None:
    rows = _collect(session)
    if rows:
        # inline: no RETURNING of the new ids, which a coder's role on a lab server may not read
        session.connection().execute(insert(cast(Table, AuditEntry.__table__)).inline(), rows)


def install(session_class: type[Session]) -> None:
    """Attach the audit listener to a session class (idempotent)."""
    if not event.contains(session_class, "after_flush", _after_flush):
        event.listen(session_class, "after_flush", _after_flush)
