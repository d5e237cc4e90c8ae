"""The claim form: opened by ``/claim``, ``/claim new NAME`` or the global shortcut; a live
duplicate hint on Enter in the name field; the verdict on submit, inside Slack's 3 seconds."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any, TypeVar

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
from cards.verdict import deciding_view, notice_view, verdict_message, verdict_view
from handlers import context as ctx
from handlers.answering import Answer, answer_in_time
from handlers.claim_command import Invocation, subcommand
from handlers.forms import field_errors, flatten_state

log = logging.getLogger(__name__)

T = TypeVar("T")


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
        await file_and_answer(
            ack, context, client, view, submit_claim(context, view, draft), verdict_answer
        )


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
    filing: Awaitable[T],
    answer: Callable[[Translator, T], Answer],
) -> T:
    """Run a filing and turn the modal into its verdict (or refusal), inside Slack's 3 seconds."""
    req = ctx.request(context)
    tr = req.tr
    result = await answer_in_time(
        ack,
        context,
        client,
        view,
        filing,
        partial(answer, tr),
        partial(notice_view, tr),
        # Under a burst: the claim is in line and decided in the order it arrived.
        working=deciding_view(tr),
    )
    req.rt.outbox.kick()
    return result


async def submit_claim(
    context: AsyncBoltContext,
    view: dict[str, Any],
    draft: ClaimDraft,
    *,
    resubmits: Resubmission | None = None,
) -> Verdict:
    """File a checked draft from the submitted claim form; its verdict."""
    req = ctx.request(context)
    rt, workspace = req.rt, req.workspace_id
    filer = await rt.directory.filer(workspace, req.profile)
    return await rt.claims.submit(
        workspace_id=workspace,
        filer=filer,
        draft=draft,
        # One modal files one claim: a retried or double-clicked submit replays its verdict.
        submission_key=f"view:{view['id']}",
        origin_channel=FormContext.load(view.get("private_metadata")).origin_channel,
        resubmits=resubmits,
    )


def verdict_answer(tr: Translator, verdict: Verdict) -> Answer:
    """The verdict in the modal, or by DM when the modal is gone."""
    text, blocks = verdict_message(verdict, tr)
    return Answer(text, view=verdict_view(verdict, tr), blocks=blocks)


def register(app: AsyncApp) -> None:
    """Listen for the shortcut, the name field's Enter and the form's submission."""
    app.shortcut(Shortcut.NEW_CLAIM.value)(on_shortcut)
    app.action(ClaimField.CUSTOMER_NAME.value)(on_name_entered)
    app.view_submission(ViewId.CLAIM_FORM.value)(on_submit)
