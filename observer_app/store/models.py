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
RESPONDENT_ROLES = ("client", "therapist")
#: single: one entry (or an import); first_entry: waiting for the second, independent entry;
#: mismatch: the two entries differ on some item; verified: two entries agree (or were resolved).
SELF_REPORT_STATUSES = ("single", "first_entry", "mismatch", "verified")


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
    #: On a lab server (PostgreSQL, ``observer-app server init``): the profile's own database
    #: login role, which row-level security recognises; its password is the server's, not here.
    db_role: Mapped[str | None] = mapped_column(String(63), default=None, unique=True)


class Recording(Base):
    __tablename__ = "recording"
    __table_args__ = (UniqueConstraint("study_id", "fingerprint"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id"), index=True)
    media_path: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    duration_ms: Mapped[int | None] = mapped_column(Integer, default=None)
    #: What the container (libvlc's parser) claims, kept beside the measured ``duration_ms``.
    container_duration_ms: Mapped[int | None] = mapped_column(Integer, default=None)
    #: How ``duration_ms`` was found: "decoded" (samples counted) or "container" (trusted demux).
    duration_source: Mapped[str | None] = mapped_column(String(16), default=None)
    #: The measuring method's version (``media.measure.MEASURE_VERSION``); None: measured
    #: before versions were kept (libvlc's sample count, 1), or never measured.
    measure_version: Mapped[int | None] = mapped_column(Integer, default=None)
    has_video: Mapped[bool | None] = mapped_column(Boolean, default=None)
    fps: Mapped[float | None] = mapped_column(Float, default=None)
    dyad_id: Mapped[str | None] = mapped_column(String(80), default=None)
    client_id: Mapped[str | None] = mapped_column(String(80), default=None)
    therapist_id: Mapped[str | None] = mapped_column(String(80), default=None)
    session_number: Mapped[int | None] = mapped_column(Integer, default=None)
    session_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


SOURCE_KINDS = ("video", "audio")
#: Offsets of extra sources: within +-24 h of the session clock (checked in services too).
MAX_SOURCE_OFFSET_MS = 24 * 3600 * 1000


class RecordingSource(Base):
    """A further camera or audio track of a recording, played in sync with its main file.

    ``offset_ms`` is where the source's own time 0 falls on the session clock (the main file's
    clock): the source shows its ``session_time - offset_ms``; a positive offset starts later.
    """

    __tablename__ = "recording_source"
    __table_args__ = (
        UniqueConstraint("recording_id", "fingerprint"),
        CheckConstraint(_in("kind", SOURCE_KINDS), name="kind"),
        CheckConstraint(
            f"offset_ms BETWEEN {-MAX_SOURCE_OFFSET_MS} AND {MAX_SOURCE_OFFSET_MS}",
            name="offset_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recording_id: Mapped[int] = mapped_column(ForeignKey("recording.id"), index=True)
    media_path: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(80))
    offset_ms: Mapped[int] = mapped_column(Integer, default=0)
    fingerprint: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    duration_ms: Mapped[int | None] = mapped_column(Integer, default=None)
    fps: Mapped[float | None] = mapped_column(Float, default=None)
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
    #: "sha256:" + 64 hex digits (71 characters); room for a longer algorithm name.
    content_hash: Mapped[str] = mapped_column(String(100))
    source_name: Mapped[str] = mapped_column(String(300))
    source_text: Mapped[str] = mapped_column(Text)
    attached: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class KeySignoff(Base):
    """A manager's check of an instrument version's key against the lab's manual (issue 10).

    Kept per version: a corrected version has a new key and needs its own check. The newest row
    of a version is its current sign-off; older rows stay as history.
    """

    __tablename__ = "key_signoff"

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id"), index=True)
    definition_version_id: Mapped[int] = mapped_column(
        ForeignKey("definition_version.id"), index=True
    )
    #: The signing manager's profile (``None`` for the study's administrator).
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("coder.id"), default=None)
    signed_by: Mapped[str] = mapped_column(String(120))
    signed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: Which manual or edition the key was checked against.
    manual: Mapped[str] = mapped_column(String(300))
    note: Mapped[str] = mapped_column(Text, default="")


class InstrumentRekey(Base):
    """A re-key: every response of ``from_version`` carried to ``to_version`` (same items, a
    corrected key), in one transaction; the old version stays for provenance."""

    __tablename__ = "instrument_rekey"

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id"), index=True)
    from_version_id: Mapped[int] = mapped_column(ForeignKey("definition_version.id"))
    to_version_id: Mapped[int] = mapped_column(ForeignKey("definition_version.id"))
    actor_name: Mapped[str] = mapped_column(String(120))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    ratings_moved: Mapped[int] = mapped_column(Integer, default=0)
    #: What the new key changed: forms re-scored, scores whose value changed, the key changes.
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
    note: Mapped[str] = mapped_column(Text, default="")


class TextPack(Base):
    """A lab's licensed item wording for one instrument version (never shipped with the app)."""

    __tablename__ = "text_pack"
    __table_args__ = (UniqueConstraint("study_id", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id"), index=True)
    instrument_id: Mapped[str] = mapped_column(String(80))
    instrument_version: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(20), default="en")
    #: "sha256:" + 64 hex digits (71 characters); room for a longer algorithm name.
    content_hash: Mapped[str] = mapped_column(String(100))
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
    #: Who the event is about (a subject id of the scheme, e.g. "client"); None without one.
    subject: Mapped[str | None] = mapped_column(String(64), default=None)
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


class SelfReport(Base):
    """A completed client or therapist self-report form (never a coder assignment).

    Identity: instrument + respondent role + respondent + dyad + session; re-importing a
    corrected file replaces the form with that identity. ``recording_id`` links the session's
    recording when there is one. ``scores`` holds the derived scores (mean and sum per score) at
    the time of writing; the item responses in ``self_report_item`` are the data.
    """

    __tablename__ = "self_report"
    __table_args__ = (
        UniqueConstraint(
            "study_id",
            "instrument_id",
            "respondent_role",
            "respondent_id",
            "dyad_id",
            "session_number",
        ),
        CheckConstraint(_in("respondent_role", RESPONDENT_ROLES), name="respondent_role"),
        CheckConstraint(_in("status", SELF_REPORT_STATUSES), name="status"),
        CheckConstraint("session_number >= 0", name="session_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id"), index=True)
    instrument_id: Mapped[str] = mapped_column(String(80))
    instrument_version_id: Mapped[int] = mapped_column(ForeignKey("definition_version.id"))
    respondent_role: Mapped[str] = mapped_column(String(16))
    respondent_id: Mapped[str] = mapped_column(String(80))
    #: Empty when the dyad is not known (the respondent and session still identify the form).
    dyad_id: Mapped[str] = mapped_column(String(80), default="")
    session_number: Mapped[int] = mapped_column(Integer)
    recording_id: Mapped[int | None] = mapped_column(
        ForeignKey("recording.id"), default=None, index=True
    )
    form_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    status: Mapped[str] = mapped_column(String(16), default="single")
    #: Where it came from: ``{"file": ..., "row": ...}`` or ``{"entered_by": [ids]}``.
    source: Mapped[dict[str, Any]] = mapped_column(default=dict)
    scores: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SelfReportItem(Base):
    """One item response of a self-report; ``entry`` 1 is the first (or only) entry, 2 the
    second, independent entry of a double-entered paper form. No row: item not answered."""

    __tablename__ = "self_report_item"
    __table_args__ = (
        UniqueConstraint("report_id", "entry", "item_id"),
        CheckConstraint("entry IN (1, 2)", name="entry"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("self_report.id"), index=True)
    entry: Mapped[int] = mapped_column(Integer, default=1)
    item_id: Mapped[str] = mapped_column(String(80))
    value: Mapped[int] = mapped_column(Integer)
    entered_by: Mapped[int | None] = mapped_column(Integer, default=None)


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
