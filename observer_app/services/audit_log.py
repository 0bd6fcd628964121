"""Reading the audit trail (managers only)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from observer_app.services.access import require_manager
from observer_app.services.context import ServiceContext
from observer_app.services.records import AuditRecord
from observer_app.store.models import AuditEntry


class AuditService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def entries(
        self,
        *,
        entity: str | None = None,
        entity_id: int | None = None,
        limit: int | None = None,
        who: str | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
    ) -> list[AuditRecord]:
        """Audit entries in the order recorded, filtered by what (``entity``, ``entity_id``),
        who (the actor's name) and when (``since`` <= at <= ``until``, UTC)."""
        require_manager(self._ctx.actor, "read the audit log")
        q = select(AuditEntry).order_by(AuditEntry.id)
        if who is not None:
            q = q.where(AuditEntry.actor_name == who)
        if since is not None:
            q = q.where(AuditEntry.at >= since)
        if until is not None:
            q = q.where(AuditEntry.at <= until)
        if entity is not None:
            q = q.where(AuditEntry.entity == entity)
        if entity_id is not None:
            q = q.where(AuditEntry.entity_id == entity_id)
        if limit is not None:
            q = q.limit(limit)
        with self._ctx.read() as s:
            return [
                AuditRecord(
                    e.id,
                    e.at,
                    e.actor_name,
                    e.action,
                    e.entity,
                    e.entity_id,
                    e.before,
                    e.after,
                    e.context,
                )
                for e in s.scalars(q)
            ]
