"""Approvals: questions to the rep, and what waits for whom (the decision itself is a move in
:mod:`store.transitions`)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store.access import of_teams
from store.models import Claim, ClaimQuestion, ClaimStatus


async def pending_claims(
    session: AsyncSession,
    workspace_id: str,
    *,
    team_ids: Collection[int] | None,
    exclude_owner: str,
    offset: int = 0,
    limit: int = 10,
) -> tuple[Sequence[Claim], int]:
    """Pending claims, oldest first, and how many there are in all.

    ``team_ids=None`` means every team (an admin); an empty collection means none. Claims of
    ``exclude_owner`` are left out: nobody decides their own.
    """
    if team_ids is not None and not team_ids:
        return [], 0
    where: list[ColumnElement[bool]] = [
        Claim.workspace_id == workspace_id,
        Claim.status == ClaimStatus.PENDING.value,
        Claim.owner_id != exclude_owner,
    ]
    if team_ids is not None:
        where.append(of_teams(team_ids))
    total = int(await session.scalar(select(func.count(Claim.id)).where(*where)) or 0)
    rows = await session.scalars(
        select(Claim)
        .where(*where)
        .order_by(Claim.submitted_at, Claim.id)
        .offset(offset)
        .limit(limit)
    )
    return rows.all(), total


async def add_question(
    session: AsyncSession,
    workspace_id: str,
    claim_id: int,
    *,
    asked_by: str,
    question: str,
    at: datetime,
) -> ClaimQuestion:
    """Record an approver's question."""
    row = ClaimQuestion(
        workspace_id=workspace_id,
        claim_id=claim_id,
        asked_by=asked_by,
        asked_at=at,
        question=question,
    )
    session.add(row)
    await session.flush()
    return row


async def get_question(
    session: AsyncSession, workspace_id: str, question_id: int
) -> ClaimQuestion | None:
    """A question of this workspace by id (``None`` for another workspace's id)."""
    return await session.scalar(
        select(ClaimQuestion)
        .where(ClaimQuestion.workspace_id == workspace_id, ClaimQuestion.id == question_id)
        .execution_options(populate_existing=True)
    )


async def answer_question(
    session: AsyncSession,
    workspace_id: str,
    question_id: int,
    *,
    answered_by: str,
    answer: str,
    at: datetime,
) -> bool:
    """Store the answer unless one was stored already; True when this call stored it."""
    result = await session.execute(
        update(ClaimQuestion)
        .where(
            ClaimQuestion.workspace_id == workspace_id,
            ClaimQuestion.id == question_id,
            ClaimQuestion.answer.is_(None),
        )
        .values(answer=answer, answered_by=answered_by, answered_at=at)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def questions_of(
    session: AsyncSession, workspace_id: str, claim_ids: Collection[int]
) -> dict[int, list[ClaimQuestion]]:
    """The questions asked on each claim, oldest first."""
    if not claim_ids:
        return {}
    rows = await session.scalars(
        select(ClaimQuestion)
        .where(
            ClaimQuestion.workspace_id == workspace_id,
            ClaimQuestion.claim_id.in_(list(claim_ids)),
        )
        .order_by(ClaimQuestion.asked_at, ClaimQuestion.id)
        .execution_options(populate_existing=True)
    )
    found: dict[int, list[ClaimQuestion]] = {}
    for row in rows:
        found.setdefault(row.claim_id, []).append(row)
    return found
