"""``/claim``: split the text into a subcommand and its arguments, and route it.

Each flow module declares its subcommands with :func:`subcommand`; ``/claim help`` lists them in
the order given, so the help grows with the product and never names a command that isn't there.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.i18n import Translator
from bot.ids import SLASH_COMMAND
from bot.people import Profile
from bot.runtime import Runtime
from cards.blocks import clip, escape_mrkdwn
from cards.help import CommandLine, help_message
from handlers import context as ctx

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Invocation:
    """One ``/claim`` call, parsed, with what a subcommand needs to answer it."""

    rt: Runtime
    tr: Translator
    profile: Profile
    workspace_id: str
    user_id: str
    channel_id: str | None
    name: str
    args: str
    trigger_id: str | None
    body: dict[str, Any]
    ack: AsyncAck
    respond: AsyncRespond
    client: AsyncWebClient

    async def reply(self, text: str, blocks: list[Any] | None = None) -> None:
        """Answer ephemerally in the acknowledgement itself (the fastest reply Slack allows)."""
        await self.ack(response_type="ephemeral", text=text, blocks=blocks)


Handler = Callable[[Invocation], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Subcommand:
    """A registered ``/claim <name>``; ``name == ""`` is ``/claim`` with no text."""

    name: str
    handler: Handler
    usage_key: str
    about_key: str
    aliases: tuple[str, ...] = ()
    order: int = 100


_SUBCOMMANDS: dict[str, Subcommand] = {}


def subcommand(
    name: str, *, usage_key: str, about_key: str, aliases: tuple[str, ...] = (), order: int = 100
) -> Callable[[Handler], Handler]:
    """Declare ``handler`` as ``/claim name`` (and its aliases)."""

    def add(handler: Handler) -> Handler:
        entry = Subcommand(name, handler, usage_key, about_key, aliases, order)
        for word in (name, *aliases):
            if word in _SUBCOMMANDS:
                raise ValueError(f"/claim {word} is declared twice")
            _SUBCOMMANDS[word] = entry
        return handler

    return add


def listed() -> list[Subcommand]:
    """The subcommands to show in the help, in their order, each once."""
    unique = {id(s): s for s in _SUBCOMMANDS.values()}
    return sorted(unique.values(), key=lambda s: (s.order, s.name))


def split(text: str) -> tuple[str, str]:
    """``"new  ACME Ltd"`` → ``("new", "ACME Ltd")``; the subcommand is case-insensitive."""
    parts = text.strip().split(maxsplit=1)
    if not parts:
        return "", ""
    return parts[0].lower(), parts[1].strip() if len(parts) > 1 else ""


def unescape(text: str) -> str:
    """Slack sends typed text with ``&``, ``<`` and ``>`` as HTML entities (``AT&amp;T``); the
    markup it adds itself (``<@U123|name>``) has none, so only these three are turned back."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


async def on_claim(
    ack: AsyncAck,
    body: dict[str, Any],
    context: AsyncBoltContext,
    respond: AsyncRespond,
    client: AsyncWebClient,
) -> None:
    """Route ``/claim …`` to its subcommand, or answer with the help."""
    req = ctx.request(context)
    name, args = split(unescape(str(body.get("text") or "")))
    invocation = Invocation(
        rt=req.rt,
        tr=req.tr,
        profile=req.profile,
        workspace_id=req.workspace_id,
        user_id=req.user_id,
        channel_id=body.get("channel_id"),
        name=name,
        args=args,
        trigger_id=body.get("trigger_id"),
        body=body,
        ack=ack,
        respond=respond,
        client=client,
    )
    entry = _SUBCOMMANDS.get(name)
    if entry is None:
        await show_help(invocation, unknown=name or None)
        return
    await entry.handler(invocation)


async def show_help(invocation: Invocation, *, unknown: str | None = None) -> None:
    """The command list, in the caller's language."""
    tr = invocation.tr
    lines = [CommandLine(tr(s.usage_key), tr(s.about_key)) for s in listed() if s.name]
    mistyped = escape_mrkdwn(clip(unknown, 40)) if unknown else None
    text, blocks = help_message(tr, lines, unknown=mistyped)
    await invocation.reply(text, blocks)


@subcommand("help", usage_key="help.usage.help", about_key="help.about.help", order=999)
async def help_command(invocation: Invocation) -> None:
    """``/claim help``."""
    await show_help(invocation)


def register(app: AsyncApp) -> None:
    """Listen for the slash command."""
    app.command(SLASH_COMMAND)(on_claim)
