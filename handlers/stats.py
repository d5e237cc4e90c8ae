"""``/claim stats [week|month|quarter] [here]``: the caller's numbers, ephemerally, and a chart.
``/claim stats funnel [period]``: the stage funnel, sales cycle, value, win rate per channel and
rep ranking; ``/claim stats by region|channel|<profile select field> [period]``: one line per
option (see :mod:`bot.metrics.analytics`). Both answer ephemerally, without a chart.

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
from bot.metrics.analytics import ByProfile, Grouping
from bot.metrics.periods import Period, parse_period
from bot.metrics.service import Report
from bot.rules import Rules
from bot.slack_client import for_uploads
from cards.analytics import funnel_message, grouped_message
from cards.blocks import clip, escape_mrkdwn
from cards.metrics import period_label, scope_label, stats_message
from handlers.claim_command import Invocation, subcommand

log = logging.getLogger(__name__)

HERE = "here"
FUNNEL = "funnel"
BY = "by"


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


def _period(words: list[str]) -> Period | None:
    if len(words) > 1:
        return None
    return parse_period(words[0]) if words else Period.MONTH


def grouping(word: str, rules: Rules) -> Grouping | ByProfile | None:
    """What ``/claim stats by WORD`` counts by: region, channel, or a profile select field."""
    if word == "region":
        return "region"
    if word == "channel":
        return "channel"
    field = rules.form.profile_field(word)
    return ByProfile(field.key) if field is not None and field.type == "select" else None


def groupings(rules: Rules) -> list[str]:
    """Every word ``/claim stats by`` takes."""
    return ["region", "channel", *(f.key for f in rules.form.profile if f.type == "select")]


@subcommand("stats", usage_key="help.usage.stats", about_key="help.about.stats", order=40)
async def claim_stats(invocation: Invocation) -> None:
    """The numbers of the caller's scope for the period, then the chart; or the analytics."""
    words = invocation.args.lower().split()
    if words[:1] == [FUNNEL]:
        await funnel_stats(invocation, words[1:])
        return
    if words[:1] == [BY]:
        await grouped_stats(invocation, words[1:])
        return
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


async def funnel_stats(invocation: Invocation, words: list[str]) -> None:
    """``/claim stats funnel [period]``."""
    period = _period(words)
    if period is None:
        await _usage(invocation)
        return
    await invocation.ack()
    rt = invocation.rt
    scope = await rt.metrics.scope_for(invocation.workspace_id, invocation.user_id)
    found = await rt.analytics.analytics(invocation.workspace_id, scope, period)
    text, blocks = funnel_message(found, rt.rules, invocation.tr)
    await invocation.respond(text=text, blocks=blocks, response_type="ephemeral")


async def grouped_stats(invocation: Invocation, words: list[str]) -> None:
    """``/claim stats by FIELD [period]``."""
    rt, tr = invocation.rt, invocation.tr
    by = grouping(words[0], rt.rules) if words else None
    period = _period(words[1:])
    if by is None or period is None:
        fields = ", ".join(f"`{w}`" for w in groupings(rt.rules))
        await invocation.reply(tr("analytics.by.usage", fields=fields))
        return
    await invocation.ack()
    scope = await rt.metrics.scope_for(invocation.workspace_id, invocation.user_id)
    window, rows = await rt.analytics.grouped(invocation.workspace_id, scope, period, by)
    if isinstance(by, ByProfile):
        field = rt.rules.form.profile_field(by.key)
        assert field is not None, "grouping() found it"
        label, options = field.label(tr.lang), field.options
    else:
        label = tr(f"analytics.by.{by}")
        options = rt.rules.form.regions if by == "region" else rt.rules.form.source_channels
    text, blocks = grouped_message(scope, period, window, rows, label=label, options=options, tr=tr)
    await invocation.respond(text=text, blocks=blocks, response_type="ephemeral")


async def _usage(invocation: Invocation) -> None:
    tr = invocation.tr
    await invocation.reply(tr("metrics.stats.usage", text=escape_mrkdwn(clip(invocation.args, 60))))


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
