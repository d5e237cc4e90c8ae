"""Analytics beyond the dashboard's numbers (``/claim stats funnel``, ``/claim stats by …``, the
App Home's pipeline line) — what each figure means, edge cases included.

The scope and the period are the dashboard's (see :mod:`bot.metrics.definitions`): a rep's own
claims, a manager's teams', everyone's for an admin (:class:`store.access.ClaimScope`), over a
window ``[start, end)`` in the workspace time zone. The *cohort* of a period is the claims filed
in it (imports and transfers are not filings), as for lead conversion.

**Stage funnel** (阶段转化): the configured stages in order, the lost stage left out. Of the
cohort's approved claims, *reached* a stage = those whose furthest stage is that one or a later
one; a claim's furthest stage is the latest of its current stage, its follow-ups' stages and, when
won, the won stage, and every approved claim is at least at the first stage. The conversion from a
stage to the next = reached(next) / reached(stage); "—" when nobody reached the stage. A lost
claim counts up to the furthest stage it reached before it was lost.

**Sales cycle** (销售周期): filing → won (``ended_at − submitted_at``) of the filed claims won in
the period (by the day they were won, not filed: "the deals we won this month took …"); average,
median and 90th percentile (``percentile_cont``, linear interpolation between ranks); "—" when
nothing was won.

**Value** (金额): the sums of the estimated deal sizes of the cohort: *filed* (every claim filed),
*approved* (of those, the approved ones), *won* (of those, the ones won since). A claim without a
deal size adds nothing.

**Win rate per source channel** (渠道赢单率): per channel, of the cohort's approved claims, the share
won since; "—" with nothing approved.

**Rep ranking** (销售排行): per rep of the scope (a manager's team members, every owner for an
admin), the cohort's claims won, the won value, approved, and conversion = advanced / approved (as
on the dashboard); ranked by won, then won value, then conversion.

**By region, by a profile field** (按区域、按行业): the cohort counted per region of the claim, or per
option of a select field of the customer profile (``form.profile``; a multi-select is not a
grouping, a claim would count in several rows), "not given" included: filed, approved, won, win
rate, won value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from bot.metrics.definitions import Ratio
from bot.metrics.periods import Period, Window
from bot.metrics.service import MetricsService, Scope, ScopeKind
from bot.rules import Rules
from store import analytics as store
from store import metrics as counts_store
from store.metrics import ByProfile, ClaimCounts, Grouping, GroupKey


@dataclass(frozen=True, slots=True)
class FunnelStep:
    """One stage of the funnel: how many reached it, and the conversion to the next stage."""

    stage: str
    reached: int
    to_next: Ratio | None  # None for the last stage


@dataclass(frozen=True, slots=True)
class GroupRow:
    """One group of the cohort (a region, a profile option, a channel, a rep; ``None``: not
    given)."""

    key: GroupKey
    counts: ClaimCounts

    @property
    def win_rate(self) -> Ratio:
        return Ratio(self.counts.won, self.counts.approved)

    @property
    def conversion(self) -> Ratio:
        return Ratio(self.counts.advanced, self.counts.approved)


@dataclass(frozen=True, slots=True)
class Analytics:
    """The analytics of one scope and period (see the module docstring)."""

    scope: Scope
    period: Period
    window: Window
    totals: ClaimCounts
    funnel: tuple[FunnelStep, ...] = ()
    cycle: store.Cycle = field(default_factory=store.Cycle)
    channels: tuple[GroupRow, ...] = ()
    reps: tuple[GroupRow, ...] = ()

    @property
    def value(self) -> tuple[Decimal, Decimal, Decimal]:
        """Filed, approved and won value."""
        t = self.totals
        return t.filed_value, t.approved_value, t.won_value


__all__ = ["Analytics", "AnalyticsService", "ByProfile", "FunnelStep", "GroupRow", "Grouping"]


def funnel_stages(rules: Rules) -> list[str]:
    """The funnel's stages: every configured stage in order but the lost one."""
    return [s.key for s in rules.stages if s.outcome != "lost"]


def won_stage(rules: Rules) -> str:
    """The stage whose outcome is won (the rules make sure there is one)."""
    return next(s.key for s in rules.stages if s.outcome == "won")


@dataclass
class AnalyticsService:
    """Counts the analytics of a person's scope; the scope and windows are the dashboard's."""

    metrics: MetricsService

    @property
    def rules(self) -> Rules:
        return self.metrics.rules

    async def analytics(self, workspace_id: str, scope: Scope, period: Period) -> Analytics:
        """The funnel, the sales cycle, the value, win rate per channel and the rep ranking."""
        span = self.metrics.window(period)
        claims, start, end = scope.claims, span.start, span.end
        async with self.metrics.db.session() as session:
            await counts_store.analytic(session)
            later = self.metrics.later_stages
            totals = await counts_store.claim_counts(
                session, workspace_id, claims, start, end, later_stages=later
            )
            stages = funnel_stages(self.rules)
            steps = await store.stage_funnel(
                session,
                workspace_id,
                claims,
                start,
                end,
                stages=stages,
                won_stage=won_stage(self.rules),
            )
            cycle = await store.sales_cycle(session, workspace_id, claims, start, end)
            channels = await self._rows(session, workspace_id, scope, span, "channel")
            reps: tuple[GroupRow, ...] = ()
            if scope.kind is not ScopeKind.OWN:
                reps = await self._rows(session, workspace_id, scope, span, "owner")
        funnel = tuple(
            FunnelStep(
                stage=stages[step.rank],
                reached=step.reached,
                to_next=Ratio(steps[i + 1].reached, step.reached) if i + 1 < len(steps) else None,
            )
            for i, step in enumerate(steps)
        )
        ranking = sorted(
            reps,
            key=lambda r: (-r.counts.won, -r.counts.won_value, -(r.conversion.value or 0)),
        )
        return Analytics(scope, period, span, totals, funnel, cycle, channels, tuple(ranking))

    async def grouped(
        self, workspace_id: str, scope: Scope, period: Period, by: Grouping | ByProfile
    ) -> tuple[Window, tuple[GroupRow, ...]]:
        """The cohort per region, channel or profile select field, the biggest group first."""
        span = self.metrics.window(period)
        async with self.metrics.db.session() as session:
            await counts_store.analytic(session)
            rows = await self._rows(session, workspace_id, scope, span, by)
        return span, rows

    async def _rows(
        self,
        session: AsyncSession,
        workspace_id: str,
        scope: Scope,
        span: Window,
        by: Grouping | ByProfile,
    ) -> tuple[GroupRow, ...]:
        counts = await counts_store.claim_counts_by(
            session,
            workspace_id,
            scope.claims,
            span.start,
            span.end,
            later_stages=self.metrics.later_stages,
            by=by,
        )
        rows = [GroupRow(key, c) for key, c in counts.items()]
        rows.sort(key=lambda r: (-r.counts.filed, r.key is None, str(r.key)))
        return tuple(rows)
