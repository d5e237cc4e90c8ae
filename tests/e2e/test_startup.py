"""Start-up as an operator meets it: a refused token, a taken port, an unreachable Slack, and
a signal while the bot is still connecting — one sentence or a prompt stop, never a traceback."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp

from bot.fakeslack.server import FakeSlack
from tests.e2e.conftest import SIGNING_SECRET
from tests.e2e.processes import claimbot_process, free_port

# The most a stop may take in any state (the issue: "within a few seconds").
STOP_SECONDS = 5.0


def clean_env(**env: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CLAIMBOT_"))}
    return base | env


@asynccontextmanager
async def started(
    tmp_path: Path, env: Mapping[str, str]
) -> AsyncIterator[asyncio.subprocess.Process]:
    """``python -m bot`` with exactly ``env`` (no health wait: some never become healthy)."""
    log = (tmp_path / "bot.log").open("wb")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", env=dict(env), stdout=log, stderr=log, cwd=str(tmp_path)
    )  # fmt: skip
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        log.close()


async def health(url: str, *, timeout: float = 15.0) -> tuple[int, dict[str, object]]:  # noqa: ASYNC109
    """The first answer of ``/healthz`` (waiting for the server to listen)."""
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while True:
            try:
                async with session.get(f"{url}/healthz") as response:
                    return response.status, dict(await response.json())
            except aiohttp.ClientError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.1)


async def stops_promptly(process: asyncio.subprocess.Process, sig: signal.Signals) -> float:
    began = time.monotonic()
    process.send_signal(sig)
    code = await asyncio.wait_for(process.wait(), timeout=STOP_SECONDS + 5)
    elapsed = time.monotonic() - began
    assert code == 0, f"exit code {code}"
    return elapsed


async def test_a_token_slack_refuses_stops_start_up_with_one_sentence(tmp_path: Path) -> None:
    async with FakeSlack(tokens={"xoxb-the-right-one"}) as fake:
        env = clean_env(
            SLACK_BOT_TOKEN="xoxb-a-wrong-one",
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=fake.api_url,
            HOST="127.0.0.1",
            PORT=str(free_port()),
        )
        async with started(tmp_path, env) as process:
            code = await asyncio.wait_for(process.wait(), timeout=30)
        fake.take_violations()
    output = (tmp_path / "bot.log").read_text()
    assert code == 2, output
    assert "Traceback" not in output
    assert output.strip().splitlines()[-1] == (
        "claimbot: Slack refuses SLACK_BOT_TOKEN (invalid_auth): copy the Bot User OAuth Token "
        "(xoxb-…) from the app's OAuth & Permissions page, and reinstall the app if it was removed."
    )


async def test_a_port_in_use_is_one_sentence(fake_slack: FakeSlack, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = clean_env(
            SLACK_BOT_TOKEN="xoxb-test-token",
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=fake_slack.api_url,
            HOST="127.0.0.1",
            PORT=str(port),
        )
        async with started(tmp_path, env) as process:
            code = await asyncio.wait_for(process.wait(), timeout=30)
    output = (tmp_path / "bot.log").read_text()
    assert code == 2, output
    assert "Traceback" not in output
    assert output.strip().splitlines()[-1] == (
        f"claimbot: port {port} on 127.0.0.1 is already in use: stop the program using it "
        "or set PORT to another number."
    )


async def test_start_up_logs_one_quiet_block(fake_slack: FakeSlack, tmp_path: Path) -> None:
    async with claimbot_process(
        api_url=fake_slack.api_url,
        # A URL as providers print it: accepted and run with the async driver.
        database_url=f"sqlite:///{tmp_path}/claimbot.db",
        log_dir=tmp_path,
        name="bot",
        env={"CLAIMBOT_ADMINS": "U0ADMIN001"},
    ) as running:
        status, report = await health(running.url)
        assert (status, report["slack"]) == (200, "ok")
    output = running.output()
    assert "claimbot starting" in output
    assert "workspace: Acme (T1), bot user @claimbot" in output
    assert f"database:  sqlite+aiosqlite:///{tmp_path}/claimbot.db (schema revision" in output
    assert "✓ token: workspace Acme (T1)" in output
    assert "✓ admins: U0ADMIN001" in output
    assert "will be unused" not in output
    assert "WARNING" not in output


async def test_an_unreachable_slack_is_retried_and_reported(tmp_path: Path) -> None:
    port = free_port()
    env = clean_env(
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=f"http://127.0.0.1:{free_port()}/api/",  # nothing listens there
        CLAIMBOT_SLACK_TIMEOUT="1",
        HOST="127.0.0.1",
        PORT=str(port),
    )
    async with started(tmp_path, env) as process:
        # HTTP mode still serves what Slack sends; the health check says Slack is away.
        status, report = await health(f"http://127.0.0.1:{port}")
        assert (status, report["slack"]) == (200, "unreachable")
        assert await stops_promptly(process, signal.SIGTERM) < STOP_SECONDS
    output = (tmp_path / "bot.log").read_text()
    assert "✗ token: Slack cannot be reached at http://127.0.0.1:" in output
    assert "Traceback" not in output


async def test_socket_mode_is_not_healthy_until_connected_and_stops_while_connecting(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    # Slack answers the Web API but never hands out the WebSocket URL.
    fake_slack.inject("apps.connections.open", stall=60, times=10)
    port = free_port()
    env = clean_env(
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_APP_TOKEN="xapp-1-A1-test",
        SLACK_API_URL=fake_slack.api_url,
        HOST="127.0.0.1",
        PORT=str(port),
    )
    for sig in (signal.SIGTERM, signal.SIGINT):
        async with started(tmp_path, env) as process:
            status, report = await health(f"http://127.0.0.1:{port}")
            assert (status, report["slack"], report["status"]) == (503, "connecting", "connecting")
            await fake_slack.wait_for("apps.connections.open", delivered=None, count=0)
            assert await stops_promptly(process, sig) < STOP_SECONDS


async def test_socket_mode_stops_while_slack_is_unreachable(tmp_path: Path) -> None:
    port = free_port()
    env = clean_env(
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_APP_TOKEN="xapp-1-A1-test",
        SLACK_API_URL=f"http://127.0.0.1:{free_port()}/api/",
        HOST="127.0.0.1",
        PORT=str(port),
    )
    async with started(tmp_path, env) as process:
        status, report = await health(f"http://127.0.0.1:{port}")
        assert (status, report["slack"]) == (503, "unreachable")
        assert await stops_promptly(process, signal.SIGTERM) < STOP_SECONDS
