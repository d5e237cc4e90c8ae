"""Where cards about a subject (an approval, a dispute, an extension) were posted."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from store.models import PostedMessage


async def record(
    session: AsyncSession,
    workspace_id: str,
    *,
    subject: str,
    subject_id: int,
    recipient: str,
    channel: str,
    ts: str,
    at: datetime,
) -> None:
    """Remember one posted card."""
    session.add(
        PostedMessage(
            workspace_id=workspace_id,
            subject=subject,
            subject_id=subject_id,
            recipient=recipient,
            channel=channel,
            ts=ts,
            created_at=at,
        )
    )


async def find(
    session: AsyncSession, workspace_id: str, subject: str, subject_id: int
) -> Sequence[PostedMessage]:
    """Every card posted about the subject, oldest first."""
    rows = await session.scalars(
        select(PostedMessage)
        .where(
            PostedMessage.workspace_id == workspace_id,
            PostedMessage.subject == subject,
            PostedMessage.subject_id == subject_id,
        )
        .order_by(PostedMessage.id)
    )
    return rows.all()


async def cards_listing(
    session: AsyncSession,
    workspace_id: str,
    *,
    card_subject: str,
    member_subject: str,
    member_id: int,
) -> list[tuple[int, str]]:
    """The cards of ``card_subject`` (a digest) that list ``member_id`` — recorded as
    ``member_subject`` at the same message — as (card's subject id, recipient)."""
    card, member = aliased(PostedMessage), aliased(PostedMessage)
    rows = await session.execute(
        select(card.subject_id, card.recipient)
        .join(
            member,
            and_(
                member.workspace_id == card.workspace_id,
                member.channel == card.channel,
                member.ts == card.ts,
            ),
        )
        .where(
            member.workspace_id == workspace_id,
            member.subject == member_subject,
            member.subject_id == member_id,
            card.subject == card_subject,
        )
        .distinct()
    )
    return [(int(subject_id), str(recipient)) for subject_id, recipient in rows]
