"""The messages of a claim's life: overdue reminders (to the rep, a copy to the manager), the
warning of an imminent reclaim, the reclaim itself, reminders about approvals waiting too long,
and extensions (the request form, the card managers decide on, the answer to the rep).

Every notice here is rendered when sent, in the recipient's language; dates are Slack date
tokens, so each reader sees them in their own time zone.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    InputBlock,
    PlainTextInputElement,
    PlainTextObject,
)
from slack_sdk.models.views import View

from bot.i18n import Translator
from bot.ids import ExtensionField, LifecycleAction, LifecycleView
from bot.lifecycle.extensions import CANCELLED, REASON_MAX, Decision, ExtensionCase
from bot.lifecycle.followups import ClaimView
from bot.notify.kinds import NoticeKind
from cards.blocks import clip, context, escape_mrkdwn, section
from cards.followup import MODAL_TEXT_LIMIT, claim_buttons
from cards.format import mention, parse_iso, slack_date
from cards.registry import renders
from store.models import EndReason

Card = tuple[str, list[Block]]


def _name(payload: dict[str, Any]) -> str:
    return escape_mrkdwn(clip(str(payload.get("customer_name") or ""), 120))


def _reference(tr: Translator, payload: dict[str, Any]) -> Block:
    return context(tr("verdict.reference", claim_id=payload.get("claim_id")))


def _claim_id(payload: dict[str, Any]) -> int:
    return int(payload["claim_id"])


@renders(NoticeKind.OVERDUE)
def overdue_notice(payload: dict[str, Any], tr: Translator) -> Card:
    """To the rep: no follow-up for a while; log one to keep the customer."""
    body = tr(
        "lifecycle.overdue.body",
        customer=_name(payload),
        days=payload.get("idle_days", 0),
        reclaim=slack_date(parse_iso(payload.get("reclaim_at"))),
    )
    title = tr("lifecycle.overdue.title")
    return f"{title} {body}", [
        section(f"*{title}*"),
        section(body),
        claim_buttons(tr, _claim_id(payload)),
        _reference(tr, payload),
    ]


@renders(NoticeKind.OVERDUE_MANAGER)
def overdue_manager_notice(payload: dict[str, Any], tr: Translator) -> Card:
    """To the rep's manager: the claim is still idle."""
    body = tr(
        "lifecycle.overdue_manager.body",
        owner=mention(payload.get("owner_id")),
        customer=_name(payload),
        days=payload.get("idle_days", 0),
        reclaim=slack_date(parse_iso(payload.get("reclaim_at"))),
    )
    return body, [
        section(body),
        context(
            tr("lifecycle.overdue_manager.footer"),
            tr("verdict.reference", claim_id=payload.get("claim_id")),
        ),
    ]


def warning_lines(payload: dict[str, Any], tr: Translator) -> list[str]:
    """Why the claim is about to be reclaimed, when, and what stops it."""
    reclaim = slack_date(parse_iso(payload.get("reclaim_at")), with_time=True)
    name = _name(payload)
    if payload.get("reclaim_reason") == EndReason.PROTECTION_ENDED.value:
        lines = [tr("lifecycle.warning.protection", customer=name, reclaim=reclaim)]
        left = int(payload.get("extensions_left") or 0)
        if left:
            lines.append(
                tr(
                    "lifecycle.warning.stop_protection",
                    left=left,
                    days=payload.get("extension_days", 0),
                )
            )
        else:
            lines.append(tr("lifecycle.warning.no_extension"))
        if payload.get("days_per_followup"):
            lines.append(
                tr("lifecycle.warning.stop_followup_days", days=payload["days_per_followup"])
            )
        return lines
    since = slack_date(parse_iso(payload.get("idle_since")))
    return [
        tr("lifecycle.warning.idle", customer=name, reclaim=reclaim, since=since),
        tr("lifecycle.warning.stop_idle"),
    ]


