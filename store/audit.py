"""The append-only audit log: this module only ever inserts and reads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import AuditEvent, Claim

AUDITEVENT_TABLE = cast(Table, AuditEvent.__table__)  # Core inserts: no per-row ORM bookkeeping

SYSTEM = "system"


class Action(StrEnum):
    """Every kind of state change the audit log records."""

    CLAIM_FILED = "claim.filed"
    CLAIM_APPROVED = "claim.approved"
    CLAIM_PENDING = "claim.pending"
    CLAIM_REJECTED = "claim.rejected"
    CLAIM_INFO_REQUESTED = "claim.info_requested"
    CLAIM_INFO_PROVIDED = "claim.info_provided"
    CLAIM_FOLLOWED_UP = "claim.followed_up"
    CLAIM_EXTENSION_REQUESTED = "claim.extension_requested"
    CLAIM_EXTENDED = "claim.extended"
    CLAIM_EXTENSION_REJECTED = "claim.extension_rejected"
    CLAIM_WON = "claim.won"
    CLAIM_LOST = "claim.lost"
    CLAIM_RECLAIMED = "claim.reclaimed"
    CLAIM_RELEASED = "claim.released"
    CLAIM_TRANSFERRED = "claim.transferred"
    CLAIM_REFUSED = "claim.refused"
    CLAIM_WITHDRAWN = "claim.withdrawn"
    CLAIM_EDITED = "claim.edited"
    COLLISION_RECORDED = "collision.recorded"
    DISPUTE_OPENED = "dispute.opened"
    DISPUTE_DECIDED = "dispute.decided"
    CUSTOMER_IMPORTED = "customer.imported"
    CUSTOMER_MERGED = "customer.merged"
    ROLE_CHANGED = "role.changed"
    TEAM_CHANGED = "team.changed"
    ACCESS_REFUSED = "access.refused"
    APP_UNINSTALLED = "app.uninstalled"


async def record(
    session: AsyncSession,
    workspace_id: str,
    action: Action,
    *,
    actor_id: str,
    at: datetime,
    customer_id: int | None = None,
    claim_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Append one event, in the caller's transaction (so it exists exactly when the change does)."""
    session.add(
        AuditEvent(
            workspace_id=workspace_id,
            at=at,
            actor_id=actor_id,
            action=action.value,
            customer_id=customer_id,
            claim_id=claim_id,
            data=data or {},
        )
    )


async def record_many(session: AsyncSession, events: Sequence[dict[str, Any]]) -> None:
    """Append many events (AuditEvent columns) in one executemany, in the caller's transaction."""
    if events:
        await session.execute(insert(AUDITEVENT_TABLE), list(events))


async def on_claim(
    session: AsyncSession,
    claim: Claim,
    action: Action,
    *,
    by: str,
    at: datetime,
    data: dict[str, Any] | None = None,
) -> None:
    """:func:`record` an event on ``claim`` (its workspace, customer and id)."""
    await record(
        session,
        claim.workspace_id,
        action,
        actor_id=by,
        at=at,
        customer_id=claim.customer_id,
        claim_id=claim.id,
        data=data,
    )


async def events_for_customer(
    session: AsyncSession, workspace_id: str, customer_id: int, *, limit: int = 200
) -> Sequence[AuditEvent]:
    """The customer's history, oldest first."""
    rows = await session.scalars(
        select(AuditEvent)
        .where(AuditEvent.workspace_id == workspace_id, AuditEvent.customer_id == customer_id)
        .order_by(AuditEvent.at, AuditEvent.id)
        .limit(limit)
    )
    return rows.all()


async def events_for_claim(
    session: AsyncSession, workspace_id: str, claim_id: int
) -> Sequence[AuditEvent]:
    """A claim's history, oldest first."""
    rows = await session.scalars(
        select(AuditEvent)
        .where(AuditEvent.workspace_id == workspace_id, AuditEvent.claim_id == claim_id)
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    return rows.all()
