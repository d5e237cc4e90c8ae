"""Is this deployment ready? The checks behind ``claimbot doctor`` and the bot's start-up block.

Each check gives one line: ✓ with what was found, or ✗ with what to do. They read only: no
database is created or migrated, no message is left in a channel (the channel check schedules
a message an hour ahead and deletes it at once, which needs no scope beyond ``chat:write`` and
answers exactly as a post would: ``channel_not_found``, ``not_in_channel``, ``is_archived``).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import aiohttp
import yaml
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.exc import SQLAlchemyError

from bot.clock import Clock
from bot.rules import Rules
from bot.settings import Settings
from bot.slack_client import BOT_SCOPES
from bot.webhooks.status import webhook_status
from store import directory as directory_store
from store.db import Database, DatabaseUnavailable, database_file, describe_url
from store.migrate import current_revision, head_revision
from store.models import Role

log = logging.getLogger(__name__)

# auth.test answers these when the token itself is wrong (not when Slack is merely away).
BAD_TOKEN_ERRORS = frozenset(
    {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}
)
# What a Web API call raises when Slack cannot be reached at all.
UNREACHABLE = (aiohttp.ClientError, OSError, asyncio.TimeoutError)
MANIFEST_FILE = "manifest.yaml"


@dataclass(frozen=True, slots=True)
class Check:
    """One line of the report: what was checked, whether it passed, and what was found or to do."""

    name: str
    ok: bool
    detail: str
    refused: bool = False

    def line(self) -> str:
        return f"{'✓' if self.ok else '✗'} {self.name}: {self.detail}"


@dataclass(frozen=True, slots=True)
class Identity:
    """Who the bot token belongs to (``auth.test``)."""

    team_id: str
    team: str
    bot_user_id: str
    bot_name: str
    scopes: frozenset[str] | None


@dataclass
class Report:
    """Every check's result, in the order they ran."""

    checks: list[Check] = field(default_factory=list)
    identity: Identity | None = None
    revision: str | None = None
    # Set when Slack refused the bot token: one sentence saying what to do (start-up stops).
    refused: str | None = None

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    def lines(self) -> list[str]:
        return [c.line() for c in self.checks]


class BadToken(Exception):
    """Slack refused the bot token; the message is one sentence for the operator."""


async def identify(client: AsyncWebClient) -> Identity:
    """``auth.test``: the workspace and bot user of the token, and its granted scopes.

    Raises :class:`BadToken` when Slack refuses the token and lets network errors through.
    """
    try:
        response = await client.auth_test()
    except SlackApiError as exc:
        error = str(exc.response.get("error"))
        raise BadToken(
            f"Slack refuses SLACK_BOT_TOKEN ({error}): copy the Bot User OAuth Token (xoxb-…) "
            "from the app's OAuth & Permissions page, and reinstall the app if it was removed."
        ) from exc
    header = {k.lower(): v for k, v in (response.headers or {}).items()}.get("x-oauth-scopes")
    scopes = None if header is None else frozenset(s.strip() for s in header.split(",") if s)
    return Identity(
        team_id=str(response["team_id"]),
        team=str(response.get("team") or ""),
        bot_user_id=str(response.get("user_id") or ""),
        bot_name=str(response.get("user") or ""),
        scopes=scopes,
    )


def manifest_scopes(path: Path | None = None) -> frozenset[str] | None:
    """The bot scopes ``manifest.yaml`` asks for, when the file is at hand (a source checkout)."""
    candidates = (
        [path] if path else [Path(MANIFEST_FILE), Path(__file__).parent.parent / MANIFEST_FILE]
    )
    for candidate in candidates:
        if candidate.is_file():
            data = yaml.safe_load(candidate.read_text(encoding="utf-8")) or {}
            scopes = data.get("oauth_config", {}).get("scopes", {}).get("bot", [])
            return frozenset(str(s) for s in scopes)
    return None


