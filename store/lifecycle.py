"""A claim's life after filing: the sweep's queries, follow-ups, extensions and the public pool.

The sweep's finding queries are range scans on the claims indexes that lead with
``(workspace_id, status, …)``: ``last_activity_at`` for the idle clock, ``protection_until`` for
the protection period, ``submitted_at`` for approvals waiting too long. Each returns only the claims
whose threshold fell in the window asked for, so a pass costs what changed since the last one, not
what the table holds.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from store.dialect import insert
from store.models import (
    Claim,
    ClaimStatus,
    Customer,
    ExtensionRequest,
    FollowUp,
    OutboxMessage,
    SweepMark,
)

T = TypeVar("T", datetime, date)

EXTENSION_PENDING = "pending"
EXTENSION_APPROVED = "approved"
EXTENSION_REJECTED = "rejected"
EXTENSION_CANCELLED = "cancelled"  # the claim ended before anyone decided


@dataclass(frozen=True, slots=True)
class ClaimClock:
    """What the sweep needs of a claim: who, which customer, and its clocks."""

    claim_id: int
    owner_id: str
    team_id: int | None
    customer_id: int
    customer_name: str
    status: str
    submitted_at: datetime
    decided_at: datetime | None
    last_activity_at: datetime | None
    protection_until: datetime | None
    extensions_granted: int
    # What segments of the rules match on (bot/segments.py).
    region: str | None = None
    source_channel: str | None = None
    # What the follow-up reminders need (bot/lifecycle/reminders.py).
    decision: str | None = None
    stage: str | None = None
    stage_since: datetime | None = None
    next_step: str | None = None
    next_step_on: date | None = None
    # The customer profile fields filled in (segments may match on them).
    profile: dict[str, Any] | None = None

    @classmethod
    def of(cls, claim: Claim) -> ClaimClock:
        """The clocks of a claim row already loaded (the same columns the queries select)."""
        return cls(*(getattr(claim, column.key) for column in _CLOCK))


_CLOCK = (
    Claim.id,
    Claim.owner_id,
    Claim.team_id,
    Claim.customer_id,
    Claim.customer_name,
    Claim.status,
    Claim.submitted_at,
    Claim.decided_at,
    Claim.last_activity_at,
    Claim.protection_until,
    Claim.extensions_granted,
    Claim.region,
    Claim.source_channel,
    Claim.decision,
    Claim.stage,
    Claim.stage_since,
    Claim.next_step,
    Claim.next_step_on,
    Claim.profile,
)


def _clocks(rows: Sequence[tuple[object, ...]]) -> list[ClaimClock]:
    return [ClaimClock(*row) for row in rows]  # type: ignore[arg-type]


async def workspaces_with_claims(session: AsyncSession) -> list[str]:
    """Every workspace that has claims, by a skip scan of the claims index (one index probe per
    workspace rather than a pass over every claim)."""
    rows = await session.execute(
        text(
            "WITH RECURSIVE ws(id) AS ("
            " SELECT MIN(workspace_id) FROM claims"
            " UNION ALL"
            " SELECT (SELECT MIN(workspace_id) FROM claims WHERE workspace_id > ws.id)"
            " FROM ws WHERE ws.id IS NOT NULL"
            ") SELECT id FROM ws WHERE id IS NOT NULL"
        )
    )
    return [str(row[0]) for row in rows]


def _window(
    column: InstrumentedAttribute[T | None], after: T | None, until: T
) -> list[ColumnElement[bool]]:
    conditions = [column <= until]
    if after is not None:
        conditions.append(column > after)
    return conditions


async def _clocks_in_window(
    session: AsyncSession,
    workspace_id: str,
    status: ClaimStatus,
    column: InstrumentedAttribute[T | None],
    after: T | None,
    until: T,
) -> list[ClaimClock]:
    """The clocks of the workspace's claims in ``status`` whose ``column`` is in
    ``(after, until]`` (``after=None``: any time up to ``until``)."""
    rows = await session.execute(
        select(*_CLOCK).where(
            Claim.workspace_id == workspace_id,
            Claim.status == status.value,
            *_window(column, after, until),
        )
    )
    return _clocks(rows.all())


async def active_idle_between(
    session: AsyncSession, workspace_id: str, *, after: datetime | None, until: datetime
) -> list[ClaimClock]:
    """Active claims last active in ``(after, until]`` (``after=None``: any time up to ``until``)."""
    return await _clocks_in_window(
        session, workspace_id, ClaimStatus.ACTIVE, Claim.last_activity_at, after, until
    )


async def active_protected_between(
    session: AsyncSession, workspace_id: str, *, after: datetime | None, until: datetime
) -> list[ClaimClock]:
    """Active claims whose protection ends in ``(after, until]``."""
    return await _clocks_in_window(
        session, workspace_id, ClaimStatus.ACTIVE, Claim.protection_until, after, until
    )


async def pending_submitted_between(
    session: AsyncSession, workspace_id: str, *, after: datetime | None, until: datetime
) -> list[ClaimClock]:
    """Claims waiting for a decision that were filed in ``(after, until]``."""
    return await _clocks_in_window(
        session, workspace_id, ClaimStatus.PENDING, Claim.submitted_at, after, until
    )


async def active_next_steps_between(
    session: AsyncSession, workspace_id: str, *, after: date | None, until: date
) -> list[ClaimClock]:
    """Active claims whose next step is dated in ``(after, until]``."""
    return await _clocks_in_window(
        session, workspace_id, ClaimStatus.ACTIVE, Claim.next_step_on, after, until
    )


async def active_staged_between(
    session: AsyncSession, workspace_id: str, *, after: datetime | None, until: datetime
) -> list[ClaimClock]:
    """Active claims that entered their stage in ``(after, until]``."""
    return await _clocks_in_window(
        session, workspace_id, ClaimStatus.ACTIVE, Claim.stage_since, after, until
    )


async def active_unfollowed_between(
    session: AsyncSession,
    workspace_id: str,
    *,
    after: datetime | None,
    until: datetime,
    decisions: Collection[str],
) -> list[ClaimClock]:
    """Active claims decided (by one of ``decisions``) in ``(after, until]`` that have no
    follow-up yet."""
    followed = select(FollowUp.id).where(FollowUp.claim_id == Claim.id).exists()
    rows = await session.execute(
        select(*_CLOCK).where(
            Claim.workspace_id == workspace_id,
            Claim.status == ClaimStatus.ACTIVE.value,
            *_window(Claim.decided_at, after, until),
            Claim.decision.in_(list(decisions)),
            ~followed,
        )
    )
    return _clocks(rows.all())


async def followed_up(session: AsyncSession, claim_ids: Collection[int]) -> set[int]:
    """Which of ``claim_ids`` have at least one follow-up."""
    if not claim_ids:
        return set()
    rows = await session.scalars(
        select(FollowUp.claim_id).where(FollowUp.claim_id.in_(list(claim_ids))).distinct()
    )
    return set(rows)


async def lock_active(
    session: AsyncSession, workspace_id: str, claim_ids: Collection[int]
) -> list[ClaimClock]:
    """The claims among ``claim_ids`` that are still active, read afresh and locked until commit
    (row locks on PostgreSQL, in id order; SQLite's write transaction already excludes others)."""
    if not claim_ids:
        return []
    rows = await session.execute(
        select(*_CLOCK)
        .where(
            Claim.workspace_id == workspace_id,
            Claim.id.in_(sorted(claim_ids)),
            Claim.status == ClaimStatus.ACTIVE.value,
        )
        .order_by(Claim.id)
        .with_for_update()
    )
    return _clocks(rows.all())


async def still_pending(
    session: AsyncSession, workspace_id: str, claim_ids: Collection[int]
) -> set[int]:
    """Which of ``claim_ids`` still wait for a decision."""
    if not claim_ids:
        return set()
    rows = await session.scalars(
        select(Claim.id).where(
            Claim.workspace_id == workspace_id,
            Claim.id.in_(list(claim_ids)),
            Claim.status == ClaimStatus.PENDING.value,
        )
    )
    return set(rows)


async def repair_missing_clocks(session: AsyncSession, workspace_id: str) -> int:
    """Start the idle clock, at their approval, of active claims that lack one.

    Every path that approves a claim should set it; this keeps a claim approved without it from
    escaping the sweep for ever. Returns how many claims were repaired.
    """
    result = await session.execute(
        update(Claim)
        .where(
            Claim.workspace_id == workspace_id,
            Claim.status == ClaimStatus.ACTIVE.value,
            Claim.last_activity_at.is_(None),
        )
        .values(last_activity_at=func.coalesce(Claim.decided_at, Claim.submitted_at))
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def claims_without_protection(session: AsyncSession, workspace_id: str) -> list[ClaimClock]:
    """Active claims with no protection end (approved by a path that did not set one)."""
    rows = await session.execute(
        select(*_CLOCK).where(
            Claim.workspace_id == workspace_id,
            Claim.status == ClaimStatus.ACTIVE.value,
            Claim.protection_until.is_(None),
        )
    )
    return _clocks(rows.all())


async def set_protection(
    session: AsyncSession, workspace_id: str, claim_id: int, until: datetime
) -> None:
    """Set a claim's protection end (only where none was set)."""
    await session.execute(
        update(Claim)
        .where(
            Claim.workspace_id == workspace_id,
            Claim.id == claim_id,
            Claim.protection_until.is_(None),
        )
        .values(protection_until=until)
        .execution_options(synchronize_session=False)
    )


async def pool_customers(
    session: AsyncSession, workspace_id: str, customer_ids: Collection[int], *, at: datetime
) -> None:
    """Put customers into the public pool."""
    if not customer_ids:
        return
    await session.execute(
        update(Customer)
        .where(Customer.workspace_id == workspace_id, Customer.id.in_(list(customer_ids)))
        .values(pooled_at=at)
        .execution_options(synchronize_session=False)
    )


async def cancel_extension_requests(
    session: AsyncSession, workspace_id: str, claim_ids: Collection[int], *, at: datetime
) -> None:
    """Close the pending extension requests of claims that have ended."""
    if not claim_ids:
        return
    await session.execute(
        update(ExtensionRequest)
        .where(
            ExtensionRequest.workspace_id == workspace_id,
            ExtensionRequest.claim_id.in_(list(claim_ids)),
            ExtensionRequest.status == EXTENSION_PENDING,
        )
        .values(status=EXTENSION_CANCELLED, decided_at=at)
        .execution_options(synchronize_session=False)
    )


# -- the sweep's bookkeeping ------------------------------------------------------------------


async def sweep_mark(session: AsyncSession, workspace_id: str) -> SweepMark | None:
    """How far the sweep has looked in this workspace."""
    return await session.get(SweepMark, workspace_id)


async def save_sweep_mark(
    session: AsyncSession, workspace_id: str, *, swept_until: datetime, rules_digest: str
) -> None:
    """Record a finished pass; the mark never moves backwards under the same rules."""
    mark = await session.get(SweepMark, workspace_id, with_for_update=True)
    if mark is None:
        await session.execute(
            insert(session, SweepMark)
            .values(
                workspace_id=workspace_id,
                swept_until=swept_until,
                rules_digest=rules_digest,
                updated_at=swept_until,
            )
            .on_conflict_do_nothing(index_elements=["workspace_id"])
        )
        return
    if mark.rules_digest != rules_digest or mark.swept_until < swept_until:
        mark.swept_until = swept_until
        mark.rules_digest = rules_digest
        mark.updated_at = swept_until


async def existing_notices(
    session: AsyncSession, workspace_id: str, dedupe_keys: Collection[str]
) -> set[str]:
    """Which of ``dedupe_keys`` are in the outbox already (for a dry run)."""
    found: set[str] = set()
    keys = list(dedupe_keys)
    for start in range(0, len(keys), 500):
        rows = await session.scalars(
            select(OutboxMessage.dedupe_key).where(
                OutboxMessage.workspace_id == workspace_id,
                OutboxMessage.dedupe_key.in_(keys[start : start + 500]),
            )
        )
        found.update(rows)
    return found


# -- follow-ups ------------------------------------------------------------------------------


async def claim_for_update(session: AsyncSession, workspace_id: str, claim_id: int) -> Claim | None:
    """A claim, read afresh and locked until commit."""
    return await session.scalar(
        select(Claim)
        .where(Claim.workspace_id == workspace_id, Claim.id == claim_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def add_followup(session: AsyncSession, followup: FollowUp) -> FollowUp:
    """Store a follow-up."""
    session.add(followup)
    await session.flush()
    return followup


async def last_followup(session: AsyncSession, claim_id: int) -> FollowUp | None:
    """The claim's most recently logged follow-up."""
    return await session.scalar(
        select(FollowUp)
        .where(FollowUp.claim_id == claim_id)
        .order_by(FollowUp.created_at.desc(), FollowUp.id.desc())
        .limit(1)
    )


async def active_claims_of(
    session: AsyncSession, workspace_id: str, owner_id: str, *, limit: int = 500
) -> Sequence[Claim]:
    """A rep's active claims, the least recently worked first."""
    rows = await session.scalars(
        select(Claim)
        .where(
            Claim.workspace_id == workspace_id,
            Claim.owner_id == owner_id,
            Claim.status == ClaimStatus.ACTIVE.value,
        )
        .order_by(Claim.last_activity_at, Claim.id)
        .limit(limit)
    )
    return rows.all()


# -- extensions ------------------------------------------------------------------------------


async def pending_extension(
    session: AsyncSession, workspace_id: str, claim_id: int
) -> ExtensionRequest | None:
    """The claim's extension request waiting for a decision, if any."""
    return await session.scalar(
        select(ExtensionRequest).where(
            ExtensionRequest.workspace_id == workspace_id,
            ExtensionRequest.claim_id == claim_id,
            ExtensionRequest.status == EXTENSION_PENDING,
        )
    )


async def get_extension(
    session: AsyncSession, workspace_id: str, request_id: int
) -> ExtensionRequest | None:
    """An extension request of this workspace, as the database has it now."""
    return await session.scalar(
        select(ExtensionRequest)
        .where(ExtensionRequest.workspace_id == workspace_id, ExtensionRequest.id == request_id)
        .execution_options(populate_existing=True)
    )


async def decide_extension(
    session: AsyncSession,
    workspace_id: str,
    request_id: int,
    *,
    status: str,
    decided_by: str,
    at: datetime,
) -> bool:
    """Decide a request if, and only if, it is still pending; True when this call did."""
    result = await session.execute(
        update(ExtensionRequest)
        .where(
            ExtensionRequest.workspace_id == workspace_id,
            ExtensionRequest.id == request_id,
            ExtensionRequest.status == EXTENSION_PENDING,
        )
        .values(status=status, decided_by=decided_by, decided_at=at)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


# -- the public pool -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PooledCustomer:
    """A customer in the public pool."""

    customer_id: int
    name: str
    region: str | None
    pooled_at: datetime


async def pool_page(
    session: AsyncSession, workspace_id: str, *, offset: int, limit: int
) -> tuple[list[PooledCustomer], int]:
    """One page of the pool, most recently released first, and how many customers it holds."""
    pooled = (Customer.workspace_id == workspace_id, Customer.pooled_at.is_not(None))
    total = int(await session.scalar(select(func.count(Customer.id)).where(*pooled)) or 0)
    rows = await session.execute(
        select(Customer.id, Customer.name, Customer.region, Customer.pooled_at)
        .where(*pooled)
        .order_by(Customer.pooled_at.desc(), Customer.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return [
        PooledCustomer(customer_id=row[0], name=row[1], region=row[2], pooled_at=row[3])
        for row in rows.all()
        if row[3] is not None
    ], total


# The columns a ClaimClock is read from, for queries elsewhere in the store (store/digest.py).
CLOCK_COLUMNS = _CLOCK
