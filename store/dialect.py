"""The few statements whose spelling differs between SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy import insert as sa_insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def insert(session: AsyncSession, table: Any) -> Any:
    """An INSERT that supports ``on_conflict_do_nothing``/``on_conflict_do_update`` on both backends."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


async def insert_many_returning_ids(
    session: AsyncSession, table: Table, rows: Sequence[dict[str, Any]], match_on: tuple[str, ...]
) -> list[int]:
    """Insert ``rows`` in one multi-row statement; their ids, in the order of ``rows``.

    RETURNING promises no order, and asking SQLAlchemy for one (``sort_by_parameter_order``)
    makes it insert row by row on SQLite, which has no sentinel it can sort by: 19,479 round
    trips for an import of 20,000 rows, half the import's time. So each returned id is matched
    to its row by the ``match_on`` columns instead; rows equal in all of them are interchangeable.
    """
    if not rows:
        return []
    columns = [table.c[name] for name in match_on]
    returned = await session.execute(sa_insert(table).returning(table.c.id, *columns), list(rows))
    ids_by_content: dict[tuple[Any, ...], list[int]] = {}
    for row_id, *content in returned:
        ids_by_content.setdefault(tuple(content), []).append(row_id)
    return [ids_by_content[tuple(row.get(name) for name in match_on)].pop() for row in rows]
