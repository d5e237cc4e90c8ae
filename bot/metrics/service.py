"""Reports: the metrics of a scope and period, with a breakdown (per rep for a manager's teams,
per team for an admin), the source channels and a weekly trend, each counted by the store."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.directory import Directory, Member
from bot.metrics.definitions import ChannelRow, Metrics, Ratio, TrendWeek
from bot.metrics.periods import Period, Window, trend_weeks, week_label, window
from bot.rules import Rules
from store import directory as directory_store
from store import metrics as store
from store.access import ClaimScope
from store.db import Database
from store.metrics import GroupKey
from store.models import Role


class ScopeKind(StrEnum):
    """Whose numbers: one's own, one's teams', everyone's."""

    OWN = "own"
    TEAMS = "teams"
    ALL = "all"


@dataclass(frozen=True, slots=True)
class Scope:
    """The claims a person's dashboard counts: a rep's own, a manager's teams', an admin's all."""

    kind: ScopeKind
    user_id: str
    team_ids: tuple[int, ...] = ()
    team_names: tuple[str, ...] = ()

    @classmethod
    def of(cls, member: Member) -> Scope:
        """A person's scope by their role (a manager of no team sees their own claims)."""
        if member.is_admin:
            return cls(ScopeKind.ALL, member.user_id)
        managed = [m for m in member.teams if m.is_manager]
        if member.role is Role.MANAGER and managed:
            return cls(
                ScopeKind.TEAMS,
                member.user_id,
                team_ids=tuple(m.team_id for m in managed),
                team_names=tuple(m.team_name for m in managed),
            )
        return cls(ScopeKind.OWN, member.user_id)

    @property
    def claims(self) -> ClaimScope:
        """The scope as the store filters claims."""
        if self.kind is ScopeKind.OWN:
            return ClaimScope.of_owner(self.user_id)
        if self.kind is ScopeKind.TEAMS:
            return ClaimScope.of_teams(self.team_ids)
        return ClaimScope.everyone()

    @property
    def breakdown(self) -> store.Grouping | None:
        """How the report breaks the scope down: per rep for teams, per team for everyone."""
        return {ScopeKind.OWN: None, ScopeKind.TEAMS: "owner", ScopeKind.ALL: "team"}[self.kind]


@dataclass(frozen=True, slots=True)
class Row:
    """One line of a breakdown: a rep (user id) or a team (id and name; None: no team)."""

    key: GroupKey
    metrics: Metrics
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Report:
    """The numbers of one scope and period."""

    scope: Scope
    period: Period
    window: Window
    totals: Metrics
    rows: tuple[Row, ...] = ()
    channels: tuple[ChannelRow, ...] = ()
    trend: tuple[TrendWeek, ...] = ()


def later_stages(rules: Rules) -> list[str]:
    """The stages that count as "reached a later stage": every stage after the first but lost."""
    return [s.key for s in rules.stages[1:] if s.outcome != "lost"]


