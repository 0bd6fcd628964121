"""assignment lifecycle: a cancelled status and soft deletion (issue 13)

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

from observer_app.store import guards

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_OLD = "status IN ('not_started', 'in_progress', 'complete')"
_NEW = "status IN ('not_started', 'in_progress', 'complete', 'cancelled')"


def _rebuild_guarded(change: Callable[[], None]) -> None:
    """SQLite rebuilds the table under a temporary name: the guards' triggers on event and
    rating name assignment and would refuse the rename, so they go first and come back
    after (store/guards.py; ensure_schema also re-installs them)."""
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    if sqlite:
        guards.drop(bind)
    change()
    if sqlite:
        guards.install(bind)


def upgrade() -> None:
    _rebuild_guarded(_upgrade)


def downgrade() -> None:
    _rebuild_guarded(_downgrade)


def _upgrade() -> None:
    with op.batch_alter_table("assignment") as batch:
        batch.drop_constraint(op.f("ck_assignment_status"), type_="check")
        batch.create_check_constraint("status", _NEW)
        batch.add_column(
            sa.Column("deleted", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def _downgrade() -> None:
    with op.batch_alter_table("assignment") as batch:
        batch.drop_column("deleted")
        batch.drop_constraint(op.f("ck_assignment_status"), type_="check")
        batch.create_check_constraint("status", _OLD)
