"""The outbox keeps to Slack's pace per channel (about one post a second, short bursts): a
channel's backlog goes out in order without a 429, and DMs to other people are not held up."""

from __future__ import annotations

from datetime import UTC, datetime

from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import FixedClock
from bot.fakeslack.server import FakeSlack
from bot.notify import Notice, enqueue
from bot.notify.kinds import NoticeKind
from bot.notify.pace import ChannelPace
from bot.notify.worker import OutboxWorker
from bot.people import PeopleDirectory
from bot.rules import DeliveryRules, Rules
from cards.registry import render_notice
from store.db import Database

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
WS = "T1"
POOL = "C0POOL"
# Slack's pace, sped up twentyfold so the test takes a second or two, not half a minute. Like
# Slack, the fake tolerates a slightly bigger burst than the bot allows itself: the cushion that
# absorbs two posts arriving closer together than they left.
PER_SECOND, BURST = 20.0, 3
SLACK_BURST = BURST + 1


def paced_worker(db: Database, fake_slack: FakeSlack, per_second: float) -> OutboxWorker:
    clock = FixedClock(NOW)
    rules = Rules(
        delivery=DeliveryRules(channel_posts_per_second=per_second, channel_post_burst=BURST)
    )
    client = AsyncWebClient(token="xoxb-test", base_url=fake_slack.api_url)
    return OutboxWorker(
        db, rules, clock, PeopleDirectory(db, rules, clock), client, render=render_notice
    )


def pool_post(customer_id: int) -> Notice:
    return Notice(
        kind=NoticeKind.POOL_ANNOUNCEMENT,
        recipient=POOL,
        dedupe_key=f"pool:{customer_id}",
        payload={"customer_id": customer_id, "customer_name": f"Customer {customer_id:02d}"},
    )


def dm(user_id: str) -> Notice:
    return Notice(
        kind=NoticeKind.COLLISION_HOLDER,
        recipient=user_id,
        dedupe_key=f"dm:{user_id}",
        payload={"customer_name": "ACME", "challenger_id": "U9", "collision_id": 1},
    )


async def enqueue_all(db: Database, notices: list[Notice]) -> None:
    async with db.session() as session:
        for notice in notices:
            await enqueue(session, WS, notice, at=NOW)


def posted_in(fake_slack: FakeSlack, channel: str) -> list[str]:
    return [m.text for m in fake_slack.messages_to(channel)]


async def test_thirty_pool_posts_arrive_in_order_without_a_429_and_dms_go_first(
    db: Database, fake_slack: FakeSlack
) -> None:
    fake_slack.add_user("U1", name="alice")
    fake_slack.add_user("U2", name="bo")
    fake_slack.limit_posts(per_second=PER_SECOND, burst=SLACK_BURST)
    worker = paced_worker(db, fake_slack, PER_SECOND)
    # The DMs are queued behind the whole backlog of the pool channel.
    await enqueue_all(db, [pool_post(i) for i in range(1, 31)] + [dm("U1"), dm("U2")])

    report = await worker.drain()

    assert report.sent == 32 and report.retried == 0
    assert fake_slack.rate_limited() == []
    pool = posted_in(fake_slack, POOL)
    assert all(f"Customer {i:02d}" in text for i, text in zip(range(1, 31), pool, strict=True))
    posts = [c.params["channel"] for c in fake_slack.calls_to("chat.postMessage")]
    dms = [n for n, channel in enumerate(posts) if channel in ("U1", "U2")]
    # They go while the pool channel waits for its pace, not after its thirty posts.
    assert max(dms) < 15, posts
    first, last = fake_slack.calls_to("chat.postMessage")[0], fake_slack.calls[-1]
    assert last.received_at - first.received_at >= (30 - BURST) / PER_SECOND * 0.9


async def test_without_the_pace_the_fake_answers_429_as_slack_does(
    db: Database, fake_slack: FakeSlack
) -> None:
    fake_slack.limit_posts(per_second=1.0, burst=SLACK_BURST)
    worker = paced_worker(db, fake_slack, per_second=100.0)
    await enqueue_all(db, [pool_post(i) for i in range(1, 11)])

    report = await worker.drain()

    limited = fake_slack.rate_limited()
    assert limited and all(c.error == "ratelimited" for c in limited)
    assert report.retried == len(limited), "a 429 is a deferral, not a loss"


def test_the_pace_allows_a_burst_then_one_post_per_interval() -> None:
    now = [100.0]
    pace = ChannelPace(per_second=1.0, burst=3, clock=lambda: now[0])
    for _ in range(3):
        assert pace.wait("C1") == 0.0
        pace.take("C1")
    assert pace.wait("C1") == 1.0 and pace.busy() == ["C1"]
    assert pace.wait("C2") == 0.0, "another channel has its own pace"
    now[0] += 1.0
    assert pace.wait("C1") == 0.0
    pace.take("C1")
    assert pace.wait("C1") == 1.0
    now[0] += 60.0
    assert pace.busy() == [], "an idle channel has its burst back"
