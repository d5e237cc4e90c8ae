"""Duplicate answers: who holds a customer, in what state, until when — nothing more.

These lines go to anyone who asks, so they never carry another rep's contact details.
"""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import Block

from bot.duplicates import Match
from bot.i18n import Translator
from cards.blocks import clip, context, escape_mrkdwn, section
from cards.format import mention, slack_date
from store.models import ClaimStatus


def status_phrase(match: Match, tr: Translator) -> str:
    """ "held by @x until 2026-12-01", "in the public pool", "free"."""
    holder = match.holder
    if holder is None:
        return tr("duplicates.status.pool") if match.pooled else tr("duplicates.status.free")
    if holder.status is ClaimStatus.PENDING:
        return tr("duplicates.status.pending", holder=mention(holder.owner_id))
    if holder.status is ClaimStatus.WON:
        return tr("duplicates.status.won", holder=mention(holder.owner_id))
    return tr(
        "duplicates.status.held", holder=mention(holder.owner_id), until=slack_date(holder.until)
    )


def match_line(match: Match, tr: Translator) -> str:
    """One bullet line for a match."""
    name = escape_mrkdwn(clip(match.customer_name, 120))
    how = (
        tr(f"duplicates.matched_on.{match.matched_on.value}")
        if match.score >= 100
        else tr("duplicates.similar", score=f"{match.score:.0f}")
    )
    return f"• *{name}* — {status_phrase(match, tr)} ({how})"


def check_reply(query: str, matches: Sequence[Match], tr: Translator) -> tuple[str, list[Block]]:
    """The ephemeral answer to ``/claim check``."""
    shown = escape_mrkdwn(clip(query, 120))
    if not matches:
        text = tr("duplicates.check.none", query=shown)
        return text, [section(text), context(tr("duplicates.check.claim_it"))]
    title = tr("duplicates.check.found", query=shown, count=len(matches))
    lines = "\n".join(match_line(m, tr) for m in matches)
    return f"{title}\n{lines}", [section(title), section(lines)]
