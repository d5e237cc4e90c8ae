"""Teams, memberships and roles."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store.dialect import insert
from store.models import Person, Role, Team, TeamMember


@dataclass(frozen=True, slots=True)
class Membership:
    team_id: int
    team_name: str
    region: str | None
    is_manager: bool


async def teams(session: AsyncSession, workspace_id: str) -> Sequence[Team]:
    """Every team of the workspace, by name."""
    rows = await session.scalars(
        select(Team).where(Team.workspace_id == workspace_id).order_by(Team.name)
    )
    return rows.all()


async def team_by_name(session: AsyncSession, workspace_id: str, name: str) -> Team | None:
    return await session.scalar(
        select(Team).where(Team.workspace_id == workspace_id, Team.name == name)
    )


async def add_team(
    session: AsyncSession,
    workspace_id: str,
    name: str,
    region: str | None,
    *,
    at: datetime,
    channel: str | None = None,
) -> Team:
    """Create a team (the caller checks that the name is free)."""
    team = Team(workspace_id=workspace_id, name=name, region=region, created_at=at, channel=channel)
    session.add(team)
    await session.flush()
    return team


async def memberships(session: AsyncSession, workspace_id: str, user_id: str) -> list[Membership]:
    """The teams a person belongs to or manages."""
    rows = await session.execute(
        select(Team.id, Team.name, Team.region, TeamMember.is_manager)
        .join(TeamMember, TeamMember.team_id == Team.id)
        .where(TeamMember.workspace_id == workspace_id, TeamMember.user_id == user_id)
        .order_by(TeamMember.is_manager, Team.name)
    )
    return [Membership(*row) for row in rows]


async def team_people(
    session: AsyncSession, workspace_id: str, team_id: int, *, managers: bool
) -> list[str]:
    """A team's managers (``managers=True``) or members."""
    rows = await session.scalars(
        select(TeamMember.user_id)
        .where(
            TeamMember.workspace_id == workspace_id,
            TeamMember.team_id == team_id,
            TeamMember.is_manager == managers,
        )
        .order_by(TeamMember.user_id)
    )
    return list(rows)


async def add_member(
    session: AsyncSession, workspace_id: str, team_id: int, user_id: str, *, is_manager: bool
) -> bool:
    """Add a person to a team; False when they were already there in that capacity."""
    result = await session.execute(
        insert(session, TeamMember)
        .values(workspace_id=workspace_id, team_id=team_id, user_id=user_id, is_manager=is_manager)
        .on_conflict_do_nothing()
    )
    return bool(getattr(result, "rowcount", 0))


async def remove_member(
    session: AsyncSession, workspace_id: str, team_id: int, user_id: str
) -> bool:
    """Take a person out of a team (as member and manager); False if they were not in it."""
    result = await session.execute(
        delete(TeamMember).where(
            TeamMember.workspace_id == workspace_id,
            TeamMember.team_id == team_id,
            TeamMember.user_id == user_id,
        )
    )
    return bool(getattr(result, "rowcount", 0))


async def people_with_role(session: AsyncSession, workspace_id: str, role: Role) -> list[str]:
    """Everyone stored with ``role``."""
    rows = await session.scalars(
        select(Person.user_id)
        .where(Person.workspace_id == workspace_id, Person.role == role.value)
        .order_by(Person.user_id)
    )
    return list(rows)


async def set_role(
    session: AsyncSession,
    workspace_id: str,
    user_id: str,
    role: Role,
    *,
    set_by: str,
    at: datetime,
) -> None:
    """Store a person's role (creating the person if the bot has not met them yet)."""
    values = {"role": role.value, "role_set_by": set_by, "updated_at": at}
    await session.execute(
        insert(session, Person)
        .values(workspace_id=workspace_id, user_id=user_id, is_guest=False, **values)
        .on_conflict_do_update(index_elements=["workspace_id", "user_id"], set_=values)
    )


async def stored_role(session: AsyncSession, workspace_id: str, user_id: str) -> Role | None:
    """The role stored for a person (``None`` if never set or never met)."""
    person = await session.get(Person, (workspace_id, user_id))
    if person is None or person.role_set_by is None:
        return None
    return Role(person.role)


async def workspace_seeded(session: AsyncSession, workspace_id: str) -> bool:
    """Whether this workspace's teams were ever set up (from the rules file or in Slack)."""
    return (
        await session.scalar(select(Team.id).where(Team.workspace_id == workspace_id).limit(1))
    ) is not None


@dataclass(frozen=True, slots=True)
class RosterEntry:
    """One person on a team's roster."""

    user_id: str
    is_manager: bool


async def roster(session: AsyncSession, workspace_id: str, team_id: int) -> list[RosterEntry]:
    """A team's managers, then its members, each by user id."""
    rows = await session.execute(
        select(TeamMember.user_id, TeamMember.is_manager)
        .where(TeamMember.workspace_id == workspace_id, TeamMember.team_id == team_id)
        .order_by(TeamMember.is_manager.desc(), TeamMember.user_id)
    )
    return [RosterEntry(user_id, is_manager) for user_id, is_manager in rows]


async def set_team_region(
    session: AsyncSession, workspace_id: str, team_id: int, region: str | None
) -> None:
    """Change a team's region (``None`` clears it)."""
    await session.execute(
        update(Team)
        .where(Team.workspace_id == workspace_id, Team.id == team_id)
        .values(region=region)
    )


async def set_team_channel(
    session: AsyncSession,
    workspace_id: str,
    team_id: int,
    channel: str | None,
    *,
    set_by: str | None,
) -> None:
    """Change a team's channel (``None`` clears it); ``set_by`` None: from the rules file."""
    await session.execute(
        update(Team)
        .where(Team.workspace_id == workspace_id, Team.id == team_id)
        .values(channel=channel, channel_set_by=set_by)
    )
