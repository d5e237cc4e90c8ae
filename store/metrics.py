"""The dashboard's numbers, counted by the database: GROUP BY, COUNT, conditional sums and the
90th percentile, never by loading rows into Python.

The definitions (what counts as filed, approved, advanced, protected …) are written down in
:mod:`bot.metrics.definitions`; this module is their SQL. Every function takes a half-open window
``[start, end)`` of UTC datetimes and a :class:`ClaimScope`, and either answers one total or one
row per group (``"owner"``, ``"team"``, ``"channel"``).

Durations are seconds as floats: ``EXTRACT(EPOCH …)`` on PostgreSQL, ``julianday`` differences on
SQLite (which stores times as fixed-width text and has no interval type). The percentile is
PostgreSQL's ``percentile_cont``; SQLite has none, so the same linear interpolation between the two
nearest ranks is done with window functions (``ROW_NUMBER``/``COUNT`` over the group), still in the
database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from itertools import pairwise
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Integer,
    and_,
    case,
    cast,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession

from store.access import ClaimScope, team_members, within
from store.models import Claim, ClaimStatus, Collision, Decision, FollowUp, TeamMember, Via

NOT_FILED = [v.value for v in Via.not_filed()]
APPROVED = [d.value for d in Decision.approving()]
REJECTED = Decision.REJECTED.value
PERCENTILE = 0.9
CENT = Decimal("0.01")

Grouping = Literal["owner", "team", "channel", "region"]
GroupKey = str | int | None


@dataclass(frozen=True, slots=True)
class ClaimCounts:
    """Claims filed in a window and what became of them (see bot.metrics.definitions).

    Counts of disjoint groups add up (``+``) to the counts of their union: a scope's totals are the
    sum of its breakdown's rows, so the breakdown's query answers both.
    """

    filed: int = 0
    approved: int = 0
    auto_approved: int = 0
    rejected: int = 0
    pending: int = 0
    decided: int = 0
    approval_seconds: float = 0.0  # the sum over the decided claims
    advanced: int = 0
    won: int = 0
    # Sums of the estimated deal sizes (claims without one add nothing).
    filed_value: Decimal = Decimal(0)
    approved_value: Decimal = Decimal(0)
    won_value: Decimal = Decimal(0)

    @property
    def avg_approval_seconds(self) -> float | None:
        return None if not self.decided else round(self.approval_seconds / self.decided, 3)

    def __add__(self, other: ClaimCounts) -> ClaimCounts:
        return ClaimCounts(
            *(getattr(self, f) + getattr(other, f) for f in self.__dataclass_fields__)
        )


@dataclass(frozen=True, slots=True)
class Coverage:
    """Claims under protection during a window, and how many of them saw a follow-up in it."""

    protected: int = 0
    followed_up: int = 0

    def __add__(self, other: Coverage) -> Coverage:
        return Coverage(self.protected + other.protected, self.followed_up + other.followed_up)


@dataclass(frozen=True, slots=True)
class WeekCounts:
    """Claims filed in one week of a trend, and how many of them were approved."""

    filed: int
    approved: int


# -- shared expressions --------------------------------------------------------------------------


def filed_in(workspace_id: str, start: datetime, end: datetime) -> list[ColumnElement[bool]]:
    """Claims filed (not imported, not transferred) in ``[start, end)``."""
    return [
        Claim.workspace_id == workspace_id,
        # Every status, spelt out, so that the (workspace_id, status, submitted_at) index serves
        # the range on submitted_at.
        Claim.status.in_([s.value for s in ClaimStatus]),
        Claim.submitted_at >= start,
        Claim.submitted_at < end,
        Claim.via.not_in(NOT_FILED),
    ]


def dialect(session: AsyncSession) -> str:
    """The database's dialect name (``sqlite``, ``postgresql``)."""
    return session.get_bind().dialect.name


async def analytic(session: AsyncSession) -> None:
    """Prepare the transaction for this module's queries. On PostgreSQL, JIT compilation (on by
    default for costly plans) takes longer than these sub-second aggregates run: it is turned
    off for the transaction."""
    if dialect(session) == "postgresql":
        await session.execute(text("SET LOCAL jit = off"))


