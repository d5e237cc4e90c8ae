"""The per-token bucket: a burst, then the steady rate, and a Retry-After that is honest."""

from __future__ import annotations

import pytest

from bot.api.auth import RateLimiter
from bot.api.errors import ApiError, Code
from bot.integration_rules import ApiRules


def test_a_token_gets_its_burst_then_the_rate_and_others_are_unaffected() -> None:
    now = [100.0]
    limiter = RateLimiter(ApiRules(burst=2, rate_per_minute=30), monotonic=lambda: now[0])
    assert limiter.take(1) == (2, 1)
    assert limiter.take(1) == (2, 0)
    with pytest.raises(ApiError) as refused:
        limiter.take(1)
    assert refused.value.code is Code.RATE_LIMITED
    assert refused.value.headers["Retry-After"] == "2"  # one request every 2 s at 30 a minute
    assert limiter.take(2) == (2, 1)  # another token has its own bucket
    now[0] += 2.0
    assert limiter.take(1) == (2, 0)
    now[0] += 3600
    assert limiter.take(1) == (2, 1)  # refilled to the burst, never beyond
