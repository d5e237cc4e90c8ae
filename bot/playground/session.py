"""What Slack's client would do for the people of the playground.

The bot talks to the fake Slack's Web API as it talks to Slack; this module plays the other half:
it sends the bot the signed requests a person's clicks and commands make in Slack, keeps each
person's modal stack, applies response_url posts (ephemeral replies, ``replace_original``), and
tells the page whenever anything changed.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.fakeslack.errors import SlackError
from bot.fakeslack.records import JSONDict, Message
from bot.fakeslack.server import FakeSlack
from bot.fakeslack.slackreq import SlackRequester, SlackResult
from bot.fakeslack.surfaces import normalize_blocks
from bot.fakeslack.validation import validate_ack_body
from bot.ids import SLASH_COMMAND, Shortcut


class PlaygroundError(Exception):
    """A request from the page that Slack's client would not let a person make."""


@dataclass(frozen=True)
class Origin:
    """Where a response_url's posts land: the person, the conversation, the message clicked."""

    user: str
    channel: str
    message_ts: str | None = None


@dataclass
class Feed:
    """Page subscribers, each woken (not flooded) when something changed."""

    version: int = 0
    _waiters: set[asyncio.Event] = field(default_factory=set)

    def bump(self) -> None:
        self.version += 1
        for waiter in self._waiters:
            waiter.set()

    def subscribe(self) -> asyncio.Event:
        waiter = asyncio.Event()
        self._waiters.add(waiter)
        return waiter

    def unsubscribe(self, waiter: asyncio.Event) -> None:
        self._waiters.discard(waiter)


