"""recording sources: further cameras and audio tracks of a recording, each with an offset

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_MAX = 24 * 3600 * 1000


def upgrade() -> None:
    op.create_table(
        "recording_source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recording_id", sa.Integer(), nullable=False),
        sa.Column("media_path", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=80), nullable=False),
        sa.Column("offset_ms", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("fps", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('video', 'audio')", name=op.f("ck_recording_source_kind")),
        sa.CheckConstraint(
            f"offset_ms BETWEEN {-_MAX} AND {_MAX}", name=op.f("ck_recording_source_offset_range")
        ),
        sa.ForeignKeyConstraint(
            ["recording_id"],
            ["recording.id"],
            name=op.f("fk_recording_source_recording_id_recording"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recording_source")),
        sa.UniqueConstraint(
            "recording_id", "fingerprint", name=op.f("uq_recording_source_recording_id")
        ),
    )
    with op.batch_alter_table("recording_source", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recording_source_recording_id"), ["recording_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("recording_source", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recording_source_recording_id"))
    op.drop_table("recording_source")
