"""Lists, search and history against a real database (SQLite and PostgreSQL): the order, the
pages cut by the database, and every row cut to what its viewer may see."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from bot.lifecycle.followup_form import FollowUpEntry, Method
from bot.lists import PAGE_SIZE, Viewer
from bot.runtime import Runtime
from store.models import Claim, ClaimStatus, Role
from tests.approvals.conftest import A1, M1, M2, M3, NOW, R1, R2, R3, WS, big_deal, pending
from tests.lists.conftest import distinct_name, ordinary


async def log(rt: Runtime, user: str, claim_id: int | None, stage: str | None = None) -> None:
    assert claim_id is not None
    entry = FollowUpEntry(
        happened_at=rt.clock.now(),
        method=Method.VISIT,
        summary="Met the buyer",
        next_step=None,
        next_step_on=None,
        stage=stage,
    )
    await rt.lifecycle.followups.log(WS, user, claim_id, entry)


async def test_mine_lists_pending_active_won_then_recently_ended(rt: Runtime) -> None:
    active = await ordinary(rt, R1, "上海艾克美机器人有限公司", "+862155550101")
    await log(rt, R1, active.claim_id, "proposal")
    await pending(rt, R1, big_deal("北京字节跳动科技有限公司"))
    won = await ordinary(rt, R1, "杭州阿里巴巴网络有限公司", "+8613900139000")
    await log(rt, R1, won.claim_id, "won")
    lost = await ordinary(rt, R1, "深圳华强电子有限公司", "+8613600136000")
    await log(rt, R1, lost.claim_id, "lost")
    gone = await ordinary(rt, R1, "广州天河贸易有限公司", "+8613700137000")
    await log(rt, R1, gone.claim_id, "lost")
    async with rt.db.session() as session:
        await session.execute(
            update(Claim).where(Claim.id == gone.claim_id).values(ended_at=NOW - timedelta(days=31))
        )
    page = await rt.lists.mine(WS, R1)
    assert [r.status for r in page.rows] == [
        ClaimStatus.PENDING,
        ClaimStatus.ACTIVE,
        ClaimStatus.WON,
        ClaimStatus.LOST,
    ]
    assert page.counts == {"pending": 1, "active": 1, "won": 1, "lost": 1}
    row = page.rows[1]
    assert row.details is not None and row.details.stage == "proposal"
    assert (row.details.last_followup_method, row.details.last_followup_at) == ("visit", NOW)
    assert row.reclaim_at == NOW + timedelta(days=14) and not row.manageable
    assert (await rt.lists.mine(WS, R2)).total == 0


async def test_team_rows_are_cut_to_what_each_viewer_may_see(rt: Runtime) -> None:
    east = await ordinary(rt, R1, "上海艾克美机器人有限公司", "+862155550101")
    south = await ordinary(rt, R3, "深圳华强电子有限公司", "+8613600136000")

    def ids(page: object) -> set[int]:
        return {r.claim_id for r in getattr(page, "rows", ())}

    for_r2 = await rt.lists.team(WS, R2)
    [row] = for_r2.rows
    assert (row.claim_id, row.owner_id, row.details, row.manageable) == (
        east.claim_id,
        R1,
        None,
        False,
    )
    assert row.protection_until is not None, "the date shows to everyone"
    for_m1 = await rt.lists.team(WS, M1)
    [row] = for_m1.rows
    assert row.details is not None and row.details.phone == "+862155550101" and row.manageable
    assert for_m1.teams == ("East",) and for_m1.role is Role.MANAGER
    assert ids(await rt.lists.team(WS, M3)) == {south.claim_id}
    assert ids(await rt.lists.team(WS, R3)) == {south.claim_id}
    for_admin = await rt.lists.team(WS, A1)
    assert ids(for_admin) == {east.claim_id, south.claim_id} and for_admin.everyone
    assert all(r.details is not None and r.manageable for r in for_admin.rows)
    nobody = await rt.lists.team(WS, "UNOTEAM")
    assert not nobody.allowed and nobody.rows == ()


async def test_pages_are_cut_by_the_database(rt: Runtime) -> None:
    for n in range(PAGE_SIZE * 2 + 5):
        await ordinary(rt, R1 if n % 2 else R2, distinct_name(n), f"+86139{n:08d}")
    first = await rt.lists.team(WS, M2)
    assert (len(first.rows), first.total, first.pages, first.has_next) == (15, 35, 3, True)
    last = await rt.lists.team(WS, M2, 2)
    assert (len(last.rows), last.has_next, last.has_previous) == (5, False, True)
    clamped = await rt.lists.team(WS, M2, 99)
    assert clamped.page == 2, "a page past the end shows the last one"
    every = {r.claim_id for p in range(3) for r in (await rt.lists.team(WS, M2, p)).rows}
    assert len(every) == 35


async def test_the_viewer_agrees_with_the_directory(rt: Runtime) -> None:
    await ordinary(rt, R1, "上海艾克美机器人有限公司", "+862155550101")
    await ordinary(rt, R3, "深圳华强电子有限公司", "+8613600136000")
    async with rt.db.session() as session:
        # An imported claim names no team: its owner's teams decide.
        await session.execute(update(Claim).where(Claim.owner_id == R3).values(team_id=None))
    async with rt.db.session() as session:
        claims = list(await session.scalars(select(Claim)))
        for viewer_id in (R1, R2, R3, M1, M2, M3, A1, "UNOTEAM"):
            member = await rt.directory.member(session, WS, viewer_id)
            viewer = Viewer(rt.directory, session, WS, member)
            for claim in claims:
                expected = await rt.directory.can_see(
                    session, WS, viewer_id, owner_id=claim.owner_id, team_id=claim.team_id
                )
                assert await viewer.sees(claim.owner_id, claim.team_id) == expected


async def test_search_gives_details_only_where_the_caller_may_see_them(rt: Runtime) -> None:
    held = await ordinary(rt, R1, "上海艾克美机器人有限公司", "+862155550101", email="w@acme.cn")
    for viewer, sees in ((R1, True), (M1, True), (A1, True), (R2, False), (M3, False)):
        [found] = (await rt.lists.search(WS, viewer, "艾克美机器人")).found
        assert (found.holder_id, found.status) == (R1, ClaimStatus.ACTIVE)
        assert (found.details is not None) is sees, viewer
        assert (found.claim_id == held.claim_id) is sees
    [by_phone] = (await rt.lists.search(WS, M1, "021 5555 0101")).found
    assert by_phone.details is not None and by_phone.details.email == "w@acme.cn"
    assert not (await rt.lists.search(WS, R2, "   ")).usable
    assert (await rt.lists.search(WS, R2, "完全不同的名字")).found == ()


async def test_history_hides_the_details_from_those_who_may_not_see_them(rt: Runtime) -> None:
    claim_id = await pending(rt, R1, big_deal())
    assert (await rt.approvals.reject(WS, M1, claim_id, "No budget")).ok
    taken = await ordinary(rt, R2, "北京字节跳动科技有限公司", "+8613800138000")
    await log(rt, R2, taken.claim_id, "proposal")
    answer = await rt.history.find(WS, R3, "字节跳动")
    assert answer.history is not None
    actions = [e.action for e in answer.history.entries]
    assert actions == [
        "claim.filed",
        "claim.pending",
        "claim.rejected",
        "claim.filed",
        "claim.approved",
        "claim.followed_up",
    ]
    rejected = answer.history.entries[2]
    assert rejected.data == {} and not rejected.full and rejected.owner_id == R1
    for_m1 = await rt.history.find(WS, M1, "字节跳动")
    assert for_m1.history is not None
    assert for_m1.history.entries[2].data["reason"] == "No budget"
    assert for_m1.history.entries[5].data["stage"] == "proposal"
    for_r2 = await rt.history.find(WS, R2, "字节跳动")
    assert for_r2.history is not None
    entries = for_r2.history.entries
    assert entries[2].data == {} and entries[5].full, "his own claim, not Alice's"
    assert for_m1.history.holder_id == R2 and for_m1.history.earlier == 0
    customer_id = for_m1.history.customer_id
    again = await rt.history.of_customer(WS, R3, customer_id)
    assert again is not None and len(again.entries) == 6
    assert await rt.history.of_customer(WS, R3, 999_999) is None
    assert (await rt.history.find(WS, R3, f"#{claim_id}")).history is not None
