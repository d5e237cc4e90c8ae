"""The real app, served over HTTP on 127.0.0.1, talking to the fake Slack.

``bot`` starts Claimbot exactly as ``claimbot`` does (migrations, background services, the aiohttp
server) but with a clock the test can move, and returns a :class:`Bot` whose helpers send signed
requests and check every HTTP answer the app gives against Slack's rules.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.cli.run import BotServer
from bot.clock import FixedClock
from bot.fakeslack.server import FakeSlack
from bot.fakeslack.slackreq import SlackRequester, SlackResult
from bot.fakeslack.validation import validate_ack_body
from bot.rules import Rules
from bot.runtime import Runtime
from bot.settings import Settings
from store.migrate import upgrade
from tests.databases import database_of, sqlite_url

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
START = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # a Monday, 10:00 in Shanghai

# Users known to the fake Slack: (user id, name, locale).
PEOPLE = [
    ("U0REP00001", "alice", "en-US"),
    ("U0REP00002", "bo", "zh-CN"),
    ("U0REP00003", "carol", "en-US"),
    ("U0MANAGER1", "mei", "zh-CN"),
    ("U0ADMIN001", "ada", "en-US"),
]
ALICE, BO, CAROL, MEI, ADA = (p[0] for p in PEOPLE)


@dataclass
class Bot:
    """A running Claimbot and the means to talk to it."""

    rt: Runtime
    server: BotServer
    fake: FakeSlack
    slack: SlackRequester
    clock: FixedClock

    @property
    def url(self) -> str:
        assert self.server.url
        return self.server.url

    def checked(self, result: SlackResult, view: dict[str, Any] | None = None) -> SlackResult:
        """Fail on anything but a 200 whose body Slack would accept."""
        assert result.status == 200, f"{result.status}: {result.text}"
        problems = validate_ack_body(result.text or None, submitted_view=view)
        assert problems == [], problems
        return result

    async def command(self, text: str, *, user: str, channel: str = "C0SALES") -> SlackResult:
        return self.checked(await self.slack.command(text, user=user, channel=channel))

    async def open_form(self, text: str = "", *, user: str) -> dict[str, Any]:
        """``/claim [text]`` and the modal it opened."""
        before = len(self.fake.calls_to("views.open"))
        await self.command(text, user=user)
        await self.fake.wait_for("views.open", count=before + 1)
        return self.fake.latest_view()

    async def submit(
        self, view: dict[str, Any], answers: Mapping[str, object], *, user: str
    ) -> SlackResult:
        shown = self.fake.view(view["id"])
        return self.checked(await self.slack.view_submission(shown, answers, user=user), shown)

    async def file_claim(self, answers: Mapping[str, object], *, user: str) -> dict[str, Any]:
        """Open the form, submit it, return the app's answer (``response_action`` and view)."""
        view = await self.open_form(user=user)
        return dict((await self.submit(view, answers, user=user)).json())


BotFactory = Callable[..., Awaitable[Bot]]


@pytest_asyncio.fixture
async def bot_factory(fake_slack: FakeSlack, tmp_path: Path) -> AsyncIterator[BotFactory]:
    """Start bots (several may share one database, as replicas do)."""
    for user_id, name, locale in PEOPLE:
        fake_slack.add_user(user_id, name=name, locale=locale)
    started: list[Bot] = []

    async def start(
        *,
        rules: Rules | None = None,
        database_url: str | None = None,
        migrate: bool = True,
        **env: Any,
    ) -> Bot:
        values: dict[str, Any] = {
            "bot_token": "xoxb-test-token",
            "signing_secret": SIGNING_SECRET,
            "api_url": fake_slack.api_url,
            "database_url": database_url or sqlite_url(tmp_path),
            "host": "127.0.0.1",
            "port": 0,
        }
        settings = Settings(**(values | env))
        clock = FixedClock(START)
        rt = Runtime.create(settings, rules or Rules(), clock=clock)
        if migrate:
            await upgrade(rt.db)
        server = BotServer(rt)
        url = await server.start()
        slack = SlackRequester(url, SIGNING_SECRET, fake=fake_slack)
        bot = Bot(rt=rt, server=server, fake=fake_slack, slack=slack, clock=clock)
        started.append(bot)
        return bot

    yield start
    for bot in reversed(started):
        await bot.server.stop()
        await bot.rt.close()


@pytest_asyncio.fixture
async def bot(bot_factory: BotFactory) -> Bot:
    """One Claimbot on SQLite with the default rules."""
    return await bot_factory()


@pytest_asyncio.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A test's database on SQLite, then on PostgreSQL (name it before ``bot_factory``, so the
    database outlives the bots using it)."""
    async with database_of(str(request.param), tmp_path, "corrections.db") as url:
        yield url
