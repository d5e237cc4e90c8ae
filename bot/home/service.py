"""Builds a person's Home from the store: their claims by what needs action first, and for
managers and admins the decisions waiting, the claims that need attention and the numbers.

Page sizes keep the biggest Home (an admin who also holds claims) well inside Slack's 100 blocks:
a list never shows more than one page, and says how many more there are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.approvals.service import ApprovalService
from bot.clock import Clock
from bot.directory import Directory
from bot.home.model import ClaimLine, HomeModel, Page
from bot.home.state import HomeState
from bot.home.todo import TodoItem, todo_items
from bot.ids import HomeSection
from bot.lifecycle.reminders import FIRST_CONTACT_DECISIONS
from bot.metrics.analytics import AnalyticsService
from bot.metrics.periods import Period
from bot.metrics.service import MetricsService, Scope, ScopeKind
from bot.rules import Rules
from store import home as store
from store import lifecycle as lifecycle_store
from store.access import ClaimScope
from store.db import Database

MINE_PAGE = 8  # two blocks each: the line and its buttons
DECISIONS_PAGE = 5  # three blocks each, as in /claim pending
ATTENTION_PAGE = 10  # one line each, in one section
PENDING_SHOWN = 8  # one line each
TODO_SHOWN = 8  # one line each, in one section
TODO_READ = 200  # claims read for the To do; more than anyone works at once


@dataclass
class HomeService:
    """Reads what one person's Home shows."""

    db: Database
    rules: Rules
    clock: Clock
    directory: Directory
    approvals: ApprovalService
    metrics: MetricsService

    async def build(self, workspace_id: str, user_id: str, state: HomeState) -> HomeModel:
        """The Home of ``user_id`` as it stands now, paged as ``state`` says."""
        now = self.clock.now()
        await self.directory.ensure_seeded(workspace_id)
        async with self.db.session() as session:
            member = await self.directory.member(session, workspace_id, user_id)
            scope = Scope.of(member)
            mine = await self._lines(
                session,
                workspace_id,
                ClaimScope.of_owner(user_id),
                now,
                offset=state.offset(HomeSection.MINE),
                size=MINE_PAGE,
            )
            pending, pending_total = await store.pending_of(
                session, workspace_id, user_id, limit=PENDING_SHOWN
            )
            todo = await self._todo(session, workspace_id, user_id, now)
            attention = None
            if scope.kind is not ScopeKind.OWN:
                attention = await self._lines(
                    session,
                    workspace_id,
                    scope.claims,
                    now,
                    offset=state.offset(HomeSection.ATTENTION),
                    size=ATTENTION_PAGE,
                    needing_attention=True,
                )
            my_month = None
            if scope.kind is ScopeKind.OWN:
                my_month = await self.metrics.metrics(
                    session,
                    workspace_id,
                    ClaimScope.of_owner(user_id),
                    self.metrics.window(Period.MONTH, now),
                )
        decisions = report = pipeline = None
        if scope.kind is not ScopeKind.OWN:
            decisions = await self.approvals.pending_for(
                workspace_id,
                user_id,
                offset=state.offset(HomeSection.DECISIONS),
                limit=DECISIONS_PAGE,
            )
            report = await self.metrics.report(workspace_id, scope, state.period)
            pipeline = await AnalyticsService(self.metrics).analytics(
                workspace_id, scope, state.period
            )
        return HomeModel(
            user_id=user_id,
            role=member.role,
            scope=scope,
            state=state,
            now=now,
            mine=mine,
            pending=Page(tuple(pending), pending_total),
            todo=Page(tuple(todo[:TODO_SHOWN]), len(todo)),
            my_month=my_month,
            decisions=decisions,
            attention=attention,
            report=report,
            pipeline=pipeline,
        )

    async def _todo(
        self, session: AsyncSession, workspace_id: str, user_id: str, now: datetime
    ) -> list[TodoItem]:
        """Everything the person's own claims ask them to do now, soonest due first."""
        rule = self.rules.followups
        claims = await store.todo_candidates(
            session,
            workspace_id,
            user_id,
            today=now.astimezone(self.rules.zone).date(),
            timed_stages=list(rule.stage_timers),
            unfollowed_decisions=FIRST_CONTACT_DECISIONS if rule.first_contact_hours else (),
            limit=TODO_READ,
        )
        followed = await lifecycle_store.followed_up(session, [c.claim_id for c in claims])
        return todo_items(claims, self.rules, now, followed=followed)

    async def _lines(
        self,
        session: AsyncSession,
        workspace_id: str,
        scope: ClaimScope,
        now: datetime,
        *,
        offset: int,
        size: int,
        needing_attention: bool = False,
    ) -> Page[ClaimLine]:
        """One page of active claims, the soonest reclaimed first."""
        idle_before = protection_before = None
        if needing_attention:
            idle_before, protection_before = attention_cutoffs(self.rules, now)
        candidates, total = await store.active_claims(
            session,
            workspace_id,
            scope,
            first=offset + size,
            idle_before=idle_before,
            protection_before=protection_before,
        )
        if offset >= total > 0:
            # The list shrank under a page the person had open: show its last page instead.
            offset = max(0, (total - 1) // size * size)
        followed = await store.last_followups(
            session, workspace_id, [c.claim_id for c in candidates]
        )
        lines = sorted(
            (ClaimLine.of(c, self.rules, now, followed.get(c.claim_id)) for c in candidates),
            key=lambda line: (line.reclaim_at, line.claim_id),
        )
        return Page(tuple(lines[offset : offset + size]), total, offset, size)


def attention_cutoffs(rules: Rules, now: datetime) -> tuple[datetime, datetime]:
    """(idle since at most, protection ending by): a claim idle since the first is overdue or
    inside its idle reclaim's warning window; one protected until the second is inside the
    protection reclaim's warning window."""
    variants = rules.protection_variants()
    warning = timedelta(days=max(p.reclaim_warning_days for p in variants))
    idle_days = min(
        min(p.followup_overdue_days, p.reclaim_idle_days - p.reclaim_warning_days) for p in variants
    )
    return now - timedelta(days=idle_days), now + warning
