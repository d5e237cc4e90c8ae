"""``/claim mine``, ``/claim team`` and ``/claim search``: claims as lists, with visibility rules.

Who sees what (the same rule everywhere, :meth:`Directory.can_see`): a claim's full details —
contact, phone, e-mail, need, stage, follow-ups — show only to its owner, the managers of its team
and the admins. Anyone else listing or finding it reads its holder, status and date, as the
duplicate check answers everyone.

- ``/claim mine``: the caller's claims — pending, active (protection end, reclaim date, last
  follow-up), won — and those that ended in the last :data:`RECENT_DAYS` days.
- ``/claim team``: the claims held in the caller's teams (managed or member); every team for an
  admin. Partners, who see only their own claims, are sent to ``/claim mine``.
- ``/claim search``: the duplicate check's probe and index, :data:`SEARCH_LIMIT` matches.

Lists are cut into pages of :data:`PAGE_SIZE` claims by the database, so a big team never loads
at once and a page stays well inside Slack's 50 blocks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.claims.lookup import probe_for_query
from bot.clock import Clock
from bot.directory import Directory, Member
from bot.duplicates import DuplicateChecker, Holder, Match
from bot.lifecycle.timeline import Timeline
from bot.rules import Rules
from store import customers as customer_store
from store import lists as list_store
from store.access import ClaimScope
from store.db import Database
from store.models import Claim, ClaimStatus, FollowUp, KeyKind, Role

PAGE_SIZE = 15
RECENT_DAYS = 30
SEARCH_LIMIT = 10
CLAIM_REF = re.compile(r"#(\d{1,12})")


class ListScope(StrEnum):
    MINE = "mine"
    TEAM = "team"


@dataclass(frozen=True, slots=True)
class ClaimDetails:
    """What only those who may see a claim read: contact, need, stage, the last follow-up."""

    contact_name: str | None
    phone: str | None
    email: str | None
    need_summary: str | None
    stage: str | None
    last_followup_at: datetime | None = None
    last_followup_method: str | None = None


@dataclass(frozen=True, slots=True)
class ClaimRow:
    """One claim in a list. ``details`` is None for a viewer who may not see them."""

    claim_id: int
    customer_id: int
    customer_name: str
    owner_id: str
    team: str | None
    status: ClaimStatus
    end_reason: str | None
    submitted_at: datetime
    protection_until: datetime | None
    reclaim_at: datetime | None
    ended_at: datetime | None
    details: ClaimDetails | None = None
    # The viewer may transfer or release it (a manager of its team or an admin; active only).
    manageable: bool = False


@dataclass(frozen=True, slots=True)
class ClaimPage:
    """One page of a list (``page`` counts from 0)."""

    scope: ListScope
    rows: tuple[ClaimRow, ...]
    page: int
    total: int
    role: Role
    counts: dict[str, int] = field(default_factory=dict)
    teams: tuple[str, ...] = ()
    everyone: bool = False  # an admin's list of every team
    # False when the caller has nothing to list here (on no team; a partner).
    allowed: bool = True
    page_size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def has_next(self) -> bool:
        return (self.page + 1) * self.page_size < self.total

    @property
    def has_previous(self) -> bool:
        return self.page > 0


@dataclass(frozen=True, slots=True)
class Found:
    """A customer ``/claim search`` found, and its holder as the viewer may see it."""

    customer_id: int
    customer_name: str
    matched_on: KeyKind
    score: float
    pooled: bool
    holder_id: str | None = None
    status: ClaimStatus | None = None
    until: datetime | None = None
    claim_id: int | None = None
    details: ClaimDetails | None = None


@dataclass(frozen=True, slots=True)
class SearchResult:
    query: str
    found: tuple[Found, ...] = ()
    usable: bool = True  # False: nothing searchable was typed


@dataclass(frozen=True, slots=True)
class CustomerChoice:
    """Which customer a typed name (or ``#claim id``) means: one, several, or none."""

    chosen: Match | None = None
    candidates: tuple[Match, ...] = ()
    usable: bool = True


class Viewer:
    """One person's rights over claims, asked of the directory once per (owner, team)."""

    def __init__(
        self, directory: Directory, session: AsyncSession, workspace_id: str, member: Member
    ) -> None:
        self.directory = directory
        self.session = session
        self.workspace_id = workspace_id
        self.member = member
        self._decides: dict[tuple[str, int | None], bool] = {}

    async def decides(self, owner_id: str, team_id: int | None) -> bool:
        """Whether the viewer may decide (and so manage) a claim of ``owner_id``."""
        key = (owner_id, team_id)
        if key not in self._decides:
            self._decides[key] = await self.directory.can_decide(
                self.session,
                self.workspace_id,
                self.member.user_id,
                owner_id=owner_id,
                team_id=team_id,
            )
        return self._decides[key]

    async def sees(self, owner_id: str, team_id: int | None) -> bool:
        """:meth:`Directory.can_see`: the owner, or someone who decides their claims."""
        return owner_id == self.member.user_id or await self.decides(owner_id, team_id)


def reclaim_at(claim: Claim, rules: Rules) -> datetime | None:
    """When an active claim goes back to the pool unless followed up (None otherwise)."""
    if claim.status != ClaimStatus.ACTIVE.value:
        return None
    return Timeline.of(
        last_activity_at=claim.last_activity_at or claim.decided_at or claim.submitted_at,
        protection_until=claim.protection_until,
        rules=rules.protection_for(claim),
    ).reclaim_at


def details_of(claim: Claim, last: FollowUp | None = None) -> ClaimDetails:
    return ClaimDetails(
        contact_name=claim.contact_name,
        phone=claim.phone,
        email=claim.email,
        need_summary=claim.need_summary,
        stage=claim.stage,
        last_followup_at=last.happened_at if last else None,
        last_followup_method=last.method if last else None,
    )


async def choose_customer(
    checker: DuplicateChecker, session: AsyncSession, workspace_id: str, query: str
) -> CustomerChoice:
    """The customer ``query`` names: a ``#claim id``, or the one clear match of the duplicate
    check (or the one exact one among several clear); else the candidates to choose from."""
    text = query.strip()
    by_claim = CLAIM_REF.fullmatch(text)
    if by_claim:
        found = await _customer_of_claim(session, workspace_id, int(by_claim[1]))
        return CustomerChoice(chosen=found, candidates=(found,) if found else ())
    probe = probe_for_query(text)
    if probe is None:
        return CustomerChoice(usable=False)
    matches = await checker.find(session, workspace_id, probe, limit=SEARCH_LIMIT)
    clear = [m for m in matches if m.clear]
    if len(clear) == 1:
        return CustomerChoice(chosen=clear[0], candidates=tuple(matches))
    exact = [m for m in clear if m.score >= 100]
    if len(exact) == 1:
        return CustomerChoice(chosen=exact[0], candidates=tuple(matches))
    return CustomerChoice(candidates=tuple(clear or matches))


async def _customer_of_claim(
    session: AsyncSession, workspace_id: str, claim_id: int
) -> Match | None:
    """The customer of a claim, as a match of the duplicate check would show it."""
    claim = (await list_store.claims_by_ids(session, workspace_id, [claim_id])).get(claim_id)
    if claim is None:
        return None
    customer = (await customer_store.get_customers(session, workspace_id, [claim.customer_id])).get(
        claim.customer_id
    )
    if customer is None:
        return None
    holding = (await customer_store.holders_of(session, workspace_id, [customer.id])).get(
        customer.id
    )
    return Match(
        customer_id=customer.id,
        customer_name=customer.name,
        matched_on=KeyKind.NAME,
        score=100.0,
        clear=True,
        holder=None
        if holding is None
        else Holder(
            claim_id=holding.id,
            owner_id=holding.owner_id,
            status=ClaimStatus(holding.status),
            until=holding.protection_until,
            team_id=holding.team_id,
            submitted_at=holding.submitted_at,
        ),
        pooled=customer.pooled_at is not None,
        region=customer.region,
    )


@dataclass
class ClaimLists:
    """Reads the lists; every row is cut to what the viewer may see."""

    db: Database
    rules: Rules
    clock: Clock
    directory: Directory
    checker: DuplicateChecker

    async def mine(self, workspace_id: str, user_id: str, page: int = 0) -> ClaimPage:
        """The caller's claims (see the module's docstring)."""
        await self.directory.ensure_seeded(workspace_id)
        scope = ClaimScope.of_owner(user_id)
        since = self.clock.now() - timedelta(days=RECENT_DAYS)
        async with self.db.session() as session:
            member = await self.directory.member(session, workspace_id, user_id)
            return await self._page(
                session, workspace_id, member, ListScope.MINE, scope, page, ended_since=since
            )

    async def team(self, workspace_id: str, user_id: str, page: int = 0) -> ClaimPage:
        """The claims held in the caller's teams (every team for an admin)."""
        await self.directory.ensure_seeded(workspace_id)
        async with self.db.session() as session:
            member = await self.directory.member(session, workspace_id, user_id)
            names = await list_store.team_names(session, workspace_id)
            if member.is_admin:
                scope = ClaimScope.everyone()
                teams = tuple(sorted(names.values()))
            else:
                team_ids = member.managed_team_ids | member.team_ids
                if member.is_partner or not team_ids:
                    return ClaimPage(ListScope.TEAM, (), 0, 0, member.role, allowed=False, teams=())
                scope = ClaimScope.of_teams(team_ids)
                teams = tuple(sorted(names[t] for t in team_ids if t in names))
            found = await self._page(session, workspace_id, member, ListScope.TEAM, scope, page)
            return ClaimPage(
                scope=found.scope,
                rows=found.rows,
                page=found.page,
                total=found.total,
                role=member.role,
                counts=found.counts,
                teams=teams,
                everyone=member.is_admin,
            )

    async def _page(
        self,
        session: AsyncSession,
        workspace_id: str,
        member: Member,
        kind: ListScope,
        scope: ClaimScope,
        page: int,
        *,
        ended_since: datetime | None = None,
    ) -> ClaimPage:
        page = max(0, page)
        claims, total = await list_store.claims_page(
            session,
            workspace_id,
            scope,
            offset=page * PAGE_SIZE,
            limit=PAGE_SIZE,
            ended_since=ended_since,
        )
        last_page = max(0, (total - 1) // PAGE_SIZE)
        if page > last_page:
            # The list shrank since the button was drawn: show its last page.
            page = last_page
            claims, total = await list_store.claims_page(
                session,
                workspace_id,
                scope,
                offset=page * PAGE_SIZE,
                limit=PAGE_SIZE,
                ended_since=ended_since,
            )
        counts = await list_store.status_counts(
            session, workspace_id, scope, ended_since=ended_since
        )
        names = await list_store.team_names(session, workspace_id)
        viewer = Viewer(self.directory, session, workspace_id, member)
        visible = [c for c in claims if await viewer.sees(c.owner_id, c.team_id)]
        followups = await list_store.last_followups(session, workspace_id, [c.id for c in visible])
        rows = []
        for claim in claims:
            sees = await viewer.sees(claim.owner_id, claim.team_id)
            manageable = (
                claim.status == ClaimStatus.ACTIVE.value
                and claim.owner_id != member.user_id
                and await viewer.decides(claim.owner_id, claim.team_id)
            )
            rows.append(
                ClaimRow(
                    claim_id=claim.id,
                    customer_id=claim.customer_id,
                    customer_name=claim.customer_name,
                    owner_id=claim.owner_id,
                    team=names.get(claim.team_id) if claim.team_id is not None else None,
                    status=ClaimStatus(claim.status),
                    end_reason=claim.end_reason,
                    submitted_at=claim.submitted_at,
                    protection_until=claim.protection_until,
                    reclaim_at=reclaim_at(claim, self.rules),
                    ended_at=claim.ended_at,
                    details=details_of(claim, followups.get(claim.id)) if sees else None,
                    manageable=manageable,
                )
            )
        return ClaimPage(kind, tuple(rows), page, total, member.role, counts=counts)

    async def search(self, workspace_id: str, user_id: str, query: str) -> SearchResult:
        """Customers resembling ``query``, each with its holder; details where the caller may
        see them."""
        probe = probe_for_query(query)
        if probe is None:
            return SearchResult(query, usable=False)
        await self.directory.ensure_seeded(workspace_id)
        async with self.db.session() as session:
            matches = await self.checker.find(session, workspace_id, probe, limit=SEARCH_LIMIT)
            member = await self.directory.member(session, workspace_id, user_id)
            viewer = Viewer(self.directory, session, workspace_id, member)
            held = [m.holder.claim_id for m in matches if m.holder is not None]
            claims = await list_store.claims_by_ids(session, workspace_id, held)
            followups = await list_store.last_followups(session, workspace_id, held)
            found = []
            for match in matches:
                holder = match.holder
                claim = claims.get(holder.claim_id) if holder else None
                sees = (
                    holder is not None
                    and claim is not None
                    and await viewer.sees(holder.owner_id, holder.team_id)
                )
                found.append(
                    Found(
                        customer_id=match.customer_id,
                        customer_name=match.customer_name,
                        matched_on=match.matched_on,
                        score=match.score,
                        pooled=match.pooled,
                        holder_id=holder.owner_id if holder else None,
                        status=holder.status if holder else None,
                        until=holder.until if holder else None,
                        claim_id=holder.claim_id if holder and sees else None,
                        details=details_of(claim, followups.get(claim.id))
                        if sees and claim is not None
                        else None,
                    )
                )
        return SearchResult(query, tuple(found))
