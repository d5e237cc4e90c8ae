"""The approval card: a pending claim as its approvers see it, with Approve, Reject and Ask for
more info; once decided, the same card says who decided, when and why, and loses its buttons.

Also the messages around it: the decision DM to the rep, the rep's question DM with its Answer
button, and the answer passed on to the approvers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.approvals.case import ApprovalCase, Labels, ProfileLine, Question
from bot.approvals.outcome import Attempt, Refusal
from bot.i18n import Translator
from bot.ids import ApprovalAction, ApprovalBlock
from bot.notify.kinds import NoticeKind
from cards.blocks import clip, context, escape_mrkdwn, header, section
from cards.corrections import change_lines, resubmit_buttons
from cards.duplicates import explanation, how_matched
from cards.followup import claim_buttons
from cards.format import amount, mention, parse_iso, plain_name, slack_date
from cards.registry import renders
from store.models import Decision

FIELD_TEXT_LIMIT = 2000
BUTTON_TEXT_LIMIT = 75
NOTE_SHOWN = 1500  # characters of a reason, question or answer shown on a card


def customer(name: str) -> str:
    """A customer name for mrkdwn: inert and of bounded length."""
    return escape_mrkdwn(clip(name, 120))


def quoted(text: str | None) -> str:
    """User-typed text as a mrkdwn quote, inert (no pings, no links)."""
    body = escape_mrkdwn(clip(text or "", NOTE_SHOWN))
    return "\n".join(f"> {line}" if line else ">" for line in body.split("\n"))


# -- the card --------------------------------------------------------------------------------------


def approval_card(case: ApprovalCase, tr: Translator) -> tuple[str, list[Block]]:
    """Fallback text and blocks of the approval card, pending or decided."""
    status = status_line(case, tr)
    blocks: list[Block] = [header(title(case, tr))]
    if status:
        blocks.append(section(status))
        if case.decision_reason:
            blocks.append(section(tr("approval.card.reason") + "\n" + quoted(case.decision_reason)))
    blocks.append(section(filed_line(case, tr)))
    if case.resubmits:
        lines = [tr("approval.card.resubmits", claim_id=case.resubmits)]
        blocks.append(section("\n".join([*lines, *change_lines(dict(case.changes), tr)])))
    if case.edited:
        lines = [tr("approval.card.edited"), *change_lines(dict(case.edited), tr)]
        blocks.append(section("\n".join(lines)))
    blocks += detail_blocks(case, tr)
    blocks += question_blocks(case, tr)
    if case.pending:
        blocks.append(decision_buttons(case, tr, block_id=ApprovalBlock.ACTIONS.value))
    blocks.append(context(tr("approval.card.reference", claim_id=case.claim_id)))
    text = f"{title(case, tr)} — {status or filed_line(case, tr)}"
    return clip(text, 3000), blocks


def title(case: ApprovalCase, tr: Translator) -> str:
    """The card's headline: waiting, approved, rejected, or no longer waiting."""
    if case.pending:
        return tr("approval.card.title")
    if case.decision in (Decision.APPROVED, Decision.REJECTED):
        return tr(f"approval.card.title_{case.decision}")
    return tr("approval.card.title_closed")


def filed_line(case: ApprovalCase, tr: Translator) -> str:
    """Who filed what, when."""
    return tr(
        "approval.card.filed",
        owner=mention(case.owner_id),
        customer=customer(case.customer_name),
        date=slack_date(case.submitted_at, with_time=True),
    )


def status_line(case: ApprovalCase, tr: Translator) -> str | None:
    """Who decided and when; ``None`` while pending."""
    if case.pending:
        return None
    decided = slack_date(case.decided_at, with_time=True)
    if case.decision == Decision.APPROVED:
        return tr(
            "approval.card.approved",
            decider=mention(case.decided_by),
            date=decided,
            until=slack_date(case.protection_until),
        )
    if case.decision == Decision.REJECTED:
        return tr("approval.card.rejected", decider=mention(case.decided_by), date=decided)
    return tr("approval.card.closed")


def detail_blocks(case: ApprovalCase, tr: Translator) -> list[Block]:
    """Why it waits, the possible duplicates and their holders, and the key fields."""
    blocks: list[Block] = []
    if case.rules:
        why = [tr("approval.card.why")] + [f"• {tr(f'rule.{rule.value}')}" for rule in case.rules]
        blocks.append(section("\n".join(why)))
    if case.candidates:
        lines = [tr("approval.card.candidates")] + [
            tr(
                "approval.card.candidate",
                customer=customer(c.customer_name),
                holder=mention(c.holder_id),
                how=how_matched(c.matched_on, c.score, tr),
            )
            + "\n"
            + explanation(c.matched_on, c.score, c.probe_key, c.stored_key, tr)
            for c in case.candidates[:5]
        ]
        blocks.append(section("\n".join(lines)))
    fields = [
        _field(tr("form.label.contact_name"), case.contact_name),
        _field(tr("form.label.phone"), case.phone),
        _field(tr("form.label.email"), case.email),
        _field(tr("form.label.region"), _label(case.region, tr)),
        _field(tr("form.label.source_channel"), _label(case.source_channel, tr)),
        _field(
            tr("form.label.deal_size"),
            amount(case.deal_size) if case.deal_size is not None else None,
        ),
        _field(
            tr("form.label.first_contact_on"),
            case.first_contact_on.isoformat() if case.first_contact_on else None,
        ),
    ]
    if case.credit_code:
        fields.append(_field(tr("form.label.credit_code"), case.credit_code))
    if case.other_name:
        fields.append(_field(tr("form.label.other_name"), case.other_name))
    blocks.append(SectionBlock(fields=fields))
    if case.profile:
        blocks.append(section(profile_text(case.profile, tr)))
    if case.need_summary:
        blocks.append(section(f"*{tr('form.label.need_summary')}*\n" + quoted(case.need_summary)))
    return blocks