def approval_seconds(session: AsyncSession) -> ColumnElement[Any]:
    """Filed → decided, in seconds (auto-approved claims are decided at filing: 0)."""
    if dialect(session) == "postgresql":
        return func.extract("epoch", Claim.decided_at - Claim.submitted_at)
    return (func.julianday(Claim.decided_at) - func.julianday(Claim.submitted_at)) * 86400.0


@dataclass(frozen=True, slots=True)
class ByProfile:
    """A grouping by a select field of the customer profile (``None``: not given)."""

    key: str


def _group_column(by: Grouping | ByProfile, session: AsyncSession) -> ColumnElement[Any]:
    if isinstance(by, ByProfile):
        return profile_value(session, by.key)
    columns: dict[str, ColumnElement[Any]] = {
        "owner": Claim.owner_id.expression,
        "team": Claim.team_id.expression,
        "channel": Claim.source_channel.expression,
        "region": Claim.region.expression,
    }
    return columns[by]


def profile_value(session: AsyncSession, key: str) -> ColumnElement[Any]:
    """A claim's profile field as text (a select's option key): ``->>`` on PostgreSQL's JSONB,
    ``json_extract`` on SQLite."""
    if dialect(session) == "postgresql":
        return Claim.profile.op("->>")(literal(key))
    return func.json_extract(Claim.profile, literal(f"$.{key}"))


def _int(value: Any) -> int:
    return int(value or 0)


# -- claims filed --------------------------------------------------------------------------------


def _counts_columns(session: AsyncSession, later_stages: Sequence[str]) -> list[ColumnElement[Any]]:
    approved = Claim.decision.in_(APPROVED)
    decided = or_(approved, Claim.decision == REJECTED)
    reached_later = or_(
        Claim.status == ClaimStatus.WON.value,
        Claim.stage.in_(list(later_stages)),
        exists().where(FollowUp.claim_id == Claim.id, FollowUp.stage.in_(list(later_stages))),
    )

    def count_if(condition: ColumnElement[bool]) -> ColumnElement[Any]:
        return func.sum(case((condition, 1), else_=0))

    return [
        func.count(Claim.id),
        count_if(approved),
        count_if(Claim.decision == Decision.AUTO.value),
        count_if(Claim.decision == REJECTED),
        count_if(Claim.status == ClaimStatus.PENDING.value),
        count_if(decided),
        func.sum(case((decided, approval_seconds(session)), else_=0.0)),
        count_if(and_(approved, reached_later)),
        count_if(and_(approved, Claim.status == ClaimStatus.WON.value)),
        func.sum(func.coalesce(Claim.deal_size, 0)),
        func.sum(case((approved, func.coalesce(Claim.deal_size, 0)), else_=0)),
        func.sum(
            case((and_(approved, Claim.status == ClaimStatus.WON.value), Claim.deal_size), else_=0)
        ),
    ]


def _counts(row: Sequence[Any]) -> ClaimCounts:
    return ClaimCounts(
        filed=_int(row[0]),
        approved=_int(row[1]),
        auto_approved=_int(row[2]),
        rejected=_int(row[3]),
        pending=_int(row[4]),
        decided=_int(row[5]),
        approval_seconds=float(row[6] or 0),
        advanced=_int(row[7]),
        won=_int(row[8]),
        filed_value=_money(row[9]),
        approved_value=_money(row[10]),
        won_value=_money(row[11]),
    )


