"""``/claim history``: a customer's ownership timeline — who did what, when.

An entry's details (a reason, a question, the method and stage of a follow-up) appear only when
the service left them in (:attr:`bot.history.Entry.full`); the rest reads the same for everyone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_sdk.models.blocks import Block

from bot.claims.profile import profile_lines
from bot.history import CustomerHistory, Entry
from bot.i18n import Translator
from bot.rules import Rules
from cards.blocks import (
    MESSAGE_BLOCK_LIMIT,
    clip,
    context,
    escape_mrkdwn,
    header,
    section,
    sections_of_lines,
)
from cards.corrections import change_lines
from cards.followup import stage_label
from cards.format import mention, parse_iso, slack_date
from cards.lists import end_reason
from store import audit
from store.models import ClaimStatus

Card = tuple[str, list[Block]]
LINES_PER_SECTION = 10

A = audit.Action


def _quote(value: Any) -> str:
    return escape_mrkdwn(clip(str(value or ""), 300))


def _who(user_id: str | None, tr: Translator) -> str:
    if not user_id or user_id == audit.SYSTEM:
        return tr("history.system")
    return mention(user_id)


def _filed(e: Entry, tr: Translator, rules: Rules) -> str:
    via = str(e.data.get("via") or "form")
    key = {"pool": "history.filed_pool", "import": "history.filed_import"}.get(via, "history.filed")
    return tr(key, actor=_who(e.actor_id, tr), owner=_who(e.owner_id, tr))


def _pending(e: Entry, tr: Translator, rules: Rules) -> str:
    rules_fired = [r for r in e.data.get("rules") or [] if isinstance(r, str)]
    if not rules_fired:
        return tr("history.pending")
    named = []
    for rule in rules_fired:
        try:
            named.append(tr(f"rule.{rule}"))
        except KeyError:
            named.append(escape_mrkdwn(rule))
    return tr("history.pending_rules", rules="; ".join(named))


def _approved(e: Entry, tr: Translator, rules: Rules) -> str:
    until = slack_date(parse_iso(e.data.get("protection_until")))
    if e.data.get("decision") in ("auto", "import") or e.actor_id == audit.SYSTEM:
        return tr("history.approved_auto", until=until)
    return tr("history.approved", actor=_who(e.actor_id, tr), until=until)


def _with_reason(key: str, reason_key: str = "reason") -> Callable[[Entry, Translator, Rules], str]:
    def line(e: Entry, tr: Translator, rules: Rules) -> str:
        text = tr(key, actor=_who(e.actor_id, tr), owner=_who(e.owner_id, tr))
        if e.full and e.data.get(reason_key):
            text += " " + tr("history.quote", text=_quote(e.data.get(reason_key)))
        return text

    return line


def _followed_up(e: Entry, tr: Translator, rules: Rules) -> str:
    text = tr("history.followed_up", actor=_who(e.actor_id, tr))
    if e.full:
        method = str(e.data.get("method") or "other")
        try:
            how = tr(f"followup.method.{method}")
        except KeyError:
            how = escape_mrkdwn(method)
        stage = e.data.get("stage")
        text += " " + (
            tr("history.followup_detail_stage", method=how, stage=stage_label(rules, stage, tr))
            if stage
            else tr("history.followup_detail", method=how)
        )
    return text


def _extension_requested(e: Entry, tr: Translator, rules: Rules) -> str:
    text = tr(
        "history.extension_requested", actor=_who(e.actor_id, tr), days=e.data.get("days", "?")
    )
    if e.full and e.data.get("reason"):
        text += " " + tr("history.quote", text=_quote(e.data.get("reason")))
    return text


def _extended(e: Entry, tr: Translator, rules: Rules) -> str:
    return tr(
        "history.extended",
        actor=_who(e.actor_id, tr),
        days=e.data.get("days", "?"),
        until=slack_date(parse_iso(e.data.get("protection_until"))),
    )


def _reclaimed(e: Entry, tr: Translator, rules: Rules) -> str:
    return tr("history.reclaimed", why=end_reason(str(e.data.get("reason") or "reclaimed"), tr))


def _transferred(e: Entry, tr: Translator, rules: Rules) -> str:
    key = "history.transferred_dispute" if e.data.get("by") == "dispute" else "history.transferred"
    text = tr(
        key,
        actor=_who(e.actor_id, tr),
        source=_who(e.data.get("from_id"), tr),
        target=_who(e.data.get("to_id"), tr),
    )
    if e.full and e.data.get("reason"):
        text += " " + tr("history.quote", text=_quote(e.data.get("reason")))
    return text


def _collision(e: Entry, tr: Translator, rules: Rules) -> str:
    matched = str(e.data.get("matched_on") or "name")
    try:
        how = tr(f"duplicates.matched_on.{matched}")
    except KeyError:
        how = escape_mrkdwn(matched)
    return tr(
        "history.collision",
        challenger=_who(e.data.get("challenger_id") or e.actor_id, tr),
        holder=_who(e.data.get("holder_id"), tr),
        how=how,
    )


def _dispute_opened(e: Entry, tr: Translator, rules: Rules) -> str:
    text = tr(
        "history.dispute_opened",
        actor=_who(e.actor_id, tr),
        holder=_who(e.data.get("holder_id"), tr),
        challenger=_who(e.data.get("challenger_id"), tr),
    )
    if e.full and e.data.get("reason"):
        text += " " + tr("history.quote", text=_quote(e.data.get("reason")))
    return text


def _dispute_decided(e: Entry, tr: Translator, rules: Rules) -> str:
    key = (
        "history.dispute_transferred"
        if e.data.get("outcome") == "transferred"
        else "history.dispute_kept"
    )
    text = tr(
        key,
        actor=_who(e.actor_id, tr),
        holder=_who(e.data.get("holder_id"), tr),
        challenger=_who(e.data.get("challenger_id"), tr),
    )
    if e.full and e.data.get("reason"):
        text += " " + tr("history.quote", text=_quote(e.data.get("reason")))
    return text


def _edited(e: Entry, tr: Translator, rules: Rules) -> str:
    text = tr("history.edited", actor=_who(e.actor_id, tr))
    changes = e.data.get("changes")
    if e.full and isinstance(changes, dict):  # others do not read the values (contacts)
        text += "\n" + "\n".join(change_lines(changes, tr))
    return text


def _simple(key: str) -> Callable[[Entry, Translator, Rules], str]:
    def line(e: Entry, tr: Translator, rules: Rules) -> str:
        return tr(key, actor=_who(e.actor_id, tr), owner=_who(e.owner_id, tr))

    return line


_LINES: dict[str, Callable[[Entry, Translator, Rules], str]] = {
    A.CLAIM_FILED: _filed,
    A.CLAIM_PENDING: _pending,
    A.CLAIM_APPROVED: _approved,
    A.CLAIM_REJECTED: _with_reason("history.rejected"),
    A.CLAIM_INFO_REQUESTED: _with_reason("history.info_requested", "question"),
    A.CLAIM_INFO_PROVIDED: _with_reason("history.info_provided", "answer"),
    A.CLAIM_FOLLOWED_UP: _followed_up,
    A.CLAIM_EXTENSION_REQUESTED: _extension_requested,
    A.CLAIM_EXTENDED: _extended,
    A.CLAIM_EXTENSION_REJECTED: _simple("history.extension_rejected"),
    A.CLAIM_WON: _simple("history.won"),
    A.CLAIM_LOST: _simple("history.lost"),
    A.CLAIM_RECLAIMED: _reclaimed,
    A.CLAIM_RELEASED: _with_reason("history.released"),
    A.CLAIM_TRANSFERRED: _transferred,
    A.CLAIM_WITHDRAWN: _with_reason("history.withdrawn"),
    A.CLAIM_EDITED: _edited,
    A.COLLISION_RECORDED: _collision,
    A.DISPUTE_OPENED: _dispute_opened,
    A.DISPUTE_DECIDED: _dispute_decided,
    A.CUSTOMER_IMPORTED: _simple("history.imported"),
    A.CUSTOMER_MERGED: _simple("history.merged"),
}


def entry_line(entry: Entry, tr: Translator, rules: Rules) -> str:
    """``date · who did what``."""
    render = _LINES.get(entry.action)
    what = (
        render(entry, tr, rules)
        if render
        else tr("history.other", actor=_who(entry.actor_id, tr), action=escape_mrkdwn(entry.action))
    )
    return f"{slack_date(entry.at, with_time=True)} · {what}"


def now_line(history: CustomerHistory, tr: Translator) -> str:
    """Who holds the customer now."""
    holder = mention(history.holder_id)
    if history.holder_id is None:
        state = tr("duplicates.status.pool") if history.pooled else tr("duplicates.status.free")
    elif history.holder_status is ClaimStatus.PENDING:
        state = tr("duplicates.status.pending", holder=holder)
    elif history.holder_status is ClaimStatus.WON:
        state = tr("duplicates.status.won", holder=holder)
    else:
        state = tr("duplicates.status.held", holder=holder, until=slack_date(history.holder_until))
    return tr("history.now", state=state)


def history_card(history: CustomerHistory, tr: Translator, rules: Rules) -> Card:
    """The timeline, oldest of the shown events first, ten lines a section."""
    title = tr("history.title", customer=clip(history.customer_name, 100))
    blocks: list[Block] = [header(title), section(now_line(history, tr))]
    profile = profile_lines(rules, history.profile, tr)
    if profile:
        blocks.append(
            context(" · ".join(f"{escape_mrkdwn(k)}: {escape_mrkdwn(v)}" for k, v in profile))
        )
    lines = [entry_line(e, tr, rules) for e in history.entries]
    if not lines:
        blocks.append(section(tr("history.empty")))
    blocks += sections_of_lines(lines, most=LINES_PER_SECTION)
    notes = []
    if history.earlier:
        notes.append(tr("history.earlier", count=history.earlier))
    notes.append(tr("history.footer"))
    blocks.append(context(*notes))
    # The fallback text is mrkdwn (the header is plain text): the name made inert there.
    fallback = tr("history.title", customer=escape_mrkdwn(clip(history.customer_name, 100)))
    return clip(f"{fallback}\n{now_line(history, tr)}", 3000), blocks[:MESSAGE_BLOCK_LIMIT]
