"""The verdict on a claim: in the modal right after submitting, and as a DM that stays."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import ActionsBlock, Block, PlainTextObject
from slack_sdk.models.views import View

from bot.claims.verdict import FilingRefusal, Outcome, Verdict
from bot.i18n import Translator
from bot.ids import View as ViewId
from bot.notify.kinds import NoticeKind
from cards.blocks import clip, context, escape_mrkdwn, header, section
from cards.disputes import dispute_button
from cards.duplicates import match_line
from cards.followup import claim_buttons, edit_button
from cards.format import mention, parse_iso, slack_date
from cards.registry import renders


def verdict_lines(verdict: Verdict, tr: Translator) -> tuple[str, list[str]]:
    """A headline and detail lines for a verdict (shared by the modal and the DM)."""
    name = escape_mrkdwn(clip(verdict.customer_name, 120))
    if verdict.outcome is Outcome.CLAIMED:
        return tr("verdict.claimed.title"), [
            tr("verdict.claimed.body", customer=name, until=slack_date(verdict.protection_until)),
            tr("verdict.claimed.next"),
            *other_entity_lines([match_line(m, tr) for m in verdict.other_entities[:5]], tr),
        ]
    if verdict.outcome is Outcome.PENDING:
        lines = [tr("verdict.pending.body", customer=name)]
        lines += [f"• {tr(f'rule.{rule.value}')}" for rule in verdict.rules]
        if verdict.candidates:
            lines.append(tr("verdict.pending.candidates"))
            lines += [match_line(m, tr) for m in verdict.candidates[:5]]
        lines += other_entity_lines([match_line(m, tr) for m in verdict.other_entities[:5]], tr)
        return tr("verdict.pending.title"), lines
    if verdict.outcome is Outcome.COLLISION:
        holder = verdict.holder
        return tr("verdict.collision.title"), [
            tr(
                "verdict.collision.body",
                customer=name,
                holder=mention(holder.owner_id if holder else None),
                until=slack_date(holder.until if holder else None),
            ),
            tr("verdict.collision.next"),
        ]
    if verdict.outcome is Outcome.ALREADY_YOURS:
        return tr("verdict.already_yours.title"), [
            tr(
                "verdict.already_yours.body",
                customer=name,
                until=slack_date(verdict.protection_until),
            )
        ]
    if verdict.refusal is FilingRefusal.COOLDOWN:
        return tr("verdict.refused.title"), [
            tr("verdict.refused.cooldown", customer=name, until=slack_date(verdict.refusal_until))
        ]
    return tr("verdict.refused.title"), [tr("verdict.refused.cap", cap=verdict.cap or 0)]


def other_entity_lines(bullets: list[str], tr: Translator) -> list[str]:
    """Similar held names that another credit code sets apart: information, not a duplicate."""
    if not bullets:
        return []
    return [tr("verdict.other_entities"), "\n".join(bullets)]


def verdict_view(verdict: Verdict, tr: Translator) -> View:
    """The modal the form turns into once submitted."""
    title, lines = verdict_lines(verdict, tr)
    blocks: list[Block] = [header(title), *(section(line) for line in lines)]
    if verdict.claim_id is not None:
        blocks.append(context(tr("verdict.reference", claim_id=verdict.claim_id)))
    return View(
        type="modal",
        callback_id=ViewId.CLAIM_VERDICT.value,
        title=PlainTextObject(text=clip(tr("verdict.modal_title"), 24)),
        close=PlainTextObject(text=clip(tr("verdict.done"), 24)),
        blocks=blocks,
    )


def deciding_view(tr: Translator) -> View:
    """The modal while a claim waits its turn in a burst (it becomes the verdict in a moment)."""
    return View(
        type="modal",
        callback_id=ViewId.CLAIM_VERDICT.value,
        title=PlainTextObject(text=clip(tr("verdict.modal_title"), 24)),
        close=PlainTextObject(text=clip(tr("verdict.done"), 24)),
        blocks=[section(tr("verdict.deciding"))],
    )


def notice_view(tr: Translator, text: str) -> View:
    """The claim result modal saying one thing (why it could not be filed, say)."""
    return View(
        type="modal",
        callback_id=ViewId.CLAIM_VERDICT.value,
        title=PlainTextObject(text=clip(tr("verdict.modal_title"), 24)),
        close=PlainTextObject(text=clip(tr("verdict.done"), 24)),
        blocks=[section(text)],
    )


def verdict_message(verdict: Verdict, tr: Translator) -> tuple[str, list[Block]]:
    """Any verdict as a direct message (when the modal is no longer there to show it)."""
    title, lines = verdict_lines(verdict, tr)
    return f"{title} {lines[0]}", [section(f"*{title}*"), *(section(line) for line in lines)]


@renders(NoticeKind.CLAIM_VERDICT)
def verdict_notice(payload: dict[str, Any], tr: Translator) -> tuple[str, list[Block]]:
    """The DM a rep gets after filing (it survives closing the modal)."""
    from bot.claims.approval import ApprovalRule

    verdict = Verdict(
        Outcome(payload["outcome"]),
        customer_id=None,
        customer_name=str(payload.get("customer_name") or ""),
        claim_id=payload.get("claim_id"),
        protection_until=parse_iso(payload.get("protection_until")),
        rules=tuple(ApprovalRule(r) for r in payload.get("rules", [])),
    )
    title, lines = verdict_lines(verdict, tr)
    for candidate in payload.get("candidates", [])[:5]:
        lines.append(_candidate_line(candidate, tr))
    lines += other_entity_lines(
        [_candidate_line(c, tr) for c in payload.get("other_entities", [])[:5]], tr
    )
    blocks: list[Block] = [section(f"*{title}*"), *(section(line) for line in lines)]
    if verdict.outcome is Outcome.CLAIMED and verdict.claim_id is not None:
        # The claim's own message: where the rep keeps it alive from.
        blocks.append(claim_buttons(tr, int(verdict.claim_id)))
    elif verdict.outcome is Outcome.PENDING and verdict.claim_id is not None:
        # A pending claim is corrected before its approvers decide, or withdrawn.
        claim_id = int(verdict.claim_id)
        blocks.append(
            ActionsBlock(block_id=f"claim_actions:{claim_id}", elements=[edit_button(tr, claim_id)])
        )
    return f"{title} {lines[0]}", blocks


def _candidate_line(candidate: dict[str, Any], tr: Translator) -> str:
    return f"• *{escape_mrkdwn(clip(str(candidate['customer_name']), 120))}* — " + tr(
        "verdict.candidate_holder", holder=mention(candidate.get("holder_id"))
    )


@renders(NoticeKind.COLLISION_HOLDER)
def collision_holder_notice(payload: dict[str, Any], tr: Translator) -> tuple[str, list[Block]]:
    """To the holder: someone tried to claim your customer."""
    text = tr(
        "collision.holder.body",
        challenger=mention(payload.get("challenger_id")),
        customer=escape_mrkdwn(clip(str(payload.get("customer_name") or ""), 120)),
    )
    return text, [
        section(text),
        context(tr("collision.holder.footer")),
        *_dispute(payload, tr),
    ]


@renders(NoticeKind.COLLISION_CHALLENGER)
def collision_challenger_notice(payload: dict[str, Any], tr: Translator) -> tuple[str, list[Block]]:
    """To the rep who collided: who holds the customer and until when."""
    text = tr(
        "verdict.collision.body",
        customer=escape_mrkdwn(clip(str(payload.get("customer_name") or ""), 120)),
        holder=mention(payload.get("holder_id")),
        until=slack_date(parse_iso(payload.get("until"))),
    )
    return text, [
        section(f"*{tr('verdict.collision.title')}*"),
        section(text),
        context(tr("verdict.collision.next")),
        *_dispute(payload, tr),
    ]


def _dispute(payload: dict[str, Any], tr: Translator) -> list[Block]:
    """Either side may dispute a collision (a notice written before disputes carries no id)."""
    collision_id = payload.get("collision_id")
    return [dispute_button(tr, int(collision_id))] if collision_id else []
