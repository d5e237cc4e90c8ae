"""The claim form: opened by ``/claim``, ``/claim new NAME`` or the global shortcut; a live
duplicate hint on Enter in the name field; the verdict on submit, inside Slack's 3 seconds."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.claims.batch import Resubmission
from bot.claims.draft import ClaimDraft, parse_form
from bot.claims.lookup import probe_for_query
from bot.claims.verdict import Verdict
from bot.i18n import Translator
from bot.ids import ClaimField, Shortcut
from bot.ids import View as ViewId
from cards.claim_form import FormContext, new_claim_form
from cards.verdict import deciding_view, verdict_message, verdict_view
from handlers import context as ctx
from handlers.claim_command import Invocation, subcommand
from handlers.forms import field_errors, flatten_state
from store.db import SILENCE_SECONDS, DatabaseUnavailable, answer_within, seconds_left

log = logging.getLogger(__name__)

# Seconds the submission may take before the modal says "being decided" instead (Slack allows 3
# for the whole round trip), counted from the request's start: the look-ups before it spend it too.
ACK_BUDGET_SECONDS = 2.0


@subcommand("", usage_key="help.usage.new", about_key="help.about.new", order=0)
async def claim_without_text(invocation: Invocation) -> None:
    """``/claim`` alone opens the form."""
    await open_form(invocation, "")


@subcommand("new", usage_key="help.usage.new", about_key="help.about.new", order=0)
async def claim_new(invocation: Invocation) -> None:
    """``/claim new ACME`` opens the form with the name filled in."""
    await open_form(invocation, invocation.args)


async def open_form(invocation: Invocation, name: str) -> None:
    await invocation.ack()
    view = new_claim_form(
        invocation.tr,
        invocation.rt.rules,
        context=FormContext(origin_channel=invocation.channel_id),
        customer_name=name,
    )
    await invocation.client.views_open(trigger_id=invocation.trigger_id, view=view)


async def on_shortcut(
    ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
) -> None:
    """The global shortcut "New claim"."""
    req = ctx.request(context)
    await ack()
    view = new_claim_form(req.tr, req.rt.rules, context=FormContext())
    await client.views_open(trigger_id=body["trigger_id"], view=view)


async def on_name_entered(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    """Enter in the name field: show the closest existing customers under it."""
    req = ctx.request(context)
    await ack()
    rt, tr = req.rt, req.tr
    name = str(action.get("value") or "")
    probe = probe_for_query(name)
    matches = await rt.claims.lookup(req.workspace_id, probe) if probe else []
    view = body["view"]
    updated = new_claim_form(
        tr,
        rt.rules,
        context=FormContext.load(view.get("private_metadata")),
        customer_name=name,
        hint=matches,
    )
    try:
        await client.views_update(view_id=view["id"], hash=view.get("hash"), view=updated)
    except SlackApiError as exc:
        # hash_conflict: the rep pressed Enter again; the newer update wins.
        if exc.response.get("error") != "hash_conflict":
            raise


async def on_submit(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    """Check the form; show field errors, or file the claim and turn the modal into the verdict."""
    draft = await checked_form(ack, view, context)
    if draft is not None:
        await file_and_answer(ack, context, client, view, draft)


async def checked_form(
    ack: AsyncAck, view: dict[str, Any], context: AsyncBoltContext
) -> ClaimDraft | None:
    """The submitted claim form, checked; or ``None`` after showing the errors on the fields."""
    parsed = checked_draft(view, context)
    if isinstance(parsed, dict):
        await ack(response_action="errors", errors=parsed)
        return None
    return parsed


def checked_draft(view: dict[str, Any], context: AsyncBoltContext) -> ClaimDraft | dict[str, str]:
    """The claim form's fields in a submitted view: the draft, or the errors by field."""
    req = ctx.request(context)
    today = req.rt.clock.now().astimezone(req.profile.tz).date()
    parsed = parse_form(flatten_state(view), req.rt.rules, today=today)
    return field_errors(parsed, req.tr) if isinstance(parsed, dict) else parsed


async def file_and_answer(
    ack: AsyncAck,
    context: AsyncBoltContext,
    client: AsyncWebClient,
    view: dict[str, Any],
    draft: ClaimDraft,
    *,
    resubmits: Resubmission | None = None,
) -> None:
    """File a checked draft and turn the modal into its verdict, inside Slack's 3 seconds."""
    req = ctx.request(context)
    rt, tr, profile = req.rt, req.tr, req.profile
    workspace = req.workspace_id
    filer = await rt.directory.filer(workspace, profile)
    # The decision may outlive the request's database budget: a busy database gets the
    # "being decided" modal below, and the verdict when it comes.
    with answer_within(None):
        decision = asyncio.ensure_future(
            rt.claims.submit(
                workspace_id=workspace,
                filer=filer,
                draft=draft,
                # One modal files one claim: a retried or double-clicked submit replays its verdict.
                submission_key=f"view:{view['id']}",
                origin_channel=FormContext.load(view.get("private_metadata")).origin_channel,
                resubmits=resubmits,
            )
        )
    try:
        budget = min(ACK_BUDGET_SECONDS, seconds_left(ACK_BUDGET_SECONDS))
        verdict = await asyncio.wait_for(asyncio.shield(decision), timeout=budget)
    except TimeoutError:
        if not rt.db.answered_within(SILENCE_SECONDS):
            # The database has said nothing to anyone for a second: it hangs, it is not busy.
            # Cancelled before its COMMIT, the claim rolls back; the rep is told to try again.
            decision.cancel()
            raise DatabaseUnavailable("no answer from the database within the ack budget") from None
        # Slack gives up on an answer after 3 seconds and tells the rep something went wrong.
        # Under a burst, answer in time that the claim is being decided, then show the verdict.
        await ack(response_action="update", view=deciding_view(tr))
        verdict = await decision
        rt.outbox.kick()
        await show_late_verdict(client, view["id"], verdict, tr, req.user_id)
        return
    await ack(response_action="update", view=verdict_view(verdict, tr))
    rt.outbox.kick()


async def show_late_verdict(
    client: AsyncWebClient, view_id: str, verdict: Verdict, tr: Translator, user_id: str
) -> None:
    """Turn the waiting modal into the verdict; if the rep closed it, tell them by DM."""
    try:
        await client.views_update(view_id=view_id, view=verdict_view(verdict, tr))
    except SlackApiError as exc:
        log.info("modal %s gone before its verdict (%s); sending it by DM", view_id, exc)
        text, blocks = verdict_message(verdict, tr)
        await client.chat_postMessage(channel=user_id, text=text, blocks=blocks)


def register(app: AsyncApp) -> None:
    """Listen for the shortcut, the name field's Enter and the form's submission."""
    app.shortcut(Shortcut.NEW_CLAIM.value)(on_shortcut)
    app.action(ClaimField.CUSTOMER_NAME.value)(on_name_entered)
    app.view_submission(ViewId.CLAIM_FORM.value)(on_submit)
