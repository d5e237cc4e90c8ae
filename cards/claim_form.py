"""The claim form modal, with its live duplicate hint."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DatePickerElement,
    InputBlock,
    MarkdownTextObject,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    StaticMultiSelectElement,
    StaticSelectElement,
)
from slack_sdk.models.blocks.basic_components import DispatchActionConfig
from slack_sdk.models.views import View

from bot.claims.draft import MAX_LENGTH
from bot.claims.profile import input_id
from bot.duplicates import Match
from bot.i18n import Translator
from bot.ids import ClaimField
from bot.ids import View as ViewId
from bot.rules import PROFILE_TEXT_MAX, ProfileField, Rules, option_label
from bot.rules import Option as RuleOption
from cards.blocks import clip, escape_mrkdwn
from cards.duplicates import match_line

HINT_BLOCK = "duplicate_hint"


@dataclass(frozen=True, slots=True)
class FormContext:
    """What travels with the modal in ``private_metadata``: where the rep opened it."""

    origin_channel: str | None = None

    def dump(self) -> str:
        return json.dumps({"origin_channel": self.origin_channel})

    @classmethod
    def load(cls, text: str | None) -> FormContext:
        """Parse metadata; tampered or foreign metadata yields an empty context, never an error."""
        try:
            data = json.loads(text or "{}")
        except ValueError:
            return cls()
        channel = data.get("origin_channel") if isinstance(data, dict) else None
        if not (isinstance(channel, str) and channel[:1] in "CGD" and channel.isalnum()):
            channel = None
        return cls(origin_channel=channel)


def claim_form(
    tr: Translator,
    rules: Rules,
    *,
    context: FormContext,
    customer_name: str = "",
    hint: Sequence[Match] | None = None,
) -> View:
    """The claim form; ``hint`` shows the closest existing customers under the name field."""
    required: set[str] = set(rules.form.required)

    def text_input(
        field: ClaimField, *, multiline: bool = False, initial: str = "", dispatch: bool = False
    ) -> InputBlock:
        element = PlainTextInputElement(
            action_id=field.value,
            placeholder=PlainTextObject(text=clip(tr(f"form.placeholder.{field.value}"), 150)),
            multiline=multiline,
            max_length=MAX_LENGTH[field],
            initial_value=initial or None,
            dispatch_action_config=DispatchActionConfig(trigger_actions_on=["on_enter_pressed"])
            if dispatch
            else None,
        )
        return _input(field, element, tr, required, dispatch=dispatch)

    blocks: list[Block] = [
        text_input(ClaimField.CUSTOMER_NAME, initial=customer_name[:120], dispatch=True),
        hint_block(tr, hint),
        text_input(ClaimField.OTHER_NAME),
        text_input(ClaimField.CONTACT_NAME),
        text_input(ClaimField.PHONE),
        text_input(ClaimField.EMAIL),
        text_input(ClaimField.CREDIT_CODE),
        text_input(ClaimField.NEED_SUMMARY, multiline=True),
        _select(ClaimField.REGION, rules.form.regions, tr, required),
        _select(ClaimField.SOURCE_CHANNEL, rules.form.source_channels, tr, required),
        text_input(ClaimField.DEAL_SIZE),
        _input(
            ClaimField.FIRST_CONTACT_ON,
            DatePickerElement(action_id=ClaimField.FIRST_CONTACT_ON.value),
            tr,
            required,
        ),
        *(profile_input(f, tr) for f in rules.form.profile),
    ]
    return View(
        type="modal",
        callback_id=ViewId.CLAIM_FORM.value,
        title=PlainTextObject(text=clip(tr("form.title"), 24)),
        submit=PlainTextObject(text=clip(tr("form.submit"), 24)),
        close=PlainTextObject(text=clip(tr("form.cancel"), 24)),
        private_metadata=context.dump(),
        blocks=blocks,
    )


_BLANK_FORMS: dict[tuple[str, str], dict[str, Any]] = {}


def new_claim_form(
    tr: Translator,
    rules: Rules,
    *,
    context: FormContext,
    customer_name: str = "",
    hint: Sequence[Match] | None = None,
) -> dict[str, Any]:
    """The form as a payload: built once per rule set and language (Block Kit objects cost
    milliseconds, and every ``/claim`` and every Enter in the name field shows this same form),
    then given its metadata, the name and the hint under it."""
    key = (rules.form.model_dump_json(), tr.lang)  # the form depends on nothing else
    blank = _BLANK_FORMS.get(key)
    if blank is None:
        blank = _BLANK_FORMS[key] = claim_form(tr, rules, context=FormContext()).to_dict()
    view = dict(blank, private_metadata=context.dump())
    if customer_name or hint is not None:
        name_block = dict(blank["blocks"][0])
        if customer_name:
            name_block["element"] = dict(name_block["element"], initial_value=customer_name[:120])
        hint_dict = blank["blocks"][1] if hint is None else hint_block(tr, hint).to_dict()
        view["blocks"] = [name_block, hint_dict, *blank["blocks"][2:]]
    return view


def hint_block(tr: Translator, hint: Sequence[Match] | None) -> ContextBlock:
    """The line under the name field: the instruction, or the closest existing customers."""
    if hint is None:
        lines = [tr("form.hint.instructions")]
    elif not hint:
        lines = [tr("form.hint.none")]
    else:
        lines = [tr("form.hint.found")] + [match_line(m, tr) for m in hint[:5]]
    return ContextBlock(
        block_id=HINT_BLOCK,
        elements=[MarkdownTextObject(text=clip(line, 3000)) for line in lines[:10]],
    )


def _input(
    field: ClaimField,
    element: PlainTextInputElement | StaticSelectElement | DatePickerElement,
    tr: Translator,
    required: set[str],
    *,
    dispatch: bool = False,
) -> InputBlock:
    return InputBlock(
        block_id=field.value,
        label=PlainTextObject(text=clip(tr(f"form.label.{field.value}"), 2000)),
        element=element,
        optional=field.value not in required,
        dispatch_action=dispatch or None,
        hint=PlainTextObject(text=clip(tr(f"form.help.{field.value}"), 2000))
        if field in (ClaimField.OTHER_NAME, ClaimField.DEAL_SIZE, ClaimField.CREDIT_CODE)
        else None,
    )


def _select(
    field: ClaimField, options: list[RuleOption], tr: Translator, required: set[str]
) -> InputBlock:
    element = StaticSelectElement(
        action_id=field.value,
        placeholder=PlainTextObject(text=clip(tr("form.placeholder.choose"), 150)),
        options=_options(options, tr),
    )
    return _input(field, element, tr, required)


def _options(options: list[RuleOption], tr: Translator) -> list[Option]:
    return [
        Option(value=o.key, text=PlainTextObject(text=clip(option_label(options, o.key, tr), 75)))
        for o in options[:100]
    ]


def profile_input(field: ProfileField, tr: Translator) -> InputBlock:
    """The input of a customer profile field (``form.profile`` in the rules)."""
    action_id = input_id(field)
    choose = PlainTextObject(text=clip(tr("form.placeholder.choose"), 150))
    element: (
        StaticSelectElement | StaticMultiSelectElement | NumberInputElement | PlainTextInputElement
    )
    if field.type == "select":
        element = StaticSelectElement(
            action_id=action_id, placeholder=choose, options=_options(field.options, tr)
        )
    elif field.type == "multi_select":
        element = StaticMultiSelectElement(
            action_id=action_id, placeholder=choose, options=_options(field.options, tr)
        )
    elif field.type == "number":
        element = NumberInputElement(
            action_id=action_id, is_decimal_allowed=True, min_value=field.min, max_value=field.max
        )
    else:
        element = PlainTextInputElement(action_id=action_id, max_length=PROFILE_TEXT_MAX)
    return InputBlock(
        block_id=action_id,
        label=PlainTextObject(text=clip(field.label(tr.lang), 2000)),
        element=element,
        optional=not field.required,
    )


def safe_name(text: str) -> str:
    """A customer name for mrkdwn: inert (no pings, no links) and of bounded length."""
    return escape_mrkdwn(clip(text, 120))
