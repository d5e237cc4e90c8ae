"""The analytics beyond the dashboard's numbers, counted by the database: the stage funnel, the
sales cycle (average, median, 90th percentile), deal values, and claim counts grouped by region or
by a customer profile field.

The definitions are written down in :mod:`bot.metrics.analytics`; this module is their SQL. Every
function takes a half-open window ``[start, end)`` of UTC datetimes and a :class:`ClaimScope`.

Percentiles are PostgreSQL's ``percentile_cont``; SQLite has none, so the same interpolation
between the two closest ranks is done there with window functions (see
:func:`store.metrics.sqlite_percentile`), still in the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from store.access import ClaimScope, within
from store.metrics import APPROVED, NOT_FILED, dialect, filed_in, sqlite_percentile
from store.models import Claim, ClaimStatus, FollowUp

MEDIAN = 0.5
PERCENTILE = 0.9


@dataclass(frozen=True, slots=True)
class StageCount:
    """Approved claims whose furthest stage is ``rank`` (an index into the funnel's stages), and
    how many reached it or a later one."""

    rank: int
    furthest: int
    reached: int


@dataclass(frozen=True, slots=True)
class Cycle:
    """Filing → won, in seconds, over the claims won in a window."""

    won: int = 0
    average: float | None = None
    median: float | None = None
    p90: float | None = None


def _stage_rank(column: ColumnElement[Any], stages: Sequence[str]) -> ColumnElement[Any]:
    """A stage key's position in the funnel; ``None`` for a stage outside it (lost, unknown)."""
    if not stages:
        return literal(None)
    return case({key: rank for rank, key in enumerate(stages)}, value=column, else_=None)


async def stage_funnel(
    session: AsyncSession,
    workspace_id: str,
    scope: ClaimScope,
    start: datetime,
    end: datetime,
    *,
    stages: Sequence[str],
    won_stage: str,
) -> list[StageCount]:
    """Of the approved claims filed in the window: per funnel stage, how many got no further and
    how many reached it or later. A claim's furthest stage is the latest of its current stage, its
    follow-ups' stages and, when won, the won stage; every approved claim is at least at the first.
    """
    cohort = [*filed_in(workspace_id, start, end), *within(scope), Claim.decision.in_(APPROVED)]
    won_rank = list(stages).index(won_stage)
    reached = union_all(
        select(Claim.id.label("claim_id"), literal(0).label("rank")).where(*cohort),
        select(Claim.id, _stage_rank(Claim.stage.expression, stages)).where(*cohort),
        select(FollowUp.claim_id, _stage_rank(FollowUp.stage.expression, stages))
        .join(Claim, Claim.id == FollowUp.claim_id)
        .where(*cohort),
        select(Claim.id, literal(won_rank)).where(*cohort, Claim.status == ClaimStatus.WON.value),
    ).subquery()
    furthest = (
        select(reached.c.claim_id, func.max(reached.c.rank).label("rank"))
        .group_by(reached.c.claim_id)
        .subquery()
    )
    counted = select(furthest.c.rank, func.count().label("n")).group_by(furthest.c.rank).subquery()
    rows = await session.execute(
        select(
            counted.c.rank,
            counted.c.n,
            func.sum(counted.c.n).over(order_by=counted.c.rank.desc()),
        ).order_by(counted.c.rank)
    )
    found = {int(r[0]): (int(r[1]), int(r[2])) for r in rows}
    counts: list[StageCount] = []
    later = 0
    for rank in reversed(range(len(stages))):
        furthest_n, reached_n = found.get(rank, (0, later))
        later = reached_n
        counts.append(StageCount(rank, furthest_n, reached_n))
    return counts[::-1]


def _cycle_seconds(session: AsyncSession) -> ColumnElement[Any]:
    if dialect(session) == "postgresql":
        return func.extract("epoch", Claim.ended_at - Claim.submitted_at)
    return (func.julianday(Claim.ended_at) - func.julianday(Claim.submitted_at)) * 86400.0


async def sales_cycle(
    session: AsyncSession, workspace_id: str, scope: ClaimScope, start: datetime, end: datetime
) -> Cycle:
    """Filing → won over the filed claims won in the window: count, average, median, p90."""
    seconds = _cycle_seconds(session)
    where = [
        Claim.workspace_id == workspace_id,
        Claim.status == ClaimStatus.WON.value,
        Claim.ended_at >= start,
        Claim.ended_at < end,
        Claim.via.not_in(NOT_FILED),
        *within(scope),
    ]
    count, average = (
        await session.execute(select(func.count(), func.avg(seconds)).where(*where))
    ).one()
    if not count:
        return Cycle()
    if dialect(session) == "postgresql":
        median, p90 = (
            await session.execute(
                select(
                    func.percentile_cont(MEDIAN).within_group(seconds.asc()),
                    func.percentile_cont(PERCENTILE).within_group(seconds.asc()),
                ).where(*where)
            )
        ).one()
    else:
        found = []
        for fraction in (MEDIAN, PERCENTILE):
            statement = sqlite_percentile(literal(None), seconds, where, None, fraction)
            found.append((await session.execute(statement)).one()[1])
        median, p90 = found
    return Cycle(int(count), float(average), float(median), float(p90))
