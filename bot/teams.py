"""Teams (团队), changed from Slack by admins: ``/claim team create NAME [region]``,
``/claim team NAME add|manager|remove @person``, ``/claim team NAME region KEY``; and
``/claim team`` alone, which shows anyone their own teams.

Team changes run under the workspace's directory lock (the one the rules-file seeding takes), so
two admins editing one team see each other's change, and each is audited before and after.
Making someone a team's manager lifts a role of rep or partner set earlier in Slack to manager;
else they would be listed as the team's manager but decide nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.directory import Directory
from bot.i18n import LANGS, Translator
from bot.roles import AdminResult, Outcome, RoleAdmin
from bot.rules import Rules, option_label
from store import audit
from store import directory as directory_store
from store.db import Database
from store.models import Role, Team


class TeamChange(StrEnum):
    CREATED = "created"
    MEMBER_ADDED = "member_added"
    MANAGER_ADDED = "manager_added"
    REMOVED = "removed"
    REGION = "region"
    CHANNEL = "channel"


@dataclass(frozen=True, slots=True)
class TeamView:
    """A team with its people."""

    name: str
    region: str | None
    managers: tuple[str, ...]
    members: tuple[str, ...]
    channel: str | None = None


@dataclass(frozen=True, slots=True)
class TeamsOverview:
    """``/claim team``: the caller's role and teams (and, for an admin, every team's name)."""

    role: Role
    teams: tuple[TeamView, ...]
    all_teams: tuple[TeamView, ...] = ()


@dataclass
class TeamAdmin:
    """Changes teams for admins; shows anyone their own teams."""

    db: Database
    rules: Rules
    clock: Clock
    directory: Directory
    roles: RoleAdmin

    async def create_team(
        self, workspace_id: str, actor_id: str, name: str, region: str | None
    ) -> AdminResult:
        """A new team, optionally with a region (a key of the claim form's regions)."""
        await self.directory.ensure_seeded(workspace_id)
        async with self.directory.changing(workspace_id) as session:
            if not await self.roles.admin_or_refuse(
                session, workspace_id, actor_id, "team.create", {"team": name}
            ):
                return AdminResult(Outcome.NOT_ADMIN)
            existing = await self._team(session, workspace_id, name)
            if existing is not None:
                return AdminResult(Outcome.TEAM_EXISTS, team=existing.name)
            key = None
            if region is not None:
                key = self.region_key(region)
                if key is None:
                    return AdminResult(Outcome.BAD_REGION, team=name, region=region)
            now = self.clock.now()
            team = await directory_store.add_team(session, workspace_id, name, key, at=now)
            await self._team_changed(
                session, workspace_id, actor_id, team, TeamChange.CREATED, None, {"region": key}
            )
            return AdminResult(Outcome.DONE, team=team.name, region=key)

    async def add_to_team(
        self, workspace_id: str, actor_id: str, team_name: str, user_id: str, *, manager: bool
    ) -> AdminResult:
        """Put ``user_id`` on a team, as a member or as one of its managers."""
        await self.directory.ensure_seeded(workspace_id)
        action = "team.manager" if manager else "team.add"
        async with self.directory.changing(workspace_id) as session:
            if not await self.roles.admin_or_refuse(
                session, workspace_id, actor_id, action, {"team": team_name, "user_id": user_id}
            ):
                return AdminResult(Outcome.NOT_ADMIN)
            team = await self._team(session, workspace_id, team_name)
            if team is None:
                return await self._unknown_team(session, workspace_id, team_name)
            before = await self._standing(session, workspace_id, team.id, user_id)
            added = await directory_store.add_member(
                session, workspace_id, team.id, user_id, is_manager=manager
            )
            if not added:
                return AdminResult(Outcome.UNCHANGED, user_id=user_id, team=team.name)
            after = await self._standing(session, workspace_id, team.id, user_id)
            change = TeamChange.MANAGER_ADDED if manager else TeamChange.MEMBER_ADDED
            await self._team_changed(
                session, workspace_id, actor_id, team, change, before, after, user_id=user_id
            )
            lifted = False
            if manager:
                stored = await directory_store.stored_role(session, workspace_id, user_id)
                if stored in (Role.REP, Role.PARTNER):
                    await self.roles.store_role(
                        session, workspace_id, actor_id, user_id, Role.MANAGER, stored
                    )
                    lifted = True
            return AdminResult(Outcome.DONE, user_id=user_id, team=team.name, role_lifted=lifted)

    async def remove_from_team(
        self, workspace_id: str, actor_id: str, team_name: str, user_id: str
    ) -> AdminResult:
        """Take ``user_id`` off a team (as member and as manager)."""
        await self.directory.ensure_seeded(workspace_id)
        async with self.directory.changing(workspace_id) as session:
            if not await self.roles.admin_or_refuse(
                session,
                workspace_id,
                actor_id,
                "team.remove",
                {"team": team_name, "user_id": user_id},
            ):
                return AdminResult(Outcome.NOT_ADMIN)
            team = await self._team(session, workspace_id, team_name)
            if team is None:
                return await self._unknown_team(session, workspace_id, team_name)
            before = await self._standing(session, workspace_id, team.id, user_id)
            if not await directory_store.remove_member(session, workspace_id, team.id, user_id):
                return AdminResult(Outcome.NOT_ON_TEAM, user_id=user_id, team=team.name)
            await self._team_changed(
                session,
                workspace_id,
                actor_id,
                team,
                TeamChange.REMOVED,
                before,
                None,
                user_id=user_id,
            )
            return AdminResult(Outcome.DONE, user_id=user_id, team=team.name)

    async def set_region(
        self, workspace_id: str, actor_id: str, team_name: str, region: str | None
    ) -> AdminResult:
        """Set (or, with ``None``, clear) a team's region; it drives the cross-region rule."""
        await self.directory.ensure_seeded(workspace_id)
        async with self.directory.changing(workspace_id) as session:
            if not await self.roles.admin_or_refuse(
                session,
                workspace_id,
                actor_id,
                "team.region",
                {"team": team_name, "region": region},
            ):
                return AdminResult(Outcome.NOT_ADMIN)
            team = await self._team(session, workspace_id, team_name)
            if team is None:
                return await self._unknown_team(session, workspace_id, team_name)
            key = None
            if region is not None:
                key = self.region_key(region)
                if key is None:
                    return AdminResult(Outcome.BAD_REGION, team=team.name, region=region)
            if key == team.region:
                return AdminResult(Outcome.UNCHANGED, team=team.name, region=key)
            before = team.region
            await directory_store.set_team_region(session, workspace_id, team.id, key)
            await self._team_changed(
                session, workspace_id, actor_id, team, TeamChange.REGION, before, key
            )
            return AdminResult(Outcome.DONE, team=team.name, region=key)

    async def set_channel(
        self, workspace_id: str, actor_id: str, team_name: str, channel: str | None
    ) -> AdminResult:
        """Set (or, with ``None``, clear) the channel where the team's digest is posted; for
        admins and the team's own managers (anyone else is refused, and it is audited)."""
        await self.directory.ensure_seeded(workspace_id)
        async with self.directory.changing(workspace_id) as session:
            team = await self._team(session, workspace_id, team_name)
            actor = await self.directory.member(session, workspace_id, actor_id)
            manages = team is not None and team.id in actor.deciding_team_ids
            if not manages and not await self.roles.admin_or_refuse(
                session,
                workspace_id,
                actor_id,
                "team.channel",
                {"team": team_name, "channel": channel},
            ):
                return AdminResult(Outcome.NOT_TEAM_MANAGER, team=team.name if team else team_name)
            if team is None:
                return await self._unknown_team(session, workspace_id, team_name)
            if channel == team.channel:
                return AdminResult(Outcome.UNCHANGED, team=team.name, channel=channel)
            before = team.channel
            await directory_store.set_team_channel(
                session, workspace_id, team.id, channel, set_by=actor_id
            )
            await self._team_changed(
                session, workspace_id, actor_id, team, TeamChange.CHANNEL, before, channel
            )
            return AdminResult(Outcome.DONE, team=team.name, channel=channel)

    def region_key(self, text: str) -> str | None:
        """The claim form's region meant by ``text``: its key, or its label in any language."""
        wanted = text.strip().casefold()
        for option in self.rules.form.regions:
            names = {option.key} | {
                option_label(self.rules.form.regions, option.key, Translator(lang))
                for lang in LANGS
            }
            if wanted in {n.casefold() for n in names}:
                return option.key
        return None

    async def overview(self, workspace_id: str, user_id: str) -> TeamsOverview:
        """The person's role and teams with their people (``/claim team``)."""
        await self.directory.ensure_seeded(workspace_id)
        async with self.db.session() as session:
            member = await self.directory.member(session, workspace_id, user_id)
            seen: dict[int, TeamView] = {}
            for membership in member.teams:
                if membership.team_id not in seen:
                    seen[membership.team_id] = await self._view(
                        session,
                        workspace_id,
                        membership.team_id,
                        membership.team_name,
                        membership.region,
                    )
            every: tuple[TeamView, ...] = ()
            if member.is_admin:
                every = tuple(
                    [
                        await self._view(session, workspace_id, t.id, t.name, t.region)
                        for t in await directory_store.teams(session, workspace_id)
                    ]
                )
            return TeamsOverview(role=member.role, teams=tuple(seen.values()), all_teams=every)

    # -- helpers ---------------------------------------------------------------------------------

    async def _team(self, session: AsyncSession, workspace_id: str, name: str) -> Team | None:
        """The team called ``name``, exactly or else ignoring case."""
        exact = await directory_store.team_by_name(session, workspace_id, name)
        if exact is not None:
            return exact
        wanted = name.casefold()
        for team in await directory_store.teams(session, workspace_id):
            if team.name.casefold() == wanted:
                return team
        return None

    async def _unknown_team(
        self, session: AsyncSession, workspace_id: str, name: str
    ) -> AdminResult:
        names = tuple(t.name for t in await directory_store.teams(session, workspace_id))
        return AdminResult(Outcome.UNKNOWN_TEAM, team=name, teams=names)

    async def _standing(
        self, session: AsyncSession, workspace_id: str, team_id: int, user_id: str
    ) -> str | None:
        """ "member", "manager", "manager+member", or ``None`` (not on the team)."""
        places = sorted(
            "manager" if entry.is_manager else "member"
            for entry in await directory_store.roster(session, workspace_id, team_id)
            if entry.user_id == user_id
        )
        return "+".join(places) or None

    async def _team_changed(
        self,
        session: AsyncSession,
        workspace_id: str,
        actor_id: str,
        team: Team,
        change: TeamChange,
        before: Any,
        after: Any,
        *,
        user_id: str | None = None,
    ) -> None:
        data: dict[str, Any] = {
            "team_id": team.id,
            "team": team.name,
            "change": change.value,
            "before": before,
            "after": after,
        }
        if user_id is not None:
            data["user_id"] = user_id
        await audit.record(
            session,
            workspace_id,
            audit.Action.TEAM_CHANGED,
            actor_id=actor_id,
            at=self.clock.now(),
            data=data,
        )

    async def _view(
        self,
        session: AsyncSession,
        workspace_id: str,
        team_id: int,
        name: str,
        region: str | None,
    ) -> TeamView:
        people: Sequence[directory_store.RosterEntry] = await directory_store.roster(
            session, workspace_id, team_id
        )
        team = await session.get(Team, team_id)
        return TeamView(
            name=name,
            region=region,
            managers=tuple(p.user_id for p in people if p.is_manager),
            members=tuple(p.user_id for p in people if not p.is_manager),
            channel=team.channel if team is not None else None,
        )
