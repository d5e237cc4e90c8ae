"""``claimbot playground``: the real bot against a local Slack stand-in, in the browser.

It needs no token and never calls Slack: the bot's Web API calls go to the fake Slack in this
process, and people act in a web page. Data lives in its own SQLite file, never DATABASE_URL.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import tempfile
import webbrowser
from pathlib import Path
from typing import Any

from bot.settings import ConfigError

log = logging.getLogger("claimbot.playground")


def add_parser(commands: Any) -> None:
    sub = commands.add_parser(
        "playground",
        help="try Claimbot in the browser against a local Slack stand-in (no Slack needed)",
        description="Run the real bot against a local stand-in for Slack and serve a page where "
        "you act as any of a few seeded people: file claims, collide, approve, move the clock.",
    )
    sub.add_argument("--port", type=int, default=3000, help="the page's port (default 3000)")
    sub.add_argument("--host", default="127.0.0.1", help="the page's address (default 127.0.0.1)")
    sub.add_argument(
        "--db",
        type=Path,
        metavar="PATH",
        help="SQLite file to keep the playground's data in (default: a fresh temporary one); "
        "a new file is seeded, an existing one is reused as it is",
    )
    sub.add_argument("--empty", action="store_true", help="start without the seeded customers")
    sub.add_argument("--no-open", action="store_true", help="do not open a browser")
    sub.set_defaults(handler=handle)


async def handle(args: argparse.Namespace) -> int:
    from bot.playground.app import Playground
    from bot.playground.web import serve_page

    if not 0 <= args.port < 65536:
        raise ConfigError(f"--port must be a number from 0 to 65535, not {args.port}.")
    with tempfile.TemporaryDirectory(prefix="claimbot-playground-") as scratch:
        database = (args.db or Path(scratch) / "playground.db").resolve()
        if not database.parent.is_dir():
            raise ConfigError(f"--db names {str(database)!r}, whose folder does not exist.")
        playground = await Playground.start(database, empty=args.empty)
        try:
            try:
                runner, url = await serve_page(playground, args.host, args.port)
            except OSError as exc:
                raise ConfigError(
                    f"cannot serve the page on {args.host}:{args.port} ({exc.strerror}); "
                    "try another --port."
                ) from exc
            if args.host not in ("127.0.0.1", "localhost", "::1"):
                log.warning(
                    "the page is served on %s without a password: anyone who reaches it can act "
                    "as anyone in the playground",
                    args.host,
                )
            print(f"Claimbot playground: {url}  (data: {database}; Ctrl+C to stop)", flush=True)
            if not args.no_open:
                webbrowser.open(url)
            try:
                await _until_signalled()
            finally:
                await runner.cleanup()
        finally:
            await playground.stop()
    return 0


async def _until_signalled() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