@renders(NoticeKind.RECLAIM_WARNING)
def reclaim_warning_notice(payload: dict[str, Any], tr: Translator) -> Card:
    """To the rep: the date of the reclaim and what stops it."""
    title = tr("lifecycle.warning.title")
    lines = warning_lines(payload, tr)
    return f"{title} {lines[0]}", [
        section(f"*{title}*"),
        *(section(line) for line in lines),
        claim_buttons(
            tr,
            _claim_id(payload),
            extension=payload.get("reclaim_reason") == EndReason.PROTECTION_ENDED.value
            and bool(payload.get("extensions_left")),
        ),
        _reference(tr, payload),
    ]


@renders(NoticeKind.RECLAIMED)
def reclaimed_notice(payload: dict[str, Any], tr: Translator) -> Card:
    """To the former owner: released to the pool, why, and when they may claim it again."""
    title = tr("lifecycle.reclaimed.title")
    date = slack_date(parse_iso(payload.get("released_at")))
    key = (
        "lifecycle.reclaimed.protection"
        if payload.get("reason") == EndReason.PROTECTION_ENDED.value
        else "lifecycle.reclaimed.idle"
    )
    lines = [
        tr(
            key,
            customer=_name(payload),
            date=date,
            since=slack_date(parse_iso(payload.get("idle_since"))),
        )
    ]
    if payload.get("cooldown_until"):
        lines.append(
            tr(
                "lifecycle.reclaimed.cooldown",
                until=slack_date(parse_iso(payload.get("cooldown_until"))),
            )
        )
    return f"{title} {lines[0]}", [
        section(f"*{title}*"),
        *(section(line) for line in lines),
        _reference(tr, payload),
    ]


def _pending_body(key: str, payload: dict[str, Any], tr: Translator) -> str:
    return tr(
        key,
        owner=mention(payload.get("owner_id")),
        customer=_name(payload),
        hours=payload.get("waiting_hours", 0),
        filed=slack_date(parse_iso(payload.get("submitted_at")), with_time=True),
    )


@renders(NoticeKind.APPROVAL_REMINDER)
def approval_reminder_notice(payload: dict[str, Any], tr: Translator) -> Card:
    """To the approvers: a claim has waited too long for their decision."""
    title = tr("lifecycle.approval_reminder.title")
    body = _pending_body("lifecycle.approval_reminder.body", payload, tr)
    return f"{title} {body}", [
        section(f"*{title}*"),
        section(body),
        section(tr("lifecycle.approval_reminder.next")),
        _reference(tr, payload),
    ]


@renders(NoticeKind.APPROVAL_ESCALATION)
def approval_escalation_notice(payload: dict[str, Any], tr: Translator) -> Card:
    """To the admins: nobody has decided a claim for far too long."""
    title = tr("lifecycle.approval_escalation.title")
    body = _pending_body("lifecycle.approval_escalation.body", payload, tr)
    return f"{title} {body}", [
        section(f"*{title}*"),
        section(body),
        section(tr("lifecycle.approval_reminder.next")),
        _reference(tr, payload),
    ]


# -- extensions --------------------------------------------------------------------------------


def extension_form(tr: Translator, claim: ClaimView, *, days: int, max_per_claim: int) -> View:
    """The rep's extension request: why they need more time."""
    left = max(0, max_per_claim - claim.extensions_granted)
    return View(
        type="modal",
        callback_id=LifecycleView.EXTENSION_FORM.value,
        title=PlainTextObject(text=clip(tr("extension.modal.title"), MODAL_TEXT_LIMIT)),
        submit=PlainTextObject(text=clip(tr("extension.modal.submit"), MODAL_TEXT_LIMIT)),
        close=PlainTextObject(text=clip(tr("form.cancel"), MODAL_TEXT_LIMIT)),
        private_metadata=json.dumps({"claim_id": claim.claim_id}),
        blocks=[
            section(
                tr(
                    "extension.modal.intro",
                    customer=escape_mrkdwn(clip(claim.customer_name, 120)),
                    until=slack_date(claim.protection_until),
                    days=days,
                    left=left,
                    max=max_per_claim,
                )
            ),
            InputBlock(
                block_id=ExtensionField.REASON.value,
                label=PlainTextObject(text=clip(tr("extension.label.reason"), 2000)),
                element=PlainTextInputElement(
                    action_id=ExtensionField.REASON.value,
                    multiline=True,
                    max_length=REASON_MAX,
                    placeholder=PlainTextObject(text=clip(tr("extension.placeholder.reason"), 150)),
                ),
            ),
        ],
    )


