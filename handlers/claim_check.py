"""``/claim check <name | phone | credit code | e-mail>``: the duplicate answer, ephemerally."""

from __future__ import annotations

from bot.claims.lookup import probe_for_query, sees_how_matches_were_found
from cards.duplicates import check_reply
from handlers.claim_command import Invocation, subcommand


@subcommand("check", usage_key="help.usage.check", about_key="help.about.check", order=10)
async def claim_check(invocation: Invocation) -> None:
    """Answer who holds what the rep typed, if anyone."""
    probe = probe_for_query(invocation.args)
    if probe is None:
        await invocation.reply(invocation.tr("duplicates.check.usage"))
        return
    rt = invocation.rt
    matches = await rt.claims.lookup(invocation.workspace_id, probe)
    member = await rt.directory.lookup(invocation.workspace_id, invocation.profile)
    explain = sees_how_matches_were_found(member)
    text, blocks = check_reply(invocation.args, matches, invocation.tr, explain=explain)
    await invocation.reply(text, blocks)
