"""Working hours in the recipient's own time zone, and urgent notices never held past their
deadline."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.notify.hours import delivery_time, next_window_start
from bot.rules import DeliveryRules

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
RULES = DeliveryRules()  # 09:00–19:00, Monday to Friday


def at(zone: ZoneInfo, year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=zone).astimezone(UTC)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # Monday 10:00 in Shanghai: now.
        (at(SHANGHAI, 2026, 11, 23, 10, 0), at(SHANGHAI, 2026, 11, 23, 10, 0)),
        # Monday 07:30: at 09:00.
        (at(SHANGHAI, 2026, 11, 23, 7, 30), at(SHANGHAI, 2026, 11, 23, 9, 0)),
        # Monday 19:00 sharp is after hours: Tuesday 09:00.
        (at(SHANGHAI, 2026, 11, 23, 19, 0), at(SHANGHAI, 2026, 11, 24, 9, 0)),
        # Friday evening: Monday 09:00.
        (at(SHANGHAI, 2026, 11, 27, 20, 0), at(SHANGHAI, 2026, 11, 30, 9, 0)),
        # Saturday noon: Monday 09:00.
        (at(SHANGHAI, 2026, 11, 28, 12, 0), at(SHANGHAI, 2026, 11, 30, 9, 0)),
    ],
)
def test_the_next_window_in_shanghai(moment: datetime, expected: datetime) -> None:
    assert next_window_start(moment, SHANGHAI, RULES) == expected


def test_the_same_moment_is_night_in_new_york_and_waits_for_its_morning() -> None:
    monday_10_shanghai = at(SHANGHAI, 2026, 11, 23, 10, 0)  # Sunday 21:00 in New York
    assert next_window_start(monday_10_shanghai, NEW_YORK, RULES) == at(
        NEW_YORK, 2026, 11, 23, 9, 0
    )


def test_across_a_daylight_saving_change_the_window_opens_at_local_nine() -> None:
    # New York springs forward on Sunday 2027-03-14.
    saturday = at(NEW_YORK, 2027, 3, 13, 12, 0)
    opening = next_window_start(saturday, NEW_YORK, RULES)
    assert opening.astimezone(NEW_YORK).time() == time(9, 0)
    assert opening == at(NEW_YORK, 2027, 3, 15, 9, 0)


def test_a_deadline_before_the_next_window_sends_now() -> None:
    friday_night = at(SHANGHAI, 2026, 11, 27, 22, 0)
    reclaim = friday_night + timedelta(hours=4)
    assert delivery_time(friday_night, SHANGHAI, RULES, deliver_by=reclaim) == friday_night
    later = friday_night + timedelta(days=5)
    assert delivery_time(friday_night, SHANGHAI, RULES, deliver_by=later) == at(
        SHANGHAI, 2026, 11, 30, 9, 0
    )


def test_configured_days_and_hours() -> None:
    weekend_shift = DeliveryRules(
        working_hours_start=time(6, 0), working_hours_end=time(12, 0), working_days=[6, 7]
    )
    monday = at(SHANGHAI, 2026, 11, 23, 10, 0)
    assert next_window_start(monday, SHANGHAI, weekend_shift) == at(SHANGHAI, 2026, 11, 28, 6, 0)
