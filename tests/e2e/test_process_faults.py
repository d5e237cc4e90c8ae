"""A replica dies or is stopped in the middle of work: nothing answered is lost, nothing is
half-written, and a graceful stop lets requests in flight finish."""

from __future__ import annotations

import asyncio
import json
import signal
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import ColumnElement, func, select

from bot.fakeslack.server import FakeSlack
from bot.fakeslack.slackreq import SlackRequester
from store.db import Database
from store.models import AuditEvent, Claim, Collision, CustomerKey, OutboxMessage
from tests.e2e.conftest import SIGNING_SECRET
from tests.e2e.processes import claimbot_process

pytestmark = pytest.mark.slow  # each test starts claimbot as a real process

REPS = [f"U0KILL{i:04d}" for i in range(120)]


def form(i: int) -> dict[str, str]:
    # Every fourth rep files the same customer, the others their own: claims and collisions.
    name = "上海飞鸿贸易有限公司" if i % 4 == 0 else f"测试公司{i:03d}号科技有限公司"
    return {
        "customer_name": name,
        "contact_name": "李四",
        "phone": f"021-6888 {8000 + i}",
        "need_summary": "ERP",
    }


async def open_forms(slack: SlackRequester, fake: FakeSlack) -> list[dict[str, object]]:
    views: list[dict[str, object]] = []
    for rep in REPS:
        assert (await slack.command("", user=rep)).status == 200
        await fake.wait_for("views.open", count=len(views) + 1)
        views.append(fake.latest_view())
    return views


def submit_all(
    slack: SlackRequester, views: list[dict[str, object]]
) -> list[asyncio.Task[tuple[str, str | None]]]:
    """Start every submission; each task gives (view id, verdict text or None if unanswered)."""

    async def one(i: int) -> tuple[str, str | None]:
        view_id = str(views[i]["id"])
        try:
            result = await slack.view_submission(views[i], form(i), user=REPS[i])
        except (aiohttp.ClientError, OSError):
            return view_id, None
        if result.status != 200:
            return view_id, None
        return view_id, json.dumps(result.json().get("view", {}), ensure_ascii=False)

    return [asyncio.ensure_future(one(i)) for i in range(len(views))]


async def until_answered(tasks: list[asyncio.Task[tuple[str, str | None]]], count: int) -> None:
    """Wait until ``count`` submissions have their answer."""
    pending = set(tasks)
    while len(tasks) - len(pending) < count and pending:
        _, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)


async def consistency(database_url: str) -> dict[str, int]:
    """Counts that must agree if nothing was half-written."""
    db = Database(database_url)
    try:
        async with db.session() as session:

            async def count(model: type, *where: ColumnElement[bool]) -> int:
                statement = select(func.count()).select_from(model).where(*where)
                return int(await session.scalar(statement) or 0)

            claims = await count(Claim)
            filed = await count(AuditEvent, AuditEvent.action == "claim.filed")
            collisions = await count(Collision)
            recorded = await count(AuditEvent, AuditEvent.action == "collision.recorded")
            verdicts = await count(OutboxMessage, OutboxMessage.kind == "claim.verdict")
            claims_without_keys = int(
                await session.scalar(
                    select(func.count(Claim.id)).where(
                        ~select(CustomerKey.id)
                        .where(CustomerKey.customer_id == Claim.customer_id)
                        .exists()
                    )
                )
                or 0
            )
            submitted = set(await session.scalars(select(Claim.submission_key)))
        return {
            "claims": claims,
            "filed": filed,
            "collisions": collisions,
            "recorded": recorded,
            "verdicts": verdicts,
            "claims_without_keys": claims_without_keys,
            "submitted": len(submitted),
        }
    finally:
        await db.dispose()


async def test_a_killed_replica_loses_no_answered_claim(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    for rep in REPS:
        fake_slack.add_user(rep, name=rep.lower())
    database_url = f"sqlite+aiosqlite:///{tmp_path}/claimbot.db"
    async with claimbot_process(
        api_url=fake_slack.api_url, database_url=database_url, log_dir=tmp_path, name="victim"
    ) as victim:
        slack = SlackRequester(victim.url, SIGNING_SECRET, fake=fake_slack)
        views = await open_forms(slack, fake_slack)
        tasks = submit_all(slack, views)
        await until_answered(tasks, 1)  # some answered, the rest in flight or queued
        victim.process.send_signal(signal.SIGKILL)
        answers = await asyncio.gather(*tasks)
        await victim.process.wait()

    answered = {view_id: text for view_id, text in answers if text is not None}
    claimed = {v for v, text in answered.items() if "The customer is yours" in text}
    assert len(answered) < len(REPS), "the kill came too late to prove anything"

    # The bot comes back on the same database: every answered claim is there, whole.
    async with claimbot_process(
        api_url=fake_slack.api_url, database_url=database_url, log_dir=tmp_path, name="restarted"
    ):
        counts = await consistency(database_url)
        db = Database(database_url)
        try:
            async with db.session() as session:
                stored = set(await session.scalars(select(Claim.submission_key)))
        finally:
            await db.dispose()
    assert {f"view:{v}" for v in claimed} <= stored
    assert counts["claims"] == counts["filed"] == counts["verdicts"] == counts["submitted"]
    assert counts["collisions"] == counts["recorded"]
    assert counts["claims_without_keys"] == 0


async def test_sigterm_lets_requests_in_flight_finish(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    for rep in REPS:
        fake_slack.add_user(rep, name=rep.lower())
    database_url = f"sqlite+aiosqlite:///{tmp_path}/claimbot.db"
    async with claimbot_process(
        api_url=fake_slack.api_url, database_url=database_url, log_dir=tmp_path, name="bot"
    ) as bot:
        slack = SlackRequester(bot.url, SIGNING_SECRET, fake=fake_slack)
        views = await open_forms(slack, fake_slack)
        tasks = submit_all(slack, views)
        await until_answered(tasks, 1)
        bot.process.send_signal(signal.SIGTERM)
        answers = await asyncio.gather(*tasks)
        assert await bot.process.wait() == 0, bot.output()

    answered = [view_id for view_id, text in answers if text is not None]
    counts = await consistency(database_url)
    # Whatever the server accepted, it answered; whatever it answered is stored, whole.
    assert len(answered) == counts["claims"] + counts["collisions"]
    assert counts["claims"] == counts["filed"] == counts["verdicts"]
    assert "claimbot shutting down" in bot.output()
