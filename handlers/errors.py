"""The last line of defence: a failure becomes a short apology in the user's language for
them and a full trace in the log, never a stack trace in Slack."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from handlers import context as ctx
from store.db import DatabaseCannotWrite, DatabaseUnavailable

log = logging.getLogger("claimbot.errors")


def register(app: AsyncApp) -> None:
    """Install the global error handler."""
    app.error(on_error)


async def on_error(
    error: Exception,
    body: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    response: BoltResponse | None,
) -> BoltResponse | None:
    """Log the failure; tell the user in the quickest way the request allows."""
    req = ctx.request(context)
    if _modal_may_have_opened(error):
        # Slack may well have opened the modal after our client gave up waiting (a trigger_id
        # cannot be checked or reused): an apology now would contradict what the user sees.
        log.warning("views.open timed out for %s; the modal may have opened", _describe(body))
        return None
    if _form_window_closed(error):
        # Slack's 3 seconds for views.open ran out (a slow network or a busy bot); nothing went
        # wrong that a second click would not mend, so say exactly that.
        log.warning("views.open too late for %s: trigger_id expired", _describe(body))
        key = "error.form_too_late"
    elif isinstance(error, DatabaseCannotWrite):
        # The operator's instructions were logged where the failure was seen (store.db).
        key = "error.database_cannot_save"
    elif isinstance(error, DatabaseUnavailable):
        log.warning("database unavailable while handling %s: %s", body.get("type"), error)
        key = "error.database_unavailable"
    else:
        log.error("failed to handle %s", _describe(body), exc_info=error)
        key = "error.apology"
    if ctx.RUNTIME not in context:
        return None  # failed before our middleware: nothing we can say in the user's language
    apology = req.tr(key)

    acked = context.ack is not None and getattr(context.ack, "response", None) is not None
    if not acked:
        # Still inside Slack's 3 seconds: the HTTP answer itself carries the apology.
        if body.get("type") == "view_submission":
            block_id = ctx.first_input_block_id(body.get("view"))
            if block_id:
                return BoltResponse(
                    status=200,
                    body={"response_action": "errors", "errors": {block_id: apology[:150]}},
                )
        elif body.get("command"):
            return BoltResponse(status=200, body={"response_type": "ephemeral", "text": apology})

    await _tell_later(body, context, client, apology)
    return None


async def _tell_later(
    body: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient, apology: str
) -> None:
    try:
        if context.respond is not None and body.get("response_url"):
            await context.respond(text=apology, response_type="ephemeral", replace_original=False)
        elif context.user_id and context.channel_id:
            await client.chat_postEphemeral(
                channel=context.channel_id, user=context.user_id, text=apology
            )
        elif context.user_id:
            await client.chat_postMessage(channel=context.user_id, text=apology)
    except (SlackApiError, OSError) as exc:
        log.warning("could not deliver the apology: %s", exc)


def _modal_may_have_opened(error: BaseException) -> bool:
    """A client-side timeout (a stall, not an answer from Slack) inside ``views_open``/_push."""
    if not isinstance(error, (TimeoutError, aiohttp.ServerTimeoutError)):
        return False
    trace = error.__traceback__
    while trace is not None:
        if trace.tb_frame.f_code.co_name in ("views_open", "views_push"):
            return True
        trace = trace.tb_next
    return False


def _form_window_closed(error: BaseException) -> bool:
    """Slack refused views.open/views.push because the click's trigger_id had expired."""
    return (
        isinstance(error, SlackApiError)
        and error.response is not None
        and error.response.get("error") == "expired_trigger_id"
    )


def _describe(body: dict[str, Any]) -> str:
    kind = body.get("type") or ("command " + str(body.get("command")))
    detail = body.get("view", {}).get("callback_id") if isinstance(body.get("view"), dict) else None
    return f"{kind} {detail}" if detail else str(kind)
