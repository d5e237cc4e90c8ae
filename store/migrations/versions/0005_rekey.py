"""claimbot rekey: the other name a customer was created with, and the state of rekey runs

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 13:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("other_name", sa.String(length=200), nullable=True))
    op.create_table(
        "rekey_runs",
        sa.Column("workspace_id", sa.String(length=32), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("started_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "last_customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("customers_done", sa.Integer(), nullable=False),
        sa.Column("keys_added", sa.Integer(), nullable=False),
        sa.Column("keys_removed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("workspace_id", name=op.f("pk_rekey_runs")),
    )


def downgrade() -> None:
    op.drop_table("rekey_runs")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_column("other_name")
