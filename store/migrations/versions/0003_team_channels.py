"""Teams' channels and the days their digest and weekly summary were last decided

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 13:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("teams", sa.Column("channel", sa.String(length=32), nullable=True))
    op.add_column("teams", sa.Column("channel_set_by", sa.String(length=32), nullable=True))
    op.add_column("teams", sa.Column("digest_on", sa.Date(), nullable=True))
    op.add_column("teams", sa.Column("summary_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("teams") as batch:
        batch.drop_column("summary_on")
        batch.drop_column("digest_on")
        batch.drop_column("channel_set_by")
        batch.drop_column("channel")
