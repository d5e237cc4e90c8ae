"""How a delivery is signed — the scheme Slack uses for its requests to us, with our own headers.

The signature is ``v0=`` followed by the hex HMAC-SHA256, keyed with the endpoint's secret, of
``v0:{timestamp}:{body}``; the timestamp (Unix seconds) travels in its own header so a receiver
can refuse old replays. slack_sdk's :class:`SignatureVerifier` computes exactly that.
"""

from __future__ import annotations

import hmac
from enum import StrEnum

from slack_sdk.signature import SignatureVerifier


class Header(StrEnum):
    """The headers of every delivery (documented in the README)."""

    SIGNATURE = "X-Claimbot-Signature"
    TIMESTAMP = "X-Claimbot-Request-Timestamp"
    EVENT_ID = "X-Claimbot-Event-Id"
    EVENT_TYPE = "X-Claimbot-Event-Type"
    ATTEMPT = "X-Claimbot-Delivery-Attempt"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """``v0=<hex>`` for ``body`` sent at ``timestamp``."""
    signature = SignatureVerifier(secret).generate_signature(
        timestamp=str(timestamp), body=body.decode()
    )
    assert signature is not None
    return signature


def verify(secret: str, timestamp: str, body: bytes, signature: str, *, now: float) -> bool:
    """What a receiver does: the signature matches and the timestamp is within five minutes."""
    if not timestamp.isdigit() or abs(now - int(timestamp)) > 300:
        return False
    return hmac.compare_digest(sign(secret, int(timestamp), body), signature)
