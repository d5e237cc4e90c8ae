"""Merging two customer records that are the same company (found later, or after an import):
``/claim merge <survivor> <duplicate>`` (admins), with a preview and a confirmation.

Decisions the issue left open, made here:

- The first customer named survives (its name and id); the second's claims, their follow-ups,
  collisions and audit history move to it, and its identifying keys are copied to it, so the
  duplicate check finds the survivor by either record's name, phone, e-mail or credit code. The
  duplicate's record is then deleted: the in-memory name indexes of every process skip entries
  whose customer is gone, and catch up with the copied keys like any new ones.
- If both are held, the claim filed earlier keeps the customer; the other ends with reason
  ``merged`` (:mod:`store.transitions`) and a collision is recorded between the two reps, so the
  one who lost it may dispute it as any collision. Both reps and their managers are told.
- It runs under the claim lock, so no claim is filed on either record half-way through.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.directory import Directory
from bot.notify import Notice, enqueue
from bot.notify.kinds import NoticeKind
from store import audit, transitions
from store import lifecycle as lifecycle_store
from store.db import Database
from store.models import (
    AuditEvent,
    Claim,
    ClaimStatus,
    Collision,
    Customer,
    CustomerKey,
    EndReason,
    KeyKind,
)


class MergeRefusal(StrEnum):
    """Why two customers were not merged."""

    NOT_ADMIN = "not_admin"
    SAME = "same"  # both names mean one record
    UNKNOWN = "unknown"  # one of them is gone (merged already)


@dataclass(frozen=True, slots=True)
class Merge:
    """A preview of a merge, or what came of it."""

    survivor_id: int
    duplicate_id: int
    survivor_name: str = ""
    duplicate_name: str = ""
    refusal: MergeRefusal | None = None
    claims: int = 0  # the duplicate's claims that move
    keeper_id: str | None = None  # the rep who holds the merged customer
    ended_id: str | None = None  # the rep whose claim ended "merged"
    done: bool = False

    @property
    def ok(self) -> bool:
        return self.refusal is None


@dataclass
class CustomerMerger:
    """An admin's merge of two customer records."""

    db: Database
    clock: Clock
    directory: Directory

    async def preview(
        self, workspace_id: str, actor_id: str, survivor: int, duplicate: int
    ) -> Merge:
        """What merging ``duplicate`` into ``survivor`` would do now."""
        async with self.db.write() as session:
            return await self._plan(session, workspace_id, actor_id, survivor, duplicate)

    async def merge(self, workspace_id: str, actor_id: str, survivor: int, duplicate: int) -> Merge:
        """Merge ``duplicate`` into ``survivor``: all of it, or nothing."""
        now = self.clock.now()
        async with self.db.locked(workspace_id) as session:
            plan = await self._plan(session, workspace_id, actor_id, survivor, duplicate)
            if not plan.ok:
                return plan
            holders = await self._holders(session, workspace_id, [survivor, duplicate])
            keeper, ended = _keeper(holders)
            collision_id = None
            if ended is not None and keeper is not None:
                await transitions.move(
                    session,
                    workspace_id,
                    [ended.id],
                    source=ClaimStatus.holding(),
                    target=ClaimStatus.RELEASED,
                    reason=EndReason.MERGED,
                    at=now,
                )
                await lifecycle_store.cancel_extension_requests(
                    session, workspace_id, [ended.id], at=now
                )
                collision = Collision(
                    workspace_id=workspace_id,
                    customer_id=survivor,
                    holder_claim_id=keeper.id,
                    holder_id=keeper.owner_id,
                    challenger_id=ended.owner_id,
                    matched_on=KeyKind.NAME.value,
                    score=None,
                    attempt={"merged": True, "claim_id": ended.id},
                    created_at=now,
                )
                session.add(collision)
                await session.flush()
                collision_id = collision.id
            await self._move(session, workspace_id, survivor, duplicate, now)
            await audit.record(
                session,
                workspace_id,
                audit.Action.CUSTOMER_MERGED,
                actor_id=actor_id,
                at=now,
                customer_id=survivor,
                claim_id=keeper.id if keeper else None,
                data={
                    "merged_id": duplicate,
                    "merged_name": plan.duplicate_name,
                    "keeper_id": keeper.owner_id if keeper else None,
                    "ended_claim_id": ended.id if ended else None,
                    "ended_owner_id": ended.owner_id if ended else None,
                },
            )
            if ended is not None and keeper is not None:
                await self._tell(session, workspace_id, plan, keeper, ended, collision_id, now)
            return Merge(
                survivor,
                duplicate,
                plan.survivor_name,
                plan.duplicate_name,
                claims=plan.claims,
                keeper_id=keeper.owner_id if keeper else None,
                ended_id=ended.owner_id if ended else None,
                done=True,
            )

    async def _plan(
        self, session: AsyncSession, workspace_id: str, actor_id: str, survivor: int, duplicate: int
    ) -> Merge:
        actor = await self.directory.member(session, workspace_id, actor_id)
        if not actor.is_admin:
            return Merge(survivor, duplicate, refusal=MergeRefusal.NOT_ADMIN)
        if survivor == duplicate:
            return Merge(survivor, duplicate, refusal=MergeRefusal.SAME)
        kept, gone = (await session.get(Customer, survivor), await session.get(Customer, duplicate))
        if (
            kept is None
            or gone is None
            or kept.workspace_id != workspace_id
            or gone.workspace_id != workspace_id
        ):
            return Merge(survivor, duplicate, refusal=MergeRefusal.UNKNOWN)
        claims = await session.scalars(
            select(Claim.id).where(
                Claim.workspace_id == workspace_id, Claim.customer_id == duplicate
            )
        )
        holders = await self._holders(session, workspace_id, [survivor, duplicate])
        keeper, ended = _keeper(holders)
        return Merge(
            survivor,
            duplicate,
            kept.name,
            gone.name,
            claims=len(claims.all()),
            keeper_id=keeper.owner_id if keeper else None,
            ended_id=ended.owner_id if ended else None,
        )

    async def _holders(
        self, session: AsyncSession, workspace_id: str, customer_ids: list[int]
    ) -> list[Claim]:
        rows = await session.scalars(
            select(Claim)
            .where(
                Claim.workspace_id == workspace_id,
                Claim.customer_id.in_(customer_ids),
                Claim.status.in_(list(ClaimStatus.holding())),
            )
            .order_by(Claim.submitted_at, Claim.id)
        )
        return list(rows)

    async def _move(
        self, session: AsyncSession, workspace_id: str, survivor: int, duplicate: int, now: datetime
    ) -> None:
        """Everything of ``duplicate`` to ``survivor``; then ``duplicate`` is deleted."""
        for model in (Claim, Collision, AuditEvent):
            await session.execute(
                update(model)
                .where(model.workspace_id == workspace_id, model.customer_id == duplicate)
                .values(customer_id=survivor)
                .execution_options(synchronize_session=False)
            )
        keys = await session.execute(
            select(CustomerKey.kind, CustomerKey.value).where(CustomerKey.customer_id == duplicate)
        )
        have = set(
            await session.execute(
                select(CustomerKey.kind, CustomerKey.value).where(
                    CustomerKey.customer_id == survivor
                )
            )
        )
        for kind, value in keys:
            if (kind, value) not in have:
                session.add(
                    CustomerKey(
                        workspace_id=workspace_id,
                        customer_id=survivor,
                        kind=kind,
                        value=value,
                        created_at=now,
                    )
                )
        await session.flush()
        await session.execute(delete(CustomerKey).where(CustomerKey.customer_id == duplicate))
        await session.execute(delete(Customer).where(Customer.id == duplicate))

    async def _tell(
        self,
        session: AsyncSession,
        workspace_id: str,
        plan: Merge,
        keeper: Claim,
        ended: Claim,
        collision_id: int | None,
        now: datetime,
    ) -> None:
        payload = {
            "customer_name": plan.survivor_name,
            "merged_name": plan.duplicate_name,
            "keeper_id": keeper.owner_id,
            "ended_id": ended.owner_id,
            "claim_id": ended.id,
            "collision_id": collision_id,
        }
        recipients = [keeper.owner_id, ended.owner_id]
        for claim in (keeper, ended):
            recipients += await self.directory.approvers(
                session, workspace_id, claim.owner_id, claim.team_id
            )
        for recipient in dict.fromkeys(recipients):
            await enqueue(
                session,
                workspace_id,
                Notice(
                    kind=NoticeKind.CUSTOMERS_MERGED,
                    recipient=recipient,
                    dedupe_key=f"merge:{ended.id}:{recipient}",
                    payload=payload
                    | {"disputable": recipient == ended.owner_id and collision_id is not None},
                ),
                at=now,
            )


def _keeper(holders: list[Claim]) -> tuple[Claim | None, Claim | None]:
    """Of the claims holding either record (earliest first): the one that keeps the merged
    customer, and the one that ends (``None`` unless both were held)."""
    if not holders:
        return None, None
    return holders[0], holders[1] if len(holders) > 1 else None
