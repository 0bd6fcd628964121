"""lab server: content hashes sized for both engines; no writes to a complete assignment;
coder.db_role (a profile's login role on a lab server); no password hashes in the audit log

The content hash is ``sha256:`` plus 64 hex digits (71 characters): PostgreSQL refused it in the
64-character column (SQLite ignores lengths). The triggers of ``store/guards.py`` refuse any
write to the events and ratings of a complete assignment on both engines.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from observer_app.store import guards

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_HASHED = ("definition_version", "text_pack")


def upgrade() -> None:
    for table in _HASHED:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                "content_hash",
                existing_type=sa.String(length=64),
                type_=sa.String(length=100),
                existing_nullable=False,
            )
    with op.batch_alter_table("coder") as batch:
        batch.add_column(sa.Column("db_role", sa.String(length=63), nullable=True))
        batch.create_unique_constraint(op.f("uq_coder_db_role"), ["db_role"])
    guards.install(op.get_bind())
    _scrub_password_hashes_from_audit_log()


def _scrub_password_hashes_from_audit_log() -> None:
    """Audit entries written before 0002 carried the password hash itself; keep only "(set)"."""
    log = sa.table(
        "audit_log",
        sa.column("id", sa.Integer),
        sa.column("entity", sa.String),
        sa.column("before", sa.JSON),
        sa.column("after", sa.JSON),
    )
    bind = op.get_bind()
    rows = bind.execute(sa.select(log.c.id, log.c.before, log.c.after).where(log.c.entity == "coder"))
    for row_id, before, after in list(rows):
        changes = {}
        for side, value in (("before", before), ("after", after)):
            if isinstance(value, dict) and value.get("password_hash") not in (None, "(set)"):
                changes[side] = {**value, "password_hash": "(set)"}
        if changes:
            bind.execute(sa.update(log).where(log.c.id == row_id).values(**changes))


def downgrade() -> None:
    guards.drop(op.get_bind())
    with op.batch_alter_table("coder") as batch:
        batch.drop_constraint(op.f("uq_coder_db_role"), type_="unique")
        batch.drop_column("db_role")
    for table in _HASHED:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                "content_hash",
                existing_type=sa.String(length=100),
                type_=sa.String(length=64),
                existing_nullable=False,
            )
