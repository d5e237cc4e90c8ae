"""Follow-ups: ``/claim followup [customer]``, the **Log follow-up** button on claim messages, and
the follow-up form's submission.

Every path re-checks on the server that the clicking user owns an active claim; the button's value
only says which claim.
"""

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
from bot.ids import LifecycleAction, LifecycleView
from bot.lifecycle.followup_form import parse_followup
from bot.lifecycle.followups import Logged, OwnerRefusal
from bot.people import Profile
from bot.runtime import Runtime
from cards.blocks import clip, escape_mrkdwn
from cards.followup import (
    choose_claim,
    claim_id_of,
    followup_form,
    logged_lines,
    logged_view,
    message_modal,
)
from handlers import context as ctx
from handlers.answering import Answer, answer_in_time
from handlers.claim_command import Invocation, subcommand
from handlers.forms import FIELD_ERROR_LIMIT, flatten_state

log = logging.getLogger(__name__)


def refusal_text(refusal: OwnerRefusal, tr: Translator) -> str:
    """Why the rep may not act on the claim, in their language."""
    return tr(f"followup.refused.{refusal.value}")


def parse_ref(value: object) -> int | None:
    """A claim/request/customer id from a button's value (anything else: None)."""
    text = str(value or "")
    return int(text) if text.isdigit() and 0 < len(text) <= 18 else None


async def tell(respond: AsyncRespond, text: str) -> None:
    """An ephemeral line to the clicking user, leaving the message they clicked as it was."""
    await respond(text=text, response_type="ephemeral", replace_original=False)


async def open_followup(
    rt: Runtime,
    tr: Translator,
    profile: Profile,
    workspace_id: str,
    claim_id: int,
    trigger_id: str | None,
    client: AsyncWebClient,
) -> OwnerRefusal | None:
    """Open the follow-up form on the claim, or say why not."""
    found = await rt.lifecycle.followups.claim_for(workspace_id, profile.user_id, claim_id)
    if isinstance(found, OwnerRefusal):
        return found
    view = followup_form(tr, rt.rules, found, now=rt.clock.now(), tz=profile.tz)
    await client.views_open(trigger_id=trigger_id, view=view)
    return None


@subcommand(
    "followup",
    usage_key="help.usage.followup",
    about_key="help.about.followup",
    aliases=("follow-up", "fu"),
    order=30,
)
async def claim_followup(invocation: Invocation) -> None:
    """``/claim followup [name]``: the form at once for one clear match, else a list to pick from."""
    rt, tr = invocation.rt, invocation.tr
    claims = await rt.lifecycle.followups.find_own(
        invocation.workspace_id, invocation.user_id, invocation.args
    )
    if len(claims) == 1:
        await invocation.ack()
        refusal = await open_followup(
            rt,
            tr,
            invocation.profile,
            invocation.workspace_id,
            claims[0].claim_id,
            invocation.trigger_id,
            invocation.client,
        )
        if refusal is not None:
            await invocation.respond(text=refusal_text(refusal, tr), response_type="ephemeral")
        return
    if not claims:
        query = escape_mrkdwn(clip(invocation.args, 60))
        await invocation.reply(
            tr("followup.find.none", query=query) if query else tr("followup.find.no_claims")
        )
        return
    # Through the response_url, so that the list's buttons come back with one of their own.
    await invocation.ack()
    text, blocks = choose_claim(tr, claims)
    await invocation.respond(text=text, blocks=blocks, response_type="ephemeral")


async def on_log_followup(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    """**Log follow-up** on a claim message: the form, if the clicker owns the active claim."""
    req = ctx.request(context)
    await ack()
    tr = req.tr
    claim_id = parse_ref(action.get("value"))
    if claim_id is None:
        await tell(respond, refusal_text(OwnerRefusal.NOT_FOUND, tr))
        return
    refusal = await open_followup(
        req.rt,
        tr,
        req.profile,
        req.workspace_id,
        claim_id,
        body.get("trigger_id"),
        client,
    )
    if refusal is not None:
        await tell(respond, refusal_text(refusal, tr))


async def on_followup_submit(
    ack: AsyncAck, view: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
) -> None:
    """Save the follow-up, or show what to correct on the fields."""
    req = ctx.request(context)
    rt, tr, profile = req.rt, req.tr, req.profile
    parsed = parse_followup(flatten_state(view), rt.rules, now=rt.clock.now(), tz=profile.tz)
    if isinstance(parsed, dict):
        await ack(
            response_action="errors",
            errors={
                field.value: error.message(tr.lang)[:FIELD_ERROR_LIMIT]
                for field, error in parsed.items()
            },
        )
        return
    claim_id = claim_id_of(view.get("private_metadata"))
    result = await answer_in_time(
        ack,
        context,
        client,
        view,
        rt.lifecycle.followups.log(req.workspace_id, profile.user_id, claim_id or 0, parsed),
        partial(logged, tr),
        partial(message_modal, tr, "followup.modal.title"),
    )
    if not isinstance(result, OwnerRefusal):
        rt.outbox.kick()


def logged(tr: Translator, result: Logged | OwnerRefusal) -> Answer:
    """The follow-up as saved, or why it could not be."""
    if isinstance(result, OwnerRefusal):
        text = refusal_text(result, tr)
        return Answer(text, view=message_modal(tr, "followup.modal.title", text))
    return Answer("\n".join(logged_lines(tr, result)), view=logged_view(tr, result))


def register(app: AsyncApp) -> None:
    """Listen for the button and the form."""
    app.action(LifecycleAction.LOG_FOLLOWUP.value)(on_log_followup)
    app.view_submission(LifecycleView.FOLLOWUP_FORM.value)(on_followup_submit)
