"""What real Slack does that a naive fake would not: the unsigned SSL check, escaped command
text. Each test fails without the fix it pins."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import aiohttp
from sqlalchemy import select

from bot.fakeslack.reading import action_ids
from bot.people import PROFILE_TTL, refresh_after
from store.models import AuditEvent
from tests.e2e.approvals_support import (
    APPROVALS_CHANNEL,
    BIG_DEAL,
    WEI,
    cards_to,
    outbox_drained,
    start,
)
from tests.e2e.conftest import ADA, ALICE, BO, MEI, Bot, BotFactory


async def test_slacks_unsigned_ssl_check_gets_200(bot: Bot) -> None:
    # Slack posts this to the Request URL without a signature when the URL is saved.
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{bot.url}/slack/events", data={"ssl_check": "1", "token": "legacy-token"}
        ) as response,
    ):
        assert response.status == 200


async def test_claim_new_files_the_name_as_typed_not_as_slack_escaped_it(bot: Bot) -> None:
    view = await bot.open_form("new AT&T <Shanghai> Ltd", user=ALICE)
    name = next(b for b in view["blocks"] if b["block_id"] == "customer_name")
    assert name["element"]["initial_value"] == "AT&T <Shanghai> Ltd"


async def test_an_upload_slower_than_an_api_call_still_arrives(bot_factory: BotFactory) -> None:
    # Web API calls give up after a second here; Slack's upload URL takes two for this file.
    bot = await start(bot_factory, slack_timeout=1.0)
    bot.fake.inject("upload", stall=2.0)
    await bot.command("export", user=ADA)
    await bot.fake.wait_for("files.completeUploadExternal", timeout=10)
    [upload] = bot.fake.uploads.values()
    assert upload.completed and upload.channel_id == bot.fake.dm_channel(ADA)


async def test_an_uninstall_stops_sends_is_audited_and_a_reinstall_resumes(bot: Bot) -> None:
    form = {"customer_name": "Acme Robotics", "contact_name": "Li", "phone": "138 0013 8111"}
    await bot.file_claim(form | {"need_summary": "CRM"}, user=ALICE)

    answer = await bot.slack.event({"type": "app_uninstalled"})
    assert answer.status == 200  # Slack retries anything else
    assert await audited(bot, "app.uninstalled") == 1

    # A week without follow-up makes a reminder due; nothing is sent to the removed workspace.
    posted = len(bot.fake.calls_to("chat.postMessage"))
    bot.clock.advance(timedelta(days=8))
    report = await bot.rt.lifecycle.sweeper.run(bot.clock.now())
    assert report.notices_written
    drained = await bot.rt.outbox.drain()
    assert (drained.sent, drained.failed, drained.deferred) == (0, 0, drained.deferred)
    assert drained.deferred >= 1
    assert len(bot.fake.calls_to("chat.postMessage")) == posted

    # Reinstalled: Slack sends requests from the workspace again, and the held notice goes out.
    await bot.command("help", user=ALICE)
    bot.clock.advance(timedelta(hours=1, minutes=1))
    assert (await bot.rt.outbox.drain()).sent >= 1
    assert len(bot.fake.calls_to("chat.postMessage")) > posted


async def test_a_revoked_user_token_is_not_a_removal(bot: Bot) -> None:
    revoked = {"type": "tokens_revoked", "tokens": {"oauth": [ALICE], "bot": []}}
    assert (await bot.slack.event(revoked)).status == 200
    revoked["tokens"] = {"oauth": [], "bot": ["UBOT"]}
    assert (await bot.slack.event(revoked)).status == 200
    assert await audited(bot, "app.uninstalled") == 1
    assert not bot.rt.clients.installed("T1")


async def audited(bot: Bot, action: str, *, at_least: int = 1) -> int:
    """How many ``action`` events the audit log holds, once it holds ``at_least`` (events are
    handled after Slack's request is answered, so the test waits a little for them)."""
    for _ in range(50):
        async with bot.rt.db.session() as session:
            actions = list(await session.scalars(select(AuditEvent.action)))
        if actions.count(action) >= at_least:
            break
        await asyncio.sleep(0.1)
    return actions.count(action)


async def test_a_failed_profile_refresh_keeps_the_last_known_language(bot: Bot) -> None:
    assert "显示本列表" in (await bot.command("help", user=BO)).json()["text"]
    fetched = len(bot.fake.calls_to("users.info"))

    # A day later the refresh fails: Bo still reads Chinese, and it is asked again soon.
    bot.clock.advance(timedelta(hours=25))
    bot.fake.inject("users.info", error="internal_error")
    assert "显示本列表" in (await bot.command("help", user=BO)).json()["text"]
    assert len(bot.fake.calls_to("users.info")) == fetched + 1
    bot.clock.advance(timedelta(minutes=6))
    await bot.command("help", user=BO)
    assert len(bot.fake.calls_to("users.info", delivered=True)) == fetched + 1


async def test_a_changed_language_applies_at_once(bot: Bot) -> None:
    assert "显示本列表" in (await bot.command("help", user=BO)).json()["text"]
    # The event carries the profile, not always the locale: leave it out of the event's copy
    # (the fake answers users.info from the object add_user returns).
    changed = dict(bot.fake.add_user(BO, name="bo", locale="en-US", tz="America/Los_Angeles"))
    changed.pop("locale")
    assert (await bot.slack.event({"type": "user_change", "user": changed})).status == 200
    for _ in range(50):  # the event is handled after Slack's request is answered
        if "Show this list." in (await bot.command("help", user=BO)).json()["text"]:
            break
        await asyncio.sleep(0.1)
    assert "Show this list." in (await bot.command("help", user=BO)).json()["text"]


def test_profile_refreshes_are_spread_over_the_last_tenth_of_a_day() -> None:
    keeps = {refresh_after(f"U{n:08d}") for n in range(200)}
    assert all(PROFILE_TTL * 0.9 <= keep <= PROFILE_TTL for keep in keeps)
    assert max(keeps) - min(keeps) > PROFILE_TTL * 0.08


async def test_cards_for_an_uninvited_channel_go_to_the_deciders_and_the_admins_hear_once(
    bot_factory: BotFactory,
) -> None:
    rules = {"channels": {"approvals": APPROVALS_CHANNEL}}
    bot = await start(bot_factory, rules)
    # A private channel nobody invited the bot to: Slack says it does not exist.
    bot.fake.add_channel(APPROVALS_CHANNEL, name="approvals", private=True, bot_member=False)
    for customer, phone, email in (
        ("北京字节跳动科技有限公司", "138 0013 8000", "zhang@bytedance.com"),
        ("上海飞鸿贸易有限公司", "139 0000 0001", "li@feihong.cn"),
    ):
        fields = {"customer_name": customer, "phone": phone, "email": email}
        await bot.file_claim(BIG_DEAL | fields, user=ALICE)
    await bot.fake.wait_until(
        lambda: all(len(cards_to(bot, d)) == 2 for d in (MEI, WEI, ADA)), what="cards in DMs"
    )
    await outbox_drained(bot)

    assert cards_to(bot, APPROVALS_CHANNEL) == []
    warnings = [m for m in bot.fake.messages_to(ADA) if "cannot post in" in m.text]
    assert len(warnings) == 1
    assert f"<#{APPROVALS_CHANNEL}>" in warnings[0].text and "/invite @claimbot" in warnings[0].text
    # The card in a DM still works: the manager approves from there.
    assert any("approve" in a for a in action_ids(cards_to(bot, MEI)[0]))
