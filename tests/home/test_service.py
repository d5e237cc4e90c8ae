"""What each role's Home reads from the store, on SQLite and PostgreSQL: the month of
tests/metrics/fixtures.py, seen on 2026-11-25 (claims there have no protection end, so each is
reclaimed 14 idle days after its last activity)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.approvals.service import ApprovalService
from bot.clock import FixedClock
from bot.directory import Directory
from bot.duplicates import DuplicateChecker
from bot.home.service import HomeService
from bot.home.state import HomeState
from bot.ids import HomeSection
from bot.metrics.periods import Period
from bot.metrics.service import MetricsService, ScopeKind
from bot.rules import Rules
from store.db import Database
from store.models import Role
from tests.home.support import many_claims
from tests.metrics.fixtures import ADA, ALICE, CAROL, MEI, NOW, WS, Month, seed


@pytest.fixture
async def month(db: Database) -> Month:
    return await seed(db)


def service(db: Database) -> HomeService:
    rules = Rules.model_validate({"admins": [ADA]})
    clock = FixedClock(NOW)
    directory = Directory(db, rules, clock)
    approvals = ApprovalService(db, rules, clock, DuplicateChecker(rules), directory)
    return HomeService(
        db, rules, clock, directory, approvals, MetricsService(db, rules, clock, directory)
    )


def names(lines: object) -> list[str]:
    return [line.customer_name for line in lines]  # type: ignore[attr-defined]


async def test_a_reps_home(db: Database, month: Month) -> None:
    home = await service(db).build(WS, ALICE, HomeState())
    assert home.role is Role.REP and home.scope.kind is ScopeKind.OWN and not home.oversees
    # Reclaimed soonest first: I1 (idle since 10-01), A1 (11-03), A2 (11-05).
    assert names(home.mine.items) == ["I1", "A1", "A2"] and home.mine.total == 3
    i1 = home.mine.items[0]
    assert i1.overdue and i1.idle_days == 55 and i1.last_followup_at is None
    assert home.mine.items[1].last_followup_at is not None  # A1's follow-up on 11-20
    assert [p.customer_name for p in home.pending.items] == ["A4"]
    assert home.my_month is not None and home.my_month.filed == 4
    assert home.decisions is None and home.attention is None and home.report is None


async def test_a_managers_home(db: Database, month: Month) -> None:
    home = await service(db).build(WS, MEI, HomeState(Period.WEEK))
    assert home.oversees and home.scope.kind is ScopeKind.TEAMS
    assert home.decisions is not None and [c.customer_name for c in home.decisions.cases] == ["A4"]
    assert home.attention is not None
    assert names(home.attention.items) == ["I1", "B2", "A1", "A2"]
    assert home.report is not None and home.report.period is Period.WEEK
    assert home.report.totals.filed == 1
    assert home.mine.total == 0 and home.my_month is None


async def test_an_admins_home_and_paging(db: Database, month: Month) -> None:
    # 25 more of Carol's, idle for 8 to 9 days: South's claims now need attention too.
    await many_claims(db, owner=CAROL, team=month.south, count=25, start=NOW - timedelta(days=9))
    homes = service(db)
    home = await homes.build(WS, ADA, HomeState())
    assert home.scope.kind is ScopeKind.ALL and home.attention is not None
    assert home.attention.total == 29 and len(home.attention.items) == 10
    first = names(home.attention.items)
    assert first[:2] == ["I1", "B2"] and first[4].startswith("Customer 03")
    second = await homes.build(WS, ADA, HomeState().paged(HomeSection.ATTENTION, 10))
    assert second.attention is not None and second.attention.offset == 10
    assert not set(names(second.attention.items)) & set(first)
    reclaims = [line.reclaim_at for line in [*home.attention.items, *second.attention.items]]
    assert reclaims == sorted(reclaims)
    # A page past the end (the list shrank meanwhile) shows the last page.
    gone = await homes.build(WS, ADA, HomeState().paged(HomeSection.ATTENTION, 500))
    assert gone.attention is not None and gone.attention.offset == 20
    assert len(gone.attention.items) == 9
    assert home.report is not None and {row.name for row in home.report.rows} >= {"East", "South"}
