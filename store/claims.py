"""Claims and collisions: the queries of the claim flow."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, func, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from store.dialect import insert_many_returning_ids
from store.models import Claim, ClaimStatus, Collision, EndReason

CLAIM_TABLE = cast(Table, Claim.__table__)  # Core inserts: no per-row ORM bookkeeping


async def insert_claims(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert claims in one multi-row statement (an import); their ids, in the order of ``rows``.
    Each row's ``submission_key`` must be its own."""
    return await insert_many_returning_ids(session, CLAIM_TABLE, rows, ("submission_key",))


async def claim_by_submission(
    session: AsyncSession, workspace_id: str, submission_key: str
) -> Claim | None:
    """The claim a submission already created, if it was delivered before."""
    return await session.scalar(
        select(Claim).where(
            Claim.workspace_id == workspace_id, Claim.submission_key == submission_key
        )
    )


async def collision_by_submission(
    session: AsyncSession, workspace_id: str, submission_key: str
) -> Collision | None:
    """The collision a submission already produced, if it was delivered before."""
    return await session.scalar(
        select(Collision).where(
            Collision.workspace_id == workspace_id, Collision.submission_key == submission_key
        )
    )


async def get_claim(session: AsyncSession, workspace_id: str, claim_id: int) -> Claim | None:
    """A claim of this workspace by id (``None`` for another workspace's id)."""
    claim = await session.get(Claim, claim_id)
    return claim if claim is not None and claim.workspace_id == workspace_id else None


async def get_collision(
    session: AsyncSession, workspace_id: str, collision_id: int
) -> Collision | None:
    """A collision of this workspace by id."""
    collision = await session.get(Collision, collision_id)
    return collision if collision is not None and collision.workspace_id == workspace_id else None


async def count_holding(session: AsyncSession, workspace_id: str, owner_id: str) -> int:
    """How many claims the rep holds now, pending or protected (won deals do not count)."""
    return int(
        await session.scalar(
            select(func.count(Claim.id)).where(
                Claim.workspace_id == workspace_id,
                Claim.owner_id == owner_id,
                Claim.status.in_([ClaimStatus.PENDING, ClaimStatus.ACTIVE]),
            )
        )
        or 0
    )


# A withdrawn or merged claim parted by its owner's choice or a clean-up: no cool-down follows.
_COOLS_DOWN = or_(
    Claim.end_reason.is_(None), Claim.end_reason.not_in(list(EndReason.without_cooldown()))
)


async def last_release_by(
    session: AsyncSession, workspace_id: str, customer_id: int, owner_id: str
) -> datetime | None:
    """When ``owner_id`` last lost hold of the customer (reclaimed, released, lost), if ever."""
    return await session.scalar(
        select(func.max(Claim.ended_at)).where(
            Claim.workspace_id == workspace_id,
            Claim.customer_id == customer_id,
            Claim.owner_id == owner_id,
            Claim.status.in_([ClaimStatus.RELEASED, ClaimStatus.LOST]),
            _COOLS_DOWN,
        )
    )


async def claims_of_owner(
    session: AsyncSession,
    workspace_id: str,
    owner_id: str,
    statuses: Sequence[ClaimStatus],
    *,
    limit: int = 100,
) -> Sequence[Claim]:
    """A rep's claims in the given statuses, newest first."""
    rows = await session.scalars(
        select(Claim)
        .where(
            Claim.workspace_id == workspace_id,
            Claim.owner_id == owner_id,
            Claim.status.in_(list(statuses)),
        )
        .order_by(Claim.submitted_at.desc())
        .limit(limit)
    )
    return rows.all()


async def holding_counts(
    session: AsyncSession, workspace_id: str, owner_ids: Iterable[str]
) -> dict[str, int]:
    """How many claims each rep holds now, pending or protected (the cap counts these)."""
    owners = sorted(set(owner_ids))
    if not owners:
        return {}
    rows = await session.execute(
        select(Claim.owner_id, func.count(Claim.id))
        .where(
            Claim.workspace_id == workspace_id,
            Claim.owner_id.in_(owners),
            Claim.status.in_([ClaimStatus.PENDING, ClaimStatus.ACTIVE]),
        )
        .group_by(Claim.owner_id)
    )
    return {owner: int(count) for owner, count in rows}


async def last_releases(
    session: AsyncSession,
    workspace_id: str,
    customer_ids: Iterable[int],
    owner_ids: Iterable[str],
) -> dict[tuple[int, str], datetime]:
    """When each (customer, rep) pair last parted (reclaimed, released, lost), where it did."""
    customers, owners = sorted(set(customer_ids)), sorted(set(owner_ids))
    if not customers or not owners:
        return {}
    ended = func.max(Claim.ended_at)
    rows = await session.execute(
        select(Claim.customer_id, Claim.owner_id, ended)
        .where(
            Claim.workspace_id == workspace_id,
            Claim.customer_id.in_(customers),
            Claim.owner_id.in_(owners),
            Claim.status.in_([ClaimStatus.RELEASED, ClaimStatus.LOST]),
            _COOLS_DOWN,
        )
        .group_by(Claim.customer_id, Claim.owner_id)
    )
    return {(customer, owner): at for customer, owner, at in rows if at is not None}


async def seen_submissions(
    session: AsyncSession, workspace_id: str, keys: Iterable[str]
) -> set[str]:
    """The submission keys that already made a claim or a collision."""
    wanted = sorted(set(keys))
    if not wanted:
        return set()
    rows = await session.scalars(
        union_all(
            select(Claim.submission_key).where(
                Claim.workspace_id == workspace_id, Claim.submission_key.in_(wanted)
            ),
            select(Collision.submission_key).where(
                Collision.workspace_id == workspace_id, Collision.submission_key.in_(wanted)
            ),
        )
    )
    return {key for key in rows if key}
