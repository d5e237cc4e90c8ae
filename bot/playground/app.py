"""``claimbot playground``: the real bot, the fake Slack, and a page for people, in one process.

Three servers run on the event loop: the fake Slack (its Web API on an ephemeral port of
127.0.0.1), Claimbot exactly as ``claimbot run`` starts it in HTTP mode (its app factory,
handlers, store, outbox worker, scheduler and Home refresher; its own port of 127.0.0.1, signed
requests only), and the page (``--host``/``--port``). Nothing reads the environment's Slack or
database settings: the bot gets a made-up token the fake accepts and its own SQLite file.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.claims.importer import CustomerImporter
from bot.cli.run import BotServer
from bot.fakeslack.server import FakeSlack
from bot.fakeslack.slackreq import SlackRequester
from bot.i18n import language_of_locale, t
from bot.lifecycle.report import SweepReport
from bot.playground import seed
from bot.playground.clock import PlaygroundClock
from bot.playground.session import SlackClientStandIn
from bot.runtime import Runtime
from bot.settings import Settings
from store.migrate import upgrade

log = logging.getLogger("claimbot.playground")

BOT_TOKEN = "xoxb-playground-not-a-real-token"


@dataclass
class Playground:
    """A running playground: the fake Slack, the bot, and the person-side client."""

    fake: FakeSlack
    rt: Runtime
    server: BotServer
    client: SlackClientStandIn
    clock: PlaygroundClock

    @classmethod
    async def start(cls, database: Path, *, empty: bool = False) -> Playground:
        """Start everything on 127.0.0.1; seed ``database`` unless it exists or ``empty``."""
        fresh = not database.exists()  # noqa: ASYNC240 - once, before anything runs
        fake = FakeSlack(tokens=[BOT_TOKEN])
        await fake.start()
        seed.add_people(fake)
        secret = secrets.token_hex(16)
        settings = Settings(
            bot_token=BOT_TOKEN,
            signing_secret=secret,
            api_url=fake.api_url,
            database_url=f"sqlite+aiosqlite:///{database}",
            host="127.0.0.1",
            port=0,
        )
        clock = PlaygroundClock()
        rt = Runtime.create(settings, seed.rules(), clock=clock)
        await upgrade(rt.db)
        if fresh and not empty:
            await _seed_customers(rt, clock, database.parent)
        server = BotServer(rt)
        url = await server.start()
        names = {c.channel_id: c.name for c in seed.CHANNELS}
        # Signed with the real time: Bolt refuses requests five minutes away from its host's clock.
        requester = SlackRequester(url, secret, fake=fake, channel_names=names)
        client = SlackClientStandIn(fake, requester, clock.now)
        playground = cls(fake=fake, rt=rt, server=server, client=client, clock=clock)
        if fresh and not empty:
            await playground.sweep()  # the idle claims go to the pool, as the bot would
        return playground

    async def stop(self) -> None:
        """Stop the bot, then the fake Slack."""
        await self.server.stop()
        await self.rt.close()
        await self.fake.stop()

    @property
    def workspace_id(self) -> str:
        return self.fake.identity.team_id

    # -- the clock ---------------------------------------------------------------------------

    async def advance(self, *, days: int = 0, to: datetime | None = None) -> SweepReport:
        """Move the clock forward, run the sweep at the new moment, send what is due."""
        if to is not None:
            self.clock.move_to(to)
        else:
            self.clock.advance(timedelta(days=days))
        return await self.sweep()

    async def sweep(self) -> SweepReport:
        """One sweep at the clock's now, then the outbox drained (what ``claimbot sweep`` does)."""
        report = await self.rt.lifecycle.sweeper.run(self.clock.now())
        await self.rt.outbox.drain()
        self.client.feed.bump()
        return report

    # -- what the page shows -----------------------------------------------------------------

    def person(self, user_id: str) -> seed.Person:
        for p in seed.PEOPLE:
            if p.user_id == user_id:
                return p
        raise KeyError(user_id)

    def snapshot(self, user_id: str) -> dict[str, Any]:
        """Everything ``user_id`` sees in their Slack client, for the page to draw."""
        me = self.person(user_id)
        lang = language_of_locale(me.locale, "en")
        dm = self.fake.dm_channel(user_id)
        conversations: list[dict[str, Any]] = [
            {"id": dm, "kind": "dm", "name": "Claimbot", "messages": []}
        ]
        for channel in seed.CHANNELS:
            if user_id in channel.members:
                conversations.append(
                    {
                        "id": channel.channel_id,
                        "kind": "channel",
                        "name": channel.name,
                        "messages": [],
                    }
                )
        by_id = {c["id"]: c for c in conversations}
        for message in self.fake.workspace.messages:
            target = by_id.get(message.channel)
            if target is None or message.ephemeral_user not in (None, user_id):
                continue
            order, when = self.client.arrived.get(f"{message.channel}/{message.ts}", (0, None))
            target["messages"].append(
                {
                    "ts": message.ts,
                    "order": order,
                    "at": when.isoformat() if when else None,
                    "text": message.text,
                    "blocks": message.blocks,
                    "ephemeral": message.ephemeral,
                    "deleted": message.deleted,
                    "edited": bool(message.history),
                    "thread_ts": message.thread_ts,
                }
            )
        for upload in self.fake.workspace.uploads.values():
            channel_id = self.fake.workspace.resolve_channel(upload.channel_id or "")
            target = by_id.get(channel_id)
            if target is None or not upload.completed:
                continue
            order, when = self.client.arrived.get(f"file/{upload.file_id}", (0, None))
            target["messages"].append(
                {
                    "ts": f"file/{upload.file_id}",
                    "order": order,
                    "at": when.isoformat() if when else None,
                    "text": upload.initial_comment or "",
                    "blocks": [],
                    "file": {
                        "id": upload.file_id,
                        "title": upload.title or upload.filename,
                        "name": upload.filename,
                        "image": _content_type(upload.data or b"") == "image/png",
                    },
                }
            )
        for conversation in conversations:
            conversation["messages"].sort(key=lambda m: m["order"])
        home = self.fake.home_view(user_id)
        modals = [self.fake.view(v) for v in self.client.modals.get(user_id, [])]
        return {
            "version": self.client.feed.version,
            "now": self.clock.now().isoformat(),
            "viewer": _person_json(me, lang),
            "people": [_person_json(p, language_of_locale(p.locale, "en")) for p in seed.PEOPLE],
            "channels": {c.channel_id: c.name for c in seed.CHANNELS},
            "conversations": conversations,
            "home": home,
            "modals": modals,
            "violations": list(self.fake.violations),
            "labels": labels(lang),
        }

    def file(self, file_id: str) -> tuple[bytes, str, str] | None:
        """An uploaded file's bytes, content type and name (PNG charts, zipped CSV exports)."""
        upload = self.fake.workspace.uploads.get(file_id)
        if upload is None or upload.data is None:
            return None
        return upload.data, _content_type(upload.data), upload.filename