@dataclass
class MetricsService:
    """Counts the dashboard's numbers for a person's scope."""

    db: Database
    rules: Rules
    clock: Clock
    directory: Directory
    _stages: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self._stages = later_stages(self.rules)

    @property
    def later_stages(self) -> list[str]:
        """The stages that count as "reached a later stage" (see :func:`later_stages`)."""
        return self._stages

    async def scope_for(self, workspace_id: str, user_id: str) -> Scope:
        """Whose claims ``user_id`` sees counted."""
        await self.directory.ensure_seeded(workspace_id)
        async with self.db.session() as session:
            member = await self.directory.member(session, workspace_id, user_id)
        return Scope.of(member)

    def window(self, period: Period, now: datetime | None = None) -> Window:
        """The period's window now, in the workspace time zone."""
        return window(period, now or self.clock.now(), self.rules.zone)

    async def report(
        self,
        workspace_id: str,
        scope: Scope,
        period: Period,
        *,
        breakdown: bool = True,
        channels: bool = True,
        trend: bool = False,
        at: datetime | None = None,
    ) -> Report:
        """The scope's metrics for the period, with what else is asked for; ``at`` picks the
        period containing that moment (default now), e.g. last week for a weekly summary."""
        now = at or self.clock.now()
        span = self.window(period, now)
        async with self.db.session() as session:
            await store.analytic(session)
            rows: tuple[Row, ...] = ()
            if breakdown and scope.breakdown in ("owner", "team"):
                rows, totals = await self._rows(session, workspace_id, scope, span)
            else:
                totals = await self.metrics(session, workspace_id, scope.claims, span)
            channel_rows: tuple[ChannelRow, ...] = ()
            if channels:
                channel_rows = await self._channels(session, workspace_id, scope, span, totals)
            weeks: tuple[TrendWeek, ...] = ()
            if trend:
                weeks = await self._trend(session, workspace_id, scope, now)
        return Report(scope, period, span, totals, rows, channel_rows, weeks)

    async def metrics(
        self, session: AsyncSession, workspace_id: str, scope: ClaimScope, span: Window
    ) -> Metrics:
        """Every metric of one scope and window, as totals."""
        start, end = span.start, span.end
        counts = await store.claim_counts(
            session, workspace_id, scope, start, end, later_stages=self._stages
        )
        p90 = await store.approval_p90_by(session, workspace_id, scope, start, end)
        return Metrics.of(
            counts,
            p90=p90.get(None),
            collisions=await store.collision_count(session, workspace_id, scope, start, end),
            coverage=await store.followup_coverage(session, workspace_id, scope, start, end),
        )

    async def _rows(
        self, session: AsyncSession, workspace_id: str, scope: Scope, span: Window
    ) -> tuple[tuple[Row, ...], Metrics]:
        """The breakdown, and the scope's totals: the claim counts and the follow-up coverage of
        the groups add up to the scope's (each claim has one owner and one team), so they are
        counted once; a collision may count for two teams and a percentile does not add up, so
        those are asked for the whole scope as well."""
        by: Literal["owner", "team"] = "owner" if scope.kind is ScopeKind.TEAMS else "team"
        claims, start, end = scope.claims, span.start, span.end
        counts = await store.claim_counts_by(
            session, workspace_id, claims, start, end, later_stages=self._stages, by=by
        )
        p90 = await store.approval_p90_by(session, workspace_id, claims, start, end, by=by)
        collisions = await store.collision_counts_by(
            session, workspace_id, claims, start, end, by=by
        )
        coverage = await store.followup_coverage_by(
            session, workspace_id, claims, start, end, by=by
        )
        names: dict[GroupKey, str | None] = {}
        if by == "owner":
            # Every member of the teams has a line, idle or not: an idle rep is news too.
            for team_id in scope.team_ids:
                for user in await directory_store.team_people(
                    session, workspace_id, team_id, managers=False
                ):
                    names[user] = None
        else:
            for team in await directory_store.teams(session, workspace_id):
                names[team.id] = team.name
        keys = _keys(names, counts, collisions, coverage)
        rows = [
            Row(
                key=key,
                name=names.get(key),
                metrics=Metrics.of(
                    counts.get(key, store.ClaimCounts()),
                    p90=p90.get(key),
                    collisions=collisions.get(key, 0),
                    coverage=coverage.get(key, store.Coverage()),
                ),
            )
            for key in keys
        ]
        rows.sort(key=lambda r: (-r.metrics.filed, -r.metrics.protected, r.key is None, str(r.key)))
        totals = Metrics.of(
            sum(counts.values(), store.ClaimCounts()),
            p90=(await store.approval_p90_by(session, workspace_id, claims, start, end)).get(None),
            collisions=await store.collision_count(session, workspace_id, claims, start, end),
            coverage=sum(coverage.values(), store.Coverage()),
        )
        return tuple(rows), totals

    async def _channels(
        self,
        session: AsyncSession,
        workspace_id: str,
        scope: Scope,
        span: Window,
        totals: Metrics,
    ) -> tuple[ChannelRow, ...]:
        counts = await store.claim_counts_by(
            session,
            workspace_id,
            scope.claims,
            span.start,
            span.end,
            later_stages=self._stages,
            by="channel",
        )
        rows = [
            ChannelRow(
                channel=None if key is None else str(key),
                filed=c.filed,
                approved=c.approved,
                converted=c.advanced,
                share=Ratio(c.filed, totals.filed),
            )
            for key, c in counts.items()
        ]
        rows.sort(key=lambda r: (-r.filed, r.channel is None, r.channel or ""))
        return tuple(rows)

    async def _trend(
        self, session: AsyncSession, workspace_id: str, scope: Scope, now: datetime
    ) -> tuple[TrendWeek, ...]:
        weeks = trend_weeks(now, self.rules.zone)
        edges = [w.start for w in weeks] + [weeks[-1].end]
        counts = await store.weekly_counts(session, workspace_id, scope.claims, edges)
        return tuple(
            TrendWeek(week_label(w, self.rules.zone), c.filed, c.approved)
            for w, c in zip(weeks, counts, strict=True)
        )


def _keys(names: dict[GroupKey, str | None], *found: Iterable[GroupKey]) -> Sequence[GroupKey]:
    keys = dict.fromkeys(names)
    for group in found:
        keys.update(dict.fromkeys(group))
    return list(keys)
