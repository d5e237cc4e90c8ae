"""The one guard before acting on a claim (bot/guard.py): the order of its checks, what each
need allows, and that every refusal is audited without saying more than the caller may know."""

from __future__ import annotations

from enum import StrEnum

from bot.guard import Denial, Need, denial, guard
from bot.runtime import Runtime
from store import claims as claim_store
from store.models import Claim
from tests.approvals.conftest import A1, M1, M3, NOW, R1, R2, WS, events, pending


class Said(StrEnum):
    """A caller's own words for the guard's denials."""

    UNKNOWN = "unknown"
    OWN = "own"
    NOT_OWNER = "not_owner"
    NOT_DECIDER = "not_decider"


WORDS = {
    Denial.UNKNOWN: Said.UNKNOWN,
    Denial.OWN_CLAIM: Said.OWN,
    Denial.NOT_OWNER: Said.NOT_OWNER,
    Denial.NOT_DECIDER: Said.NOT_DECIDER,
}


async def denials(rt: Runtime, claim_id: int, need: Need) -> dict[str, Denial | None]:
    """What the guard says to each person about one claim."""
    async with rt.db.session() as session:
        claim = await claim_store.get_claim(session, WS, claim_id)
        return {
            who: await denial(session, rt.directory, WS, who, claim, need)
            for who in (R1, R2, M1, M3, A1)
        }


async def test_what_each_need_allows_whom(rt: Runtime) -> None:
    claim_id = await pending(rt, R1)  # R1's claim in East (managers M1, M2); M3 runs South
    assert await denials(rt, claim_id, Need.DECIDER) == {
        R1: Denial.OWN_CLAIM,
        R2: Denial.NOT_DECIDER,
        M1: None,
        M3: Denial.NOT_DECIDER,
        A1: None,
    }
    assert await denials(rt, claim_id, Need.OWNER) == {
        R1: None,
        R2: Denial.NOT_OWNER,
        M1: Denial.NOT_OWNER,
        M3: Denial.NOT_OWNER,
        A1: Denial.NOT_OWNER,
    }
    # Someone who may not see the claim is told it does not exist.
    assert await denials(rt, claim_id, Need.VIEWER) == {
        R1: None,
        R2: Denial.UNKNOWN,
        M1: None,
        M3: Denial.UNKNOWN,
        A1: None,
    }


async def test_a_refusal_is_audited_in_the_callers_words_and_a_pass_is_not(rt: Runtime) -> None:
    claim_id = await pending(rt, R1)
    async with rt.db.write() as session:
        claim = await claim_store.get_claim(session, WS, claim_id)

        async def decide(actor: str, on: Claim | None, ref: str) -> Said | None:
            return await guard(
                session,
                rt.directory,
                WS,
                actor,
                on,
                need=Need.DECIDER,
                refusals=WORDS,
                action="approve",
                ref=ref,
                at=NOW,
            )

        said = await decide(M3, claim, str(claim_id))
        passed = await decide(M1, claim, str(claim_id))
        missing = await decide(M1, None, "x" * 100)
    assert (said, passed, missing) == (Said.NOT_DECIDER, None, Said.UNKNOWN)
    refused = await events(rt, "access.refused")
    assert [(e.actor_id, e.claim_id, e.data) for e in refused] == [
        (M3, claim_id, {"action": "approve", "reason": "not_decider", "value": str(claim_id)}),
        (M1, None, {"action": "approve", "reason": "unknown", "value": "x" * 64}),
    ]
