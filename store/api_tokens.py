"""REST API tokens: stored as a SHA-256 of their secret, scoped, per workspace.

A token reads ``cbt_<id>_<secret>``: the id finds the row, the secret (256 random bits, so a
plain hash is enough: there is nothing to guess) is compared with the stored hash in constant
time. Revoked tokens stay, with ``revoked_at``, so the record of who made which token remains.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import ApiToken

PREFIX = "cbt_"
READ = "read"
READ_WRITE = "read-write"
SCOPES = (READ, READ_WRITE)

# last_used_at is written at most this often per token (not on every request).
TOUCH_EVERY = timedelta(minutes=1)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def create(
    session: AsyncSession,
    workspace_id: str,
    *,
    name: str,
    scope: str,
    created_by: str | None,
    at: datetime,
) -> tuple[ApiToken, str]:
    """A new token; returns the row and the token text, which is never stored or shown again."""
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {', '.join(SCOPES)}")
    secret = secrets.token_urlsafe(32)
    row = ApiToken(
        workspace_id=workspace_id,
        name=name,
        scope=scope,
        secret_hash=_digest(secret),
        created_by=created_by,
        created_at=at,
    )
    session.add(row)
    await session.flush()
    return row, f"{PREFIX}{row.id}_{secret}"


def parse(token: str) -> tuple[int, str] | None:
    """The id and secret of a token's text; ``None`` when it cannot be one of ours."""
    if not token.startswith(PREFIX):
        return None
    ident, _, secret = token[len(PREFIX) :].partition("_")
    if not ident.isascii() or not ident.isdigit() or len(ident) > 18 or not secret:
        return None
    return int(ident), secret


async def verify(session: AsyncSession, token: str) -> ApiToken | None:
    """The live token ``token`` names, or ``None`` (unknown, wrong secret, or revoked)."""
    parsed = parse(token)
    if parsed is None:
        return None
    row = await session.get(ApiToken, parsed[0])
    if row is None or row.revoked_at is not None:
        return None
    if not hmac.compare_digest(row.secret_hash, _digest(parsed[1])):
        return None
    return row


def needs_touch(row: ApiToken, now: datetime) -> bool:
    """Whether ``last_used_at`` is stale enough to be written again."""
    return row.last_used_at is None or now - row.last_used_at >= TOUCH_EVERY


async def touch(session: AsyncSession, token_id: int, *, now: datetime) -> None:
    """Record that the token was used (at most every :data:`TOUCH_EVERY`, see :func:`needs_touch`)."""
    await session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))


async def revoke(
    session: AsyncSession, token_id: int, *, at: datetime, workspace_id: str | None = None
) -> ApiToken | None:
    """Revoke a token (from now on every request with it gets 401); ``None`` if unknown."""
    row = await session.get(ApiToken, token_id)
    if row is None or (workspace_id is not None and row.workspace_id != workspace_id):
        return None
    if row.revoked_at is None:
        row.revoked_at = at
    return row


async def listing(session: AsyncSession, workspace_id: str | None = None) -> Sequence[ApiToken]:
    """Every token (of one workspace), oldest first, revoked ones included."""
    query = select(ApiToken).order_by(ApiToken.id)
    if workspace_id is not None:
        query = query.where(ApiToken.workspace_id == workspace_id)
    return (await session.scalars(query)).all()
