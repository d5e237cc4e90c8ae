"""A manager's transfer and release: ``/claim transfer <customer> @rep <reason>``,
``/claim release <customer> <reason>``, and **Transfer…** / **Release…** on the team list (each
opens a modal). Every path re-checks the clicking user's rights on the server."""

from __future__ import annotations

import json
from collections.abc import Awaitable
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.i18n import Translator
from bot.ids import ListAction, TransferField, TransferView
from bot.transfers import REASON_MAX, Handover
from bot.validation import FieldError, required_text
from cards.blocks import clip, escape_mrkdwn
from cards.lists import choice_reply
from cards.transfers import handover_text, notice_view, release_form, transfer_form
from handlers import context as ctx
from handlers.admin import user_ref
from handlers.answering import Answer, answer_in_time
from handlers.claim_command import Invocation, subcommand
from handlers.followups import parse_ref, tell
from handlers.forms import flatten_state, typed_text


def parse_reason(raw: str | None) -> str:
    """A reason as typed: trimmed, required, bounded (raises FieldError)."""
    return required_text(raw, max_len=REASON_MAX)


async def held_claim(
    invocation: Invocation, query: str, usage_key: str, not_held_key: str = "transfer.not_held"
) -> int | None:
    """The claim holding a typed customer (or that ``#claim id``), or ``None`` after saying why
    there is none."""
    tr = invocation.tr
    lookup = await invocation.rt.transfers.find(invocation.workspace_id, query)
    choice = lookup.choice
    if not choice.usable:
        await invocation.reply(tr(usage_key))
        return None
    if choice.chosen is None:
        text, blocks = choice_reply(query, choice.candidates, tr, usage_key=usage_key)
        await invocation.reply(text, blocks)
        return None
    if lookup.claim_id is None:
        name = escape_mrkdwn(clip(choice.chosen.customer_name, 120))
        await invocation.reply(tr(not_held_key, customer=name))
        return None
    return lookup.claim_id


@subcommand("transfer", usage_key="help.usage.transfer", about_key="help.about.transfer", order=50)
async def claim_transfer(invocation: Invocation) -> None:
    """``/claim transfer <customer> @rep <reason>`` (managers of the claim's team, admins)."""
    tr = invocation.tr
    tokens = invocation.args.split()
    at = next((n for n, token in enumerate(tokens) if user_ref(token)), None)
    if at is None or at == 0:
        await invocation.reply(tr("transfer.no_target") + "\n" + tr("transfer.usage"))
        return
    target = user_ref(tokens[at])
    assert target is not None
    query = " ".join(tokens[:at])
    try:
        reason = parse_reason(" ".join(tokens[at + 1 :]))
    except FieldError:
        await invocation.reply(tr("transfer.no_reason") + "\n" + tr("transfer.usage"))
        return
    claim_id = await held_claim(invocation, query, "transfer.usage")
    if claim_id is None:
        return
    result = await invocation.rt.transfers.transfer(
        invocation.workspace_id, invocation.user_id, claim_id, target, reason
    )
    if result.ok:
        invocation.rt.outbox.kick()
    await invocation.reply(handover_text(result, "transfer", tr))


@subcommand("release", usage_key="help.usage.release", about_key="help.about.release", order=52)
async def claim_release(invocation: Invocation) -> None:
    """``/claim release <customer> <reason>``: the reason is what follows the customer's name
    (quote a name with spaces, or use ``#claim id``)."""
    tr = invocation.tr
    query, reason_text = split_customer(invocation.args)
    try:
        reason = parse_reason(reason_text)
    except FieldError:
        await invocation.reply(tr("transfer.no_reason") + "\n" + tr("release.usage"))
        return
    claim_id = await held_claim(invocation, query, "release.usage")
    if claim_id is None:
        return
    result = await invocation.rt.transfers.release(
        invocation.workspace_id, invocation.user_id, claim_id, reason
    )
    if result.ok:
        invocation.rt.outbox.kick()
    await invocation.reply(handover_text(result, "release", tr))


