"""A workspace removing Claimbot: forget its installation, stop sending to it, audit it."""

from __future__ import annotations

import logging

from bot.runtime import Runtime
from store import audit
from store.audit import SYSTEM, Action

log = logging.getLogger(__name__)


async def remove_installation(rt: Runtime, workspace_id: str, reason: str) -> None:
    """The app was uninstalled (``app_uninstalled``) or its bot token revoked
    (``tokens_revoked``): no more sends to ``workspace_id`` until it is installed again."""
    await rt.clients.remove(workspace_id, bot_only=reason == "tokens_revoked")
    async with rt.db.write() as session:
        await audit.record(
            session,
            workspace_id,
            Action.APP_UNINSTALLED,
            actor_id=SYSTEM,
            at=rt.clock.now(),
            data={"event": reason},
        )
    log.warning(
        "workspace %s removed Claimbot (%s): nothing more is sent there", workspace_id, reason
    )
