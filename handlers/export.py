"""``/claim export [since]``: the CSV export, as a .zip uploaded to the caller's DM (managers:
their teams; admins: everything; reps and partners are refused). See bot/export.py."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError, SlackRequestError

from bot.export import file_name, parse_since
from bot.slack_client import for_uploads
from cards.blocks import clip, escape_mrkdwn
from cards.format import slack_date
from handlers.claim_command import Invocation, subcommand

log = logging.getLogger(__name__)


@subcommand("export", usage_key="help.usage.export", about_key="help.about.export", order=80)
async def claim_export(invocation: Invocation) -> None:
    """Write the export and upload it; the caller hears at once that it is on its way."""
    rt, tr = invocation.rt, invocation.tr
    since = None
    if invocation.args.strip():
        try:
            since = parse_since(invocation.args, rt.rules.zone)
        except ValueError:
            shown = escape_mrkdwn(clip(invocation.args.replace("`", "'"), 40))
            await invocation.reply(tr("export.bad_since", value=shown))
            return
    scope = await rt.exporter.scope_for(invocation.workspace_id, invocation.user_id)
    if scope is None:
        await invocation.reply(tr("export.refused"))
        return
    await invocation.reply(tr("export.started"))
    name = file_name(invocation.workspace_id, rt.clock.now())
    with tempfile.TemporaryDirectory(prefix="claimbot-export-") as folder:
        path = Path(folder) / name
        report = await rt.exporter.write_zip(invocation.workspace_id, scope, since, path)
        comment = tr(
            "export.done",
            claims=report.claims,
            followups=report.followups,
            events=report.events,
        )
        if since is not None:
            comment += " " + tr("export.since", since=slack_date(since))
        try:
            dm = await invocation.client.conversations_open(users=invocation.user_id)
            channel = str((dm.get("channel") or {}).get("id") or "")
            await for_uploads(invocation.client).files_upload_v2(
                channel=channel,
                file=str(path),
                filename=name,
                title=tr("export.title"),
                initial_comment=comment,
            )
        except (SlackApiError, SlackRequestError, ClientError, OSError, TimeoutError) as exc:
            log.warning("export for %s not uploaded: %s", invocation.user_id, exc)
            await invocation.respond(text=tr("export.failed"), response_type="ephemeral")
