"""assignment lifecycle: a cancelled status and soft deletion (issue 13)

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_OLD = "status IN ('not_started', 'in_progress', 'complete')"
_NEW = "status IN ('not_started', 'in_progress', 'complete', 'cancelled')"


def upgrade() -> None:
    with op.batch_alter_table("assignment") as batch:
        batch.drop_constraint(op.f("ck_assignment_status"), type_="check")
        batch.create_check_constraint("status", _NEW)
        batch.add_column(
            sa.Column("deleted", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("assignment") as batch:
        batch.drop_column("deleted")
        batch.drop_constraint(op.f("ck_assignment_status"), type_="check")
        batch.create_check_constraint("status", _OLD)
