"""The ``/claim help`` reply."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from slack_sdk.models.blocks import Block

from bot.i18n import Translator
from cards.blocks import context, header, section


@dataclass(frozen=True, slots=True)
class CommandLine:
    """One row of the help: how to type it and what it does (already translated)."""

    usage: str
    about: str


def help_message(
    tr: Translator, commands: Sequence[CommandLine], *, unknown: str | None = None
) -> tuple[str, list[Block]]:
    """Fallback text and blocks listing the commands; ``unknown`` names a mistyped subcommand."""
    intro = tr("help.unknown", command=unknown) if unknown else tr("help.intro")
    lines = "\n".join(f"`{c.usage}` — {c.about}" for c in commands)
    blocks: list[Block] = [
        header(tr("help.title")),
        section(intro),
        section(lines),
        context(tr("help.footer")),
    ]
    return f"{intro}\n{lines}", blocks
