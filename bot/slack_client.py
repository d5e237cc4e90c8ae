"""The Slack Web API client: our base URL, a timeout, and retries on the failures worth retrying."""

from __future__ import annotations

from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.settings import Settings

CLIENT_TIMEOUT_SECONDS = 10


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
        timeout=CLIENT_TIMEOUT_SECONDS,
        retry_handlers=retry_handlers(),
    )
