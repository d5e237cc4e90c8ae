"""Follow-ups: the buttons every claim message carries, the follow-up form, its result, and the
list ``/claim followup`` shows when the name is ambiguous."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    DatePickerElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
    TimePickerElement,
)
from slack_sdk.models.views import View

from bot.i18n import Translator
from bot.ids import CorrectionAction, FollowUpField, LifecycleAction, LifecycleView
from bot.lifecycle.followup_form import NEXT_STEP_MAX, SUMMARY_MAX, Method
from bot.lifecycle.followups import ClaimView, Logged
from bot.rules import Rules, option_label
from cards.blocks import MESSAGE_BLOCK_LIMIT, clip, context, escape_mrkdwn, section
from cards.format import slack_date
from store.models import EndReason

MODAL_TEXT_LIMIT = 24


def claim_buttons(tr: Translator, claim_id: int, *, extension: bool = True) -> ActionsBlock:
    """**Log follow-up** (and **Request extension**) for one claim; the value is the claim id,
    and the server checks on every click that the clicker owns it."""
    buttons = [
        ButtonElement(
            text=PlainTextObject(text=clip(tr("followup.button.log"), 75)),
            action_id=LifecycleAction.LOG_FOLLOWUP.value,
            value=str(claim_id),
            style="primary",
        )
    ]
    if extension:
        buttons.append(
            ButtonElement(
                text=PlainTextObject(text=clip(tr("followup.button.extension"), 75)),
                action_id=LifecycleAction.REQUEST_EXTENSION.value,
                value=str(claim_id),
            )
        )
    buttons.append(edit_button(tr, claim_id))
    return ActionsBlock(block_id=f"claim_actions:{claim_id}", elements=buttons)


def edit_button(tr: Translator, claim_id: int) -> ButtonElement:
    """**Edit** a claim (its owner while pending or active, its managers); the server checks."""
    return ButtonElement(
        text=PlainTextObject(text=clip(tr("correction.button.edit"), 75)),
        action_id=CorrectionAction.EDIT.value,
        value=str(claim_id),
    )


def stage_label(rules: Rules, key: str | None, tr: Translator) -> str:
    """A stage as people read it."""
    return option_label(list(rules.stages), key, tr)


def _name(text: str) -> str:
    return escape_mrkdwn(clip(text, 120))


def followup_form(
    tr: Translator, rules: Rules, claim: ClaimView, *, now: datetime, tz: ZoneInfo
) -> View:
    """The follow-up modal, dated now in the rep's own time zone."""
    local = now.astimezone(tz)
    methods = [
        Option(value=m.value, text=PlainTextObject(text=clip(tr(f"followup.method.{m.value}"), 75)))
        for m in Method
    ]
    stages = [
        Option(value=s.key, text=PlainTextObject(text=clip(stage_label(rules, s.key, tr), 75)))
        for s in rules.stages[:100]
    ]
    current = next((o for o in stages if o.value == claim.stage), None)

    def label(key: str) -> PlainTextObject:
        return PlainTextObject(text=clip(tr(key), 2000))

    blocks: list[Block] = [
        section(
            tr(
                "followup.modal.intro",
                customer=_name(claim.customer_name),
                stage=stage_label(rules, claim.stage, tr),
                reclaim=slack_date(claim.reclaim_at),
            )
        ),
        InputBlock(
            block_id=FollowUpField.DATE.value,
            label=label("followup.label.date"),
            element=DatePickerElement(
                action_id=FollowUpField.DATE.value, initial_date=local.date().isoformat()
            ),
        ),
        InputBlock(
            block_id=FollowUpField.TIME.value,
            label=label("followup.label.time"),
            element=TimePickerElement(
                action_id=FollowUpField.TIME.value, initial_time=local.strftime("%H:%M")
            ),
        ),
        InputBlock(
            block_id=FollowUpField.METHOD.value,
            label=label("followup.label.method"),
            element=StaticSelectElement(
                action_id=FollowUpField.METHOD.value,
                placeholder=PlainTextObject(text=clip(tr("form.placeholder.choose"), 150)),
                options=methods,
            ),
        ),
        InputBlock(
            block_id=FollowUpField.SUMMARY.value,
            label=label("followup.label.summary"),
            element=PlainTextInputElement(
                action_id=FollowUpField.SUMMARY.value,
                multiline=True,
                max_length=SUMMARY_MAX,
                placeholder=PlainTextObject(text=clip(tr("followup.placeholder.summary"), 150)),
            ),
        ),
        InputBlock(
            block_id=FollowUpField.NEXT_STEP.value,
            label=label("followup.label.next_step"),
            optional=True,
            element=PlainTextInputElement(
                action_id=FollowUpField.NEXT_STEP.value,
                max_length=NEXT_STEP_MAX,
                placeholder=PlainTextObject(text=clip(tr("followup.placeholder.next_step"), 150)),
            ),
        ),
        InputBlock(
            block_id=FollowUpField.NEXT_STEP_ON.value,
            label=label("followup.label.next_step_on"),
            optional=True,
            element=DatePickerElement(action_id=FollowUpField.NEXT_STEP_ON.value),
        ),
        InputBlock(
            block_id=FollowUpField.STAGE.value,
            label=label("followup.label.stage"),
            optional=True,
            hint=PlainTextObject(text=clip(tr("followup.help.stage"), 2000)),
            element=StaticSelectElement(
                action_id=FollowUpField.STAGE.value,
                placeholder=PlainTextObject(text=clip(tr("form.placeholder.choose"), 150)),
                options=stages,
                initial_option=current,
            ),
        ),
    ]
    return View(
        type="modal",
        callback_id=LifecycleView.FOLLOWUP_FORM.value,
        title=PlainTextObject(text=clip(tr("followup.modal.title"), MODAL_TEXT_LIMIT)),
        submit=PlainTextObject(text=clip(tr("followup.modal.submit"), MODAL_TEXT_LIMIT)),
        close=PlainTextObject(text=clip(tr("form.cancel"), MODAL_TEXT_LIMIT)),
        private_metadata=json.dumps({"claim_id": claim.claim_id}),
        blocks=blocks,
    )


