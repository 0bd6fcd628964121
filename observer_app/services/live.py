"""Live progress: has anything changed in the study since I last looked?

A dashboard or queue on one workstation asks ``poll()`` every few seconds and reloads when it
says True. On PostgreSQL the database announces every change of an assignment, event or rating
(``LISTEN``/``NOTIFY`` on ``store.guards.CHANNEL``, from a trigger): ``poll`` only drains the
announcements that arrived, without a query. On SQLite (no notifications) it compares a cheap
summary of what the actor may see: for a manager the newest audit entry (every change writes
one), for a coder their own assignments' status and position and the number of their events.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from observer_app.services.context import ServiceContext
from observer_app.store import guards
from observer_app.store.models import Assignment, AuditEntry, Event


class ChangeFeed:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._listener: Any = None
        self._last: object = None
        if ctx.engine.dialect.name == "postgresql":
            raw = ctx.engine.raw_connection()
            driver = raw.dbapi_connection
            assert driver is not None
            raw.detach()  # its own session, outside the pool, for as long as the feed lives
            driver.autocommit = True
            driver.execute(f"LISTEN {guards.CHANNEL}")
            self._listener = driver
        else:
            self._last = self._token()

    def _token(self) -> object:
        actor = self._ctx.actor
        with self._ctx.read() as s:
            if actor.is_manager:
                return s.scalar(select(func.max(AuditEntry.id)))
            mine = select(Assignment.id, Assignment.status, Assignment.last_position_ms).where(
                Assignment.coder_id == actor.id
            )
            events = (
                select(func.count(), func.max(Event.updated_at))
                .join(Assignment, Assignment.id == Event.assignment_id)
                .where(Assignment.coder_id == actor.id)
            )
            return (tuple(s.execute(mine.order_by(Assignment.id))), tuple(s.execute(events)))

    def poll(self) -> bool:
        """True when something changed since the last call (or since the feed was made)."""
        if self._listener is not None:
            return any(True for _ in self._listener.notifies(timeout=0))
        token = self._token()
        changed = token != self._last
        self._last = token
        return changed

    def close(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None
