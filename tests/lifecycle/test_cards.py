"""Every lifecycle card, in both languages, is Block Kit that Slack accepts (checked by the fake
Slack's validator), and says what a person needs to act on it."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.fakeslack.validation import validate_message, validate_view
from bot.i18n import Translator
from bot.lifecycle.followups import ClaimView, Logged
from bot.lifecycle.pool import PoolClaim, PoolOutcome, PoolPage
from bot.notify.kinds import NoticeKind
from bot.rules import Rules
from cards.followup import choose_claim, followup_form, logged_view
from cards.lifecycle import extension_form
from cards.pool import pool_claim_reply, pool_list
from cards.registry import known_kinds, render_notice
from store.lifecycle import PooledCustomer
from store.models import ClaimStatus, EndReason

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
LONG = "北京" + "超长名称" * 60 + "有限公司 <!channel> & <@U123>"

CLAIM = {
    "claim_id": 7,
    "customer_name": LONG,
    "owner_id": "U0REP00001",
    "idle_since": NOW.isoformat(),
    "idle_days": 11,
    "reclaim_at": (NOW + timedelta(days=3)).isoformat(),
    "reclaim_reason": "reclaimed",
    "protection_until": (NOW + timedelta(days=80)).isoformat(),
    "extensions_left": 2,
    "extension_days": 30,
    "days_per_followup": 5,
}
EXTENSION = {
    "request_id": 3,
    "claim_id": 7,
    "customer_name": LONG,
    "owner_id": "U0REP00001",
    "days": 30,
    "reason": "x" * 1000,
    "protection_until": NOW.isoformat(),
    "extensions_granted": 0,
    "max_per_claim": 2,
    "status": "pending",
    "decided_by": None,
    "new_protection_until": None,
}
REMINDER = {
    "claim_id": 7,
    "customer_name": LONG,
    "owner_id": "U0REP00001",
    "due_at": NOW.isoformat(),
    "next_step": "发报价 <!channel> " + "x" * 3000,
    "next_step_on": "2026-11-23",
    "stage": "proposal",
    "stage_since": (NOW - timedelta(days=8)).isoformat(),
    "stage_days": 7,
    "stage_labels": {},
    "decided_at": (NOW - timedelta(hours=24)).isoformat(),
    "first_contact_hours": 24,
}
PAYLOADS: dict[str, list[dict[str, Any]]] = {
    NoticeKind.NEXT_STEP: [REMINDER, REMINDER | {"next_step": None}],
    NoticeKind.FIRST_CONTACT: [REMINDER],
    NoticeKind.FIRST_CONTACT_MISSED: [REMINDER],
    NoticeKind.STAGE_TIMER: [
        REMINDER,
        REMINDER | {"stage": "custom", "stage_labels": {"en": "Custom *stage*", "zh": "自定义"}},
    ],
    NoticeKind.OVERDUE: [CLAIM],
    NoticeKind.OVERDUE_MANAGER: [CLAIM],
    NoticeKind.RECLAIM_WARNING: [
        CLAIM,
        CLAIM | {"reclaim_reason": "protection_ended"},
        CLAIM | {"reclaim_reason": "protection_ended", "extensions_left": 0},
    ],
    NoticeKind.RECLAIMED: [
        {
            "claim_id": 7,
            "customer_id": 9,
            "customer_name": LONG,
            "reason": reason,
            "released_at": NOW.isoformat(),
            "idle_since": NOW.isoformat(),
            "cooldown_until": (NOW + timedelta(days=30)).isoformat(),
        }
        for reason in ("reclaimed", "protection_ended")
    ],
    NoticeKind.POOL_ANNOUNCEMENT: [
        {"customer_id": 9, "customer_name": LONG, "reason": reason}
        for reason in ("reclaimed", "protection_ended", "lost")
    ],
    NoticeKind.POOL_DIGEST: [
        {
            "released_at": NOW.isoformat(),
            "first": 41,
            "total": 300,
            "customers": [
                {"customer_id": i, "customer_name": f"{i}{LONG}", "reason": "reclaimed"}
                for i in range(41, 81)
            ],
            # Claimed since: those rows name the holder instead of offering the button.
            "holders": {"41": "U0REP00001", "80": "U0REP00002"},
        }
    ],
    NoticeKind.APPROVAL_REMINDER: [
        {"claim_id": 7, "customer_name": LONG, "owner_id": "U1", "submitted_at": NOW.isoformat()}
    ],
    NoticeKind.APPROVAL_ESCALATION: [
        {"claim_id": 7, "customer_name": LONG, "owner_id": "U1", "submitted_at": NOW.isoformat()}
    ],
    NoticeKind.EXTENSION_REQUEST: [EXTENSION],
    NoticeKind.EXTENSION_DECIDED: [
        EXTENSION
        | {"status": "approved", "decided_by": "U2", "new_protection_until": "2027-01-01"},
        EXTENSION | {"status": "rejected", "decided_by": "U2", "reclaim_at": NOW.isoformat()},
    ],
}


def test_every_lifecycle_notice_kind_has_a_card() -> None:
    assert set(PAYLOADS) <= known_kinds()


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("kind", sorted(PAYLOADS))
def test_every_card_is_valid_in_both_languages(kind: str, lang: str) -> None:
    for payload in PAYLOADS[kind]:
        text, blocks = render_notice(kind, payload, Translator(lang))  # type: ignore[arg-type]
        message = {"channel": "U1", "text": text, "blocks": [b.to_dict() for b in blocks]}
        assert validate_message(message) == [], (kind, payload)
        shown = json.dumps(message, ensure_ascii=False)
        assert "<!channel>" not in shown and "<@U123>" not in shown, "names are inert"


def test_the_warning_says_what_stops_the_reclaim() -> None:
    tr = Translator("en")
    idle = json.dumps(render_notice(NoticeKind.RECLAIM_WARNING, CLAIM, tr)[1][2].to_dict())
    assert "log a follow-up" in idle
    ending = render_notice(
        NoticeKind.RECLAIM_WARNING, CLAIM | {"reclaim_reason": "protection_ended"}, tr
    )
    text = json.dumps([b.to_dict() for b in ending[1]])
    assert "ask your manager for an extension (2 left, 30 days each)" in text
    assert "extension_request" in text


RULES = Rules()
VIEW = ClaimView(7, LONG, "proposal", NOW, NOW + timedelta(days=80), NOW + timedelta(days=14), 1)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_modals_are_valid(lang: str) -> None:
    tr = Translator(lang)  # type: ignore[arg-type]
    form = followup_form(tr, RULES, VIEW, now=NOW, tz=ZoneInfo("America/New_York")).to_dict()
    assert validate_view(form, surface="modal") == []
    date = next(b for b in form["blocks"] if b.get("block_id") == "followup_date")
    assert date["element"]["initial_date"] == "2026-11-22", "today in the rep's own time zone"
    stage = next(b for b in form["blocks"] if b.get("block_id") == "followup_stage")
    assert stage["element"]["initial_option"]["value"] == "proposal"
    for outcome in (None, EndReason.WON, EndReason.LOST):
        done = logged_view(tr, Logged(VIEW, ClaimStatus.ACTIVE, outcome)).to_dict()
        assert validate_view(done, surface="modal") == []
    extension = extension_form(tr, VIEW, days=30, max_per_claim=2).to_dict()
    assert validate_view(extension, surface="modal") == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_lists_stay_within_slacks_limits(lang: str) -> None:
    tr = Translator(lang)  # type: ignore[arg-type]
    customers = [PooledCustomer(i, f"{LONG}{i}", "east", NOW) for i in range(10)]
    for page in (
        PoolPage(customers, 0, 25),
        PoolPage(customers, 1, 25),
        PoolPage(customers[:5], 2, 25),
        PoolPage([], 0, 0),
    ):
        text, blocks = pool_list(tr, RULES, page)
        message = {"text": text, "blocks": [b.to_dict() for b in blocks]}
        assert validate_message(message) == [] and len(blocks) <= 50
    text, blocks = choose_claim(tr, [replace(VIEW, claim_id=i) for i in range(1, 61)])
    assert len(blocks) <= 50
    assert validate_message({"text": text, "blocks": [b.to_dict() for b in blocks]}) == []
    for result in (
        PoolClaim(PoolOutcome.NOT_FOUND),
        PoolClaim(PoolOutcome.TAKEN, LONG, holder_id="U2", holder_until=NOW),
    ):
        text, blocks = pool_claim_reply(result, tr)
        assert validate_message({"text": text, "blocks": [b.to_dict() for b in blocks]}) == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_full_digest_stays_within_50_blocks_and_a_claimed_row_gets_a_new_block_id(
    lang: str,
) -> None:
    [payload] = PAYLOADS[NoticeKind.POOL_DIGEST]
    text, blocks = render_notice(NoticeKind.POOL_DIGEST, payload, Translator(lang))  # type: ignore[arg-type]
    assert len(blocks) <= 50
    rows = [b.to_dict() for b in blocks if (b.block_id or "").startswith("pool")]
    assert len(rows) == 40
    claimable = [r["block_id"] for r in rows if r.get("accessory")]
    assert claimable == [f"pool:{i}" for i in range(42, 80)]
    assert [r["block_id"] for r in rows if not r.get("accessory")] == [
        "pool_taken:41",
        "pool_taken:80",
    ]
    assert all(r["accessory"]["action_id"] == "pool_claim" for r in rows if r.get("accessory"))
    assert ("41–80" in text and "300" in text) or "第 41–80 个" in text
    shown = json.dumps([b.to_dict() for b in blocks], ensure_ascii=False)
    assert ("220 more" in shown) or ("还有 220 个" in shown)
