"""When a digest may go out: working days, at or after the digest time, not in the evening."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from bot.digest.service import TeamDigests
from bot.rules import Rules


def digests(**digest: Any) -> TeamDigests:
    rules = Rules.model_validate({"digest": digest})
    return TeamDigests(db=None, rules=rules, directory=None, metrics=None)  # type: ignore[arg-type]


def shanghai(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of late November 2026 in Shanghai (UTC+8), as UTC."""
    return datetime(2026, 11, day, hour - 8, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "due"),
    [
        (shanghai(30, 9, 29), None),  # Monday, a minute early
        (shanghai(30, 9, 30), date(2026, 11, 30)),
        (shanghai(30, 18, 59), date(2026, 11, 30)),  # caught up late in the day
        (shanghai(30, 19, 0), None),  # not in the evening
        (shanghai(28, 10), None),  # Saturday
    ],
)
def test_the_digest_goes_on_working_days_between_its_time_and_the_end_of_work(
    moment: datetime, due: date | None
) -> None:
    assert digests().due_day(moment) == due


def test_a_digest_set_after_working_hours_goes_then() -> None:
    late = digests(time="20:00")
    assert late.due_day(shanghai(30, 19, 59)) is None
    assert late.due_day(shanghai(30, 20, 0)) == date(2026, 11, 30)