class SlackClientStandIn:
    """Each person's Slack client: sends their requests, tracks their modals and replies."""

    def __init__(
        self, fake: FakeSlack, requester: SlackRequester, now: Callable[[], datetime]
    ) -> None:
        self.fake = fake
        self.requester = requester
        self.now = now
        self.feed = Feed()
        self.modals: dict[str, list[str]] = {}  # user -> view ids, the top last
        self.arrived: dict[str, tuple[int, datetime]] = {}  # message/file key -> (order, when)
        self._triggers: dict[str, str] = {}  # trigger_id -> user
        self._origins: dict[str, Origin] = {}  # response_url name -> origin
        self._calls_seen = 0
        self._responses_seen = 0
        self._order = itertools.count()
        fake.listeners.append(self._changed)

    # -- what the person does ---------------------------------------------------------------

    async def command(self, user: str, channel: str, text: str) -> None:
        """``/claim …`` typed into ``channel``."""
        words = text.strip()
        if not (words == SLASH_COMMAND or words.startswith(SLASH_COMMAND + " ")):
            raise PlaygroundError("not_a_command")
        rest = words[len(SLASH_COMMAND) :].strip()
        name = self._origin(Origin(user, channel))
        result = await self.requester.command(
            rest,
            user=user,
            channel=channel,
            response_url=self.fake.response_url(name, kind="commands"),
            trigger_id=self._trigger(user),
        )
        body = self._checked("/claim", result)
        if body is not None:
            # An ack with a body is shown to the person alone, like a response_url reply.
            reply = {"text": body} if isinstance(body, str) else dict(body)
            self._reply(Origin(user, channel), reply)
            self.feed.bump()

    async def shortcut(self, user: str) -> None:
        """The **New claim** global shortcut."""
        result = await self.requester.shortcut(
            Shortcut.NEW_CLAIM.value, user=user, trigger_id=self._trigger(user)
        )
        self._checked("shortcut", result)

    async def message_action(
        self, user: str, channel: str, ts: str, key: str, value: Any, state: Mapping[str, Any]
    ) -> None:
        """A click or selection on a message's element ``key`` ("block_id/action_id")."""
        message = self._message(user, channel, ts)
        block_id, action_id = _split(key)
        name = self._origin(Origin(user, channel, ts))
        result = await self.requester.block_action(
            action_id,
            block_id=block_id,
            user=user,
            value=value,
            message=message,
            channel=channel,
            state=state,
            trigger_id=self._trigger(user),
            response_url=self.fake.response_url(name, kind="actions"),
        )
        self._checked("block_actions", result)

    async def view_action(
        self, user: str, view_id: str, key: str, value: Any, state: Mapping[str, Any]
    ) -> None:
        """A click, selection or Enter on element ``key`` of a modal or the Home tab."""
        view = self._own_view(user, view_id)
        block_id, action_id = _split(key)
        result = await self.requester.block_action(
            action_id,
            block_id=block_id,
            user=user,
            value=value,
            view=view,
            state=state,
            trigger_id=self._trigger(user),
        )
        self._checked("block_actions", result)

    async def submit(self, user: str, view_id: str, state: Mapping[str, Any]) -> dict[str, str]:
        """Submit the modal on top; the errors to show on its fields (empty when accepted)."""
        view = self._own_view(user, view_id)
        result = await self.requester.view_submission(
            view, state, user=user, trigger_id=self._trigger(user)
        )
        body = self._checked("view_submission", result, view=view)
        stack = self.modals.setdefault(user, [])
        answer = body if isinstance(body, Mapping) else {}
        action = answer.get("response_action")
        try:
            if action == "errors":
                return {str(k): str(v) for k, v in dict(answer.get("errors") or {}).items()}
            if action == "update":
                self.fake.workspace.view_store.update({"view_id": view_id, "view": answer["view"]})
            elif action == "push":
                pushed = self.fake.workspace.view_store.open(
                    {"trigger_id": self._trigger(user), "view": answer["view"]},
                    method="response_action push",
                )
                stack.append(pushed["view"]["id"])
            elif action == "clear":
                stack.clear()
            elif view_id in stack:
                del stack[stack.index(view_id) :]
        except SlackError as e:
            self.fake.violations.extend(e.violations or [f"view_submission ack: {e.error}"])
        self.feed.bump()
        return {}

    async def close(self, user: str, view_id: str) -> None:
        """The person closed (cancelled) the modal on top."""
        view = self._own_view(user, view_id)
        stack = self.modals.setdefault(user, [])
        if view_id in stack:
            del stack[stack.index(view_id) :]
        self.feed.bump()
        if view.get("notify_on_close"):
            self._checked("view_closed", await self.requester.view_closed(view, user=user))

    async def open_home(self, user: str) -> None:
        """The person opened Claimbot's Home tab."""
        self._checked("app_home_opened", await self.requester.app_home_opened(user))

    # -- bookkeeping ------------------------------------------------------------------------

    def _trigger(self, user: str) -> str:
        trigger_id = self.fake.trigger_id()  # expires like Slack's, 3 s after the click
        self._triggers[trigger_id] = user
        return trigger_id

    def _origin(self, origin: Origin) -> str:
        name = f"pg{len(self._origins) + 1}"
        self._origins[name] = origin
        return name

    def _checked(
        self, what: str, result: SlackResult, *, view: Mapping[str, Any] | None = None
    ) -> Any:
        """The ack's body (parsed when JSON); Slack's objections to it become violations."""
        if result.status != 200:
            # Slack shows the person "dispatch_failed" and the developer nothing more.
            self.fake.violations.append(f"{what}: the app answered HTTP {result.status}")
            self.feed.bump()
            return None
        problems = validate_ack_body(result.text or None, submitted_view=view)
        if problems:
            self.fake.violations.extend(f"{what} ack: {p}" for p in problems)
            self.feed.bump()
        if not result.text:
            return None
        try:
            return json.loads(result.text)
        except ValueError:
            return result.text

    def _own_view(self, user: str, view_id: str) -> JSONDict:
        if view_id not in self.modals.get(user, []) and view_id != self._home_id(user):
            raise PlaygroundError("not_your_view")
        return self.fake.view(view_id)

    def _home_id(self, user: str) -> str | None:
        return self.fake.workspace.view_store.home_view_ids.get(user)

    def _message(self, user: str, channel: str, ts: str) -> Message:
        for message in self.fake.workspace.messages:
            here = (message.channel, message.ts) == (channel, ts) and not message.deleted
            if here and message.ephemeral_user in (None, user):
                return message
        raise PlaygroundError("message_not_found")

    def _changed(self) -> None:
        """The fake recorded something: follow modals, apply replies, wake the page."""
        calls = self.fake.calls
        while self._calls_seen < len(calls) and calls[self._calls_seen].finished:
            self._follow(
                calls[self._calls_seen].method,
                calls[self._calls_seen].params,
                calls[self._calls_seen].reply,
            )
            self._calls_seen += 1
        responses = self.fake.responses
        while self._responses_seen < len(responses) and responses[self._responses_seen].status:
            post = responses[self._responses_seen]
            origin = self._origins.get(post.name)
            if post.delivered and origin is not None:
                self._reply(origin, post.body)
            self._responses_seen += 1
        for message in self.fake.workspace.messages:
            self._arrive(f"{message.channel}/{message.ts}")
        for upload in self.fake.workspace.uploads.values():
            if upload.completed:
                self._arrive(f"file/{upload.file_id}")
        self.feed.bump()

    def _arrive(self, key: str) -> None:
        if key not in self.arrived:
            self.arrived[key] = (next(self._order), self.now())

    def _follow(self, method: str, params: JSONDict, reply: JSONDict | None) -> None:
        if not reply or not reply.get("ok") or method not in ("views.open", "views.push"):
            return
        user = self._triggers.get(str(params.get("trigger_id")))
        if user is None:
            return
        stack = self.modals.setdefault(user, [])
        if method == "views.open":
            stack.clear()
        stack.append(reply["view"]["id"])

    def _reply(self, origin: Origin, body: Mapping[str, Any]) -> None:
        """Apply one response_url post (or an ack body) as Slack's client shows it."""
        workspace = self.fake.workspace
        content = {k: copy.deepcopy(v) for k, v in body.items() if k in ("text", "blocks")}
        original = None
        if origin.message_ts is not None:
            original = next(
                (
                    m
                    for m in workspace.messages
                    if (m.channel, m.ts)
                    == (workspace.resolve_channel(origin.channel), origin.message_ts)
                    and not m.deleted
                ),
                None,
            )
        try:
            if original is not None and body.get("delete_original"):
                original.deleted = True
            elif original is not None and body.get("replace_original"):
                if original.ephemeral:
                    _replace(original, content)
                else:
                    workspace.update_message(
                        {"channel": original.channel, "ts": original.ts, **content}
                    )
            elif body.get("response_type") == "in_channel":
                workspace.post_message({"channel": origin.channel, **content})
            elif not body.get("delete_original"):
                workspace.post_ephemeral(
                    {"channel": origin.channel, "user": origin.user, **content}
                )
        except SlackError as e:
            self.fake.violations.extend(e.violations or [f"response_url: {e.error}"])
        for message in workspace.messages:
            self._arrive(f"{message.channel}/{message.ts}")


def _replace(message: Message, content: Mapping[str, Any]) -> None:
    """An ephemeral message replaced through its response_url (the Web API cannot reach it)."""
    message.history.append(copy.deepcopy(message.params))
    message.params = {
        **message.params,
        "text": content.get("text") or "",
        "blocks": content.get("blocks") or [],
    }
    message.text = message.params["text"]
    message.blocks = normalize_blocks(
        message.params["blocks"], f"{message.ts}:{len(message.history)}"
    )


def _split(key: str) -> tuple[str | None, str]:
    block_id, _, action_id = key.rpartition("/")
    return block_id or None, action_id
