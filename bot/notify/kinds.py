"""Every kind of outbox notice: the name a notice is stored under and the card it is rendered
with (``cards.registry``). A test checks that each kind has exactly one card and each card a kind.

The values are stored in ``outbox.kind``: renaming one strands the notices already queued.
"""

from __future__ import annotations

from enum import StrEnum


class NoticeKind(StrEnum):
    """What a notice tells its recipient (and so which card renders it)."""

    # Filing (bot/claims): the rep's answer, and both sides of a collision.
    CLAIM_VERDICT = "claim.verdict"
    COLLISION_HOLDER = "collision.holder"
    COLLISION_CHALLENGER = "collision.challenger"
    # Approvals (bot/approvals).
    APPROVAL_CARD = "claim.approval"
    APPROVAL_DECIDED = "claim.decided"
    INFO_REQUESTED = "claim.info_requested"
    INFO_PROVIDED = "claim.info_provided"
    # Disputes (bot/disputes).
    DISPUTE_CARD = "dispute.card"
    DISPUTE_OPENED = "dispute.opened"
    DISPUTE_DECIDED = "dispute.decided"
    # A manager's transfers and releases (bot/transfers.py).
    TRANSFERRED_AWAY = "transfer.from"
    TRANSFERRED_TO = "transfer.to"
    RELEASED_BY_MANAGER = "release.owner"
    # Corrections after filing (bot/corrections).
    CLAIM_WITHDRAWN = "claim.withdrawn"
    CLAIM_EDITED = "claim.edited"
    # A rep's whole book handed over (bot/books.py): one summary to each side.
    BOOK_HANDED_AWAY = "handover.from"
    BOOK_HANDED_TO = "handover.to"
    # Two customer records merged (bot/merge.py), both held: to both reps and their managers.
    CUSTOMERS_MERGED = "customer.merged"
    # The sweep and the claim's life (bot/lifecycle).
    OVERDUE = "lifecycle.overdue"
    OVERDUE_MANAGER = "lifecycle.overdue_manager"
    RECLAIM_WARNING = "lifecycle.reclaim_warning"
    RECLAIMED = "lifecycle.reclaimed"
    # Follow-up reminders (bot/lifecycle/reminders.py): a next step's day, the first contact due
    # (to the rep) and missed (to the managers), a claim in one stage too long.
    NEXT_STEP = "lifecycle.next_step"
    FIRST_CONTACT = "lifecycle.first_contact"
    FIRST_CONTACT_MISSED = "lifecycle.first_contact_missed"
    STAGE_TIMER = "lifecycle.stage_timer"
    APPROVAL_REMINDER = "lifecycle.approval_reminder"
    APPROVAL_ESCALATION = "lifecycle.approval_escalation"
    POOL_ANNOUNCEMENT = "pool.announcement"
    # Many customers released by one pass: a few messages listing them, not one each.
    POOL_DIGEST = "pool.digest"
    EXTENSION_REQUEST = "extension.request"
    EXTENSION_DECIDED = "extension.decided"
    # A team's channel (bot/digest): the daily digest, the weekly summary and its chart (a file:
    # the card gives the line shared with it, bot.notify.files the file).
    TEAM_DIGEST = "team.digest"
    TEAM_WEEKLY = "team.weekly"
    TEAM_WEEKLY_CHART = "team.weekly_chart"
    # Operations (bot/notify/fallback.py): a configured channel the bot cannot post in.
    CHANNEL_UNUSABLE = "ops.channel_unusable"
