"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-26 08:06:12.420856
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "app_meta",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_app_meta")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=120), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("context", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_entity", ["entity", "entity_id"], unique=False)

    op.create_table(
        "study",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_study")),
    )
    op.create_table(
        "coder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("initials", sa.String(length=12), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=300), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("preferences", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('coder', 'manager')", name=op.f("ck_coder_role")),
        sa.ForeignKeyConstraint(["study_id"], ["study.id"], name=op.f("fk_coder_study_id_study")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coder")),
        sa.UniqueConstraint("study_id", "name", name=op.f("uq_coder_study_id")),
    )
    with op.batch_alter_table("coder", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_coder_study_id"), ["study_id"], unique=False)

    op.create_table(
        "definition_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("definition_id", sa.String(length=80), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("source_name", sa.String(length=300), nullable=False),
        sa.Column("source_text", sa.Text(), nullable=False),
        sa.Column("attached", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('scheme', 'instrument')", name=op.f("ck_definition_version_kind")
        ),
        sa.ForeignKeyConstraint(
            ["study_id"], ["study.id"], name=op.f("fk_definition_version_study_id_study")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_definition_version")),
        sa.UniqueConstraint(
            "study_id", "kind", "content_hash", name=op.f("uq_definition_version_study_id")
        ),
    )
    with op.batch_alter_table("definition_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_definition_version_study_id"), ["study_id"], unique=False
        )

    op.create_table(
        "recording",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("media_path", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("has_video", sa.Boolean(), nullable=True),
        sa.Column("fps", sa.Float(), nullable=True),
        sa.Column("dyad_id", sa.String(length=80), nullable=True),
        sa.Column("client_id", sa.String(length=80), nullable=True),
        sa.Column("therapist_id", sa.String(length=80), nullable=True),
        sa.Column("session_number", sa.Integer(), nullable=True),
        sa.Column("session_date", sa.Date(), nullable=True),
        sa.Column("meta", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["study_id"], ["study.id"], name=op.f("fk_recording_study_id_study")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recording")),
        sa.UniqueConstraint("study_id", "fingerprint", name=op.f("uq_recording_study_id")),
    )
    with op.batch_alter_table("recording", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recording_study_id"), ["study_id"], unique=False)

    op.create_table(
        "text_pack",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("instrument_id", sa.String(length=80), nullable=False),
        sa.Column("instrument_version", sa.String(length=40), nullable=False),
        sa.Column("language", sa.String(length=20), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("source_text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["study_id"], ["study.id"], name=op.f("fk_text_pack_study_id_study")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_text_pack")),
        sa.UniqueConstraint("study_id", "content_hash", name=op.f("uq_text_pack_study_id")),
    )
    with op.batch_alter_table("text_pack", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_text_pack_study_id"), ["study_id"], unique=False)

    op.create_table(
        "assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("recording_id", sa.Integer(), nullable=False),
        sa.Column("coder_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("blind", sa.Boolean(), nullable=False),
        sa.Column("scheme_version_id", sa.Integer(), nullable=True),
        sa.Column("reference", sa.JSON(), nullable=False),
        sa.Column("last_position_ms", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "purpose IN ('primary', 'reliability', 'calibration', 'consensus')",
            name=op.f("ck_assignment_purpose"),
        ),
        sa.CheckConstraint(
            "status IN ('not_started', 'in_progress', 'complete')",
            name=op.f("ck_assignment_status"),
        ),
        sa.ForeignKeyConstraint(
            ["coder_id"], ["coder.id"], name=op.f("fk_assignment_coder_id_coder")
        ),
        sa.ForeignKeyConstraint(
            ["recording_id"], ["recording.id"], name=op.f("fk_assignment_recording_id_recording")
        ),
        sa.ForeignKeyConstraint(
            ["scheme_version_id"],
            ["definition_version.id"],
            name=op.f("fk_assignment_scheme_version_id_definition_version"),
        ),
        sa.ForeignKeyConstraint(
            ["study_id"], ["study.id"], name=op.f("fk_assignment_study_id_study")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment")),
        sa.UniqueConstraint(
            "recording_id", "coder_id", "purpose", name=op.f("uq_assignment_recording_id")
        ),
    )
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assignment_coder_id"), ["coder_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_assignment_recording_id"), ["recording_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_assignment_study_id"), ["study_id"], unique=False)

    op.create_table(
        "event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=80), nullable=False),
        sa.Column("onset_ms", sa.Integer(), nullable=False),
        sa.Column("offset_ms", sa.Integer(), nullable=True),
        sa.Column("is_state", sa.Boolean(), nullable=False),
        sa.Column("modifiers", sa.JSON(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("source", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "offset_ms IS NULL OR offset_ms >= onset_ms", name=op.f("ck_event_offset_after_onset")
        ),
        sa.CheckConstraint("onset_ms >= 0", name=op.f("ck_event_onset_nonnegative")),
        sa.ForeignKeyConstraint(
            ["assignment_id"], ["assignment.id"], name=op.f("fk_event_assignment_id_assignment")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event")),
    )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_event_assignment_onset", ["assignment_id", "onset_ms"], unique=False
        )

    op.create_table(
        "rating",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("instrument_version_id", sa.Integer(), nullable=False),
        sa.Column("unit_kind", sa.String(length=16), nullable=False),
        sa.Column("unit_index", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=80), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("missing_reason", sa.String(length=200), nullable=True),
        sa.Column("source", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("unit_kind IN ('session', 'segment')", name=op.f("ck_rating_unit_kind")),
        sa.CheckConstraint(
            "(value IS NULL) <> (missing_reason IS NULL)",
            name=op.f("ck_rating_value_or_missing_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["assignment_id"], ["assignment.id"], name=op.f("fk_rating_assignment_id_assignment")
        ),
        sa.ForeignKeyConstraint(
            ["instrument_version_id"],
            ["definition_version.id"],
            name=op.f("fk_rating_instrument_version_id_definition_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating")),
        sa.UniqueConstraint(
            "assignment_id",
            "instrument_version_id",
            "unit_kind",
            "unit_index",
            "item_id",
            name=op.f("uq_rating_assignment_id"),
        ),
    )
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rating_assignment_id"), ["assignment_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rating_assignment_id"))

    op.drop_table("rating")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index("ix_event_assignment_onset")

    op.drop_table("event")
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignment_study_id"))
        batch_op.drop_index(batch_op.f("ix_assignment_recording_id"))
        batch_op.drop_index(batch_op.f("ix_assignment_coder_id"))

    op.drop_table("assignment")
    with op.batch_alter_table("text_pack", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_text_pack_study_id"))

    op.drop_table("text_pack")
    with op.batch_alter_table("recording", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recording_study_id"))

    op.drop_table("recording")
    with op.batch_alter_table("definition_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_definition_version_study_id"))

    op.drop_table("definition_version")
    with op.batch_alter_table("coder", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coder_study_id"))

    op.drop_table("coder")
    op.drop_table("study")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entity")

    op.drop_table("audit_log")
    op.drop_table("app_meta")
