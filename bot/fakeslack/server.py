"""FakeSlack: an aiohttp server on 127.0.0.1 that answers the Web API like Slack, strictly.

Everything the app sends is recorded (``calls``, ``responses``, ``uploads``); anything Slack
would refuse is answered with Slack's error *and* appended to ``violations``, so a test fails
even when the app swallows the error. Tests wait with :meth:`FakeSlack.wait_for`, which wakes
on an ``asyncio.Condition`` as soon as the fake has answered, never by polling.
"""

from __future__ import annotations

import asyncio
import copy
import json
import time
from collections.abc import Callable, Collection
from typing import Self

from aiohttp import web

from bot.fakeslack.access import Access, Channel
from bot.fakeslack.errors import SlackError
from bot.fakeslack.faults import Fault, FaultQueue
from bot.fakeslack.ratelimit import PACED_METHODS, PostRateLimit
from bot.fakeslack.records import Call, JSONDict, Message, ResponsePost, Upload
from bot.fakeslack.requests import read_params, read_upload, token_of
from bot.fakeslack.responses import MAX_USES, ResponseUrls, response_problems
from bot.fakeslack.socket_mode import SocketModeEndpoint
from bot.fakeslack.triggers import TriggerIds
from bot.fakeslack.workspace import Identity, Workspace, user_object

RESPONSE_URL = "response_url"  # pseudo-method names for inject()
UPLOAD = "upload"


