"""The study database: SQLAlchemy 2.0 typed ORM models.

Conventions: times inside recordings are integer milliseconds; wall-clock times are UTC; nothing is
SQLite-only (the same models run on PostgreSQL). Every change to these tables is written to
``audit_log`` by :mod:`observer_app.store.audit` in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

#: Stable constraint names so Alembic migrations are identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ROLES = ("coder", "manager")
PURPOSES = ("primary", "reliability", "calibration", "consensus")
STATUSES = ("not_started", "in_progress", "complete", "cancelled")
DEFINITION_KINDS = ("scheme", "instrument")
UNIT_KINDS = ("session", "segment")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC timestamp on every backend (SQLite stores it naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC)

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 (SQLAlchemy reads this class attribute)
        dict[str, Any]: JSON,
        list[Any]: JSON,
        dt.datetime: UtcDateTime,
    }


class Study(Base):
    __tablename__ = "study"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Coder(Base):
    __tablename__ = "coder"
    __table_args__ = (
        UniqueConstraint("study_id", "name"),
        CheckConstraint(_in("role", ROLES), name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    initials: Mapped[str] = mapped_column(String(12))
    role: Mapped[str] = mapped_column(String(16), default="coder")
    password_hash: Mapped[str | None] = mapped_column(String(300), default=None)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    preferences: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Recording(Base):
    __tablename__ = "recording"
    __table_args__ = (UniqueConstraint("study_id", "fingerprint"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id"), index=True)
    media_path: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    duration_ms: Mapped[int | None] = mapped_column(Integer, default=None)
    has_video: Mapped[bool | None] = mapped_column(Boolean, default=None)
    fps: Mapped[float | None] = mapped_column(Float, default=None)
    dyad_id: Mapped[str | None] = mapped_column(String(80), default=None)
    client_id: Mapped[str | None] = mapped_column(String(80), default=None)
    therapist_id: Mapped[str | None] = mapped_column(String(80), default=None)
    session_number: Mapped[int | None] = mapped_column(Integer, default=None)
    session_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class DefinitionVersion(Base):
    """An immutable, content-hashed coding scheme or instrument definition."""

    __tablename__ = "definition_version"
    __table_args__ = (
        UniqueConstraint("study_id", "kind", "content_hash"),
        CheckConstraint(_in("kind", DEFINITION_KINDS), name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    definition_id: Mapped[str] = mapped_column(String(80))
    version: Mapped[str] = mapped_column(String(40))
    content_hash: Mapped[str] = mapped_column(String(64))
    source_name: Mapped[str] = mapped_column(String(300))
    source_text: Mapped[str] = mapped_column(Text)
    attached: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class TextPack(Base):
    """A lab's licensed item wording for one instrument version (never shipped with the app)."""

    __tablename__ = "text_pack"
    __table_args__ = (UniqueConstraint("study_id", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id"), index=True)
    instrument_id: Mapped[str] = mapped_column(String(80))
    instrument_version: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(20), default="en")
    content_hash: Mapped[str] = mapped_column(String(64))
    source_text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Assignment(Base):
    __tablename__ = "assignment"
    __table_args__ = (
        UniqueConstraint("recording_id", "coder_id", "purpose"),
        CheckConstraint(_in("purpose", PURPOSES), name="purpose"),
        CheckConstraint(_in("status", STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id"), index=True)
    recording_id: Mapped[int] = mapped_column(ForeignKey("recording.id"), index=True)
    coder_id: Mapped[int] = mapped_column(ForeignKey("coder.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(16), default="primary")
    status: Mapped[str] = mapped_column(String(16), default="not_started")
    blind: Mapped[bool] = mapped_column(Boolean, default=True)
    scheme_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("definition_version.id"), default=None
    )
    #: For calibration: the master coder coded against; for consensus: the source assignments.
    reference: Mapped[dict[str, Any]] = mapped_column(default=dict)
    last_position_ms: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    #: Soft deletion (revision 0002): a deleted assignment is kept for the audit trail but is
    #: in no queue, list, plan or export.
    deleted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Event(Base):
    __tablename__ = "event"
    __table_args__ = (
        Index("ix_event_assignment_onset", "assignment_id", "onset_ms"),
        CheckConstraint("onset_ms >= 0", name="onset_nonnegative"),
        CheckConstraint("offset_ms IS NULL OR offset_ms >= onset_ms", name="offset_after_onset"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id"))
    code: Mapped[str] = mapped_column(String(80))
    onset_ms: Mapped[int] = mapped_column(Integer)
    #: None for point events and for state events that are still open.
    offset_ms: Mapped[int | None] = mapped_column(Integer, default=None)
    is_state: Mapped[bool] = mapped_column(Boolean, default=False)
    modifiers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    comment: Mapped[str] = mapped_column(Text, default="")
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Provenance for consensus events: which source events (and decision) they came from.
    source: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Rating(Base):
    __tablename__ = "rating"
    __table_args__ = (
        UniqueConstraint(
            "assignment_id", "instrument_version_id", "unit_kind", "unit_index", "item_id"
        ),
        CheckConstraint(_in("unit_kind", UNIT_KINDS), name="unit_kind"),
        CheckConstraint(
            "(value IS NULL) <> (missing_reason IS NULL)", name="value_or_missing_reason"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id"), index=True)
    instrument_version_id: Mapped[int] = mapped_column(ForeignKey("definition_version.id"))
    unit_kind: Mapped[str] = mapped_column(String(16), default="session")
    #: 0 for the session; the 0-based segment index for segment ratings.
    unit_index: Mapped[int] = mapped_column(Integer, default=0)
    item_id: Mapped[str] = mapped_column(String(80))
    value: Mapped[float | None] = mapped_column(Float, default=None)
    missing_reason: Mapped[str | None] = mapped_column(String(200), default=None)
    source: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AuditEntry(Base):
    """One insert, update or delete of any row, written in the same transaction as the change."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(Integer, default=None)
    actor_name: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(10))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer, default=None)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    context: Mapped[str] = mapped_column(String(200), default="")


class AppMeta(Base):
    """Key/value facts about the database itself (e.g. the app version that last wrote it)."""

    __tablename__ = "app_meta"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
