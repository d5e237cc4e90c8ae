"""``claimbot doctor`` as an operator runs it: a separate process, the real environment, the
fake Slack answering as Slack would for a good set-up and for each common mistake."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.fakeslack.access import MANIFEST_SCOPES
from bot.fakeslack.server import FakeSlack
from store.migrate import head_revision
from tests.e2e.processes import free_port
from tests.fakeslack.pytest_plugin import assert_no_violations

TOKEN = "xoxb-doctor"
ADMIN = "U0ADMIN001"


@dataclass
class Diagnosis:
    code: int
    lines: list[str]

    def line(self, name: str) -> str:
        return next(line for line in self.lines if line[2:].startswith(f"{name}:"))


async def claimbot(tmp_path: Path, env: dict[str, str], *args: str) -> tuple[int, str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CLAIMBOT_"))}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, env=clean | env, cwd=str(tmp_path),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


@pytest.fixture
def database(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path}/claimbot.db"


async def doctor(
    tmp_path: Path,
    fake: FakeSlack,
    database: str,
    *,
    rules: str = "channels:\n  pool: C0POOL\n  approvals: C0APPROVALS\n",
    migrated: bool = True,
    **env: str,
) -> Diagnosis:
    (tmp_path / "claimbot.yaml").write_text(rules)
    base = {"DATABASE_URL": database}
    if migrated and not (tmp_path / "claimbot.db").exists():
        assert (await claimbot(tmp_path, base, "migrate"))[0] == 0
    values = base | {
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_API_URL": fake.api_url,
        "CLAIMBOT_ADMINS": ADMIN,
        "CLAIMBOT_SLACK_TIMEOUT": "2",
    }
    code, out, err = await claimbot(tmp_path, values | env, "doctor")
    assert "Traceback" not in out + err, err
    return Diagnosis(code, out.strip().splitlines())


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack(strict_channels=True)
    await fake.start()
    fake.add_channel("C0POOL", name="public-pool")
    fake.add_channel("C0APPROVALS", name="approvals", private=True)
    yield fake
    await fake.stop()
    assert_no_violations(fake)


async def test_a_good_set_up_passes_every_check_and_leaves_nothing_behind(
    slack: FakeSlack, tmp_path: Path, database: str
) -> None:
    webhook = (
        "webhooks:\n  endpoints:\n    - name: crm\n      url: https://crm.example.com/hook\n"
        "      secret: a-secret-of-16-chars\n"
    )
    rules = "channels:\n  pool: C0POOL\n  approvals: C0APPROVALS\n" + webhook
    diagnosis = await doctor(tmp_path, slack, database, rules=rules)
    assert diagnosis.code == 0, diagnosis.lines
    assert diagnosis.lines == [
        "✓ rules: claimbot.yaml loads",
        f"✓ database: {database}, schema revision {head_revision()} (up to date)",
        "✓ token: workspace Acme (T1), bot user @claimbot (UBOT)",
        "✓ scopes: chat:write, chat:write.public, commands, files:write, im:history, im:write, "
        "users:read "
        "granted",
        "✓ channels.approvals: C0APPROVALS exists and the bot can post there",
        "✓ channels.pool: C0POOL exists and the bot can post there",
        f"✓ admins: {ADMIN}",
        "✓ webhooks.crm: ok, 0 pending (https://crm.example.com/hook)",
        "all checks passed",
    ]
    assert slack.messages == [] and slack.workspace.scheduled == {}


async def test_a_token_slack_refuses(tmp_path: Path, database: str) -> None:
    async with FakeSlack(tokens={"xoxb-the-real-one"}) as fake:
        diagnosis = await doctor(tmp_path, fake, database)
        fake.take_violations()
    assert diagnosis.code == 1
    assert diagnosis.line("token").startswith(
        "✗ token: Slack refuses SLACK_BOT_TOKEN (invalid_auth)"
    )
    assert diagnosis.lines[-1] == "1 check(s) failed"


async def test_a_missing_scope_says_which_and_to_reinstall(
    slack: FakeSlack, tmp_path: Path, database: str
) -> None:
    slack.grant(TOKEN, MANIFEST_SCOPES - {"files:write", "chat:write.public"})
    diagnosis = await doctor(tmp_path, slack, database)
    assert diagnosis.code == 1
    assert diagnosis.line("scopes") == (
        "✗ scopes: missing chat:write.public, files:write: add them under OAuth & Permissions → "
        "Bot Token Scopes (or recreate the app from manifest.yaml), then reinstall the app"
    )


async def test_a_wrong_or_uninvited_channel_is_named_with_what_to_do(
    slack: FakeSlack, tmp_path: Path, database: str
) -> None:
    slack.add_channel("C0APPROVALS", name="approvals", private=True, bot_member=False)
    diagnosis = await doctor(
        tmp_path, slack, database, rules="channels:\n  pool: C0NOSUCH\n  approvals: C0APPROVALS\n"
    )
    assert diagnosis.code == 1
    assert diagnosis.line("channels.pool").startswith(
        "✗ channels.pool: C0NOSUCH: channel_not_found: no such channel"
    )
    assert diagnosis.line("channels.approvals").startswith(
        "✗ channels.approvals: C0APPROVALS: channel_not_found"
    )
    assert "/invite @claimbot" in diagnosis.line("channels.approvals")

    # A public channel the bot is not in, without chat:write.public.
    slack.add_channel("C0POOL", name="public-pool", bot_member=False)
    slack.grant(TOKEN, MANIFEST_SCOPES - {"chat:write.public"})
    diagnosis = await doctor(tmp_path, slack, database, rules="channels:\n  pool: C0POOL\n")
    assert diagnosis.line("channels.pool") == (
        "✗ channels.pool: C0POOL: not_in_channel: the bot is not a member: "
        "/invite @claimbot in that channel"
    )


async def test_no_admin_is_a_failure_that_says_why_it_matters(
    slack: FakeSlack, tmp_path: Path, database: str
) -> None:
    diagnosis = await doctor(tmp_path, slack, database, CLAIMBOT_ADMINS="")
    assert diagnosis.code == 1
    assert diagnosis.line("admins").startswith(
        "✗ admins: nobody is an admin, so claims that need a decision wait for nobody"
    )
    assert "CLAIMBOT_ADMINS" in diagnosis.line("admins")


async def test_a_database_down_or_never_created(slack: FakeSlack, tmp_path: Path) -> None:
    down = f"postgresql+asyncpg://claimbot:secret@127.0.0.1:{free_port()}/claims"
    diagnosis = await doctor(tmp_path, slack, down, migrated=False)
    assert diagnosis.code == 1
    line = diagnosis.line("database")
    assert line.startswith("✗ database: postgresql+asyncpg://claimbot:***@127.0.0.1:")
    assert "cannot be reached" in line and "secret" not in line
    # The other checks still ran.
    assert diagnosis.line("token").startswith("✓ token")

    missing = f"sqlite+aiosqlite:///{tmp_path}/elsewhere/claimbot.db"
    diagnosis = await doctor(tmp_path, slack, missing, migrated=False)
    assert diagnosis.line("database") == (
        f"✗ database: {missing}: there is no database file yet: run claimbot migrate "
        "(or check DATABASE_URL)"
    )
    assert not (tmp_path / "elsewhere").exists()


async def test_each_teams_digest_channel_is_checked(
    slack: FakeSlack, tmp_path: Path, database: str
) -> None:
    slack.add_channel("C0EAST", name="east-sales")
    rules = (
        "teams:\n"
        "  - {name: East, channel: C0EAST}\n"
        "  - {name: South, channel: C0NOSUCH}\n"
        "  - {name: North}\n"
    )
    diagnosis = await doctor(tmp_path, slack, database, rules=rules)
    assert diagnosis.code == 1
    assert diagnosis.line("teams.East.channel") == (
        "✓ teams.East.channel: C0EAST exists and the bot can post there"
    )
    assert diagnosis.line("teams.South.channel").startswith(
        "✗ teams.South.channel: C0NOSUCH: channel_not_found"
    )
    assert not [line for line in diagnosis.lines if "teams.North" in line]
