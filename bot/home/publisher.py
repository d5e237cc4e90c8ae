"""Publishing a person's Home (``views.publish``), in their language, as they last left it.

The publisher remembers, per person and in this process, the state they last chose (period,
pages) for refreshes that come without a click, a one-line notice shown on top for a short while
(why a click on the Home changed nothing, say), and a digest of the view last published so that a
refresh that would change nothing does not call Slack.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.home.model import HomeModel
from bot.home.service import HomeService
from bot.home.state import HomeState
from bot.i18n import Translator
from bot.oauth import WorkspaceClients
from bot.people import PeopleDirectory
from bot.rules import Rules

log = logging.getLogger(__name__)

NOTICE_SECONDS = 120.0


class HomeRenderer(Protocol):
    """Builds the Home view (cards.home.home_view, handed in by the runtime)."""

    def __call__(
        self, model: HomeModel, tr: Translator, rules: Rules, *, notice: str | None = None
    ) -> View: ...


Key = tuple[str, str]


@dataclass
class HomePublisher:
    """Builds and publishes Homes; one per process."""

    service: HomeService
    people: PeopleDirectory
    rules: Rules
    clients: WorkspaceClients
    render: HomeRenderer
    monotonic: Callable[[], float] = time.monotonic
    _states: dict[Key, HomeState] = field(default_factory=dict)
    _notices: dict[Key, tuple[str, float]] = field(default_factory=dict)
    _digests: dict[Key, str] = field(default_factory=dict)
    _locks: dict[Key, asyncio.Lock] = field(default_factory=dict)

    def state(self, workspace_id: str, user_id: str) -> HomeState:
        """The state this person last left their Home in (here), or the default one."""
        return self._states.get((workspace_id, user_id)) or HomeState()

    async def publish(
        self,
        workspace_id: str,
        user_id: str,
        *,
        state: HomeState | None = None,
        notice: str | None = None,
        client: AsyncWebClient | None = None,
        unchanged_ok: bool = False,
    ) -> bool:
        """Build and publish the Home; returns whether Slack was called.

        ``client`` is the request's (Bolt's); without one, the workspace's own is used.
        ``state`` None keeps the last one; ``notice`` shows a line on top (kept for
        :data:`NOTICE_SECONDS` across refreshes); ``unchanged_ok`` skips the call when the view is
        exactly the one last published from here (background refreshes).
        """
        key = (workspace_id, user_id)
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            chosen = state or self.state(workspace_id, user_id)
            self._states[key] = chosen
            now = self.monotonic()
            if notice:
                self._notices[key] = (notice, now + NOTICE_SECONDS)
            kept = self._notices.get(key)
            if kept is not None and kept[1] <= now:
                del self._notices[key]
                kept = None
            model = await self.service.build(workspace_id, user_id, chosen)
            web = client or await self.clients.for_workspace(workspace_id)
            lang = (await self.people.profile(workspace_id, user_id, web)).lang
            view = self.render(
                model, Translator(lang), self.rules, notice=kept[0] if kept else None
            )
            body = view.to_dict()
            digest = hashlib.blake2b(
                json.dumps(body, sort_keys=True, ensure_ascii=False).encode(), digest_size=16
            ).hexdigest()
            if unchanged_ok and self._digests.get(key) == digest:
                return False
            await web.views_publish(user_id=user_id, view=body)
            self._digests[key] = digest
            return True

    def forget_notice(self, workspace_id: str, user_id: str) -> None:
        """Drop the notice (the person opened their Home afresh)."""
        self._notices.pop((workspace_id, user_id), None)
