"""Claims written straight into the store, for the lifecycle tests below the Slack layer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from store.db import Database
from store.models import Claim, ClaimStatus, Customer, Team, TeamMember

WS = "T1"
T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai
DAY = timedelta(days=1)
REP, OTHER, MANAGER, ADMIN = "U0REP00001", "U0REP00002", "U0MANAGER1", "U0ADMIN001"


async def add_team(db: Database) -> int:
    async with db.session() as session:
        team = Team(workspace_id=WS, name="East", created_at=T0)
        session.add(team)
        await session.flush()
        for user, manager in ((MANAGER, True), (REP, False), (OTHER, False)):
            session.add(
                TeamMember(team_id=team.id, user_id=user, is_manager=manager, workspace_id=WS)
            )
        return team.id


async def add_claim(
    db: Database,
    name: str,
    *,
    owner: str = REP,
    approved: datetime = T0,
    last: datetime | None = None,
    protection: timedelta | None = 90 * DAY,
    status: ClaimStatus = ClaimStatus.ACTIVE,
    team_id: int | None = None,
    workspace: str = WS,
) -> int:
    async with db.session() as session:
        customer = Customer(workspace_id=workspace, name=name, name_key=name, created_at=approved)
        session.add(customer)
        await session.flush()
        claim = Claim(
            workspace_id=workspace,
            customer_id=customer.id,
            owner_id=owner,
            team_id=team_id,
            status=status,
            submission_key=f"k:{name}",
            submitted_at=approved,
            customer_name=name,
            decided_at=None if status is ClaimStatus.PENDING else approved,
            protection_until=approved + protection if protection and status != "pending" else None,
            last_activity_at=(last or approved) if status is ClaimStatus.ACTIVE else None,
        )
        session.add(claim)
        await session.flush()
        return claim.id
