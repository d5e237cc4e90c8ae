"""Who may do what in the fake workspace: the scopes each token was granted, and which channels
exist and have the bot in them.

Slack answers a method the token's scopes do not cover with ``missing_scope`` (naming the scope
needed and the ones granted), reports the granted scopes on every reply in ``X-OAuth-Scopes``,
hides private channels the bot is not in (``channel_not_found``) and refuses public ones it is
not in unless the token has ``chat:write.public`` (``not_in_channel``).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.fakeslack.errors import SlackError
from bot.fakeslack.records import JSONDict

# What manifest.yaml asks for: every token has these unless a test grants others.
MANIFEST_SCOPES = frozenset(
    {
        "commands",
        "chat:write",
        "chat:write.public",
        "im:write",
        "users:read",
        "files:write",
        "im:history",
    }
)
# The scope each method needs (Slack's method reference); methods not listed need none.
METHOD_SCOPES = {
    "chat.postMessage": "chat:write",
    "chat.postEphemeral": "chat:write",
    "chat.update": "chat:write",
    "chat.delete": "chat:write",
    "chat.scheduleMessage": "chat:write",
    "chat.deleteScheduledMessage": "chat:write",
    "conversations.open": "im:write",
    "users.info": "users:read",
    "files.getUploadURLExternal": "files:write",
    "files.completeUploadExternal": "files:write",
}
# conversations.history needs the history scope of the conversation's kind.
HISTORY_SCOPES = {"D": "im:history", "C": "channels:history", "G": "groups:history"}
# Methods that post into a channel, and the parameter naming it.
POSTING = {
    "chat.postMessage": "channel",
    "chat.postEphemeral": "channel",
    "chat.scheduleMessage": "channel",
    "files.completeUploadExternal": "channel_id",
}


@dataclass
class Channel:
    """A channel of the fake workspace, as far as posting into it goes."""

    id: str
    name: str
    private: bool = False
    bot_member: bool = True
    archived: bool = False


class Access:
    """Granted scopes per token and the channels of the workspace."""

    def __init__(self, *, strict_channels: bool = False) -> None:
        """``strict_channels``: only channels added with :meth:`add_channel` exist (otherwise an
        unknown C… id is taken for a public channel the bot is in, as most tests want)."""
        self.strict_channels = strict_channels
        self.granted: dict[str, frozenset[str]] = {}
        self.channels: dict[str, Channel] = {}

    def scopes(self, token: str | None) -> frozenset[str]:
        """The scopes granted to ``token`` (the manifest's unless a test said otherwise)."""
        return self.granted.get(token or "", MANIFEST_SCOPES)

    def check(self, method: str, params: JSONDict, token: str | None) -> None:
        """Raise Slack's error when ``token`` may not call ``method`` with ``params``."""
        granted = self.scopes(token)
        needed = METHOD_SCOPES.get(method)
        if method == "conversations.history":
            needed = HISTORY_SCOPES.get(str(params.get("channel") or "")[:1], "im:history")
        if needed is not None and needed not in granted:
            raise SlackError(
                "missing_scope",
                f"{method}: the token lacks the {needed} scope (granted: {sorted(granted)})",
                extra={"needed": needed, "provided": ",".join(sorted(granted))},
            )
        key = POSTING.get(method)
        channel_id = str(params.get(key) or "") if key else ""
        if channel_id[:1] in ("C", "G"):
            self.check_channel(channel_id, granted)

    def check_channel(self, channel_id: str, granted: frozenset[str]) -> None:
        """Whether the bot may post into ``channel_id`` (errors without a violation: a wrong or
        uninvited channel is a deployment's state the app must cope with, not an app bug)."""
        channel = self.channels.get(channel_id)
        if channel is None:
            if self.strict_channels:
                raise SlackError("channel_not_found")
            return
        if channel.private and not channel.bot_member:
            raise SlackError("channel_not_found")  # Slack does not reveal private channels
        if channel.archived:
            raise SlackError("is_archived")
        if not channel.bot_member and "chat:write.public" not in granted:
            raise SlackError("not_in_channel")
