"""Claimbot as a separate process, exactly as an operator starts it (``python -m bot``)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from tests.e2e.conftest import SIGNING_SECRET

STARTUP_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class BotProcess:
    url: str
    process: asyncio.subprocess.Process
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@asynccontextmanager
async def claimbot_process(
    *,
    api_url: str,
    database_url: str,
    log_dir: Path,
    name: str,
    env: Mapping[str, str] = {},
    command: Sequence[str] = (),
) -> AsyncIterator[BotProcess]:
    """Start ``python -m bot [command]`` on a free port, wait until /healthz answers, stop it on
    exit."""
    port = free_port()
    log = log_dir / f"{name}.log"
    environment = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": api_url,
        "DATABASE_URL": database_url,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        **env,
    }
    environment.pop("SLACK_APP_TOKEN", None)
    with log.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", *command, env=environment, stdout=output, stderr=output,
            cwd=str(log_dir),
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    running = BotProcess(url, process, log)
    try:
        await _wait_healthy(running)
        yield running
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), timeout=20)
            except TimeoutError:
                process.kill()
                await process.wait()


async def _wait_healthy(running: BotProcess) -> None:
    deadline = asyncio.get_running_loop().time() + STARTUP_TIMEOUT
    async with aiohttp.ClientSession() as session:
        while asyncio.get_running_loop().time() < deadline:
            if running.process.returncode is not None:
                raise AssertionError(f"claimbot exited early:\n{running.output()}")
            try:
                async with session.get(f"{running.url}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError(f"claimbot did not become healthy:\n{running.output()}")


def sweep_env(fake_api: str, database_url: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CLAIMBOT_"))}
    return clean | {
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_API_URL": fake_api,
        "DATABASE_URL": database_url,
    }


async def claimbot_sweep(cwd: Path, env: dict[str, str], *args: str) -> tuple[int, str]:
    """``python -m bot sweep …`` as a process of its own; its exit code and output."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "sweep", *args,
        env=env, cwd=cwd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    return process.returncode or 0, output.decode(errors="replace")
