"""The webhooks' outbox: one row per audit event per subscribed endpoint, written in the
transaction that records the event, leased and delivered later, in order per claim.

Fan-out happens in the session itself (a ``before_flush`` hook): whichever code path records an
audit event — :func:`store.audit.record`, or the claim batch adding its events in bulk — the rows
owed to webhooks are added to the same flush, so they exist exactly when the event does.
A database with no subscriber attached (tests, tools) fans out nothing.
"""

from __future__ import annotations

import uuid
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, event, func, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.attributes import instance_state

from store.db import Database
from store.models import AuditEvent, WebhookDelivery

PENDING = "pending"
SENT = "sent"
FAILED = "failed"

# (workspace_id, action) → the endpoints that want such an event.
Subscribers = Callable[[str, str], Sequence[str]]


@dataclass(frozen=True)
class _Attached:
    subscribers: Subscribers
    on_commit: Callable[[], None]


_ATTACHED: weakref.WeakKeyDictionary[Engine, _Attached] = weakref.WeakKeyDictionary()
_FANNED_OUT = "claimbot_webhooks_fanned_out"


def attach(db: Database, subscribers: Subscribers, on_commit: Callable[[], None]) -> None:
    """Fan audit events written through ``db`` out to ``subscribers``; call ``on_commit`` after
    a transaction that added deliveries commits (to wake the worker)."""
    for engine in db.engines:
        _ATTACHED[engine.sync_engine] = _Attached(subscribers, on_commit)


def ordering_key(workspace_id: str, claim_id: int | None, customer_id: int | None) -> str:
    """The sequence an event belongs to: its claim's, else its customer's, else the workspace's."""
    if claim_id is not None:
        return f"claim:{claim_id}"
    if customer_id is not None:
        return f"customer:{customer_id}"
    return f"workspace:{workspace_id}"


def _attached_to(session: Session) -> _Attached | None:
    bind = session.bind  # None for a session made without one: nothing attached to it
    engine = bind if isinstance(bind, Engine) else getattr(bind, "engine", None)
    return _ATTACHED.get(engine) if engine is not None else None


@event.listens_for(Session, "before_flush")
def _fan_out(session: Session, _context: Any, _instances: Any) -> None:
    new_events = [obj for obj in session.new if isinstance(obj, AuditEvent)]
    if not new_events:
        return
    attached = _attached_to(session)
    if attached is None:
        return
    # Deliveries get their ids in the order they are added: the order the events were recorded.
    new_events.sort(key=lambda e: instance_state(e).insert_order or 0)
    added = False
    for audit_event in new_events:
        endpoints = attached.subscribers(audit_event.workspace_id, audit_event.action)
        if not endpoints:
            continue
        event_id = str(uuid.uuid4())  # one id per event, whichever endpoint receives it
        for endpoint in endpoints:
            session.add(
                WebhookDelivery(
                    workspace_id=audit_event.workspace_id,
                    endpoint=endpoint,
                    event_id=event_id,
                    audit_event=audit_event,
                    ordering_key=ordering_key(
                        audit_event.workspace_id, audit_event.claim_id, audit_event.customer_id
                    ),
                    kind=audit_event.action,
                    created_at=audit_event.at,
                    status=PENDING,
                    attempts=0,
                    next_attempt_at=audit_event.at,
                )
            )
            added = True
    if added:
        session.info[_FANNED_OUT] = True


@event.listens_for(Session, "after_commit")
def _wake(session: Session) -> None:
    if session.info.pop(_FANNED_OUT, False):
        attached = _attached_to(session)
        if attached is not None:
            attached.on_commit()


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_FANNED_OUT, None)


