"""Deciding, asking and answering against a real database (SQLite and PostgreSQL): exactly one
decision, the metrics fields, the rights re-checked on every call, and where the cards go."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from pathlib import Path

import pytest

from bot.approvals.outcome import ApprovalRefusal, PendingPage
from bot.claims.approval import Filer
from bot.claims.importer import CustomerImporter
from bot.claims.verdict import Outcome
from bot.runtime import Runtime
from store.models import ClaimStatus
from tests.approvals.conftest import (
    A1,
    M1,
    M2,
    M3,
    NOW,
    R1,
    R2,
    R3,
    WS,
    big_deal,
    events,
    file,
    make_runtime,
    notices,
    pending,
    stored,
)


async def test_a_pending_claim_sends_one_card_per_team_manager_in_its_transaction(
    rt: Runtime,
) -> None:
    claim_id = await pending(rt, R1)
    cards = await notices(rt, "claim.approval")
    assert sorted(c.recipient for c in cards) == [M1, M2]
    payload = cards[0].payload
    assert (payload["_subject"], payload["_subject_id"]) == ("approval", claim_id)
    assert payload["customer_name"] == "北京字节跳动科技有限公司"
    assert payload["rules"] == ["deal_size"] and payload["phone"] == "+8613800138000"
    # An ordinary claim sends no card.
    assert (
        await file(rt, R2, big_deal("上海某某科技有限公司", phone="+8613900139000", deal_size=None))
    ).outcome is Outcome.CLAIMED
    assert len(await notices(rt, "claim.approval")) == 2


async def test_an_approvals_channel_gets_the_one_card(database_url: str) -> None:
    rt = await make_runtime(database_url, {"channels": {"approvals": "C0APPROVALS"}})
    try:
        await pending(rt, R1)
        assert [c.recipient for c in await notices(rt, "claim.approval")] == ["C0APPROVALS"]
    finally:
        await rt.close()


async def test_without_a_manager_the_admins_get_it_and_without_admins_it_is_logged(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    rt = await make_runtime(database_url)
    try:
        await pending(rt, "UNOTEAM")
        assert [c.recipient for c in await notices(rt, "claim.approval")] == [A1]
    finally:
        await rt.close()
    lonely = await make_runtime(database_url, admins=())
    try:
        with caplog.at_level(logging.WARNING, logger="bot.approvals.routing"):
            await pending(
                lonely, "UNOTEAM2", big_deal("广州某某贸易有限公司", phone="+8613700137000")
            )
        assert "nobody can decide it" in caplog.text
        assert len(await notices(lonely, "claim.approval")) == 1, "no new card"
    finally:
        await lonely.close()


async def test_approval_starts_protection_and_stores_every_metrics_field(rt: Runtime) -> None:
    claim_id = await pending(rt, R1)
    rt.clock.advance(timedelta(hours=30))  # type: ignore[attr-defined]
    attempt = await rt.approvals.approve(WS, M1, str(claim_id))
    assert attempt.ok and attempt.case is not None and attempt.case.decided_by == M1
    claim = await stored(rt, claim_id)
    decided_at = NOW + timedelta(hours=30)
    assert (claim.status, claim.decision, claim.decided_by) == ("active", "approved", M1)
    assert (claim.submitted_at, claim.decided_at, claim.last_activity_at) == (
        NOW,
        decided_at,
        decided_at,
    )
    assert claim.protection_until == decided_at + timedelta(days=90)
    assert claim.rules_fired == {"rules": ["deal_size"], "candidates": []}
    [told] = await notices(rt, "claim.decided")
    assert (told.recipient, told.payload["decision"], told.payload["decided_by"]) == (
        R1,
        "approved",
        M1,
    )
    [event] = await events(rt, "claim.approved")
    assert (event.actor_id, event.claim_id, event.at) == (M1, claim_id, decided_at)


async def test_rejection_ends_the_claim_with_its_reason_and_frees_the_customer(
    rt: Runtime,
) -> None:
    claim_id = await pending(rt, R1)
    attempt = await rt.approvals.reject(WS, M2, str(claim_id), "Not our segment.")
    assert attempt.ok
    claim = await stored(rt, claim_id)
    assert (claim.status, claim.decision, claim.decided_by, claim.decision_reason) == (
        "rejected",
        "rejected",
        M2,
        "Not our segment.",
    )
    assert (claim.ended_at, claim.end_reason, claim.protection_until) == (NOW, "rejected", None)
    [event] = await events(rt, "claim.rejected")
    assert event.data["reason"] == "Not our segment."
    again = await file(rt, R2, big_deal(deal_size=None))
    assert again.outcome is Outcome.CLAIMED, "the customer is free again"


async def test_racing_decisions_make_exactly_one(rt: Runtime) -> None:
    claim_id = await pending(rt, R1)
    results = await asyncio.gather(
        rt.approvals.approve(WS, M1, str(claim_id)),
        rt.approvals.reject(WS, M2, str(claim_id), "No."),
        rt.approvals.approve(WS, A1, str(claim_id)),
    )
    assert sum(r.ok for r in results) == 1
    winner = next(r for r in results if r.ok)
    assert winner.case is not None
    for loser in (r for r in results if not r.ok):
        assert loser.refusal is ApprovalRefusal.DECIDED
        assert loser.case is not None and loser.case.decided_by == winner.case.decided_by
    claim = await stored(rt, claim_id)
    assert claim.version == 2
    decided = len(await events(rt, "claim.approved")) + len(await events(rt, "claim.rejected"))
    assert decided == 1
    assert len(await notices(rt, "claim.decided")) == 1


@pytest.mark.parametrize(
    ("actor", "refusal"),
    [
        (R2, ApprovalRefusal.NOT_APPROVER),  # a rep of the same team
        (M3, ApprovalRefusal.NOT_APPROVER),  # another team's manager
        (R1, ApprovalRefusal.OWN_CLAIM),  # the owner
    ],
)
async def test_no_right_no_change_and_the_attempt_is_audited(
    rt: Runtime, actor: str, refusal: ApprovalRefusal
) -> None:
    claim_id = await pending(rt, R1)
    for attempt in (
        await rt.approvals.approve(WS, actor, str(claim_id)),
        await rt.approvals.reject(WS, actor, str(claim_id), "x"),
        await rt.approvals.questions.ask(WS, actor, str(claim_id), "x?"),
        await rt.approvals.may_decide(WS, actor, str(claim_id), "reject"),
    ):
        assert attempt.refusal is refusal and attempt.case is None
    claim = await stored(rt, claim_id)
    assert (claim.status, claim.version) == (ClaimStatus.PENDING.value, 1)
    refused = await events(rt, "access.refused")
    assert [(e.actor_id, e.claim_id, e.data["reason"]) for e in refused] == [
        (actor, claim_id, refusal.value)
    ] * 4


@pytest.mark.parametrize("ref", [None, "", "abc", "-1", "1.0", "１", "9" * 30, "424242"])
async def test_a_forged_or_foreign_id_is_unknown(rt: Runtime, ref: object) -> None:
    await pending(rt, R1)
    attempt = await rt.approvals.approve(WS, A1, ref)
    assert attempt.refusal is ApprovalRefusal.UNKNOWN
    [event] = await events(rt, "access.refused")
    assert event.data["reason"] == "unknown" and event.claim_id is None


async def test_another_workspaces_claim_is_unknown_here(rt: Runtime) -> None:
    filer = await rt.directory.filer("T2", rt.people.default_profile(R1))
    other = await rt.claims.submit(
        workspace_id="T2", filer=filer, draft=big_deal(), submission_key="t2"
    )
    assert other.claim_id is not None
    attempt = await rt.approvals.approve(WS, A1, str(other.claim_id))
    assert attempt.refusal is ApprovalRefusal.UNKNOWN
    assert (await stored(rt, other.claim_id)).status == "pending"


async def test_approval_is_refused_when_the_customer_is_meanwhile_held_elsewhere(
    rt: Runtime, tmp_path: Path
) -> None:
    held = await file(
        rt, R2, big_deal("北京蓝天科技有限公司", phone="+8613700137000", deal_size=None)
    )
    assert held.outcome is Outcome.CLAIMED
    claim_id = await pending(rt, R1)
    listing = tmp_path / "crm.csv"
    listing.write_text("name,phone\n北京蓝天科技有限公司,13800138000\n", encoding="utf-8")
    await CustomerImporter(rt.db, rt.rules, rt.clock, rt.checker).load(listing, WS)
    attempt = await rt.approvals.approve(WS, M1, str(claim_id))
    assert attempt.refusal is ApprovalRefusal.HELD_ELSEWHERE
    assert attempt.held_by is not None and attempt.held_by.holder is not None
    assert attempt.held_by.holder.owner_id == R2
    assert attempt.held_by.customer_name == "北京蓝天科技有限公司"
    assert (await stored(rt, claim_id)).status == "pending"
    assert (await rt.approvals.reject(WS, M1, str(claim_id), "Bo's customer.")).ok


async def test_a_near_match_held_by_someone_is_the_managers_call(rt: Runtime) -> None:
    await file(rt, R2, big_deal("北京飞海科技有限公司", phone="+8613700137000", deal_size=None))
    claim_id = await pending(
        rt, R1, big_deal("北京飞海达科技有限公司", phone="+8613900139000", deal_size=None)
    )
    claim = await stored(rt, claim_id)
    assert claim.rules_fired["rules"] == ["possible_duplicate"]
    assert claim.rules_fired["candidates"][0]["holder_id"] == R2
    assert (await rt.approvals.approve(WS, M1, str(claim_id))).ok


async def test_a_question_the_rep_answers_once_while_the_claim_waits(rt: Runtime) -> None:
    claim_id = await pending(rt, R1)
    asked = await rt.approvals.questions.ask(WS, M1, str(claim_id), "Who is the contact?")
    assert asked.ok and asked.question is not None
    question_ref = str(asked.question.id)
    [dm] = await notices(rt, "claim.info_requested")
    assert dm.recipient == R1 and dm.payload["_subject"] == "question"
    assert (await stored(rt, claim_id)).status == "pending"

    assert (
        await rt.approvals.questions.answer(WS, R2, question_ref, "me")
    ).refusal is ApprovalRefusal.NOT_OWNER
    assert (
        await rt.approvals.questions.answer(WS, M1, question_ref, "me")
    ).refusal is ApprovalRefusal.NOT_OWNER
    assert (
        await rt.approvals.questions.may_answer(WS, R1, "777")
    ).refusal is ApprovalRefusal.UNKNOWN
    answered = await rt.approvals.questions.answer(WS, R1, question_ref, "The CIO, Ms Wang.")
    assert answered.ok and answered.case is not None
    assert answered.case.questions[0].answer == "The CIO, Ms Wang."
    assert (
        await rt.approvals.questions.answer(WS, R1, question_ref, "again")
    ).refusal is ApprovalRefusal.ANSWERED
    told = await notices(rt, "claim.info_provided")
    assert sorted(n.recipient for n in told) == [M1, M2]
    assert told[0].payload["answer"] == "The CIO, Ms Wang."
    assert [e.actor_id for e in await events(rt, "claim.info_requested")] == [M1]
    assert [e.actor_id for e in await events(rt, "claim.info_provided")] == [R1]


async def test_a_question_on_a_decided_claim_is_no_longer_answered(rt: Runtime) -> None:
    claim_id = await pending(rt, R1)
    asked = await rt.approvals.questions.ask(WS, M1, str(claim_id), "Why now?")
    assert asked.question is not None
    await rt.approvals.approve(WS, M2, str(claim_id))
    late = await rt.approvals.questions.answer(WS, R1, str(asked.question.id), "Because.")
    assert late.refusal is ApprovalRefusal.DECIDED
    assert (
        await rt.approvals.questions.ask(WS, M1, str(claim_id), "More?")
    ).refusal is ApprovalRefusal.DECIDED


async def test_what_waits_for_whom(rt: Runtime) -> None:
    east_one = await pending(rt, R1)
    east_two = await pending(rt, R2, big_deal("上海某某科技有限公司", phone="+8613900139000"))
    south = await pending(rt, R3, big_deal("广州某某贸易有限公司", phone="+8613700137000"))
    no_team = await pending(rt, "UNOTEAM", big_deal("深圳某某电子有限公司", phone="+8613600136000"))

    def ids(page: PendingPage) -> list[int]:
        return [c.claim_id for c in page.cases]

    assert ids(await rt.approvals.pending_for(WS, M1)) == [east_one, east_two]
    assert ids(await rt.approvals.pending_for(WS, M3)) == [south]
    admin = await rt.approvals.pending_for(WS, A1)
    assert ids(admin) == [east_one, east_two, south, no_team] and admin.total == 4
    rep = await rt.approvals.pending_for(WS, R1)
    assert (rep.approver, rep.total) == (False, 0)
    first = await rt.approvals.pending_for(WS, A1, limit=3)
    assert first.next_offset == 3
    second = await rt.approvals.pending_for(WS, A1, offset=3, limit=3)
    assert ids(second) == [no_team] and second.next_offset is None
    await rt.approvals.approve(WS, M1, str(east_one))
    assert ids(await rt.approvals.pending_for(WS, M2)) == [east_two]


async def test_a_team_member_claim_filed_without_a_team_still_reaches_the_teams_managers(
    rt: Runtime,
) -> None:
    # A claim that names no team (filed before its owner joined one) is decided by the
    # managers of the teams its owner is now a member of.
    verdict = await rt.claims.submit(
        workspace_id=WS, filer=Filer(user_id=R3), draft=big_deal(), submission_key="teamless"
    )
    assert verdict.claim_id is not None
    assert [c.claim_id for c in (await rt.approvals.pending_for(WS, M3)).cases] == [
        verdict.claim_id
    ]
    assert (await rt.approvals.approve(WS, M3, str(verdict.claim_id))).ok
