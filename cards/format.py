"""Dates, people and amounts as Slack shows them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from cards.blocks import clip


def slack_date(moment: datetime | None, *, with_time: bool = False) -> str:
    """A date Slack renders in each reader's own time zone (``<!date^…>``), with a UTC fallback."""
    if moment is None:
        return "—"
    token = "{date_num} {time}" if with_time else "{date_num}"
    fallback = moment.strftime("%Y-%m-%d %H:%M UTC" if with_time else "%Y-%m-%d")
    return f"<!date^{int(moment.timestamp())}^{token}|{fallback}>"


def parse_iso(text: str | None) -> datetime | None:
    """An ISO timestamp from a notice payload."""
    return datetime.fromisoformat(text) if text else None


def mention(user_id: str | None) -> str:
    """A user mention (Slack shows the name; the user is not notified by a DM's text)."""
    return f"<@{user_id}>" if user_id else "—"


def amount(value: Decimal | None) -> str:
    """A deal size in yuan with thousands separators."""
    if value is None:
        return "—"
    return f"¥{value:,.0f}" if value == value.to_integral_value() else f"¥{value:,.2f}"


def plain_name(name: str, limit: int = 80) -> str:
    """A name for plain_text (a confirm dialog): shown as is, so Slack's markup brackets are
    swapped for look-alikes — a customer named ``<!channel>`` must not read as a mention."""
    return clip(name, limit).replace("<", "‹").replace(">", "›")
