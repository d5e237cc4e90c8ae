"""The Slack Web API client: our base URL, a timeout, and retries on the failures worth retrying."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import aiohttp
import orjson
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.settings import Settings

log = logging.getLogger(__name__)

# The bot scopes the features need (manifest.yaml lists the same; a test keeps them equal).
BOT_SCOPES = (
    "commands",
    "chat:write",
    "chat:write.public",
    "im:write",
    "users:read",
    "files:write",
    "im:history",
)


def retry_handlers() -> list[AsyncRetryHandler]:
    """slack_sdk's own handlers: 429 waits for Retry-After; 500/503 and dropped connections retry
    with backoff. Two retries each: enough for a blip, short enough not to hold a request."""
    return [
        AsyncConnectionErrorRetryHandler(max_retry_count=2),
        AsyncRateLimitErrorRetryHandler(max_retry_count=2),
        AsyncServerErrorRetryHandler(max_retry_count=2),
    ]


def web_client(settings: Settings, token: str | None = None) -> AsyncWebClient:
    """A client for ``settings.api_url`` (real Slack, GovSlack, a proxy, or the test fake)."""
    return AsyncWebClient(
        token=token if token is not None else settings.bot_token,
        base_url=settings.api_url,
        timeout=int(max(1, settings.slack_timeout)),
        retry_handlers=retry_handlers(),
        logger=api_logger(settings.log_level),
    )


def api_logger(level: str) -> logging.Logger:
    """The logger of Web API calls, its level set to the bot's.

    slack_sdk decides whether to write its debug line about each call by ``logger.level <=
    DEBUG``, the logger's own level rather than the effective one, and its own logger's level is
    unset (0): every call formatted its whole request, a modal's ``repr`` included, for a line
    nobody saw (a tenth of the CPU of opening the claim form).
    """
    logger = logging.getLogger("claimbot.slack_api")
    logger.setLevel(level)
    return logger


# Uploads go to Slack's upload URL and carry whole files (an export, a chart): a call that may
# take minutes on a slow link, where an API call is cut after CLAIMBOT_SLACK_TIMEOUT.
UPLOAD_TIMEOUT_SECONDS = 300


def for_uploads(client: AsyncWebClient) -> AsyncWebClient:
    """A copy of ``client`` (same token, URL and retries) for ``files_upload_v2``: without the
    shared session, whose total timeout would cut the upload, and with a longer timeout."""
    return AsyncWebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=max(client.timeout, UPLOAD_TIMEOUT_SECONDS),
        retry_handlers=client.retry_handlers,
        proxy=client.proxy,
        ssl=client.ssl,
    )


class SlackSession:
    """One keep-alive HTTP session for every Web API call of the process.

    Without it slack_sdk opens a new connection (TCP and TLS) for each call. Started first and
    stopped last among the background services; Bolt copies it into each request's client.
    """

    def __init__(self, *clients: AsyncWebClient, timeout: float = 10.0) -> None:
        self.clients = clients
        self.timeout = timeout
        self.session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        self.session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=self.timeout), json_serialize=to_json
        )
        for client in self.clients:
            client.session = self.session

    async def stop(self) -> None:
        for client in self.clients:
            client.session = None
        if self.session is not None:
            await self.session.close()
            self.session = None


def to_json(value: object) -> str:
    """A Web API call's JSON body: orjson writes a modal in a tenth of ``json.dumps``' time
    (opening the claim form spent a tenth of its CPU there). Non-string keys are written as
    strings, as ``json.dumps`` writes them."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


# Where Slack's response_urls live (commercial and GovSlack). Anything else that arrives in a
# modal's private_metadata was forged, and the bot must not POST to it.
SLACK_RESPONSE_HOSTS = frozenset({"hooks.slack.com", "hooks.slack-gov.com"})


def trusted_response_url(url: str | None, settings: Settings) -> str | None:
    """``url`` if it is one of Slack's response URLs (or on the configured ``SLACK_API_URL``'s
    host, where a test's or proxy's Slack lives); ``None``, logged, for anything else."""
    if not url:
        return None
    parsed = urlsplit(url)
    api = urlsplit(settings.api_url)
    if parsed.scheme == "https" and parsed.hostname in SLACK_RESPONSE_HOSTS and not parsed.port:
        return url
    if (parsed.scheme, parsed.netloc) == (api.scheme, api.netloc):
        return url
    log.warning("ignored a response_url that is not Slack's: %.80r", url)
    return None
