"""``/claim pending``: the claims waiting for the caller's decision, each with the card's buttons.

A page holds at most ten claims of three blocks each, so the message stays well inside Slack's
50 blocks; "Show more" replaces it with the next page.
"""

from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, PlainTextObject

from bot.approvals.case import ApprovalCase
from bot.approvals.outcome import PendingPage
from bot.i18n import Translator
from bot.ids import ApprovalAction, ApprovalBlock
from cards.approval import customer, decision_buttons
from cards.blocks import MESSAGE_BLOCK_LIMIT, clip, context, escape_mrkdwn, header, section
from cards.duplicates import how_matched
from cards.format import amount, mention, slack_date


def pending_list(
    page: PendingPage, tr: Translator, *, notice: str | None = None
) -> tuple[str, list[Block]]:
    """Fallback text and blocks of one page; ``notice`` (what was just done) goes on top."""
    blocks: list[Block] = [section(notice)] if notice else []
    if not page.approver:
        text = tr("pending.not_approver")
        return _text(notice, text), [*blocks, section(text)]
    if page.total == 0 or not page.cases:
        text = tr("pending.none")
        return _text(notice, text), [*blocks, section(text)]
    summary = tr(
        "pending.count",
        total=page.total,
        first=page.offset + 1,
        last=page.offset + len(page.cases),
    )
    blocks += [header(tr("pending.title")), context(summary)]
    for case in page.cases:
        blocks += case_blocks(case, tr)
    if page.next_offset is not None:
        blocks.append(
            ActionsBlock(
                block_id=ApprovalBlock.MORE.value,
                elements=[
                    ButtonElement(
                        action_id=ApprovalAction.PENDING_MORE.value,
                        text=PlainTextObject(text=clip(tr("pending.more"), 75)),
                        value=str(page.next_offset),
                    )
                ],
            )
        )
    return _text(notice, summary), blocks[:MESSAGE_BLOCK_LIMIT]


def case_blocks(case: ApprovalCase, tr: Translator) -> list[Block]:
    """A claim in the list: who and what, why it waits, the key fields, the buttons."""
    lines = [
        tr(
            "pending.item",
            customer=customer(case.customer_name),
            owner=mention(case.owner_id),
            date=slack_date(case.submitted_at),
        )
    ]
    if case.rules:
        lines.append(
            tr("pending.why", rules="; ".join(tr(f"rule.{rule.value}") for rule in case.rules))
        )
    for candidate in case.candidates[:2]:
        lines.append(
            tr(
                "approval.card.candidate",
                customer=customer(candidate.customer_name),
                holder=mention(candidate.holder_id),
                how=how_matched(candidate.matched_on, candidate.score, tr),
            )
        )
    open_questions = [q for q in case.questions if q.answer is None]
    if open_questions:
        lines.append(tr("pending.asked", asker=mention(open_questions[-1].asked_by)))
    elif case.questions:
        lines.append(tr("pending.answered", owner=mention(case.owner_id)))
    facts = [escape_mrkdwn(value) for value in (case.contact_name, case.phone, case.email) if value]
    if case.deal_size is not None:
        facts.append(amount(case.deal_size))
    if case.region:
        facts.append(escape_mrkdwn(case.region.get(tr.lang) or ""))
    details = " · ".join(f for f in facts if f) or "—"
    return [
        section("\n".join(lines)),
        context(details, tr("approval.card.reference", claim_id=case.claim_id)),
        decision_buttons(case, tr, block_id=f"{ApprovalBlock.ACTIONS.value}:{case.claim_id}"),
    ]


def _text(notice: str | None, text: str) -> str:
    return clip(f"{notice}\n{text}" if notice else text, 3000)
