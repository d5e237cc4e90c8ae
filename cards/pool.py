"""The public pool: the ``/claim pool`` list (paged, a **Claim** button per customer), the
announcement in the pool channel, and the answers to a click on **Claim**."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.i18n import Translator
from bot.ids import LifecycleAction
from bot.lifecycle.pool import PoolClaim, PoolOutcome, PoolPage
from bot.notify.kinds import NoticeKind
from bot.rules import Rules, option_label
from cards.blocks import MESSAGE_BLOCK_LIMIT, clip, context, escape_mrkdwn, header, section
from cards.format import mention, slack_date
from cards.registry import renders
from cards.verdict import verdict_lines
from store.models import EndReason

Card = tuple[str, list[Block]]


def claim_button(tr: Translator, customer_id: int) -> ButtonElement:
    """**Claim** a pooled customer; the value is the customer id."""
    return ButtonElement(
        text=PlainTextObject(text=clip(tr("pool.button.claim"), 75)),
        action_id=LifecycleAction.CLAIM_FROM_POOL.value,
        value=str(customer_id),
        style="primary",
    )


def pool_list(tr: Translator, rules: Rules, page: PoolPage) -> Card:
    """One page of the pool: at most ``PAGE_SIZE`` customers, well under Slack's 50 blocks."""
    title = tr("pool.title")
    if not page.customers:
        text = tr("pool.empty")
        return text, [header(title), section(text)]
    blocks: list[Block] = [
        header(title),
        context(tr("pool.count", total=page.total, page=page.page + 1, pages=page.pages)),
    ]
    for customer in page.customers[: MESSAGE_BLOCK_LIMIT - 5]:
        name = escape_mrkdwn(clip(customer.name, 120))
        released = slack_date(customer.pooled_at)
        line = (
            tr(
                "pool.line",
                customer=name,
                region=option_label(rules.form.regions, customer.region, tr),
                date=released,
            )
            if customer.region
            else tr("pool.line_no_region", customer=name, date=released)
        )
        blocks.append(
            SectionBlock(
                block_id=f"pool:{customer.customer_id}",
                text=MarkdownTextObject(text=clip(line, 3000)),
                accessory=claim_button(tr, customer.customer_id),
            )
        )
    paging: list[ButtonElement] = []
    if page.has_previous:
        paging.append(
            ButtonElement(
                text=PlainTextObject(text=clip(tr("pool.button.previous"), 75)),
                action_id=LifecycleAction.POOL_PREVIOUS.value,
                value=json.dumps({"page": page.page - 1}),
            )
        )
    if page.has_next:
        paging.append(
            ButtonElement(
                text=PlainTextObject(text=clip(tr("pool.button.next"), 75)),
                action_id=LifecycleAction.POOL_NEXT.value,
                value=json.dumps({"page": page.page + 1}),
            )
        )
    if paging:
        blocks.append(ActionsBlock(block_id="pool_pages", elements=paging))
    blocks.append(context(tr("pool.footer")))
    return (
        f"{title}: {tr('pool.count', total=page.total, page=page.page + 1, pages=page.pages)}",
        blocks,
    )


def page_of(value: str | None) -> int:
    """The page a Next/Previous button asks for (0 for anything odd)."""
    try:
        data = json.loads(value or "{}")
    except ValueError:
        return 0
    page = data.get("page") if isinstance(data, dict) else None
    return page if isinstance(page, int) and 0 <= page < 100_000 else 0


_ANNOUNCEMENT = {
    EndReason.RECLAIMED.value: "pool.announce.idle",
    EndReason.PROTECTION_ENDED.value: "pool.announce.protection",
    EndReason.LOST.value: "pool.announce.lost",
    EndReason.RELEASED.value: "pool.announce.released",
}


@renders(NoticeKind.POOL_ANNOUNCEMENT)
def pool_announcement(payload: dict[str, Any], tr: Translator) -> Card:
    """In the pool channel: a customer is back in the pool, with a **Claim** button."""
    key = _ANNOUNCEMENT.get(str(payload.get("reason")), "pool.announce.idle")
    name = escape_mrkdwn(clip(str(payload.get("customer_name") or ""), 120))
    text = tr(key, customer=name)
    return text, [
        SectionBlock(
            block_id="pool_announcement",
            text=MarkdownTextObject(text=clip(text, 3000)),
            accessory=claim_button(tr, int(payload["customer_id"])),
        ),
        context(tr("pool.footer")),
    ]


