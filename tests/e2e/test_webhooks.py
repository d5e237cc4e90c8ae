"""Outbound webhooks over real HTTP: a real local receiver, signatures checked the way a receiver
would, a retry after a 500, events of a claim in order, stable event IDs, failures reported."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from sqlalchemy import func, select

from bot.rules import Rules
from bot.webhooks.signing import Header, verify
from bot.webhooks.status import webhook_status
from store.models import WebhookDelivery
from tests.e2e.conftest import ALICE, BO, Bot, BotFactory
from tests.e2e.test_claim_flow import BYTEDANCE
from tests.e2e.test_lifecycle import file_acme, log_followup
from tests.e2e.webhook_receiver import Received, Receiver, receiver
from tests.lifecycle.support import team_rules, wait_dm

SECRET = "whsec-0123456789abcdef"


def hook_rules(url: str, **webhooks: Any) -> Rules:
    return Rules.model_validate(
        {
            "webhooks": {
                "endpoints": [{"name": "crm", "url": url, "secret": SECRET}],
                **webhooks,
            }
        }
    )


@pytest_asyncio.fixture
async def hook() -> AsyncIterator[Receiver]:
    async with receiver() as found:
        yield found


async def eventually(condition: Callable[[], bool]) -> None:
    """Wait (up to 5 s) for something the worker does after the receiver has answered."""
    async with asyncio.timeout(5):
        # The worker's log line and row update have no event a test could wait on.
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.02)


def verified(bot: Bot, got: Received) -> dict[str, Any]:
    """The event, after checking its signature as the README tells receivers to."""
    assert verify(
        SECRET,
        got.headers[Header.TIMESTAMP],
        got.body,
        got.headers[Header.SIGNATURE],
        now=bot.clock.now().timestamp(),
    ), got.headers
    assert got.headers[Header.EVENT_ID] == got.event["id"]
    assert got.headers[Header.EVENT_TYPE] == got.event["type"]
    event: dict[str, Any] = got.event
    return event


async def test_a_filed_claim_reaches_the_receiver_signed_and_in_order(
    bot_factory: BotFactory, hook: Receiver
) -> None:
    bot = await bot_factory(rules=hook_rules(hook.url))
    await bot.file_claim(BYTEDANCE, user=ALICE)
    got = await hook.wait_accepted(2)
    events = [verified(bot, g) for g in got]
    assert [e["type"] for e in events] == ["claim.filed", "claim.approved"]
    filed = events[0]
    assert filed["actor_id"] == ALICE and filed["workspace_id"] == "T1"
    assert filed["claim_id"] == events[1]["claim_id"] is not None
    assert filed["data"]["customer_name"] == BYTEDANCE["customer_name"]
    assert got[0].headers["Content-Type"].startswith("application/json")


async def test_a_forged_or_stale_signature_does_not_verify(
    bot_factory: BotFactory, hook: Receiver
) -> None:
    bot = await bot_factory(rules=hook_rules(hook.url))
    await bot.file_claim(BYTEDANCE, user=ALICE)
    got = (await hook.wait_accepted(1))[0]
    now = bot.clock.now().timestamp()
    stamp, signature = got.headers[Header.TIMESTAMP], got.headers[Header.SIGNATURE]
    assert not verify("another-secret-0000", stamp, got.body, signature, now=now)
    assert not verify(SECRET, stamp, got.body.replace(b"claim", b"clam"), signature, now=now)
    assert not verify(SECRET, stamp, got.body, signature, now=now + 301)


async def test_a_receivers_500_is_retried_with_the_same_event_id_and_order_holds(
    bot_factory: BotFactory, hook: Receiver, caplog: pytest.LogCaptureFixture, database_url: str
) -> None:
    hook.script = [500]
    bot = await bot_factory(rules=hook_rules(hook.url), database_url=database_url)
    with caplog.at_level(logging.WARNING, logger="bot.webhooks.worker"):
        await bot.file_claim(BYTEDANCE, user=ALICE)
        first = (await hook.wait_received(1))[0]
        await eventually(lambda: any("HTTP 500" in r.getMessage() for r in caplog.records))
    assert any("will retry" in r.getMessage() for r in caplog.records)
    # Nothing of this claim overtakes the event that failed, however often the worker runs.
    await bot.rt.webhooks.drain()
    assert len(hook.received) == 1
    bot.clock.advance(timedelta(seconds=7))
    await bot.rt.webhooks.drain()
    got = await hook.wait_accepted(2)
    assert got[0].event["id"] == first.event["id"]
    assert got[0].headers[Header.ATTEMPT] == "2"
    assert [g.event["type"] for g in got] == ["claim.filed", "claim.approved"]


async def test_events_of_each_claim_arrive_in_order_while_one_claim_is_stuck(
    bot_factory: BotFactory, hook: Receiver, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    bot = await bot_factory(rules=hook_rules(hook.url), database_url=database_url)
    await bot.file_claim(BYTEDANCE, user=ALICE)
    await hook.wait_accepted(2)
    hook.script = [503]  # the next delivery fails: the first event of the second claim
    await bot.file_claim(
        BYTEDANCE | {"customer_name": "上海寻梦信息技术有限公司", "phone": "139 0000 1111"},
        user=BO,
    )
    await hook.wait_received(3)
    # Meanwhile a third claim's events go through: one stuck claim holds up no one else.
    await bot.file_claim(
        BYTEDANCE | {"customer_name": "杭州网易雷火科技有限公司", "phone": "137 0000 2222"},
        user=ALICE,
    )
    await hook.wait_accepted(4)
    await eventually(lambda: any("HTTP 503" in r.getMessage() for r in caplog.records))
    bot.clock.advance(timedelta(seconds=10))
    await bot.rt.webhooks.drain()
    accepted = await hook.wait_accepted(6)
    per_claim: dict[int, list[str]] = {}
    for got in accepted:
        per_claim.setdefault(got.event["claim_id"], []).append(got.event["type"])
    assert list(per_claim.values()) == [["claim.filed", "claim.approved"]] * 3
    assert len({g.event["id"] for g in accepted}) == 6


async def test_a_dead_receiver_is_given_up_on_logged_and_reported(
    bot_factory: BotFactory, hook: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    hook.script = [500] * 10
    bot = await bot_factory(rules=hook_rules(hook.url, max_attempts=2))
    with caplog.at_level(logging.WARNING, logger="bot.webhooks.worker"):
        await bot.file_claim(BYTEDANCE, user=ALICE)
        await eventually(lambda: any("will retry" in r.getMessage() for r in caplog.records))
        bot.clock.advance(timedelta(seconds=10))
        await bot.rt.webhooks.drain()
        await eventually(lambda: any("failed for good" in r.getMessage() for r in caplog.records))
    [status] = await webhook_status(bot.rt.db, bot.rt.rules, bot.clock.now())
    assert not status.ok and status.failed >= 1
    assert "FAILING" in status.line() and "HTTP 500" in status.line()
    async with aiohttp.ClientSession() as http, http.get(f"{bot.url}/healthz") as health:
        assert (await health.json())["webhooks"]["crm"]["status"] == "failing"


async def test_without_endpoints_nothing_is_owed(bot: Bot) -> None:
    await bot.file_claim(BYTEDANCE, user=ALICE)
    async with bot.rt.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(WebhookDelivery)) == 0


async def test_the_readmes_receiver_snippet_verifies_a_real_delivery(
    bot_factory: BotFactory, hook: Receiver
) -> None:
    bot = await bot_factory(rules=hook_rules(hook.url))
    await bot.file_claim(BYTEDANCE, user=ALICE)
    got = (await hook.wait_accepted(1))[0]
    # As the README shows receivers, with nothing but the standard library.
    timestamp = got.headers["X-Claimbot-Request-Timestamp"]
    expected = (
        "v0="
        + hmac.new(
            SECRET.encode(), f"v0:{timestamp}:".encode() + got.body, hashlib.sha256
        ).hexdigest()
    )
    assert hmac.compare_digest(expected, got.headers["X-Claimbot-Signature"])


async def test_a_claims_whole_life_reaches_the_receiver_in_order(
    bot_factory: BotFactory, hook: Receiver
) -> None:
    # Events recorded one by one (follow-ups, won, lost, the pool) as well as by the claim batch.
    bot = await bot_factory(
        rules=team_rules(
            webhooks={"endpoints": [{"name": "erp", "url": hook.url, "secret": SECRET}]}
        )
    )
    won_id = await file_acme(bot)
    lost_id = await file_acme(
        bot, user=BO, customer_name="杭州云帆科技有限公司", phone="0571-8888 1234"
    )
    won_dm = (await wait_dm(bot, ALICE, "上海艾克美机器人有限公司"))[0]
    lost_dm = (await wait_dm(bot, BO, "杭州云帆科技有限公司"))[0]
    await log_followup(bot, ALICE, via=won_dm, answers={"followup_stage": "analysis"})
    await log_followup(bot, ALICE, via=won_dm, answers={"followup_stage": "won"})
    await log_followup(bot, BO, via=lost_dm, answers={"followup_stage": "lost"})
    accepted = await hook.wait_accepted(9)
    per_claim: dict[int, list[str]] = {}
    for got in accepted:
        event = verified(bot, got)
        per_claim.setdefault(event["claim_id"], []).append(event["type"])
    assert per_claim[won_id][:2] == ["claim.filed", "claim.approved"]
    assert per_claim[won_id][2:] == ["claim.followed_up", "claim.followed_up", "claim.won"]
    assert per_claim[lost_id][2:] == ["claim.followed_up", "claim.lost"]


async def test_two_replicas_deliver_each_event_once_and_each_claim_in_order(
    bot_factory: BotFactory, hook: Receiver, database_url: str
) -> None:
    rules = hook_rules(hook.url)
    first = await bot_factory(rules=rules, database_url=database_url)
    second = await bot_factory(rules=rules, database_url=database_url, migrate=False)
    names = ["上海寻梦信息技术有限公司", "杭州网易雷火科技有限公司", "北京小米移动软件有限公司"]
    # Filed one after the other (two forms opened at once could not tell their modals apart),
    # alternating replicas, while both replicas' workers drain the one outbox.
    for n, name in enumerate(names):
        await (first if n % 2 else second).file_claim(
            BYTEDANCE | {"customer_name": name, "phone": f"1390000{n:04d}"},
            user=(ALICE, BO)[n % 2],
        )
    accepted = await hook.wait_accepted(6)
    await asyncio.gather(first.rt.webhooks.drain(), second.rt.webhooks.drain())
    assert len(hook.received) == 6  # each event once
    per_claim: dict[int, list[str]] = {}
    for got in accepted:
        per_claim.setdefault(got.event["claim_id"], []).append(got.event["type"])
    assert list(per_claim.values()) == [["claim.filed", "claim.approved"]] * 3
