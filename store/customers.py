"""Customers and their identifying keys (name keys, credit code, phone, e-mail)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store.dialect import insert
from store.models import Claim, ClaimStatus, Customer, CustomerKey, KeyKind


@dataclass(frozen=True, slots=True)
class NameKeyRow:
    """A stored name key, as the in-memory index loads it."""

    entry_id: int
    customer_id: int
    key: str


async def name_keys_after(
    session: AsyncSession, workspace_id: str, after_id: int, *, batch: int = 50_000
) -> list[NameKeyRow]:
    """Name keys added since ``after_id`` (at most ``batch``), oldest first."""
    rows = await session.execute(
        select(CustomerKey.id, CustomerKey.customer_id, CustomerKey.value)
        .where(
            CustomerKey.workspace_id == workspace_id,
            CustomerKey.kind == KeyKind.NAME,
            CustomerKey.id > after_id,
        )
        .order_by(CustomerKey.id)
        .limit(batch)
    )
    return [NameKeyRow(entry_id, customer_id, key) for entry_id, customer_id, key in rows]


async def workspaces_with_customers(session: AsyncSession) -> list[str]:
    """Every workspace that has at least one customer key."""
    rows = await session.scalars(select(CustomerKey.workspace_id).distinct())
    return list(rows)


async def customers_with_keys(
    session: AsyncSession, workspace_id: str, keys: Iterable[tuple[KeyKind, str]]
) -> dict[int, set[KeyKind]]:
    """Customers holding any of the exact ``(kind, value)`` keys, with which kinds matched."""
    wanted = [(kind, value) for kind, value in keys if value]
    if not wanted:
        return {}
    found: dict[int, set[KeyKind]] = {}
    for kind in {k for k, _ in wanted}:
        values = [v for k, v in wanted if k == kind]
        rows = await session.execute(
            select(CustomerKey.customer_id).where(
                CustomerKey.workspace_id == workspace_id,
                CustomerKey.kind == kind,
                CustomerKey.value.in_(values),
            )
        )
        for (customer_id,) in rows:
            found.setdefault(customer_id, set()).add(kind)
    return found


async def add_customer(
    session: AsyncSession,
    workspace_id: str,
    *,
    name: str,
    name_key: str,
    credit_code: str | None,
    region: str | None,
    created_by: str | None,
    at: datetime,
) -> Customer:
    """A new customer row (its keys are added with :func:`add_keys`)."""
    customer = Customer(
        workspace_id=workspace_id,
        name=name,
        name_key=name_key,
        credit_code=credit_code,
        region=region,
        created_by=created_by,
        created_at=at,
    )
    session.add(customer)
    await session.flush()
    return customer


async def add_keys(
    session: AsyncSession,
    workspace_id: str,
    customer_id: int,
    keys: Iterable[tuple[KeyKind, str]],
    *,
    at: datetime,
) -> None:
    """Attach identifying keys to a customer; keys it already has are skipped."""
    rows = [
        {
            "workspace_id": workspace_id,
            "customer_id": customer_id,
            "kind": kind.value,
            "value": value,
            "created_at": at,
        }
        for kind, value in dict.fromkeys(keys)
        if value
    ]
    if rows:
        await session.execute(insert(session, CustomerKey).values(rows).on_conflict_do_nothing())


async def get_customers(
    session: AsyncSession, workspace_id: str, customer_ids: Sequence[int]
) -> dict[int, Customer]:
    """Customers by id (only those of ``workspace_id``)."""
    if not customer_ids:
        return {}
    rows = await session.scalars(
        select(Customer).where(
            Customer.workspace_id == workspace_id, Customer.id.in_(list(customer_ids))
        )
    )
    return {c.id: c for c in rows}


async def holders_of(
    session: AsyncSession, workspace_id: str, customer_ids: Sequence[int]
) -> dict[int, Claim]:
    """The claim currently holding each customer (pending, active or won), by customer id."""
    if not customer_ids:
        return {}
    rows = await session.scalars(
        select(Claim).where(
            Claim.workspace_id == workspace_id,
            Claim.customer_id.in_(list(customer_ids)),
            Claim.status.in_([s.value for s in ClaimStatus.holding()]),
        )
    )
    return {c.customer_id: c for c in rows}


async def mark_claimed(session: AsyncSession, workspace_id: str, customer_id: int) -> None:
    """The customer leaves the public pool (if it was there)."""
    await session.execute(
        update(Customer)
        .where(Customer.workspace_id == workspace_id, Customer.id == customer_id)
        .values(pooled_at=None)
    )
