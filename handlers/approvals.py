"""Approval buttons and modals, and ``/claim pending``.

A click is acknowledged at once; the service then re-checks the clicker's rights and the claim's
state. A refusal is an ephemeral reply (or, from a modal, the modal turning into the reason); a
decision updates every posted copy of the card in place, and the pending list it came from.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from functools import partial
from typing import Any

from aiohttp import ClientError
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.approvals.access import parse_note, parse_ref
from bot.approvals.case import NOTE_MAX_LENGTH, ApprovalCase, Question
from bot.approvals.outcome import Attempt
from bot.approvals.routing import APPROVAL_SUBJECT, QUESTION_SUBJECT
from bot.claims.draft import ClaimDraft
from bot.corrections import Correction, CorrectionRefusal
from bot.i18n import Translator
from bot.ids import ApprovalAction, ApprovalField, ApprovalView, ClaimField, CorrectionView
from bot.notify.inplace import Refreshed
from bot.runtime import Runtime
from bot.slack_client import trusted_response_url
from bot.validation import FieldError
from cards.approval import approval_card, done_text, question_message, refusal_text
from cards.approval_forms import ModalContext, answer_modal, ask_modal, notice_view, reject_modal
from cards.corrections import correction_form
from cards.corrections import refusal_text as correction_refusal
from cards.pending import pending_list
from handlers import context as ctx
from handlers.answering import Answer, answer_in_time
from handlers.claim_command import Invocation, subcommand
from handlers.claim_form import checked_draft
from handlers.forms import FIELD_ERROR_LIMIT, flatten_state, typed_text

log = logging.getLogger(__name__)


# -- /claim pending ----------------------------------------------------------------------------


@subcommand("pending", usage_key="help.usage.pending", about_key="help.about.pending", order=20)
async def claim_pending(invocation: Invocation) -> None:
    """The claims waiting for the caller's decision, ephemerally, with the card's buttons.

    Sent through the response_url (not the acknowledgement) so that its buttons come back with
    a response_url of their own, through which the list is replaced after each decision.
    """
    await invocation.ack()
    page = await invocation.rt.approvals.pending_for(invocation.workspace_id, invocation.user_id)
    text, blocks = pending_list(page, invocation.tr)
    await invocation.respond(text=text, blocks=blocks, response_type="ephemeral")


async def on_more(
    ack: AsyncAck, action: dict[str, Any], context: AsyncBoltContext, respond: AsyncRespond
) -> None:
    """ "Show more" on the pending list: the next page in place of this one."""
    req = ctx.request(context)
    await ack()
    rt, tr = req.rt, req.tr
    offset = parse_ref(action.get("value")) or 0
    page = await rt.approvals.pending_for(req.workspace_id, req.user_id, offset=offset)
    text, blocks = pending_list(page, tr)
    await respond(text=text, blocks=blocks, replace_original=True)


# -- deciding ----------------------------------------------------------------------------------


async def on_approve(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    """Approve (the button's confirmation dialog has been answered in the client)."""
    req = ctx.request(context)
    await ack()
    rt = req.rt
    attempt = await rt.approvals.approve(req.workspace_id, req.user_id, action.get("value"))
    await settle_click(attempt, "approved", body, context, client, respond)


async def on_reject(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    """Reject: open the modal that asks for the reason (if the clicker may decide at all)."""
    await open_decision_modal("reject", ack, body, action, context, client, respond)


async def on_ask(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    """Ask for more info: open the modal for the question."""
    await open_decision_modal("ask", ack, body, action, context, client, respond)


async def open_decision_modal(
    kind: str,
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    req = ctx.request(context)
    await ack()
    rt, tr = req.rt, req.tr
    ref = str(action.get("value") or "")
    attempt = await rt.approvals.may_decide(req.workspace_id, req.user_id, ref, kind)
    if not attempt.ok or attempt.case is None:
        await refuse(respond, attempt, tr)
        return
    meta = ModalContext(ref=ref, response_url=_list_url(body))
    build = reject_modal if kind == "reject" else ask_modal
    await client.views_open(trigger_id=body["trigger_id"], view=build(attempt.case, tr, meta))


async def on_reject_submit(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    """The reason was given: reject, or say why not."""
    req = ctx.request(context)
    reason = await typed_text(ack, view, ApprovalField.REASON, req.tr, max_len=NOTE_MAX_LENGTH)
    if reason is None:
        return
    meta = ModalContext.load(view.get("private_metadata"))
    work = req.rt.approvals.reject(req.workspace_id, req.user_id, meta.ref, reason)
    await settle_submission(work, "rejected", ack, view, context, client)


async def on_ask_submit(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    """The question was typed: send it to the rep; the claim stays pending."""
    req = ctx.request(context)
    question = await typed_text(ack, view, ApprovalField.QUESTION, req.tr, max_len=NOTE_MAX_LENGTH)
    if question is None:
        return
    meta = ModalContext.load(view.get("private_metadata"))
    work = req.rt.approvals.questions.ask(req.workspace_id, req.user_id, meta.ref, question)
    await settle_submission(work, "asked", ack, view, context, client)


# -- answering -----------------------------------------------------------------------------------


async def on_answer(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    """The rep's Answer button: open the answer modal (only for the rep who filed the claim)."""
    req = ctx.request(context)
    await ack()
    rt, tr = req.rt, req.tr
    ref = str(action.get("value") or "")
    attempt = await rt.approvals.questions.may_answer(req.workspace_id, req.user_id, ref)
    if not attempt.ok or attempt.case is None or attempt.question is None:
        await refuse(respond, attempt, tr)
        return
    # The claim's fields too, prefilled as the edit form has them, if the rep may edit it now.
    _, claim = await rt.edits.check(req.workspace_id, req.user_id, attempt.case.claim_id)
    fields = (
        correction_form(tr, rt.rules, claim, callback=CorrectionView.EDIT)["blocks"]
        if claim is not None
        else []
    )
    view = answer_modal(
        attempt.case.customer_name, attempt.question, tr, ModalContext(ref=ref), fields
    )
    await client.views_open(trigger_id=body["trigger_id"], view=view)


async def on_answer_submit(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    """The answer: to the approvers, onto the card, and into the rep's own DM. Changed claim
    fields go through the edit service first, with an edit's checks: the field errors, or a
    collision named on the name field, keep the modal open and write nothing."""
    req = ctx.request(context)
    rt, tr = req.rt, req.tr
    state = flatten_state(view)
    errors: dict[str, str] = {}
    answer: str | None = None
    try:
        answer = parse_note(state.get(ApprovalField.ANSWER.value))
    except FieldError as error:
        errors[ApprovalField.ANSWER.value] = error.message(tr.lang)[:FIELD_ERROR_LIMIT]
    draft = checked_draft(view, context) if ClaimField.CUSTOMER_NAME.value in state else None
    if isinstance(draft, dict):
        errors.update(draft)
        draft = None
    if errors or answer is None:
        await ack(response_action="errors", errors=errors)
        return
    meta = ModalContext.load(view.get("private_metadata"))
    outcome = await answer_in_time(
        ack,
        context,
        client,
        view,
        answer_question(context, meta.ref, answer, draft),
        partial(answered, tr),
        partial(notice_view, tr),
    )
    if isinstance(outcome, Attempt) and outcome.ok and outcome.case and outcome.question:
        rt.outbox.kick()
        await refresh_question(rt, client, req.workspace_id, outcome.case, outcome.question)
        await refresh_cards(rt, client, req.workspace_id, outcome.case)


async def answer_question(
    context: AsyncBoltContext, ref: str, answer: str, draft: ClaimDraft | None
) -> Attempt | Correction:
    """Apply the answer's changes to the claim (if any), then record the answer."""
    req = ctx.request(context)
    rt, workspace = req.rt, req.workspace_id
    if draft is not None:
        checked = await rt.approvals.questions.may_answer(workspace, req.user_id, ref)
        if not checked.ok or checked.case is None:
            return checked
        edit = await rt.edits.edit(workspace, req.user_id, checked.case.claim_id, draft)
        if edit.refusal not in (None, CorrectionRefusal.UNCHANGED):
            return edit
    return await rt.approvals.questions.answer(workspace, req.user_id, ref, answer)


def answered(tr: Translator, outcome: Attempt | Correction) -> Answer:
    """The answer modal closes, or shows why not (a collision on the name field)."""
    if isinstance(outcome, Correction):
        text = correction_refusal(outcome, tr)
        if outcome.refusal is CorrectionRefusal.COLLISION:
            return Answer(text, errors={ClaimField.CUSTOMER_NAME.value: text[:FIELD_ERROR_LIMIT]})
        return Answer(text, view=notice_view(tr, text))
    if not outcome.ok or outcome.case is None or outcome.question is None:
        text = refusal_text(outcome, tr)
        return Answer(text, view=notice_view(tr, text))
    return Answer(tr("question.answer.sent"))


# -- answering Slack -----------------------------------------------------------------------------


async def settle_click(
    attempt: Attempt,
    action: str,
    body: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    """After a button decided: refuse, or update the cards (and the pending list clicked in)."""
    req = ctx.request(context)
    rt, tr = req.rt, req.tr
    if not attempt.ok or attempt.case is None:
        await refuse(respond, attempt, tr)
        return
    rt.outbox.kick()
    workspace = req.workspace_id
    refreshed = await refresh_cards(rt, client, workspace, attempt.case)
    if refreshed.queued:
        # The card they clicked may still show its buttons: say what happened, only to them.
        await respond(
            text=tr("approval.cards_behind", done=done_text(action, attempt.case, tr)),
            response_type="ephemeral",
            replace_original=False,
        )
    if _list_url(body):
        page = await rt.approvals.pending_for(workspace, req.user_id)
        text, blocks = pending_list(page, tr, notice=done_text(action, attempt.case, tr))
        await respond(text=text, blocks=blocks, replace_original=True)


async def settle_submission(
    work: Awaitable[Attempt],
    action: str,
    ack: AsyncAck,
    view: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    """Decide or ask from a modal: close it (or show why not), then update what shows it."""
    req = ctx.request(context)
    rt, tr = req.rt, req.tr
    attempt = await answer_in_time(
        ack,
        context,
        client,
        view,
        work,
        partial(settled, tr, action),
        partial(notice_view, tr),
    )
    if not attempt.ok or attempt.case is None:
        return
    rt.outbox.kick()
    workspace = req.workspace_id
    meta = ModalContext.load(view.get("private_metadata"))
    list_url = trusted_response_url(meta.response_url, rt.settings)
    refreshed = await refresh_cards(rt, client, workspace, attempt.case)
    if refreshed.queued:
        await tell_decider(client, req.user_id, done_text(action, attempt.case, tr), tr)
    if list_url:
        page = await rt.approvals.pending_for(workspace, req.user_id)
        text, blocks = pending_list(page, tr, notice=done_text(action, attempt.case, tr))
        try:
            sent = await AsyncWebhookClient(list_url).send(
                text=text, blocks=blocks, replace_original=True
            )
        except (ClientError, OSError, TimeoutError) as exc:
            log.info("pending list not refreshed: %s", exc)
            return
        if sent.status_code != 200:
            # A response_url lasts 30 minutes and five uses; the list is only a view, and every
            # click on a stale one is checked again.
            log.info("pending list not refreshed: %s %s", sent.status_code, sent.body)


def settled(tr: Translator, action: str, attempt: Attempt) -> Answer:
    """The modal closes on a decision (or a question sent), or says why nothing changed."""
    if not attempt.ok or attempt.case is None:
        text = refusal_text(attempt, tr)
        return Answer(text, view=notice_view(tr, text))
    return Answer(done_text(action, attempt.case, tr))


async def tell_decider(client: AsyncWebClient, user_id: str, done: str, tr: Translator) -> None:
    """A DM with the outcome while the cards lag behind (the modal they used is closed)."""
    try:
        await client.chat_postMessage(channel=user_id, text=tr("approval.cards_behind", done=done))
    except (SlackApiError, ClientError, OSError, TimeoutError) as exc:
        log.warning("could not tell %s the outcome: %s", user_id, exc)


async def refuse(respond: AsyncRespond, attempt: Attempt, tr: Translator) -> None:
    """Tell only the clicker why nothing changed."""
    await respond(text=refusal_text(attempt, tr), response_type="ephemeral", replace_original=False)


async def refresh_cards(
    rt: Runtime, client: AsyncWebClient, workspace_id: str, case: ApprovalCase
) -> Refreshed:
    """Re-render every posted copy of the claim's approval card, each in its reader's language."""
    return await rt.update_cards(
        client,
        workspace_id,
        subject=APPROVAL_SUBJECT,
        subject_id=case.claim_id,
        render=lambda tr: approval_card(case, tr),
    )


async def refresh_question(
    rt: Runtime, client: AsyncWebClient, workspace_id: str, case: ApprovalCase, question: Question
) -> None:
    """The rep's question DM shows their answer and loses its button."""
    await rt.update_cards(
        client,
        workspace_id,
        subject=QUESTION_SUBJECT,
        subject_id=question.id,
        render=lambda tr: question_message(case.claim_id, case.customer_name, question, tr),
    )


def _list_url(body: dict[str, Any]) -> str | None:
    """The response_url of the ephemeral pending list the click came from, if it did."""
    container = body.get("container") or {}
    url = body.get("response_url")
    return str(url) if container.get("is_ephemeral") and url else None


def register(app: AsyncApp) -> None:
    """Listen for the approval buttons and modals."""
    app.action(ApprovalAction.APPROVE.value)(on_approve)
    app.action(ApprovalAction.REJECT.value)(on_reject)
    app.action(ApprovalAction.ASK.value)(on_ask)
    app.action(ApprovalAction.ANSWER.value)(on_answer)
    app.action(ApprovalAction.PENDING_MORE.value)(on_more)
    app.view_submission(ApprovalView.REJECT.value)(on_reject_submit)
    app.view_submission(ApprovalView.ASK.value)(on_ask_submit)
    app.view_submission(ApprovalView.ANSWER.value)(on_answer_submit)
