"""Roles (角色), changed from Slack by admins: ``/claim role @person manager|rep|partner|admin``.

Only admins change anything; anyone else is refused and the attempt is audited. Every change is
audited with the role before and after. A role set in Slack outranks the one a person's teams
imply (see :mod:`bot.directory`), so the answer to a change says when it leaves someone listed
as a team's manager who no longer decides, or a manager who manages no team.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.directory import Directory
from bot.rules import Rules
from store import audit
from store import directory as directory_store
from store.db import Database
from store.models import Role


class Outcome(StrEnum):
    """What came of an admin command."""

    DONE = "done"
    UNCHANGED = "unchanged"
    NOT_ADMIN = "not_admin"
    UNKNOWN_TEAM = "unknown_team"
    TEAM_EXISTS = "team_exists"
    BAD_REGION = "bad_region"
    CONFIGURED_ADMIN = "configured_admin"  # an admin from CLAIMBOT_ADMINS or the rules file
    NOT_ON_TEAM = "not_on_team"
    NOT_TEAM_MANAGER = "not_team_manager"  # neither an admin nor a manager of the team


@dataclass(frozen=True, slots=True)
class AdminResult:
    """The answer to an admin command, for the reply card."""

    outcome: Outcome
    user_id: str | None = None
    team: str | None = None
    role_before: Role | None = None
    role_after: Role | None = None
    region: str | None = None
    channel: str | None = None
    teams: tuple[str, ...] = ()  # the teams there are, when the one named is not
    # The role was set to manager but they manage no team yet / set to rep or partner while
    # they are listed as a team's manager / lifted to manager by making them a team's manager.
    manages_nothing: bool = False
    listed_manager_of: tuple[str, ...] = ()
    role_lifted: bool = False


@dataclass
class RoleAdmin:
    """Sets roles for admins, and tells who is an admin (refusals audited)."""

    db: Database
    rules: Rules
    clock: Clock
    directory: Directory

    async def check_admin(self, workspace_id: str, actor_id: str, action: str) -> bool:
        """Whether ``actor_id`` is an admin; a refusal is audited."""
        await self.directory.ensure_seeded(workspace_id)
        async with self.db.session() as session:
            return await self.admin_or_refuse(session, workspace_id, actor_id, action, {})

    async def set_role(
        self, workspace_id: str, actor_id: str, user_id: str, role: Role
    ) -> AdminResult:
        """Give ``user_id`` the role ``role`` (an admin's command)."""
        await self.directory.ensure_seeded(workspace_id)
        async with self.directory.changing(workspace_id) as session:
            if not await self.admin_or_refuse(
                session, workspace_id, actor_id, "role", {"user_id": user_id}
            ):
                return AdminResult(Outcome.NOT_ADMIN)
            before = await self.directory.member(session, workspace_id, user_id)
            if self.directory.configured_admin(user_id):
                outcome = Outcome.UNCHANGED if role is Role.ADMIN else Outcome.CONFIGURED_ADMIN
                return AdminResult(outcome, user_id=user_id, role_before=before.role)
            if before.role is role:
                return AdminResult(Outcome.UNCHANGED, user_id=user_id, role_before=role)
            await self.store_role(session, workspace_id, actor_id, user_id, role, before.role)
            after = await self.directory.member(session, workspace_id, user_id)
            managed = tuple(m.team_name for m in after.teams if m.is_manager)
            return AdminResult(
                Outcome.DONE,
                user_id=user_id,
                role_before=before.role,
                role_after=after.role,
                manages_nothing=after.role is Role.MANAGER and not managed,
                listed_manager_of=managed if after.role in (Role.REP, Role.PARTNER) else (),
            )

    async def admin_or_refuse(
        self,
        session: AsyncSession,
        workspace_id: str,
        actor_id: str,
        action: str,
        detail: dict[str, Any],
    ) -> bool:
        """Whether ``actor_id`` is an admin; if not, the attempt is audited as refused."""
        actor = await self.directory.member(session, workspace_id, actor_id)
        if actor.is_admin:
            return True
        await audit.record(
            session,
            workspace_id,
            audit.Action.ACCESS_REFUSED,
            actor_id=actor_id,
            at=self.clock.now(),
            data={"action": action, "reason": "not_admin", **detail},
        )
        return False

    async def store_role(
        self,
        session: AsyncSession,
        workspace_id: str,
        actor_id: str,
        user_id: str,
        role: Role,
        before: Role,
    ) -> None:
        """Store ``user_id``'s role as set by ``actor_id``, audited with the one before."""
        now = self.clock.now()
        await directory_store.set_role(
            session, workspace_id, user_id, role, set_by=actor_id, at=now
        )
        await audit.record(
            session,
            workspace_id,
            audit.Action.ROLE_CHANGED,
            actor_id=actor_id,
            at=now,
            data={"user_id": user_id, "before": before.value, "after": role.value},
        )
