"""The metric definitions against a month of claims whose numbers are worked out by hand (see
tests/metrics/fixtures.py for the month), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from bot.clock import FixedClock
from bot.directory import Directory
from bot.metrics.definitions import Metrics
from bot.metrics.periods import Period
from bot.metrics.service import MetricsService, Scope, ScopeKind
from bot.rules import Rules
from store.db import Database
from tests.metrics.fixtures import ADA, ALICE, BO, CAROL, MEI, NOW, WS, Month, seed

HOUR = 3600.0


@pytest.fixture
async def month(db: Database) -> Month:
    return await seed(db)


def service(db: Database) -> MetricsService:
    rules = Rules()
    clock = FixedClock(NOW)
    return MetricsService(db, rules, clock, Directory(db, rules, clock))


def everyone() -> Scope:
    return Scope(ScopeKind.ALL, ADA)


def east(month: Month) -> Scope:
    return Scope(ScopeKind.TEAMS, MEI, team_ids=(month.east,), team_names=("East",))


async def test_the_whole_month(db: Database, month: Month) -> None:
    report = await service(db).report(WS, everyone(), Period.MONTH)
    m = report.totals
    # Filed in November (Shanghai): A1 A2 A3 A4 B1 C1. Not B2 (October), not I1 (imported).
    assert m.filed == 6
    assert (m.approved, m.auto_approved, m.rejected, m.pending) == (4, 2, 1, 1)
    assert m.approval_rate.value == pytest.approx(4 / 5)  # pending A4 left out
    # Decided: A1 0 h, A2 2 h, A3 4 h, B1 0 h, C1 24 h → average 30 h / 5 = 6 h.
    assert m.avg_approval_seconds == pytest.approx(6 * HOUR)
    # Sorted 0, 0, 2, 4, 24 h; position 0.9 × 4 = 3.6 → 4 h + 0.6 × (24 − 4) h = 16 h.
    assert m.p90_approval_seconds == pytest.approx(16 * HOUR)
    # Collisions in November: Alice's and Bo's (Carol's was in October) → 2 of 6 filed.
    assert m.collisions == 2 and m.collision_rate.value == pytest.approx(2 / 6)
    # Approved A1 (proposal), B1 (won), C1 (analysis) reached a later stage; A2 (contact) did not.
    assert (m.advanced, m.won) == (3, 1)
    assert m.advance_rate.value == pytest.approx(3 / 4) and m.win_rate.value == pytest.approx(1 / 4)
    # Protected in November: A1 A2 B1 B2 C1 I1 (not the rejected A3, not the pending A4);
    # followed up inside it: A1, B1, B2.
    assert (m.protected, m.followed_up) == (6, 3)
    assert m.followup_rate.value == pytest.approx(0.5)


async def test_the_week_so_far(db: Database, month: Month) -> None:
    m = (await service(db).report(WS, everyone(), Period.WEEK)).totals
    assert (m.filed, m.pending, m.approved, m.rejected) == (1, 1, 0, 0)  # A4 only
    assert m.approval_rate.value is None, "nothing decided is '—', not 0 %"
    assert m.avg_approval_seconds is None and m.p90_approval_seconds is None
    assert m.collisions == 0 and m.collision_rate.value == 0.0
    # B1 (won 11-15) and C1 (released 11-21) ended before Monday; A1 A2 B2 I1 are protected,
    # and nobody followed up this week.
    assert (m.protected, m.followed_up) == (4, 0) and m.followup_rate.value == 0.0


async def test_the_last_90_days_reach_into_october(db: Database, month: Month) -> None:
    m = (await service(db).report(WS, everyone(), Period.QUARTER)).totals
    assert m.filed == 7  # B2 now counts; the import never does
    assert m.collisions == 3


async def test_a_managers_team_and_its_reps(db: Database, month: Month) -> None:
    report = await service(db).report(WS, east(month), Period.MONTH)
    m = report.totals
    assert (m.filed, m.approved, m.rejected, m.pending) == (5, 3, 1, 1)
    assert m.approval_rate.value == pytest.approx(3 / 4)
    # 0, 0, 2, 4 h: average 1.5 h; position 0.9 × 3 = 2.7 → 2 h + 0.7 × 2 h = 3.4 h.
    assert m.avg_approval_seconds == pytest.approx(1.5 * HOUR)
    assert m.p90_approval_seconds == pytest.approx(3.4 * HOUR)
    assert (m.advanced, m.won, m.collisions) == (2, 1, 2)
    # I1 has no team but its owner is East's: it counts for East.
    assert (m.protected, m.followed_up) == (5, 3)

    rows = {row.key: row.metrics for row in report.rows}
    assert set(rows) == {ALICE, BO}
    alice = rows[ALICE]
    assert (alice.filed, alice.approved, alice.rejected, alice.pending) == (4, 2, 1, 1)
    # 0, 2, 4 h: average 2 h; position 0.9 × 2 = 1.8 → 2 h + 0.8 × 2 h = 3.6 h.
    assert alice.avg_approval_seconds == pytest.approx(2 * HOUR)
    assert alice.p90_approval_seconds == pytest.approx(3.6 * HOUR)
    assert (alice.advanced, alice.won, alice.collisions) == (1, 0, 1)
    assert (alice.protected, alice.followed_up) == (3, 1)  # A1 (followed), A2, I1
    bo = rows[BO]
    assert (bo.filed, bo.approved, bo.auto_approved) == (1, 1, 1)
    assert bo.avg_approval_seconds == 0 and bo.p90_approval_seconds == 0
    assert (bo.advanced, bo.won, bo.collisions, bo.protected, bo.followed_up) == (1, 1, 1, 2, 2)
    assert [row.key for row in report.rows] == [ALICE, BO], "most claims first"


async def test_an_admin_sees_every_team(db: Database, month: Month) -> None:
    report = await service(db).report(WS, everyone(), Period.MONTH)
    rows = {row.name: row.metrics for row in report.rows}
    assert set(rows) == {"East", "South", None}
    assert rows["East"].filed == 5 and rows["East"].collisions == 2
    south = rows["South"]
    assert (south.filed, south.approved, south.advanced, south.collisions) == (1, 1, 1, 0)
    assert south.avg_approval_seconds == pytest.approx(24 * HOUR)
    assert south.p90_approval_seconds == pytest.approx(24 * HOUR)
    assert (south.protected, south.followed_up) == (1, 0)
    no_team = rows[None]  # the imported I1: protected, never filed
    assert (no_team.filed, no_team.protected, no_team.followed_up) == (0, 1, 0)


async def test_a_rep_sees_their_own(db: Database, month: Month) -> None:
    mine = await service(db).report(WS, Scope(ScopeKind.OWN, ALICE), Period.MONTH)
    assert mine.rows == ()
    assert (mine.totals.filed, mine.totals.collisions, mine.totals.protected) == (4, 1, 3)
    carol = (await service(db).report(WS, Scope(ScopeKind.OWN, CAROL), Period.WEEK)).totals
    assert carol == Metrics(), "nothing at all this week"
    assert carol.empty and carol.approval_rate.value is None
    assert carol.collision_rate.value is None and carol.followup_rate.value is None


async def test_source_channels(db: Database, month: Month) -> None:
    report = await service(db).report(WS, everyone(), Period.MONTH)
    channels = {row.channel: row for row in report.channels}
    assert set(channels) == {"referral", "website", "exhibition", None}
    referral, website = channels["referral"], channels["website"]
    assert (referral.filed, referral.approved, referral.converted) == (2, 2, 1)
    assert referral.share.value == pytest.approx(2 / 6)
    assert referral.conversion.value == pytest.approx(1 / 2)
    assert (website.filed, website.approved, website.converted) == (2, 1, 1)  # A3 rejected
    assert (channels[None].filed, channels[None].approved) == (1, 0)
    assert channels[None].conversion.value is None
    assert channels["exhibition"].conversion.value == 1.0


async def test_the_weekly_trend(db: Database, month: Month) -> None:
    report = await service(db).report(WS, everyone(), Period.MONTH, trend=True)
    weeks = {week.label: (week.filed, week.approved) for week in report.trend}
    assert len(report.trend) == 12 and report.trend[-1].label == "11-23"
    assert weeks["11-23"] == (1, 0)  # A4, pending
    assert weeks["11-16"] == (0, 0)
    assert weeks["11-09"] == (1, 0)  # A3, rejected
    assert weeks["11-02"] == (3, 3)  # A1 A2 C1
    assert weeks["10-26"] == (2, 2)  # B2 (Sat 10-31) and B1 (Sun 11-01, Shanghai)
    assert sum(f for f, _ in weeks.values()) == 7


async def test_scopes_follow_roles(db: Database, month: Month) -> None:
    rules = Rules.model_validate({"admins": [ADA]})
    clock = FixedClock(NOW)
    metrics = MetricsService(db, rules, clock, Directory(db, rules, clock))
    assert (await metrics.scope_for(WS, ALICE)).kind is ScopeKind.OWN
    manager = await metrics.scope_for(WS, MEI)
    assert manager.kind is ScopeKind.TEAMS and manager.team_ids == (month.east,)
    assert (await metrics.scope_for(WS, ADA)).kind is ScopeKind.ALL
