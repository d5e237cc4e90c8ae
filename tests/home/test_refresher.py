"""The refresher: it hears of committed changes only, coalesces bursts, and republishes only the
live Homes a change concerns — on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pytest
from sqlalchemy.exc import IntegrityError

from bot.clock import FixedClock
from bot.directory import Directory
from bot.home.refresher import HomeRefresher
from bot.rules import Rules
from store import audit
from store import home as home_store
from store.db import Database
from store.home import Change, watch_changes
from store.models import ClaimStatus
from tests.home.support import many_claims
from tests.metrics.fixtures import ADA, ALICE, BO, CAROL, LI, MEI, NOW, WS, seed


@dataclass
class Publisher:
    """Records publishes instead of calling Slack."""

    published: list[tuple[str, str]] = field(default_factory=list)

    async def publish(self, workspace_id: str, user_id: str, **_: object) -> bool:
        self.published.append((workspace_id, user_id))
        return True


def refresher(db: Database, publisher: Publisher, **options: float) -> HomeRefresher:
    rules = Rules.model_validate({"admins": [ADA]})
    directory = Directory(db, rules, FixedClock(NOW))
    return HomeRefresher(db, directory, publisher, **options)  # type: ignore[arg-type]


async def record(db: Database, action: audit.Action, claim_id: int | None, **data: str) -> None:
    async with db.session() as session:
        await audit.record(
            session, WS, action, actor_id=audit.SYSTEM, at=NOW, claim_id=claim_id, data=data
        )


async def test_only_committed_changes_are_heard(db: Database) -> None:
    heard: list[Change] = []
    other = Database(db.url)
    stop = watch_changes(db, heard.extend)
    try:
        await record(db, audit.Action.CLAIM_FOLLOWED_UP, 7, to=BO)
        assert [(c.action, c.claim_id, c.named) for c in heard] == [("claim.followed_up", 7, (BO,))]
        heard.clear()
        try:
            async with db.session() as session:
                await audit.record(
                    session, WS, audit.Action.CLAIM_APPROVED, actor_id=MEI, at=NOW, claim_id=8
                )
                await session.flush()
                raise IntegrityError("boom", None, Exception("rolled back"))
        except IntegrityError:
            pass
        assert heard == [], "a rolled-back change is no change"
        await record(db, audit.Action.ACCESS_REFUSED, 9)
        assert heard == [], "a refused click changes nothing shown"
        await record(other, audit.Action.CLAIM_APPROVED, 10)
        assert heard == [], "another database's changes are its own"
    finally:
        stop()
        await other.dispose()
    await record(db, audit.Action.CLAIM_APPROVED, 11)
    assert heard == []


async def test_a_change_concerns_the_owner_the_managers_and_the_admins(db: Database) -> None:
    month = await seed(db)
    publisher = Publisher()
    home = refresher(db, publisher)
    everyone = {ALICE, BO, CAROL, MEI, LI, ADA}
    for user in everyone:
        home.touch(WS, user)
    change = Change(WS, "claim.followed_up", ALICE, month.claims["A1"])
    assert await home.concerned(WS, [change], everyone) == {ALICE, MEI, ADA}
    # An imported claim has no team: its owner's teams' managers are told.
    imported = Change(WS, "claim.reclaimed", audit.SYSTEM, month.claims["I1"])
    assert await home.concerned(WS, [imported], everyone) == {ALICE, MEI, ADA}
    # A transfer names the other rep.
    moved = Change(WS, "claim.transferred", LI, month.claims["C1"], named=(BO,))
    assert await home.concerned(WS, [moved], everyone) == {CAROL, LI, BO, ADA}

    assert await home.refresh([change]) == 3
    assert sorted(publisher.published) == sorted((WS, u) for u in (ALICE, MEI, ADA))


async def test_only_live_homes_are_refreshed_and_they_expire(db: Database) -> None:
    month = await seed(db)
    clock = [1000.0]
    publisher = Publisher()
    home = refresher(db, publisher, live_for=60.0)
    home.monotonic = lambda: clock[0]
    home.touch(WS, MEI)
    change = Change(WS, "claim.approved", ADA, month.claims["A2"])
    assert await home.refresh([change]) == 1
    assert publisher.published == [(WS, MEI)]
    clock[0] += 61
    assert home.live(WS) == set()
    assert await home.refresh([change]) == 0, "nobody is looking: nothing to publish"


async def test_a_burst_is_one_round_with_each_home_once(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(home_store, "CHUNK", 64)  # who 300 claims concern is asked in chunks
    month = await seed(db)
    east = month.east
    ids = await many_claims(db, owner=BO, team=east, count=300, start=NOW, prefix="Burst")
    publisher = Publisher()
    home = refresher(db, publisher, debounce=0.5)
    for user in (ALICE, BO, MEI, CAROL):
        home.touch(WS, user)
    await home.start()
    try:
        # The sweep reclaims 300 claims in a few transactions.
        for chunk in range(0, 300, 100):
            async with db.session() as session:
                for claim_id in ids[chunk : chunk + 100]:
                    await audit.record(
                        session,
                        WS,
                        audit.Action.CLAIM_RECLAIMED,
                        actor_id=audit.SYSTEM,
                        at=NOW,
                        claim_id=claim_id,
                    )
        async with asyncio.timeout(5):
            while len(publisher.published) < 2:  # noqa: ASYNC110 - the stub announces nothing
                await asyncio.sleep(0.01)
        await asyncio.sleep(0.2)
    finally:
        await home.stop()
    # Bo (the owner) and Mei (East's manager), once each; Alice and Carol are not concerned.
    assert sorted(publisher.published) == sorted([(WS, BO), (WS, MEI)])


async def test_pending_claims_count_as_claims_of_their_owner(db: Database) -> None:
    month = await seed(db)
    [claim_id] = await many_claims(
        db, owner=CAROL, team=month.south, count=1, start=NOW, status=ClaimStatus.PENDING
    )
    home = refresher(db, Publisher())
    change = Change(WS, "claim.pending", audit.SYSTEM, claim_id)
    assert await home.concerned(WS, [change], {LI, ADA}) == {CAROL, LI, ADA}
    # With only South's manager looking, nobody asks who the admins are.
    assert await home.concerned(WS, [change], {LI}) == {CAROL, LI}
