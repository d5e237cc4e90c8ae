"""The outbox worker holds working-hours notices until the recipient's day begins — judged by
the time zone Slack reports when sending, not only by the guess made when enqueuing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select

from bot.clock import FixedClock
from bot.fakeslack.server import FakeSlack
from bot.notify import Notice
from bot.notify.hours import WorkingHours
from bot.notify.kinds import NoticeKind
from bot.notify.worker import OutboxWorker
from bot.people import PeopleDirectory
from bot.rules import Rules
from cards.registry import render_notice
from store.db import Database
from store.models import OutboxMessage

WS = "T1"
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 Shanghai, Sunday 21:00 New York
NORA = "U0REPNY001"


def reminder(key: str) -> Notice:
    return Notice(
        kind=NoticeKind.COLLISION_HOLDER,
        recipient=NORA,
        dedupe_key=key,
        payload={"customer_name": "ACME", "challenger_id": "U9", "collision_id": 1},
    )


async def test_a_reminder_waits_for_the_recipients_morning_and_an_urgent_one_does_not(
    db: Database, fake_slack: FakeSlack
) -> None:
    fake_slack.add_user(NORA, name="nora", tz="America/New_York", tz_offset=-18000)
    rules, clock = Rules(), FixedClock(NOW)
    client = AsyncWebClient(token="xoxb-test", base_url=fake_slack.api_url)
    worker = OutboxWorker(
        db, rules, clock, PeopleDirectory(db, rules, clock), client, render=render_notice
    )
    hours = WorkingHours(rules)
    async with db.session() as session:
        # Nothing is known of Nora yet: the enqueuer guesses the workspace's zone (in hours).
        await hours.enqueue(session, WS, reminder("plain"), now=NOW)
        await hours.enqueue(
            session, WS, reminder("urgent"), now=NOW, deliver_by=NOW + timedelta(hours=3)
        )

    report = await worker.drain()
    assert (report.sent, report.deferred) == (1, 1), "the urgent one goes; the other waits"
    async with db.session() as session:
        held = (
            await session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key == "plain"))
        ).one()
    monday_9_new_york = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
    assert (held.status, held.next_attempt_at, held.attempts) == ("pending", monday_9_new_york, 0)

    clock.set(monday_9_new_york - timedelta(minutes=1))
    assert (await worker.drain()).sent == 0
    clock.set(monday_9_new_york)
    assert (await worker.drain()).sent == 1
    assert len(fake_slack.messages_to(NORA)) == 2