_DIGEST_LINE = {
    EndReason.RECLAIMED.value: "pool.digest.line.reclaimed",
    EndReason.PROTECTION_ENDED.value: "pool.digest.line.protection_ended",
}


@renders(NoticeKind.POOL_DIGEST)
def pool_digest(payload: dict[str, Any], tr: Translator) -> Card:
    """In the pool channel, when a sweep released many customers at once: one message of up to
    ``DIGEST_ROWS`` of them (bot.lifecycle.digest), each with the **Claim** button of the single
    announcement; a customer claimed since (``holders``) shows who has it instead. Header, part
    line, rows and footer stay within Slack's 50 blocks."""
    customers: list[dict[str, Any]] = payload["customers"]
    first, total = int(payload["first"]), int(payload["total"])
    last = first + len(customers) - 1
    holders: dict[str, str] = payload.get("holders") or {}
    title = tr("pool.digest.title", total=total)
    part = tr(
        "pool.digest.part",
        date=slack_date(datetime.fromisoformat(payload["released_at"])),
        first=first,
        last=last,
        total=total,
    )
    blocks: list[Block] = [header(title), context(part)]
    for customer in customers:
        customer_id = int(customer["customer_id"])
        name = escape_mrkdwn(clip(str(customer["customer_name"]), 120))
        holder = holders.get(str(customer_id))
        if holder is not None:
            # A new block_id: the row changed from a button to a name.
            # Worded as the single announcement once taken.
            text = tr("pool.announce.taken", customer=name, holder=mention(holder))
            blocks.append(
                SectionBlock(
                    block_id=f"pool_taken:{customer_id}",
                    text=MarkdownTextObject(text=clip(text, 3000)),
                )
            )
            continue
        key = _DIGEST_LINE.get(str(customer.get("reason")), "pool.digest.line.reclaimed")
        blocks.append(
            SectionBlock(
                block_id=f"pool:{customer_id}",
                text=MarkdownTextObject(text=clip(tr(key, customer=name), 3000)),
                accessory=claim_button(tr, customer_id),
            )
        )
    more = [tr("pool.digest.more", more=total - last)] if last < total else []
    blocks.append(context(*more, tr("pool.footer")))
    return f"{title} ({part})", blocks


def pool_taken(customer_name: str, holder_id: str, tr: Translator) -> Card:
    """The announcement once someone has claimed the customer (no button any more)."""
    text = tr(
        "pool.announce.taken",
        customer=escape_mrkdwn(clip(customer_name, 120)),
        holder=mention(holder_id),
    )
    return text, [section(text)]


def pool_claim_reply(result: PoolClaim, tr: Translator) -> Card:
    """What the rep who clicked **Claim** is told (only them)."""
    name = escape_mrkdwn(clip(result.customer_name, 120))
    if result.outcome is PoolOutcome.NOT_FOUND:
        text = tr("pool.claim.not_found")
        return text, [section(text)]
    if result.outcome is PoolOutcome.TAKEN:
        text = tr(
            "pool.claim.taken",
            customer=name,
            holder=mention(result.holder_id),
            until=slack_date(result.holder_until),
        )
        return text, [section(text)]
    verdict = result.verdict
    assert verdict is not None
    if result.released_at is not None:
        title = tr("verdict.refused.title")
        text = tr(
            "pool.claim.cooldown",
            customer=name,
            released=slack_date(result.released_at),
            until=slack_date(verdict.refusal_until),
        )
        return f"{title} {text}", [section(f"*{title}*"), section(text)]
    title, lines = verdict_lines(verdict, tr)
    blocks: list[Block] = [section(f"*{title}*"), *(section(line) for line in lines)]
    if verdict.claim_id is not None:
        blocks.append(context(tr("verdict.reference", claim_id=verdict.claim_id)))
    return f"{title} {lines[0] if lines else ''}", blocks