def split_customer(text: str) -> tuple[str, str]:
    """``"北京某某 有限公司" too slow`` → the quoted name and the rest; else the first word."""
    text = text.strip().translate({ord("“"): '"', ord("”"): '"'})
    if text.startswith('"') and '"' in text[1:]:
        end = text.index('"', 1)
        return text[1:end].strip(), text[end + 1 :].strip()
    first, _, rest = text.partition(" ")
    return first, rest.strip()


# -- from the team list ----------------------------------------------------------------------------


async def on_manage(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    """**Transfer…** / **Release…** in a team list row's menu: the modal, if the clicker may."""
    req = ctx.request(context)
    await ack()
    rt, tr = req.rt, req.tr
    selected = str((action.get("selected_option") or {}).get("value") or "")
    verb, _, ref = selected.partition(":")
    claim_id = parse_ref(ref)
    if verb not in ("transfer", "release") or claim_id is None:
        await tell(respond, tr("transfer.refused.unknown", target="—"))
        return
    checked = await rt.transfers.check(req.workspace_id, req.user_id, claim_id, verb)
    if not checked.ok or checked.claim is None:
        await tell(respond, handover_text(checked, verb, tr))
        return
    view = (
        transfer_form(checked.claim, tr) if verb == "transfer" else release_form(checked.claim, tr)
    )
    await client.views_open(trigger_id=body["trigger_id"], view=view)


async def on_transfer_submit(
    ack: AsyncAck, view: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
) -> None:
    """Transfer to the chosen rep, or show why not in the modal."""
    req = ctx.request(context)
    rt, tr = req.rt, req.tr
    target = flatten_state(view).get(TransferField.TARGET.value)
    reason = await typed_text(ack, view, TransferField.REASON, tr, max_len=REASON_MAX)
    if reason is None:
        return
    if not target:
        await ack(
            response_action="errors",
            errors={TransferField.TARGET.value: FieldError("validation.required").message(tr.lang)},
        )
        return
    work = rt.transfers.transfer(req.workspace_id, req.user_id, claim_id_of(view), target, reason)
    await _settle(ack, context, client, view, work, "transfer")


async def on_release_submit(
    ack: AsyncAck, view: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
) -> None:
    """Release to the pool, or show why not in the modal."""
    req = ctx.request(context)
    reason = await typed_text(ack, view, TransferField.REASON, req.tr, max_len=REASON_MAX)
    if reason is None:
        return
    work = req.rt.transfers.release(req.workspace_id, req.user_id, claim_id_of(view), reason)
    await _settle(ack, context, client, view, work, "release")


async def _settle(
    ack: AsyncAck,
    context: AsyncBoltContext,
    client: AsyncWebClient,
    view: dict[str, Any],
    work: Awaitable[Handover],
    action: str,
) -> None:
    """The modal turns into what was done (or why not), in time whatever the database does."""
    req = ctx.request(context)
    tr = req.tr
    result = await answer_in_time(
        ack,
        context,
        client,
        view,
        work,
        partial(handover_answer, tr, action),
        partial(notice_view, tr),
    )
    if result.ok:
        req.rt.outbox.kick()


def handover_answer(tr: Translator, action: str, result: Handover) -> Answer:
    text = handover_text(result, action, tr)
    return Answer(text, view=notice_view(tr, text))


def claim_id_of(view: dict[str, Any]) -> int:
    """The claim a modal is about (tampered metadata: 0, which the service refuses)."""
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return 0
    value = data.get("claim_id") if isinstance(data, dict) else None
    return value if isinstance(value, int) and value > 0 else 0


def register(app: AsyncApp) -> None:
    """Listen for the team list's menu and the two modals."""
    app.action(ListAction.MANAGE.value)(on_manage)
    app.view_submission(TransferView.TRANSFER.value)(on_transfer_submit)
    app.view_submission(TransferView.RELEASE.value)(on_release_submit)
