"""Duplicate answers: who holds a customer, in what state, until when — nothing more.

These lines go to anyone who asks, so they never carry another rep's contact details.
"""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import Block

from bot.duplicates import Match
from bot.i18n import Translator
from bot.matching.explain import marked_keys
from cards.blocks import clip, context, escape_mrkdwn, section
from cards.format import mention, slack_date
from store.models import ClaimStatus, KeyKind


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


def how_matched(matched_on: str, score: float, tr: Translator) -> str:
    """ "same phone", "same e-mail domain", "82% similar name"."""
    if matched_on == KeyKind.NAME.value and score < 100:
        return tr("duplicates.similar", score=f"{score:.0f}")
    return tr(f"duplicates.matched_on.{matched_on}")


def match_line(match: Match, tr: Translator, *, explain: bool = False) -> str:
    """One bullet line for a match; with ``explain`` (for those who decide) a second line says
    which field matched and, for a name, shows both keys with their differences marked."""
    name = escape_mrkdwn(clip(match.customer_name, 120))
    how = how_matched(match.matched_on.value, match.score, tr)
    line = f"• *{name}* — {status_phrase(match, tr)} ({how})"
    if explain:
        why = explanation(
            match.matched_on.value, match.score, match.probe_key, match.stored_key, tr
        )
        line += f"\n{why}"
    return line


def explanation(
    matched_on: str,
    score: float,
    probe_key: str | None,
    stored_key: str | None,
    tr: Translator,
) -> str:
    """How a match was found: the field, the score, and for a name both normalised keys with
    the parts that differ in [brackets] (the entered name's key first); for an e-mail domain,
    the domain."""
    if matched_on == KeyKind.EMAIL_DOMAIN.value and probe_key is not None:
        return tr("duplicates.explain.email_domain", domain=_code(probe_key))
    if matched_on == KeyKind.NAME.value and probe_key is not None and stored_key is not None:
        entered, stored = marked_keys(probe_key, stored_key)
        return tr(
            "duplicates.explain.name",
            score=f"{score:.0f}",
            entered=_code(entered),
            stored=_code(stored),
        )
    return tr(
        "duplicates.explain.field",
        field=tr(f"duplicates.field.{matched_on}"),
        score=f"{score:.0f}",
    )


def _code(key: str) -> str:
    shown = clip(key, 80).replace("`", "'")
    return f"`{shown}`"


def check_reply(
    query: str, matches: Sequence[Match], tr: Translator, *, explain: bool = False
) -> tuple[str, list[Block]]:
    """The ephemeral answer to ``/claim check``; ``explain`` for managers and admins."""
    shown = escape_mrkdwn(clip(query, 120))
    if not matches:
        text = tr("duplicates.check.none", query=shown)
        return text, [section(text), context(tr("duplicates.check.claim_it"))]
    title = tr("duplicates.check.found", query=shown, count=len(matches))
    lines = "\n".join(match_line(m, tr, explain=explain) for m in matches)
    return f"{title}\n{lines}", [section(title), section(lines)]
