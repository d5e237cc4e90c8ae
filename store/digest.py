"""What a team's channel digest reads: its claims that need chasing, what ended since the last
digest, and the one-a-day claim on each team's digest (``teams.digest_on``, ``summary_on``).

A team's claims are those :func:`store.access.of_teams` says belong to it (filed under it, or
under no team by one of its members), as in every list and report.

Only columns anyone may see are read — customer, holder, status and dates — never the contacts or
the need a rep filed.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store.access import of_teams
from store.lifecycle import CLOCK_COLUMNS, ClaimClock
from store.models import Claim, ClaimStatus, Team

DigestDay = Literal["digest_on", "summary_on"]


@dataclass(frozen=True, slots=True)
class ChannelTeam:
    """A team that has a channel, and the days its digest and summary were last decided."""

    id: int
    name: str
    channel: str
    digest_on: date | None
    summary_on: date | None


@dataclass(frozen=True, slots=True)
class Ended:
    """A claim of the team that stopped holding its customer: reclaimed to the pool, or won."""

    claim_id: int
    customer_name: str
    owner_id: str
    end_reason: str
    ended_at: datetime


async def teams_with_channels(session: AsyncSession, workspace_id: str) -> list[ChannelTeam]:
    """The workspace's teams that have a channel, by name."""
    rows = await session.execute(
        select(Team.id, Team.name, Team.channel, Team.digest_on, Team.summary_on)
        .where(Team.workspace_id == workspace_id, Team.channel.is_not(None))
        .order_by(Team.name)
    )
    return [ChannelTeam(*row) for row in rows]  # type: ignore[arg-type]


async def idle_or_expiring(
    session: AsyncSession,
    workspace_id: str,
    team_id: int,
    *,
    idle_until: datetime,
    protected_until: datetime,
) -> list[ClaimClock]:
    """The team's active claims last active at or before ``idle_until`` or whose protection ends
    at or before ``protected_until``, oldest activity first."""
    rows = await session.execute(
        select(*CLOCK_COLUMNS)
        .where(
            Claim.workspace_id == workspace_id,
            of_teams([team_id]),
            Claim.status == ClaimStatus.ACTIVE.value,
            or_(Claim.last_activity_at <= idle_until, Claim.protection_until <= protected_until),
        )
        .order_by(Claim.last_activity_at, Claim.id)
    )
    return [ClaimClock(*row) for row in rows.all()]


async def waiting(
    session: AsyncSession, workspace_id: str, team_id: int, *, filed_until: datetime
) -> list[ClaimClock]:
    """The team's claims waiting for a decision since ``filed_until`` or earlier, oldest first."""
    rows = await session.execute(
        select(*CLOCK_COLUMNS)
        .where(
            Claim.workspace_id == workspace_id,
            of_teams([team_id]),
            Claim.status == ClaimStatus.PENDING.value,
            Claim.submitted_at <= filed_until,
        )
        .order_by(Claim.submitted_at, Claim.id)
    )
    return [ClaimClock(*row) for row in rows.all()]


async def ended_between(
    session: AsyncSession,
    workspace_id: str,
    team_id: int,
    *,
    start: datetime,
    end: datetime,
    reasons: Collection[str],
) -> list[Ended]:
    """The team's claims that ended in ``[start, end)`` for one of ``reasons``, in order."""
    rows = await session.execute(
        select(Claim.id, Claim.customer_name, Claim.owner_id, Claim.end_reason, Claim.ended_at)
        .where(
            Claim.workspace_id == workspace_id,
            of_teams([team_id]),
            Claim.end_reason.in_(list(reasons)),
            Claim.ended_at >= start,
            Claim.ended_at < end,
        )
        .order_by(Claim.ended_at, Claim.id)
    )
    return [Ended(*row) for row in rows.all()]  # type: ignore[arg-type]


async def take_day(
    session: AsyncSession, workspace_id: str, team_id: int, column: DigestDay, day: date
) -> bool:
    """Mark ``day`` decided for the team's digest (or summary) unless it already is; True when
    this call marked it. Two passes racing for one day: the row lock lets exactly one win."""
    field = getattr(Team, column)
    result = await session.execute(
        update(Team)
        .where(
            Team.workspace_id == workspace_id,
            Team.id == team_id,
            or_(field.is_(None), field < day),
        )
        .values({column: day})
    )
    return bool(getattr(result, "rowcount", 0))
