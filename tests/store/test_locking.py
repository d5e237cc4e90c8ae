"""A locked unit of work excludes every other locked unit of work of the same workspace."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from store.db import Database


async def test_locked_units_of_one_workspace_run_one_after_the_other(db: Database) -> None:
    timeline: list[str] = []
    first_inside = asyncio.Event()

    async def first() -> None:
        async with db.locked("T1") as session:
            await session.execute(text("SELECT 1 FROM people"))
            timeline.append("first in")
            first_inside.set()
            await asyncio.sleep(0.2)
            timeline.append("first out")

    async def second() -> None:
        await first_inside.wait()
        async with db.locked("T1") as session:
            await session.execute(text("SELECT 1 FROM people"))
            timeline.append("second in")

    await asyncio.gather(first(), second())
    assert timeline == ["first in", "first out", "second in"]


async def test_other_workspaces_do_not_wait_on_postgresql(db: Database) -> None:
    """SQLite has one write lock for the file; PostgreSQL locks per workspace."""
    if db.dialect != "postgresql":
        return
    timeline: list[str] = []
    first_inside = asyncio.Event()

    async def first() -> None:
        async with db.locked("T1"):
            first_inside.set()
            await asyncio.sleep(0.3)
            timeline.append("T1 out")

    async def other() -> None:
        await first_inside.wait()
        async with db.locked("T2"):
            timeline.append("T2 in")

    await asyncio.gather(first(), other())
    assert timeline == ["T2 in", "T1 out"]