class FakeSlack:
    """A fake Slack Web API plus response_url and file-upload endpoints, for one test."""

    def __init__(
        self,
        *,
        identity: Identity | None = None,
        tokens: Collection[str] | None = None,
        strict_channels: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``tokens``: accepted tokens (default: any non-empty one); ``strict_channels``: only
        channels added with :meth:`add_channel` exist; ``clock``: what trigger_id and
        response_url expiry read (a :class:`~bot.fakeslack.clock.ManualClock` in tests)."""
        self.identity = identity or Identity()
        self.tokens = None if tokens is None else frozenset(tokens)
        self.access = Access(strict_channels=strict_channels)
        self.clock = clock
        self.triggers = TriggerIds(clock)
        self.workspace = Workspace(
            self.identity,
            base_url=lambda: self.base_url,
            triggers=self.triggers,
            report=lambda violation: self.violations.append(violation),
        )
        self.calls: list[Call] = []
        self.responses: list[ResponsePost] = []
        self.violations: list[str] = []
        self.socket_mode = SocketModeEndpoint()
        # OAuth installs into other workspaces: code -> installation; bot token -> installation.
        self.installations: dict[str, dict[str, str]] = {}
        self.token_teams: dict[str, dict[str, str]] = {}
        self._stopping = asyncio.Event()
        self._faults = FaultQueue(self._stopping)
        self._response_urls = ResponseUrls(self.identity.team_id, clock)
        # Slack's per-channel pace for posts; None (the default) lets every post through.
        self.post_rate_limit: PostRateLimit | None = None
        self._changed = asyncio.Condition()
        # Called (synchronously) whenever the fake records something: the playground's page feed.
        self.listeners: list[Callable[[], None]] = []
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> Self:
        """Listen on an ephemeral port of 127.0.0.1."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/socket-mode", self.socket_mode.handle)
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_route("*", "/upload/v1/{file_id}", self._upload)
        app.router.add_post("/{kind:commands|actions}/{team}/{n}/{secret}", self._respond)
        app.router.add_route("*", "/{tail:.*}", self._unknown_path)
        # A short shutdown_timeout: stalled handlers are woken by _stopping anyway.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        """Close the server (stalled requests are dropped)."""
        self._stopping.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        if self._port is None:
            raise RuntimeError("FakeSlack is not started")
        return f"http://127.0.0.1:{self._port}"

    @property
    def api_url(self) -> str:
        """Base URL for ``AsyncWebClient(base_url=...)`` (with the trailing slash it needs)."""
        return f"{self.base_url}/api/"

    # -- workspace ---------------------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        *,
        name: str,
        locale: str = "en-US",
        tz: str = "Asia/Shanghai",
        tz_offset: int = 28800,
        is_restricted: bool = False,
        team_id: str = "T1",
        real_name: str | None = None,
        email: str | None = None,
    ) -> JSONDict:
        """Register a user for users.info; returns the ``user`` object Slack would answer."""
        user = user_object(
            user_id,
            name=name,
            real_name=real_name or name,
            locale=locale,
            tz=tz,
            tz_offset=tz_offset,
            is_restricted=is_restricted,
            team_id=team_id,
            email=email,
        )
        self.workspace.users[user_id] = user
        return copy.deepcopy(user)

    def grant(self, token: str, scopes: Collection[str]) -> None:
        """Give ``token`` exactly these scopes (every token has the manifest's by default)."""
        self.access.granted[token] = frozenset(scopes)

    def add_channel(
        self,
        channel_id: str,
        *,
        name: str,
        private: bool = False,
        bot_member: bool = True,
        archived: bool = False,
    ) -> None:
        """Declare a channel: whether the bot is in it decides what posting there answers."""
        self.access.channels[channel_id] = Channel(
            channel_id, name, private=private, bot_member=bot_member, archived=archived
        )

    def add_installation(
        self,
        code: str,
        *,
        team_id: str,
        team_name: str,
        bot_token: str,
        bot_user_id: str = "UBOT2",
        bot_id: str = "B2",
        installer: str = "U0INSTALL1",
    ) -> None:
        """Let ``oauth.v2.access`` exchange ``code`` for an installation in another workspace;
        ``auth.test`` with ``bot_token`` then answers for that workspace."""
        self.installations[code] = {
            "team_id": team_id,
            "team_name": team_name,
            "bot_token": bot_token,
            "bot_user_id": bot_user_id,
            "bot_id": bot_id,
            "installer": installer,
        }
        self.token_teams[bot_token] = self.installations[code]

    def _oauth_access(self, params: JSONDict) -> JSONDict:
        """oauth.v2.access: a code for the bot token of the workspace it was issued for."""
        found = self.installations.pop(str(params.get("code") or ""), None)
        if found is None:
            return {"ok": False, "error": "invalid_code"}
        return {
            "ok": True,
            "app_id": self.identity.app_id,
            "authed_user": {"id": found["installer"]},
            "scope": "commands,chat:write,chat:write.public,im:write,users:read,files:write",
            "token_type": "bot",
            "access_token": found["bot_token"],
            "bot_user_id": found["bot_user_id"],
            "team": {"id": found["team_id"], "name": found["team_name"]},
            "enterprise": None,
            "is_enterprise_install": False,
        }

    def _installed_auth_test(self, token: str) -> JSONDict | None:
        found = self.token_teams.get(token)
        if found is None:
            return None
        return {
            "ok": True,
            "url": f"https://{found['team_name'].lower()}.slack.com/",
            "team": found["team_name"],
            "user": "claimbot",
            "team_id": found["team_id"],
            "user_id": found["bot_user_id"],
            "bot_id": found["bot_id"],
            "app_id": self.identity.app_id,
            "is_enterprise_install": False,
        }

    def user_name(self, user_id: str) -> str:
        """The registered name of ``user_id`` (its lower-cased id when unregistered)."""
        user = self.workspace.users.get(user_id)
        return user["name"] if user else user_id.lower()

    def dm_channel(self, user_id: str) -> str:
        """The bot's DM channel with ``user_id``, as conversations.open answers it."""
        return self.workspace.dm_channel(user_id)

    @property
    def messages(self) -> list[Message]:
        """Every message posted (including ephemeral and deleted ones), oldest first."""
        return list(self.workspace.messages)

    @property
    def uploads(self) -> dict[str, Upload]:
        """File uploads by file id."""
        return dict(self.workspace.uploads)

    def messages_to(self, recipient: str, *, include_deleted: bool = False) -> list[Message]:
        """Messages in a channel (C…/D…/G…, ephemerals excluded) or to a user.

        For a user id (U…/W…), that is the messages in the bot's DM with them (whether the app
        posted to the U… or the D… id) plus ephemeral messages shown to them anywhere.
        """
        is_user = recipient[:1] in ("U", "W")
        channel = self.workspace.resolve_channel(recipient)
        return [
            m
            for m in self.workspace.messages
            if (include_deleted or not m.deleted)
            and (
                (m.channel == channel and not m.ephemeral)
                or (is_user and m.ephemeral_user == recipient)
            )
        ]

    def view(self, view_id: str) -> JSONDict:
        """The current version of a view, exactly as Slack would return it."""
        return copy.deepcopy(self.workspace.view_store.views[view_id])

    def latest_view(self, callback_id: str | None = None) -> JSONDict:
        """The modal most recently opened, pushed or updated (optionally with ``callback_id``)."""
        for view in reversed(self.workspace.view_store.views.values()):
            if view["type"] == "modal" and callback_id in (None, view["callback_id"]):
                return copy.deepcopy(view)
        raise AssertionError(f"no modal with callback_id={callback_id!r} was opened")

    def home_view(self, user_id: str) -> JSONDict | None:
        """The home tab last published for ``user_id``, if any."""
        view_id = self.workspace.view_store.home_view_ids.get(user_id)
        return None if view_id is None else self.view(view_id)

    def trigger_id(self) -> str:
        """A fresh trigger_id, as Slack puts in an interaction payload; it expires 3 s later."""
        return self.triggers.issue()

    def response_url(self, name: str = "response", *, kind: str = "commands") -> str:
        """A fresh response_url on the fake; posts to it are recorded under ``name``."""
        return self.base_url + self._response_urls.issue(name, kind)

    # -- recordings --------------------------------------------------------------------------

    def calls_to(self, method: str, *, delivered: bool | None = None) -> list[Call]:
        """Calls of one method in arrival order; ``delivered`` filters attempts vs deliveries."""
        return [
            c
            for c in self.calls
            if c.method == method and (delivered is None or c.delivered == delivered)
        ]

    def take_violations(self) -> list[str]:
        """Return and clear the violations (for tests that provoke them on purpose)."""
        taken, self.violations = self.violations, []
        return taken

    def violation_report(self) -> str | None:
        """Every violation recorded, as one readable text; ``None`` when there is none."""
        if not self.violations:
            return None
        listed = "\n".join(f"  - {v}" for v in self.violations)
        count = len(self.violations)
        return f"the app sent {count} request(s) Slack would reject:\n{listed}"

    def reset(self) -> None:
        """Forget calls, responses, faults, messages, views and uploads; keep users.

        Violations are kept on purpose: a reset mid-test must not hide a bad payload.
        """
        self.calls.clear()
        self.responses.clear()
        self._faults.clear()
        self.workspace.clear()

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - a per-call bound reads best in tests
        *,
        delivered: bool | None = True,
    ) -> list[Call]:
        """Wait until ``count`` calls of ``method`` were handled; return all of them.

        By default only delivered calls count; ``delivered=None`` counts every finished attempt.
        """

        def matching() -> list[Call]:
            return [c for c in self.calls_to(method, delivered=delivered) if c.finished]

        await self.wait_until(
            lambda: len(matching()) >= count,
            timeout=timeout,
            what=f"{count} {'delivered ' if delivered else ''}{method} call(s)",
        )
        return matching()

    async def wait_for_responses(
        self,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
        *,
        name: str | None = None,
    ) -> list[ResponsePost]:
        """Wait until ``count`` response_url posts (optionally to ``name``) were accepted."""

        def matching() -> list[ResponsePost]:
            return [r for r in self.responses if name in (None, r.name) and r.delivered]

        await self.wait_until(
            lambda: len(matching()) >= count, timeout=timeout, what=f"{count} response(s)"
        )
        return matching()

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
        what: str = "condition",
    ) -> None:
        """Wait until ``predicate()`` holds, re-checking whenever the fake records something."""
        try:
            async with asyncio.timeout(timeout), self._changed:
                await self._changed.wait_for(predicate)
        except TimeoutError:
            seen = [f"{c.method}({c.fault or c.error or 'ok'})" for c in self.calls]
            raise AssertionError(
                f"timed out after {timeout}s waiting for {what}; calls so far: {seen}; "
                f"responses: {len(self.responses)}; violations: {self.violations}"
            ) from None

    # -- faults ------------------------------------------------------------------------------

    def inject(
        self,
        method: str,
        *,
        status: int | None = None,
        retry_after: int | None = None,
        error: str | None = None,
        reset: bool = False,
        stall: float | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` misbehave, then behave normally again.

        ``status=429``/``retry_after=N``: rate limited with a Retry-After header (default 1);
        ``status=500``/``503``: server error; ``error="x"``: HTTP 200 ``{"ok": false, "error":
        "x"}``; ``reset=True``: close the connection without answering; ``stall=N``: wait N
        seconds first (alone, the call is then handled normally). ``method`` may also be
        "response_url" or "upload". Faulted calls are recorded with ``Call.fault`` set.
        """
        known = set(self.workspace.methods) | {RESPONSE_URL, UPLOAD, "apps.connections.open"}
        if method not in known:
            raise ValueError(f"unknown method {method!r}; known: {sorted(known)}")
        fault = Fault.make(
            status=status,
            retry_after=retry_after,
            error=error,
            reset=reset,
            stall=stall,
            times=times,
        )
        self._faults.add(method, fault)

    def limit_posts(self, *, per_second: float = 1.0, burst: int = 3) -> None:
        """Answer posts past Slack's per-channel pace with 429 ``ratelimited`` and Retry-After,
        as Slack does (bot.fakeslack.ratelimit); such calls have ``status`` 429."""
        self.post_rate_limit = PostRateLimit(per_second=per_second, burst=burst)

    def rate_limited(self) -> list[Call]:
        """Every call answered 429 (by the post rate limit or an injected fault)."""
        return [c for c in self.calls if c.status == 429]

    # -- HTTP handlers -----------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        params, problems = await read_params(request)
        token = token_of(request, params)
        call = Call(method, params, token, time.time(), http_method=request.method)
        self.calls.append(call)
        fault = self._faults.take(method)
        call.fault = fault.label if fault else None
        try:
            faulted = await self._faults.apply(fault, request) if fault else None
            if faulted is not None:
                call.status, call.reply = faulted.status, _body_of(faulted)
                return faulted
            if (limited := self._over_rate_limit(method, params)) is not None:
                call.status, call.reply = limited.status, _body_of(limited)
                return limited
            reply = self._dispatch(method, params, token, problems)
            call.status, call.reply, call.delivered = 200, reply, reply["ok"]
            # Slack tells every caller which scopes its token has.
            scopes = ",".join(sorted(self.access.scopes(token)))
            return web.json_response(reply, headers={"X-OAuth-Scopes": scopes})
        finally:
            call.finished = True
            await self._notify()

    def _dispatch(
        self, method: str, params: JSONDict, token: str | None, problems: list[str]
    ) -> JSONDict:
        if method == "oauth.v2.access":  # authenticated by client id and secret, not a token
            return self._oauth_access(params)
        if method == "apps.connections.open":
            if not (token or "").startswith("xapp-"):
                return {"ok": False, "error": "not_allowed_token_type"}
            return {"ok": True, "url": self.base_url.replace("http", "ws", 1) + "/socket-mode"}
        if method == "auth.test" and token and (installed := self._installed_auth_test(token)):
            return installed
        implementation = self.workspace.methods.get(method)
        try:
            if implementation is None:
                raise SlackError("unknown_method", f"{method}: not a method the fake implements")
            if not token:
                raise SlackError("not_authed", f"{method}: no token (Authorization or token=)")
            if self.tokens is not None and token not in self.tokens:
                raise SlackError("invalid_auth", f"{method}: token {token[:10]}… is not valid")
            if problems:
                raise SlackError("invalid_arguments", *(f"{method}: {p}" for p in problems))
            self.access.check(method, params, token)
            reply = implementation(params)
            installed = self.token_teams.get(token)
            opened = reply.get("view")
            if installed is not None and isinstance(opened, dict):
                # A view opened with another workspace's token belongs to that workspace.
                view = self.workspace.view_store.views.get(str(opened.get("id")), opened)
                for target in (view, opened):
                    target["team_id"] = target["app_installed_team_id"] = installed["team_id"]
            return reply
        except SlackError as e:
            self.violations.extend(e.violations)
            refusal: JSONDict = {"ok": False, "error": e.error, **e.extra}
            if e.violations:
                refusal["response_metadata"] = {"messages": [f"[ERROR] {v}" for v in e.violations]}
            return refusal
        except Exception as e:  # a harness bug must fail the test loudly, not hang it
            self.violations.append(f"{method}: fake Slack crashed: {e!r}")
            return {"ok": False, "error": "fatal_error"}

    def _over_rate_limit(self, method: str, params: JSONDict) -> web.Response | None:
        """Slack's 429 for a post over the channel's pace, or None."""
        if self.post_rate_limit is None or method not in PACED_METHODS:
            return None
        channel = self.workspace.resolve_channel(str(params.get("channel") or ""))
        wait = self.post_rate_limit.retry_after(channel)
        if wait is None:
            return None
        return web.json_response(
            {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": str(wait)}
        )

    async def _upload(self, request: web.Request) -> web.StreamResponse:
        file_id = request.match_info["file_id"]
        data = await read_upload(request)
        fault = self._faults.take(UPLOAD)
        if fault and (faulted := await self._faults.apply(fault, request)) is not None:
            return faulted
        upload = self.workspace.uploads.get(file_id)
        if upload is None:
            self.violations.append(f"upload to unknown file id {file_id}")
            return web.Response(status=404, text="file_not_found")
        if len(data) != upload.length:
            self.violations.append(
                f"upload {file_id}: got {len(data)} bytes, declared length {upload.length}"
            )
        upload.data = data
        await self._notify()
        return web.Response(text=f"OK - {len(data)}")

    async def _respond(self, request: web.Request) -> web.StreamResponse:
        issued = self._response_urls.use(request.path)
        if issued is None:
            self.violations.append(f"post to a response_url never issued: {request.path}")
            return web.json_response({"ok": False, "error": "no_service"}, status=404)
        try:
            body = await request.json()
        except ValueError:
            body = None
        url, received = str(request.url), body if isinstance(body, dict) else {}
        fault = self._faults.take(RESPONSE_URL)
        post = ResponsePost(issued.name, url, received, time.time(), fault.label if fault else None)
        self.responses.append(post)
        try:
            if fault and (faulted := await self._faults.apply(fault, request)) is not None:
                post.status = faulted.status
                return faulted
            if issued.expired:
                # Not a violation: a URL kept for later (a modal's list) meets this in production.
                post.status = 404
                return web.json_response({"ok": False, "error": "expired_url"}, status=404)
            name, use = issued.name, issued.number
            problems = response_problems(body, use)
            if problems:
                self.violations.extend(f"response_url {name!r}: {p}" for p in problems)
                post.status = 404 if use > MAX_USES else 400
                error = "used_url" if post.status == 404 else "invalid_blocks"
                return web.json_response({"ok": False, "error": error}, status=post.status)
            post.status = 200
            return web.json_response({"ok": True})
        finally:
            await self._notify()

    async def _unknown_path(self, request: web.Request) -> web.StreamResponse:
        self.violations.append(
            f"request to a path Slack does not serve: {request.method} {request.path}"
        )
        return web.json_response({"ok": False, "error": "unknown_method"}, status=404)

    async def _notify(self) -> None:
        for listener in self.listeners:
            listener()
        async with self._changed:
            self._changed.notify_all()


def _body_of(response: web.StreamResponse) -> JSONDict | None:
    if isinstance(response, web.Response) and response.text:
        body = json.loads(response.text)
        return body if isinstance(body, dict) else None
    return None
