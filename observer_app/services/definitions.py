"""Coding-scheme and instrument versions stored in the study (immutable, content-hashed).

Interim: stores and lists definition sources; parsing, validation of events and ratings against
their definitions and the completion rules arrive with ``observer_app.coding.definitions``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select

from observer_app.services.context import ServiceContext
from observer_app.services.records import Problem
from observer_app.store.engine import StudySession
from observer_app.store.models import Assignment, DefinitionVersion


@dataclass(frozen=True)
class DefinitionInfo:
    id: int
    kind: str
    definition_id: str
    version: str
    content_hash: str
    source_name: str
    attached: bool


def to_info(d: DefinitionVersion) -> DefinitionInfo:
    return DefinitionInfo(
        d.id, d.kind, d.definition_id, d.version, d.content_hash, d.source_name, d.attached
    )


class DefinitionService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def versions(self, kind: str | None = None) -> list[DefinitionInfo]:
        with self._ctx.read() as s:
            q = select(DefinitionVersion).where(DefinitionVersion.study_id == self._ctx.study_id)
            if kind is not None:
                q = q.where(DefinitionVersion.kind == kind)
            return [to_info(d) for d in s.scalars(q.order_by(DefinitionVersion.id))]

    def store_source(
        self, kind: str, definition_id: str, version: str, text: str, source_name: str
    ) -> DefinitionInfo:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        with self._ctx.tx(f"import {kind} {definition_id}") as s:
            d = DefinitionVersion(
                study_id=self._ctx.study_id,
                kind=kind,
                definition_id=definition_id,
                version=version,
                content_hash=digest,
                source_name=source_name,
                source_text=text,
            )
            s.add(d)
            s.flush()
            return to_info(d)

    def validate_event(
        self, scheme_version_id: int, code: str, is_state: bool, modifiers: dict[str, object]
    ) -> None:
        return None

    def validate_rating(
        self,
        instrument_version_id: int,
        unit_kind: str,
        item_id: str,
        value: float | None,
        missing_reason: str | None,
    ) -> None:
        return None

    def completion_problems(self, s: StudySession, a: Assignment) -> list[Problem]:
        return []
