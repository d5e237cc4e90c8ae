"""``/claim merge <customer> <customer>`` (admins): the preview, then **Merge** or **Cancel**.
Names with spaces are quoted; ``#claim id`` names a claim's customer."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.ids import MergeAction
from cards.lists import choice_reply
from cards.merge import merge_text, preview_message
from handlers import books
from handlers import context as ctx
from handlers.admin import words
from handlers.claim_command import Invocation, subcommand


@subcommand("merge", usage_key="help.usage.merge", about_key="help.about.merge", order=56)
async def claim_merge(invocation: Invocation) -> None:
    """``/claim merge <survivor> <duplicate>``."""
    tr = invocation.tr
    names = words(invocation.args)
    if len(names) != 2:
        await invocation.reply(tr("merge.usage"))
        return
    ids = []
    for name in names:
        lookup = await invocation.rt.transfers.find(invocation.workspace_id, name)
        chosen = lookup.choice.chosen
        if chosen is None:
            text, blocks = choice_reply(name, lookup.choice.candidates, tr, usage_key="merge.usage")
            await invocation.reply(text, blocks)
            return
        ids.append(chosen.customer_id)
    merge = await invocation.rt.merger.preview(
        invocation.workspace_id, invocation.user_id, ids[0], ids[1]
    )
    text, blocks = preview_message(merge, tr)
    await invocation.reply(text, list(blocks))


async def on_confirm(
    ack: AsyncAck, action: dict[str, Any], context: AsyncBoltContext, respond: AsyncRespond
) -> None:
    """**Merge**: acknowledge, merge, say what came of it in place of the preview."""
    await ack()
    req = ctx.request(context)
    try:
        data = json.loads(str(action.get("value") or ""))
    except ValueError:
        data = {}
    raw = [data.get(k) if isinstance(data, dict) else None for k in ("survivor", "duplicate")]
    ids = [i for i in raw if isinstance(i, int) and i > 0]
    if len(ids) != 2:
        await respond(text=req.tr("merge.usage"), replace_original=True)
        return
    merge = await req.rt.merger.merge(req.workspace_id, req.user_id, ids[0], ids[1])
    if merge.done:
        req.rt.outbox.kick()
    await respond(text=merge_text(merge, req.tr), replace_original=True)


def register(app: AsyncApp) -> None:
    """Listen for the preview's two buttons."""
    app.action(MergeAction.CONFIRM.value)(on_confirm)
    app.action(MergeAction.CANCEL.value)(books.on_cancel)