@dataclass
class Doctor:
    """Runs the checks against one deployment's settings, rules, database and Slack."""

    settings: Settings
    db: Database
    client: AsyncWebClient
    clock: Clock
    rules: Rules | None = None
    rules_error: str | None = None
    manifest: Path | None = None

    async def run(self) -> Report:
        """Every check, one line each; a failed check never stops the next."""
        report = Report()
        add = report.checks.append
        add(self.check_rules())
        add(await self.check_database(report))
        if self.settings.bot_token:
            token_check, report.identity = await self.check_token()
            add(token_check)
            if token_check.refused:
                report.refused = token_check.detail
            if report.identity is not None:
                add(self.check_scopes(report.identity))
                if self.rules is not None:
                    report.checks.extend(await self.check_channels(self.rules))
                    report.checks.extend(
                        await self.check_team_channels(
                            self.rules,
                            report.identity.team_id,
                            database_ok=report.revision is not None,
                        )
                    )
        elif self.settings.oauth:
            add(Check("token", True, "multi-workspace mode: each installation brings its token"))
        else:
            add(
                Check(
                    "token", False, "SLACK_BOT_TOKEN is not set: copy it from OAuth & Permissions"
                )
            )
        if self.rules is not None:
            workspace = report.identity.team_id if report.identity else None
            add(await self.check_admins(workspace, database_ok=report.revision is not None))
        if self.rules is not None and report.revision is not None:
            report.checks.extend(await self.check_webhooks(self.rules))
        return report

    def check_rules(self) -> Check:
        where = str(self.settings.config_path) if self.settings.config_path else None
        if self.rules_error is not None:
            return Check(
                "rules", False, f"{self.rules_error} Fix it, then run claimbot doctor again."
            )
        if where is None:
            return Check(
                "rules",
                True,
                "no claimbot.yaml: the built-in defaults apply (copy claimbot.example.yaml to change them)",
            )
        return Check("rules", True, f"{where} loads")

    async def check_database(self, report: Report) -> Check:
        name = describe_url(self.db.url)
        path = database_file(self.db.url)
        if path is not None and not path.exists():
            return Check(
                "database",
                False,
                f"{name}: there is no database file yet: run claimbot migrate (or check DATABASE_URL)",
            )
        try:
            revision = await asyncio.wait_for(current_revision(self.db), timeout=10)
        except (SQLAlchemyError, DatabaseUnavailable, OSError, TimeoutError) as exc:
            reason = exc.__class__.__name__
            return Check(
                "database",
                False,
                f"{name} cannot be reached ({reason}): check DATABASE_URL and that the server runs",
            )
        head = head_revision()
        if revision != head:
            at = revision or "empty"
            return Check(
                "database",
                False,
                f"{name} is at schema revision {at}, the code needs {head}: run claimbot migrate",
            )
        report.revision = revision
        return Check("database", True, f"{name}, schema revision {revision} (up to date)")

    async def check_token(self) -> tuple[Check, Identity | None]:
        try:
            identity = await identify(self.client)
        except BadToken as exc:
            return Check("token", False, str(exc), refused=True), None
        except UNREACHABLE as exc:
            return (
                Check(
                    "token",
                    False,
                    f"Slack cannot be reached at {self.settings.api_url} "
                    f"({exc.__class__.__name__}): check the network, a proxy, or SLACK_API_URL",
                ),
                None,
            )
        return (
            Check(
                "token",
                True,
                f"workspace {identity.team} ({identity.team_id}), "
                f"bot user @{identity.bot_name} ({identity.bot_user_id})",
            ),
            identity,
        )

    def check_scopes(self, identity: Identity) -> Check:
        if identity.scopes is None:
            return Check(
                "scopes", False, "Slack did not report the token's scopes (no x-oauth-scopes)"
            )
        needed = set(BOT_SCOPES) | set(manifest_scopes(self.manifest) or ())
        missing = sorted(needed - identity.scopes)
        if missing:
            return Check(
                "scopes",
                False,
                f"missing {', '.join(missing)}: add them under OAuth & Permissions → Bot Token "
                "Scopes (or recreate the app from manifest.yaml), then reinstall the app",
            )
        return Check("scopes", True, f"{', '.join(sorted(needed))} granted")

    async def check_channels(self, rules: Rules) -> list[Check]:
        configured = {
            "approvals": rules.channels.approvals,
            "pool": rules.channels.pool,
        }
        if not any(configured.values()):
            return [
                Check(
                    "channels",
                    True,
                    "none configured: approval cards and pool notices go to people's DMs",
                )
            ]
        return [
            await self.check_channel(f"channels.{purpose}", channel)
            for purpose, channel in configured.items()
            if channel
        ]

    async def check_team_channels(
        self, rules: Rules, workspace: str, *, database_ok: bool
    ) -> list[Check]:
        """Each team's digest channel: as the database has it (set in Slack, or seeded from the
        rules file), else as the rules file names it. No team with a channel, no line."""
        channels: dict[str, str | None] = {t.name: t.channel for t in rules.teams if t.channel}
        if database_ok:
            try:
                async with self.db.session() as session:
                    for team in await directory_store.teams(session, workspace):
                        if team.channel or team.channel_set_by:
                            channels[team.name] = team.channel
            except DatabaseUnavailable:
                pass
        return [
            await self.check_channel(f"teams.{name}.channel", channel)
            for name, channel in channels.items()
            if channel
        ]

    async def check_channel(self, name: str, channel: str) -> Check:
        post_at = int((self.clock.now() + timedelta(hours=1)).timestamp())
        try:
            scheduled = await self.client.chat_scheduleMessage(
                channel=channel, post_at=post_at, text="claimbot doctor: checking this channel"
            )
            await self.client.chat_deleteScheduledMessage(
                channel=str(scheduled["channel"]),
                scheduled_message_id=str(scheduled["scheduled_message_id"]),
            )
        except SlackApiError as exc:
            error = str(exc.response.get("error"))
            advice = {
                "channel_not_found": "no such channel, or a private one the bot was not invited "
                "to: check the ID (channel details, at the bottom) or /invite @claimbot there",
                "not_in_channel": "the bot is not a member: /invite @claimbot in that channel",
                "is_archived": "the channel is archived: unarchive it or configure another",
            }.get(error, "the bot cannot post there")
            return Check(name, False, f"{channel}: {error}: {advice}")
        except UNREACHABLE as exc:
            return Check(name, False, f"{channel}: not checked, Slack unreachable ({exc!r})")
        return Check(name, True, f"{channel} exists and the bot can post there")

    async def check_webhooks(self, rules: Rules) -> list[Check]:
        """Each webhook endpoint: nothing given up on, nothing waiting too long."""
        try:
            statuses = await webhook_status(self.db, rules, self.clock.now())
        except (SQLAlchemyError, DatabaseUnavailable, OSError) as exc:
            return [Check("webhooks", False, f"not checked: the database failed ({exc!r})")]
        return [
            Check(f"webhooks.{s.name}", s.ok, s.line().split("): ", 1)[-1] + f" ({s.url})")
            for s in statuses
        ]

    async def check_admins(self, workspace: str | None, *, database_ok: bool) -> Check:
        assert self.rules is not None
        admins = list(dict.fromkeys([*self.settings.admins, *self.rules.admins]))
        if workspace is not None and database_ok:
            try:
                async with self.db.session() as session:
                    stored = await directory_store.people_with_role(session, workspace, Role.ADMIN)
                admins = list(dict.fromkeys([*admins, *stored]))
            except DatabaseUnavailable:
                pass
        if not admins:
            return Check(
                "admins",
                False,
                "nobody is an admin, so claims that need a decision wait for nobody and nobody "
                "can create teams: set CLAIMBOT_ADMINS to your Slack member ID "
                "(profile → ⋯ → Copy member ID)",
            )
        return Check("admins", True, ", ".join(admins))
