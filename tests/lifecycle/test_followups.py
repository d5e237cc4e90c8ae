"""Follow-ups: the form's checks, and what logging one does to a claim (on both backends)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.clock import FixedClock
from bot.ids import FollowUpField
from bot.lifecycle.followup_form import FollowUpEntry, Method, parse_followup
from bot.lifecycle.followups import FollowUpService, Logged, OwnerRefusal
from bot.rules import Rules
from store.db import Database
from store.models import (
    AuditEvent,
    Claim,
    ClaimStatus,
    Customer,
    EndReason,
    FollowUp,
    OutboxMessage,
)
from tests.lifecycle.store_support import REP, T0, WS, add_claim

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = T0 + timedelta(days=5)
RULES = Rules.model_validate(
    {
        "protection": {"days": 30, "days_per_followup": 7, "max_protection_days": 40},
        "channels": {"pool": "C0POOL0001"},
    }
)


def form(**answers: str | None) -> dict[str, str | None]:
    base: dict[str, str | None] = {
        FollowUpField.METHOD.value: "visit",
        FollowUpField.SUMMARY.value: "Met the buyer; they want a trial",
    }
    return base | {FollowUpField[k.upper()].value: v for k, v in answers.items()}


def test_a_complete_form_is_read_in_the_reps_time_zone() -> None:
    parsed = parse_followup(
        form(
            date="2026-11-27",
            time="18:30",
            next_step="Send a trial unit",
            next_step_on="2026-12-01",
        ),
        RULES,
        now=NOW,
        tz=SHANGHAI,
    )
    assert isinstance(parsed, FollowUpEntry)
    assert parsed.happened_at == datetime(2026, 11, 27, 10, 30, tzinfo=UTC)
    assert (parsed.method, parsed.next_step_on) == (Method.VISIT, date(2026, 12, 1))


def test_without_date_and_time_it_happened_now() -> None:
    parsed = parse_followup(form(), RULES, now=NOW, tz=SHANGHAI)
    assert isinstance(parsed, FollowUpEntry)
    assert abs(parsed.happened_at - NOW) < timedelta(minutes=1)


def test_every_mistake_is_shown_on_its_field_at_once() -> None:
    errors = parse_followup(
        form(
            method=None,
            summary="   ",
            date="2026-12-25",
            next_step_on="2026-12-01",
            stage="closed",
        ),
        RULES,
        now=NOW,
        tz=SHANGHAI,
    )
    assert isinstance(errors, dict)
    assert {field: e.code for field, e in errors.items()} == {
        FollowUpField.METHOD: "validation.required",
        FollowUpField.SUMMARY: "validation.required",
        FollowUpField.DATE: "followup.error.future",
        FollowUpField.NEXT_STEP_ON: "followup.error.next_step_before",
        FollowUpField.STAGE: "claim.error.unknown_option",
    }


def entry(happened_at: datetime = NOW, stage: str | None = None) -> FollowUpEntry:
    return FollowUpEntry(happened_at, Method.CALL, "Called", None, None, stage)


def service(db: Database, now: datetime = NOW) -> FollowUpService:
    return FollowUpService(db, RULES, FixedClock(now))


async def get(db: Database, claim_id: int) -> Claim:
    async with db.session() as session:
        claim = await session.get(Claim, claim_id)
        assert claim is not None
        return claim


async def test_a_follow_up_restarts_the_idle_clock_but_never_moves_it_back(db: Database) -> None:
    claim_id = await add_claim(db, "acme", protection=timedelta(days=30))
    logged = await service(db).log(WS, REP, claim_id, entry())
    assert isinstance(logged, Logged)
    claim = await get(db, claim_id)
    assert claim.last_activity_at == NOW
    assert claim.protection_until == T0 + timedelta(days=37)

    # Last week's call, logged today, does not buy a fresh fortnight.
    await service(db, NOW + timedelta(days=1)).log(WS, REP, claim_id, entry(T0 + timedelta(days=1)))
    claim = await get(db, claim_id)
    assert claim.last_activity_at == NOW
    assert claim.protection_until == T0 + timedelta(days=40), "capped at the maximum"
    async with db.session() as session:
        assert len((await session.scalars(select(FollowUp))).all()) == 2
        actions = [e.action for e in await session.scalars(select(AuditEvent))]
    assert actions == ["claim.followed_up", "claim.followed_up"]


async def test_only_the_owner_logs_and_only_on_an_active_claim(db: Database) -> None:
    claim_id = await add_claim(db, "acme")
    pending = await add_claim(db, "waiting", status=ClaimStatus.PENDING)
    assert await service(db).log(WS, "U0INTRUDER", claim_id, entry()) is OwnerRefusal.NOT_OWNER
    assert await service(db).log(WS, REP, pending, entry()) is OwnerRefusal.PENDING
    assert await service(db).log(WS, REP, 999_999, entry()) is OwnerRefusal.NOT_FOUND
    assert await service(db).log("T_OTHER", REP, claim_id, entry()) is OwnerRefusal.NOT_FOUND
    async with db.session() as session:
        refused = (await session.scalars(select(AuditEvent))).all()
    assert [(e.action, e.actor_id) for e in refused] == [("access.refused", "U0INTRUDER")]
    assert (await get(db, claim_id)).last_activity_at == T0


async def test_won_keeps_the_customer_and_lost_releases_it(db: Database) -> None:
    won_id = await add_claim(db, "won")
    lost_id = await add_claim(db, "lost")
    won = await service(db).log(WS, REP, won_id, entry(stage="won"))
    lost = await service(db).log(WS, REP, lost_id, entry(stage="lost"))
    assert isinstance(won, Logged) and won.outcome is EndReason.WON
    assert isinstance(lost, Logged) and lost.outcome is EndReason.LOST
    assert (await get(db, won_id)).status == ClaimStatus.WON
    lost_claim = await get(db, lost_id)
    assert (lost_claim.status, lost_claim.end_reason) == (ClaimStatus.LOST, "lost")
    async with db.session() as session:
        customer = await session.get(Customer, lost_claim.customer_id)
        announcements = (await session.scalars(select(OutboxMessage))).all()
    assert customer is not None and customer.pooled_at == NOW
    assert [(a.kind, a.recipient) for a in announcements] == [("pool.announcement", "C0POOL0001")]
    assert await service(db).log(WS, REP, won_id, entry()) is OwnerRefusal.ENDED


async def test_finding_a_reps_claims_by_name(db: Database) -> None:
    await add_claim(db, "北京字节跳动科技有限公司")
    await add_claim(db, "上海字节跳跃网络有限公司")
    await add_claim(db, "ACME Robotics Ltd")
    await add_claim(db, "someone else's", owner="U0REP00002")
    found = service(db).find_own
    assert [c.customer_name for c in await found(WS, REP, "北京字节跳动科技有限公司")] == [
        "北京字节跳动科技有限公司"
    ]
    assert [c.customer_name for c in await found(WS, REP, "acme robotics")] == ["ACME Robotics Ltd"]
    assert len(await found(WS, REP, "字节")) == 2
    assert len(await found(WS, REP, "")) == 3
    assert await found(WS, REP, "someone") == []


async def test_the_same_form_delivered_twice_is_logged_once(db: Database) -> None:
    claim_id = await add_claim(db, "acme")
    first, second = await asyncio.gather(
        service(db).log(WS, REP, claim_id, entry()), service(db).log(WS, REP, claim_id, entry())
    )
    assert isinstance(first, Logged) and isinstance(second, Logged)
    async with db.session() as session:
        assert len((await session.scalars(select(FollowUp))).all()) == 1
