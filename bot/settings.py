"""Deployment settings from the environment (the names in ``shared/contract.md``).

Business rules live in ``claimbot.yaml`` (see :mod:`bot.rules`); this module holds only what
differs between deployments: credentials, addresses, the database.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///claimbot.db"
DEFAULT_CONFIG_FILE = "claimbot.yaml"


_SWITCH = {"on": True, "true": True, "1": True, "off": False, "false": False, "0": False}


class ConfigError(Exception):
    """The deployment cannot start as configured; the message is one sentence for the operator."""


# URL schemes operators copy from their provider, and the async driver we run them with.
_ASYNC_SCHEMES = {
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+psycopg2": "postgresql+asyncpg",
    "sqlite": "sqlite+aiosqlite",
}
_KNOWN_SCHEMES = frozenset({"postgresql+asyncpg", "sqlite+aiosqlite"})


def async_database_url(url: str) -> str:
    """``DATABASE_URL`` with the async driver Claimbot uses: Heroku-style ``postgres://`` and
    plain ``postgresql://`` or ``sqlite://`` URLs are accepted as they are commonly given."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ConfigError(
            f"DATABASE_URL must be a URL such as sqlite+aiosqlite:///claimbot.db or "
            f"postgresql+asyncpg://user:password@host/db, not {url!r}."
        )
    scheme = _ASYNC_SCHEMES.get(scheme.lower(), scheme.lower())
    if scheme not in _KNOWN_SCHEMES:
        raise ConfigError(
            f"DATABASE_URL must start with sqlite+aiosqlite:// or postgresql+asyncpg:// "
            f"(postgres:// and postgresql:// are accepted too), not {scheme}://."
        )
    return f"{scheme}://{rest}"


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything read from environment variables, validated and defaulted."""

    bot_token: str | None = None
    signing_secret: str | None = None
    app_token: str | None = None
    api_url: str = DEFAULT_API_URL
    database_url: str = DEFAULT_DATABASE_URL
    config_path: Path | None = None
    admins: tuple[str, ...] = ()
    host: str = "0.0.0.0"
    port: int = 3000
    log_level: str = "INFO"
    # Seconds a Web API call may take before it is abandoned (and retried or rescheduled).
    slack_timeout: float = 10.0
    # Multi-workspace (OAuth) mode: set both to serve several workspaces from one install.
    client_id: str | None = None
    client_secret: str | None = None
    state_secret: str | None = None
    # False (CLAIMBOT_BACKGROUND=off): this process answers Slack only; ``claimbot worker``
    # delivers the outbox and webhooks and runs the sweep.
    background: bool = True
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def socket_mode(self) -> bool:
        """Socket Mode is on exactly when an app-level token is given."""
        return bool(self.app_token)

    @property
    def oauth(self) -> bool:
        """Several workspaces install the app through Slack's OAuth flow."""
        return bool(self.client_id and self.client_secret)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read and check the environment; raise :class:`ConfigError` on a malformed value."""
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        api_url = get("SLACK_API_URL") or DEFAULT_API_URL
        if not api_url.startswith(("http://", "https://")):
            raise ConfigError(f"SLACK_API_URL must be an http(s) URL, not {api_url!r}.")
        if not api_url.endswith("/"):
            api_url += "/"

        port_text = get("PORT") or "3000"
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise ConfigError(f"PORT must be a number from 1 to 65535, not {port_text!r}.")

        config_path: Path | None
        if named := get("CLAIMBOT_CONFIG"):
            config_path = Path(named)
            if not config_path.is_file():
                raise ConfigError(f"CLAIMBOT_CONFIG names {named!r}, which is not a readable file.")
        else:
            default = Path(DEFAULT_CONFIG_FILE)
            config_path = default if default.is_file() else None

        timeout_text = get("CLAIMBOT_SLACK_TIMEOUT") or "10"
        try:
            slack_timeout = float(timeout_text)
        except ValueError:
            slack_timeout = -1.0
        if not 0.1 <= slack_timeout <= 120:
            raise ConfigError(
                f"CLAIMBOT_SLACK_TIMEOUT must be a number of seconds from 0.1 to 120, not {timeout_text!r}."
            )

        admins = tuple(a.strip() for a in (get("CLAIMBOT_ADMINS") or "").split(",") if a.strip())
        for admin in admins:
            if admin[:1] not in ("U", "W") or not admin.isalnum():
                raise ConfigError(
                    f"CLAIMBOT_ADMINS must list Slack user IDs such as U012ABCDEF, not {admin!r}."
                )

        background_text = (get("CLAIMBOT_BACKGROUND") or "on").lower()
        if background_text not in _SWITCH:
            raise ConfigError(
                f"CLAIMBOT_BACKGROUND must be on or off, not {get('CLAIMBOT_BACKGROUND')!r}."
            )

        return cls(
            bot_token=get("SLACK_BOT_TOKEN"),
            signing_secret=get("SLACK_SIGNING_SECRET"),
            app_token=get("SLACK_APP_TOKEN"),
            api_url=api_url,
            database_url=async_database_url(get("DATABASE_URL") or DEFAULT_DATABASE_URL),
            config_path=config_path,
            admins=admins,
            host=get("HOST") or "0.0.0.0",
            port=int(port_text),
            log_level=(get("CLAIMBOT_LOG_LEVEL") or "INFO").upper(),
            slack_timeout=slack_timeout,
            client_id=get("SLACK_CLIENT_ID"),
            client_secret=get("SLACK_CLIENT_SECRET"),
            state_secret=get("SLACK_STATE_SECRET"),
            background=_SWITCH[background_text],
        )

    def check_credentials(self, *, serving: bool = True) -> None:
        """Raise :class:`ConfigError` naming the first missing variable the chosen mode needs;
        ``serving=False`` for ``claimbot worker``, which calls Slack but is never called by it."""
        hint = (
            "create the Slack app from manifest.yaml (README, Quick start) and copy it from there"
        )
        if not serving:
            needed = [] if self.oauth else ["SLACK_BOT_TOKEN"]
        elif self.oauth:
            needed = ["SLACK_SIGNING_SECRET"]
        elif self.socket_mode:
            needed = ["SLACK_BOT_TOKEN"]
        else:
            needed = ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"]
        values = {"SLACK_BOT_TOKEN": self.bot_token, "SLACK_SIGNING_SECRET": self.signing_secret}
        for name in needed:
            if not values[name]:
                raise ConfigError(f"{name} is not set: {hint}.")
        if self.app_token and not self.app_token.startswith("xapp-"):
            raise ConfigError("SLACK_APP_TOKEN must be an app-level token starting with xapp-.")
