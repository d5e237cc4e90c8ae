"""The fake workspace's state and the Web API methods that read and change it.

Each method takes the merged request params and returns the reply body, or raises
:class:`SlackError`. Reply fields follow the Java SDK samples in tests/data/slack/samples/api.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.fakeslack.errors import SlackError
from bot.fakeslack.records import JSONDict, Message, Upload
from bot.fakeslack.surfaces import ViewStore, normalize_blocks
from bot.fakeslack.triggers import TriggerIds
from bot.fakeslack.validation import message_problems

Method = Callable[[JSONDict], JSONDict]
_TZ_LABELS = {"Asia/Shanghai": "China Standard Time", "America/Los_Angeles": "Pacific Time"}


@dataclass(frozen=True)
class Identity:
    """Who the fake workspace and the installed bot are."""

    team_id: str = "T1"
    team_name: str = "Acme"
    team_domain: str = "acme"
    bot_user_id: str = "UBOT"
    bot_id: str = "B1"
    app_id: str = "A1"


class Workspace:
    """Users, DM channels, messages, views and uploads of one fake Slack workspace."""

    def __init__(
        self,
        identity: Identity,
        *,
        base_url: Callable[[], str],
        triggers: TriggerIds,
        report: Callable[[str], None],
    ) -> None:
        """``report``: records a violation Slack would not refuse but its clients suffer from."""
        self.identity = identity
        self._base_url = base_url
        self.triggers = triggers
        self._report = report
        self.users: dict[str, JSONDict] = {}
        self.dm_channels: dict[str, str] = {}
        self.clear()

    def clear(self) -> None:
        """Forget messages, views and uploads (users and DM channels stay)."""
        self.messages: list[Message] = []
        self.scheduled: dict[str, JSONDict] = {}
        self.uploads: dict[str, Upload] = {}
        self.view_store = ViewStore(
            team_id=self.identity.team_id,
            app_id=self.identity.app_id,
            bot_id=self.identity.bot_id,
            triggers=self.triggers,
        )
        self._last_ts_number = 0

    @property
    def methods(self) -> dict[str, Method]:
        """Web API method name → implementation."""
        views = self.view_store
        return {
            "auth.test": self.auth_test,
            "chat.postMessage": self.post_message,
            "chat.postEphemeral": self.post_ephemeral,
            "chat.update": self.update_message,
            "chat.delete": self.delete_message,
            "chat.getPermalink": self.get_permalink,
            "chat.scheduleMessage": self.schedule_message,
            "chat.deleteScheduledMessage": self.delete_scheduled_message,
            "conversations.open": self.open_conversation,
            "conversations.history": self.history,
            "users.info": self.user_info,
            "views.open": lambda p: views.open(p, method="views.open"),
            "views.push": lambda p: views.open(p, method="views.push"),
            "views.update": views.update,
            "views.publish": views.publish,
            "files.getUploadURLExternal": self.get_upload_url,
            "files.completeUploadExternal": self.complete_upload,
        }

    # -- directory ---------------------------------------------------------------------------

    def dm_channel(self, user_id: str) -> str:
        """The stable DM channel between the bot and ``user_id`` ("U123" → "D123")."""
        return self.dm_channels.setdefault(user_id, "D" + user_id[1:])

    def resolve_channel(self, channel: str) -> str:
        """Slack posts to a user id in the bot's DM with that user."""
        return self.dm_channel(channel) if channel[:1] in ("U", "W") else channel

    def auth_test(self, params: JSONDict) -> JSONDict:
        """auth.test for the bot token."""
        me = self.identity
        return {
            "ok": True,
            "url": f"https://{me.team_domain}.slack.com/",
            "team": me.team_name,
            "user": "claimbot",
            "team_id": me.team_id,
            "user_id": me.bot_user_id,
            "bot_id": me.bot_id,
            "app_id": me.app_id,
            "is_enterprise_install": False,
        }

    def user_info(self, params: JSONDict) -> JSONDict:
        """users.info; ``locale`` only with include_locale, as Slack does."""
        user = self.users.get(_required(params, "user", "users.info", error="user_not_found"))
        if user is None:
            raise SlackError("user_not_found")
        user = copy.deepcopy(user)
        if not _truthy(params.get("include_locale")):
            user.pop("locale")
        return {"ok": True, "user": user}

    def open_conversation(self, params: JSONDict) -> JSONDict:
        """conversations.open for one user (a stable D… id) or several (a stable G… id)."""
        users = params.get("users")
        if isinstance(users, str):
            users = [u for u in users.split(",") if u]
        if not users:
            raise SlackError("users_list_not_supplied", "conversations.open: users is required")
        if len(users) == 1:
            already_open = users[0] in self.dm_channels
            channel = self.dm_channel(users[0])
        else:
            already_open, channel = False, "G" + "".join(sorted(u[1:] for u in users))
        reply: JSONDict = {"ok": True, "channel": {"id": channel}}
        if already_open:
            reply.update(no_op=True, already_open=True)
        return reply

    def history(self, params: JSONDict) -> JSONDict:
        """conversations.history: a conversation's messages, newest first. A channel ID only (a
        user ID is ``channel_not_found``, as in Slack); ephemeral and deleted messages are not
        there; ``metadata`` only with ``include_all_metadata``."""
        channel = _required(params, "channel", "conversations.history", error="channel_not_found")
        if channel[:1] == "D" and channel not in self.dm_channels.values():
            raise SlackError("channel_not_found")
        if channel[:1] not in ("C", "D", "G"):
            raise SlackError("channel_not_found", f"conversations.history: {channel!r}")
        limit_text = str(params.get("limit") or "100")
        if not limit_text.isdigit() or not 1 <= int(limit_text) <= 999:
            raise SlackError("invalid_limit", f"conversations.history: limit {limit_text!r}")
        found = [
            m
            for m in reversed(self.messages)
            if m.channel == channel and not m.deleted and not m.ephemeral and not m.thread_ts
        ]
        page = found[: int(limit_text)]
        messages = []
        for message in page:
            payload = self._payload(message)
            if not _truthy(params.get("include_all_metadata")):
                payload.pop("metadata", None)
            messages.append(payload)
        return {"ok": True, "messages": messages, "has_more": len(found) > len(page)}

    # -- messages ----------------------------------------------------------------------------

    def post_message(self, params: JSONDict) -> JSONDict:
        """chat.postMessage to a channel, DM or user id (stored under its D… channel)."""
        channel = self.resolve_channel(
            _required(params, "channel", "chat.postMessage", error="channel_not_found")
        )
        _check_content(params, "chat.postMessage")
        message = self._store(channel, params, thread_ts=params.get("thread_ts"))
        return {"ok": True, "channel": channel, "ts": message.ts, "message": self._payload(message)}

    def post_ephemeral(self, params: JSONDict) -> JSONDict:
        """chat.postEphemeral: only ``user`` sees it, and chat.update cannot change it."""
        channel = self.resolve_channel(
            _required(params, "channel", "chat.postEphemeral", error="channel_not_found")
        )
        user = _required(params, "user", "chat.postEphemeral")
        _check_content(params, "chat.postEphemeral")
        message = self._store(channel, params, thread_ts=params.get("thread_ts"), ephemeral=user)
        return {"ok": True, "message_ts": message.ts}

    def update_message(self, params: JSONDict) -> JSONDict:
        """chat.update; omitted blocks/attachments keep the old ones, as in Slack."""
        _refuse_user_id(params, "chat.update")
        message = self._find(params, "chat.update", ts_key="ts")
        if not any(k in params for k in ("text", "blocks", "attachments")):
            raise SlackError("no_text", "chat.update: nothing to update (no text/blocks)")
        merged = {**message.params, **{k: v for k, v in params.items() if k not in ("ts",)}}
        _check_content(merged, "chat.update")
        for block_id in stale_block_ids(message.params.get("blocks"), merged.get("blocks")):
            self._report(
                f"chat.update: block_id {block_id!r} kept for an actions/input block whose"
                " content changed; Slack clients may keep its old state (give it a new block_id)"
            )
        message.history.append(copy.deepcopy(message.params))
        message.params = merged
        message.text = merged.get("text") or ""
        message.blocks = normalize_blocks(
            merged.get("blocks") or [], f"{message.ts}:{len(message.history)}"
        )
        return {
            "ok": True,
            "channel": message.channel,
            "ts": message.ts,
            "text": message.text,
            "message": self._payload(message),
        }

    def schedule_message(self, params: JSONDict) -> JSONDict:
        """chat.scheduleMessage: ``post_at`` a Unix time in the next 120 days."""
        channel = self.resolve_channel(
            _required(params, "channel", "chat.scheduleMessage", error="channel_not_found")
        )
        post_at = _required(params, "post_at", "chat.scheduleMessage", error="invalid_time")
        if not post_at.isdigit():
            raise SlackError("invalid_time", f"chat.scheduleMessage: post_at {post_at!r}")
        now = time.time()
        if int(post_at) <= now:
            raise SlackError("time_in_past")
        if int(post_at) > now + 120 * 86400:
            raise SlackError("time_too_far")
        _check_content(params, "chat.scheduleMessage")
        scheduled_id = f"Q{len(self.scheduled) + 1:010d}"
        self.scheduled[scheduled_id] = {**params, "channel": channel}
        return {
            "ok": True,
            "channel": channel,
            "scheduled_message_id": scheduled_id,
            "post_at": int(post_at),
            "message": {
                "type": "message",
                "text": params.get("text") or "",
                "bot_id": self.identity.bot_id,
            },
        }

    def delete_scheduled_message(self, params: JSONDict) -> JSONDict:
        """chat.deleteScheduledMessage."""
        scheduled_id = _required(
            params, "scheduled_message_id", "chat.deleteScheduledMessage",
            error="invalid_scheduled_message_id",
        )  # fmt: skip
        found = self.scheduled.get(scheduled_id)
        if found is None or found["channel"] != self.resolve_channel(str(params.get("channel"))):
            raise SlackError("invalid_scheduled_message_id")
        del self.scheduled[scheduled_id]
        return {"ok": True}

    def delete_message(self, params: JSONDict) -> JSONDict:
        """chat.delete."""
        _refuse_user_id(params, "chat.delete")
        message = self._find(params, "chat.delete", ts_key="ts")
        message.deleted = True
        return {"ok": True, "channel": message.channel, "ts": message.ts}

    def get_permalink(self, params: JSONDict) -> JSONDict:
        """chat.getPermalink in Slack's archive-URL format."""
        message = self._find(params, "chat.getPermalink", ts_key="message_ts")
        link_ts = message.ts.replace(".", "")
        domain = self.identity.team_domain
        permalink = f"https://{domain}.slack.com/archives/{message.channel}/p{link_ts}"
        return {"ok": True, "channel": message.channel, "permalink": permalink}

    def _store(
        self, channel: str, params: JSONDict, *, thread_ts: Any, ephemeral: str | None = None
    ) -> Message:
        self._last_ts_number += 1
        n = self._last_ts_number
        ts = f"{1_700_000_000 + n // 10_000}.{n % 10_000 * 100:06d}"
        message = Message(
            channel=channel,
            ts=ts,
            text=params.get("text") or "",
            blocks=normalize_blocks(params.get("blocks") or [], ts),
            params=copy.deepcopy(params),
            thread_ts=thread_ts,
            ephemeral_user=ephemeral,
        )
        self.messages.append(message)
        return message

    def _find(self, params: JSONDict, method: str, *, ts_key: str) -> Message:
        channel = self.resolve_channel(
            _required(params, "channel", method, error="channel_not_found")
        )
        ts = _required(params, ts_key, method, error="message_not_found")
        for message in self.messages:
            # Ephemeral messages live only in the client; the Web API cannot find them.
            found = (message.channel, message.ts) == (channel, ts)
            if found and not message.deleted and not message.ephemeral:
                return message
        raise SlackError("message_not_found")

    def _payload(self, message: Message) -> JSONDict:
        me = self.identity
        return message.as_payload(
            bot_user_id=me.bot_user_id, bot_id=me.bot_id, app_id=me.app_id, team_id=me.team_id
        )

    # -- files -------------------------------------------------------------------------------

    def get_upload_url(self, params: JSONDict) -> JSONDict:
        """files.getUploadURLExternal: an upload URL on the fake itself."""
        filename = _required(params, "filename", "files.getUploadURLExternal")
        length = _required(params, "length", "files.getUploadURLExternal")
        file_id = f"F{len(self.uploads) + 1:08d}"
        self.uploads[file_id] = Upload(file_id=file_id, filename=filename, length=int(length))
        upload_url = f"{self._base_url()}/upload/v1/{file_id}"
        return {"ok": True, "upload_url": upload_url, "file_id": file_id}

    def complete_upload(self, params: JSONDict) -> JSONDict:
        """files.completeUploadExternal: shares uploaded files, optionally with a comment."""
        files = params.get("files")
        if not isinstance(files, list) or not files:
            raise SlackError("invalid_arguments", "files.completeUploadExternal: files needed")
        done = []
        for entry in files:
            upload = self.uploads.get(entry.get("id", ""))
            if upload is None or upload.data is None:
                raise SlackError(
                    "file_not_found", f"files.completeUploadExternal: {entry} was not uploaded"
                )
            upload.title = entry.get("title") or upload.filename
            upload.completed = True
            upload.channel_id = params.get("channel_id")
            upload.initial_comment = params.get("initial_comment")
            upload.thread_ts = params.get("thread_ts")
            done.append(self._file_object(upload))
        return {"ok": True, "files": done}

    def _file_object(self, upload: Upload) -> JSONDict:
        me = self.identity
        url = f"https://files.slack.com/files-pri/{me.team_id}-{upload.file_id}/{upload.filename}"
        permalink = f"https://{me.team_domain}.slack.com/files/{me.bot_user_id}/{upload.file_id}"
        return {
            "id": upload.file_id,
            "created": 1_700_000_000,
            "timestamp": 1_700_000_000,
            "name": upload.filename,
            "title": upload.title,
            "mimetype": "application/octet-stream",
            "filetype": upload.filename.rsplit(".", 1)[-1] if "." in upload.filename else "",
            "user": me.bot_user_id,
            "user_team": me.team_id,
            "size": len(upload.data or b""),
            "is_external": False,
            "is_public": False,
            "url_private": url,
            "url_private_download": url.replace("files-pri", "files-pri-download"),
            "permalink": permalink,
            "channels": [upload.channel_id] if upload.channel_id else [],
        }