def _money(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


async def claim_counts(
    session: AsyncSession,
    workspace_id: str,
    scope: ClaimScope,
    start: datetime,
    end: datetime,
    *,
    later_stages: Sequence[str],
) -> ClaimCounts:
    """Claims the scope filed in ``[start, end)`` and what became of them, in one row."""
    row = (
        await session.execute(
            select(*_counts_columns(session, later_stages)).where(
                *filed_in(workspace_id, start, end), *within(scope)
            )
        )
    ).one()
    return _counts(row)


async def claim_counts_by(
    session: AsyncSession,
    workspace_id: str,
    scope: ClaimScope,
    start: datetime,
    end: datetime,
    *,
    later_stages: Sequence[str],
    by: Grouping | ByProfile,
) -> dict[GroupKey, ClaimCounts]:
    """:func:`claim_counts` per owner, team (``None``: filed without one), source channel, region
    or profile select field (``None``: not given)."""
    group = _group_column(by, session)
    rows = await session.execute(
        select(group, *_counts_columns(session, later_stages))
        .where(*filed_in(workspace_id, start, end), *within(scope))
        .group_by(group)
    )
    return {row[0]: _counts(row[1:]) for row in rows}


# -- the 90th percentile of approval time --------------------------------------------------------


async def approval_p90_by(
    session: AsyncSession,
    workspace_id: str,
    scope: ClaimScope,
    start: datetime,
    end: datetime,
    *,
    by: Grouping | None = None,
) -> dict[GroupKey, float]:
    """The 90th percentile of filed → decided (seconds) over the decided claims filed in the
    window, per group (``by=None``: one value under the key ``None``). Groups without a decided
    claim are absent.

    Linear interpolation between the closest ranks, as ``percentile_cont``: of ``n`` sorted
    durations ``d[0..n-1]``, the value at position ``h = 0.9 (n - 1)`` is
    ``d[⌊h⌋] + (h - ⌊h⌋)(d[⌊h⌋+1] - d[⌊h⌋])``.
    """
    seconds = approval_seconds(session)
    group = _group_column(by, session) if by is not None else literal(None)
    where = [
        *filed_in(workspace_id, start, end),
        *within(scope),
        Claim.decision.in_((*APPROVED, REJECTED)),
        Claim.decided_at.is_not(None),
    ]
    if dialect(session) == "postgresql":
        statement = select(
            group, func.percentile_cont(PERCENTILE).within_group(seconds.asc())
        ).where(*where)
        if by is not None:
            statement = statement.group_by(group)
        rows = (await session.execute(statement)).all()
    else:
        rows = (await session.execute(sqlite_percentile(group, seconds, where, by))).all()
    return {row[0]: float(row[1]) for row in rows if row[1] is not None}


def sqlite_percentile(
    group: ColumnElement[Any],
    seconds: ColumnElement[Any],
    where: list[ColumnElement[bool]],
    by: Grouping | None,
    fraction: float = PERCENTILE,
) -> Any:
    """``percentile_cont(fraction)`` of ``seconds`` per ``group`` where ``percentile_cont`` is
    missing (SQLite): rows ``(group, value)``."""
    partition = group if by is not None else None
    ranked = (
        select(
            group.label("g"),
            seconds.label("d"),
            func.row_number().over(partition_by=partition, order_by=seconds).label("rn"),
            func.count().over(partition_by=partition).label("n"),
        )
        .where(*where)
        .subquery()
    )
    position = fraction * (ranked.c.n - 1)
    floor = cast(position, Integer)  # positions are never negative: CAST truncates = floor
    bracket = (
        select(
            ranked.c.g,
            func.max(case((ranked.c.rn == floor + 1, ranked.c.d))).label("lo"),
            func.max(case((ranked.c.rn == floor + 2, ranked.c.d))).label("hi"),
            func.max(position - floor).label("frac"),
        )
        .group_by(ranked.c.g)
        .subquery()
    )
    return select(
        bracket.c.g,
        bracket.c.lo + bracket.c.frac * (func.coalesce(bracket.c.hi, bracket.c.lo) - bracket.c.lo),
    )


# -- collisions ----------------------------------------------------------------------------------


def _collisions_in(workspace_id: str, start: datetime, end: datetime) -> list[ColumnElement[bool]]:
    return [
        Collision.workspace_id == workspace_id,
        Collision.created_at >= start,
        Collision.created_at < end,
    ]


def _collision_scope(scope: ClaimScope) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if scope.owner_id is not None:
        where.append(Collision.challenger_id == scope.owner_id)
    if scope.team_ids is not None:
        if not scope.team_ids:
            where.append(false())
        else:
            where.append(Collision.challenger_id.in_(team_members(scope.team_ids)))
    return where


async def collision_count(
    session: AsyncSession, workspace_id: str, scope: ClaimScope, start: datetime, end: datetime
) -> int:
    """Collisions (撞单) in the window whose challenger is in the scope (a team's: one of its
    members now)."""
    count = await session.scalar(
        select(func.count(Collision.id)).where(
            *_collisions_in(workspace_id, start, end), *_collision_scope(scope)
        )
    )
    return _int(count)


async def collision_counts_by(
    session: AsyncSession,
    workspace_id: str,
    scope: ClaimScope,
    start: datetime,
    end: datetime,
    *,
    by: Literal["owner", "team"],
) -> dict[GroupKey, int]:
    """:func:`collision_count` per challenger, or per team the challenger is a member of
    (``None``: of no team; a member of two teams counts in both)."""
    where = [*_collisions_in(workspace_id, start, end), *_collision_scope(scope)]
    statement: Any
    if by == "owner":
        statement = (
            select(Collision.challenger_id, func.count(Collision.id))
            .where(*where)
            .group_by(Collision.challenger_id)
        )
    else:
        statement = (
            select(TeamMember.team_id, func.count(Collision.id))
            .select_from(Collision)
            .outerjoin(
                TeamMember,
                and_(
                    TeamMember.user_id == Collision.challenger_id,
                    TeamMember.workspace_id == Collision.workspace_id,
                    TeamMember.is_manager == false(),
                ),
            )
            .where(*where)
            .group_by(TeamMember.team_id)
        )
    return {row[0]: _int(row[1]) for row in await session.execute(statement)}


# -- follow-ups within protection ----------------------------------------------------------------


def _protected_during(
    workspace_id: str, start: datetime, end: datetime
) -> list[ColumnElement[bool]]:
    return [
        Claim.workspace_id == workspace_id,
        Claim.decided_at.is_not(None),
        Claim.decided_at < end,
        or_(Claim.decision.is_(None), Claim.decision != REJECTED),
        Claim.status != ClaimStatus.PENDING.value,
        or_(Claim.ended_at.is_(None), Claim.ended_at >= start),
    ]


def _followed_up(start: datetime, end: datetime) -> ColumnElement[bool]:
    return exists().where(
        FollowUp.claim_id == Claim.id,
        FollowUp.happened_at >= start,
        FollowUp.happened_at < end,
        FollowUp.happened_at >= Claim.decided_at,
    )


def _coverage_columns(start: datetime, end: datetime) -> list[ColumnElement[Any]]:
    return [func.count(Claim.id), func.sum(case((_followed_up(start, end), 1), else_=0))]


async def followup_coverage(
    session: AsyncSession, workspace_id: str, scope: ClaimScope, start: datetime, end: datetime
) -> Coverage:
    """Claims protected at some moment of the window, and those with a follow-up in it."""
    row = (
        await session.execute(
            select(*_coverage_columns(start, end)).where(
                *_protected_during(workspace_id, start, end), *within(scope)
            )
        )
    ).one()
    return Coverage(protected=_int(row[0]), followed_up=_int(row[1]))


async def followup_coverage_by(
    session: AsyncSession,
    workspace_id: str,
    scope: ClaimScope,
    start: datetime,
    end: datetime,
    *,
    by: Literal["owner", "team"],
) -> dict[GroupKey, Coverage]:
    """:func:`followup_coverage` per owner or team."""
    group = _group_column(by, session)
    rows = await session.execute(
        select(group, *_coverage_columns(start, end))
        .where(*_protected_during(workspace_id, start, end), *within(scope))
        .group_by(group)
    )
    return {row[0]: Coverage(protected=_int(row[1]), followed_up=_int(row[2])) for row in rows}


# -- the weekly trend ----------------------------------------------------------------------------


async def weekly_counts(
    session: AsyncSession,
    workspace_id: str,
    scope: ClaimScope,
    edges: Sequence[datetime],
) -> list[WeekCounts]:
    """Claims filed and approved in each window ``[edges[i], edges[i+1])``: one row, two
    conditional sums per window."""
    if len(edges) < 2:
        return []
    approved = Claim.decision.in_(APPROVED)
    columns: list[ColumnElement[Any]] = []
    for lo, hi in pairwise(edges):
        inside = and_(Claim.submitted_at >= lo, Claim.submitted_at < hi)
        columns.append(func.sum(case((inside, 1), else_=0)))
        columns.append(func.sum(case((and_(inside, approved), 1), else_=0)))
    row = (
        await session.execute(
            select(*columns).where(*filed_in(workspace_id, edges[0], edges[-1]), *within(scope))
        )
    ).one()
    return [WeekCounts(_int(row[i]), _int(row[i + 1])) for i in range(0, len(columns), 2)]
