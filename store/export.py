"""The export's queries: claims, follow-ups and audit events streamed in batches.

Each query is read with a server-side cursor (``AsyncSession.stream``) in partitions of
:data:`BATCH` rows, as plain column tuples (no ORM objects to accumulate), so a workspace of any
size is written without being held in memory.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from store.access import of_teams
from store.models import AuditEvent, Claim, FollowUp, Person, Team

BATCH = 1000

CLAIM_COLUMNS = (
    Claim.id,
    Claim.customer_id,
    Claim.customer_name,
    Claim.other_name,
    Claim.owner_id,
    Person.display_name,
    Team.name,
    Claim.status,
    Claim.via,
    Claim.submitted_at,
    Claim.decided_at,
    Claim.decided_by,
    Claim.decision,
    Claim.decision_reason,
    Claim.protection_until,
    Claim.last_activity_at,
    Claim.stage,
    Claim.extensions_granted,
    Claim.ended_at,
    Claim.end_reason,
    Claim.contact_name,
    Claim.phone,
    Claim.email,
    Claim.credit_code,
    Claim.need_summary,
    Claim.region,
    Claim.source_channel,
    Claim.deal_size,
    Claim.first_contact_on,
    Claim.profile,
)

FOLLOWUP_COLUMNS = (
    FollowUp.id,
    FollowUp.claim_id,
    Claim.customer_id,
    Claim.customer_name,
    FollowUp.author_id,
    FollowUp.happened_at,
    FollowUp.method,
    FollowUp.summary,
    FollowUp.next_step,
    FollowUp.next_step_on,
    FollowUp.stage,
    FollowUp.created_at,
)

AUDIT_COLUMNS = (
    AuditEvent.id,
    AuditEvent.at,
    AuditEvent.actor_id,
    AuditEvent.action,
    AuditEvent.customer_id,
    AuditEvent.claim_id,
    AuditEvent.data,
)


def _claims_in(team_ids: Collection[int] | None) -> list[ColumnElement[bool]]:
    return [] if team_ids is None else [of_teams(team_ids)]


def claims_query(
    workspace_id: str, team_ids: Collection[int] | None, since: datetime | None
) -> Select[*tuple[Any, ...]]:
    """Claims of the teams (``None``: all), filed or changed since ``since``, by id."""
    where: list[ColumnElement[bool]] = [Claim.workspace_id == workspace_id, *_claims_in(team_ids)]
    if since is not None:
        where.append(
            or_(
                Claim.submitted_at >= since,
                Claim.decided_at >= since,
                Claim.last_activity_at >= since,
                Claim.ended_at >= since,
            )
        )
    return (
        select(*CLAIM_COLUMNS)
        .outerjoin(Team, Team.id == Claim.team_id)
        .outerjoin(
            Person,
            and_(Person.workspace_id == Claim.workspace_id, Person.user_id == Claim.owner_id),
        )
        .where(*where)
        .order_by(Claim.id)
    )


def followups_query(
    workspace_id: str, team_ids: Collection[int] | None, since: datetime | None
) -> Select[*tuple[Any, ...]]:
    """Follow-ups on the teams' claims logged since ``since``, by id."""
    where: list[ColumnElement[bool]] = [
        FollowUp.workspace_id == workspace_id,
        *_claims_in(team_ids),
    ]
    if since is not None:
        where.append(FollowUp.created_at >= since)
    return (
        select(*FOLLOWUP_COLUMNS)
        .join(Claim, Claim.id == FollowUp.claim_id)
        .where(*where)
        .order_by(FollowUp.id)
    )


def audit_query(
    workspace_id: str, team_ids: Collection[int] | None, since: datetime | None
) -> Select[*tuple[Any, ...]]:
    """Audit events since ``since``, by id: all of them, or those on the teams' claims."""
    where: list[ColumnElement[bool]] = [AuditEvent.workspace_id == workspace_id]
    if team_ids is not None:
        scoped = select(Claim.id).where(Claim.workspace_id == workspace_id, of_teams(team_ids))
        where.append(AuditEvent.claim_id.in_(scoped))
    if since is not None:
        where.append(AuditEvent.at >= since)
    return select(*AUDIT_COLUMNS).where(*where).order_by(AuditEvent.id)


async def stream(
    session: AsyncSession, query: Select[*tuple[Any, ...]], *, batch: int = BATCH
) -> AsyncIterator[Sequence[tuple[Any, ...]]]:
    """The query's rows, ``batch`` at a time, from a server-side cursor."""
    result = await session.stream(query.execution_options(yield_per=batch))
    async for partition in result.partitions(batch):
        yield [tuple(row) for row in partition]
