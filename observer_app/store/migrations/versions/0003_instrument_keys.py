"""instrument keys: key sign-off and re-key provenance (issue 10)

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "key_signoff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("definition_version_id", sa.Integer(), nullable=False),
        sa.Column("signed_by_id", sa.Integer(), nullable=True),
        sa.Column("signed_by", sa.String(length=120), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("manual", sa.String(length=300), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["definition_version_id"],
            ["definition_version.id"],
            name=op.f("fk_key_signoff_definition_version_id_definition_version"),
        ),
        sa.ForeignKeyConstraint(
            ["signed_by_id"], ["coder.id"], name=op.f("fk_key_signoff_signed_by_id_coder")
        ),
        sa.ForeignKeyConstraint(
            ["study_id"], ["study.id"], name=op.f("fk_key_signoff_study_id_study")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_signoff")),
    )
    with op.batch_alter_table("key_signoff", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_key_signoff_definition_version_id"),
            ["definition_version_id"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_key_signoff_study_id"), ["study_id"], unique=False)

    op.create_table(
        "instrument_rekey",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("from_version_id", sa.Integer(), nullable=False),
        sa.Column("to_version_id", sa.Integer(), nullable=False),
        sa.Column("actor_name", sa.String(length=120), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ratings_moved", sa.Integer(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["from_version_id"],
            ["definition_version.id"],
            name=op.f("fk_instrument_rekey_from_version_id_definition_version"),
        ),
        sa.ForeignKeyConstraint(
            ["to_version_id"],
            ["definition_version.id"],
            name=op.f("fk_instrument_rekey_to_version_id_definition_version"),
        ),
        sa.ForeignKeyConstraint(
            ["study_id"], ["study.id"], name=op.f("fk_instrument_rekey_study_id_study")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instrument_rekey")),
    )
    with op.batch_alter_table("instrument_rekey", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_instrument_rekey_study_id"), ["study_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("instrument_rekey", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_instrument_rekey_study_id"))
    op.drop_table("instrument_rekey")
    with op.batch_alter_table("key_signoff", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_key_signoff_study_id"))
        batch_op.drop_index(batch_op.f("ix_key_signoff_definition_version_id"))
    op.drop_table("key_signoff")
