"""The list, history, dispute and transfer cards are accepted by Slack at their largest, in both
languages, every state and every refusal has its words, and what people typed stays inert."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.disputes.case import DisputeAttempt, DisputeCase, Refusal, Verdict
from bot.fakeslack.reading import as_message
from bot.fakeslack.validation import validate_message, validate_view
from bot.history import CustomerHistory, Entry
from bot.i18n import Lang, Translator
from bot.lists import PAGE_SIZE, ClaimDetails, ClaimPage, ClaimRow, Found, ListScope, SearchResult
from bot.rules import Rules
from bot.transfers import REASON_MAX, ClaimRef, Handover, TransferRefusal
from cards.disputes import decide_form, dispute_card, open_form, opened_text, refusal_text
from cards.history import entry_line, history_card
from cards.lists import claims_page, parse_page, search_reply
from cards.registry import render_notice
from cards.transfers import handover_text, release_form, transfer_form
from store import audit
from store.models import ClaimStatus, KeyKind, Role

AT = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
LANGS: list[Lang] = ["en", "zh"]
NAME = "北京<!channel>字节跳动科技有限公司" + "长" * 200
LONG = "很" * REASON_MAX
RULES = Rules()


def shown(blocks: list[Block]) -> str:
    return json.dumps([b.to_dict() for b in blocks], ensure_ascii=False)


def row(n: int, status: ClaimStatus, *, full: bool, end_reason: str | None = None) -> ClaimRow:
    return ClaimRow(
        claim_id=n,
        customer_id=n,
        customer_name=NAME,
        owner_id="U0REP00001",
        team="East" * 20,
        status=status,
        end_reason=end_reason,
        submitted_at=AT,
        protection_until=AT + timedelta(days=90),
        reclaim_at=AT + timedelta(days=14),
        ended_at=AT,
        details=ClaimDetails(
            "张三" * 50, "+8613800138000", "a" * 200 + "@x.cn", LONG, "proposal", AT, "visit"
        )
        if full
        else None,
        manageable=full and status is ClaimStatus.ACTIVE,
    )


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("scope", list(ListScope))
def test_a_full_page_of_every_state_fits_in_one_message(lang: Lang, scope: ListScope) -> None:
    states = [ClaimStatus.PENDING, ClaimStatus.ACTIVE, ClaimStatus.WON, ClaimStatus.LOST]
    rows = tuple(
        row(n, states[n % 4], full=n % 3 != 0, end_reason="lost") for n in range(PAGE_SIZE)
    )
    page = ClaimPage(
        scope, rows, 1, 100, Role.MANAGER, counts={"pending": 4, "active": 96}, teams=("East",)
    )
    text, blocks = claims_page(page, Translator(lang), RULES)
    assert validate_message(as_message(text, blocks)) == []
    assert len(blocks) <= 50 and "<!channel>" not in shown(blocks)
    assert parse_page(json.loads(shown(blocks))[-2]["elements"][1]["value"]) == (scope, 2)


@pytest.mark.parametrize("lang", LANGS)
def test_every_status_end_reason_and_empty_list_has_its_words(lang: Lang) -> None:
    tr = Translator(lang)
    for status in ClaimStatus:
        for reason in ("reclaimed", "protection_ended", "transferred", "released", "lost",
                       "rejected", "won", None):  # fmt: skip
            page = ClaimPage(ListScope.MINE, (row(1, status, full=True, end_reason=reason),), 0, 1,
                             Role.REP, counts={status.value: 1})  # fmt: skip
            text, blocks = claims_page(page, tr, RULES)
            assert "lists." not in shown(blocks), (status, reason)
    for role, allowed in ((Role.PARTNER, False), (Role.REP, False), (Role.ADMIN, True)):
        empty = ClaimPage(ListScope.TEAM, (), 0, 0, role, allowed=allowed, everyone=allowed)
        text, blocks = claims_page(empty, tr, RULES)
        assert validate_message(as_message(text, blocks)) == [] and text


@pytest.mark.parametrize("lang", LANGS)
def test_search_shows_details_only_when_given(lang: Lang) -> None:
    found = tuple(
        Found(n, NAME, KeyKind.NAME, 91.0, False, "U0REP00001", ClaimStatus.ACTIVE, AT,
              claim_id=n if n % 2 else None,
              details=ClaimDetails("张三", "+8613800138000", None, LONG, None) if n % 2 else None)
        for n in range(10)
    )  # fmt: skip
    text, blocks = search_reply(SearchResult("字节<@U1>", found), Translator(lang), RULES)
    assert validate_message(as_message(text, blocks)) == []
    assert shown(blocks).count("+8613800138000") == 5 and "<@U1>" not in shown(blocks)


@pytest.mark.parametrize("lang", LANGS)
def test_the_history_renders_every_action_with_or_without_details(lang: Lang) -> None:
    data = {
        "via": "pool",
        "rules": ["deal_size", "unknown_rule"],
        "decision": "approved",
        "protection_until": AT.isoformat(),
        "reason": LONG,
        "question": LONG,
        "answer": LONG,
        "method": "wechat",
        "stage": "proposal",
        "days": 30,
        "from_id": "U0REP00001",
        "to_id": "U0REP00002",
        "by": "dispute",
        "holder_id": "U0REP00001",
        "challenger_id": "U0REP00003",
        "matched_on": "phone",
        "outcome": "transferred",
    }
    entries = tuple(
        Entry(AT, "U0MANAGER1" if n % 2 else audit.SYSTEM, action.value, "U0REP00001", data,
              full=bool(n % 2))
        for n, action in enumerate([*audit.Action, *audit.Action])
    )  # fmt: skip
    history = CustomerHistory(
        1, NAME, "U0REP00001", ClaimStatus.ACTIVE, AT, False, entries[:40], 90
    )
    text, blocks = history_card(history, Translator(lang), RULES)
    assert validate_message(as_message(text, blocks)) == []
    # The header is plain text, where Slack reads no mentions; everything else is inert.
    assert "<!channel>" not in shown(blocks[1:]) and "<!channel>" not in text


@pytest.mark.parametrize("lang", LANGS)
def test_a_history_of_long_reasons_shows_every_line_whole(lang: Lang) -> None:
    reasons = {"reason": LONG, "question": LONG, "answer": LONG, "decision": "approved"}
    entries = tuple(
        Entry(AT, "U0MANAGER1", action, "U0REP00001", reasons, full=True)
        for action in ["claim.rejected", "claim.info_requested", "claim.info_provided"] * 10
    )
    history = CustomerHistory(1, NAME, "U0REP00001", ClaimStatus.ACTIVE, AT, False, entries, 30)
    tr = Translator(lang)

    text, blocks = history_card(history, tr, RULES)

    assert validate_message(as_message(text, blocks)) == []
    sections = [b.to_dict()["text"]["text"] for b in blocks[2:-1]]
    shown_lines = [line for text in sections for line in text.split("\n")]
    assert shown_lines == [entry_line(e, tr, RULES) for e in entries]  # none cut, none lost
    assert blocks[-1].to_dict()["type"] == "context"  # the footer stays


def case(status: str | None, **changes: Any) -> DisputeCase:
    values: dict[str, Any] = {
        "collision_id": 9,
        "customer_id": 1,
        "customer_name": NAME,
        "holder_id": "U0REP00001",
        "holder_claim_id": 3,
        "holder_filed_at": AT,
        "holder_until": AT + timedelta(days=90),
        "challenger_id": "U0REP00003",
        "collided_at": AT,
        "matched_on": "name",
        "status": status,
        "disputed_by": "U0REP00003",
        "reason": LONG,
        "disputed_at": AT,
    }
    if status in ("kept", "transferred"):
        values |= {"decided_by": "U0MANAGER1", "decided_at": AT, "decision_reason": LONG}
        values["new_claim_id"] = 11 if status == "transferred" else None
    return DisputeCase(**(values | changes))


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("status", ["open", "kept", "transferred"])
def test_the_dispute_card_and_its_notices_are_valid_in_every_state(lang: Lang, status: str) -> None:
    tr = Translator(lang)
    dispute = case(status)
    assert DisputeCase.from_payload(json.loads(json.dumps(dispute.to_payload()))) == dispute
    text, blocks = dispute_card(dispute, tr)
    assert validate_message(as_message(text, blocks)) == [] and "<!channel>" not in shown(blocks)
    assert ("dispute_keep" in shown(blocks)) is (status == "open")
    kinds = ["dispute.card", "dispute.opened"]
    if status != "open":
        kinds.append("dispute.decided")
    for kind in kinds:
        for side in ("holder", "challenger"):
            text, blocks = render_notice(kind, dispute.to_payload() | {"side": side}, tr)
            assert validate_message(as_message(text, blocks)) == [], kind
    for view in (open_form(dispute, tr), decide_form(dispute, Verdict.TRANSFER, tr)):
        assert validate_view(view.to_dict(), surface="modal") == []


@pytest.mark.parametrize("lang", LANGS)
def test_every_dispute_refusal_has_its_words(lang: Lang) -> None:
    tr = Translator(lang)
    for refusal in Refusal:
        for with_case in (case("open"), case("kept"), None):
            said = refusal_text(DisputeAttempt(with_case, refusal, held_by="U0REP00002"), tr)
            assert said  # a missing catalogue key would have raised
    assert "<#C0APPROVALS>" in opened_text(
        DisputeAttempt(case("open"), recipients=("C0APPROVALS",)), tr
    )


@pytest.mark.parametrize("lang", LANGS)
def test_transfers_answer_every_outcome_and_the_forms_are_valid(lang: Lang) -> None:
    tr = Translator(lang)
    claim = ClaimRef(7, 1, NAME, "U0REP00001", ClaimStatus.ACTIVE)
    views: list[View] = [transfer_form(claim, tr), release_form(claim, tr)]
    for view in views:
        assert validate_view(view.to_dict(), surface="modal") == []
    for refusal in TransferRefusal:
        for status in ClaimStatus:
            ref = ClaimRef(7, 1, NAME, "U0REP00001", status)
            said = handover_text(Handover(refusal, ref, to_id="U0REP00002"), "transfer", tr)
            assert said
    done = Handover(claim=claim, to_id="U0REP00002", protection_until=AT, holding=51, cap=50)
    assert "50" in handover_text(done, "transfer", tr)
    assert handover_text(Handover(claim=claim), "release", tr)
    payload = {"customer_name": NAME, "claim_id": 7, "new_claim_id": 8, "from_id": "U1",
               "to_id": "U2", "actor_id": "U3", "reason": LONG, "protection_until": AT.isoformat(),
               "released_at": AT.isoformat(), "cooldown_until": AT.isoformat()}  # fmt: skip
    for kind in ("transfer.from", "transfer.to", "release.owner"):
        text, blocks = render_notice(kind, payload, tr)
        assert validate_message(as_message(text, blocks)) == [] and "<!channel>" not in shown(
            blocks
        )


@pytest.mark.parametrize("lang", LANGS)
def test_collision_notices_carry_the_dispute_button(lang: Lang) -> None:
    tr = Translator(lang)
    payload = {"customer_name": NAME, "collision_id": 5, "matched_on": "name",
               "challenger_id": "U2", "holder_id": "U1", "until": AT.isoformat()}  # fmt: skip
    for kind in ("collision.holder", "collision.challenger"):
        text, blocks = render_notice(kind, payload, tr)
        assert validate_message(as_message(text, blocks)) == []
        assert '"action_id": "dispute_open"' in shown(blocks) and '"value": "5"' in shown(blocks)
        _, older = render_notice(
            kind, {k: v for k, v in payload.items() if k != "collision_id"}, tr
        )
        assert "dispute_open" not in shown(older)
