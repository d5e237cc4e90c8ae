"""Claims carry their next step and when they entered their stage, for the sweep's reminders

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 16:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_claims_workspace_id_status_next_step_on", "next_step_on"),
    ("ix_claims_workspace_id_status_stage_since", "stage_since"),
    ("ix_claims_workspace_id_status_decided_at", "decided_at"),
)


def upgrade() -> None:
    op.add_column(
        "claims", sa.Column("stage_since", store.types.UTCDateTime(timezone=True), nullable=True)
    )
    op.add_column("claims", sa.Column("next_step", sa.Text(), nullable=True))
    op.add_column("claims", sa.Column("next_step_on", sa.Date(), nullable=True))
    for name, column in INDEXES:
        op.create_index(name, "claims", ["workspace_id", "status", column])
    # Existing claims: the next step of their latest follow-up; a staged claim's timer runs from
    # its last activity (the follow-up that set the stage is not worth a per-row search).
    latest = (
        "(SELECT {column} FROM followups f WHERE f.claim_id = claims.id"
        " ORDER BY f.created_at DESC, f.id DESC LIMIT 1)"
    )
    op.execute(
        "UPDATE claims SET next_step = "
        + latest.format(column="next_step")
        + ", next_step_on = "
        + latest.format(column="next_step_on")
        + " WHERE status = 'active'"
    )
    op.execute(
        "UPDATE claims SET stage_since = last_activity_at"
        " WHERE stage IS NOT NULL AND status = 'active'"
    )


def downgrade() -> None:
    for name, _ in INDEXES:
        op.drop_index(name, table_name="claims")
    with op.batch_alter_table("claims") as batch:
        batch.drop_column("next_step_on")
        batch.drop_column("next_step")
        batch.drop_column("stage_since")