def question_blocks(case: ApprovalCase, tr: Translator) -> list[Block]:
    """Each question asked on the claim, with its answer or a note that it is awaited."""
    blocks: list[Block] = []
    for question in case.questions[-3:]:
        lines = [
            tr("approval.card.question", asker=mention(question.asked_by)),
            quoted(question.question),
        ]
        if question.answer is not None:
            lines += [
                tr("approval.card.answer", owner=mention(question.answered_by)),
                quoted(question.answer),
            ]
        elif case.pending:
            lines.append(tr("approval.card.awaiting_answer", owner=mention(case.owner_id)))
        blocks.append(section("\n".join(lines)))
    return blocks


def decision_buttons(case: ApprovalCase, tr: Translator, *, block_id: str) -> ActionsBlock:
    """Approve (with a confirmation), Reject, Ask for more info; each carries the claim id."""
    value = str(case.claim_id)
    return ActionsBlock(
        block_id=block_id,
        elements=[
            ButtonElement(
                action_id=ApprovalAction.APPROVE.value,
                text=_button_text(tr("approval.button.approve")),
                value=value,
                style="primary",
                confirm=ConfirmObject(
                    title=clip(tr("approval.confirm.title"), 100),
                    # Slack shows a confirm dialog's text as plain text: no mentions, no *bold*.
                    text=PlainTextObject(
                        text=clip(
                            tr("approval.confirm.text", customer=plain_name(case.customer_name)),
                            300,
                        )
                    ),
                    confirm=clip(tr("approval.button.approve"), 30),
                    deny=clip(tr("approval.button.cancel"), 30),
                ),
            ),
            ButtonElement(
                action_id=ApprovalAction.REJECT.value,
                text=_button_text(tr("approval.button.reject")),
                value=value,
                style="danger",
            ),
            ButtonElement(
                action_id=ApprovalAction.ASK.value,
                text=_button_text(tr("approval.button.ask")),
                value=value,
            ),
        ],
    )


def profile_text(lines: Sequence[ProfileLine], tr: Translator) -> str:
    """The customer profile fields, one ``*label*: value`` a line."""
    return "\n".join(
        f"*{escape_mrkdwn(label.get(tr.lang, ''))}*: {escape_mrkdwn(value.get(tr.lang, ''))}"
        for label, value in lines
    )


def _field(label: str, value: str | None) -> MarkdownTextObject:
    shown = escape_mrkdwn(value) if value else "—"
    return MarkdownTextObject(text=clip(f"*{label}*\n{shown}", FIELD_TEXT_LIMIT))


def _label(labels: Labels | None, tr: Translator) -> str | None:
    if not labels:
        return None
    return labels.get(tr.lang) or next(iter(labels.values()), None)


def _button_text(text: str) -> PlainTextObject:
    return PlainTextObject(text=clip(text, BUTTON_TEXT_LIMIT), emoji=True)


@renders(NoticeKind.APPROVAL_CARD)
def approval_notice(payload: dict[str, Any], tr: Translator) -> tuple[str, list[Block]]:
    """The approval card as first sent to an approver or the approvals channel."""
    return approval_card(ApprovalCase.from_payload(payload), tr)


# -- to the rep ------------------------------------------------------------------------------------


@renders(NoticeKind.APPROVAL_DECIDED)
def decided_notice(payload: dict[str, Any], tr: Translator) -> tuple[str, list[Block]]:
    """The rep's DM: their claim was approved (and is protected) or rejected (and why)."""
    name = customer(str(payload.get("customer_name") or ""))
    decider = mention(payload.get("decided_by"))
    if payload.get("decision") == "approved":
        title = tr("decided.approved.title")
        body = tr(
            "decided.approved.body",
            decider=decider,
            customer=name,
            until=slack_date(parse_iso(payload.get("protection_until"))),
        )
        lines = [body, tr("verdict.claimed.next")]
    else:
        title = tr("decided.rejected.title")
        body = tr("decided.rejected.body", decider=decider, customer=name)
        lines = [body]
        if payload.get("reason"):
            lines.append(tr("approval.card.reason") + "\n" + quoted(str(payload["reason"])))
        lines.append(tr("decided.rejected.next"))
    blocks: list[Block] = [section(f"*{title}*"), *(section(line) for line in lines)]
    claim_id = payload.get("claim_id")
    if payload.get("decision") == "approved" and isinstance(claim_id, int):
        # Approved: the claim is now one to keep alive, from this very message.
        blocks.append(claim_buttons(tr, claim_id))
    elif isinstance(claim_id, int):
        # Rejected: corrected and filed again from here (a new claim, linked to this one).
        blocks.append(resubmit_buttons(tr, claim_id))
    blocks.append(context(tr("approval.card.reference", claim_id=claim_id)))
    return f"{title} {body}", blocks


