"""Corrections after filing: the edit form (the claim form, prefilled), the answers, and the
notices of a withdrawal or an edit."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, PlainTextObject
from slack_sdk.models.views import View

from bot.claims.profile import MULTI_SEPARATOR, form_text, input_id, stored
from bot.corrections import Correction, CorrectionRefusal
from bot.corrections.common import REASON_MAX
from bot.i18n import Translator
from bot.ids import PROFILE_INPUT_PREFIX, ClaimField, CorrectionAction, CorrectionView
from bot.notify.kinds import NoticeKind
from bot.rules import Rules
from cards.blocks import clip, context, escape_mrkdwn, section
from cards.claim_form import HINT_BLOCK, FormContext, new_claim_form
from cards.format import mention
from cards.registry import renders
from store.models import Claim

Card = tuple[str, list[Block]]
TITLE_LIMIT = 24
# How long a changed value may be in a notice line.
VALUE_LIMIT = 200


def _name(text: object) -> str:
    return escape_mrkdwn(clip(str(text or ""), 120))


def _quote(text: object) -> str:
    return escape_mrkdwn(clip(str(text or ""), REASON_MAX))


def form_values(claim: Claim, rules: Rules) -> dict[str, str]:
    """A claim's data as the form's inputs hold it, by block id."""
    values: dict[str, str] = {}
    for field in ClaimField:
        value = getattr(claim, field.value, None)
        if value is None:
            continue
        values[field] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    profile = stored(claim.profile)
    for profile_field in rules.form.profile:
        text = form_text(profile_field, profile.get(profile_field.key))
        if text:
            values[input_id(profile_field)] = text
    return values


def correction_form(
    tr: Translator,
    rules: Rules,
    claim: Claim,
    *,
    callback: CorrectionView,
    origin_channel: str | None = None,
) -> dict[str, Any]:
    """The claim form prefilled with ``claim``'s data: to edit it, or to correct and resubmit a
    rejected one. The name field does not look up matches on Enter (the form is not the new-claim
    one), and the claim's id and version travel in the metadata."""
    blank = new_claim_form(tr, rules, context=FormContext(origin_channel))
    values = form_values(claim, rules)
    blocks = []
    for block in blank["blocks"]:
        if block.get("block_id") == HINT_BLOCK:
            continue
        block = dict(block)
        block.pop("dispatch_action", None)
        element = dict(block.get("element") or {})
        element.pop("dispatch_action_config", None)
        value = values.get(block.get("block_id", ""))
        if value:
            if element.get("type") == "static_select":
                chosen = [o for o in element.get("options", []) if o.get("value") == value]
                if chosen:
                    element["initial_option"] = chosen[0]
            elif element.get("type") == "multi_static_select":
                keys = value.split(MULTI_SEPARATOR)
                chosen = [o for o in element.get("options", []) if o.get("value") in keys]
                if chosen:
                    element["initial_options"] = chosen
            elif element.get("type") == "datepicker":
                element["initial_date"] = value
            else:
                limit = element.get("max_length") or 3000
                element["initial_value"] = value[:limit]
        block["element"] = element
        blocks.append(block)
    verb = "edit" if callback is CorrectionView.EDIT else "resubmit"
    return dict(
        blank,
        callback_id=callback.value,
        title={"type": "plain_text", "text": clip(tr(f"correction.{verb}.title"), TITLE_LIMIT)},
        submit={"type": "plain_text", "text": clip(tr(f"correction.{verb}.submit"), TITLE_LIMIT)},
        private_metadata=json.dumps(
            {"claim_id": claim.id, "version": claim.version, "origin_channel": origin_channel}
        ),
        blocks=blocks,
    )


def resubmit_buttons(tr: Translator, claim_id: int) -> ActionsBlock:
    """**Correct and resubmit** on a rejection DM; the server checks the clicker owns it."""
    return ActionsBlock(
        block_id=f"claim_actions:{claim_id}",
        elements=[
            ButtonElement(
                text=PlainTextObject(text=clip(tr("correction.button.resubmit"), 75)),
                action_id=CorrectionAction.RESUBMIT.value,
                value=str(claim_id),
                style="primary",
            )
        ],
    )


