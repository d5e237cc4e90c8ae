"""The outbox: notifications written with the change they report, sent later exactly once.

A row is leased before sending (``locked_until``) so that several workers — threads of one
process or replicas sharing PostgreSQL (``FOR UPDATE SKIP LOCKED``) — never take the same row.
A worker that dies after sending but before marking leaves a lease that expires: the message is
sent again at most once. Nothing is ever deleted without being sent or marked failed.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store.dialect import insert
from store.models import OutboxMessage

PENDING = "pending"
SENT = "sent"
FAILED = "failed"


async def enqueue(
    session: AsyncSession,
    workspace_id: str,
    *,
    dedupe_key: str,
    kind: str,
    recipient: str,
    payload: dict[str, Any],
    at: datetime,
    not_before: datetime | None = None,
    urgent: bool = False,
) -> bool:
    """Add a notification unless one with the same key exists; True when this call added it."""
    result = await session.execute(
        insert(session, OutboxMessage)
        .values(
            workspace_id=workspace_id,
            dedupe_key=dedupe_key,
            kind=kind,
            recipient=recipient,
            payload=payload,
            urgent=urgent,
            created_at=at,
            status=PENDING,
            next_attempt_at=not_before or at,
            attempts=0,
        )
        .on_conflict_do_nothing(index_elements=["workspace_id", "dedupe_key"])
    )
    return bool(getattr(result, "rowcount", 0))


async def enqueue_many(
    session: AsyncSession, workspace_id: str, rows: list[dict[str, Any]], *, at: datetime
) -> set[str]:
    """Add many notifications in one statement per few hundred, skipping keys already there;
    returns the dedupe keys this call added. Each row has the keyword arguments of
    :func:`enqueue` (``dedupe_key``, ``kind``, ``recipient``, ``payload``, ``not_before``,
    ``urgent``)."""
    added: set[str] = set()
    for start in range(0, len(rows), 300):
        values = [
            {
                "workspace_id": workspace_id,
                "dedupe_key": row["dedupe_key"],
                "kind": row["kind"],
                "recipient": row["recipient"],
                "payload": row["payload"],
                "urgent": bool(row.get("urgent")),
                "created_at": at,
                "status": PENDING,
                "next_attempt_at": row.get("not_before") or at,
                "attempts": 0,
            }
            for row in rows[start : start + 300]
        ]
        result = await session.execute(
            insert(session, OutboxMessage)
            .on_conflict_do_nothing(index_elements=["workspace_id", "dedupe_key"])
            .returning(OutboxMessage.dedupe_key),
            values,
        )
        added.update(result.scalars())
    return added


# How ``last_error`` starts when a row's previous lease ran out with no outcome recorded: its
# notice may have been sent.
LEASE_LAPSED = "lease lapsed: "


def _due(now: datetime) -> tuple[ColumnElement[bool], ...]:
    return (
        OutboxMessage.status == PENDING,
        OutboxMessage.next_attempt_at <= now,
        or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until < now),
    )


async def lease_due(
    session: AsyncSession,
    *,
    now: datetime,
    lease: timedelta,
    limit: int,
    skip: Collection[str] = (),
) -> Sequence[OutboxMessage]:
    """Take up to ``limit`` due rows that no one else holds, and hold them until ``now + lease``;
    rows for the recipients in ``skip`` (channels that must wait for Slack's pace) stay."""
    query = select(OutboxMessage).where(*_due(now))
    if skip:
        query = query.where(OutboxMessage.recipient.not_in(list(skip)))
    rows = (
        await session.scalars(
            query.order_by(
                OutboxMessage.urgent.desc(), OutboxMessage.next_attempt_at, OutboxMessage.id
            )
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()
    for row in rows:
        if row.locked_until is not None:
            # Leased before and never released: whoever held it (a killed process, a worker
            # that lost the database after Slack answered) recorded no outcome.
            row.last_error = f"{LEASE_LAPSED}{row.last_error or ''}"[:2000]
        row.locked_until = now + lease
        row.attempts += 1
    await session.flush()
    return rows


async def put_back(session: AsyncSession, message_ids: Collection[int]) -> None:
    """Un-lease rows that were not tried after all (their channel had to wait for Slack's pace):
    due again at once, in their old place in the queue, with no attempt counted."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(list(message_ids)), OutboxMessage.status == PENDING)
        .values(locked_until=None, attempts=OutboxMessage.attempts - 1)
    )


async def due_recipients(
    session: AsyncSession, *, now: datetime, among: Collection[str]
) -> set[str]:
    """Which of ``among`` have rows due now that no one holds."""
    found = await session.scalars(
        select(OutboxMessage.recipient)
        .where(*_due(now), OutboxMessage.recipient.in_(list(among)))
        .distinct()
    )
    return set(found)


async def payload_of(
    session: AsyncSession, workspace_id: str, dedupe_key: str
) -> dict[str, Any] | None:
    """The payload of the notification with ``dedupe_key``, if there is one."""
    payload = await session.scalar(
        select(OutboxMessage.payload).where(
            OutboxMessage.workspace_id == workspace_id, OutboxMessage.dedupe_key == dedupe_key
        )
    )
    return dict(payload) if payload is not None else None


async def mark_sent(
    session: AsyncSession, message_id: int, *, at: datetime, channel: str | None, ts: str | None
) -> None:
    """Record delivery (and where it landed, for later updates in place)."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == PENDING)
        .values(status=SENT, sent_at=at, sent_channel=channel, sent_ts=ts, locked_until=None)
    )


async def mark_retry(
    session: AsyncSession,
    message_id: int,
    *,
    error: str,
    retry_at: datetime,
    counts: bool = True,
) -> None:
    """Keep the row pending, with its last error, until ``retry_at``. ``counts=False``: the
    try was not the message's fault (Slack's rate limit), so it does not use up an attempt."""
    values: dict[str, object] = {
        "last_error": error[:2000],
        "next_attempt_at": retry_at,
        "locked_until": None,
    }
    if not counts:
        values["attempts"] = OutboxMessage.attempts - 1  # the lease counted one
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == PENDING)
        .values(**values)
    )


async def defer(session: AsyncSession, message_id: int, *, until: datetime) -> None:
    """Hold a row back until ``until`` (outside the recipient's working hours): not an attempt,
    so it does not count towards giving up."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == PENDING)
        # The lease counted an attempt; this was none.
        .values(next_attempt_at=until, locked_until=None, attempts=OutboxMessage.attempts - 1)
    )


async def mark_failed(session: AsyncSession, message_id: int, *, error: str) -> None:
    """Give up on a row: it stays in the table, with its last error, for an operator to see."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == PENDING)
        .values(status=FAILED, last_error=error[:2000], locked_until=None)
    )


async def next_due_at(session: AsyncSession) -> datetime | None:
    """When the earliest pending row falls due."""
    return await session.scalar(
        select(OutboxMessage.next_attempt_at)
        .where(OutboxMessage.status == PENDING)
        .order_by(OutboxMessage.next_attempt_at)
        .limit(1)
    )
