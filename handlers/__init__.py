"""Slack listeners, one module per surface or flow, each exposing ``register(app)``."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.runtime import Runtime
from handlers import (
    admin,
    approvals,
    books,
    claim_check,
    claim_command,
    claim_form,
    corrections,
    disputes,
    errors,
    export,
    extensions,
    followups,
    home,
    installs,
    lists,
    merge,
    middleware,
    pool,
    profiles,
    stats,
    transfers,
)


def register_all(app: AsyncApp, rt: Runtime) -> None:
    """Wire every listener into ``app``."""
    middleware.register(app, rt)
    errors.register(app)
    claim_command.register(app)
    claim_form.register(app)
    approvals.register(app)
    followups.register(app)
    extensions.register(app)
    pool.register(app)
    home.register(app)
    installs.register(app)
    profiles.register(app)
    lists.register(app)
    disputes.register(app)
    transfers.register(app)
    corrections.register(app)
    books.register(app)
    merge.register(app)


# Modules that only declare /claim subcommands (imported for their declarations).
SUBCOMMAND_MODULES = (claim_check, admin, export, stats)
