"""The analytics (bot.metrics.analytics) against the hand-made month of tests/metrics/fixtures.py
with its three extra won claims, every figure worked out by hand, on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.metrics.analytics import Analytics, AnalyticsService, GroupRow
from bot.metrics.periods import Period
from store.db import Database
from store.metrics import ByProfile
from store.metrics import GroupKey as Key
from tests.metrics.fixtures import ALICE, BO, CAROL, WS, Month, seed
from tests.metrics.test_definitions import east, everyone, service

HOUR = 3600.0


@pytest.fixture
async def month(db: Database) -> Month:
    return await seed(db, wins=True)


def analytics_of(db: Database) -> AnalyticsService:
    return AnalyticsService(service(db))


def by_key(rows: tuple[GroupRow, ...]) -> dict[Key, GroupRow]:
    return {r.key: r for r in rows}


async def november(db: Database) -> Analytics:
    return await analytics_of(db).analytics(WS, everyone(), Period.MONTH)


async def test_the_funnel_counts_each_claim_at_its_furthest_stage(
    db: Database, month: Month
) -> None:
    a = await november(db)
    # Approved and filed in November: A1 (proposal), A2 (contact), B1 (won; a follow-up at
    # negotiation), C1 (analysis, released since), W1 and W3 (won). Lost is not a funnel stage.
    assert [(s.stage, s.reached) for s in a.funnel] == [
        ("contact", 6),
        ("analysis", 5),
        ("proposal", 4),
        ("negotiation", 3),
        ("won", 3),
    ]
    rates = [s.to_next.value if s.to_next else None for s in a.funnel]
    assert rates == pytest.approx([5 / 6, 4 / 5, 3 / 4, 1.0, None])


async def test_the_sales_cycle_of_the_deals_won_in_the_month(db: Database, month: Month) -> None:
    cycle = (await november(db)).cycle
    # Won in November: W1 48 h, W3 240 h, B1 338 h (11-01 07:00 → 11-15 09:00), W2 744 h (filed in
    # October: the cycle counts the day it was won).
    assert cycle.won == 4
    assert cycle.average == pytest.approx((48 + 240 + 338 + 744) / 4 * HOUR)
    # Median: position 0.5 × 3 = 1.5 → 240 + 0.5 × (338 − 240) = 289 h.
    assert cycle.median == pytest.approx(289 * HOUR)
    # 90th percentile: position 2.7 → 338 + 0.7 × (744 − 338) = 622.2 h.
    assert cycle.p90 == pytest.approx(622.2 * HOUR)


async def test_value_filed_approved_won(db: Database, month: Month) -> None:
    a = await november(db)
    # Filed in November: A1 100k A2 50k A3 30k A4 200k B1 80k C1 — W1 10k W3 40k.
    # Approved: all but A3 (rejected) and A4 (pending); won since: B1 W1 W3.
    assert a.value == (Decimal("510000.00"), Decimal("280000.00"), Decimal("130000.00"))


async def test_win_rate_per_channel_and_the_rep_ranking(db: Database, month: Month) -> None:
    a = await november(db)
    channels = by_key(a.channels)
    assert channels["referral"].win_rate.value == pytest.approx(1 / 3)  # A1 A2 W3 → W3
    assert channels["website"].win_rate.value == 1.0  # B1 (A3 was rejected)
    assert channels["exhibition"].win_rate.value == pytest.approx(1 / 2)  # C1 W1 → W1
    assert channels[None].win_rate.value is None, "A4 is pending: nothing approved"
    # Each won one deal; the won value orders them. Conversion = advanced / approved.
    assert [r.key for r in a.reps] == [BO, ALICE, CAROL]
    bo, alice, carol = a.reps
    assert (bo.counts.won_value, bo.conversion.value) == (Decimal("80000.00"), 1.0)
    assert alice.conversion.value == pytest.approx(2 / 3)  # A1 W3 of A1 A2 W3
    assert (carol.counts.won, carol.conversion.value) == (1, 1.0)  # C1 analysis, W1 won


async def test_grouped_by_region_and_by_the_industry_profile_field(
    db: Database, month: Month
) -> None:
    service = analytics_of(db)
    _, regions = await service.grouped(WS, everyone(), Period.MONTH, "region")
    east_row, south_row, none_row = (by_key(regions)[k] for k in ("east", "south", None))
    assert (east_row.counts.filed, east_row.counts.won) == (4, 2)  # A1 A2 B1 W3
    assert east_row.counts.won_value == Decimal("120000.00")
    assert (south_row.counts.filed, south_row.counts.approved, south_row.counts.won) == (3, 2, 1)
    assert none_row.counts.filed == 1  # A4
    _, industries = await service.grouped(WS, everyone(), Period.MONTH, ByProfile("industry"))
    rows = by_key(industries)
    assert set(rows) == {"finance", "retail", None}
    finance = rows["finance"]  # A1 A4 B1 W3
    assert (finance.counts.filed, finance.counts.approved, finance.counts.won) == (4, 3, 2)
    assert finance.win_rate.value == pytest.approx(2 / 3)
    assert (rows["retail"].counts.filed, rows["retail"].counts.won) == (2, 0)  # A2 C1
    assert rows[None].counts.filed == 2  # A3 W1


async def test_a_manager_sees_their_teams_only(db: Database, month: Month) -> None:
    a = await analytics_of(db).analytics(WS, east(month), Period.MONTH)
    # East's approved November claims: A1 A2 B1 W3.
    assert [s.reached for s in a.funnel] == [4, 3, 3, 2, 2]
    # Won in November by East: W3 240 h, B1 338 h, W2 744 h.
    assert a.cycle.median == pytest.approx(338 * HOUR)
    assert a.cycle.p90 == pytest.approx((338 + 0.8 * (744 - 338)) * HOUR)
    assert {r.key for r in a.reps} == {ALICE, BO}
