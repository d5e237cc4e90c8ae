"""Where cards about a subject (an approval, a dispute, an extension) were posted."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

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
