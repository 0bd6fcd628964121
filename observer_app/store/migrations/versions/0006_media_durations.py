"""media durations: the container's claimed duration and how the stored one was found

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("recording") as batch:
        batch.add_column(sa.Column("container_duration_ms", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("duration_source", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("recording") as batch:
        batch.drop_column("duration_source")
        batch.drop_column("container_duration_ms")
