"""What the REST API reads: claims and customers of one workspace, a page at a time.

Pages are keyed on the id (``id > after``, ascending), so a client that follows ``next_cursor``
sees every row once even while new ones are added, and each page costs one index range scan
whatever its depth.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from store.access import ClaimScope, within
from store.customers import customers_and_holders
from store.models import Claim, Customer


@dataclass(frozen=True, slots=True)
class ClaimFilter:
    """What a client asks for; ``owner_id`` and ``team_id`` mean what they mean everywhere
    (:mod:`store.access`): a team's claims include those its members filed under no team."""

    status: str | None = None
    owner_id: str | None = None
    customer_id: int | None = None
    team_id: int | None = None
    submitted_since: datetime | None = None
    submitted_before: datetime | None = None

    @property
    def scope(self) -> ClaimScope:
        return ClaimScope(
            owner_id=self.owner_id,
            team_ids=frozenset({self.team_id}) if self.team_id is not None else None,
        )


async def claims_page(
    session: AsyncSession, workspace_id: str, where: ClaimFilter, *, after: int, limit: int
) -> Sequence[Claim]:
    """Up to ``limit`` claims of the workspace with ids above ``after`` that pass ``where``."""
    conditions = [Claim.workspace_id == workspace_id, Claim.id > after, *within(where.scope)]
    if where.status is not None:
        conditions.append(Claim.status == where.status)
    if where.customer_id is not None:
        conditions.append(Claim.customer_id == where.customer_id)
    if where.submitted_since is not None:
        conditions.append(Claim.submitted_at >= where.submitted_since)
    if where.submitted_before is not None:
        conditions.append(Claim.submitted_at < where.submitted_before)
    rows = await session.scalars(select(Claim).where(*conditions).order_by(Claim.id).limit(limit))
    return rows.all()


async def customers_page(
    session: AsyncSession,
    workspace_id: str,
    *,
    pooled: bool | None,
    created_since: datetime | None,
    after: int,
    limit: int,
) -> list[tuple[Customer, Claim | None]]:
    """Up to ``limit`` customers with ids above ``after``, each with the claim holding it."""
    conditions = [Customer.workspace_id == workspace_id, Customer.id > after]
    if pooled is not None:
        conditions.append(
            Customer.pooled_at.is_not(None) if pooled else Customer.pooled_at.is_(None)
        )
    if created_since is not None:
        conditions.append(Customer.created_at >= created_since)
    ids = (
        await session.scalars(
            select(Customer.id).where(*conditions).order_by(Customer.id).limit(limit)
        )
    ).all()
    # The holder as the duplicate check finds it: one rule for who holds a customer.
    rows = await customers_and_holders(session, workspace_id, list(ids))
    return sorted(rows, key=lambda row: row[0].id)
