"""A team's channel hears its digest: end to end over HTTP, the fake Slack and the sweep run as
the running bot runs it, on SQLite and PostgreSQL.

The clock starts on Monday 2026-11-23, 10:00 in Shanghai; the digest time is the default 09:30,
the working days Monday to Friday.
"""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from PIL import Image
from sqlalchemy import select

from bot.fakeslack.reading import text_of
from bot.rules import Rules
from store.models import AuditEvent, Team
from tests.databases import database_of, sqlite_url
from tests.e2e.conftest import ADA, ALICE, BO, CAROL, MEI, Bot, BotFactory
from tests.e2e.processes import claimbot_sweep, sweep_env
from tests.lifecycle.support import ACME, DAY, delivered, sweep, team_rules

EAST = "C0EAST0001"
PNG = b"\x89PNG\r\n\x1a\n"


def channel_rules(**digest: object) -> dict[str, object]:
    return {
        "teams": [
            {
                "name": "East",
                "managers": [MEI],
                "members": [ALICE, BO],
                "channel": EAST,
                "language": "en",
            }
        ],
        "digest": digest,
    }


async def posted(bot: Bot) -> list[str]:
    """Everything in the team's channel so far, as text."""
    await delivered(bot)
    return [text_of(m) for m in bot.fake.messages_to(EAST)]


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_the_digest_names_the_rep_who_left_a_claim_once_a_day_and_the_summary_has_a_chart(
    bot_factory: BotFactory, tmp_path: Path, kind: str
) -> None:
    async with database_of(kind, tmp_path) as url:
        bot = await bot_factory(rules=team_rules(**channel_rules()), database_url=url)
        answer = await bot.file_claim(ACME, user=ALICE)
        assert answer["response_action"] == "update"

        # Tuesday 10:00: the claim is a day old, nothing to chase, nothing ended: no post.
        await sweep(bot, DAY)
        assert await posted(bot) == []

        # Sunday: not a working day.
        await sweep(bot, 5 * DAY)
        assert await posted(bot) == []

        # Monday 10:00, a week without a follow-up: one digest mentioning Alice, in the
        # team's language; the weekly summary of last week and its chart.
        report = await sweep(bot, DAY)
        assert report.notices["team.digest"] == 1
        messages = await posted(bot)
        digests = [m for m in messages if "today's digest" in m]
        assert len(digests) == 1
        digest = digests[0]
        assert f"<@{ALICE}>" in digest and "7 days without a follow-up" in digest
        assert "上海艾克美机器人有限公司" in digest
        assert "slack://app?team=T" in digest and "&tab=home" in digest, "Open in Home"
        for private in ("王五", "021-5555 0101", "20 welding robots"):
            assert private not in digest, "contacts and needs stay out of the channel"
        (summary,) = [m for m in messages if "last week's numbers" in m]
        assert "*Claims filed*\\n1" in summary and f"<@{ALICE}>" in summary
        await bot.fake.wait_for("files.completeUploadExternal")
        (chart,) = [u for u in bot.fake.uploads.values() if u.completed]
        assert chart.channel_id == EAST and chart.data is not None and chart.data.startswith(PNG)
        with Image.open(io.BytesIO(chart.data)) as image:
            assert image.format == "PNG" and image.size[0] > 800

        # A second pass the same day posts nothing more.
        report = await sweep(bot, timedelta(hours=2))
        assert report.notices["team.digest"] == 0
        assert len(await posted(bot)) == len(messages)
        assert len([u for u in bot.fake.uploads.values() if u.completed]) == 1

        # Down on Tuesday and Wednesday, back on Thursday morning: one digest, not three.
        await sweep(bot, 3 * DAY + timedelta(hours=-2))
        digests = [m for m in await posted(bot) if "today's digest" in m]
        assert len(digests) == 2 and "10 days without a follow-up" in digests[-1]

        # Monday: reclaimed at 10:00 by the sweep; Tuesday's digest says so, as yesterday's.
        await sweep(bot, 4 * DAY)
        await sweep(bot, DAY)
        last = [m for m in await posted(bot) if "today's digest" in m][-1]
        assert "Yesterday" in last and "Back to the public pool (1)" in last
        assert "上海艾克美机器人有限公司" in last and "without a follow-up" not in last


async def say(bot: Bot, text: str, user: str) -> str:
    """``/claim text`` and the ephemeral answer's text."""
    answer = (await bot.command(text, user=user)).json()
    assert answer["response_type"] == "ephemeral"
    return str(answer["text"])


