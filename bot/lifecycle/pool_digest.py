"""The pool digest: when one sweep releases many customers, the pool channel gets a few messages
listing them — each customer with the **Claim** button of the single announcement — instead of
one message each.

Why: Slack lets a bot post about one message a second in a channel (bot.notify.pace), so three
hundred announcements take five minutes to arrive and bury the channel, while three hundred rows
fit in eight messages. A message holds at most 50 blocks; ``DIGEST_ROWS`` customers, a header,
the part line and the footer stay under that.

Where a digest landed is recorded for the message (``DIGEST_SUBJECT``, by its first claim) and
for each customer on it (``ROW_SUBJECT``, by customer), so a claim from anywhere — the digest,
``/claim pool`` — finds the digests listing that customer and re-renders them from their outbox
payload with who holds each customer now.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.lifecycle.notices import claim_key, iso
from bot.notify import Members, Notice
from bot.notify.kinds import NoticeKind
from store import customers as customer_store
from store import outbox, posted
from store.db import Database
from store.lifecycle import ClaimClock
from store.models import EndReason

DIGEST_SUBJECT = "pool_digest"
ROW_SUBJECT = "pool_digest_row"
# Customers per message: 40 rows + header + part line + footer = 43 of Slack's 50 blocks.
DIGEST_ROWS = 40


def digest_key(first_claim_id: int, channel: str) -> str:
    """The outbox key of the digest message whose first row is ``first_claim_id``'s customer
    (a claim is released once, so the key is too)."""
    return claim_key(first_claim_id, "pool_digest", None, channel)


def digest_notices(
    channel: str, released: Sequence[tuple[ClaimClock, EndReason]], *, now: datetime
) -> list[Notice]:
    """The digest messages announcing ``released`` in ``channel``, ``DIGEST_ROWS`` a message."""
    notices = []
    for start in range(0, len(released), DIGEST_ROWS):
        part = released[start : start + DIGEST_ROWS]
        first_claim_id = part[0][0].claim_id
        notices.append(
            Notice(
                kind=NoticeKind.POOL_DIGEST,
                recipient=channel,
                dedupe_key=digest_key(first_claim_id, channel),
                payload={
                    "released_at": iso(now),
                    "first": start + 1,
                    "total": len(released),
                    # Like the single announcement, no former owner: the pool is everyone's.
                    "customers": [
                        {
                            "customer_id": claim.customer_id,
                            "customer_name": claim.customer_name,
                            "reason": reason.value,
                        }
                        for claim, reason in part
                    ],
                },
                subject=DIGEST_SUBJECT,
                subject_id=first_claim_id,
                members=Members(ROW_SUBJECT, tuple(claim.customer_id for claim, _ in part)),
            )
        )
    return notices


@dataclass(frozen=True, slots=True)
class PostedDigest:
    """A digest message as it should read now: its subject id and its payload with
    ``holders`` (customer id → the rep holding it)."""

    subject_id: int
    payload: dict[str, Any]


async def digests_listing(db: Database, workspace_id: str, customer_id: int) -> list[PostedDigest]:
    """Every posted digest that lists ``customer_id``, with who holds each of its customers."""
    found = []
    async with db.session() as session:
        for subject_id, channel in await posted.cards_listing(
            session,
            workspace_id,
            card_subject=DIGEST_SUBJECT,
            member_subject=ROW_SUBJECT,
            member_id=customer_id,
        ):
            payload = await outbox.payload_of(
                session, workspace_id, digest_key(subject_id, channel)
            )
            if payload is None:
                continue
            listed = [int(c["customer_id"]) for c in payload["customers"]]
            holders = await customer_store.holders_of(session, workspace_id, listed)
            payload["holders"] = {str(i): claim.owner_id for i, claim in holders.items()}
            found.append(PostedDigest(subject_id, payload))
    return found
