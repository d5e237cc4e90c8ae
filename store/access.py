"""Which claims belong to whom: the one rule behind every list, report, export and decision.

A claim belongs to a set of teams when it was filed under one of them, or, when it names no team
(an imported claim, a rep who joined a team later), when its owner is a member (not a manager) of
one of them. A manager decides, and sees in full, the claims that belong to the teams they
manage; an admin, every claim; nobody, their own.

The rule is written twice, side by side, because it is asked twice: as SQL conditions when the
database picks the claims (:func:`of_teams`, :func:`within`) and in Python when one claim is
already loaded (:func:`belongs_to`). ``tests/store/test_access.py`` checks that the two agree on
every case.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import Claim, TeamMember


@dataclass(frozen=True, slots=True)
class ClaimScope:
    """Whose claims: one owner's, some teams', or everyone's (both ``None``).

    The two conditions combine: ``ClaimScope(owner_id=u, team_ids=…)`` is ``u``'s claims among
    the teams'. ``team_ids`` empty (not ``None``) is no team, hence no claim.
    """

    owner_id: str | None = None
    team_ids: frozenset[int] | None = None

    @classmethod
    def everyone(cls) -> ClaimScope:
        return cls()

    @classmethod
    def of_owner(cls, owner_id: str) -> ClaimScope:
        return cls(owner_id=owner_id)

    @classmethod
    def of_teams(cls, team_ids: Iterable[int]) -> ClaimScope:
        return cls(team_ids=frozenset(team_ids))

    @property
    def is_empty(self) -> bool:
        """True when the scope can hold no claim (no query needs to run)."""
        return self.team_ids is not None and not self.team_ids


def team_members(team_ids: Collection[int]) -> Select[str]:
    """The user ids of the teams' members (managers excluded), as a subquery."""
    return select(TeamMember.user_id).where(
        TeamMember.team_id.in_(list(team_ids)), TeamMember.is_manager == false()
    )


def of_teams(team_ids: Collection[int]) -> ColumnElement[bool]:
    """The SQL condition: the claim belongs to one of the teams (see the module docstring)."""
    return or_(
        Claim.team_id.in_(list(team_ids)),
        and_(Claim.team_id.is_(None), Claim.owner_id.in_(team_members(team_ids))),
    )


def within(scope: ClaimScope) -> list[ColumnElement[bool]]:
    """The WHERE conditions that keep the scope's claims (none for everyone's)."""
    where: list[ColumnElement[bool]] = []
    if scope.owner_id is not None:
        where.append(Claim.owner_id == scope.owner_id)
    if scope.team_ids is not None:
        where.append(of_teams(scope.team_ids) if scope.team_ids else false())
    return where


def belongs_to(
    team_ids: Collection[int], *, claim_team_id: int | None, owner_team_ids: Collection[int]
) -> bool:
    """The same rule as :func:`of_teams`, for one loaded claim: filed under one of ``team_ids``,
    or filed under no team by an owner who is a member of one of them (``owner_team_ids``: the
    teams the owner is a member of, not those they manage)."""
    if claim_team_id is not None:
        return claim_team_id in team_ids
    return any(t in team_ids for t in owner_team_ids)


async def fresh_claim(session: AsyncSession, workspace_id: str, claim_id: int) -> Claim | None:
    """The claim as the database has it now (not as this session remembers it); ``None`` for an
    id of nothing or of another workspace. Rights are checked against this, never a button."""
    return await session.scalar(
        select(Claim)
        .where(Claim.workspace_id == workspace_id, Claim.id == claim_id)
        .execution_options(populate_existing=True)
    )
