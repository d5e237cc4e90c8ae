"""The outbox worker: sends pending notifications, each marked sent exactly once.

Delivery is at-least-once with at most one repeat: a row is leased, sent, then marked; a worker
that dies between sending and marking leaves a lease that expires, and the row is sent once more.
Failures are kept, never dropped: a rate limit waits for Slack's Retry-After, a server or network
error backs off exponentially, an error that retrying cannot fix (a deleted channel, a
deactivated user) marks the row failed with its error, and every give-up is logged.

A notice meant for working hours (reminders; see :mod:`bot.notify.hours`) that falls due outside
the recipient's own working hours is held until they begin, without counting as an attempt.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from aiohttp import ClientError
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.models.blocks import Block
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.i18n import LANGS, Lang, Translator
from bot.notify import HOME_LINK, HOME_URL, LANG, card_subjects, landed
from bot.notify.fallback import CHANNEL_UNUSABLE, ChannelFallback, is_channel
from bot.notify.files import file_renderer
from bot.notify.hours import HOURS, deadline_of, delivery_time, is_person
from bot.notify.inplace import CARD_UPDATE, LOST_CARD_ERRORS
from bot.notify.loop import DrainLoop
from bot.notify.pace import ChannelPace
from bot.oauth import WorkspaceClients
from bot.people import PeopleDirectory
from bot.rules import Rules
from store import outbox, posted
from store.db import Database

log = logging.getLogger(__name__)

# How long one chat.postMessage may take before the worker gives up on it (CLAIMBOT_SLACK_TIMEOUT
# when that is longer). Longer than other calls: a send cut short may still land at Slack, and
# then the retry has to look for it first (bot.notify.landed).
POST_TIMEOUT_SECONDS = 30.0

# How long notices for a workspace that removed the app wait before being looked at again.
REMOVED_HOLD = timedelta(hours=1)

# A notice's fallback text and blocks, from its kind and payload (cards.registry.render_notice,
# handed in by the runtime so that bot/ does not import cards/).
NoticeRenderer = Callable[[str, dict[str, Any], Translator], tuple[str, list[Block]]]

# Slack errors that no retry will cure.
PERMANENT_ERRORS = (
    frozenset(
        {
            "channel_not_found",
            "user_not_found",
            "is_archived",
            "not_in_channel",
            "account_inactive",
            "user_disabled",
            "cannot_dm_bot",
            "invalid_blocks",
            "invalid_arguments",
            "msg_too_long",
            "no_text",
            "restricted_action",
            "not_authed",
            "invalid_auth",
            "token_revoked",
            "missing_scope",
        }
    )
    | LOST_CARD_ERRORS
)


@dataclass(frozen=True, slots=True)
class Leased:
    """A leased outbox row, detached from its session."""

    id: int
    workspace_id: str
    kind: str
    recipient: str
    payload: dict[str, Any]
    attempts: int
    last_error: str | None = None


@dataclass
class DrainReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    deferred: int = 0  # held back for the recipient's working hours


class OutboxWorker(DrainLoop):
    """Drains the outbox on a timer and whenever :meth:`kick` says there is something new."""

    def __init__(
        self,
        db: Database,
        rules: Rules,
        clock: Clock,
        people: PeopleDirectory,
        client: AsyncWebClient | WorkspaceClients,
        *,
        render: NoticeRenderer,
        batch: int = 20,
        lease: timedelta = timedelta(minutes=2),
        max_attempts: int = 10,
        fallback: ChannelFallback | None = None,
        post_timeout: float = POST_TIMEOUT_SECONDS,
    ) -> None:
        super().__init__("outbox", rules.schedule.outbox_interval_seconds)
        self.db = db
        # Where a notice goes when its channel refuses it (None: it fails, as any other error).
        self.fallback = fallback
        self.rules = rules
        self.clock = clock
        self.people = people
        self.render = render
        # Each row is sent with its own workspace's token (several in multi-workspace mode).
        self.clients = (
            client if isinstance(client, WorkspaceClients) else WorkspaceClients(client, clock)
        )
        self.client = self.clients.base
        self.batch = batch
        self.lease = lease
        self.max_attempts = max_attempts
        self._app_links: dict[str, str | None] = {}
        # chat.postMessage waits longer than other calls: every timeout there risks a repeat.
        self.post_timeout = post_timeout
        # Its own keep-alive session with that timeout, while the worker runs (else one a call).
        self._post_session: aiohttp.ClientSession | None = None
        # Workspaces whose install lacks im:history (reinstalled since? a restart asks again).
        self._no_history: set[str] = set()
        # Slack's per-channel pace for posts (bot.notify.pace).
        self.pace = ChannelPace(
            rules.delivery.channel_posts_per_second, rules.delivery.channel_post_burst
        )

    async def drain(self, *, limit: int | None = None) -> DrainReport:
        """Send everything due now (or up to ``limit`` messages).

        A channel that has to wait for Slack's pace (bot.notify.pace) is skipped while the
        others go on; the drain naps until it may post again, so it returns only when nothing
        due is left, as before, and a notice enqueued meanwhile (a kick) is not held up.
        """
        report = DrainReport()
        while limit is None or report.sent + report.retried + report.failed < limit:
            busy = self.pace.busy()
            rows = await self._lease(skip=busy)
            if not rows:
                wait = await self._pace_wait(busy)
                if wait is None:
                    break
                await self._nap(wait)
                if self._stopping.is_set():
                    return report
                continue
            waiting: list[int] = []
            for row in rows:
                if self._stopping.is_set():
                    return report
                if row.kind != CARD_UPDATE and self.pace.wait(row.recipient) > 0:
                    waiting.append(row.id)
                    continue
                await self._deliver(row, report)
            if waiting:
                # Back in the queue in their place (not an attempt), for when the channel may
                # post again; meanwhile the lease skips that channel.
                async with self.db.session() as session:
                    await outbox.put_back(session, waiting)
        return report

    async def _pace_wait(self, busy: list[str]) -> float | None:
        """Seconds until the first of the ``busy`` channels that still have rows due may post;
        None when none has any (the drain is done)."""
        if not busy:
            return None
        async with self.db.session() as session:
            due = await outbox.due_recipients(session, now=self.clock.now(), among=busy)
        if not due:
            return None
        return min(self.pace.wait(channel) for channel in due)

    async def _nap(self, seconds: float) -> None:
        """Wait ``seconds``, or less when kicked (a new notice) or stopped."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)
        if not self._stopping.is_set():
            self._wake.clear()

    async def _lease(self, *, skip: list[str]) -> list[Leased]:
        async with self.db.write() as session:
            rows = await outbox.lease_due(
                session, now=self.clock.now(), lease=self.lease, limit=self.batch, skip=skip
            )
            return [
                Leased(
                    r.id,
                    r.workspace_id,
                    r.kind,
                    r.recipient,
                    dict(r.payload),
                    r.attempts,
                    r.last_error,
                )
                for r in rows
            ]

    async def _deliver(self, row: Leased, report: DrainReport) -> None:
        if not self.clients.installed(row.workspace_id):
            # The workspace removed the app: hold its notices (not an attempt) in case it
            # comes back, rather than spending their attempts on a dead token.
            async with self.db.session() as session:
                await outbox.defer(session, row.id, until=self.clock.now() + REMOVED_HOLD)
            report.deferred += 1
            return
        client = await self.clients.for_workspace(row.workspace_id)
        sender = without_retries(client)
        held_until = await self._outside_working_hours(row, client)
        if held_until is not None:
            async with self.db.session() as session:
                await outbox.defer(session, row.id, until=held_until)
            report.deferred += 1
            return
        if row.kind == CARD_UPDATE:
            await self._update_card(row, sender, report)
            return
        make_file = file_renderer(row.kind)
        try:
            text, blocks = await self._render(row, client)
            if make_file is not None:
                shared = await make_file(row.payload, self._translator(row, None))
        except Exception as exc:  # a card bug must not block the queue behind it
            log.exception("cannot render outbox %s (%s)", row.id, row.kind)
            await self._fail(row, f"render: {exc!r}", report)
            return
        if make_file is None and await self._landed_already(row, client, report):
            return
        self.pace.take(row.recipient)
        try:
            if make_file is not None:
                response = await sender.files_upload_v2(
                    channel=row.recipient,
                    file=shared.content,
                    filename=shared.filename,
                    title=shared.title,
                    alt_txt=shared.alt_text[:1000],
                    initial_comment=text,
                )
            else:
                response = await self._poster(sender).chat_postMessage(
                    channel=row.recipient,
                    text=text,
                    blocks=blocks,
                    metadata=landed.metadata(row.id),
                )
        except SlackApiError as exc:
            await self._refused(row, exc, report)
            return
        except (ClientError, TimeoutError, OSError, SlackRequestError) as exc:
            # No answer: Slack may yet post it, so the next try first looks for it.
            mark = landed.UNCERTAIN if landed.unanswered(exc) and make_file is None else ""
            await self._retry(row, f"{mark}{exc.__class__.__name__}: {exc}", None, report)
            return
        channel = str(response.get("channel") or row.recipient)
        ts = str(response.get("ts") or "")
        await self._sent(row, channel, ts, report)

    async def _landed_already(
        self, row: Leased, client: AsyncWebClient, report: DrainReport
    ) -> bool:
        """After a try that got no answer, or whose outcome was never recorded: whether that
        try's message is in the DM after all (then it is marked sent, not sent again). True when
        the row was dealt with."""
        if not (row.last_error or "").startswith((landed.UNCERTAIN, outbox.LEASE_LAPSED)):
            return False
        if not landed.checkable(row.recipient) or row.workspace_id in self._no_history:
            return False
        try:
            found = await landed.find_landed(client, row.recipient, row.id)
        except SlackApiError as exc:
            error = str(exc.response.get("error") or exc.response.status_code)
            if error in ("missing_scope", "not_allowed_token_type"):
                # An install from before im:history: send again, as before the check existed.
                log.warning("outbox %s: cannot check for a landed copy (%s)", row.id, error)
                self._no_history.add(row.workspace_id)  # until the next restart
                return False
            await self._retry(row, f"{landed.UNCERTAIN}check: {error}", None, report)
            return True
        except (ClientError, TimeoutError, OSError, SlackRequestError) as exc:
            await self._retry(row, f"{landed.UNCERTAIN}check: {exc!r}", None, report)
            return True
        if found is None:
            return False
        log.info("outbox %s had landed after all (%s %s): not sent again", row.id, *found)
        await self._sent(row, found[0], found[1], report)
        return True

    def _poster(self, sender: AsyncWebClient) -> AsyncWebClient:
        """``sender`` with chat.postMessage's own, longer timeout (see POST_TIMEOUT_SECONDS)."""
        poster = copy.copy(sender)
        poster.timeout = int(max(poster.timeout, self.post_timeout))
        poster.session = self._post_session
        return poster

    async def start(self) -> None:
        self._post_session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=self.post_timeout)
        )
        await super().start()

    async def stop(self) -> None:
        await super().stop()
        if self._post_session is not None:
            await self._post_session.close()
            self._post_session = None

    async def _sent(self, row: Leased, channel: str, ts: str, report: DrainReport) -> None:
        async with self.db.session() as session:
            await outbox.mark_sent(session, row.id, at=self.clock.now(), channel=channel, ts=ts)
            for subject, subject_id in card_subjects(row.payload):
                await posted.record(
                    session,
                    row.workspace_id,
                    subject=subject,
                    subject_id=subject_id,
                    recipient=row.recipient,
                    channel=channel,
                    ts=ts,
                    at=self.clock.now(),
                )
        report.sent += 1

    async def _update_card(self, row: Leased, sender: AsyncWebClient, report: DrainReport) -> None:
        """A card update that did not land when the decision was made (bot.notify.inplace)."""
        channel, ts = str(row.payload["channel"]), str(row.payload["ts"])
        try:
            await sender.chat_update(
                channel=channel, ts=ts, text=row.payload["text"], blocks=row.payload["blocks"]
            )
        except SlackApiError as exc:
            await self._refused(row, exc, report)
            return
        except (ClientError, TimeoutError, OSError, SlackRequestError) as exc:
            await self._retry(row, f"{exc.__class__.__name__}: {exc}", None, report)
            return
        async with self.db.session() as session:
            await outbox.mark_sent(session, row.id, at=self.clock.now(), channel=channel, ts=ts)
        report.sent += 1

    async def _refused(self, row: Leased, exc: SlackApiError, report: DrainReport) -> None:
        """Slack answered with an error: wait, reroute, give up or retry, as the error says."""
        error = str(exc.response.get("error") or exc.response.status_code)
        if exc.response.status_code == 429:
            wait = _retry_after(exc.response.headers)
            # Slack's per-channel pace, not the message's fault: no attempt is used up.
            await self._retry(row, f"ratelimited (retry after {wait}s)", wait, report, counts=False)
        elif (
            error in CHANNEL_UNUSABLE
            and is_channel(row.recipient)
            and self.fallback
            and row.kind != CARD_UPDATE
        ):
            await self.fallback.reroute(
                row.workspace_id, row.id, row.kind, row.recipient, row.payload, error
            )
            await self._fail(row, error, report)
        elif error in PERMANENT_ERRORS:
            await self._fail(row, error, report)
        else:
            await self._retry(row, error, None, report)

    async def _outside_working_hours(self, row: Leased, client: AsyncWebClient) -> datetime | None:
        """When a working-hours notice may go, if not now: checked again at sending time with
        the recipient's time zone fresh from Slack (the enqueuer may have had only a guess)."""
        if not row.payload.get(HOURS) or not is_person(row.recipient):
            return None
        profile = await self.people.profile(row.workspace_id, row.recipient, client)
        now = self.clock.now()
        when = delivery_time(
            now, profile.tz, self.rules.delivery, deliver_by=deadline_of(row.payload)
        )
        return when if when > now else None

    async def _render(self, row: Leased, client: AsyncWebClient) -> tuple[str, list[Block]]:
        lang: Lang | None = None
        if row.recipient[:1] in ("U", "W"):
            profile = await self.people.profile(row.workspace_id, row.recipient, client)
            lang = profile.lang
        payload = row.payload
        if payload.get(HOME_LINK):
            payload = payload | {HOME_URL: await self._home_url(row.workspace_id, client)}
        return self.render(row.kind, payload, self._translator(row, lang))

    def _translator(self, row: Leased, lang: Lang | None) -> Translator:
        """A person's language; for a channel, the notice's own (a team's) or the workspace's."""
        wanted = row.payload.get(LANG)
        return Translator(lang or (wanted if wanted in LANGS else self.rules.language))

    async def _home_url(self, workspace_id: str, client: AsyncWebClient) -> str | None:
        """Slack's deep link to Claimbot's Home tab (``slack://app?…&tab=home``, the link Slack
        recommends for a button that opens the App Home), from ``auth.test``'s app and team IDs;
        None when Slack does not tell them (the card then goes without the button)."""
        if workspace_id not in self._app_links:
            try:
                identity = await client.auth_test()
            except (SlackApiError, ClientError, TimeoutError, OSError) as exc:
                log.warning("no app link for %s: %s", workspace_id, exc)
                return None
            app_id, team_id = identity.get("app_id"), identity.get("team_id")
            self._app_links[workspace_id] = (
                f"slack://app?team={team_id}&id={app_id}&tab=home" if app_id and team_id else None
            )
        return self._app_links[workspace_id]

    async def _retry(
        self,
        row: Leased,
        error: str,
        wait_seconds: float | None,
        report: DrainReport,
        *,
        counts: bool = True,
    ) -> None:
        if counts and row.attempts >= self.max_attempts:
            await self._fail(row, f"gave up after {row.attempts} attempts: {error}", report)
            return
        if wait_seconds is None:
            # 5 s, 10 s, 20 s … capped at an hour, with jitter so replicas do not retry in step.
            wait_seconds = min(5 * 2 ** (row.attempts - 1), 3600) * random.uniform(0.8, 1.2)
        retry_at = self.clock.now() + timedelta(seconds=wait_seconds)
        log.warning("outbox %s (%s) will retry at %s: %s", row.id, row.kind, retry_at, error)
        async with self.db.session() as session:
            await outbox.mark_retry(session, row.id, error=error, retry_at=retry_at, counts=counts)
        report.retried += 1

    async def _fail(self, row: Leased, error: str, report: DrainReport) -> None:
        log.error(
            "outbox %s (%s to %s) failed for good: %s", row.id, row.kind, row.recipient, error
        )
        async with self.db.session() as session:
            await outbox.mark_failed(session, row.id, error=error)
        report.failed += 1


def without_retries(client: AsyncWebClient) -> AsyncWebClient:
    """The client without slack_sdk's in-call retries (sharing its HTTP session).

    The outbox keeps its own retry schedule in the database: a 429 waits for Retry-After there,
    while the worker goes on with the rows behind it, and a retry survives a restart. In-call
    retries would instead sleep inside the send, holding up the whole queue for one channel.
    """
    sender = copy.copy(client)
    sender.retry_handlers = []
    return sender


def _retry_after(headers: Any) -> float:
    value = None
    if headers:
        for name, raw in dict(headers).items():
            if name.lower() == "retry-after":
                value = raw[0] if isinstance(raw, list) else raw
    try:
        return max(1.0, float(value)) if value is not None else 30.0
    except ValueError:
        return 30.0