def user_object(
    user_id: str,
    *,
    name: str,
    real_name: str,
    locale: str,
    tz: str,
    tz_offset: int,
    is_restricted: bool,
    team_id: str,
    email: str | None,
) -> JSONDict:
    """A users.info ``user`` (keys from the Java SDK sample; ``locale`` removed when not asked)."""
    profile = {
        "real_name": real_name,
        "real_name_normalized": real_name,
        "display_name": name,
        "display_name_normalized": name,
        "team": team_id,
    }
    if email is not None:
        profile["email"] = email
    return {
        "id": user_id,
        "team_id": team_id,
        "name": name,
        "deleted": False,
        "real_name": real_name,
        "tz": tz,
        "tz_label": _TZ_LABELS.get(tz, tz),
        "tz_offset": tz_offset,
        "profile": profile,
        "is_admin": False,
        "is_owner": False,
        "is_primary_owner": False,
        "is_restricted": is_restricted,
        "is_ultra_restricted": False,
        "is_bot": False,
        "is_app_user": False,
        "updated": 1_700_000_000,
        "locale": locale,
    }


# Blocks whose elements hold state in Slack's clients (a chosen option, typed text).
_STATEFUL_BLOCKS = frozenset({"actions", "input"})


def stale_block_ids(before: Any, after: Any) -> list[str]:
    """block_ids an update reuses for a stateful block whose content changed (house rule).

    Slack accepts this, but its clients match a message's blocks across versions by block_id
    and may keep the old block's selection or input, or leave a clicked button spinning; a
    changed block needs a new block_id. Block Kit reference, block_id: "block_id should be
    unique for each message and each iteration of a message. If a message is updated, use a new
    block_id." The fake flags only stateful blocks whose content changed: those are where a
    stale client state shows.
    """
    if not isinstance(before, list) or not isinstance(after, list):
        return []
    old = {
        b["block_id"]: _without_id(b)
        for b in before
        if isinstance(b, dict) and isinstance(b.get("block_id"), str)
    }
    return [
        b["block_id"]
        for b in after
        if isinstance(b, dict)
        and b.get("type") in _STATEFUL_BLOCKS
        and b.get("block_id") in old
        and old[b["block_id"]] != _without_id(b)
    ]


def _without_id(block: JSONDict) -> JSONDict:
    return {k: v for k, v in block.items() if k != "block_id"}


def _refuse_user_id(params: JSONDict, method: str) -> None:
    """chat.update and chat.delete need the conversation's ID: Slack's chat.update reference,
    "For direct messages, ensure that this value is a DM ID (starts with D) instead of a User ID
    (starts with either U or W)". A user ID answers channel_not_found; the app should have kept
    the channel chat.postMessage answered."""
    channel = str(params.get("channel") or "")
    if channel[:1] in ("U", "W"):
        raise SlackError(
            "channel_not_found",
            f"{method}: channel {channel!r} is a user ID; use the DM's D… ID from chat.postMessage",
        )


def _check_content(params: JSONDict, method: str) -> None:
    problems = message_problems(params)
    if problems:
        raise SlackError(problems[0].error, *(f"{method}: {p.message}" for p in problems))


def _required(params: JSONDict, key: str, method: str, *, error: str = "invalid_arguments") -> str:
    value = params.get(key)
    if value in (None, ""):
        raise SlackError(error, f"{method}: missing required argument {key!r}")
    return str(value)


def _truthy(value: Any) -> bool:
    return value in (True, 1, "1", "true", "True")
