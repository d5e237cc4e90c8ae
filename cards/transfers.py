"""A manager's transfer and release: the modals from the team list, the answers, and the DMs to
the reps whose claim changed hands."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    InputBlock,
    PlainTextInputElement,
    PlainTextObject,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.i18n import Translator
from bot.ids import TransferField, TransferView
from bot.notify.kinds import NoticeKind
from bot.transfers import REASON_MAX, ClaimRef, Handover, TransferRefusal
from cards.blocks import clip, context, escape_mrkdwn, section
from cards.followup import claim_buttons
from cards.format import mention, parse_iso, slack_date
from cards.registry import renders

Card = tuple[str, list[Block]]
TITLE_LIMIT = 24


def _name(text: str) -> str:
    return escape_mrkdwn(clip(text, 120))


def _quote(text: object) -> str:
    return escape_mrkdwn(clip(str(text or ""), REASON_MAX))


def claim_line(claim: ClaimRef, tr: Translator) -> str:
    return tr(
        "transfer.claim_line",
        customer=_name(claim.customer_name),
        owner=mention(claim.owner_id),
        claim_id=claim.claim_id,
    )


def _reason_input(tr: Translator) -> InputBlock:
    return InputBlock(
        block_id=TransferField.REASON.value,
        label=PlainTextObject(text=clip(tr("transfer.form.reason"), 2000)),
        hint=PlainTextObject(text=clip(tr("transfer.form.reason_hint"), 2000)),
        element=PlainTextInputElement(
            action_id=TransferField.REASON.value, multiline=True, max_length=REASON_MAX
        ),
    )


def _modal(
    callback: TransferView,
    title: str,
    submit: str,
    blocks: list[Block],
    claim_id: int,
    tr: Translator,
) -> View:
    return View(
        type="modal",
        callback_id=callback.value,
        title=PlainTextObject(text=clip(title, TITLE_LIMIT)),
        submit=PlainTextObject(text=clip(submit, TITLE_LIMIT)),
        close=PlainTextObject(text=clip(tr("form.cancel"), TITLE_LIMIT)),
        private_metadata=json.dumps({"claim_id": claim_id}),
        blocks=blocks,
    )


def transfer_form(claim: ClaimRef, tr: Translator) -> View:
    """Whom to hand the claim to, and why."""
    return _modal(
        TransferView.TRANSFER,
        tr("transfer.form.title"),
        tr("transfer.form.submit"),
        [
            section(claim_line(claim, tr)),
            InputBlock(
                block_id=TransferField.TARGET.value,
                label=PlainTextObject(text=clip(tr("transfer.form.target"), 2000)),
                element=UserSelectElement(
                    action_id=TransferField.TARGET.value,
                    placeholder=PlainTextObject(
                        text=clip(tr("transfer.form.target_placeholder"), 150)
                    ),
                ),
            ),
            _reason_input(tr),
        ],
        claim.claim_id,
        tr,
    )


def release_form(claim: ClaimRef, tr: Translator) -> View:
    """Why the claim goes back to the pool."""
    return _modal(
        TransferView.RELEASE,
        tr("release.form.title"),
        tr("release.form.submit"),
        [section(claim_line(claim, tr)), context(tr("release.form.intro")), _reason_input(tr)],
        claim.claim_id,
        tr,
    )


def notice_view(tr: Translator, text: str) -> View:
    """A modal that only says something (what was done, or why not)."""
    return View(
        type="modal",
        callback_id=TransferView.NOTICE.value,
        title=PlainTextObject(text=clip(tr("transfer.form.title"), TITLE_LIMIT)),
        close=PlainTextObject(text=clip(tr("verdict.done"), TITLE_LIMIT)),
        blocks=[section(text)],
    )


def handover_text(result: Handover, action: str, tr: Translator) -> str:
    """What the manager reads after a transfer or release (``action``), done or refused."""
    claim = result.claim
    if result.refusal is not None:
        if result.refusal is TransferRefusal.NOT_ACTIVE and claim is not None:
            return tr(
                f"transfer.refused.not_active.{claim.status.value}",
                customer=_name(claim.customer_name),
                owner=mention(claim.owner_id),
            )
        return tr(f"transfer.refused.{result.refusal.value}", target=mention(result.to_id))
    assert claim is not None
    if action == "release":
        return tr(
            "release.done", customer=_name(claim.customer_name), owner=mention(claim.owner_id)
        )
    text = tr(
        "transfer.done",
        customer=_name(claim.customer_name),
        owner=mention(claim.owner_id),
        target=mention(result.to_id),
        until=slack_date(result.protection_until),
    )
    if result.over_cap:
        text += "\n" + tr(
            "transfer.over_cap", target=mention(result.to_id), count=result.holding, cap=result.cap
        )
    return text


@renders(NoticeKind.TRANSFERRED_AWAY)
def transferred_away_notice(payload: dict[str, Any], tr: Translator) -> Card:
    """To the rep whose claim a manager handed to someone else."""
    text = tr(
        "transfer.notice.from",
        actor=mention(payload.get("actor_id")),
        customer=_name(str(payload.get("customer_name") or "")),
        target=mention(payload.get("to_id")),
    )
    return text, [
        section(text),
        section(tr("transfer.notice.reason", reason=_quote(payload.get("reason")))),
        context(tr("verdict.reference", claim_id=payload.get("claim_id"))),
    ]


@renders(NoticeKind.TRANSFERRED_TO)
def transferred_to_notice(payload: dict[str, Any], tr: Translator) -> Card:
    """To the rep who now holds the customer, with the claim's buttons."""
    text = tr(
        "transfer.notice.to",
        actor=mention(payload.get("actor_id")),
        customer=_name(str(payload.get("customer_name") or "")),
        source=mention(payload.get("from_id")),
        until=slack_date(parse_iso(payload.get("protection_until"))),
    )
    new_claim = int(payload.get("new_claim_id") or 0)
    blocks: list[Block] = [
        section(text),
        section(tr("transfer.notice.reason", reason=_quote(payload.get("reason")))),
    ]
    if new_claim:
        blocks += [
            claim_buttons(tr, new_claim),
            context(tr("verdict.reference", claim_id=new_claim)),
        ]
    return text, blocks


@renders(NoticeKind.RELEASED_BY_MANAGER)
def released_notice(payload: dict[str, Any], tr: Translator) -> Card:
    """To the rep whose claim a manager released to the pool."""
    text = tr(
        "release.notice",
        actor=mention(payload.get("actor_id")),
        customer=_name(str(payload.get("customer_name") or "")),
    )
    blocks: list[Block] = [
        section(text),
        section(tr("transfer.notice.reason", reason=_quote(payload.get("reason")))),
    ]
    if payload.get("cooldown_until"):
        blocks.append(
            section(
                tr(
                    "lifecycle.reclaimed.cooldown",
                    until=slack_date(parse_iso(payload.get("cooldown_until"))),
                )
            )
        )
    blocks.append(context(tr("verdict.reference", claim_id=payload.get("claim_id"))))
    return text, blocks
