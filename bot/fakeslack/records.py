"""What the fake Slack remembers: calls received, messages stored, response_url posts, uploads."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

JSONDict = dict[str, Any]


@dataclass
class Call:
    """One request to a Web API method, including attempts a fault was injected into.

    ``params`` merges query string, form and JSON body, with JSON-in-a-string fields (blocks,
    view, attachments, files, metadata) decoded. ``fault`` names the injected fault ("429",
    "500", "error:<code>", "reset", "stall"); ``delivered`` is True once Slack "did" the call
    (answered ok and changed its state), which a stalled call still does after its delay.
    """

    method: str
    params: JSONDict
    token: str | None
    received_at: float
    http_method: str = "POST"
    fault: str | None = None
    reply: JSONDict | None = None
    status: int | None = None
    delivered: bool = False
    finished: bool = False  # handled completely, whatever the outcome (also after a reset)

    @property
    def answered(self) -> bool:
        """Whether the fake sent an HTTP answer (a reset call never gets one)."""
        return self.status is not None

    @property
    def error(self) -> str | None:
        """The Slack error code answered, if any."""
        return None if self.reply is None else self.reply.get("error")


@dataclass
class Message:
    """A message the app posted, as Slack stores it (latest version after chat.update)."""

    channel: str
    ts: str
    text: str
    blocks: list[JSONDict]
    params: JSONDict
    thread_ts: str | None = None
    ephemeral_user: str | None = None
    deleted: bool = False
    history: list[JSONDict] = field(default_factory=list)

    @property
    def ephemeral(self) -> bool:
        """Whether this was a chat.postEphemeral message (only ``ephemeral_user`` sees it)."""
        return self.ephemeral_user is not None

    def as_payload(self, *, bot_user_id: str, bot_id: str, app_id: str, team_id: str) -> JSONDict:
        """The message object Slack puts in API replies and block_actions payloads."""
        message: JSONDict = {
            "user": bot_user_id,
            "type": "message",
            "ts": self.ts,
            "bot_id": bot_id,
            "app_id": app_id,
            "text": self.text,
            "team": team_id,
        }
        if self.blocks:
            message["blocks"] = copy.deepcopy(self.blocks)
        for key in ("attachments", "metadata"):
            if self.params.get(key):
                message[key] = copy.deepcopy(self.params[key])
        if self.thread_ts:
            message["thread_ts"] = self.thread_ts
        return message


@dataclass
class ResponsePost:
    """One JSON post to a response_url (what bolt's ``respond()`` sends)."""

    name: str
    url: str
    body: JSONDict
    received_at: float
    fault: str | None = None
    status: int | None = None  # None until answered (and forever after a reset)

    @property
    def delivered(self) -> bool:
        """Whether Slack accepted the post (HTTP 200)."""
        return self.status == 200

    @property
    def text(self) -> str | None:
        """The fallback text of the response, if any."""
        return self.body.get("text")

    @property
    def blocks(self) -> list[JSONDict]:
        """The blocks of the response (empty when none)."""
        return list(self.body.get("blocks") or [])


@dataclass
class Upload:
    """A file upload through files.getUploadURLExternal / upload URL / completeUploadExternal."""

    file_id: str
    filename: str
    length: int
    data: bytes | None = None
    title: str | None = None
    completed: bool = False
    channel_id: str | None = None
    initial_comment: str | None = None
    thread_ts: str | None = None
