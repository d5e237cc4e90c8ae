"""The outbox worker against the fake Slack: sent once, retried when Slack says so, failures
kept with their error, cards found again for updates in place."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select

from bot.clock import FixedClock
from bot.fakeslack.access import MANIFEST_SCOPES
from bot.fakeslack.server import FakeSlack
from bot.i18n import Translator
from bot.notify import Notice, enqueue
from bot.notify.inplace import Refreshed, update_everywhere
from bot.notify.kinds import NoticeKind
from bot.notify.worker import DrainReport, OutboxWorker
from bot.people import PeopleDirectory
from bot.rules import DeliveryRules, Rules
from cards.blocks import section
from cards.registry import render_notice
from store import posted
from store.db import Database, DatabaseUnavailable
from store.models import OutboxMessage

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
WS = "T1"


@pytest_asyncio.fixture
async def worker(db: Database, fake_slack: FakeSlack) -> AsyncIterator[OutboxWorker]:
    fake_slack.add_user("U1", name="alice", locale="en-US")
    fake_slack.add_user("U2", name="bo", locale="zh-CN")
    clock = FixedClock(NOW)
    # Slack's pace per channel is tested in test_pacing.py; here thirty DMs to one person, or a
    # dozen tries, would wait for it for no gain.
    rules = Rules(delivery=DeliveryRules(channel_posts_per_second=100, channel_post_burst=100))
    client = AsyncWebClient(token="xoxb-test", base_url=fake_slack.api_url)
    yield OutboxWorker(
        db, rules, clock, PeopleDirectory(db, rules, clock), client, render=render_notice
    )


async def notify(db: Database, *notices: Notice) -> None:
    async with db.session() as session:
        for notice in notices:
            await enqueue(session, WS, notice, at=NOW)


def holder_notice(recipient: str, key: str = "k1") -> Notice:
    return Notice(
        kind=NoticeKind.COLLISION_HOLDER,
        recipient=recipient,
        dedupe_key=key,
        payload={"customer_name": "ACME", "challenger_id": "U9", "collision_id": 1},
    )


async def rows(db: Database) -> list[OutboxMessage]:
    async with db.session() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def test_each_notice_is_sent_once_in_the_recipients_language(
    db: Database, worker: OutboxWorker, fake_slack: FakeSlack
) -> None:
    await notify(db, holder_notice("U1", "a"), holder_notice("U2", "b"), holder_notice("U1", "a"))
    report = await worker.drain()
    assert report.sent == 2
    assert (await worker.drain()).sent == 0
    assert "just tried" in fake_slack.messages_to("U1")[0].text
    assert "刚刚尝试报备" in fake_slack.messages_to("U2")[0].text
    assert [r.status for r in await rows(db)] == ["sent", "sent"]


async def test_a_rate_limit_waits_for_retry_after_then_delivers_once(
    db: Database, worker: OutboxWorker, fake_slack: FakeSlack
) -> None:
    fake_slack.inject("chat.postMessage", status=429, retry_after=20)
    await notify(db, holder_notice("U1"))
    first = await worker.drain()
    assert (first.sent, first.retried) == (0, 1)
    (row,) = await rows(db)
    assert row.status == "pending" and "ratelimited" in (row.last_error or "")
    assert row.next_attempt_at == NOW + timedelta(seconds=20), "not before Slack allows"
    assert (await worker.drain()).sent == 0, "too early"
    clock = worker.clock
    assert isinstance(clock, FixedClock)
    clock.advance(timedelta(seconds=20))
    assert (await worker.drain()).sent == 1
    assert len(fake_slack.calls_to("chat.postMessage", delivered=True)) == 1


async def test_rate_limits_use_up_no_attempts(
    db: Database, worker: OutboxWorker, fake_slack: FakeSlack
) -> None:
    limited = worker.max_attempts + 2
    fake_slack.inject("chat.postMessage", status=429, retry_after=1, times=limited)
    await notify(db, holder_notice("U1"))
    clock = worker.clock
    assert isinstance(clock, FixedClock)
    for _ in range(limited):
        assert (await worker.drain()).failed == 0
        clock.advance(timedelta(seconds=1))
    assert (await worker.drain()).sent == 1
    (row,) = await rows(db)
    assert (row.status, row.attempts) == ("sent", 1)


async def test_an_error_no_retry_can_cure_is_kept_failed_with_its_reason(
    db: Database, worker: OutboxWorker, fake_slack: FakeSlack
) -> None:
    fake_slack.inject("chat.postMessage", error="channel_not_found")
    await notify(db, holder_notice("C0GONE"))
    report = await worker.drain()
    assert report.failed == 1
    (row,) = await rows(db)
    assert (row.status, row.last_error) == ("failed", "channel_not_found")


async def test_two_workers_never_send_the_same_row(
    db: Database, worker: OutboxWorker, fake_slack: FakeSlack
) -> None:
    other = OutboxWorker(
        db, worker.rules, worker.clock, worker.people, worker.client, render=render_notice
    )
    await notify(db, *(holder_notice("U1", f"k{i}") for i in range(30)))
    first, second = await asyncio.gather(worker.drain(), other.drain())
    assert first.sent + second.sent == 30
    assert len(fake_slack.messages_to("U1")) == 30


async def test_a_card_with_a_subject_can_be_updated_everywhere_in_each_language(
    db: Database, worker: OutboxWorker, fake_slack: FakeSlack
) -> None:
    for user, key in (("U1", "x1"), ("U2", "x2")):
        notice = holder_notice(user, key)
        await notify(
            db,
            Notice(notice.kind, user, key, notice.payload, subject="approval", subject_id=7),
        )
    await worker.drain()
    async with db.session() as session:
        copies = await posted.find(session, WS, "approval", 7)
    assert sorted(c.recipient for c in copies) == ["U1", "U2"]

    def render(tr: Translator) -> tuple[str, list]:  # type: ignore[type-arg]
        text = tr("verdict.done")
        return text, [section(text)]

    updated = await update_everywhere(
        db,
        worker.people,
        worker.rules,
        worker.client,
        WS,
        subject="approval",
        subject_id=7,
        render=render,
        at=NOW,
    )
    assert updated == Refreshed(updated=2, queued=0)
    texts = sorted(c.params["text"] for c in fake_slack.calls_to("chat.update"))
    assert texts == ["Done", "完成"]


async def test_a_card_update_slack_refuses_is_retried_by_the_outbox_until_it_lands(
    db: Database, worker: OutboxWorker, fake_slack: FakeSlack
) -> None:
    for user, key in (("U1", "y1"), ("U2", "y2")):
        notice = holder_notice(user, key)
        await notify(
            db,
            Notice(notice.kind, user, key, notice.payload, subject="approval", subject_id=8),
        )
    await worker.drain()

    def render(tr: Translator) -> tuple[str, list]:  # type: ignore[type-arg]
        text = tr("verdict.done")
        return text, [section(text)]

    fake_slack.inject("chat.update", status=500, times=4)
    refreshed = await update_everywhere(
        db,
        worker.people,
        worker.rules,
        worker.client,
        WS,
        subject="approval",
        subject_id=8,
        render=render,
        at=NOW,
    )
    assert refreshed == Refreshed(updated=0, queued=2)
    assert all("Done" not in m.text and "完成" not in m.text for m in fake_slack.messages_to("U1"))
    first = await worker.drain()  # Slack still answers 500: kept, not dropped
    assert (first.sent, first.retried, first.failed) == (0, 2, 0)
    worker.clock.advance(timedelta(minutes=1))  # type: ignore[attr-defined]
    second = await worker.drain()
    assert (second.sent, second.failed) == (2, 0)
    assert [m.text for m in fake_slack.messages_to("U1")] == ["Done"]
    assert [m.text for m in fake_slack.messages_to("U2")] == ["完成"]
    assert await worker.drain() == DrainReport()  # nothing left to send again


async def test_a_send_that_stalled_past_the_timeout_is_found_not_sent_again(
    db: Database, worker: OutboxWorker, fake_slack: FakeSlack
) -> None:
    worker.post_timeout = 0.5
    worker.client.timeout = 1  # the general timeout; chat.postMessage's own is what counts
    fake_slack.inject("chat.postMessage", stall=1.5)
    await notify(db, holder_notice("U1"))
    first = await worker.drain()
    assert first.retried == 1  # cut short by our timeout…
    # …but Slack completes the stalled call anyway.
    await fake_slack.wait_until(
        lambda: any(c.delivered for c in fake_slack.calls_to("chat.postMessage")), timeout=5
    )
    [landed] = fake_slack.messages_to("U1")
    worker.clock.advance(timedelta(minutes=5))  # type: ignore[attr-defined]
    second = await worker.drain()
    assert second.sent == 1
    assert len(fake_slack.messages_to("U1")) == 1, "the rep gets the notice once"
    [row] = await rows(db)
    assert (row.status, row.sent_ts) == ("sent", landed.ts)
    assert len(fake_slack.calls_to("conversations.history")) == 1


async def test_a_notice_whose_sending_was_never_recorded_is_found_not_sent_again(
    db: Database, worker: OutboxWorker, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Slack answered, then the worker could not record it (the database cut, the process
    killed): the row's lease runs out with no outcome. The soak saw such rows sent twice."""
    record_sent = worker._sent

    async def database_cut(*args: object) -> None:
        raise DatabaseUnavailable("connection reset")

    monkeypatch.setattr(worker, "_sent", database_cut)
    await notify(db, holder_notice("U1"))
    with contextlib.suppress(DatabaseUnavailable):
        await worker.drain()
    [landed] = fake_slack.messages_to("U1")
    monkeypatch.setattr(worker, "_sent", record_sent)
    worker.clock.advance(worker.lease + timedelta(minutes=1))  # type: ignore[attr-defined]
    assert (await worker.drain()).sent == 1
    assert len(fake_slack.messages_to("U1")) == 1, "the rep gets the notice once"
    [row] = await rows(db)
    assert (row.status, row.sent_ts) == ("sent", landed.ts)


async def test_a_send_cut_short_before_slack_saw_it_is_sent_again_once(
    db: Database, worker: OutboxWorker, fake_slack: FakeSlack
) -> None:
    fake_slack.inject("chat.postMessage", reset=True)
    await notify(db, holder_notice("U1"))
    assert (await worker.drain()).retried == 1
    worker.clock.advance(timedelta(minutes=5))  # type: ignore[attr-defined]
    assert (await worker.drain()).sent == 1
    assert len(fake_slack.messages_to("U1")) == 1


async def test_without_im_history_a_cut_short_send_is_simply_sent_again(
    db: Database, worker: OutboxWorker, fake_slack: FakeSlack
) -> None:
    fake_slack.grant("xoxb-test", MANIFEST_SCOPES - {"im:history"})
    fake_slack.inject("chat.postMessage", reset=True)
    await notify(db, holder_notice("U1"))
    await worker.drain()
    worker.clock.advance(timedelta(minutes=5))  # type: ignore[attr-defined]
    assert (await worker.drain()).sent == 1
    assert len(fake_slack.messages_to("U1")) == 1
    # An install from before the scope was added: Slack refuses the check, the worker copes.
    [refused] = fake_slack.take_violations()
    assert "im:history" in refused
