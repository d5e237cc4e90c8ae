"""Corrections after filing: ``/claim withdraw <customer> <reason>``, ``/claim edit <customer>``,
**Edit** on a claim's message and the Home, and the edit form's submission. Every path re-checks
the user's rights on the server."""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.claims.draft import ClaimDraft
from bot.claims.verdict import Verdict
from bot.corrections import Correction, CorrectionRefusal
from bot.corrections.common import REASON_MAX
from bot.i18n import Translator
from bot.ids import ClaimField, CorrectionAction, CorrectionView
from bot.runtime import Runtime
from bot.validation import clean_text
from cards.corrections import (
    correction_form,
    edited_text,
    notice_view,
    refusal_text,
    withdrawn_text,
)
from handlers import context as ctx
from handlers.answering import Answer, answer_in_time
from handlers.approvals import refresh_cards
from handlers.claim_command import Invocation, subcommand
from handlers.claim_form import checked_form, file_and_answer, submit_claim, verdict_answer
from handlers.followups import parse_ref
from handlers.forms import FIELD_ERROR_LIMIT
from handlers.transfers import claim_id_of, held_claim, split_customer


@subcommand("withdraw", usage_key="help.usage.withdraw", about_key="help.about.withdraw", order=40)
async def claim_withdraw(invocation: Invocation) -> None:
    """``/claim withdraw <customer> <reason>`` (the claim's owner)."""
    tr = invocation.tr
    query, reason_text = split_customer(invocation.args)
    reason = clean_text(reason_text, max_len=REASON_MAX, multiline=True) if query else ""
    if not reason:
        await invocation.reply(tr("withdraw.no_reason") + "\n" + tr("withdraw.usage"))
        return
    claim_id = await held_claim(invocation, query, "withdraw.usage", "correction.not_held")
    if claim_id is None:
        return
    result = await invocation.rt.withdrawals.withdraw(
        invocation.workspace_id, invocation.user_id, claim_id, reason
    )
    await invocation.reply(withdrawn_text(result, tr))
    if result.ok:
        invocation.rt.outbox.kick()
        await _refresh_approval(invocation.rt, invocation.client, invocation.workspace_id, claim_id)


@subcommand("edit", usage_key="help.usage.edit", about_key="help.about.edit", order=41)
async def claim_edit(invocation: Invocation) -> None:
    """``/claim edit <customer | #id>``: the claim's form, prefilled."""
    if not invocation.args.strip():
        await invocation.reply(invocation.tr("edit.usage"))
        return
    claim_id = await held_claim(invocation, invocation.args, "edit.usage", "correction.not_held")
    if claim_id is None:
        return
    rt, tr = invocation.rt, invocation.tr
    checked, claim = await rt.edits.check(invocation.workspace_id, invocation.user_id, claim_id)
    if claim is None:
        await invocation.reply(refusal_text(checked, tr))
        return
    await invocation.ack()
    view = correction_form(
        tr, rt.rules, claim, callback=CorrectionView.EDIT, origin_channel=invocation.channel_id
    )
    await invocation.client.views_open(trigger_id=invocation.trigger_id, view=view)


async def on_correction_button(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    """**Edit** (a claim's message, the Home) or **Correct and resubmit** (a rejection DM): the
    claim form prefilled, or a modal saying why not."""
    await ack()
    req = ctx.request(context)
    rt, tr = req.rt, req.tr
    claim_id = parse_ref(action.get("value")) or 0
    edit = action.get("action_id") == CorrectionAction.EDIT.value
    service = rt.edits if edit else rt.resubmissions
    checked, claim = await service.check(req.workspace_id, req.user_id, claim_id)
    callback = CorrectionView.EDIT if edit else CorrectionView.RESUBMIT
    view: Any = (
        notice_view(tr, refusal_text(checked, tr))
        if claim is None
        else correction_form(tr, rt.rules, claim, callback=callback)
    )
    await client.views_open(trigger_id=body["trigger_id"], view=view)


async def on_edit_submit(
    ack: AsyncAck, view: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
) -> None:
    """Apply the edit, or show the errors on the fields (a collision on the name field)."""
    req = ctx.request(context)
    rt, tr = req.rt, req.tr
    parsed = await checked_form(ack, view, context)
    if parsed is None:
        return
    result = await answer_in_time(
        ack,
        context,
        client,
        view,
        rt.edits.edit(req.workspace_id, req.user_id, claim_id_of(view), parsed),
        partial(edit_answer, tr),
        partial(notice_view, tr),
    )
    if result.ok:
        rt.outbox.kick()
        await _refresh_approval(rt, client, req.workspace_id, result.claim_id)


def edit_answer(tr: Translator, result: Correction) -> Answer:
    """What the edit form shows: done, why not, or the collision on the name field."""
    if result.refusal is CorrectionRefusal.COLLISION:
        return name_error(refusal_text(result, tr))
    text = edited_text(result, tr)
    return Answer(text, view=notice_view(tr, text))


def name_error(text: str) -> Answer:
    """A refusal shown under the customer name, where the rep can correct it."""
    return Answer(text, errors={ClaimField.CUSTOMER_NAME.value: text[:FIELD_ERROR_LIMIT]})


async def _refresh_approval(
    rt: Runtime, client: AsyncWebClient, workspace_id: str, claim_id: int
) -> None:
    """The claim's approval cards, wherever posted, show it as it is now (withdrawn: closed,
    without buttons; edited: the new data)."""
    case = await rt.approvals.case(workspace_id, claim_id)
    if case is not None:
        await refresh_cards(rt, client, workspace_id, case)


async def on_resubmit_submit(
    ack: AsyncAck, view: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
) -> None:
    """File the corrected claim as a new one, linked to the rejected one; answer as filing does."""
    draft = await checked_form(ack, view, context)
    if draft is None:
        return
    await file_and_answer(
        ack, context, client, view, resubmit(context, view, draft), resubmit_answer
    )


async def resubmit(
    context: AsyncBoltContext, view: dict[str, Any], draft: ClaimDraft
) -> Correction | Verdict:
    """Link the draft to the rejected claim and file it; or why it may not be resubmitted."""
    req = ctx.request(context)
    link = await req.rt.resubmissions.prepare(
        req.workspace_id, req.user_id, claim_id_of(view), draft
    )
    if isinstance(link, Correction):
        return link
    return await submit_claim(context, view, draft, resubmits=link)


def resubmit_answer(tr: Translator, outcome: Correction | Verdict) -> Answer:
    """The new claim's verdict; an unchanged draft on the name field; any other refusal."""
    if isinstance(outcome, Verdict):
        return verdict_answer(tr, outcome)
    text = refusal_text(outcome, tr)
    if outcome.refusal is CorrectionRefusal.UNCHANGED:
        return name_error(text)
    return Answer(text, view=notice_view(tr, text))


def register(app: AsyncApp) -> None:
    """Listen for **Edit**, **Correct and resubmit** and their forms."""
    app.action(CorrectionAction.EDIT.value)(on_correction_button)
    app.view_submission(CorrectionView.EDIT.value)(on_edit_submit)
    app.action(CorrectionAction.RESUBMIT.value)(on_correction_button)
    app.view_submission(CorrectionView.RESUBMIT.value)(on_resubmit_submit)
