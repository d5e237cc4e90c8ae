"""Disputes: the **Dispute** button on collision notices, the modals that ask why, the card the
deciders rule on (updated in place everywhere once ruled), and the reps' DMs."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    InputBlock,
    PlainTextInputElement,
    PlainTextObject,
)
from slack_sdk.models.views import View

from bot.disputes.case import DisputeAttempt, DisputeCase, DisputeRefusal, Verdict
from bot.i18n import Translator
from bot.ids import DisputeAction, DisputeField, DisputeView
from bot.notify.kinds import NoticeKind
from bot.transfers import REASON_MAX
from cards.blocks import clip, context, escape_mrkdwn, section
from cards.followup import claim_buttons
from cards.format import mention, plain_name, slack_date
from cards.registry import renders

Card = tuple[str, list[Block]]
TITLE_LIMIT = 24


def _name(case: DisputeCase) -> str:
    return escape_mrkdwn(clip(case.customer_name, 120))


def _quote(text: str | None) -> str:
    return escape_mrkdwn(clip(text or "", REASON_MAX))


def _button(text: str) -> PlainTextObject:
    return PlainTextObject(text=clip(text, 75))


def dispute_button(tr: Translator, collision_id: int) -> ActionsBlock:
    """**Dispute** under a collision notice; it carries only the collision id."""
    return ActionsBlock(
        block_id=f"dispute:{collision_id}",
        elements=[
            ButtonElement(
                action_id=DisputeAction.OPEN.value,
                text=_button(tr("dispute.button.open")),
                value=str(collision_id),
            )
        ],
    )


def metadata(collision_id: int, verdict: Verdict | None = None) -> str:
    data: dict[str, Any] = {"collision_id": collision_id}
    if verdict is not None:
        data["verdict"] = verdict.value
    return json.dumps(data)


def parse_metadata(text: str | None) -> tuple[str, Verdict | None]:
    """The collision id (as the ref to check) and the verdict a modal is about."""
    try:
        data = json.loads(text or "{}")
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    verdict = data.get("verdict")
    known = {v.value for v in Verdict}
    return str(data.get("collision_id") or "")[:20], Verdict(verdict) if verdict in known else None


def _reason_input(tr: Translator, label: str, hint: str) -> InputBlock:
    return InputBlock(
        block_id=DisputeField.REASON.value,
        label=PlainTextObject(text=clip(label, 2000)),
        hint=PlainTextObject(text=clip(hint, 2000)),
        element=PlainTextInputElement(
            action_id=DisputeField.REASON.value, multiline=True, max_length=REASON_MAX
        ),
    )


def _modal(
    callback: DisputeView, title: str, submit: str, blocks: list[Block], meta: str, tr: Translator
) -> View:
    return View(
        type="modal",
        callback_id=callback.value,
        title=PlainTextObject(text=clip(title, TITLE_LIMIT)),
        submit=PlainTextObject(text=clip(submit, TITLE_LIMIT)),
        close=PlainTextObject(text=clip(tr("form.cancel"), TITLE_LIMIT)),
        private_metadata=meta,
        blocks=blocks,
    )


def open_form(case: DisputeCase, tr: Translator) -> View:
    """Ask the rep why they dispute the collision (the managers and the other rep read it)."""
    return _modal(
        DisputeView.OPEN,
        tr("dispute.form.title"),
        tr("dispute.form.submit"),
        [
            section(collision_line(case, tr)),
            _reason_input(tr, tr("dispute.form.label"), tr("dispute.form.hint")),
        ],
        metadata(case.collision_id),
        tr,
    )


def decide_form(case: DisputeCase, verdict: Verdict, tr: Translator) -> View:
    """Ask the decider why they rule as they do (both reps read it)."""
    ruling = tr(
        f"dispute.decide.{verdict.value}",
        holder=mention(case.holder_id),
        challenger=mention(case.challenger_id),
    )
    return _modal(
        DisputeView.DECIDE,
        tr("dispute.decide.title"),
        tr("dispute.decide.submit"),
        [
            section(collision_line(case, tr)),
            section(ruling),
            _reason_input(tr, tr("dispute.decide.label"), tr("dispute.decide.hint")),
        ],
        metadata(case.collision_id, verdict),
        tr,
    )


def notice_view(tr: Translator, text: str) -> View:
    """A modal that only says something (where the dispute went, or why nothing changed)."""
    return View(
        type="modal",
        callback_id=DisputeView.NOTICE.value,
        title=PlainTextObject(text=clip(tr("dispute.form.title"), TITLE_LIMIT)),
        close=PlainTextObject(text=clip(tr("verdict.done"), TITLE_LIMIT)),
        blocks=[section(text)],
    )


def collision_line(case: DisputeCase, tr: Translator) -> str:
    """Who holds the customer since when, and who tried when."""
    return tr(
        "dispute.card.collision",
        customer=_name(case),
        holder=mention(case.holder_id),
        filed=slack_date(case.holder_filed_at, with_time=True),
        challenger=mention(case.challenger_id),
        tried=slack_date(case.collided_at, with_time=True),
        how=_matched(case, tr),
    )


def _matched(case: DisputeCase, tr: Translator) -> str:
    try:
        return tr(f"duplicates.matched_on.{case.matched_on}")
    except KeyError:
        return escape_mrkdwn(case.matched_on)


def status_line(case: DisputeCase, tr: Translator) -> str | None:
    """The ruling, once there is one."""
    if not case.decided:
        return None
    return tr(
        f"dispute.card.{case.status}",
        decider=mention(case.decided_by),
        date=slack_date(case.decided_at, with_time=True),
        holder=mention(case.holder_id),
        challenger=mention(case.challenger_id),
    )


def dispute_card(case: DisputeCase, tr: Translator) -> Card:
    """The card the deciders get: the collision, the dispute, and the two buttons while open."""
    title = tr("dispute.card.title_open") if case.open else tr("dispute.card.title_decided")
    blocks: list[Block] = [
        section(f"*{title}*"),
        section(collision_line(case, tr)),
        section(
            tr(
                "dispute.card.disputed",
                who=mention(case.disputed_by),
                date=slack_date(case.disputed_at, with_time=True),
                reason=_quote(case.reason),
            )
        ),
    ]
    if case.holder_until is not None and case.open:
        blocks.append(
            context(
                tr(
                    "dispute.card.until",
                    holder=mention(case.holder_id),
                    until=slack_date(case.holder_until),
                )
            )
        )
    ruled = status_line(case, tr)
    if ruled:
        lines = [ruled]
        if case.decision_reason:
            lines.append(tr("dispute.card.reason", reason=_quote(case.decision_reason)))
        blocks.append(section("\n".join(lines)))
    if case.open:
        blocks.append(decision_buttons(case, tr))
    blocks.append(context(tr("dispute.card.reference", collision_id=case.collision_id)))
    return f"{title}: {_name(case)}", blocks


def decision_buttons(case: DisputeCase, tr: Translator) -> ActionsBlock:
    """**Keep holder** and **Transfer to challenger** (confirmed); each carries the collision id."""
    value = str(case.collision_id)
    return ActionsBlock(
        block_id=f"dispute_actions:{case.collision_id}",
        elements=[
            ButtonElement(
                action_id=DisputeAction.KEEP.value,
                text=_button(tr("dispute.button.keep")),
                value=value,
                style="primary",
            ),
            ButtonElement(
                action_id=DisputeAction.TRANSFER.value,
                text=_button(tr("dispute.button.transfer")),
                value=value,
                style="danger",
                confirm=ConfirmObject(
                    title=clip(tr("dispute.confirm.title"), 100),
                    text=PlainTextObject(
                        text=clip(
                            tr("dispute.confirm.text", customer=plain_name(case.customer_name)), 300
                        )
                    ),
                    confirm=clip(tr("dispute.button.transfer"), 30),
                    deny=clip(tr("approval.button.cancel"), 30),
                ),
            ),
        ],
    )


@renders(NoticeKind.DISPUTE_CARD)
def dispute_notice(payload: dict[str, Any], tr: Translator) -> Card:
    return dispute_card(DisputeCase.from_payload(payload), tr)


@renders(NoticeKind.DISPUTE_OPENED)
def dispute_opened_notice(payload: dict[str, Any], tr: Translator) -> Card:
    """To the other rep: the collision is disputed; the managers will rule."""
    case = DisputeCase.from_payload(payload)
    text = tr(
        "dispute.opened.other",
        who=mention(case.disputed_by),
        customer=_name(case),
        reason=_quote(case.reason),
    )
    return text, [section(text), context(tr("dispute.opened.footer"))]


@renders(NoticeKind.DISPUTE_DECIDED)
def dispute_decided_notice(payload: dict[str, Any], tr: Translator) -> Card:
    """To each rep: how the managers ruled and why; the challenger's new claim, if any."""
    case = DisputeCase.from_payload(payload)
    side = "holder" if payload.get("side") == "holder" else "challenger"
    key = f"dispute.decided.{side}.{case.status}"
    text = tr(
        key,
        decider=mention(case.decided_by),
        customer=_name(case),
        holder=mention(case.holder_id),
        challenger=mention(case.challenger_id),
    )
    blocks: list[Block] = [
        section(f"*{tr('dispute.decided.title')}*"),
        section(text),
        section(tr("dispute.card.reason", reason=_quote(case.decision_reason))),
    ]
    if side == "challenger" and case.new_claim_id is not None:
        blocks.append(claim_buttons(tr, case.new_claim_id))
    return text, blocks


