"""A resubmitted claim points at the rejected claim it corrects

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 14:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # No foreign key: SQLite adds a column with one only by rebuilding the table, and the id is
    # a link for people to follow (the rejected claim is never deleted).
    op.add_column(
        "claims",
        sa.Column(
            "resubmits_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
    )


def downgrade() -> None:
    with op.batch_alter_table("claims") as batch:
        batch.drop_column("resubmits_id")
