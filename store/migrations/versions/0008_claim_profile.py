"""Claims keep the customer profile fields of the rules (form.profile) as one JSON document

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 16:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # One document per claim, not a table of values: the fields are the rules file's and change
    # with it (no migration per field), a claim is read and written whole, and the metrics group
    # on a select's one key with the JSON operators both databases have.
    op.add_column(
        "claims",
        sa.Column(
            "profile",
            store.types.JSONDocument(),
            nullable=False,
            server_default="{}",
        ),
    )


def downgrade() -> None:
    with op.batch_alter_table("claims") as batch:
        batch.drop_column("profile")
