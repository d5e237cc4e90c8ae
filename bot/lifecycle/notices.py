"""The notices of a claim's life: their kinds (each rendered by a card in ``cards/``), dedupe keys
and payloads.

A dedupe key names the claim, the kind, the moment it fell due and the recipient, so the same
reminder written twice — a pass run twice, two replicas, a retried transaction — is one outbox
row and one message, while a new episode (the rep followed up, went idle again) gets a new key.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.lifecycle.timeline import Timeline
from bot.rules import Rules
from store.lifecycle import ClaimClock

# ``subject`` of cards updated in place (PostedMessage.subject).
EXTENSION_SUBJECT = "extension"
POOL_SUBJECT = "pool"


def stamp(moment: datetime) -> str:
    """A due moment as it appears in a dedupe key (UTC, to the second)."""
    return moment.strftime("%Y%m%dT%H%M%SZ")


def claim_key(claim_id: int, kind: str, due: datetime | None, recipient: str) -> str:
    """``claim:<id>:<kind>:<due>:<recipient>`` — one notice per claim, kind, due date, person."""
    return f"claim:{claim_id}:{kind}:{stamp(due) if due else '-'}:{recipient}"


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def claim_payload(
    claim: ClaimClock, timeline: Timeline, rules: Rules, now: datetime
) -> dict[str, Any]:
    """What the reminder cards show about an active claim."""
    return {
        "claim_id": claim.claim_id,
        "customer_name": claim.customer_name,
        "owner_id": claim.owner_id,
        "idle_since": iso(timeline.idle_since),
        "idle_days": timeline.idle_days(now),
        "reclaim_at": iso(timeline.reclaim_at),
        "reclaim_reason": timeline.reclaim_reason.value,
        "protection_until": iso(timeline.protection_until),
        "extensions_left": max(0, rules.extension.max_per_claim - claim.extensions_granted),
        "extension_days": rules.extension.days,
        "days_per_followup": rules.protection_for(claim).days_per_followup,
    }


def reminder_payload(claim: ClaimClock, rules: Rules, due_at: datetime) -> dict[str, Any]:
    """What the follow-up reminder cards show: the next step, the stage and how long it has
    lasted, the first contact's deadline (``due_at``)."""
    return {
        "claim_id": claim.claim_id,
        "customer_name": claim.customer_name,
        "owner_id": claim.owner_id,
        "due_at": iso(due_at),
        "next_step": claim.next_step,
        "next_step_on": claim.next_step_on.isoformat() if claim.next_step_on else None,
        "stage": claim.stage,
        "stage_since": iso(claim.stage_since),
        "stage_days": rules.followups.stage_timers.get(claim.stage or ""),
        # A configured stage's own labels (the card is rendered without the rules).
        "stage_labels": _labels(rules, claim.stage),
        "decided_at": iso(claim.decided_at),
        "first_contact_hours": rules.followups.first_contact_hours,
    }


def _labels(rules: Rules, stage: str | None) -> dict[str, str]:
    configured = rules.stage(stage) if stage else None
    if configured is None:
        return {}
    return {lang: label for lang in ("en", "zh") if (label := configured.label(lang))}


def released_payload(
    claim: ClaimClock, *, reason: str, at: datetime, rules: Rules
) -> dict[str, Any]:
    """What the 'released to the pool' cards show."""
    return {
        "claim_id": claim.claim_id,
        "customer_id": claim.customer_id,
        "customer_name": claim.customer_name,
        "owner_id": claim.owner_id,
        "reason": reason,
        "released_at": iso(at),
        "idle_since": iso(claim.last_activity_at),
        "cooldown_until": iso(at + timedelta(days=rules.protection.cooldown_days))
        if rules.protection.cooldown_days
        else None,
    }


def pending_payload(claim: ClaimClock, now: datetime) -> dict[str, Any]:
    """What the approval reminder and escalation show."""
    return {
        "claim_id": claim.claim_id,
        "customer_name": claim.customer_name,
        "owner_id": claim.owner_id,
        "submitted_at": iso(claim.submitted_at),
        "waiting_hours": int((now - claim.submitted_at).total_seconds() // 3600),
    }
