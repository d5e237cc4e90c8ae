"""What the App Home reads, and the feed of committed changes that tells it when to refresh.

**Lists.** A claim's reclaim is the earlier of its protection end and its idle deadline
(``last_activity_at`` + a fixed number of days), so the *k* claims reclaimed soonest are always
among the *k* least recently active and the *k* whose protection ends first: two index-ordered
queries of *k* rows each, merged by the caller, instead of sorting every active claim. (With
``segments`` giving claims different idle days this holds only approximately: a claim whose
segment reclaims it sooner than its activity suggests can sort onto an earlier page than the one
that reads it. Known and left: the counts stay exact.)

**Changes.** Every state change writes an :class:`~store.models.AuditEvent` in its own transaction
(:mod:`store.audit`). :func:`watch_changes` collects the events a session flushes and, once that
session *commits*, hands them to the listener — so the Home refreshes after commit, never for a
change that was rolled back, and never inside the request that made it.
"""

from __future__ import annotations

import logging
import re
import weakref
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, event, false, func, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, UOWTransaction

from store.access import ClaimScope, within
from store.audit import Action
from store.db import Database
from store.lifecycle import CLOCK_COLUMNS, ClaimClock
from store.models import AuditEvent, Claim, ClaimStatus, FollowUp, TeamMember

log = logging.getLogger(__name__)

USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
# Events that change nothing anyone's Home shows.
UNSHOWN = frozenset({Action.ACCESS_REFUSED.value, Action.CUSTOMER_IMPORTED.value})
CHUNK = 1000


@dataclass(frozen=True, slots=True)
class HomeClaim:
    """An active claim as a Home line needs it."""

    claim_id: int
    owner_id: str
    team_id: int | None
    customer_name: str
    stage: str | None
    submitted_at: datetime
    decided_at: datetime | None
    last_activity_at: datetime | None
    protection_until: datetime | None
    region: str | None
    source_channel: str | None


_LINE = (
    Claim.id,
    Claim.owner_id,
    Claim.team_id,
    Claim.customer_name,
    Claim.stage,
    Claim.submitted_at,
    Claim.decided_at,
    Claim.last_activity_at,
    Claim.protection_until,
    Claim.region,
    Claim.source_channel,
)


@dataclass(frozen=True, slots=True)
class PendingClaim:
    """A claim of one's own that waits for a manager."""

    claim_id: int
    customer_name: str
    submitted_at: datetime


def _active(
    workspace_id: str,
    scope: ClaimScope,
    idle_before: datetime | None,
    protection_before: datetime | None,
) -> list[ColumnElement[bool]]:
    where = [
        Claim.workspace_id == workspace_id,
        Claim.status == ClaimStatus.ACTIVE.value,
        *within(scope),
    ]
    attention: list[ColumnElement[bool]] = []
    if idle_before is not None:
        attention.append(Claim.last_activity_at <= idle_before)
    if protection_before is not None:
        attention.append(Claim.protection_until <= protection_before)
    if attention:
        where.append(or_(*attention))
    return where


async def active_claims(
    session: AsyncSession,
    workspace_id: str,
    scope: ClaimScope,
    *,
    first: int,
    idle_before: datetime | None = None,
    protection_before: datetime | None = None,
) -> tuple[list[HomeClaim], int]:
    """The scope's active claims that could be among the ``first`` reclaimed soonest, and how many
    active claims there are in all. With ``idle_before``/``protection_before``, only those idle
    since then or whose protection ends by then (the ones that need attention).

    The caller orders the candidates by reclaim and keeps ``first`` (see the module docstring).
    """
    where = _active(workspace_id, scope, idle_before, protection_before)
    total = int(await session.scalar(select(func.count(Claim.id)).where(*where)) or 0)
    if total == 0 or first <= 0:
        return [], total
    found: dict[int, HomeClaim] = {}
    for order in (Claim.last_activity_at, Claim.protection_until):
        rows = await session.execute(
            select(*_LINE).where(*where).order_by(order.asc().nulls_last(), Claim.id).limit(first)
        )
        for row in rows:
            found.setdefault(row[0], HomeClaim(*row))
    return list(found.values()), total


async def last_followups(
    session: AsyncSession, workspace_id: str, claim_ids: Collection[int]
) -> dict[int, datetime]:
    """When each claim was last followed up (claims without a follow-up are absent)."""
    if not claim_ids:
        return {}
    rows = await session.execute(
        select(FollowUp.claim_id, func.max(FollowUp.happened_at))
        .where(FollowUp.workspace_id == workspace_id, FollowUp.claim_id.in_(list(claim_ids)))
        .group_by(FollowUp.claim_id)
    )
    return {int(claim_id): when for claim_id, when in rows if when is not None}


async def todo_candidates(
    session: AsyncSession,
    workspace_id: str,
    owner_id: str,
    *,
    today: date,
    timed_stages: Collection[str],
    unfollowed_decisions: Collection[str],
    limit: int,
) -> list[ClaimClock]:
    """One's active claims that may have something to do: a next step dated today or earlier, a
    stage with a timer, or (decided by one of ``unfollowed_decisions``) no follow-up yet. The
    caller decides which are due; the oldest ``limit`` are read."""
    todo: list[ColumnElement[bool]] = [Claim.next_step_on <= today]
    if timed_stages:
        todo.append(Claim.stage.in_(list(timed_stages)) & Claim.stage_since.is_not(None))
    if unfollowed_decisions:
        followed = select(FollowUp.id).where(FollowUp.claim_id == Claim.id).exists()
        todo.append(Claim.decision.in_(list(unfollowed_decisions)) & ~followed)
    rows = await session.execute(
        select(*CLOCK_COLUMNS)
        .where(
            Claim.workspace_id == workspace_id,
            Claim.owner_id == owner_id,
            Claim.status == ClaimStatus.ACTIVE.value,
            or_(*todo),
        )
        .order_by(Claim.id)
        .limit(limit)
    )
    return [ClaimClock(*row) for row in rows.all()]


