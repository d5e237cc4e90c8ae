"""Extensions against the store: one request waiting at a time, a cap per claim, the right to
decide, exactly one decision when managers click together, and nothing to extend once ended."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from bot.clock import FixedClock
from bot.directory import Directory
from bot.lifecycle.extensions import (
    Decision,
    DecisionOutcome,
    ExtensionService,
    Requested,
    RequestRefusal,
)
from bot.lifecycle.followups import OwnerRefusal
from bot.lifecycle.sweep import Sweeper
from bot.rules import Rules
from store.db import Database
from store.models import Claim, ExtensionRequest, OutboxMessage, TeamMember
from tests.lifecycle.store_support import ADMIN, MANAGER, OTHER, REP, T0, WS, add_claim, add_team

RULES = Rules.model_validate({"admins": [ADMIN], "extension": {"days": 20, "max_per_claim": 1}})
SECOND_MANAGER = "U0MANAGER2"


def service(db: Database) -> ExtensionService:
    clock = FixedClock(T0 + timedelta(days=3))
    return ExtensionService(db, RULES, clock, Directory(db, RULES, clock))


async def protection(db: Database, claim_id: int) -> object:
    async with db.session() as session:
        claim = await session.get(Claim, claim_id)
        assert claim is not None
        return claim.protection_until


async def test_a_request_goes_to_the_teams_managers_and_one_waits_at_a_time(db: Database) -> None:
    team = await add_team(db)
    claim_id = await add_claim(db, "acme", team_id=team)
    requested = await service(db).request(WS, REP, claim_id, "Budget in January")
    assert isinstance(requested, Requested)
    assert requested.recipients == (MANAGER,)
    assert await service(db).request(WS, REP, claim_id, "again") is RequestRefusal.ALREADY_PENDING
    assert await service(db).request(WS, OTHER, claim_id, "mine?") is OwnerRefusal.NOT_OWNER
    async with db.session() as session:
        (card,) = (await session.scalars(select(OutboxMessage))).all()
    assert (card.kind, card.recipient, card.payload["reason"]) == (
        "extension.request",
        MANAGER,
        "Budget in January",
    )


async def test_only_a_manager_of_the_rep_decides_and_two_clicks_make_one_decision(
    db: Database,
) -> None:
    team = await add_team(db)
    async with db.session() as session:
        session.add(
            TeamMember(team_id=team, user_id=SECOND_MANAGER, is_manager=True, workspace_id=WS)
        )
    claim_id = await add_claim(db, "acme", team_id=team)
    before = await protection(db, claim_id)
    requested = await service(db).request(WS, REP, claim_id, "Budget in January")
    assert isinstance(requested, Requested)
    request_id = requested.request_id

    refused = await service(db).decide(WS, OTHER, request_id, Decision.APPROVED)
    assert refused.outcome is DecisionOutcome.NOT_ALLOWED
    own = await service(db).decide(WS, REP, request_id, Decision.APPROVED)
    assert own.outcome is DecisionOutcome.NOT_ALLOWED, "nobody decides their own"

    first, second = await asyncio.gather(
        service(db).decide(WS, MANAGER, request_id, Decision.APPROVED),
        service(db).decide(WS, SECOND_MANAGER, request_id, Decision.REJECTED),
    )
    outcomes = sorted([first.outcome, second.outcome])
    assert outcomes == sorted([DecisionOutcome.DECIDED, DecisionOutcome.ALREADY_DECIDED])
    winner, loser = (first, second) if first.outcome is DecisionOutcome.DECIDED else (second, first)
    assert winner.case is not None and loser.case is not None
    assert loser.case.status == winner.case.status != "pending", (
        "the loser's card shows the outcome"
    )
    if winner.case.status == "approved":
        assert await protection(db, claim_id) == before + timedelta(days=20)  # type: ignore[operator]
    else:
        assert await protection(db, claim_id) == before
    async with db.session() as session:
        decided = (await session.scalars(select(OutboxMessage).where(
            OutboxMessage.kind == "extension.decided"
        ))).all()  # fmt: skip
    assert [d.recipient for d in decided] == [REP]


async def test_the_cap_and_an_ended_claim_stop_extensions(db: Database) -> None:
    claim_id = await add_claim(db, "acme")
    requested = await service(db).request(WS, REP, claim_id, "more time")
    assert isinstance(requested, Requested)
    assert requested.recipients == (ADMIN,), "no team manager: the admins decide"
    decided = await service(db).decide(WS, ADMIN, requested.request_id, Decision.APPROVED)
    assert decided.outcome is DecisionOutcome.DECIDED
    assert await service(db).request(WS, REP, claim_id, "and more") is RequestRefusal.NONE_LEFT

    other = await add_claim(db, "idle", last=T0 - timedelta(days=20))
    pending = await service(db).request(WS, REP, other, "please")
    assert isinstance(pending, Requested)
    await Sweeper(db, RULES, Directory(db, RULES, FixedClock(T0))).run(T0)  # reclaims it
    async with db.session() as session:
        request = await session.get(ExtensionRequest, pending.request_id)
        assert request is not None and request.status == "cancelled"
    late = await service(db).decide(WS, ADMIN, pending.request_id, Decision.APPROVED)
    assert late.outcome is DecisionOutcome.ALREADY_DECIDED