def claim_id_of(private_metadata: str | None) -> int | None:
    """The claim a modal is about (tampered metadata yields None)."""
    try:
        data = json.loads(private_metadata or "{}")
    except ValueError:
        return None
    value = data.get("claim_id") if isinstance(data, dict) else None
    return value if isinstance(value, int) and value > 0 else None


def logged_lines(tr: Translator, logged: Logged) -> list[str]:
    """What the rep reads once a follow-up is saved."""
    claim = logged.claim
    name = _name(claim.customer_name)
    if logged.outcome is EndReason.WON:
        return [tr("followup.done.won", customer=name)]
    if logged.outcome is EndReason.LOST:
        return [tr("followup.done.lost", customer=name)]
    return [
        tr(
            "followup.done.logged",
            customer=name,
            reclaim=slack_date(claim.reclaim_at),
            until=slack_date(claim.protection_until),
        )
    ]


def logged_view(tr: Translator, logged: Logged) -> View:
    """The modal the form turns into once saved."""
    return View(
        type="modal",
        callback_id=LifecycleView.FOLLOWUP_DONE.value,
        title=PlainTextObject(text=clip(tr("followup.done.title"), MODAL_TEXT_LIMIT)),
        close=PlainTextObject(text=clip(tr("verdict.done"), MODAL_TEXT_LIMIT)),
        blocks=[section(line) for line in logged_lines(tr, logged)]
        + [context(tr("verdict.reference", claim_id=logged.claim.claim_id))],
    )


def message_modal(tr: Translator, title_key: str, text: str) -> View:
    """A modal that only says something (e.g. why a submission was refused)."""
    return View(
        type="modal",
        callback_id=LifecycleView.FOLLOWUP_DONE.value,
        title=PlainTextObject(text=clip(tr(title_key), MODAL_TEXT_LIMIT)),
        close=PlainTextObject(text=clip(tr("verdict.done"), MODAL_TEXT_LIMIT)),
        blocks=[section(text)],
    )


def choose_claim(
    tr: Translator, claims: Sequence[ClaimView], *, limit: int = 10
) -> tuple[str, list[Block]]:
    """An ephemeral list of the rep's claims, each with its **Log follow-up** button."""
    intro = tr("followup.find.choose")
    blocks: list[Block] = [section(intro)]
    shown = list(claims)[: min(limit, MESSAGE_BLOCK_LIMIT - 2)]
    for claim in shown:
        blocks.append(
            SectionBlock(
                block_id=f"followup_pick:{claim.claim_id}",
                text=MarkdownTextObject(
                    text=clip(
                        tr(
                            "followup.find.line",
                            customer=_name(claim.customer_name),
                            last=slack_date(claim.last_activity_at),
                            reclaim=slack_date(claim.reclaim_at),
                        ),
                        3000,
                    )
                ),
                accessory=ButtonElement(
                    text=PlainTextObject(text=clip(tr("followup.button.log"), 75)),
                    action_id=LifecycleAction.LOG_FOLLOWUP.value,
                    value=str(claim.claim_id),
                ),
            )
        )
    if len(claims) > len(shown):
        blocks.append(context(tr("followup.find.more", shown=len(shown), total=len(claims))))
    return intro, blocks
