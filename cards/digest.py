"""A team's channel: the daily digest and the weekly summary.

Posted where the whole team reads, so they show only what anyone may see — customer, holder,
status and dates, never a claim's contacts or need. Owners and approvers are mentioned so Slack
notifies them. Each part lists its first items and then "and N more", pointing to Claimbot's
Home, so a digest stays far inside Slack's 50 blocks however many claims a team has.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, PlainTextObject

from bot.digest.weekly import report_of
from bot.i18n import Translator
from bot.ids import HomeAction
from bot.notify import HOME_URL
from bot.notify.kinds import NoticeKind
from cards.blocks import (
    MESSAGE_BLOCK_LIMIT,
    clip,
    context,
    escape_mrkdwn,
    header,
    section,
    sections_of_lines,
)
from cards.format import mention, parse_iso, slack_date
from cards.metrics import breakdown_blocks, metric_fields
from cards.registry import renders

Card = tuple[str, list[Block]]
NAME_LIMIT = 60


def _customer(item: dict[str, Any]) -> str:
    return f"*{escape_mrkdwn(clip(str(item.get('customer_name') or ''), NAME_LIMIT))}*"


def _team(payload: dict[str, Any]) -> str:
    return clip(str(payload.get("team") or ""), 60)


def _more(payload: dict[str, Any], part: str, tr: Translator) -> list[Block]:
    left = int(payload.get(f"{part}_total", 0)) - len(payload.get(part, []))
    return [context(tr("digest.more", count=left))] if left > 0 else []


def _title(part: str, payload: dict[str, Any], tr: Translator, **params: object) -> str:
    return f"*{tr(f'digest.{part}.title', count=payload.get(f'{part}_total', 0), **params)}*"


def _overdue(payload: dict[str, Any], tr: Translator) -> list[Block]:
    """Overdue follow-ups by rep: each rep mentioned once, their claims and days idle."""
    items = payload.get("overdue", [])
    if not items:
        return []
    by_rep: dict[str, list[str]] = {}
    for item in items:
        by_rep.setdefault(str(item["owner_id"]), []).append(
            tr("digest.overdue.item", customer=_customer(item), days=item.get("idle_days", 0))
        )
    lines = [_title("overdue", payload, tr)]
    separator = tr("digest.separator")
    lines += [
        "• " + tr("digest.overdue.rep", rep=mention(rep), claims=separator.join(claims))
        for rep, claims in by_rep.items()
    ]
    return [*sections_of_lines(lines), *_more(payload, "overdue", tr)]


def _reclaiming(payload: dict[str, Any], tr: Translator) -> list[Block]:
    items = payload.get("reclaiming", [])
    if not items:
        return []
    lines = [_title("reclaiming", payload, tr)]
    lines += [
        "• "
        + tr(
            "digest.reclaiming.item",
            customer=_customer(item),
            owner=mention(str(item["owner_id"])),
            date=slack_date(parse_iso(item.get("reclaim_at"))),
        )
        for item in items
    ]
    return [*sections_of_lines(lines), *_more(payload, "reclaiming", tr)]


def _waiting(payload: dict[str, Any], tr: Translator) -> list[Block]:
    items = payload.get("waiting", [])
    if not items:
        return []
    approvers = ", ".join(mention(str(a)) for a in payload.get("approvers", [])[:10]) or "—"
    lines = [
        _title("waiting", payload, tr, hours=payload.get("remind_after_hours", 0)),
        tr("digest.waiting.approvers", approvers=approvers),
    ]
    lines += [
        "• "
        + tr(
            "digest.waiting.item",
            customer=_customer(item),
            owner=mention(str(item["owner_id"])),
            hours=item.get("waiting_hours", 0),
        )
        for item in items
    ]
    return [*sections_of_lines(lines), *_more(payload, "waiting", tr)]


def _ended(payload: dict[str, Any], tr: Translator) -> list[Block]:
    reclaimed, won = payload.get("reclaimed", []), payload.get("won", [])
    if not (reclaimed or won):
        return []
    if payload.get("since_yesterday"):
        title = tr("digest.ended.yesterday")
    else:
        since = date.fromisoformat(str(payload["since"]))
        title = tr("digest.ended.since", date=since.isoformat())
    lines = [f"*{title}*"]
    for part, items in (("reclaimed", reclaimed), ("won", won)):
        if not items:
            continue
        shown = tr("digest.separator").join(
            tr("digest.ended.item", customer=_customer(i), owner=mention(str(i["owner_id"])))
            for i in items
        )
        left = int(payload.get(f"{part}_total", 0)) - len(items)
        if left > 0:
            shown += " " + tr("digest.ended.more", count=left)
        lines.append(tr(f"digest.ended.{part}", count=payload.get(f"{part}_total", 0)) + shown)
    return sections_of_lines(lines)


def _open_home(payload: dict[str, Any], tr: Translator) -> list[Block]:
    url = payload.get(HOME_URL)
    if not url:
        return []
    button = ButtonElement(
        text=PlainTextObject(text=tr("digest.open_home")),
        action_id=HomeAction.OPEN.value,
        url=str(url),
    )
    return [ActionsBlock(elements=[button])]


@renders(NoticeKind.TEAM_DIGEST)
def daily_digest(payload: dict[str, Any], tr: Translator) -> Card:
    """The team's morning digest: who should follow up, what is about to go back to the pool,
    what waits for a decision, and what went back or was won since the last one."""
    team = _team(payload)
    blocks: list[Block] = [
        header(tr("digest.daily.title", team=team)),
        context(tr("digest.daily.intro")),
    ]
    parts = [
        *_overdue(payload, tr),
        *_reclaiming(payload, tr),
        *_waiting(payload, tr),
        *_ended(payload, tr),
    ]
    if not parts:
        blocks.append(section(tr("digest.daily.all_clear")))
    blocks += parts
    blocks += _open_home(payload, tr)
    if any(int(payload.get(f"{p}_total", 0)) > len(payload.get(p, [])) for p in _PARTS):
        blocks.append(context(tr("digest.daily.footer_more")))
    return clip(_text(payload, tr), 3000), blocks[:MESSAGE_BLOCK_LIMIT]


_PARTS = ("overdue", "reclaiming", "waiting", "reclaimed", "won")


def _text(payload: dict[str, Any], tr: Translator) -> str:
    """The notification line: the counts, and the people who should act (so they are pinged)."""
    counts = tr(
        "digest.daily.text",
        team=escape_mrkdwn(_team(payload)),
        overdue=payload.get("overdue_total", 0),
        reclaiming=payload.get("reclaiming_total", 0),
        waiting=payload.get("waiting_total", 0),
    )
    people = dict.fromkeys(
        [str(i["owner_id"]) for i in payload.get("overdue", [])]
        + [str(i["owner_id"]) for i in payload.get("reclaiming", [])]
        + ([str(a) for a in payload.get("approvers", [])] if payload.get("waiting") else [])
    )
    return counts + (" " + " ".join(mention(p) for p in people) if people else "")


@renders(NoticeKind.TEAM_WEEKLY)
def weekly_summary(payload: dict[str, Any], tr: Translator) -> Card:
    """Last week's numbers of the team, per rep (the chart follows as a file)."""
    report = report_of(payload["report"])
    team = _team(payload)
    title = tr("digest.weekly.title", team=team)
    window = tr(
        "digest.weekly.window",
        start=str(payload.get("first_day", "")),
        end=str(payload.get("last_day", "")),
    )
    blocks: list[Block] = [header(title), context(window)]
    if report.totals.empty:
        blocks.append(section(tr("digest.weekly.nothing")))
    else:
        blocks.append(metric_fields(report.totals, tr))
        blocks += breakdown_blocks(report, tr)
    blocks.append(context(tr("digest.weekly.chart_below"), tr("metrics.stats.definitions")))
    m = report.totals
    text = tr(
        "digest.weekly.text",
        team=escape_mrkdwn(team),
        filed=m.filed,
        approved=m.approved,
        won=m.won,
    )
    return clip(text, 3000), blocks[:MESSAGE_BLOCK_LIMIT]


@renders(NoticeKind.TEAM_WEEKLY_CHART)
def weekly_chart_comment(payload: dict[str, Any], tr: Translator) -> Card:
    """The line shared with the weekly chart (the file itself: bot.digest.weekly)."""
    return tr("digest.weekly.chart_comment", team=escape_mrkdwn(_team(payload))), []
