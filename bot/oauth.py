"""Several workspaces from one deployment: Slack's OAuth install flow and where tokens live.

With ``SLACK_CLIENT_ID`` and ``SLACK_CLIENT_SECRET`` set, each workspace installs Claimbot at
``/slack/install``; Slack sends the admin back to ``/slack/oauth_redirect``, and the bot token is
kept in our database by slack_sdk's SQLAlchemy installation store (tables created by our own
migrations, not by the store). Every row the bot writes carries the workspace id, so one
workspace's data is never read for another.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store.async_cacheable_installation_store import (
    AsyncCacheableInstallationStore,
)
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.settings import Settings
from bot.slack_client import BOT_SCOPES, retry_handlers
from store.db import Database

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
# How long a bot token found in the store is reused before looking again (a reinstall or a
# revoked token is noticed within this time by background senders).
TOKEN_TTL = timedelta(minutes=5)


def installation_store(settings: Settings, db: Database) -> AsyncInstallationStore:
    """The tables of slack_sdk's store in our database, with its in-process cache."""
    assert settings.client_id
    return AsyncCacheableInstallationStore(
        AsyncSQLAlchemyInstallationStore(client_id=settings.client_id, engine=db.engine)
    )


def oauth_settings(
    settings: Settings, db: Database, store: AsyncInstallationStore
) -> AsyncOAuthSettings:
    """Bolt's OAuth flow: install and redirect paths, our scopes, states kept ten minutes."""
    return AsyncOAuthSettings(
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        scopes=list(BOT_SCOPES),
        installation_store=store,
        state_store=AsyncSQLAlchemyOAuthStateStore(expiration_seconds=600, engine=db.engine),
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
    )


@dataclass
class WorkspaceClients:
    """The Web API client for a workspace: the one bot token, or the installed workspace's.

    Requests from Slack get their client from Bolt; this serves what runs beside them (the
    outbox, the scheduler), which only knows a workspace id.
    """

    base: AsyncWebClient
    clock: Clock
    store: AsyncInstallationStore | None = None
    _tokens: dict[str, tuple[str | None, datetime]] = field(default_factory=dict)
    # Workspaces that uninstalled the app or revoked its bot token since this process started:
    # nothing is sent to them until Slack sends a request from them again (a reinstall).
    _removed: set[str] = field(default_factory=set)

    def installed(self, workspace_id: str) -> bool:
        """False once the workspace removed the app (until it sends a request again)."""
        return workspace_id not in self._removed

    async def remove(self, workspace_id: str, *, bot_only: bool = False) -> None:
        """Forget the workspace's installation (its bot token when ``bot_only``)."""
        self._removed.add(workspace_id)
        self._tokens.pop(workspace_id, None)
        if self.store is not None:
            await self.store.async_delete_bot(enterprise_id=None, team_id=workspace_id)
            if not bot_only:
                await self.store.async_delete_installation(enterprise_id=None, team_id=workspace_id)

    def heard_from(self, workspace_id: str) -> None:
        """Slack sent a request from the workspace: the app is installed there (again)."""
        if workspace_id in self._removed:
            self._removed.discard(workspace_id)
            self._tokens.pop(workspace_id, None)
            log.info("workspace %s has the app installed again", workspace_id)

    async def for_workspace(self, workspace_id: str) -> AsyncWebClient:
        """A client holding the workspace's bot token (the base client in single-workspace mode)."""
        if self.store is None:
            return self.base
        token = await self._token(workspace_id)
        return AsyncWebClient(
            token=token,
            base_url=self.base.base_url,
            timeout=self.base.timeout,
            session=self.base.session,
            retry_handlers=retry_handlers(),
        )

    async def _token(self, workspace_id: str) -> str | None:
        now = self.clock.now()
        cached = self._tokens.get(workspace_id)
        if cached is not None and cached[1] > now:
            return cached[0]
        assert self.store is not None
        bot = await self.store.async_find_bot(enterprise_id=None, team_id=workspace_id)
        token = bot.bot_token if bot is not None else None
        if token is None:
            log.warning(
                "no installation for workspace %s: its messages cannot be sent", workspace_id
            )
        self._tokens[workspace_id] = (token, now + TOKEN_TTL)
        return token
