"""Who is calling: the bearer token, its workspace and scope; and how often it may.

Rate limits are a token bucket per token, per process: ``api.burst`` requests at once, refilled
at ``api.rate_per_minute``. Replicas each keep their own buckets, so N replicas behind a load
balancer allow up to N times the rate; the limit protects each process, not a global quota.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from aiohttp import web

from bot.api.errors import ApiError, Code
from bot.integration_rules import ApiRules
from store import api_tokens
from store.db import Database
from store.models import ApiToken


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated token: whose data it reads, and whether it may write."""

    token_id: int
    workspace_id: str
    scope: str

    @property
    def may_write(self) -> bool:
        return self.scope == api_tokens.READ_WRITE


def bearer(request: web.Request) -> str | None:
    """The token of an ``Authorization: Bearer …`` header."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


async def authenticate(db: Database, request: web.Request, now: datetime) -> Caller:
    """The caller, or :class:`ApiError` ``unauthorized`` (missing, unknown, wrong or revoked)."""
    token = bearer(request)
    if token is None or api_tokens.parse(token) is None:
        raise ApiError(Code.UNAUTHORIZED)
    async with db.session() as session:
        row: ApiToken | None = await api_tokens.verify(session, token)
    if row is None:
        raise ApiError(Code.UNAUTHORIZED)
    if api_tokens.needs_touch(row, now):
        async with db.write() as session:
            await api_tokens.touch(session, row.id, now=now)
    return Caller(token_id=row.id, workspace_id=row.workspace_id, scope=row.scope)


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Token buckets per API token."""

    def __init__(self, rules: ApiRules, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(rules.burst)
        self.per_second = rules.rate_per_minute / 60.0
        self._monotonic = monotonic
        self._buckets: dict[int, _Bucket] = {}

    def take(self, token_id: int) -> tuple[int, int]:
        """Spend one request of ``token_id``'s bucket; returns (limit, remaining).

        Raises :class:`ApiError` ``rate_limited`` with a Retry-After when the bucket is empty.
        """
        now = self._monotonic()
        bucket = self._buckets.get(token_id)
        if bucket is None:
            bucket = self._buckets[token_id] = _Bucket(self.capacity, now)
        bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.updated) * self.per_second)
        bucket.updated = now
        if bucket.tokens < 1.0:
            wait = max(1, math.ceil((1.0 - bucket.tokens) / self.per_second))
            raise ApiError(
                Code.RATE_LIMITED,
                headers={"Retry-After": str(wait), **self.headers(0)},
                seconds=wait,
            )
        bucket.tokens -= 1.0
        return int(self.capacity), int(bucket.tokens)

    def headers(self, remaining: int) -> dict[str, str]:
        """The rate-limit headers of an answer."""
        return {
            "X-RateLimit-Limit": str(int(self.capacity)),
            "X-RateLimit-Remaining": str(remaining),
        }
