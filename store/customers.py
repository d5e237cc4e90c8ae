"""Customers and their identifying keys (name keys, credit code, phone, e-mail)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, and_, select, union_all, update
from sqlalchemy.ext.asyncio import AsyncSession

from store.dialect import insert, insert_many_returning_ids
from store.models import Claim, ClaimStatus, Customer, CustomerKey, KeyKind

CUSTOMER_TABLE = cast(Table, Customer.__table__)  # Core inserts: no per-row ORM bookkeeping
CUSTOMER_KEY_TABLE = cast(Table, CustomerKey.__table__)


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
    """Customers holding any of the exact ``(kind, value)`` keys, with which kinds matched.

    One query whatever the number of kinds: the duplicate check runs on every claim.
    """
    by_kind: dict[KeyKind, list[str]] = {}
    for kind, value in keys:
        if value:
            by_kind.setdefault(kind, []).append(value)
    if not by_kind:
        return {}
    # A UNION of one indexed lookup per kind: SQLite would plan an OR of the kinds as a scan of
    # the whole workspace's keys.
    lookups = [
        select(CustomerKey.customer_id, CustomerKey.kind).where(
            CustomerKey.workspace_id == workspace_id,
            CustomerKey.kind == kind.value,
            CustomerKey.value.in_(values),
        )
        for kind, values in by_kind.items()
    ]
    rows = await session.execute(lookups[0] if len(lookups) == 1 else union_all(*lookups))
    found: dict[int, set[KeyKind]] = {}
    for customer_id, kind_value in rows:
        found.setdefault(customer_id, set()).add(KeyKind(kind_value))
    return found


async def key_owners(
    session: AsyncSession,
    workspace_id: str,
    keys: Iterable[tuple[KeyKind, str]],
    *,
    among: Collection[int] | None = None,
) -> dict[tuple[KeyKind, str], set[int]]:
    """Which customers hold each of the exact keys (one indexed lookup per kind, one query);
    only customers in ``among``, when given."""
    by_kind: dict[KeyKind, set[str]] = {}
    for kind, value in keys:
        if value:
            by_kind.setdefault(kind, set()).add(value)
    if not by_kind:
        return {}
    lookups = [
        select(CustomerKey.kind, CustomerKey.value, CustomerKey.customer_id).where(
            CustomerKey.workspace_id == workspace_id,
            CustomerKey.kind == kind.value,
            CustomerKey.value.in_(sorted(values)),
            *([] if among is None else [CustomerKey.customer_id.in_(sorted(among))]),
        )
        for kind, values in by_kind.items()
    ]
    rows = await session.execute(lookups[0] if len(lookups) == 1 else union_all(*lookups))
    owners: dict[tuple[KeyKind, str], set[int]] = {}
    for kind_value, value, customer_id in rows:
        owners.setdefault((KeyKind(kind_value), value), set()).add(customer_id)
    return owners


async def add_keys_many(
    session: AsyncSession,
    workspace_id: str,
    keys: Iterable[tuple[int, KeyKind, str]],
    *,
    at: datetime,
) -> None:
    """Attach keys to several customers in one statement; keys a customer has are skipped."""
    rows = [
        {
            "workspace_id": workspace_id,
            "customer_id": customer_id,
            "kind": kind.value,
            "value": value,
            "created_at": at,
        }
        for customer_id, kind, value in dict.fromkeys(keys)
        if value
    ]
    if rows:
        # executemany of one compiled statement: a VALUES list of thousands of rows costs more
        # to compile than to run (an import adds a thousand customers' keys at a time). The
        # table, not the entity: the ORM's per-row bookkeeping was a fifth of an import's writes.
        await session.execute(insert(session, CUSTOMER_KEY_TABLE).on_conflict_do_nothing(), rows)


async def insert_customers(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert customers in one multi-row statement; their ids, in the order of ``rows``."""
    # The table, not the entity: Core's executemany skips the ORM's per-row bookkeeping.
    return await insert_many_returning_ids(
        session, CUSTOMER_TABLE, rows, ("name", "name_key", "other_name", "credit_code", "region")
    )


async def unpool(session: AsyncSession, workspace_id: str, customer_ids: Iterable[int]) -> None:
    """These customers leave the public pool."""
    ids = sorted(set(customer_ids))
    if ids:
        await session.execute(
            update(Customer)
            .where(Customer.workspace_id == workspace_id, Customer.id.in_(ids))
            .values(pooled_at=None)
        )


async def customers_and_holders(
    session: AsyncSession, workspace_id: str, customer_ids: Sequence[int]
) -> list[tuple[Customer, Claim | None]]:
    """Customers by id with the claim holding each (pending, active or won), in one query."""
    if not customer_ids:
        return []
    holding = and_(
        Claim.customer_id == Customer.id,
        Claim.status.in_([s.value for s in ClaimStatus.holding()]),
    )
    rows = await session.execute(
        select(Customer, Claim)
        .outerjoin(Claim, holding)
        .where(Customer.workspace_id == workspace_id, Customer.id.in_(list(customer_ids)))
    )
    return [(customer, claim) for customer, claim in rows]


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
    other_name: str | None = None,
) -> Customer:
    """A new customer row (its keys are added with :func:`add_keys`)."""
    customer = Customer(
        workspace_id=workspace_id,
        name=name,
        name_key=name_key,
        other_name=other_name,
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
