"""measure version: which method measured a recording's stored duration

Durations measured by libvlc's transcoder (before this revision) are 11-80 ms short for Ogg
Vorbis, Opus and M4A/AAC (it drops the codec's start-up samples). They cannot be corrected
here (measuring needs the media files): the column stays NULL, and the manager's recordings
page offers "Re-check media" for every recording not measured by the current method.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("recording") as batch:
        batch.add_column(sa.Column("measure_version", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("recording") as batch:
        batch.drop_column("measure_version")
