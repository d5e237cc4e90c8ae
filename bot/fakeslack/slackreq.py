"""Signed, Slack-shaped requests to the real app over HTTP.

``SlackRequester`` posts to ``{app_url}/slack/events`` exactly as Slack does: form-encoded slash
commands, ``payload=<json>`` interactivity, JSON events, each signed with ``X-Slack-Signature:
v0=hex(HMAC-SHA256(secret, "v0:{timestamp}:{body}"))``. Payload shapes come from
``bot.fakeslack.payloads``; ``fill_view`` builds ``view.state.values`` for submissions.

    slack = SlackRequester(app_url, SIGNING_SECRET, fake=fake_slack)
    await slack.command("字节跳动", user="U1")
    await slack.view_submission(fake_slack.latest_view(), {"customer_name": "字节跳动"}, user="U1")
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import itertools
import json
import re
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict, Unpack
from urllib.parse import urlencode

import aiohttp
from multidict import CIMultiDict

from bot.fakeslack import payloads
from bot.fakeslack.payloads import Team
from bot.fakeslack.records import JSONDict, Message, ResponsePost
from bot.fakeslack.surfaces import normalize_blocks
from bot.fakeslack.viewstate import action_item, fill_view, find_element

if TYPE_CHECKING:
    from bot.fakeslack.server import FakeSlack

__all__ = ["Forgery", "SlackRequester", "SlackResult", "fill_view", "sign"]

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
_CHANNEL_KIND_NAMES = {"D": "directmessage", "G": "privategroup"}


class Forgery(TypedDict, total=False):
    """Ways to send a request Slack would not: a stale timestamp, a wrong signature, headers."""

    timestamp: int | str
    signature: str
    sign_with: str
    headers: Mapping[str, str]


@dataclass(frozen=True)
class SlackResult:
    """The app's HTTP answer, plus what was sent."""

    status: int
    headers: CIMultiDict[str]
    text: str
    sent: Any = field(default=None, repr=False)

    def json(self) -> Any:
        """The answer body parsed as JSON (raises if it is not JSON)."""
        return json.loads(self.text)


def sign(signing_secret: str, timestamp: int | str, body: bytes) -> str:
    """Slack's request signature: ``v0=`` + hex HMAC-SHA256 of ``v0:{timestamp}:{body}``."""
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


