"""Releasing claims to the public pool (公海): by the sweep (reclaimed, protection ended) or by the
rep (deal lost). The customer goes into the pool, pending extension requests close, and the audit
log records it; the notices to write — the pool channel's announcement with a **Claim** button,
and the former owner's message unless they did it themselves — are returned to the caller, who
writes them in the same transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.lifecycle import notices
from bot.lifecycle.pool_digest import digest_notices
from bot.notify import Notice
from bot.notify.kinds import NoticeKind
from bot.rules import Rules
from store import audit, transitions
from store import lifecycle as store
from store.lifecycle import ClaimClock
from store.models import ClaimStatus, EndReason


@dataclass
class Releaser:
    """Puts ended claims' customers into the pool and says who needs to hear of it."""

    rules: Rules

    async def reclaim(
        self,
        session: AsyncSession,
        workspace_id: str,
        claims: Sequence[ClaimClock],
        *,
        reason: EndReason,
        now: datetime,
        announce: bool = True,
    ) -> list[Notice]:
        """End active claims the sweep found due (the caller holds their locks); returns the
        notices to write: the pool channel's (unless ``announce`` is False: the sweep posts a
        digest of many instead), and each former owner's (held for their working hours by the
        caller)."""
        ids = [c.claim_id for c in claims]
        await transitions.move(
            session,
            workspace_id,
            ids,
            source=[ClaimStatus.ACTIVE],
            target=ClaimStatus.RELEASED,
            reason=reason,
            at=now,
        )
        for claim in claims:
            await audit.record(
                session,
                workspace_id,
                audit.Action.CLAIM_RECLAIMED,
                actor_id=audit.SYSTEM,
                at=now,
                customer_id=claim.customer_id,
                claim_id=claim.claim_id,
                data={
                    "reason": reason.value,
                    "idle_since": notices.iso(claim.last_activity_at),
                    "protection_until": notices.iso(claim.protection_until),
                },
            )
        await self.to_pool(session, workspace_id, claims, reason=reason, now=now)
        return self.reclaim_notices(claims, reason=reason, now=now, announce=announce)

    def reclaim_notices(
        self,
        claims: Sequence[ClaimClock],
        *,
        reason: EndReason,
        now: datetime,
        announce: bool = True,
    ) -> list[Notice]:
        """What reclaiming ``claims`` tells: the pool channel's announcements (if ``announce``)
        and each former owner's message (``claimbot sweep --dry-run`` lists the same without
        writing)."""
        to_write = self.announcements(claims, reason=reason, now=now) if announce else []
        for claim in claims:
            to_write.append(
                Notice(
                    kind=NoticeKind.RECLAIMED,
                    recipient=claim.owner_id,
                    dedupe_key=notices.claim_key(claim.claim_id, "released", None, claim.owner_id),
                    payload=notices.released_payload(
                        claim, reason=reason.value, at=now, rules=self.rules
                    ),
                )
            )
        return to_write

    async def to_pool(
        self,
        session: AsyncSession,
        workspace_id: str,
        claims: Sequence[ClaimClock],
        *,
        reason: EndReason,
        now: datetime,
    ) -> list[Notice]:
        """The ended claims' customers join the pool; returns the pool channel's announcements."""
        await store.pool_customers(session, workspace_id, {c.customer_id for c in claims}, at=now)
        await store.cancel_extension_requests(
            session, workspace_id, [c.claim_id for c in claims], at=now
        )
        return self.announcements(claims, reason=reason, now=now)

    def digests(
        self, released: Sequence[tuple[ClaimClock, EndReason]], *, now: datetime
    ) -> list[Notice]:
        """The pool channel's digest of many released customers (bot.lifecycle.pool_digest),
        in place of their announcements; none without a pool channel."""
        channel = self.rules.channels.pool
        if not channel or not released:
            return []
        return digest_notices(channel, released, now=now)

    def announcements(
        self, claims: Sequence[ClaimClock], *, reason: EndReason, now: datetime
    ) -> list[Notice]:
        """The pool channel's announcement of each customer (none without a pool channel)."""
        channel = self.rules.channels.pool
        if not channel:
            return []
        announcements = []
        for claim in claims:
            payload = notices.released_payload(claim, reason=reason.value, at=now, rules=self.rules)
            announcements.append(
                Notice(
                    kind=NoticeKind.POOL_ANNOUNCEMENT,
                    recipient=channel,
                    dedupe_key=notices.claim_key(claim.claim_id, "pool", None, channel),
                    # The announcement names no former owner: the pool is everyone's now.
                    payload={
                        k: v for k, v in payload.items() if k not in ("owner_id", "idle_since")
                    },
                    subject=notices.POOL_SUBJECT,
                    subject_id=claim.customer_id,
                )
            )
        return announcements
