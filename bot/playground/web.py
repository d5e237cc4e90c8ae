"""The playground's page and its small JSON API, served by aiohttp.

``GET /`` is a static page (no build step); ``GET /api/state?as=U…`` is what that person sees;
``GET /api/events`` is a server-sent event stream that says "changed" (at most a few times a
second, however busy the bot is), after which the page fetches the state again. Everything a
person does is one POST; the answer is ``{"ok": true}`` or ``{"ok": false, "error": <label>}``.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.i18n import t
from bot.playground.app import Playground
from bot.playground.session import PlaygroundError

log = logging.getLogger("claimbot.playground")

STATIC = resources.files("bot.playground") / "static"
CONTENT_TYPES = {".html": "text/html", ".css": "text/css", ".js": "text/javascript"}
# Server-sent events: wake the page at most this often, and say something at least this often
# so that proxies and browsers keep the stream open.
COALESCE_SECONDS = 0.15
KEEPALIVE_SECONDS = 15.0

Handler = Callable[[Playground, dict[str, Any]], Awaitable[dict[str, Any] | None]]


def build_page_app(playground: Playground) -> web.Application:
    """The aiohttp application serving the page, its API and the event stream."""
    app = web.Application(client_max_size=1024 * 1024)

    async def index(_request: web.Request) -> web.Response:
        return _static("index.html")

    async def static(request: web.Request) -> web.Response:
        return _static(request.match_info["name"])

    async def state(request: web.Request) -> web.Response:
        user = request.query.get("as", "")
        try:
            return web.json_response(playground.snapshot(user), dumps=_dumps)
        except KeyError:
            return web.json_response({"ok": False, "error": "unknown person"}, status=404)

    async def file(request: web.Request) -> web.Response:
        found = playground.file(request.match_info["file_id"])
        if found is None:
            raise web.HTTPNotFound()
        data, kind, name = found
        headers = (
            {} if kind == "image/png" else {"Content-Disposition": f'attachment; filename="{name}"'}
        )
        return web.Response(body=data, content_type=kind, headers=headers)

    async def events(request: web.Request) -> web.StreamResponse:
        feed = playground.client.feed
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        await response.prepare(request)
        waiter = feed.subscribe()
        try:
            await response.write(f"data: {feed.version}\n\n".encode())
            while True:
                try:
                    await asyncio.wait_for(waiter.wait(), KEEPALIVE_SECONDS)
                except TimeoutError:
                    await response.write(b": keep-alive\n\n")
                    continue
                await asyncio.sleep(COALESCE_SECONDS)
                waiter.clear()
                await response.write(f"data: {feed.version}\n\n".encode())
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            feed.unsubscribe(waiter)
        return response

    def action(handler: Handler) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def run(request: web.Request) -> web.Response:
            try:
                body = await request.json()
            except ValueError:
                return web.json_response({"ok": False, "error": "bad request"}, status=400)
            if not isinstance(body, dict) or not isinstance(body.get("user"), str):
                return web.json_response({"ok": False, "error": "bad request"}, status=400)
            try:
                playground.person(body["user"])
            except KeyError:
                return web.json_response({"ok": False, "error": "unknown person"}, status=404)
            lang = playground.snapshot(body["user"])["viewer"]["lang"]
            try:
                answer = await handler(playground, body) or {}
            except PlaygroundError as e:
                return web.json_response({"ok": False, "error": t(f"playground.{e}", lang)})
            except (ValueError, KeyError, TypeError) as e:
                # A page out of step with the bot (a stale view, an element that changed).
                log.warning("playground request refused: %r", e)
                return web.json_response({"ok": False, "error": t("playground.failed", lang)})
            return web.json_response({"ok": True, **answer}, dumps=_dumps)

        return run

    app.router.add_get("/", index)
    app.router.add_get("/static/{name}", static)
    app.router.add_get("/api/state", state)
    app.router.add_get("/api/events", events)
    app.router.add_get("/files/{file_id}", file)
    for path, handler in ROUTES.items():
        app.router.add_post(path, action(handler))
    return app


def _static(name: str) -> web.Response:
    suffix = "." + name.rsplit(".", 1)[-1]
    if "/" in name or suffix not in CONTENT_TYPES:
        raise web.HTTPNotFound()
    resource = STATIC / name
    if not resource.is_file():
        raise web.HTTPNotFound()
    return web.Response(
        text=resource.read_text(encoding="utf-8"),
        content_type=CONTENT_TYPES[suffix],
        headers={"Cache-Control": "no-store"},
    )


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


async def _command(pg: Playground, body: dict[str, Any]) -> None:
    await pg.client.command(body["user"], str(body["channel"]), str(body["text"]))


async def _shortcut(pg: Playground, body: dict[str, Any]) -> None:
    await pg.client.shortcut(body["user"])


async def _action(pg: Playground, body: dict[str, Any]) -> None:
    state = body.get("state") or {}
    if body.get("view_id"):
        await pg.client.view_action(
            body["user"], str(body["view_id"]), str(body["key"]), body.get("value"), state
        )
    else:
        await pg.client.message_action(
            body["user"],
            str(body["channel"]),
            str(body["ts"]),
            str(body["key"]),
            body.get("value"),
            state,
        )


async def _submit(pg: Playground, body: dict[str, Any]) -> dict[str, Any]:
    errors = await pg.client.submit(body["user"], str(body["view_id"]), body.get("state") or {})
    return {"errors": errors}


async def _close(pg: Playground, body: dict[str, Any]) -> None:
    await pg.client.close(body["user"], str(body["view_id"]))


async def _home(pg: Playground, body: dict[str, Any]) -> None:
    await pg.client.open_home(body["user"])


async def _clock(pg: Playground, body: dict[str, Any]) -> dict[str, Any]:
    if body.get("to"):
        day = datetime.fromisoformat(str(body["to"]))
        # A chosen date means ten in the morning there, in the rules' time zone.
        moment = day.replace(hour=10, minute=0, tzinfo=ZoneInfo(pg.rt.rules.timezone))
        if moment <= pg.clock.now():
            raise PlaygroundError("clock_back")
        report = await pg.advance(to=moment)
    else:
        days = int(body.get("days") or 0)
        if days not in (1, 7):
            raise ValueError(f"advance by {days} days")
        report = await pg.advance(days=days)
    return {"reclaimed": sum(report.reclaimed.values()), "notices": report.notices_written}


async def _dismiss(pg: Playground, body: dict[str, Any]) -> None:
    pg.fake.take_violations()
    pg.client.feed.bump()


ROUTES: dict[str, Handler] = {
    "/api/command": _command,
    "/api/shortcut": _shortcut,
    "/api/action": _action,
    "/api/submit": _submit,
    "/api/close": _close,
    "/api/home": _home,
    "/api/clock": _clock,
    "/api/dismiss": _dismiss,
}


async def serve_page(playground: Playground, host: str, port: int) -> tuple[web.AppRunner, str]:
    """Serve the page on host:port; the runner (to clean up) and the page's URL."""
    runner = web.AppRunner(build_page_app(playground), access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound_host, bound_port = runner.addresses[0][:2]
    shown = "127.0.0.1" if bound_host in ("0.0.0.0", "::") else bound_host
    return runner, f"http://{shown}:{bound_port}/"
