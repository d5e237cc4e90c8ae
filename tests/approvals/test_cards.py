"""The approval cards and modals are accepted by Slack at their largest, in both languages, and
show what people typed as inert text."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from bot.approvals.case import NOTE_MAX_LENGTH, ApprovalCase, Candidate, Question
from bot.approvals.outcome import ApprovalRefusal, Attempt, PendingPage
from bot.claims.approval import ApprovalRule
from bot.fakeslack.reading import as_message
from bot.fakeslack.validation import validate_message, validate_view
from bot.i18n import Lang, Translator
from cards.approval import approval_card, decided_notice, question_message, refusal_text
from cards.approval_forms import ModalContext, answer_modal, ask_modal, notice_view, reject_modal
from cards.pending import pending_list
from cards.registry import render_notice
from store.models import ClaimStatus

AT = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
LONG = "很" * NOTE_MAX_LENGTH


def case(claim_id: int = 7, **changes: Any) -> ApprovalCase:
    """A case with every field at its longest."""
    values: dict[str, Any] = {
        "claim_id": claim_id,
        "owner_id": "U0REP00001",
        "customer_name": "北京<!channel>字节跳动科技有限公司" + "长" * 100,
        "submitted_at": AT,
        "status": ClaimStatus.PENDING,
        "rules": tuple(ApprovalRule),
        "candidates": tuple(Candidate("相似公司" * 30, "U0REP00002", 88.0) for _ in range(8)),
        "other_name": "ByteDance" * 13,
        "contact_name": "张三" * 30,
        "phone": "+8613800138000",
        "email": "a" * 64 + "@" + "b" * 180 + ".com",
        "credit_code": "91110108551385082Q",
        "need_summary": "需求\n" * 500,
        "region": {"en": "East China", "zh": "华东"},
        "source_channel": {"en": "Referral", "zh": "转介绍"},
        "deal_size": Decimal("123456789012.34"),
        "first_contact_on": date(2026, 11, 1),
        "questions": tuple(
            Question(n, "U0MANAGER1", AT, LONG, "U0REP00001", AT, LONG) for n in range(5)
        ),
    }
    return ApprovalCase(**(values | changes))


def decided(decision: str) -> ApprovalCase:
    return case(
        status=ClaimStatus.ACTIVE if decision == "approved" else ClaimStatus.REJECTED,
        decision=decision,
        decided_by="U0MANAGER1",
        decided_at=AT + timedelta(hours=1),
        decision_reason=LONG if decision == "rejected" else None,
        protection_until=AT + timedelta(days=90) if decision == "approved" else None,
    )


LANGS: list[Lang] = ["en", "zh"]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("shown", ["pending", "approved", "rejected", "closed"])
def test_the_card_is_valid_in_every_state(lang: Lang, shown: str) -> None:
    tr = Translator(lang)
    if shown == "pending":
        card = case()
    elif shown == "closed":
        card = case(status=ClaimStatus.RELEASED)
    else:
        card = decided(shown)
    text, blocks = approval_card(card, tr)
    assert validate_message(as_message(text, blocks)) == []
    buttons = [b for b in blocks if b.to_dict()["type"] == "actions"]
    assert len(buttons) == (1 if shown == "pending" else 0)
    assert "<!channel>" not in json.dumps([b.to_dict() for b in blocks], ensure_ascii=False)


def test_the_payload_round_trip_keeps_the_whole_case() -> None:
    for original in (case(), decided("approved"), decided("rejected")):
        assert ApprovalCase.from_payload(json.loads(json.dumps(original.to_payload()))) == original


@pytest.mark.parametrize("lang", LANGS)
def test_the_notices_render_and_are_valid(lang: Lang) -> None:
    tr = Translator(lang)
    payloads: list[tuple[str, dict[str, Any]]] = [
        ("claim.approval", case().to_payload()),
        (
            "claim.decided",
            {
                "claim_id": 7,
                "customer_name": "ACME",
                "decision": "rejected",
                "decided_by": "U0MANAGER1",
                "reason": LONG,
            },
        ),
        (
            "claim.decided",
            {
                "claim_id": 7,
                "customer_name": "ACME",
                "decision": "approved",
                "decided_by": "U0MANAGER1",
                "protection_until": AT.isoformat(),
            },
        ),
        (
            "claim.info_requested",
            {
                "claim_id": 7,
                "customer_name": "ACME",
                "question_id": 3,
                "asked_by": "U0MANAGER1",
                "asked_at": AT.isoformat(),
                "question": LONG,
                "answer": None,
            },
        ),
        (
            "claim.info_provided",
            {
                "claim_id": 7,
                "customer_name": "ACME",
                "owner_id": "U0REP00001",
                "asked_by": "U0MANAGER1",
                "question": LONG,
                "answer": LONG,
            },
        ),
    ]
    for kind, payload in payloads:
        text, blocks = render_notice(kind, payload, tr)
        assert validate_message(as_message(text, blocks)) == [], kind
    text, blocks = decided_notice(payloads[1][1], tr)
    assert "很很很" in json.dumps([b.to_dict() for b in blocks], ensure_ascii=False)
    answered = Question(3, "U0MANAGER1", AT, LONG, "U0REP00001", AT, "yes")
    text, blocks = question_message(7, "ACME", answered, tr)
    assert validate_message(as_message(text, blocks)) == []
    assert all(b.to_dict()["type"] != "actions" for b in blocks)


@pytest.mark.parametrize("lang", LANGS)
def test_a_full_pending_page_stays_within_fifty_blocks(lang: Lang) -> None:
    page = PendingPage(
        cases=tuple(case(claim_id=n) for n in range(10)), total=95, offset=80, approver=True
    )
    text, blocks = pending_list(page, Translator(lang), notice="*done*")
    assert len(blocks) <= 50
    assert validate_message(as_message(text, blocks)) == []
    ids = [b.to_dict().get("block_id") for b in blocks if b.to_dict()["type"] == "actions"]
    assert ids == [f"approval_actions:{n}" for n in range(10)] + ["approval_more"]


@pytest.mark.parametrize("lang", LANGS)
def test_the_modals_are_valid(lang: Lang) -> None:
    tr = Translator(lang)
    meta = ModalContext(ref="7", response_url="https://hooks.slack.com/actions/T1/1/" + "x" * 60)
    views = [
        reject_modal(case(), tr, meta),
        ask_modal(case(), tr, meta),
        answer_modal("ACME" * 50, Question(3, "U0MANAGER1", AT, LONG), tr, meta),
        notice_view(tr, refusal_text(Attempt(refusal=ApprovalRefusal.NOT_APPROVER), tr)),
    ]
    for view in views:
        assert validate_view(view.to_dict(), surface="modal") == []


def test_modal_metadata_survives_and_tampering_yields_nothing() -> None:
    meta = ModalContext(ref="12", response_url="https://hooks.slack.com/actions/x")
    assert ModalContext.load(meta.dump()) == meta
    assert ModalContext.load("not json") == ModalContext(ref="")
    assert ModalContext.load('{"ref": 5, "response_url": "file:///etc/passwd"}') == ModalContext(
        ref="5"
    )


@pytest.mark.parametrize("refusal", list(ApprovalRefusal))
def test_every_refusal_has_a_sentence_in_both_languages(refusal: ApprovalRefusal) -> None:
    for lang in LANGS:
        assert refusal_text(Attempt(refusal=refusal), Translator(lang))
        assert refusal_text(Attempt(case=decided("approved"), refusal=refusal), Translator(lang))
