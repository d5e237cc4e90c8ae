"""``/claim history <customer>``: the customer's ownership timeline, read from the audit log —
filed, approved or rejected, collisions, follow-ups, extensions, transfers, disputes, reclaims:
who did what, when.

Everyone may read who held a customer and when (the duplicate check tells anyone that much).
The details of an event — a reason, a question, a follow-up's method and stage, the name a
challenger typed — show only to those who may see the claim it is about
(:meth:`Directory.can_see`), and, for a collision or dispute, to its two reps and whoever may
decide it. Refused attempts (``access.refused``, ``claim.refused``) are security records, not the
customer's history, and are left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.directory import Directory
from bot.duplicates import DuplicateChecker, Match
from bot.lists import CustomerChoice, Viewer, choose_customer
from store import audit
from store import customers as customer_store
from store import lists as list_store
from store.db import Database
from store.models import AuditEvent, Claim, ClaimStatus, KeyKind

# The newest events shown; older ones are counted (the export has them all).
HISTORY_LIMIT = 40

LEFT_OUT = (audit.Action.ACCESS_REFUSED.value, audit.Action.CLAIM_REFUSED.value)

# What of each event anyone may read; the rest only those who may see the claim.
_PUBLIC: dict[str, frozenset[str]] = {
    audit.Action.CLAIM_FILED: frozenset({"via"}),
    audit.Action.CLAIM_APPROVED: frozenset({"decision", "protection_until"}),
    audit.Action.CLAIM_EXTENSION_REQUESTED: frozenset({"days"}),
    audit.Action.CLAIM_EXTENDED: frozenset({"days", "protection_until"}),
    audit.Action.CLAIM_EXTENSION_REJECTED: frozenset({"days"}),
    audit.Action.CLAIM_RECLAIMED: frozenset({"reason"}),
    audit.Action.CLAIM_RELEASED: frozenset({"owner_id"}),
    audit.Action.CLAIM_TRANSFERRED: frozenset({"from_id", "to_id", "by"}),
    audit.Action.CLAIM_WITHDRAWN: frozenset({"owner_id"}),
    audit.Action.CLAIM_EDITED: frozenset({"held_for_approval"}),
    audit.Action.COLLISION_RECORDED: frozenset({"holder_id", "challenger_id", "matched_on"}),
    audit.Action.DISPUTE_OPENED: frozenset({"holder_id", "challenger_id"}),
    audit.Action.DISPUTE_DECIDED: frozenset({"holder_id", "challenger_id", "outcome"}),
}
_BETWEEN_TWO = {
    audit.Action.COLLISION_RECORDED.value,
    audit.Action.DISPUTE_OPENED.value,
    audit.Action.DISPUTE_DECIDED.value,
}


@dataclass(frozen=True, slots=True)
class Entry:
    """One event of the timeline; ``data`` holds only what the viewer may read."""

    at: datetime
    actor_id: str
    action: str
    owner_id: str | None  # whose claim the event is about, if a claim's
    data: dict[str, Any]
    full: bool  # the viewer reads every detail


@dataclass(frozen=True, slots=True)
class CustomerHistory:
    customer_id: int
    customer_name: str
    holder_id: str | None
    holder_status: ClaimStatus | None
    holder_until: datetime | None
    pooled: bool
    entries: tuple[Entry, ...]
    total: int
    # The holding claim's customer profile (form.profile), as stored.
    profile: Mapping[str, Any] = field(default_factory=dict)

    @property
    def earlier(self) -> int:
        """Events older than those shown."""
        return max(0, self.total - len(self.entries))


@dataclass(frozen=True, slots=True)
class HistoryAnswer:
    """The history, or the choice to make first (no match, several)."""

    query: str
    history: CustomerHistory | None = None
    choice: CustomerChoice | None = None


@dataclass
class HistoryService:
    db: Database
    directory: Directory
    checker: DuplicateChecker

    async def find(self, workspace_id: str, user_id: str, query: str) -> HistoryAnswer:
        """The history of the customer ``query`` names, or the candidates when it is unclear."""
        await self.directory.ensure_seeded(workspace_id)
        async with self.db.session() as session:
            choice = await choose_customer(self.checker, session, workspace_id, query)
            if choice.chosen is None:
                return HistoryAnswer(query, choice=choice)
            history = await self._history(session, workspace_id, user_id, choice.chosen)
            return HistoryAnswer(query, history=history)

    async def of_customer(
        self, workspace_id: str, user_id: str, customer_id: int
    ) -> CustomerHistory | None:
        """The history of a customer by id (a button's value); None for an unknown id."""
        await self.directory.ensure_seeded(workspace_id)
        async with self.db.session() as session:
            customer = (
                await customer_store.get_customers(session, workspace_id, [customer_id])
            ).get(customer_id)
            if customer is None:
                return None
            match = Match(
                customer_id=customer.id,
                customer_name=customer.name,
                matched_on=KeyKind.NAME,
                score=100.0,
                clear=True,
                holder=None,
                pooled=customer.pooled_at is not None,
            )
            return await self._history(session, workspace_id, user_id, match)

    async def _history(
        self, session: AsyncSession, workspace_id: str, user_id: str, match: Match
    ) -> CustomerHistory:
        member = await self.directory.member(session, workspace_id, user_id)
        viewer = Viewer(self.directory, session, workspace_id, member)
        events, total = await list_store.customer_events(
            session, workspace_id, match.customer_id, leave_out=LEFT_OUT, limit=HISTORY_LIMIT
        )
        claims = await list_store.claims_by_ids(
            session, workspace_id, {e.claim_id for e in events if e.claim_id is not None}
        )
        entries = []
        for event in events:
            claim = claims.get(event.claim_id) if event.claim_id is not None else None
            if event.action in _BETWEEN_TWO:
                full = await self._sees_between(viewer, event, claim)
            elif claim is not None:
                full = await viewer.sees(claim.owner_id, claim.team_id)
            else:
                full = member.is_admin
            public = _PUBLIC.get(event.action, frozenset())
            data = dict(event.data or {})
            entries.append(
                Entry(
                    at=event.at,
                    actor_id=event.actor_id,
                    action=event.action,
                    owner_id=claim.owner_id if claim else None,
                    data=data if full else {k: v for k, v in data.items() if k in public},
                    full=full,
                )
            )
        holding = (await customer_store.holders_of(session, workspace_id, [match.customer_id])).get(
            match.customer_id
        )
        return CustomerHistory(
            customer_id=match.customer_id,
            customer_name=match.customer_name,
            holder_id=holding.owner_id if holding else None,
            holder_status=ClaimStatus(holding.status) if holding else None,
            holder_until=holding.protection_until if holding else None,
            pooled=match.pooled,
            entries=tuple(entries),
            total=total,
            profile=dict(holding.profile or {}) if holding else {},
        )

    @staticmethod
    async def _sees_between(viewer: Viewer, event: AuditEvent, claim: Claim | None) -> bool:
        """A collision or dispute: its two reps, and whoever may decide either side."""
        data = event.data or {}
        holder, challenger = data.get("holder_id"), data.get("challenger_id")
        me = viewer.member.user_id
        if me in (holder, challenger):
            return True
        team_id = claim.team_id if claim is not None else None
        if holder and await viewer.decides(str(holder), team_id):
            return True
        return bool(challenger) and await viewer.decides(str(challenger), None)
