"""Lists and history: a person's or teams' claims a page at a time, the last follow-up of each,
and a customer's audit trail newest first.

Pages are cut by the database (ORDER BY … OFFSET … LIMIT) so a big team costs one page of rows,
never the whole team.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from store.access import ClaimScope, within
from store.models import AuditEvent, Claim, ClaimStatus, FollowUp, Team

# Statuses of claims that ended without the customer staying with the rep.
ENDED = (ClaimStatus.REJECTED, ClaimStatus.LOST, ClaimStatus.RELEASED)


def _where(
    workspace_id: str, scope: ClaimScope, ended_since: datetime | None
) -> list[ColumnElement[bool]]:
    """The scope's claims that hold their customer, and (``ended_since``) those that ended at or
    after that moment."""
    holding = Claim.status.in_([s.value for s in ClaimStatus.holding()])
    where: list[ColumnElement[bool]] = [Claim.workspace_id == workspace_id, *within(scope)]
    if ended_since is not None:
        where.append(
            or_(
                holding,
                and_(
                    Claim.status.in_([s.value for s in ENDED]),
                    Claim.ended_at >= ended_since,
                ),
            )
        )
    else:
        where.append(holding)
    return where


def _order() -> list[ColumnElement[Any]]:
    """Pending first (they wait for someone), then active by protection end (the soonest to
    lapse first), then won, then ended ones most recent first."""
    group = case(
        (Claim.status == ClaimStatus.PENDING.value, 0),
        (Claim.status == ClaimStatus.ACTIVE.value, 1),
        (Claim.status == ClaimStatus.WON.value, 2),
        else_=3,
    )
    # Each key is NULL outside its group, so it orders only within it.
    active_until = case((Claim.status == ClaimStatus.ACTIVE.value, Claim.protection_until))
    ended_at = case((Claim.status.in_([s.value for s in ENDED]), Claim.ended_at))
    return [
        group.asc(),
        active_until.asc(),
        ended_at.desc(),
        Claim.submitted_at.desc(),
        Claim.id.desc(),
    ]


async def claims_page(
    session: AsyncSession,
    workspace_id: str,
    scope: ClaimScope,
    *,
    offset: int,
    limit: int,
    ended_since: datetime | None = None,
) -> tuple[Sequence[Claim], int]:
    """One page of the scope's claims (see :func:`_order`) and how many there are in all: those
    holding their customer, and those ended at or after ``ended_since`` (``None``: none)."""
    if scope.is_empty:
        return [], 0
    where = _where(workspace_id, scope, ended_since)
    total = int(await session.scalar(select(func.count(Claim.id)).where(*where)) or 0)
    rows = await session.scalars(
        select(Claim).where(*where).order_by(*_order()).offset(offset).limit(limit)
    )
    return rows.all(), total


async def status_counts(
    session: AsyncSession,
    workspace_id: str,
    scope: ClaimScope,
    *,
    ended_since: datetime | None = None,
) -> dict[str, int]:
    """How many of the scope's listed claims (as :func:`claims_page`) are in each status."""
    if scope.is_empty:
        return {}
    rows = await session.execute(
        select(Claim.status, func.count(Claim.id))
        .where(*_where(workspace_id, scope, ended_since))
        .group_by(Claim.status)
    )
    return {str(status): int(count) for status, count in rows.all()}


async def last_followups(
    session: AsyncSession, workspace_id: str, claim_ids: Collection[int]
) -> dict[int, FollowUp]:
    """The most recently logged follow-up of each claim that has one."""
    if not claim_ids:
        return {}
    latest = (
        select(func.max(FollowUp.id))
        .where(FollowUp.workspace_id == workspace_id, FollowUp.claim_id.in_(list(claim_ids)))
        .group_by(FollowUp.claim_id)
    )
    rows = await session.scalars(select(FollowUp).where(FollowUp.id.in_(latest)))
    return {row.claim_id: row for row in rows}


async def team_names(session: AsyncSession, workspace_id: str) -> dict[int, str]:
    """Every team's name by id."""
    rows = await session.execute(
        select(Team.id, Team.name).where(Team.workspace_id == workspace_id)
    )
    return {int(team_id): str(name) for team_id, name in rows.all()}


async def claims_by_ids(
    session: AsyncSession, workspace_id: str, claim_ids: Collection[int]
) -> dict[int, Claim]:
    """Claims of this workspace by id."""
    if not claim_ids:
        return {}
    rows = await session.scalars(
        select(Claim).where(Claim.workspace_id == workspace_id, Claim.id.in_(list(claim_ids)))
    )
    return {row.id: row for row in rows}


async def claims_of_customer(
    session: AsyncSession, workspace_id: str, customer_id: int
) -> Sequence[Claim]:
    """Every claim ever filed on a customer, oldest first."""
    rows = await session.scalars(
        select(Claim)
        .where(Claim.workspace_id == workspace_id, Claim.customer_id == customer_id)
        .order_by(Claim.submitted_at, Claim.id)
    )
    return rows.all()


async def customer_events(
    session: AsyncSession,
    workspace_id: str,
    customer_id: int,
    *,
    leave_out: Collection[str],
    limit: int,
) -> tuple[list[AuditEvent], int]:
    """The customer's latest ``limit`` audit events, oldest of them first, and how many there
    are in all (``leave_out``: actions that are not part of its history)."""
    where = (
        AuditEvent.workspace_id == workspace_id,
        AuditEvent.customer_id == customer_id,
        AuditEvent.action.not_in(list(leave_out)),
    )
    total = int(await session.scalar(select(func.count(AuditEvent.id)).where(*where)) or 0)
    rows = await session.scalars(
        select(AuditEvent)
        .where(*where)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    return list(reversed(rows.all())), total
