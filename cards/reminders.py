"""The follow-up reminders: a next step on its day, a first contact due (to the rep) and missed
(to the managers), a claim sitting in its stage too long.

Rendered when sent, in the recipient's language; dates are Slack date tokens.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_sdk.models.blocks import Block

from bot.i18n import Translator
from bot.notify.kinds import NoticeKind
from bot.rules import option_label
from cards.blocks import clip, context, escape_mrkdwn, section
from cards.followup import claim_buttons
from cards.format import mention, parse_iso, slack_date
from cards.registry import renders

Card = tuple[str, list[Block]]


def _name(payload: dict[str, Any]) -> str:
    return escape_mrkdwn(clip(str(payload.get("customer_name") or ""), 120))


def _claim_id(payload: dict[str, Any]) -> int:
    return int(payload["claim_id"])


def _stage(payload: dict[str, Any], tr: Translator) -> str:
    own = (payload.get("stage_labels") or {}).get(tr.lang)
    return str(own) if own else option_label([], payload.get("stage"), tr)


def _card(title: str, body: str, payload: dict[str, Any], tr: Translator) -> Card:
    return f"{title} {body}", [
        section(f"*{title}*"),
        section(body),
        claim_buttons(tr, _claim_id(payload), extension=False),
        context(tr("verdict.reference", claim_id=payload.get("claim_id"))),
    ]


@renders(NoticeKind.NEXT_STEP)
def next_step_notice(payload: dict[str, Any], tr: Translator) -> Card:
    """To the rep, on the day of the next step they wrote down."""
    day = date.fromisoformat(str(payload["next_step_on"]))
    body = tr(
        "reminder.next_step.body",
        customer=_name(payload),
        step=escape_mrkdwn(clip(str(payload.get("next_step") or "—"), 1500)),
        day=day.isoformat(),
    )
    return _card(tr("reminder.next_step.title"), body, payload, tr)


@renders(NoticeKind.FIRST_CONTACT)
def first_contact_notice(payload: dict[str, Any], tr: Translator) -> Card:
    """To the rep: the first contact is due by the deadline."""
    body = tr(
        "reminder.first_contact.body",
        customer=_name(payload),
        deadline=slack_date(parse_iso(payload.get("due_at")), with_time=True),
    )
    return _card(tr("reminder.first_contact.title"), body, payload, tr)


@renders(NoticeKind.FIRST_CONTACT_MISSED)
def first_contact_missed_notice(payload: dict[str, Any], tr: Translator) -> Card:
    """To the claim's managers: the rep let the first-contact deadline pass."""
    body = tr(
        "reminder.first_contact_missed.body",
        owner=mention(payload.get("owner_id")),
        customer=_name(payload),
        hours=payload.get("first_contact_hours") or 0,
        deadline=slack_date(parse_iso(payload.get("due_at")), with_time=True),
    )
    return body, [
        section(body),
        context(tr("verdict.reference", claim_id=payload.get("claim_id"))),
    ]


@renders(NoticeKind.STAGE_TIMER)
def stage_timer_notice(payload: dict[str, Any], tr: Translator) -> Card:
    """To the rep: the claim has sat in its stage longer than the rules allow."""
    body = tr(
        "reminder.stage_timer.body",
        customer=_name(payload),
        stage=escape_mrkdwn(_stage(payload, tr)),
        days=payload.get("stage_days") or 0,
        since=slack_date(parse_iso(payload.get("stage_since"))),
    )
    return _card(tr("reminder.stage_timer.title"), body, payload, tr)
