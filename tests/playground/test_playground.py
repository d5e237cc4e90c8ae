"""``claimbot playground`` without a browser: the process, the seeded workspace, the page's API.

The page's API is what the browser calls; these tests call it over HTTP the same way and check
what each person would be shown.
"""

from __future__ import annotations

import asyncio
import json
import urllib.request
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer
from slack_sdk.errors import SlackApiError
from sqlalchemy import func, select

import bot.fakeslack
from bot.fakeslack.server import FakeSlack
from bot.playground import seed
from bot.playground.app import Playground
from bot.playground.web import build_page_app
from store.models import Customer
from tests.playground.browser import playground_process

WANG, LI, EMMA = seed.WANG, seed.LI, seed.EMMA


@pytest_asyncio.fixture
async def playground(tmp_path: Path) -> AsyncIterator[Playground]:
    pg = await Playground.start(tmp_path / "playground.db")
    try:
        yield pg
    finally:
        await pg.stop()


@pytest_asyncio.fixture
async def client(playground: Playground) -> AsyncIterator[TestClient[Any, Any]]:
    async with TestClient(TestServer(build_page_app(playground))) as test_client:
        yield test_client


async def state(client: TestClient[Any, Any], user: str) -> dict[str, Any]:
    response = await client.get("/api/state", params={"as": user})
    assert response.status == 200
    return dict(await response.json())


async def do(client: TestClient[Any, Any], path: str, **body: Any) -> dict[str, Any]:
    response = await client.post(path, json=body)
    return dict(await response.json())


def texts(snapshot: dict[str, Any], conversation: str) -> str:
    found = next(c for c in snapshot["conversations"] if c["id"] == conversation)
    return json.dumps(found["messages"], ensure_ascii=False)


@pytest.mark.slow
def test_claimbot_playground_starts_as_a_process_and_serves_the_page(tmp_path: Path) -> None:
    with playground_process(tmp_path, "--empty") as url:
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.status == 200
            assert "<title>Claimbot playground</title>" in response.read().decode()
        with urllib.request.urlopen(f"{url}api/state?as={WANG}", timeout=10) as response:
            answer = json.loads(response.read())
    assert answer["viewer"]["real_name"] == "王芳"
    assert answer["labels"]["act_as"] == "当前身份"


async def test_the_tests_and_the_playground_run_the_same_fake_slack(
    fake_slack: FakeSlack, playground: Playground
) -> None:
    assert type(playground.fake) is type(fake_slack) is bot.fakeslack.FakeSlack
    glue = Path(__file__).parents[1] / "fakeslack"
    assert sorted(p.name for p in glue.glob("*.py")) == ["__init__.py", "pytest_plugin.py"]


async def test_the_seeded_workspace_shows_the_pool_and_tells_the_former_owners(
    client: TestClient[Any, Any], playground: Playground
) -> None:
    def announced() -> bool:
        seen = playground.snapshot(LI)
        pool, dm = texts(seen, seed.POOL), texts(seen, playground.fake.dm_channel(LI))
        return "常州龙城纺织印染有限公司" in dm and all(n in pool for n, *_ in seed.IDLE_CUSTOMERS)

    await playground.fake.wait_until(announced, timeout=10, what="the pool announcements")
    li = await state(client, LI)
    assert [c["name"] for c in li["conversations"]] == ["Claimbot", "sales", "claim-pool"]
    assert li["violations"] == []
    emma = await state(client, EMMA)
    assert emma["labels"]["act_as"] == "Act as" and emma["viewer"]["tz"] == "Asia/Singapore"


async def test_a_command_answers_the_person_alone(client: TestClient[Any, Any]) -> None:
    assert (await do(client, "/api/command", user=EMMA, channel="C0PGSALES1", text="/claim help"))[
        "ok"
    ]
    await asyncio.sleep(0.5)
    emma = await state(client, EMMA)
    shown = next(c for c in emma["conversations"] if c["id"] == "C0PGSALES1")["messages"]
    assert shown and all(m["ephemeral"] for m in shown)
    assert "/claim" in json.dumps(shown)
    wang = await state(client, WANG)
    assert next(c for c in wang["conversations"] if c["id"] == "C0PGSALES1")["messages"] == []


async def test_text_that_is_not_a_command_is_refused_in_the_persons_language(
    client: TestClient[Any, Any],
) -> None:
    answer = await do(client, "/api/command", user=WANG, channel="D0PGWANG01", text="你好")
    assert answer == {"ok": False, "error": "Claimbot 在这里只响应 /claim 命令，试试 /claim help。"}


async def test_the_clock_moves_forward_for_the_sweep_and_for_new_claims(
    client: TestClient[Any, Any], playground: Playground
) -> None:
    before = playground.clock.now()
    answer = await do(client, "/api/clock", user=WANG, days=7)
    assert answer["ok"]
    assert playground.rt.clock.now() - before >= timedelta(days=7)
    later = (before + timedelta(days=30)).date()
    assert (await do(client, "/api/clock", user=EMMA, to=later.isoformat()))["ok"]
    assert playground.clock.now().astimezone(playground.rt.rules.zone).date() == later
    back = await do(client, "/api/clock", user=EMMA, to=before.date().isoformat())
    assert back == {"ok": False, "error": "The playground's clock only moves forward."}


async def test_a_call_slack_would_reject_is_shown_until_dismissed(
    client: TestClient[Any, Any], playground: Playground
) -> None:
    with pytest.raises(SlackApiError):
        await playground.rt.slack.chat_postMessage(
            channel=seed.SALES, text="a card", blocks=[{"type": "nope"}]
        )
    shown = (await state(client, WANG))["violations"]
    assert shown and shown[0].startswith("chat.postMessage: ")
    assert (await do(client, "/api/dismiss", user=WANG))["ok"]
    assert (await state(client, WANG))["violations"] == []


async def test_the_page_is_told_of_changes_as_they_happen(
    client: TestClient[Any, Any], playground: Playground
) -> None:
    response = await client.get("/api/events")
    first = await asyncio.wait_for(response.content.readline(), 5)
    assert first.startswith(b"data: ")
    await response.content.readline()
    await do(client, "/api/command", user=WANG, channel="D0PGWANG01", text="/claim help")
    second = await asyncio.wait_for(response.content.readline(), 5)
    assert second.startswith(b"data: ") and second != first
    response.close()


async def test_an_unknown_person_is_refused(client: TestClient[Any, Any]) -> None:
    assert (await client.get("/api/state", params={"as": "U0NOBODY"})).status == 404
    assert (await client.post("/api/shortcut", json={"user": "U0NOBODY"})).status == 404


async def test_empty_starts_without_customers(tmp_path: Path) -> None:
    pg = await Playground.start(tmp_path / "empty.db", empty=True)
    try:
        assert pg.snapshot(LI)["conversations"][2]["messages"] == []
        async with pg.rt.db.session() as session:
            assert await session.scalar(select(func.count()).select_from(Customer)) == 0
    finally:
        await pg.stop()
