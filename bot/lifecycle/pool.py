"""The public pool (公海): customers released from a claim, open to anyone.

Claiming from the pool is filing a claim: it goes through :meth:`ClaimService.submit` with a draft
made of the customer's stored name and credit code, so the same duplicate check, first come first
served, claim cap and cool-down decide — two reps clicking **Claim** at once make one owner, and a
former owner inside the cool-down is refused with the dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.claims.approval import Filer
from bot.claims.draft import ClaimDraft
from bot.claims.service import ClaimService
from bot.claims.verdict import Outcome, Refusal, Verdict
from bot.lifecycle.pool_digest import PostedDigest, digests_listing
from bot.rules import Rules
from store import customers as customer_store
from store import lifecycle as store
from store.db import Database
from store.lifecycle import PooledCustomer
from store.models import Via

PAGE_SIZE = 10


@dataclass(frozen=True, slots=True)
class PoolPage:
    """One page of the pool (``page`` counts from 0)."""

    customers: list[PooledCustomer]
    page: int
    total: int
    page_size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def has_next(self) -> bool:
        return (self.page + 1) * self.page_size < self.total

    @property
    def has_previous(self) -> bool:
        return self.page > 0


class PoolOutcome(StrEnum):
    CLAIMED = "claimed"  # the verdict says how (claimed, pending, refused …)
    TAKEN = "taken"  # someone holds it already
    NOT_FOUND = "not_found"


@dataclass(frozen=True, slots=True)
class PoolClaim:
    """The answer to a click on **Claim**."""

    outcome: PoolOutcome
    customer_name: str = ""
    verdict: Verdict | None = None
    holder_id: str | None = None
    holder_until: datetime | None = None
    # For a refusal in the cool-down: when the rep released the customer.
    released_at: datetime | None = None


@dataclass
class PoolService:
    """Lists the pool and claims from it."""

    db: Database
    rules: Rules
    claims: ClaimService

    async def page(self, workspace_id: str, page: int) -> PoolPage:
        """Page ``page`` of the pool, most recently released first (clamped to the last page)."""
        page = max(0, page)
        async with self.db.session() as session:
            customers, total = await store.pool_page(
                session, workspace_id, offset=page * PAGE_SIZE, limit=PAGE_SIZE
            )
            last = max(0, (total - 1) // PAGE_SIZE)
            if page > last:
                page = last
                customers, total = await store.pool_page(
                    session, workspace_id, offset=page * PAGE_SIZE, limit=PAGE_SIZE
                )
        return PoolPage(customers=customers, page=page, total=total)

    async def digests_listing(self, workspace_id: str, customer_id: int) -> list[PostedDigest]:
        """The posted pool digests that list ``customer_id``, as they should read now."""
        return await digests_listing(self.db, workspace_id, customer_id)

    async def claim(self, workspace_id: str, filer: Filer, customer_id: int) -> PoolClaim:
        """File a claim on a pooled customer for ``filer``."""
        async with self.db.session() as session:
            customer = (
                await customer_store.get_customers(session, workspace_id, [customer_id])
            ).get(customer_id)
            if customer is None:
                return PoolClaim(PoolOutcome.NOT_FOUND)
            holder = (await customer_store.holders_of(session, workspace_id, [customer_id])).get(
                customer_id
            )
        if holder is not None and holder.owner_id != filer.user_id:
            # A stale button (the customer was claimed since): say who has it, record nothing.
            return PoolClaim(
                PoolOutcome.TAKEN,
                customer_name=customer.name,
                holder_id=holder.owner_id,
                holder_until=holder.protection_until,
            )
        draft = ClaimDraft(
            customer_name=customer.name,
            credit_code=customer.credit_code,
            region=customer.region,
        )
        pooled = customer.pooled_at.strftime("%Y%m%dT%H%M%S") if customer.pooled_at else "-"
        verdict = await self.claims.submit(
            workspace_id=workspace_id,
            filer=filer,
            draft=draft,
            # One click files once; the customer's next stay in the pool is a new key.
            submission_key=f"pool:{customer_id}:{pooled}:{filer.user_id}",
            via=Via.POOL,
        )
        released_at = None
        if verdict.outcome is Outcome.REFUSED and verdict.refusal is Refusal.COOLDOWN:
            until = verdict.refusal_until
            if until is not None:
                released_at = until - timedelta(days=self.rules.protection.cooldown_days)
        return PoolClaim(
            PoolOutcome.CLAIMED,
            customer_name=customer.name,
            verdict=verdict,
            released_at=released_at,
        )