async def lease_due(
    session: AsyncSession, *, now: datetime, lease: timedelta, limit: int
) -> Sequence[tuple[WebhookDelivery, AuditEvent]]:
    """Take up to ``limit`` due deliveries, each the oldest unfinished one of its endpoint and
    sequence (so a claim's events reach an endpoint in order), and hold them until ``now +
    lease``. A delivery waiting for a retry holds back the later events of its claim only."""
    earlier = aliased(WebhookDelivery)
    rows = (
        await session.execute(
            select(WebhookDelivery, AuditEvent)
            .join(AuditEvent, AuditEvent.id == WebhookDelivery.audit_event_id)
            .where(
                WebhookDelivery.status == PENDING,
                WebhookDelivery.next_attempt_at <= now,
                or_(WebhookDelivery.locked_until.is_(None), WebhookDelivery.locked_until < now),
                ~select(earlier.id)
                .where(
                    and_(
                        earlier.endpoint == WebhookDelivery.endpoint,
                        earlier.ordering_key == WebhookDelivery.ordering_key,
                        earlier.status == PENDING,
                        earlier.id < WebhookDelivery.id,
                    )
                )
                .exists(),
            )
            .order_by(WebhookDelivery.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=WebhookDelivery)
        )
    ).all()
    leased = [(delivery, audit_event) for delivery, audit_event in rows]
    for delivery, _ in leased:
        delivery.locked_until = now + lease
        delivery.attempts += 1
    await session.flush()
    return leased


async def mark_sent(session: AsyncSession, delivery_id: int, *, at: datetime, status: int) -> None:
    """The receiver took it (a 2xx)."""
    await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.status == PENDING)
        .values(
            status=SENT, delivered_at=at, last_status=status, last_error=None, locked_until=None
        )
    )


async def mark_retry(
    session: AsyncSession,
    delivery_id: int,
    *,
    error: str,
    status: int | None,
    retry_at: datetime,
) -> None:
    """Keep it pending, with what went wrong, until ``retry_at``."""
    await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.status == PENDING)
        .values(
            last_error=error[:2000], last_status=status, next_attempt_at=retry_at, locked_until=None
        )
    )


async def mark_failed(
    session: AsyncSession, delivery_id: int, *, error: str, status: int | None
) -> None:
    """Give up: the row stays, failed, with its last error, for ``claimbot doctor`` to report."""
    await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.status == PENDING)
        .values(status=FAILED, last_error=error[:2000], last_status=status, locked_until=None)
    )


async def requeue_failed(
    session: AsyncSession, *, now: datetime, endpoint: str | None = None
) -> int:
    """Put failed deliveries back in line (after the receiver is fixed); returns how many."""
    conditions = [WebhookDelivery.status == FAILED]
    if endpoint is not None:
        conditions.append(WebhookDelivery.endpoint == endpoint)
    result = await session.execute(
        update(WebhookDelivery)
        .where(*conditions)
        .values(status=PENDING, attempts=0, next_attempt_at=now, locked_until=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True, slots=True)
class EndpointCounts:
    """Where an endpoint's deliveries stand."""

    endpoint: str
    pending: int
    failed: int
    oldest_pending_at: datetime | None
    last_delivered_at: datetime | None
    last_error: str | None
    last_failed_at: datetime | None


async def counts(session: AsyncSession) -> dict[str, EndpointCounts]:
    """Per endpoint: pending and failed deliveries, the oldest wait, the latest success and error."""
    totals = (
        await session.execute(
            select(
                WebhookDelivery.endpoint,
                func.count().filter(WebhookDelivery.status == PENDING),
                func.count().filter(WebhookDelivery.status == FAILED),
                func.min(WebhookDelivery.created_at).filter(WebhookDelivery.status == PENDING),
                func.max(WebhookDelivery.delivered_at),
                func.max(WebhookDelivery.created_at).filter(WebhookDelivery.status == FAILED),
            ).group_by(WebhookDelivery.endpoint)
        )
    ).all()
    # The latest error of each endpoint (oldest first, so the newest wins in the dict).
    latest = await session.execute(
        select(WebhookDelivery.endpoint, WebhookDelivery.last_error)
        .where(WebhookDelivery.last_error.is_not(None))
        .order_by(WebhookDelivery.id.desc())
        .limit(100)
    )
    errors: dict[str, str | None] = {name: error for name, error in reversed(latest.all())}
    return {
        name: EndpointCounts(
            endpoint=name,
            pending=int(pending),
            failed=int(failed),
            oldest_pending_at=oldest,
            last_delivered_at=delivered,
            last_error=errors.get(name),
            last_failed_at=failed_at,
        )
        for name, pending, failed, oldest, delivered, failed_at in totals
    }