async def pending_of(
    session: AsyncSession, workspace_id: str, owner_id: str, *, limit: int
) -> tuple[list[PendingClaim], int]:
    """One's own claims waiting for a manager, oldest first, and how many there are."""
    where = [
        Claim.workspace_id == workspace_id,
        Claim.owner_id == owner_id,
        Claim.status == ClaimStatus.PENDING.value,
    ]
    total = int(await session.scalar(select(func.count(Claim.id)).where(*where)) or 0)
    rows = await session.execute(
        select(Claim.id, Claim.customer_name, Claim.submitted_at)
        .where(*where)
        .order_by(Claim.submitted_at, Claim.id)
        .limit(limit)
    )
    return [PendingClaim(*row) for row in rows], total


# -- who a change concerns ---------------------------------------------------------------------


async def claim_people(
    session: AsyncSession, workspace_id: str, claim_ids: Collection[int]
) -> list[tuple[str, int | None]]:
    """The distinct (owner, team) pairs of the claims (a sweep may name thousands: asked in
    chunks, inside every driver's limit on parameters)."""
    ids = sorted(claim_ids)
    found: set[tuple[str, int | None]] = set()
    for first in range(0, len(ids), CHUNK):
        rows = await session.execute(
            select(Claim.owner_id, Claim.team_id)
            .where(Claim.workspace_id == workspace_id, Claim.id.in_(ids[first : first + CHUNK]))
            .distinct()
        )
        found.update((str(owner), team) for owner, team in rows)
    return sorted(found, key=lambda pair: (pair[0], pair[1] or 0))


async def managers_of(
    session: AsyncSession, workspace_id: str, *, team_ids: Collection[int], members: Collection[str]
) -> set[str]:
    """The managers of the teams, and of every team the members belong to."""
    if not team_ids and not members:
        return set()
    member_teams = select(TeamMember.team_id).where(
        TeamMember.workspace_id == workspace_id,
        TeamMember.user_id.in_(list(members)) if members else false(),
        TeamMember.is_manager == false(),
    )
    rows = await session.scalars(
        select(TeamMember.user_id).where(
            TeamMember.workspace_id == workspace_id,
            TeamMember.is_manager.is_(True),
            or_(
                TeamMember.team_id.in_(list(team_ids)) if team_ids else false(),
                TeamMember.team_id.in_(member_teams),
            ),
        )
    )
    return set(rows)


# -- the change feed ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Change:
    """A committed state change, as the Home refresher needs it."""

    workspace_id: str
    action: str
    actor_id: str
    claim_id: int | None
    named: tuple[str, ...] = ()

    @classmethod
    def of(cls, row: AuditEvent) -> Change:
        data = row.data or {}
        named = tuple(v for v in data.values() if isinstance(v, str) and USER_ID.match(v))
        return cls(row.workspace_id, row.action, row.actor_id, row.claim_id, named)


ChangeListener = Callable[[Sequence[Change]], None]

_LISTENERS: weakref.WeakKeyDictionary[Engine, list[ChangeListener]] = weakref.WeakKeyDictionary()
_PENDING = "claimbot.home.changes"
_installed = False


def watch_changes(db: Database, listener: ChangeListener) -> Callable[[], None]:
    """Call ``listener`` with the changes of every transaction on ``db`` that commits; returns
    the function that stops it. The listener runs inside the commit: it must only take note."""
    _install()
    watched = [_LISTENERS.setdefault(engine.sync_engine, []) for engine in db.engines]
    for listeners in watched:
        listeners.append(listener)

    def unwatch() -> None:
        for listeners in watched:
            if listener in listeners:
                listeners.remove(listener)

    return unwatch


def _install() -> None:
    global _installed
    if _installed:
        return
    event.listen(Session, "after_flush", _collect)
    event.listen(Session, "after_commit", _dispatch)
    event.listen(Session, "after_rollback", _discard)
    _installed = True


def _watched(session: Session) -> list[ChangeListener] | None:
    bind = session.bind
    return _LISTENERS.get(bind) if isinstance(bind, Engine) else None


def _collect(session: Session, _flush: UOWTransaction) -> None:
    if not _watched(session):
        return
    found = [
        Change.of(obj)
        for obj in session.new
        if isinstance(obj, AuditEvent) and obj.action not in UNSHOWN
    ]
    if found:
        session.info.setdefault(_PENDING, []).extend(found)


def _dispatch(session: Session) -> None:
    changes: list[Change] = session.info.pop(_PENDING, None) or []
    listeners = _watched(session)
    if not changes or not listeners:
        return
    for listener in list(listeners):
        try:
            listener(changes)
        except Exception:  # a Home refresh must never break a commit
            log.exception("home change listener failed")


def _discard(session: Session, *_: Any) -> None:
    session.info.pop(_PENDING, None)