def _content_type(data: bytes) -> str:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"PK\x03\x04"):
        return "application/zip"
    return "text/plain"


def _person_json(p: seed.Person, lang: str) -> dict[str, Any]:
    return {
        "id": p.user_id,
        "name": p.name,
        "real_name": p.real_name,
        "lang": lang,
        "tz": p.tz,
        "role": p.role,
    }


LABELS = (
    "title", "subtitle", "act_as", "dms", "channels", "home", "messages", "composer",
    "new_claim", "send", "only_you", "edited", "deleted", "clock", "day", "week", "go_to",
    "swept", "violations", "dismiss", "cancel", "not_a_command", "clock_back", "app",
    "choose", "role_rep", "role_manager", "role_admin", "role_partner", "home_loading", "failed",
    "today", "empty_conversation", "file",
)  # fmt: skip


def labels(lang: Any) -> dict[str, str]:
    """The page's own few words, in the viewer's language (the rest comes from the bot)."""
    return {key: t(f"playground.{key}", lang) for key in LABELS}


async def _seed_customers(rt: Runtime, clock: PlaygroundClock, folder: Path) -> None:
    """Customers through the importer: some held long ago (the pool), most held or known now."""
    importer = CustomerImporter(rt.db, rt.rules, clock, rt.checker)
    now = clock.now()
    clock.offset = -seed.IDLE_FOR
    await import_as(importer, rt, folder, "idle", seed.IDLE_CUSTOMERS)
    clock.offset = -seed.RECENT
    await import_as(importer, rt, folder, "customers", seed.CUSTOMERS)
    clock.offset = timedelta(0)
    log.info("playground seeded at %s", now.isoformat())


async def import_as(
    importer: CustomerImporter,
    rt: Runtime,
    folder: Path,
    name: str,
    rows: tuple[tuple[str, str, str, str, str, str], ...],
) -> None:
    await rt.directory.ensure_seeded(seed.TEAM_WORKSPACE)
    await seed.import_customers(importer, seed.TEAM_WORKSPACE, folder, name, rows)
