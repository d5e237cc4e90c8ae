"""Disputes: **Dispute** on a collision notice (a modal asks why), **Keep holder** / **Transfer to
challenger** on the dispute card (a modal asks why). A click is acknowledged at once; the service
re-checks the clicker's rights and the dispute's state on the click and again on the submission.
A ruling updates every posted copy of the card in place."""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.disputes import DisputeAttempt, DisputeCase, Verdict
from bot.disputes.case import DISPUTE_SUBJECT
from bot.i18n import Translator
from bot.ids import DisputeAction, DisputeField, DisputeView
from bot.runtime import Runtime
from bot.transfers import REASON_MAX
from cards.disputes import (
    decide_form,
    dispute_card,
    notice_view,
    open_form,
    opened_text,
    parse_metadata,
    refusal_text,
    status_line,
)
from handlers import context as ctx
from handlers.answering import Answer, answer_in_time
from handlers.followups import tell
from handlers.forms import typed_text


async def on_open(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    """**Dispute**: the modal asking why, if the clicker is one of the collision's two reps and
    it can still be disputed."""
    req = ctx.request(context)
    await ack()
    rt, tr = req.rt, req.tr
    attempt = await rt.disputes.may_open(req.workspace_id, req.user_id, action.get("value"))
    if not attempt.ok or attempt.case is None:
        await tell(respond, refusal_text(attempt, tr))
        return
    await client.views_open(trigger_id=body["trigger_id"], view=open_form(attempt.case, tr))


async def on_open_submit(
    ack: AsyncAck, view: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
) -> None:
    """The reason was given: open the dispute; the modal says where it went (or why not)."""
    req = ctx.request(context)
    rt, tr = req.rt, req.tr
    reason = await typed_text(ack, view, DisputeField.REASON, tr, max_len=REASON_MAX)
    if reason is None:
        return
    ref, _ = parse_metadata(view.get("private_metadata"))
    attempt = await answer_in_time(
        ack,
        context,
        client,
        view,
        rt.disputes.open(req.workspace_id, req.user_id, ref, reason),
        partial(opened, tr),
        partial(notice_view, tr),
    )
    if attempt.ok:
        rt.outbox.kick()


def opened(tr: Translator, attempt: DisputeAttempt) -> Answer:
    """Where the dispute went, or why it could not be opened."""
    text = opened_text(attempt, tr) if attempt.ok else refusal_text(attempt, tr)
    return Answer(text, view=notice_view(tr, text))


async def on_keep(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    """**Keep holder**: the modal for the reason, if the clicker may rule."""
    await _decision_modal(Verdict.KEEP, ack, body, action, context, client, respond)


async def on_transfer(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    """**Transfer to challenger** (confirmed in the client): the modal for the reason."""
    await _decision_modal(Verdict.TRANSFER, ack, body, action, context, client, respond)


async def _decision_modal(
    verdict: Verdict,
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
    attempt = await rt.disputes.may_decide(req.workspace_id, req.user_id, action.get("value"))
    if not attempt.ok or attempt.case is None:
        await tell(respond, refusal_text(attempt, tr))
        return
    await client.views_open(
        trigger_id=body["trigger_id"], view=decide_form(attempt.case, verdict, tr)
    )


async def on_decide_submit(
    ack: AsyncAck, view: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
) -> None:
    """Rule, once: close the modal and update every card, or show why nothing changed."""
    req = ctx.request(context)
    rt, tr = req.rt, req.tr
    reason = await typed_text(ack, view, DisputeField.REASON, tr, max_len=REASON_MAX)
    if reason is None:
        return
    ref, verdict = parse_metadata(view.get("private_metadata"))
    workspace = req.workspace_id
    if verdict is None:
        # Tampered metadata: refused like a forged click, without guessing a ruling.
        ref = ""
    attempt = await answer_in_time(
        ack,
        context,
        client,
        view,
        rt.disputes.decide(workspace, req.user_id, ref, verdict or Verdict.KEEP, reason),
        partial(ruled, tr),
        partial(notice_view, tr),
    )
    if attempt.ok:
        rt.outbox.kick()
    if attempt.case is not None and attempt.case.decided:
        await refresh_cards(rt, client, workspace, attempt.case)


def ruled(tr: Translator, attempt: DisputeAttempt) -> Answer:
    """The modal closes on the ruling, or says why nothing changed."""
    if not attempt.ok or attempt.case is None:
        text = refusal_text(attempt, tr)
        return Answer(text, view=notice_view(tr, text))
    return Answer(status_line(attempt.case, tr) or tr("dispute.decided.title"))


async def refresh_cards(
    rt: Runtime, client: AsyncWebClient, workspace_id: str, case: DisputeCase
) -> None:
    """Every posted copy of the dispute card shows the ruling, its buttons gone."""
    await rt.update_cards(
        client,
        workspace_id,
        subject=DISPUTE_SUBJECT,
        subject_id=case.collision_id,
        render=lambda tr: dispute_card(case, tr),
    )


def register(app: AsyncApp) -> None:
    """Listen for the dispute buttons and modals."""
    app.action(DisputeAction.OPEN.value)(on_open)
    app.action(DisputeAction.KEEP.value)(on_keep)
    app.action(DisputeAction.TRANSFER.value)(on_transfer)
    app.view_submission(DisputeView.OPEN.value)(on_open_submit)
    app.view_submission(DisputeView.DECIDE.value)(on_decide_submit)
