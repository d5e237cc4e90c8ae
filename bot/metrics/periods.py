"""The periods metrics are counted over, in the workspace's time zone.

A period is a half-open window ``[start, end)`` of aware UTC datetimes. Its edges fall on local
midnights of the workspace time zone (``timezone:`` in the rules, Asia/Shanghai by default), so a
claim filed at 23:30 in Shanghai on the last day of a month counts in that month, whatever UTC
says. A period is a whole one, so it holds everything up to now ("this month" on the 10th holds
ten days of claims; nothing is dated in the future).

- ``week``: this week, Monday 00:00 to the next Monday, local time.
- ``month``: this month, the 1st 00:00 to the 1st of the next month.
- ``quarter``: the last 90 days, from local midnight 89 days before today to tonight's midnight
  (today counts as the 90th). The Home offers the same three choices; "quarter" is a rolling 90
  days rather than the calendar quarter so that early in a quarter it still shows a quarter's
  worth of history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.clock import ensure_utc

QUARTER_DAYS = 90
TREND_WEEKS = 12


class Period(StrEnum):
    """A period people pick: this week, this month, the last 90 days."""

    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"


# What people may type after ``/claim stats`` (lower-cased), besides the period names.
ALIASES: dict[str, Period] = {
    "w": Period.WEEK,
    "weekly": Period.WEEK,
    "m": Period.MONTH,
    "monthly": Period.MONTH,
    "q": Period.QUARTER,
    "90": Period.QUARTER,
    "90d": Period.QUARTER,
}


def parse_period(word: str) -> Period | None:
    """The period a word names (``week``, ``month``, ``quarter`` and short forms), else None."""
    word = word.strip().lower()
    try:
        return Period(word)
    except ValueError:
        return ALIASES.get(word)


@dataclass(frozen=True, slots=True)
class Window:
    """A half-open window ``[start, end)`` in UTC."""

    start: datetime
    end: datetime

    def __contains__(self, moment: object) -> bool:
        return isinstance(moment, datetime) and self.start <= moment < self.end


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """00:00 of ``day`` in ``zone``, as UTC."""
    return ensure_utc(datetime.combine(day, time(0), tzinfo=zone))


def window(period: Period, now: datetime, zone: ZoneInfo) -> Window:
    """The window of ``period`` that contains ``now``."""
    today = ensure_utc(now).astimezone(zone).date()
    if period is Period.WEEK:
        first = today - timedelta(days=today.weekday())
        after = first + timedelta(days=7)
    elif period is Period.MONTH:
        first = today.replace(day=1)
        after = (first + timedelta(days=32)).replace(day=1)
    else:
        first = today - timedelta(days=QUARTER_DAYS - 1)
        after = today + timedelta(days=1)
    return Window(local_midnight(first, zone), local_midnight(after, zone))


def trend_weeks(now: datetime, zone: ZoneInfo, count: int = TREND_WEEKS) -> list[Window]:
    """The last ``count`` weeks (Monday to Monday, local time), oldest first; the last one is the
    current week."""
    today = ensure_utc(now).astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    mondays = [monday - timedelta(weeks=n) for n in range(count - 1, -2, -1)]
    edges = [local_midnight(day, zone) for day in mondays]
    return [Window(edges[i], edges[i + 1]) for i in range(count)]


def week_label(window: Window, zone: ZoneInfo) -> str:
    """A week as ``MM-DD`` of its Monday, local time (digits only, readable in both languages)."""
    return window.start.astimezone(zone).strftime("%m-%d")
