"""self-reports: client and therapist forms and their item responses

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "self_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("instrument_id", sa.String(length=80), nullable=False),
        sa.Column("instrument_version_id", sa.Integer(), nullable=False),
        sa.Column("respondent_role", sa.String(length=16), nullable=False),
        sa.Column("respondent_id", sa.String(length=80), nullable=False),
        sa.Column("dyad_id", sa.String(length=80), nullable=False),
        sa.Column("session_number", sa.Integer(), nullable=False),
        sa.Column("recording_id", sa.Integer(), nullable=True),
        sa.Column("form_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source", sa.JSON(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "respondent_role IN ('client', 'therapist')", name=op.f("ck_self_report_respondent_role")
        ),
        sa.CheckConstraint(
            "status IN ('single', 'first_entry', 'mismatch', 'verified')",
            name=op.f("ck_self_report_status"),
        ),
        sa.CheckConstraint("session_number >= 0", name=op.f("ck_self_report_session_nonnegative")),
        sa.ForeignKeyConstraint(
            ["study_id"], ["study.id"], name=op.f("fk_self_report_study_id_study")
        ),
        sa.ForeignKeyConstraint(
            ["instrument_version_id"],
            ["definition_version.id"],
            name=op.f("fk_self_report_instrument_version_id_definition_version"),
        ),
        sa.ForeignKeyConstraint(
            ["recording_id"], ["recording.id"], name=op.f("fk_self_report_recording_id_recording")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_self_report")),
        sa.UniqueConstraint(
            "study_id",
            "instrument_id",
            "respondent_role",
            "respondent_id",
            "dyad_id",
            "session_number",
            name=op.f("uq_self_report_study_id"),
        ),
    )
    with op.batch_alter_table("self_report", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_self_report_study_id"), ["study_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_self_report_recording_id"), ["recording_id"], unique=False
        )

    op.create_table(
        "self_report_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("entry", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=80), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("entered_by", sa.Integer(), nullable=True),
        sa.CheckConstraint("entry IN (1, 2)", name=op.f("ck_self_report_item_entry")),
        sa.ForeignKeyConstraint(
            ["report_id"], ["self_report.id"], name=op.f("fk_self_report_item_report_id_self_report")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_self_report_item")),
        sa.UniqueConstraint(
            "report_id", "entry", "item_id", name=op.f("uq_self_report_item_report_id")
        ),
    )
    with op.batch_alter_table("self_report_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_self_report_item_report_id"), ["report_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("self_report_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_self_report_item_report_id"))
    op.drop_table("self_report_item")
    with op.batch_alter_table("self_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_self_report_recording_id"))
        batch_op.drop_index(batch_op.f("ix_self_report_study_id"))
    op.drop_table("self_report")
