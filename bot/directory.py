"""Who people are: roles (rep, manager, admin, partner), teams, and who may decide what.

Teams live in the database. The rules file seeds them: a team named in ``teams:`` is created
(with its managers and members) the first time the bot serves a workspace where no team of that
name exists. After that, ``/claim team`` and ``/claim role`` in Slack are the source of truth, so
an admin's change is not undone by the next restart; a team added to the file later still appears.

A person's role, highest first: admin (``CLAIMBOT_ADMINS``, ``admins:`` in the rules, or set in
Slack), a role set in Slack, manager (manages a team), partner (``partners:`` in the rules or a
Slack Connect guest), rep.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.claims.approval import Filer
from bot.clock import Clock
from bot.people import Profile
from bot.rules import Rules
from store import directory as directory_store
from store.access import belongs_to
from store.db import Database
from store.directory import Membership
from store.models import Role


@dataclass(frozen=True, slots=True)
class Member:
    """A person with their role and teams."""

    user_id: str
    role: Role
    teams: tuple[Membership, ...] = ()

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def is_partner(self) -> bool:
        return self.role is Role.PARTNER

    @property
    def managed_team_ids(self) -> set[int]:
        return {m.team_id for m in self.teams if m.is_manager}

    @property
    def deciding_team_ids(self) -> set[int]:
        """The teams the person acts for as their manager: those they manage, if their role is
        manager (a team's manager whose role was set to rep or partner decides nothing)."""
        return self.managed_team_ids if self.role is Role.MANAGER else set()

    @property
    def team_ids(self) -> set[int]:
        """Teams the person is a member of (not only manages)."""
        return {m.team_id for m in self.teams if not m.is_manager}

    @property
    def home_team(self) -> Membership | None:
        """The team a rep files claims under: the first they are a member of."""
        return next((m for m in self.teams if not m.is_manager), None)


FILER_TTL = timedelta(seconds=30)


@dataclass
class Directory:
    """Roles, teams and rights, read from the database (seeded from the rules file)."""

    db: Database
    rules: Rules
    clock: Clock
    env_admins: tuple[str, ...] = ()
    _seeded: set[str] = field(default_factory=set)
    # Filers are looked up on every claim; a role or team change made here clears them at once,
    # one made by another replica is seen within FILER_TTL.
    _filers: dict[tuple[str, str, bool], tuple[Filer, datetime]] = field(default_factory=dict)

    def configured_admin(self, user_id: str) -> bool:
        """Admins from the environment or the rules file (always admins, whatever is stored)."""
        return user_id in self.env_admins or user_id in self.rules.admins

    async def ensure_seeded(self, workspace_id: str) -> None:
        """Create the rules file's teams that this workspace does not have yet (once a process)."""
        if workspace_id in self._seeded:
            return
        now = self.clock.now()
        async with self.db.locked(workspace_id, scope="directory") as session:
            for team in self.rules.teams:
                existing = await directory_store.team_by_name(session, workspace_id, team.name)
                if existing is not None:
                    # A channel added to the file later reaches a team made earlier, unless
                    # someone has set or cleared the channel in Slack since.
                    if team.channel and not existing.channel and not existing.channel_set_by:
                        await directory_store.set_team_channel(
                            session, workspace_id, existing.id, team.channel, set_by=None
                        )
                    continue
                created = await directory_store.add_team(
                    session, workspace_id, team.name, team.region, at=now, channel=team.channel
                )
                for user_id in team.managers:
                    await directory_store.add_member(
                        session, workspace_id, created.id, user_id, is_manager=True
                    )
                for user_id in team.members:
                    await directory_store.add_member(
                        session, workspace_id, created.id, user_id, is_manager=False
                    )
        self._seeded.add(workspace_id)

    @asynccontextmanager
    async def changing(self, workspace_id: str) -> AsyncIterator[AsyncSession]:
        """A unit of work that changes roles or teams (under the directory lock); what was cached
        about the workspace's people is forgotten once it ends."""
        try:
            async with self.db.locked(workspace_id, scope="directory") as session:
                yield session
        finally:
            self.forget(workspace_id)

    def forget(self, workspace_id: str) -> None:
        """Drop what is cached about a workspace's people."""
        for key in [k for k in self._filers if k[0] == workspace_id]:
            del self._filers[key]

    async def member(
        self, session: AsyncSession, workspace_id: str, user_id: str, *, is_guest: bool = False
    ) -> Member:
        """A person's role and teams."""
        teams = tuple(await directory_store.memberships(session, workspace_id, user_id))
        if self.configured_admin(user_id):
            role = Role.ADMIN
        elif stored := await directory_store.stored_role(session, workspace_id, user_id):
            role = stored
        elif any(m.is_manager for m in teams):
            role = Role.MANAGER
        elif user_id in self.rules.partners or is_guest:
            role = Role.PARTNER
        else:
            role = Role.REP
        return Member(user_id=user_id, role=role, teams=teams)

    async def lookup(self, workspace_id: str, profile: Profile) -> Member:
        """:meth:`member` in a session of its own."""
        await self.ensure_seeded(workspace_id)
        async with self.db.session() as session:
            return await self.member(
                session, workspace_id, profile.user_id, is_guest=profile.is_guest
            )

    async def filer(self, workspace_id: str, profile: Profile) -> Filer:
        """The filer as the approval rules see them (cached for :data:`FILER_TTL`)."""
        key = (workspace_id, profile.user_id, profile.is_guest)
        now = self.clock.now()
        cached = self._filers.get(key)
        if cached is not None and cached[1] > now:
            return cached[0]
        member = await self.lookup(workspace_id, profile)
        team = member.home_team
        filer = Filer(
            user_id=member.user_id,
            is_partner=member.is_partner,
            team_id=team.team_id if team else None,
            team_region=team.region if team else None,
        )
        self._filers[key] = (filer, now + FILER_TTL)
        return filer

    async def admins(self, session: AsyncSession, workspace_id: str) -> list[str]:
        """Every admin: configured ones first, then those made admin in Slack."""
        configured = list(dict.fromkeys([*self.env_admins, *self.rules.admins]))
        stored = await directory_store.people_with_role(session, workspace_id, Role.ADMIN)
        return configured + [u for u in stored if u not in configured]

    async def approvers(
        self, session: AsyncSession, workspace_id: str, owner_id: str, team_id: int | None
    ) -> list[str]:
        """Who decides a claim: the managers of its team (or of the owner's teams); the admins
        when nobody manages them."""
        team_ids = [team_id] if team_id is not None else []
        if not team_ids:
            owner = await self.member(session, workspace_id, owner_id)
            team_ids = sorted(owner.team_ids)
        managers: list[str] = []
        for tid in team_ids:
            for manager in await directory_store.team_people(
                session, workspace_id, tid, managers=True
            ):
                if manager in managers or manager == owner_id:
                    continue
                # A team manager whose role was set to rep or partner in Slack decides nothing
                # (can_decide says so), so the card must not wait for them.
                role = (await self.member(session, workspace_id, manager)).role
                if role in (Role.MANAGER, Role.ADMIN):
                    managers.append(manager)
        return managers or [a for a in await self.admins(session, workspace_id) if a != owner_id]

    async def can_decide(
        self,
        session: AsyncSession,
        workspace_id: str,
        actor_id: str,
        *,
        owner_id: str,
        team_id: int | None,
    ) -> bool:
        """Whether ``actor_id`` may decide on a claim of ``owner_id`` (never on their own)."""
        if actor_id == owner_id:
            return False
        actor = await self.member(session, workspace_id, actor_id)
        if actor.is_admin:
            return True
        if not actor.deciding_team_ids:
            return False
        owner_team_ids: set[int] = set()
        if team_id is None:
            owner_team_ids = (await self.member(session, workspace_id, owner_id)).team_ids
        return belongs_to(
            actor.deciding_team_ids, claim_team_id=team_id, owner_team_ids=owner_team_ids
        )

    async def can_see(
        self,
        session: AsyncSession,
        workspace_id: str,
        actor_id: str,
        *,
        owner_id: str,
        team_id: int | None,
    ) -> bool:
        """Whether ``actor_id`` may see a claim's full details (contacts, notes)."""
        if actor_id == owner_id:
            return True
        return await self.can_decide(
            session, workspace_id, actor_id, owner_id=owner_id, team_id=team_id
        )