def extension_requested_text(tr: Translator, customer_name: str, recipients: Sequence[str]) -> str:
    """What the rep reads once the request is filed: where it went."""
    customer = escape_mrkdwn(clip(customer_name, 120))
    if not recipients:
        return tr("extension.requested_nobody", customer=customer)
    who = ", ".join(mention(r) if r[:1] in ("U", "W") else f"<#{r}>" for r in recipients)
    return tr("extension.requested", customer=customer, recipients=who)


def extension_status_line(case: ExtensionCase, tr: Translator) -> str | None:
    """How a decided request ended, or None while it waits."""
    if case.status == Decision.APPROVED:
        return tr(
            "extension.card.approved",
            by=mention(case.decided_by),
            until=slack_date(parse_iso(case.new_protection_until)),
        )
    if case.status == Decision.REJECTED:
        return tr("extension.card.rejected", by=mention(case.decided_by))
    if case.status == CANCELLED:
        return tr("extension.card.cancelled")
    return None


def extension_card(case: ExtensionCase, tr: Translator) -> Card:
    """The card approvers decide on; once decided, the same card with the outcome, no buttons."""
    title = tr("extension.card.title")
    body = tr(
        "extension.card.body",
        owner=mention(case.owner_id),
        days=case.days,
        customer=escape_mrkdwn(clip(case.customer_name, 120)),
        until=slack_date(parse_iso(case.protection_until)),
        granted=case.extensions_granted,
        max=case.max_per_claim,
    )
    blocks: list[Block] = [
        section(f"*{title}*"),
        section(body),
        section(tr("extension.card.reason", reason=escape_mrkdwn(clip(case.reason, 1000)))),
    ]
    outcome = extension_status_line(case, tr)
    if outcome is None:
        blocks.append(
            ActionsBlock(
                block_id=f"extension:{case.request_id}",
                elements=[
                    ButtonElement(
                        text=PlainTextObject(text=clip(tr("extension.button.approve"), 75)),
                        action_id=LifecycleAction.APPROVE_EXTENSION.value,
                        value=str(case.request_id),
                        style="primary",
                    ),
                    ButtonElement(
                        text=PlainTextObject(text=clip(tr("extension.button.reject"), 75)),
                        action_id=LifecycleAction.REJECT_EXTENSION.value,
                        value=str(case.request_id),
                        style="danger",
                    ),
                ],
            )
        )
    else:
        blocks.append(section(outcome))
    blocks.append(context(tr("verdict.reference", claim_id=case.claim_id)))
    return f"{title}: {body}", blocks


@renders(NoticeKind.EXTENSION_REQUEST)
def extension_request_notice(payload: dict[str, Any], tr: Translator) -> Card:
    """The extension card, as first posted."""
    return extension_card(ExtensionCase.from_payload(payload), tr)


@renders(NoticeKind.EXTENSION_DECIDED)
def extension_decided_notice(payload: dict[str, Any], tr: Translator) -> Card:
    """To the rep: their manager's decision."""
    case = ExtensionCase.from_payload(payload)
    name = escape_mrkdwn(clip(case.customer_name, 120))
    if case.status == Decision.APPROVED:
        body = tr(
            "extension.decided.approved",
            by=mention(case.decided_by),
            customer=name,
            until=slack_date(parse_iso(case.new_protection_until)),
        )
        return body, [section(body), context(tr("verdict.reference", claim_id=case.claim_id))]
    body = tr(
        "extension.decided.rejected",
        by=mention(case.decided_by),
        customer=name,
        reclaim=slack_date(parse_iso(payload.get("reclaim_at"))),
    )
    return body, [
        section(body),
        claim_buttons(tr, case.claim_id, extension=False),
        context(tr("verdict.reference", claim_id=case.claim_id)),
    ]
