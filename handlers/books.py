"""``/claim handover @from @to <reason>``: the preview, then **Hand over** or **Cancel**. The
confirmation re-checks every right on the server and hands over the book as it is then."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.corrections.common import REASON_MAX
from bot.ids import BookAction
from bot.validation import clean_text
from cards.books import preview_message, result_text
from handlers import context as ctx
from handlers.admin import user_ref
from handlers.claim_command import Invocation, subcommand


@subcommand("handover", usage_key="help.usage.handover", about_key="help.about.handover", order=54)
async def claim_handover(invocation: Invocation) -> None:
    """``/claim handover @from @to <reason>`` (managers of both reps, admins)."""
    tr = invocation.tr
    tokens = invocation.args.split()
    people = [user_ref(t) for t in tokens[:2]]
    if len(tokens) < 2 or None in people:
        await invocation.reply(tr("handover.usage"))
        return
    from_id, to_id = str(people[0]), str(people[1])
    reason = clean_text(" ".join(tokens[2:]), max_len=REASON_MAX, multiline=True)
    if not reason:
        await invocation.reply(tr("handover.no_reason") + "\n" + tr("handover.usage"))
        return
    book = await invocation.rt.books.preview(
        invocation.workspace_id, invocation.user_id, from_id, to_id
    )
    text, blocks = preview_message(book, reason, tr)
    await invocation.reply(text, list(blocks))


async def on_confirm(
    ack: AsyncAck, action: dict[str, Any], context: AsyncBoltContext, respond: AsyncRespond
) -> None:
    """**Hand over**: acknowledge, say it is under way, hand the book over, say what came of it."""
    await ack()
    req = ctx.request(context)
    rt, tr = req.rt, req.tr
    try:
        data = json.loads(str(action.get("value") or ""))
    except ValueError:
        data = {}
    parts = [data.get(k) if isinstance(data, dict) else None for k in ("from", "to", "reason")]
    if not all(isinstance(p, str) and p for p in parts):
        await respond(text=tr("handover.usage"), replace_original=True)
        return
    from_id, to_id, reason = (str(p) for p in parts)
    await respond(text=tr("handover.working"), replace_original=True)
    book = await rt.books.hand_over(req.workspace_id, req.user_id, from_id, to_id, reason)
    if book.ok:
        rt.outbox.kick()
    await respond(text=result_text(book, tr), replace_original=True)


async def on_cancel(ack: AsyncAck, context: AsyncBoltContext, respond: AsyncRespond) -> None:
    """**Cancel**: the preview becomes a line saying nothing was changed."""
    await ack()
    await respond(text=ctx.request(context).tr("handover.cancelled"), replace_original=True)


def register(app: AsyncApp) -> None:
    """Listen for the preview's two buttons."""
    app.action(BookAction.CONFIRM.value)(on_confirm)
    app.action(BookAction.CANCEL.value)(on_cancel)
