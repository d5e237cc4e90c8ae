"""The sweep against the store, on SQLite and PostgreSQL: what a pass finds, what it writes, and
that running it twice, twice at once, late, or after a rules change never writes a notice twice."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.clock import FixedClock
from bot.directory import Directory
from bot.lifecycle.sweep import Sweeper
from bot.rules import Rules
from store.db import Database
from store.models import AuditEvent, Claim, ClaimStatus, OutboxMessage
from tests.lifecycle.store_support import (
    ADMIN,
    DAY,
    MANAGER,
    T0,
    add_claim,
    add_team,
)

RULES = Rules.model_validate({"admins": [ADMIN], "channels": {"pool": "C0POOL0001"}})


def sweeper(db: Database, rules: Rules = RULES) -> Sweeper:
    return Sweeper(db, rules, Directory(db, rules, FixedClock(T0)))


async def notices(db: Database) -> list[tuple[int, str, str]]:
    """(claim id, kind, recipient) of every outbox row."""
    async with db.session() as session:
        rows = await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [(int(r.payload.get("claim_id") or 0), r.kind, r.recipient) for r in rows]


async def kinds_for(db: Database, claim_id: int) -> Counter[str]:
    return Counter(kind for cid, kind, _ in await notices(db) if cid == claim_id)


async def status_of(db: Database, claim_id: int) -> tuple[str, str | None]:
    async with db.session() as session:
        claim = await session.get(Claim, claim_id)
        assert claim is not None
        return claim.status, claim.end_reason


async def test_each_claim_gets_the_notice_its_state_calls_for_and_only_once(db: Database) -> None:
    team = await add_team(db)
    fresh = await add_claim(db, "fresh", team_id=team)
    overdue = await add_claim(db, "overdue", last=T0 - 8 * DAY, team_id=team)
    copied = await add_claim(db, "copied", last=T0 - 10 * DAY, team_id=team)
    warned = await add_claim(db, "warned", last=T0 - 12 * DAY, team_id=team)
    idle = await add_claim(db, "idle", last=T0 - 15 * DAY, team_id=team)
    ended = await add_claim(db, "ended", approved=T0 - 91 * DAY, last=T0 - DAY, team_id=team)

    report = await sweeper(db).run(T0)

    assert await kinds_for(db, fresh) == Counter()
    assert await kinds_for(db, overdue) == Counter({"lifecycle.overdue": 1})
    assert await kinds_for(db, copied) == Counter(
        {"lifecycle.overdue": 1, "lifecycle.overdue_manager": 1}
    )
    assert await kinds_for(db, warned) == Counter(
        {"lifecycle.reclaim_warning": 1, "lifecycle.overdue_manager": 1}
    )
    assert await kinds_for(db, idle) == Counter({"lifecycle.reclaimed": 1, "pool.announcement": 1})
    assert await status_of(db, idle) == ("released", "reclaimed")
    assert await status_of(db, ended) == ("released", "protection_ended")
    assert report.reclaimed == {"reclaimed": 1, "protection_ended": 1}
    manager_copies = [r for _, k, r in await notices(db) if k == "lifecycle.overdue_manager"]
    assert manager_copies == [MANAGER, MANAGER]

    before = await notices(db)
    again = await sweeper(db).run(T0)
    assert again.notices_written == 0 and not again.reclaimed
    assert await notices(db) == before


async def test_two_passes_at_once_write_every_notice_and_reclaim_once(db: Database) -> None:
    ids = [await add_claim(db, f"c{i}", last=T0 - (6 + i) * DAY) for i in range(12)]
    first, second = sweeper(db), sweeper(db)
    await asyncio.gather(first.run(T0), second.run(T0))
    rows = await notices(db)
    assert len(rows) == len(set(rows)), "no notice twice"
    async with db.session() as session:
        reclaims = await session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == "claim.reclaimed")
        )
    released = [i for i in ids if (await status_of(db, i))[0] == "released"]
    assert reclaims == len(released) == 4  # idle 14..17 days


async def test_after_downtime_each_claim_gets_only_the_notice_for_where_it_is_now(
    db: Database,
) -> None:
    abandoned = await add_claim(db, "abandoned")
    worked = await add_claim(db, "worked")
    await sweeper(db).run(T0)  # the last pass before the outage
    async with db.session() as session:
        claim = await session.get(Claim, worked)
        assert claim is not None
        claim.last_activity_at = T0 + 8 * DAY  # a follow-up during the outage

    report = await sweeper(db).run(T0 + 20 * DAY)  # first pass after 20 days down

    assert await kinds_for(db, abandoned) == Counter(
        {"lifecycle.reclaimed": 1, "pool.announcement": 1}
    ), "reclaimed: one message, not the reminder, the copy and the warning it missed"
    assert await kinds_for(db, worked) == Counter(
        {"lifecycle.reclaim_warning": 1, "lifecycle.overdue_manager": 1}
    ), "12 days idle: the warning (not the overdue reminder it missed) and the manager's copy"
    assert report.reclaimed == {"reclaimed": 1}


async def test_a_pass_looks_only_at_what_crossed_a_threshold_since_the_last(db: Database) -> None:
    for i in range(30):
        await add_claim(db, f"c{i}", last=T0 - timedelta(hours=i * 5))
    await sweeper(db).run(T0)
    quiet = await sweeper(db).run(T0 + timedelta(minutes=5))
    assert quiet.candidates == 0
    # 2 days later: the claims whose 7-day mark fell in those 2 days, nothing else.
    later = await sweeper(db).run(T0 + 2 * DAY)
    assert later.candidates == len([i for i in range(30) if 5 * 24 <= i * 5 < 7 * 24]) + len(
        [i for i in range(30) if 8 * 24 <= i * 5 < 10 * 24]
    )


async def test_a_rules_change_makes_the_next_pass_look_at_everything(db: Database) -> None:
    six_days = await add_claim(db, "six", last=T0 - 6 * DAY)
    await sweeper(db).run(T0)
    assert await kinds_for(db, six_days) == Counter()
    stricter = Rules.model_validate(
        RULES.model_dump() | {"protection": {"followup_overdue_days": 5}}
    )
    await sweeper(db, stricter).run(T0 + timedelta(minutes=5))
    assert await kinds_for(db, six_days) == Counter({"lifecycle.overdue": 1})


async def test_a_dry_run_says_what_it_would_do_and_changes_nothing(db: Database) -> None:
    idle = await add_claim(db, "idle", last=T0 - 15 * DAY)
    overdue = await add_claim(db, "overdue", last=T0 - 8 * DAY)
    report = await sweeper(db).run(T0, dry_run=True)
    assert report.reclaimed == {"reclaimed": 1}
    # The reclaim's own notice is listed too (it used to say nothing of it).
    assert report.notices["lifecycle.overdue"] == 1
    assert report.notices["lifecycle.reclaimed"] == 1
    assert any("would reclaim" in line and "'idle'" in line for line in report.lines)
    assert await notices(db) == []
    assert (await status_of(db, idle))[0] == "active"
    assert (await status_of(db, overdue))[0] == "active"
    # A real pass then does exactly that; a dry run after it has nothing left to do.
    real = await sweeper(db).run(T0)
    assert (real.reclaimed, real.notices) == (report.reclaimed, report.notices)
    assert sorted(
        line.removeprefix("would ") for line in report.lines if "notify" in line
    ) == sorted(line for line in real.lines if "notify" in line)
    after = await sweeper(db).run(T0, dry_run=True)
    assert after.notices_written == 0 and not after.reclaimed


async def test_pending_approvals_remind_the_approvers_then_escalate_to_the_admins(
    db: Database,
) -> None:
    team = await add_team(db)
    waiting = await add_claim(db, "waiting", status=ClaimStatus.PENDING, team_id=team)
    await sweeper(db).run(T0 + timedelta(hours=23))
    assert await kinds_for(db, waiting) == Counter()
    await sweeper(db).run(T0 + timedelta(hours=24))
    assert await kinds_for(db, waiting) == Counter({"lifecycle.approval_reminder": 1})
    await sweeper(db).run(T0 + timedelta(hours=48))
    rows = [(k, r) for cid, k, r in await notices(db) if cid == waiting]
    assert rows == [
        ("lifecycle.approval_reminder", MANAGER),
        ("lifecycle.approval_escalation", ADMIN),
    ]
    async with db.session() as session:
        claim = await session.get(Claim, waiting)
        assert claim is not None
        claim.status = ClaimStatus.ACTIVE  # decided
    await sweeper(db).run(T0 + timedelta(hours=60))
    assert len([1 for cid, *_ in await notices(db) if cid == waiting]) == 2


async def test_reminders_are_held_for_working_hours_and_warnings_not_past_the_reclaim(
    db: Database,
) -> None:
    # Reclaim due Saturday 2026-12-05 03:00 Shanghai; the warning falls due on Wednesday 03:00.
    last = datetime(2026, 11, 20, 19, 0, tzinfo=UTC)
    warned = await add_claim(db, "night", last=last)
    warning_due = last + 11 * DAY
    await sweeper(db).run(warning_due)
    async with db.session() as session:
        (row,) = (
            await session.scalars(
                select(OutboxMessage).where(OutboxMessage.kind == "lifecycle.reclaim_warning")
            )
        ).all()
    assert row.urgent
    assert row.next_attempt_at == datetime(2026, 12, 2, 1, 0, tzinfo=UTC), "Wed 09:00 Shanghai"
    assert warned


async def test_claims_approved_without_clocks_are_given_them_from_their_approval(
    db: Database,
) -> None:
    broken = await add_claim(db, "broken", approved=T0 - 20 * DAY, protection=None)
    async with db.session() as session:
        claim = await session.get(Claim, broken)
        assert claim is not None
        claim.last_activity_at = None
    report = await sweeper(db).run(T0)
    assert report.repaired == 2
    assert await status_of(db, broken) == ("released", "reclaimed")


@pytest.mark.parametrize("other_workspace", ["T2", "E0GRID"])
async def test_every_workspace_is_swept(db: Database, other_workspace: str) -> None:
    here = await add_claim(db, "here", last=T0 - 8 * DAY)
    there = await add_claim(db, "there", last=T0 - 8 * DAY, workspace=other_workspace)
    report = await sweeper(db).run(T0)
    assert report.workspaces == 2
    assert (
        await kinds_for(db, here) == await kinds_for(db, there) == Counter({"lifecycle.overdue": 1})
    )


async def test_many_releases_make_pool_digests_and_the_dry_run_says_so(db: Database) -> None:
    idle = [await add_claim(db, f"idle {i}", last=T0 - 15 * DAY) for i in range(45)]
    planned = await sweeper(db).run(T0, dry_run=True)
    report = await sweeper(db).run(T0)
    assert report.reclaimed == {"reclaimed": 45}
    # Two digest messages (40 + 5) in the pool channel instead of 45 announcements; each former
    # owner is still told on their own.
    assert report.notices["pool.digest"] == 2 and report.notices["pool.announcement"] == 0
    assert report.notices["lifecycle.reclaimed"] == 45
    assert planned.notices == report.notices
    async with db.session() as session:
        digests = list(
            await session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.kind == "pool.digest")
                .order_by(OutboxMessage.id)
            )
        )
    listed = [c["customer_name"] for d in digests for c in d.payload["customers"]]
    assert listed == [f"idle {i}" for i in range(45)], "every customer once, in order"
    assert [(d.payload["first"], d.payload["total"]) for d in digests] == [(1, 45), (41, 45)]
    assert [await status_of(db, c) for c in idle] == [("released", "reclaimed")] * 45
    # A second pass has nothing left to release or post.
    again = await sweeper(db).run(T0 + timedelta(minutes=5))
    assert not again.reclaimed and again.notices["pool.digest"] == 0


async def test_up_to_the_threshold_each_released_customer_is_announced_alone(
    db: Database,
) -> None:
    for i in range(10):
        await add_claim(db, f"idle {i}", last=T0 - 15 * DAY)
    report = await sweeper(db).run(T0)
    assert report.notices["pool.announcement"] == 10 and report.notices["pool.digest"] == 0