def slack_json(value: Any) -> str:
    """JSON as Slack writes it: compact, with escaped slashes ("https:\\/\\/...")."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("/", "\\/")


class SlackRequester:
    """Sends signed Slack requests to the app under test."""

    def __init__(
        self,
        app_url: str,
        signing_secret: str,
        *,
        team_id: str = "T1",
        team_domain: str = "acme",
        api_app_id: str = "A1",
        enterprise_id: str | None = None,
        fake: FakeSlack | None = None,
        channel_names: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.time,
        timeout: float = 10.0,
        path: str = "/slack/events",
    ) -> None:
        """``fake`` supplies response_urls, user names, DM channels and home views."""
        self.url = app_url.rstrip("/") + path
        self.signing_secret = signing_secret
        identity = fake.identity if fake else None
        self.team = Team(
            team_id=team_id,
            team_domain=team_domain,
            api_app_id=api_app_id,
            bot_user_id=identity.bot_user_id if identity else "UBOT",
            bot_id=identity.bot_id if identity else "B1",
            enterprise_id=enterprise_id,
            enterprise_name="Acme Grid" if enterprise_id else None,
        )
        self.fake = fake
        self.channel_names = dict(channel_names or {})
        self.clock = clock
        self.timeout = timeout
        self._counter = itertools.count(1)

    # -- slash commands and shortcuts --------------------------------------------------------

    async def command(
        self,
        text: str,
        *,
        user: str,
        command: str = "/claim",
        channel: str = "C1",
        response_url: str | None = None,
        trigger_id: str | None = None,
        **forge: Unpack[Forgery],
    ) -> SlackResult:
        """A slash command, form-encoded like Slack's."""
        fields = payloads.slash_command(
            self.team,
            command=command,
            text=escape_typed(text),
            user_id=user,
            user_name=self._user_name(user),
            channel_id=channel,
            channel_name=self._channel_name(channel),
            response_url=response_url or self._response_url(f"{command} {text}", "commands"),
            trigger_id=trigger_id or self._trigger_id(),
        )
        return await self._send(urlencode(fields).encode(), FORM, fields, **forge)

    async def shortcut(
        self,
        callback_id: str,
        *,
        user: str,
        trigger_id: str | None = None,
        **forge: Unpack[Forgery],
    ) -> SlackResult:
        """A global shortcut."""
        payload = payloads.global_shortcut(
            self.team,
            callback_id=callback_id,
            user_id=user,
            user_name=self._user_name(user),
            trigger_id=trigger_id or self._trigger_id(),
            action_ts=self._action_ts(),
        )
        return await self.interactive(payload, **forge)

    async def message_shortcut(
        self,
        callback_id: str,
        *,
        user: str,
        message: Message | Mapping[str, Any],
        channel: str | None = None,
        **forge: Unpack[Forgery],
    ) -> SlackResult:
        """A message shortcut on ``message`` (a recorded Message, or a dict with "ts")."""
        channel_id, message_obj, _ = self._message_context(message, channel)
        payload = payloads.message_shortcut(
            self.team,
            callback_id=callback_id,
            user_id=user,
            user_name=self._user_name(user),
            channel=(channel_id, self._channel_name(channel_id)),
            message=message_obj,
            trigger_id=self._trigger_id(),
            response_url=self._response_url(f"shortcut {callback_id}", "actions"),
            action_ts=self._action_ts(),
        )
        return await self.interactive(payload, **forge)

    # -- interactivity -----------------------------------------------------------------------

    async def block_action(
        self,
        action_id: str,
        *,
        user: str,
        value: object = None,
        block_id: str | None = None,
        view: Mapping[str, Any] | None = None,
        message: Message | ResponsePost | Mapping[str, Any] | None = None,
        channel: str | None = None,
        state: Mapping[str, object] | None = None,
        trigger_id: str | None = None,
        response_url: str | None = None,
        **forge: Unpack[Forgery],
    ) -> SlackResult:
        """A click or selection on element ``action_id`` of ``view`` or ``message``.

        The action is built from the element as rendered, so an action_id the app never sent
        raises. ``value`` selects for selects/pickers (option value, user id, date, ...);
        ``state`` answers other inputs of the surface, like :func:`fill_view`.
        """
        if (view is None) == (message is None):
            raise TypeError("pass exactly one of view= (modal/App Home) or message=")
        trigger_id = trigger_id or self._trigger_id()
        if view is not None:
            full = payloads.complete_view(self.team, view)
            found_block_id, element = find_element(full["blocks"], action_id, block_id)
            full["state"] = {"values": fill_view(full, state or {})}
            payload = payloads.block_actions(
                self.team,
                user_id=user,
                user_name=self._user_name(user),
                actions=[action_item(element, found_block_id, value, self._action_ts())],
                trigger_id=trigger_id,
                container={"type": "view", "view_id": full["id"]},
                view=full,
            )
            return await self.interactive(payload, **forge)
        assert message is not None
        channel_id, message_obj, ephemeral = self._message_context(message, channel)
        found_block_id, element = find_element(message_obj.get("blocks") or [], action_id, block_id)
        container = {
            "type": "message",
            "message_ts": message_obj["ts"],
            "channel_id": channel_id,
            "is_ephemeral": ephemeral,
        }
        payload = payloads.block_actions(
            self.team,
            user_id=user,
            user_name=self._user_name(user),
            actions=[action_item(element, found_block_id, value, self._action_ts())],
            trigger_id=trigger_id,
            container=container,
            message=None if ephemeral else message_obj,
            channel=(channel_id, self._channel_name(channel_id)),
            state_values=fill_view(message_obj, state or {}),
            response_url=response_url or self._response_url(f"action {action_id}", "actions"),
        )
        return await self.interactive(payload, **forge)

    async def view_submission(
        self,
        view: Mapping[str, Any],
        answers: Mapping[str, object] | None = None,
        *,
        user: str,
        state_values: Mapping[str, Any] | None = None,
        trigger_id: str | None = None,
        **forge: Unpack[Forgery],
    ) -> SlackResult:
        """Submit ``view`` (as the fake recorded it) with ``answers`` keyed by action_id."""
        full = payloads.complete_view(self.team, view)
        values = dict(state_values) if state_values is not None else fill_view(full, answers or {})
        full["state"] = {"values": values}
        payload = payloads.view_submission(
            self.team,
            user_id=user,
            user_name=self._user_name(user),
            view=full,
            trigger_id=trigger_id or self._trigger_id(),
        )
        return await self.interactive(payload, **forge)

    async def view_closed(
        self,
        view: Mapping[str, Any],
        *,
        user: str,
        is_cleared: bool = False,
        **forge: Unpack[Forgery],
    ) -> SlackResult:
        """The user closed ``view`` (Slack sends this only when notify_on_close is set)."""
        payload = payloads.view_closed(
            self.team,
            user_id=user,
            user_name=self._user_name(user),
            view=payloads.complete_view(self.team, view),
            is_cleared=is_cleared,
        )
        return await self.interactive(payload, **forge)

    async def interactive(
        self, payload: Mapping[str, Any], **forge: Unpack[Forgery]
    ) -> SlackResult:
        """Post any interactivity payload as Slack does: form field ``payload=<json>``."""
        body = urlencode({"payload": slack_json(payload)}).encode()
        return await self._send(body, FORM, payload, **forge)

    # -- events ------------------------------------------------------------------------------

    async def event(
        self,
        event: Mapping[str, Any],
        *,
        event_id: str | None = None,
        event_time: int | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
        **forge: Unpack[Forgery],
    ) -> SlackResult:
        """An Events API ``event_callback``; ``retry_num`` adds Slack's retry headers."""
        envelope = payloads.event_callback(
            self.team,
            event={"event_ts": self._action_ts(), **event},  # every Slack event carries one
            event_id=event_id or f"Ev{secrets.token_hex(5).upper()}",
            event_time=event_time if event_time is not None else int(self.clock()),
        )
        if retry_num is not None:
            retry_headers = {
                "X-Slack-Retry-Num": str(retry_num),
                "X-Slack-Retry-Reason": retry_reason,
            }
            forge["headers"] = {**retry_headers, **forge.get("headers", {})}
        return await self._send(slack_json(envelope).encode(), JSON, envelope, **forge)

    async def app_home_opened(
        self, user: str, *, tab: str = "home", **forge: Unpack[Forgery]
    ) -> SlackResult:
        """``app_home_opened``, with the user's published home view when there is one."""
        event: JSONDict = {
            "type": "app_home_opened",
            "user": user,
            "channel": self.fake.dm_channel(user) if self.fake else "D" + user[1:],
            "tab": tab,
            "event_ts": self._action_ts(),
        }
        home = self.fake.home_view(user) if self.fake else None
        if home is not None:
            event["view"] = home
        return await self.event(event, **forge)

    async def url_verification(self, challenge: str, **forge: Unpack[Forgery]) -> SlackResult:
        """The url_verification handshake."""
        body = payloads.url_verification(self.team, challenge)
        return await self._send(slack_json(body).encode(), JSON, body, **forge)

    # -- raw ---------------------------------------------------------------------------------

    async def post(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | str | None = None,
        signature: str | None = None,
        sign_with: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> SlackResult:
        """Post raw bytes, signed unless ``signature`` overrides it."""
        timestamp = timestamp if timestamp is not None else int(self.clock())
        if signature is None:
            signature = sign(sign_with or self.signing_secret, timestamp, body)
        all_headers = {
            "Content-Type": content_type,
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
            "X-Slack-Request-Timestamp": str(timestamp),
            "X-Slack-Signature": signature,
            **(headers or {}),
        }
        # A session per request: nothing for tests to close, nothing left to leak.
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.post(self.url, data=body, headers=all_headers, allow_redirects=False) as resp,
        ):
            return SlackResult(resp.status, CIMultiDict(resp.headers), await resp.text())

    async def _send(
        self, body: bytes, content_type: str, sent: Any, **forge: Unpack[Forgery]
    ) -> SlackResult:
        return dataclasses.replace(await self.post(body, content_type, **forge), sent=sent)

    # -- context -----------------------------------------------------------------------------

    def _message_context(
        self, message: Message | ResponsePost | Mapping[str, Any], channel: str | None
    ) -> tuple[str, JSONDict, bool]:
        """(channel id, message object as Slack sends it, is_ephemeral)."""
        if isinstance(message, Message):
            obj = message.as_payload(
                bot_user_id=self.team.bot_user_id,
                bot_id=self.team.bot_id,
                app_id=self.team.api_app_id,
                team_id=self.team.team_id,
            )
            return channel or message.channel, obj, message.ephemeral
        if channel is None:
            raise TypeError("pass channel= with a message that is not a recorded Message")
        if isinstance(message, ResponsePost):
            ephemeral = message.body.get("response_type") != "in_channel"
            obj = {"type": "message", "text": message.text or "", "blocks": message.blocks}
        else:
            ephemeral, obj = False, dict(message)
        obj.setdefault("ts", self._action_ts())
        obj["blocks"] = normalize_blocks(obj.get("blocks") or [], obj["ts"])
        return channel, obj, ephemeral

    def _user_name(self, user_id: str) -> str:
        return self.fake.user_name(user_id) if self.fake else user_id.lower()

    def _channel_name(self, channel_id: str) -> str:
        if channel_id in self.channel_names:
            return self.channel_names[channel_id]
        return _CHANNEL_KIND_NAMES.get(channel_id[:1], f"channel-{channel_id.lower()}")

    def _response_url(self, name: str, kind: str) -> str:
        if self.fake is not None:
            return self.fake.response_url(name, kind=kind)
        # Without a fake, a URL nothing listens on: respond() fails fast instead of reaching
        # the real Slack.
        return f"http://127.0.0.1:9/{kind}/{self.team.team_id}/{next(self._counter)}/x"

    def _trigger_id(self) -> str:
        if self.fake is not None:
            return self.fake.trigger_id()  # the fake then knows when it expires
        return f"{int(self.clock() * 1000)}.{next(self._counter)}.{secrets.token_hex(16)}"

    def _action_ts(self) -> str:
        return f"{self.clock():.6f}"


# Markup Slack itself puts into message text: mentions, channel links, special mentions, URLs.
_SLACK_MARKUP = re.compile(r"<(?:[@#!][^<>]*|https?://[^<>]*|mailto:[^<>]*)>")


def escape_typed(text: str) -> str:
    """Text as Slack sends what a person typed: ``&``, ``<`` and ``>`` escaped as HTML entities,
    the markup Slack adds itself (``<@U123|name>``, ``<#C1|general>``, ``<!here>``) left as is."""

    def escape(part: str) -> str:
        return part.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    out, last = [], 0
    for found in _SLACK_MARKUP.finditer(text):
        out += [escape(text[last : found.start()]), found.group()]
        last = found.end()
    return "".join([*out, escape(text[last:])])
