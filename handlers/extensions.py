"""Extensions: **Request extension** on a claim message and its form; **Approve** / **Reject** on
the card managers get. Every click is checked against the store (ownership for the rep, the right
to decide for the manager); a decision updates every copy of the card in place."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.i18n import Translator
from bot.ids import ExtensionField, LifecycleAction, LifecycleView
from bot.lifecycle import notices
from bot.lifecycle.extensions import (
    REASON_MAX,
    Decided,
    Decision,
    DecisionOutcome,
    ExtensionCase,
    Requested,
    RequestRefusal,
)
from bot.lifecycle.followups import OwnerRefusal
from bot.runtime import Runtime
from cards.followup import claim_id_of, message_modal
from cards.lifecycle import (
    extension_card,
    extension_form,
    extension_requested_text,
    extension_status_line,
)
from handlers import context as ctx
from handlers.answering import Answer, answer_in_time
from handlers.followups import parse_ref, refusal_text, tell
from handlers.forms import typed_text

log = logging.getLogger(__name__)


def request_refusal_text(
    refusal: OwnerRefusal | RequestRefusal, rt: Runtime, tr: Translator
) -> str:
    if refusal is RequestRefusal.ALREADY_PENDING:
        return tr("extension.refused.already_pending")
    if refusal is RequestRefusal.NONE_LEFT:
        return tr("extension.refused.none_left", max=rt.rules.extension.max_per_claim)
    return refusal_text(refusal, tr)


async def on_request_extension(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    """**Request extension**: the form, if the clicker may ask for one on this claim now."""
    req = ctx.request(context)
    await ack()
    rt, tr = req.rt, req.tr
    claim_id = parse_ref(action.get("value"))
    found = (
        await rt.lifecycle.extensions.check(req.workspace_id, req.user_id, claim_id)
        if claim_id is not None
        else OwnerRefusal.NOT_FOUND
    )
    if isinstance(found, OwnerRefusal | RequestRefusal):
        await tell(respond, request_refusal_text(found, rt, tr))
        return
    view = extension_form(
        tr,
        found,
        days=rt.rules.extension.days,
        max_per_claim=rt.rules.extension.max_per_claim,
    )
    await client.views_open(trigger_id=body.get("trigger_id"), view=view)


async def on_extension_submit(
    ack: AsyncAck, view: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
) -> None:
    """File the request; the modal turns into where it went (or why it could not be filed)."""
    req = ctx.request(context)
    rt, tr = req.rt, req.tr
    reason = await typed_text(ack, view, ExtensionField.REASON, tr, max_len=REASON_MAX)
    if reason is None:
        return
    claim_id = claim_id_of(view.get("private_metadata"))
    await answer_in_time(
        ack,
        context,
        client,
        view,
        rt.lifecycle.extensions.request(req.workspace_id, req.user_id, claim_id or 0, reason),
        partial(requested, rt, tr),
        partial(message_modal, tr, "extension.modal.title"),
    )
    rt.outbox.kick()


def requested(
    rt: Runtime, tr: Translator, result: Requested | OwnerRefusal | RequestRefusal
) -> Answer:
    """Where the request went, or why it could not be filed."""
    if isinstance(result, OwnerRefusal | RequestRefusal):
        text = request_refusal_text(result, rt, tr)
    else:
        text = extension_requested_text(tr, result.claim.customer_name, result.recipients)
    return Answer(text, view=message_modal(tr, "extension.modal.title", text))


async def _decide(
    decision: Decision,
    ack: AsyncAck,
    action: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    req = ctx.request(context)
    await ack()
    rt, tr = req.rt, req.tr
    workspace_id = req.workspace_id
    request_id = parse_ref(action.get("value"))
    decided = (
        await rt.lifecycle.extensions.decide(workspace_id, req.user_id, request_id, decision)
        if request_id is not None
        else Decided(DecisionOutcome.NOT_FOUND)
    )
    case = decided.case
    if decided.outcome is DecisionOutcome.NOT_ALLOWED:
        await tell(respond, tr("extension.decide.not_allowed"))
        return
    if decided.outcome is DecisionOutcome.NOT_FOUND or case is None:
        await tell(respond, refusal_text(OwnerRefusal.NOT_FOUND, tr))
        return
    if decided.outcome is DecisionOutcome.NONE_LEFT:
        await tell(respond, tr("extension.decide.none_left"))
        return
    if decided.outcome is DecisionOutcome.ALREADY_DECIDED:
        await tell(
            respond,
            tr("extension.decide.already", outcome=extension_status_line(case, tr) or ""),
        )
    elif decided.outcome is DecisionOutcome.CLAIM_ENDED:
        await tell(respond, tr("extension.decide.claim_ended"))
    rt.outbox.kick()
    await _update_cards(rt, client, workspace_id, case)


async def _update_cards(
    rt: Runtime, client: AsyncWebClient, workspace_id: str, case: ExtensionCase
) -> None:
    """Every copy of the card shows the outcome, buttons gone (a stale copy is harmless: the
    store decides every click)."""
    await rt.update_cards(
        client,
        workspace_id,
        subject=notices.EXTENSION_SUBJECT,
        subject_id=case.request_id,
        render=lambda tr: extension_card(case, tr),
    )


async def on_approve(
    ack: AsyncAck,
    action: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    """**Approve** on an extension card."""
    await _decide(Decision.APPROVED, ack, action, context, client, respond)


async def on_reject(
    ack: AsyncAck,
    action: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    """**Reject** on an extension card."""
    await _decide(Decision.REJECTED, ack, action, context, client, respond)


def register(app: AsyncApp) -> None:
    """Listen for the buttons and the form."""
    app.action(LifecycleAction.REQUEST_EXTENSION.value)(on_request_extension)
    app.view_submission(LifecycleView.EXTENSION_FORM.value)(on_extension_submit)
    app.action(LifecycleAction.APPROVE_EXTENSION.value)(on_approve)
    app.action(LifecycleAction.REJECT_EXTENSION.value)(on_reject)
