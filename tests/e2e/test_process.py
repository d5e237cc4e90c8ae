"""``claimbot`` as an operator runs it: a separate process, real environment variables."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from bot.fakeslack.server import FakeSlack
from bot.fakeslack.slackreq import SlackRequester
from tests.e2e.conftest import ALICE, PEOPLE, SIGNING_SECRET
from tests.e2e.processes import claimbot_process

pytestmark = pytest.mark.slow  # each test starts claimbot as a real process


def run_claimbot(
    tmp_path: Path, env: dict[str, str], *args: str
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CLAIMBOT_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=clean | env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_console_script_is_installed() -> None:
    scripts = {e.name: e.value for e in entry_points(group="console_scripts")}
    assert scripts.get("claimbot") == "bot.cli:main"


def test_without_tokens_it_exits_with_one_sentence_naming_the_variable(tmp_path: Path) -> None:
    result = run_claimbot(tmp_path, {})
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "claimbot: SLACK_BOT_TOKEN is not set: create the Slack app from manifest.yaml "
        "(README, Quick start) and copy it from there."
    ]
    assert not (tmp_path / "claimbot.db").exists(), "nothing is created before the check"


def test_a_bad_rules_file_stops_start_up_naming_the_key(tmp_path: Path) -> None:
    (tmp_path / "claimbot.yaml").write_text("protection:\n  days: 0\n")
    result = run_claimbot(tmp_path, {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"})
    assert result.returncode == 2
    assert (
        "claimbot.yaml: protection.days: Input should be greater than or equal to 1"
        in result.stderr
    )


def test_migrate_reports_the_revision(tmp_path: Path) -> None:
    result = run_claimbot(tmp_path, {}, "migrate")
    assert result.returncode == 0, result.stderr
    assert "database schema at revision" in result.stdout
    assert (tmp_path / "claimbot.db").exists()


async def test_it_serves_health_and_a_signed_help_within_a_second(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    for user_id, name, locale in PEOPLE:
        fake_slack.add_user(user_id, name=name, locale=locale)
    async with claimbot_process(
        api_url=fake_slack.api_url,
        database_url=f"sqlite+aiosqlite:///{tmp_path}/claimbot.db",
        log_dir=tmp_path,
        name="bot",
    ) as running:
        slack = SlackRequester(running.url, SIGNING_SECRET, fake=fake_slack)
        started = time.perf_counter()
        answer = await slack.command("help", user=ALICE)
        elapsed = time.perf_counter() - started
        assert answer.status == 200
        assert "/claim check" in answer.json()["text"]
        assert elapsed < 1.0
        running.process.terminate()
        assert await running.process.wait() == 0, running.output()
    assert "claimbot shutting down" in running.output()


def test_export_sweep_and_import_refuse_to_create_a_database(tmp_path: Path) -> None:
    (tmp_path / "customers.csv").write_text("name\nAcme\n")
    typo = f"sqlite+aiosqlite:///{tmp_path}/claimbto.db"
    for command in (["export", "--workspace", "T1"], ["sweep"], ["import", "customers.csv"]):
        result = run_claimbot(tmp_path, {"DATABASE_URL": typo}, *command)
        assert result.returncode == 2, result.stderr
        assert result.stderr.strip().splitlines() == [
            f"claimbot: there is no database at {tmp_path}/claimbto.db (DATABASE_URL): "
            "check the path; claimbot migrate creates a new one on purpose."
        ]
    assert not (tmp_path / "claimbto.db").exists()


def test_every_command_names_its_database(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/claimbot.db"
    assert f"({url})" in run_claimbot(tmp_path, {"DATABASE_URL": url}, "migrate").stdout
    swept = run_claimbot(tmp_path, {"DATABASE_URL": url}, "sweep", "--dry-run")
    assert swept.returncode == 0, swept.stderr
    assert f"database: {url} (schema revision" in swept.stderr


def test_an_unwritable_sqlite_folder_is_one_sentence(tmp_path: Path) -> None:
    folder = tmp_path / "volume"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        if os.access(folder, os.W_OK):  # root writes anywhere: nothing to prove
            return
        result = run_claimbot(
            tmp_path, {"DATABASE_URL": f"sqlite+aiosqlite:///{folder}/claimbot.db"}, "migrate"
        )
    finally:
        folder.chmod(0o755)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"claimbot: the SQLite database {folder}/claimbot.db cannot be written by this user "
        f"(uid {os.getuid()}): make the folder writable (for Docker, a volume the claimbot user "
        "owns) or point DATABASE_URL elsewhere."
    ]


def test_a_cli_command_needing_an_unreachable_slack_is_one_sentence(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/claimbot.db"
    assert run_claimbot(tmp_path, {"DATABASE_URL": url}, "migrate").returncode == 0
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        nowhere = f"http://127.0.0.1:{probe.getsockname()[1]}/api/"
    env = {"DATABASE_URL": url, "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_API_URL": nowhere}
    result = run_claimbot(tmp_path, env, "export")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == (
        f"claimbot: Slack cannot be reached at {nowhere} to tell the workspace "
        "(ClientConnectorError): pass --workspace T… or check the network."
    )
    result = run_claimbot(tmp_path, {"DATABASE_URL": url}, "export")
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith("claimbot: --workspace T… is needed when SLACK_BOT_TOKEN is not set")
    )
