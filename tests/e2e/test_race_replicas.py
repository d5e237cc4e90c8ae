"""Two claimbot processes sharing one PostgreSQL: claims racing across them make one owner."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.fakeslack.server import FakeSlack
from bot.fakeslack.slackreq import SlackRequester, SlackResult
from store.db import Database
from store.models import Claim, Collision
from tests.databases import fresh_postgres_database
from tests.e2e.conftest import SIGNING_SECRET
from tests.e2e.processes import claimbot_process

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

FORM = {
    "customer_name": "上海飞鸿贸易有限公司",
    "contact_name": "李四",
    "phone": "021-6888 8888",
    "need_summary": "ERP",
}


async def final_verdict(fake: FakeSlack, result: SlackResult, view: dict[str, Any]) -> str:
    """The verdict the rep ends up seeing: the answer's, or, when the database was too busy
    to decide inside Slack's window ("in line", a loaded machine), the modal's update."""
    shown = json.dumps(result.json()["view"]["blocks"], ensure_ascii=False)
    if "yours is in line" not in shown:
        return shown

    def updates() -> list[str]:
        return [
            json.dumps(call.params["view"]["blocks"], ensure_ascii=False)
            for call in fake.calls_to("views.update", delivered=True)
            if call.params.get("view_id") == view["id"]
        ]

    await fake.wait_until(lambda: bool(updates()), timeout=30)
    [verdict] = updates()
    return verdict


async def test_claims_racing_across_two_replicas_make_exactly_one_owner(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    reps = [f"U0RACE{i:04d}" for i in range(20)]
    for rep in reps:
        fake_slack.add_user(rep, name=rep.lower(), locale="en-US")
    async with (
        fresh_postgres_database() as database_url,
        claimbot_process(
            api_url=fake_slack.api_url, database_url=database_url, log_dir=tmp_path, name="a"
        ) as replica_a,
        claimbot_process(
            api_url=fake_slack.api_url, database_url=database_url, log_dir=tmp_path, name="b"
        ) as replica_b,
    ):
        a = SlackRequester(replica_a.url, SIGNING_SECRET, fake=fake_slack)
        b = SlackRequester(replica_b.url, SIGNING_SECRET, fake=fake_slack)
        views: list[dict[str, Any]] = []
        for rep in reps:
            assert (await a.command("", user=rep)).status == 200
            await fake_slack.wait_for("views.open", count=len(views) + 1)
            views.append(fake_slack.latest_view())
        results = await asyncio.gather(
            *(
                (a if i % 2 else b).view_submission(
                    view, FORM | {"phone": f"021-6888 {9000 + i}"}, user=rep
                )
                for i, (rep, view) in enumerate(zip(reps, views, strict=True))
            )
        )
        verdicts = [
            await final_verdict(fake_slack, result, view)
            for result, view in zip(results, views, strict=True)
        ]
        assert sum("The customer is yours" in v for v in verdicts) == 1, replica_a.output()
        assert sum("Already claimed" in v for v in verdicts) == 19

        db = Database(database_url)
        try:
            async with db.session() as session:
                assert await session.scalar(select(func.count(Claim.id))) == 1
                assert await session.scalar(select(func.count(Collision.id))) == 19
        finally:
            await db.dispose()