async def team_channel(bot: Bot) -> tuple[str | None, str | None]:
    async with bot.rt.db.session() as session:
        team = await session.scalar(select(Team).where(Team.name == "East"))
    assert team is not None
    return team.channel, team.channel_set_by


async def test_admins_and_the_teams_managers_set_its_channel_and_others_are_refused(
    bot_factory: BotFactory,
) -> None:
    bot = await bot_factory(rules=team_rules())
    done = await say(bot, f"team East channel <#{EAST}|east-sales>", user=MEI)
    assert f"发到 <#{EAST}>" in done and "/invite @Claimbot" in done, "in Mei's language"
    assert await team_channel(bot) == (EAST, MEI)

    refused = await say(bot, "team East channel none", user=CAROL)
    assert "Only an admin or a manager of *East*" in refused
    assert await team_channel(bot) == (EAST, MEI)
    async with bot.rt.db.session() as session:
        audited = await session.scalars(
            select(AuditEvent).where(AuditEvent.action == "access.refused")
        )
        assert [e.data["action"] for e in audited] == ["team.channel"]

    bad = await say(bot, "team East channel east-sales", user=ADA)
    assert "`east-sales` is not a channel" in bad and "Nothing changed" in bad
    same = await say(bot, f"team East channel {EAST}", user=ADA)
    assert "already" in same

    cleared = await say(bot, "team East channel none", user=ADA)
    assert "has no channel now" in cleared
    assert await team_channel(bot) == (None, ADA)
    listing = (await bot.command("team members", user=MEI)).json()
    assert "频道：未设置" in text_of(listing), "the team list shows the channel"


async def test_claimbot_sweep_at_the_digest_time_posts_it_and_a_second_run_posts_nothing(
    bot_factory: BotFactory, tmp_path: Path
) -> None:
    rules = channel_rules(weekly_day=None) | {"admins": [ADA]}
    config = tmp_path / "claimbot.yaml"
    config.write_text(yaml.safe_dump(rules), encoding="utf-8")
    url = sqlite_url(tmp_path, "cli.db")
    bot = await bot_factory(rules=Rules.model_validate(rules), database_url=url)
    await bot.file_claim(ACME, user=ALICE)
    await delivered(bot)
    env = sweep_env(bot.fake.api_url, url) | {"CLAIMBOT_CONFIG": str(config)}

    code, output = await claimbot_sweep(tmp_path, env, "--at", "2026-12-01T09:29+08:00")
    assert code == 0, output
    assert "digest" not in output and bot.fake.messages_to(EAST) == [], "not before 09:30"

    code, output = await claimbot_sweep(
        tmp_path, env, "--at", "2026-12-01T09:30+08:00", "--dry-run"
    )
    assert code == 0 and f"would post digest  T1 team 'East' → {EAST}: 1 overdue" in output
    assert bot.fake.messages_to(EAST) == []

    code, output = await claimbot_sweep(tmp_path, env, "--at", "2026-12-01T09:30+08:00")
    assert code == 0, output
    assert "1 team.digest" in output and f"team 'East' → {EAST}: 1 overdue" in output, output
    (digest,) = bot.fake.messages_to(EAST)
    assert f"<@{ALICE}>" in text_of(digest)

    code, output = await claimbot_sweep(tmp_path, env, "--at", "2026-12-01T11:00+08:00")
    assert code == 0 and "did notify: none" in output, output
    assert len(bot.fake.messages_to(EAST)) == 1


async def test_a_channel_added_to_the_rules_file_later_reaches_the_team_unless_slack_set_it(
    bot_factory: BotFactory, tmp_path: Path
) -> None:
    url = sqlite_url(tmp_path, "seed.db")
    first = await bot_factory(rules=team_rules(), database_url=url)
    await first.rt.directory.ensure_seeded("T1")
    assert await team_channel(first) == (None, None)

    # The file gains the channel; the next start gives it to the team.
    second = await bot_factory(rules=team_rules(**channel_rules()), database_url=url)
    await second.rt.directory.ensure_seeded("T1")
    assert await team_channel(second) == (EAST, None)

    # Cleared in Slack, it stays cleared however often the bot starts.
    assert "has no channel now" in await say(second, "team East channel none", user=ADA)
    third = await bot_factory(rules=team_rules(**channel_rules()), database_url=url)
    await third.rt.directory.ensure_seeded("T1")
    assert await team_channel(third) == (None, ADA)
