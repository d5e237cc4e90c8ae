"""The baseline: a bare slack-bolt AsyncApp that only acknowledges, served the same way.

``python -m benchmarks.bare_app`` reads PORT and SLACK_SIGNING_SECRET like claimbot does.
"""

from __future__ import annotations

import os
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient


def build() -> web.Application:
    app = AsyncApp(
        client=AsyncWebClient(token="xoxb-bare", base_url=os.environ["SLACK_API_URL"]),
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        raise_error_for_unhandled_request=False,
    )

    async def just_ack(ack: Any) -> None:
        await ack()

    app.command("/claim")(just_ack)
    app.action("customer_name")(just_ack)
    app.view_submission("claim_form")(just_ack)

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    async def health(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    web_app = web.Application()
    web_app.router.add_post("/slack/events", events)
    web_app.router.add_get("/healthz", health)
    return web_app


if __name__ == "__main__":
    web.run_app(
        build(), host="127.0.0.1", port=int(os.environ["PORT"]), print=None, access_log=None
    )
