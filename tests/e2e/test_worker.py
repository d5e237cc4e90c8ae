"""``claimbot`` with CLAIMBOT_BACKGROUND=off beside ``claimbot worker``: the web process only
answers Slack; the worker delivers what it queued and runs the sweep."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.fakeslack.server import FakeSlack
from bot.fakeslack.slackreq import SlackRequester
from tests.e2e.conftest import ALICE, PEOPLE, SIGNING_SECRET
from tests.e2e.processes import claimbot_process

pytestmark = pytest.mark.slow  # real processes

CLAIM = {
    "customer_name": "北京字节跳动科技有限公司",
    "contact_name": "张三",
    "phone": "13800138000",
    "need_summary": "CRM 试用",
}

# Long enough for an in-process outbox, kicked after the verdict, to have sent the DM.
QUIET_SECONDS = 2.0


async def health(url: str) -> dict[str, Any]:
    async with aiohttp.ClientSession() as session, session.get(f"{url}/healthz") as response:
        assert response.status == 200
        return dict(await response.json())


async def test_the_web_process_only_answers_and_the_worker_delivers_and_sweeps(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    for user_id, name, locale in PEOPLE:
        fake_slack.add_user(user_id, name=name, locale=locale)
    database_url = f"sqlite+aiosqlite:///{tmp_path}/claimbot.db"
    async with claimbot_process(
        api_url=fake_slack.api_url,
        database_url=database_url,
        log_dir=tmp_path,
        name="web",
        env={"CLAIMBOT_BACKGROUND": "off"},
    ) as web:
        slack = SlackRequester(web.url, SIGNING_SECRET, fake=fake_slack)
        await slack.command("", user=ALICE)
        await fake_slack.wait_for("views.open", timeout=30)
        answer = (await slack.view_submission(fake_slack.latest_view(), CLAIM, user=ALICE)).json()
        assert answer["response_action"] == "update"
        await asyncio.sleep(QUIET_SECONDS)
        assert fake_slack.calls_to("chat.postMessage", delivered=None) == []
        assert "scheduler" not in await health(web.url)
        assert "background services in claimbot worker" in web.output()

        async with claimbot_process(
            api_url=fake_slack.api_url,
            database_url=database_url,
            log_dir=tmp_path,
            name="worker",
            command=["worker"],
        ) as worker:
            dm = await fake_slack.wait_for("chat.postMessage", timeout=30)
            assert dm[0].params["channel"] == ALICE
            assert "北京字节跳动科技有限公司" in dm[0].params["text"]
            for _ in range(300):
                scheduler = (await health(worker.url))["scheduler"]
                if scheduler["last_pass"] is not None:
                    break
                await asyncio.sleep(0.1)
            assert scheduler["role"] == "leader"
            assert scheduler["last_pass"] is not None
            async with (
                aiohttp.ClientSession() as session,
                session.post(f"{worker.url}/slack/events", data=b"{}") as response,
            ):
                assert response.status in (404, 405)  # a worker takes no Slack requests
        assert "claimbot worker starting" in worker.output()
