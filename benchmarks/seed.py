"""Fill a database with synthetic customers fast (bulk inserts, keys computed as the bot does)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from sqlalchemy import insert, text

from benchmarks.synthetic import company_names
from bot.matching import company_key
from store.db import Database
from store.models import Customer, CustomerKey, KeyKind

BATCH = 5_000


async def seed_customers(
    db: Database, workspace_id: str, count: int, *, seed: int = 0
) -> list[str]:
    """Insert ``count`` customers with their name keys and a phone each; returns the names."""
    names = company_names(count, seed=seed)
    now = datetime.now(UTC)
    started = time.perf_counter()
    for start in range(0, count, BATCH):
        chunk = names[start : start + BATCH]
        async with db.session() as session:
            rows = [
                {
                    "workspace_id": workspace_id,
                    "name": name[:200],
                    "name_key": key,
                    "created_at": now,
                }
                for name in chunk
                if (key := company_key(name))
            ]
            ids = list(await session.scalars(insert(Customer).returning(Customer.id), rows))
            keys = []
            for customer_id, row in zip(ids, rows, strict=True):
                keys.append(
                    {
                        "workspace_id": workspace_id,
                        "customer_id": customer_id,
                        "kind": KeyKind.NAME.value,
                        "value": row["name_key"],
                        "created_at": now,
                    }
                )
                keys.append(
                    {
                        "workspace_id": workspace_id,
                        "customer_id": customer_id,
                        "kind": KeyKind.PHONE.value,
                        "value": f"+86139{customer_id:08d}",
                        "created_at": now,
                    }
                )
            await session.execute(insert(CustomerKey), keys)
    # A production database has its planner statistics; a bulk load has none until autovacuum
    # comes by, and PostgreSQL then plans the key lookups as scans.
    async with db.engine.connect() as conn:
        await conn.execute(text("ANALYZE"))
        await conn.commit()
    print(f"seeded {count:,} customers in {time.perf_counter() - started:.1f} s")
    return names