def opened_text(attempt: DisputeAttempt, tr: Translator) -> str:
    """What the rep reads once the dispute is filed."""
    case = attempt.case
    assert case is not None
    where = ", ".join(_recipient(r) for r in attempt.recipients) or tr("dispute.opened.nobody")
    return tr("dispute.opened.done", customer=_name(case), recipients=where)


def _recipient(recipient: str) -> str:
    return mention(recipient) if recipient[:1] in ("U", "W") else f"<#{recipient}>"


def refusal_text(attempt: DisputeAttempt, tr: Translator) -> str:
    """Why nothing changed; names who disputed or ruled first, or who holds the customer now."""
    case = attempt.case
    refusal = attempt.refusal or DisputeRefusal.UNKNOWN
    if case is not None:
        if refusal is DisputeRefusal.OPEN_ALREADY:
            return tr(
                "dispute.refused.open_already",
                who=mention(case.disputed_by),
                date=slack_date(case.disputed_at, with_time=True),
                customer=_name(case),
            )
        if refusal is DisputeRefusal.DECIDED:
            return status_line(case, tr) or tr("dispute.refused.unknown")
        if refusal is DisputeRefusal.CLAIM_ENDED:
            return tr(
                "dispute.refused.claim_ended", holder=mention(case.holder_id), customer=_name(case)
            )
        if refusal is DisputeRefusal.HELD_ELSEWHERE:
            return tr(
                "dispute.refused.held_elsewhere",
                holder=mention(attempt.held_by),
                customer=_name(case),
            )
    if refusal in (
        DisputeRefusal.OPEN_ALREADY,
        DisputeRefusal.DECIDED,
        DisputeRefusal.CLAIM_ENDED,
        DisputeRefusal.HELD_ELSEWHERE,
    ):
        refusal = DisputeRefusal.UNKNOWN
    return tr(f"dispute.refused.{refusal.value}")
