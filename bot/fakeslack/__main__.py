"""Run the fake Slack on its own, for load benchmarks: ``python -m bot.fakeslack --users 200``.

Prints its base URL on the first line of stdout and serves until terminated. Payload checks are
off (Slack's servers do their checking on their own CPUs, not the bot's); the tests keep them on.
``GET /test/latest_view`` returns the modal most recently opened.
"""

from __future__ import annotations

import argparse
import asyncio
import signal

from aiohttp import web

from bot.fakeslack import validation
from bot.fakeslack.server import FakeSlack


async def serve(users: int) -> None:
    validation.CHECKS_ENABLED = False
    fake = FakeSlack()
    await fake.start()
    for i in range(users):
        fake.add_user(f"U0LOAD{i:04d}", name=f"load{i}", locale="zh-CN" if i % 2 else "en-US")

    async def latest_view(_request: web.Request) -> web.Response:
        return web.json_response(fake.latest_view())

    extra = web.Application()
    extra.router.add_get("/test/latest_view", latest_view)
    runner = web.AppRunner(extra, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    control = runner.addresses[0][1]
    print(f"{fake.base_url} http://127.0.0.1:{control}", flush=True)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), timeout=5)
        except TimeoutError:
            # A load run makes many calls; keep memory flat.
            fake.calls.clear()
    await runner.cleanup()
    await fake.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=200)
    asyncio.run(serve(parser.parse_args().users))
