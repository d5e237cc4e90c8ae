"""HTTP mode: one aiohttp server with Slack's Request URL and a health check.

``POST /slack/events`` carries events, slash commands, interactivity and options alike (the one
Request URL in ``manifest.yaml``); ``GET /healthz`` answers 200 while the database does, else 503;
``/api/v1`` is the REST API (:mod:`bot.api`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.api import PREFIX as API_PREFIX
from bot.api import build_api
from bot.inbound import MalformedRequest, is_ssl_check, parse_signed_body, signed_by_slack
from bot.runtime import Runtime

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"

HealthPart = Callable[[], Awaitable[dict[str, Any]]]


def build_web_app(rt: Runtime, bolt_app: AsyncApp | None, *, api: bool = True) -> web.Application:
    """The aiohttp application; ``bolt_app`` is ``None`` when Socket Mode carries Slack's traffic
    (or in a worker, which serves ``/healthz`` alone: ``api=False``)."""
    web_app = web.Application()

    async def slack_events(request: web.Request) -> web.Response:
        assert bolt_app is not None
        body = await request.read()
        if not is_ssl_check(body) and not signed_by_slack(
            rt.settings.signing_secret or "", body, request.headers
        ):
            # Checked on the raw bytes before anything is parsed: whatever an unsigned body
            # holds, it is not from Slack.
            log.info("refused an unsigned request from %s (401)", request.remote)
            return web.json_response({"error": "invalid request"}, status=401)
        try:
            payload = parse_signed_body(body, request.content_type)
        except MalformedRequest as exc:
            log.warning("refused a malformed signed request (400): %s", exc)
            return web.json_response({"error": "malformed request"}, status=400)
        bolt_request = ParsedRequest(
            raw_body=body.decode("utf-8"),  # parse_signed_body has checked that it decodes
            payload=payload,
            query=request.query_string,
            headers=request.headers,
        )
        bolt_response = await bolt_app.async_dispatch(bolt_request)
        return await to_aiohttp_response(bolt_response)

    async def healthz(_request: web.Request) -> web.Response:
        report = await health_report(rt)
        return web.json_response(report, status=200 if report["status"] == "ok" else 503)

    web_app.router.add_get(HEALTH_PATH, healthz)
    # The REST API for CRM, ERP and BI tools (bot/api), on the same server.
    if api:
        web_app.add_subapp(API_PREFIX, build_api(rt))
    if bolt_app is not None:
        web_app.router.add_post(EVENTS_PATH, slack_events)
    flow = bolt_app.oauth_flow if bolt_app is not None else None
    if flow is not None:

        async def install(request: web.Request) -> web.Response:
            return await to_aiohttp_response(
                await flow.handle_installation(await to_bolt_request(request))
            )

        async def oauth_redirect(request: web.Request) -> web.Response:
            return await to_aiohttp_response(
                await flow.handle_callback(await to_bolt_request(request))
            )

        web_app.router.add_get(flow.install_path, install)
        web_app.router.add_get(flow.redirect_uri_path, oauth_redirect)
    return web_app


class ParsedRequest(AsyncBoltRequest):
    """An HTTP request handed to Bolt with the payload we have already parsed and checked.

    Bolt parses the raw body again in HTTP mode; on a submitted form that second parse was a
    fifth of the request's CPU. ``raw_body`` is the body as signed (checked before this).
    """

    def __init__(
        self, *, raw_body: str, payload: dict[str, Any], query: str, headers: Mapping[str, str]
    ) -> None:
        # Bolt takes a parsed body only in Socket Mode; it is an HTTP request all the same.
        super().__init__(body=payload, query=query, headers=headers, mode="socket_mode")  # type: ignore[arg-type]
        self.raw_body = raw_body
        self.mode = "http"


async def health_report(rt: Runtime) -> dict[str, Any]:
    """What ``/healthz`` says: overall status, the database, and each background service."""
    database_ok = await rt.db.ping()
    writable = database_ok and await rt.db.can_write()
    report: dict[str, Any] = {
        "status": "ok" if writable else "unavailable",
        "database": "ok" if writable else "cannot write" if database_ok else "unreachable",
        "backend": rt.db.dialect,
    }
    if database_ok and not writable:
        report["database_error"] = rt.db.write_failure
    for name, part in rt.health_parts.items():
        report[name] = await part()
    if rt.settings.socket_mode and report.get("slack") != "ok" and report["status"] == "ok":
        # Without its WebSocket a Socket Mode bot receives nothing from Slack: not serving.
        report["status"] = "connecting"
    return report
