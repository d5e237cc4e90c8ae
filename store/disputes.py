"""Disputes over collisions and handovers of claims (a dispute's transfer, a manager's transfer
or release): every change is a conditional UPDATE, so of two racing exactly one takes effect."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import Claim, Collision

OPEN = "open"
KEPT = "kept"
TRANSFERRED = "transferred"


async def fresh_collision(
    session: AsyncSession, workspace_id: str, collision_id: int
) -> Collision | None:
    """A collision of this workspace as the database has it now."""
    return await session.scalar(
        select(Collision)
        .where(Collision.workspace_id == workspace_id, Collision.id == collision_id)
        .execution_options(populate_existing=True)
    )


async def open_dispute(
    session: AsyncSession,
    workspace_id: str,
    collision_id: int,
    *,
    disputed_by: str,
    reason: str,
    at: datetime,
) -> bool:
    """Open the collision's dispute unless it has one; True when this call opened it."""
    result = await session.execute(
        update(Collision)
        .where(
            Collision.workspace_id == workspace_id,
            Collision.id == collision_id,
            Collision.dispute_status.is_(None),
        )
        .values(dispute_status=OPEN, disputed_by=disputed_by, dispute_reason=reason, disputed_at=at)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def decide_dispute(
    session: AsyncSession,
    workspace_id: str,
    collision_id: int,
    *,
    outcome: str,
    decided_by: str,
    reason: str,
    at: datetime,
) -> bool:
    """Record the decision if the dispute is still open; True when this call decided it."""
    result = await session.execute(
        update(Collision)
        .where(
            Collision.workspace_id == workspace_id,
            Collision.id == collision_id,
            Collision.dispute_status == OPEN,
        )
        .values(
            dispute_status=outcome, decided_by=decided_by, decided_at=at, decision_reason=reason
        )
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def add_claim(session: AsyncSession, claim: Claim) -> Claim:
    """Insert a claim (the caller holds the workspace's claim lock)."""
    session.add(claim)
    await session.flush()
    return claim