def question_message(
    claim_id: int, customer_name: str, question: Question, tr: Translator
) -> tuple[str, list[Block]]:
    """The rep's DM with an approver's question: an Answer button until answered."""
    text = tr(
        "question.asked.body", asker=mention(question.asked_by), customer=customer(customer_name)
    )
    blocks: list[Block] = [
        section(f"*{tr('question.asked.title')}*"),
        section(text + "\n" + quoted(question.question)),
    ]
    if question.answer is not None:
        blocks.append(section(tr("question.answered.yours") + "\n" + quoted(question.answer)))
    else:
        blocks.append(
            ActionsBlock(
                block_id=ApprovalBlock.ACTIONS.value,
                elements=[
                    ButtonElement(
                        action_id=ApprovalAction.ANSWER.value,
                        text=_button_text(tr("question.button.answer")),
                        value=str(question.id),
                        style="primary",
                    )
                ],
            )
        )
        blocks.append(context(tr("question.asked.footer")))
    blocks.append(context(tr("approval.card.reference", claim_id=claim_id)))
    return f"{tr('question.asked.title')} {text}", blocks


@renders(NoticeKind.INFO_REQUESTED)
def question_notice(payload: dict[str, Any], tr: Translator) -> tuple[str, list[Block]]:
    """The question DM as first sent to the rep."""
    question = Question(
        id=int(payload["question_id"]),
        asked_by=str(payload.get("asked_by") or ""),
        asked_at=datetime.fromisoformat(str(payload["asked_at"])),
        question=str(payload.get("question") or ""),
        answered_by=payload.get("answered_by"),
        answer=payload.get("answer"),
    )
    return question_message(
        int(payload["claim_id"]), str(payload.get("customer_name") or ""), question, tr
    )


@renders(NoticeKind.INFO_PROVIDED)
def answer_notice(payload: dict[str, Any], tr: Translator) -> tuple[str, list[Block]]:
    """To the approvers: the rep answered a question; the card shows it too."""
    text = tr(
        "question.answered.body",
        owner=mention(payload.get("owner_id")),
        asker=mention(payload.get("asked_by")),
        customer=customer(str(payload.get("customer_name") or "")),
    )
    blocks: list[Block] = [
        section(text),
        section(quoted(str(payload.get("question") or ""))),
        section(
            tr("approval.card.answer", owner=mention(payload.get("owner_id")))
            + "\n"
            + quoted(str(payload.get("answer") or ""))
        ),
        context(tr("approval.card.reference", claim_id=payload.get("claim_id"))),
    ]
    return text, blocks


# -- refusals and confirmations --------------------------------------------------------------------


def refusal_text(attempt: Attempt, tr: Translator) -> str:
    """Why nothing changed, in a sentence or two; names who decided first, or who holds it."""
    case = attempt.case
    if attempt.refusal is Refusal.DECIDED and case is not None:
        name = customer(case.customer_name)
        when = slack_date(case.decided_at, with_time=True)
        if case.decision == Decision.APPROVED:
            return tr(
                "approval.refused.approved",
                decider=mention(case.decided_by),
                date=when,
                customer=name,
            )
        if case.decision == Decision.REJECTED:
            return tr(
                "approval.refused.rejected",
                decider=mention(case.decided_by),
                date=when,
                customer=name,
            )
        return tr("approval.refused.closed", customer=name)
    held = attempt.held_by
    if attempt.refusal is Refusal.HELD_ELSEWHERE and case is not None and held is not None:
        return tr(
            "approval.refused.held_elsewhere",
            customer=customer(case.customer_name),
            other=customer(held.customer_name),
            holder=mention(held.holder.owner_id if held.holder else None),
            how=how_matched(held.matched_on.value, held.score, tr),
        )
    refusal = attempt.refusal or Refusal.UNKNOWN
    if refusal in (Refusal.DECIDED, Refusal.HELD_ELSEWHERE):
        refusal = Refusal.UNKNOWN
    return tr(f"approval.refused.{refusal.value}")


def done_text(action: str, case: ApprovalCase, tr: Translator) -> str:
    """What the approver just did, for the top of the refreshed pending list."""
    return tr(
        f"approval.done.{action}",
        customer=customer(case.customer_name),
        owner=mention(case.owner_id),
    )
