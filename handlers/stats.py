"""``/claim stats [week|month|quarter] [here]``: the caller's numbers, ephemerally, and a chart.

The numbers answer at once (only the caller sees them). Files cannot be ephemeral, so the chart —
the same numbers — goes where only the caller sees it too: their DM with Claimbot (which is where
the command was typed, if it was). ``here`` asks for it in the conversation the command was typed
in, for a team meeting say; when Claimbot cannot post there (not a member, someone else's DM, an
archived channel) it goes to the DM after all, and the caller is told.
"""

from __future__ import annotations

import asyncio
import logging
from enum import StrEnum

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web.async_client import AsyncWebClient

from bot.charts import FILENAME, render_chart
from bot.i18n import Translator
from bot.metrics.periods import Period, parse_period
from bot.metrics.service import Report
from bot.slack_client import for_uploads
from cards.blocks import clip, escape_mrkdwn
from cards.metrics import period_label, scope_label, stats_message
from handlers.claim_command import Invocation, subcommand

log = logging.getLogger(__name__)

HERE = "here"


class Shared(StrEnum):
    """Where the chart went."""

    AS_ASKED = "as_asked"
    FELL_BACK = "fell_back"  # "here" was not usable: the DM instead
    FAILED = "failed"


def parse_stats(args: str) -> tuple[Period, bool] | None:
    """(period, here) from the command's words; None when they make no sense."""
    words = args.lower().split()
    here = HERE in words
    rest = [w for w in words if w != HERE]
    if len(rest) > 1:
        return None
    period = parse_period(rest[0]) if rest else Period.MONTH
    return None if period is None else (period, here)


@subcommand("stats", usage_key="help.usage.stats", about_key="help.about.stats", order=40)
async def claim_stats(invocation: Invocation) -> None:
    """The numbers of the caller's scope for the period, then the chart."""
    parsed = parse_stats(invocation.args)
    tr = invocation.tr
    if parsed is None:
        await invocation.reply(
            tr("metrics.stats.usage", text=escape_mrkdwn(clip(invocation.args, 60)))
        )
        return
    period, here = parsed
    await invocation.ack()
    rt = invocation.rt
    scope = await rt.metrics.scope_for(invocation.workspace_id, invocation.user_id)
    report = await rt.metrics.report(invocation.workspace_id, scope, period, trend=True)
    note = tr("metrics.chart.to_here" if here else "metrics.chart.to_dm")
    text, blocks = stats_message(report, rt.rules, tr, chart_note=note)
    await invocation.respond(text=text, blocks=blocks, response_type="ephemeral")

    shared = await send_chart(invocation, report, here=here)
    if shared is not Shared.AS_ASKED:
        key = "metrics.chart.fell_back" if shared is Shared.FELL_BACK else "metrics.chart.failed"
        await invocation.respond(text=tr(key), response_type="ephemeral", replace_original=False)


async def send_chart(invocation: Invocation, report: Report, *, here: bool) -> Shared:
    """Render the chart and share it: in the conversation if asked (and possible), else the DM."""
    tr = invocation.tr
    try:
        png = await asyncio.to_thread(render_chart, report, tr)
        dm = await dm_channel(invocation.client, invocation.user_id)
    except (SlackApiError, ClientError, OSError, ValueError) as exc:
        log.warning("chart for %s not made: %s", invocation.user_id, exc)
        return Shared.FAILED
    wanted = invocation.channel_id if here and invocation.channel_id else dm
    try:
        await upload(invocation.client, wanted, png, report, tr)
        return Shared.AS_ASKED
    except SlackApiError as exc:
        if wanted == dm:
            log.warning("chart not shared in the DM of %s: %s", invocation.user_id, _error(exc))
            return Shared.FAILED
        log.info("chart not shared in %s (%s); sending it to the DM", wanted, _error(exc))
    except (SlackRequestError, ClientError, OSError) as exc:
        log.warning("chart upload for %s failed: %s", invocation.user_id, exc)
        return Shared.FAILED
    try:
        await upload(invocation.client, dm, png, report, tr)
    except (SlackApiError, SlackRequestError, ClientError, OSError) as exc:
        log.warning("chart not shared in the DM of %s either: %s", invocation.user_id, exc)
        return Shared.FAILED
    return Shared.FELL_BACK


async def dm_channel(client: AsyncWebClient, user_id: str) -> str:
    """The caller's DM with the bot."""
    opened = await client.conversations_open(users=user_id)
    return str((opened.get("channel") or {})["id"])


async def upload(
    client: AsyncWebClient, channel: str, png: bytes, report: Report, tr: Translator
) -> None:
    """files.getUploadURLExternal → the bytes → files.completeUploadExternal, shared to
    ``channel`` with a line saying what it shows."""
    period = period_label(report.period, tr)
    await for_uploads(client).files_upload_v2(
        channel=channel,
        file=png,
        filename=FILENAME,
        title=tr("chart.title", period=period),
        alt_txt=clip(tr("chart.alt", period=period), 1000),
        initial_comment=tr(
            "metrics.chart.comment", period=period, scope=scope_label(report.scope, tr)
        ),
    )


def _error(exc: SlackApiError) -> object:
    return exc.response.get("error") if exc.response is not None else exc
