"""What ``claimbot rekey`` reads and writes: customers' names, their name keys, the run's state."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store.customers import add_keys_many
from store.models import Claim, Customer, CustomerKey, KeyKind, RekeyRun


@dataclass(frozen=True, slots=True)
class CustomerNames:
    """A customer, every name it was filed or imported under, and its stored name keys."""

    customer_id: int
    name: str
    name_key: str
    names: tuple[str, ...]
    keys: dict[str, int] = field(default_factory=dict)  # key value -> customer_keys row id
    emails: tuple[str, ...] = ()  # its e-mail keys (addresses as compared)
    email_domains: dict[str, int] = field(default_factory=dict)  # domain -> customer_keys row id


async def generation(session: AsyncSession, workspace_id: str) -> int:
    """The workspace's name-key generation: grows when a rekey run finishes (0 before any)."""
    found = await session.scalar(
        select(RekeyRun.generation).where(RekeyRun.workspace_id == workspace_id)
    )
    return int(found or 0)


async def get_run(session: AsyncSession, workspace_id: str) -> RekeyRun | None:
    """The workspace's run (finished or not), None before the first."""
    return await session.get(RekeyRun, workspace_id)


async def start_run(
    session: AsyncSession, workspace_id: str, at: datetime, *, restart: bool
) -> RekeyRun:
    """The workspace's run: the unfinished one to resume, or a new one from the first customer."""
    run = await session.get(RekeyRun, workspace_id, with_for_update=True)
    if run is None:
        run = RekeyRun(workspace_id=workspace_id, generation=0)
        session.add(run)
    elif run.finished_at is None and not restart:
        return run
    run.started_at = at
    run.finished_at = None
    run.last_customer_id = 0
    run.customers_done = run.keys_added = run.keys_removed = 0
    await session.flush()
    return run


async def customers_left(session: AsyncSession, workspace_id: str, after_id: int) -> int:
    """How many customers have an id above ``after_id``."""
    count = await session.scalar(
        select(func.count(Customer.id)).where(
            Customer.workspace_id == workspace_id, Customer.id > after_id
        )
    )
    return int(count or 0)


async def customers_after(
    session: AsyncSession, workspace_id: str, after_id: int, limit: int
) -> list[CustomerNames]:
    """The next ``limit`` customers by id, with all their names, name keys, e-mail keys and
    e-mail domain keys."""
    rows = (
        await session.execute(
            select(Customer.id, Customer.name, Customer.other_name, Customer.name_key)
            .where(Customer.workspace_id == workspace_id, Customer.id > after_id)
            .order_by(Customer.id)
            .limit(limit)
        )
    ).all()
    if not rows:
        return []
    ids = [row.id for row in rows]
    names: dict[int, list[str]] = {row.id: [row.name, row.other_name or ""] for row in rows}
    for customer_id, customer_name, other_name in await session.execute(
        select(Claim.customer_id, Claim.customer_name, Claim.other_name).where(
            Claim.workspace_id == workspace_id, Claim.customer_id.in_(ids)
        )
    ):
        names[customer_id] += [customer_name, other_name or ""]
    keys: dict[KeyKind, dict[int, dict[str, int]]] = {
        kind: {customer_id: {} for customer_id in ids}
        for kind in (KeyKind.NAME, KeyKind.EMAIL, KeyKind.EMAIL_DOMAIN)
    }
    for key_id, customer_id, kind, value in await session.execute(
        select(CustomerKey.id, CustomerKey.customer_id, CustomerKey.kind, CustomerKey.value).where(
            CustomerKey.workspace_id == workspace_id,
            CustomerKey.kind.in_([kind.value for kind in keys]),
            CustomerKey.customer_id.in_(ids),
        )
    ):
        keys[KeyKind(kind)][customer_id][value] = key_id
    return [
        CustomerNames(
            customer_id=row.id,
            name=row.name,
            name_key=row.name_key,
            names=tuple(n for n in dict.fromkeys(names[row.id]) if n),
            keys=keys[KeyKind.NAME][row.id],
            emails=tuple(keys[KeyKind.EMAIL][row.id]),
            email_domains=keys[KeyKind.EMAIL_DOMAIN][row.id],
        )
        for row in rows
    ]


async def replace_name_keys(
    session: AsyncSession,
    workspace_id: str,
    *,
    added: Iterable[tuple[int, str]],
    removed: Sequence[int],
    name_keys: dict[int, str],
    at: datetime,
    domains_added: Iterable[tuple[int, str]] = (),
) -> None:
    """Add name keys and e-mail domain keys (customer id, value), delete key rows by id, set
    customers' primary keys."""
    await add_keys_many(
        session,
        workspace_id,
        [
            *((c, KeyKind.NAME, key) for c, key in added),
            *((c, KeyKind.EMAIL_DOMAIN, domain) for c, domain in domains_added),
        ],
        at=at,
    )
    if removed:
        await session.execute(
            delete(CustomerKey).where(
                CustomerKey.workspace_id == workspace_id, CustomerKey.id.in_(removed)
            )
        )
    for customer_id, key in name_keys.items():
        await session.execute(
            update(Customer)
            .where(Customer.workspace_id == workspace_id, Customer.id == customer_id)
            .values(name_key=key)
        )


async def save_progress(
    session: AsyncSession,
    workspace_id: str,
    *,
    last_customer_id: int,
    customers: int,
    added: int,
    removed: int,
) -> None:
    """Record a finished batch, in the batch's own transaction (a restart resumes after it)."""
    await session.execute(
        update(RekeyRun)
        .where(RekeyRun.workspace_id == workspace_id)
        .values(
            last_customer_id=last_customer_id,
            customers_done=RekeyRun.customers_done + customers,
            keys_added=RekeyRun.keys_added + added,
            keys_removed=RekeyRun.keys_removed + removed,
        )
    )


async def finish_run(session: AsyncSession, workspace_id: str, at: datetime) -> RekeyRun:
    """Mark the run finished and move the generation on (running bots rebuild their index)."""
    run = await session.get(RekeyRun, workspace_id, with_for_update=True)
    assert run is not None, "finish_run without start_run"
    run.finished_at = at
    run.generation += 1
    await session.flush()
    return run