def notice_view(tr: Translator, text: str) -> View:
    """A modal that only says something (what was done, or why not)."""
    return View(
        type="modal",
        callback_id=CorrectionView.NOTICE.value,
        title=PlainTextObject(text=clip(tr("correction.edit.title"), TITLE_LIMIT)),
        close=PlainTextObject(text=clip(tr("verdict.done"), TITLE_LIMIT)),
        blocks=[section(text)],
    )


def refusal_text(result: Correction, tr: Translator) -> str:
    """Why a withdrawal or an edit was not done."""
    refusal = result.refusal
    assert refusal is not None
    if refusal is CorrectionRefusal.NOT_OPEN and result.status is not None:
        return tr(
            "correction.refused.not_open",
            customer=_name(result.customer_name),
            status=tr(f"lists.status.{result.status.value}"),
        )
    return tr(
        f"correction.refused.{refusal.value}",
        customer=_name(result.customer_name),
        holder=mention(result.holder_id),
    )


def withdrawn_text(result: Correction, tr: Translator) -> str:
    """What the rep reads after withdrawing, done or refused."""
    if not result.ok:
        return refusal_text(result, tr)
    return tr("correction.withdrawn", customer=_name(result.customer_name))


def _field_label(name: str, tr: Translator) -> str:
    # A profile field's label is the rules file's, which a pure card does not have: its key.
    if name.startswith(PROFILE_INPUT_PREFIX):
        return name.removeprefix(PROFILE_INPUT_PREFIX)
    return tr(f"form.label.{name}")


def _value(value: Any) -> str:
    return "、".join(map(str, value)) if isinstance(value, list) else str(value)


def change_lines(changes: dict[str, Any], tr: Translator) -> list[str]:
    """``• Phone: 138… → 139…`` per changed field."""
    lines = []
    for name, pair in changes.items():
        before, after = ([*pair, None, None] if isinstance(pair, list) else [None, pair])[:2]
        lines.append(
            tr(
                "correction.change",
                field=_field_label(name, tr),
                before=escape_mrkdwn(clip(_value(before), VALUE_LIMIT)) if before else "—",
                after=escape_mrkdwn(clip(_value(after), VALUE_LIMIT)) if after else "—",
            )
        )
    return lines


def edited_text(result: Correction, tr: Translator) -> str:
    """What the editor reads after an edit, done or refused."""
    if not result.ok:
        return refusal_text(result, tr)
    text = tr("correction.edited", customer=_name(result.customer_name))
    if result.held_for_approval:
        text += "\n" + tr("correction.held_for_approval")
    return "\n".join([text, *change_lines(result.changes, tr)])


@renders(NoticeKind.CLAIM_WITHDRAWN)
def withdrawn_notice(payload: dict[str, Any], tr: Translator) -> Card:
    """To the approvers of a pending claim its owner withdrew."""
    text = tr(
        "correction.notice.withdrawn",
        owner=mention(payload.get("owner_id")),
        customer=_name(payload.get("customer_name")),
    )
    return text, [
        section(text),
        section(tr("transfer.notice.reason", reason=_quote(payload.get("reason")))),
        context(tr("verdict.reference", claim_id=payload.get("claim_id"))),
    ]


@renders(NoticeKind.CLAIM_EDITED)
def edited_notice(payload: dict[str, Any], tr: Translator) -> Card:
    """To a pending claim's approvers, or to the owner when someone else edited the claim."""
    text = tr(
        "correction.notice.edited",
        actor=mention(payload.get("actor_id")),
        owner=mention(payload.get("owner_id")),
        customer=_name(payload.get("customer_name")),
    )
    changes = payload.get("changes")
    lines = change_lines(changes if isinstance(changes, dict) else {}, tr)
    return text, [
        section(text),
        *([section("\n".join(lines))] if lines else []),
        context(tr("verdict.reference", claim_id=payload.get("claim_id"))),
    ]
