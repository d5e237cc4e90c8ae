"""The approval modals: a reason to reject, a question for the rep, the rep's answer."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    DividerBlock,
    InputBlock,
    PlainTextInputElement,
    PlainTextObject,
)
from slack_sdk.models.views import View

from bot.approvals.case import NOTE_MAX_LENGTH, ApprovalCase, Question
from bot.i18n import Translator
from bot.ids import ApprovalField, ApprovalView
from cards.approval import customer, filed_line, quoted
from cards.blocks import clip, context, section
from cards.format import mention

TITLE_LIMIT = 24
METADATA_LIMIT = 3000


@dataclass(frozen=True, slots=True)
class ModalContext:
    """What travels with an approval modal in ``private_metadata``.

    ``ref`` is the id the clicked button carried (checked again on submit, like any click);
    ``response_url`` is the ephemeral pending list the click came from, refreshed afterwards.
    """

    ref: str
    response_url: str | None = None

    def dump(self) -> str:
        data = {"ref": self.ref, "response_url": self.response_url}
        text = json.dumps(data)
        return text if len(text) <= METADATA_LIMIT else json.dumps({"ref": self.ref})

    @classmethod
    def load(cls, text: str | None) -> ModalContext:
        """Parse metadata; anything unexpected yields an empty ref, which the server refuses."""
        try:
            data = json.loads(text or "{}")
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        url = data.get("response_url")
        return cls(
            ref=str(data.get("ref") or "")[:32],
            response_url=url
            if isinstance(url, str) and url.startswith(("https://", "http://"))
            else None,
        )


def reject_modal(case: ApprovalCase, tr: Translator, meta: ModalContext) -> View:
    """Ask the approver why they reject the claim (the rep reads the reason)."""
    return _modal(
        ApprovalView.REJECT,
        tr("approval.reject.title"),
        tr("approval.reject.submit"),
        [section(filed_line(case, tr))],
        _note_input(ApprovalField.REASON, tr("approval.reject.label"), tr("approval.reject.hint")),
        tr,
        meta,
    )


def ask_modal(case: ApprovalCase, tr: Translator, meta: ModalContext) -> View:
    """Ask the approver for the question to send the rep; the claim stays pending."""
    return _modal(
        ApprovalView.ASK,
        tr("approval.ask.title"),
        tr("approval.ask.submit"),
        [
            section(filed_line(case, tr)),
            context(tr("approval.ask.intro", owner=mention(case.owner_id))),
        ],
        _note_input(ApprovalField.QUESTION, tr("approval.ask.label"), tr("approval.ask.hint")),
        tr,
        meta,
    )


def answer_modal(
    customer_name: str,
    question: Question,
    tr: Translator,
    meta: ModalContext,
    claim_fields: Sequence[dict[str, Any]] = (),
) -> View:
    """The rep's answer to an approver's question; below it, ``claim_fields`` (the edit form's
    blocks, prefilled) to correct the claim in the same submission."""
    asked = tr(
        "question.asked.body", asker=mention(question.asked_by), customer=customer(customer_name)
    )
    view = _modal(
        ApprovalView.ANSWER,
        tr("question.answer.title"),
        tr("question.answer.submit"),
        [section(asked + "\n" + quoted(question.question))],
        _note_input(ApprovalField.ANSWER, tr("question.answer.label"), tr("question.answer.hint")),
        tr,
        meta,
    )
    if claim_fields:
        more: list[dict[str, Any] | Block] = [
            DividerBlock(),
            section(tr("question.answer.fields")),
            *claim_fields,
        ]
        view.blocks = [*(view.blocks or []), *Block.parse_all(more)]
    return view


def _note_input(field: ApprovalField, label: str, hint: str) -> InputBlock:
    return InputBlock(
        block_id=field.value,
        label=PlainTextObject(text=clip(label, 2000)),
        element=PlainTextInputElement(
            action_id=field.value, multiline=True, max_length=NOTE_MAX_LENGTH
        ),
        hint=PlainTextObject(text=clip(hint, 2000)),
    )


def _modal(
    callback: ApprovalView,
    title: str,
    submit: str,
    intro: list[Block],
    field: InputBlock,
    tr: Translator,
    meta: ModalContext,
) -> View:
    return View(
        type="modal",
        callback_id=callback.value,
        title=PlainTextObject(text=clip(title, TITLE_LIMIT)),
        submit=PlainTextObject(text=clip(submit, TITLE_LIMIT)),
        close=PlainTextObject(text=clip(tr("approval.button.cancel"), TITLE_LIMIT)),
        private_metadata=meta.dump(),
        blocks=[*intro, field],
    )


def notice_view(tr: Translator, text: str) -> View:
    """What a modal turns into when its submission is refused (decided meanwhile, no right)."""
    return View(
        type="modal",
        callback_id=ApprovalView.NOTICE.value,
        title=PlainTextObject(text=clip(tr("approval.notice.title"), TITLE_LIMIT)),
        close=PlainTextObject(text=clip(tr("approval.notice.close"), TITLE_LIMIT)),
        blocks=[section(text)],
    )
