"""Filing claims against a real database: every verdict, first come first served, idempotency."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import pytest_asyncio
from sqlalchemy import ColumnElement, func, select

from bot.claims.approval import ApprovalRule, Filer
from bot.claims.draft import ClaimDraft
from bot.claims.verdict import FilingRefusal, Outcome
from bot.clock import FixedClock
from bot.rules import Rules
from bot.runtime import Runtime
from bot.settings import Settings
from store.migrate import upgrade
from store.models import AuditEvent, Claim, ClaimStatus, Collision, Customer, OutboxMessage

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
WS = "T1"


@pytest_asyncio.fixture
async def rt(database_url: str) -> AsyncIterator[Runtime]:
    runtime = Runtime.create(
        Settings(bot_token="xoxb-test", database_url=database_url),
        Rules.model_validate({"claim_cap": 3, "approval": {"deal_size_threshold": 1_000_000}}),
        clock=FixedClock(NOW),
    )
    await upgrade(runtime.db)
    yield runtime
    await runtime.close()


def draft(name: str = "北京字节跳动科技有限公司", **fields: object) -> ClaimDraft:
    values: dict[str, object] = {"contact_name": "张三", "phone": "+8613800138000"} | fields
    return ClaimDraft(customer_name=name, **values)  # type: ignore[arg-type]


async def submit(rt: Runtime, user: str, d: ClaimDraft, key: str | None = None):  # type: ignore[no-untyped-def]
    return await rt.claims.submit(
        workspace_id=WS,
        filer=Filer(user_id=user),
        draft=d,
        submission_key=key or f"{user}:{abs(hash(d))}",
    )


async def count(rt: Runtime, model: type, *where: ColumnElement[bool]) -> int:
    async with rt.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def test_an_ordinary_claim_is_approved_at_once_and_protected(rt: Runtime) -> None:
    verdict = await submit(rt, "U1", draft())
    assert verdict.outcome is Outcome.CLAIMED
    assert verdict.protection_until == NOW + timedelta(days=90)
    async with rt.db.session() as session:
        claim = (await session.scalars(select(Claim))).one()
        actions = list(await session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
        notices = list(await session.scalars(select(OutboxMessage.kind)))
    assert (claim.status, claim.decision, claim.submitted_at) == ("active", "auto", NOW)
    assert actions == ["claim.filed", "claim.approved"]
    assert notices == ["claim.verdict"]


@pytest.mark.parametrize(
    "other",
    [
        "字节跳动(北京)科技有限公司",
        "北京字節跳動科技有限公司",
        "字节跳动科技",
    ],
)
async def test_a_clear_name_match_collides_and_tells_both_sides(rt: Runtime, other: str) -> None:
    first = await submit(rt, "U1", draft())
    second = await submit(rt, "U2", draft(other, phone="+8613900139000"))
    assert second.outcome is Outcome.COLLISION
    assert second.holder is not None and second.holder.owner_id == "U1"
    assert second.holder.until == first.protection_until
    async with rt.db.session() as session:
        collision = (await session.scalars(select(Collision))).one()
        recipients = set(
            await session.scalars(
                select(OutboxMessage.recipient).where(OutboxMessage.kind.like("collision.%"))
            )
        )
    assert (collision.holder_id, collision.challenger_id, collision.matched_on) == (
        "U1",
        "U2",
        "name",
    )
    assert recipients == {"U1", "U2"}
    assert await count(rt, Claim) == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("phone", "+8613800138000"),
        ("email", "zhang@bytedance.com"),
        ("credit_code", "91110108MA01234567"),
    ],
)
async def test_an_exact_identifier_collides_whatever_the_name(
    rt: Runtime, field: str, value: str
) -> None:
    await submit(
        rt,
        "U1",
        draft("Bytedance Ltd", **{field: value} | ({"phone": None} if field != "phone" else {})),
    )
    verdict = await submit(
        rt,
        "U2",
        draft(
            "完全不同的名字科技", **{field: value} | ({"phone": None} if field != "phone" else {})
        ),
    )
    assert verdict.outcome is Outcome.COLLISION
    assert verdict.holder is not None and verdict.holder.owner_id == "U1"


async def test_e_mail_case_does_not_dodge_the_check(rt: Runtime) -> None:
    await submit(rt, "U1", draft("Acme Robotics Ltd", phone=None, email="Zhang.San@Acme.com"))
    verdict = await submit(
        rt, "U2", draft("Totally Other Co", phone=None, email="zhang.san@acme.com")
    )
    assert verdict.outcome is Outcome.COLLISION


async def test_a_different_company_is_not_a_collision(rt: Runtime) -> None:
    await submit(rt, "U1", draft())
    verdict = await submit(rt, "U2", draft("北京字节跳跃文化有限公司", phone="+8613900139000"))
    assert verdict.outcome is not Outcome.COLLISION


async def test_a_near_match_on_a_held_customer_waits_for_a_manager_naming_it(rt: Runtime) -> None:
    await submit(rt, "U1", draft("北京飞海科技有限公司"))
    verdict = await submit(rt, "U2", draft("北京飞海达科技有限公司", phone="+8613900139000"))
    assert verdict.outcome is Outcome.PENDING
    assert verdict.rules == (ApprovalRule.POSSIBLE_DUPLICATE,)
    assert [c.customer_name for c in verdict.candidates] == ["北京飞海科技有限公司"]
    assert await count(rt, Claim, Claim.status == ClaimStatus.PENDING) == 1


async def test_a_large_deal_or_late_registration_waits_and_says_why(rt: Runtime) -> None:
    verdict = await submit(
        rt,
        "U1",
        draft(deal_size=Decimal("2000000"), first_contact_on=date(2026, 10, 1)),
    )
    assert verdict.outcome is Outcome.PENDING
    assert set(verdict.rules) == {ApprovalRule.DEAL_SIZE, ApprovalRule.LATE_REGISTRATION}
    assert verdict.protection_until is None


async def test_the_holder_filing_again_is_told_it_is_theirs(rt: Runtime) -> None:
    await submit(rt, "U1", draft())
    verdict = await submit(rt, "U1", draft("字节跳动科技"))
    assert verdict.outcome is Outcome.ALREADY_YOURS
    assert await count(rt, Claim) == 1
    assert await count(rt, Collision) == 0


async def test_the_same_submission_twice_files_once(rt: Runtime) -> None:
    first = await submit(rt, "U1", draft(), key="view:V1")
    again = await submit(rt, "U1", draft(), key="view:V1")
    assert again.replayed and again.claim_id == first.claim_id
    await submit(rt, "U2", draft(), key="view:V2")
    lost_again = await submit(rt, "U2", draft(), key="view:V2")
    assert lost_again.outcome is Outcome.COLLISION and lost_again.replayed
    assert (await count(rt, Claim), await count(rt, Collision)) == (1, 1)
    assert await count(rt, OutboxMessage) == 3  # one verdict, two collision notices


async def test_the_cap_refuses_the_claim_over_it(rt: Runtime) -> None:
    for i, name in enumerate(["甲骨文软件", "微软中国", "谷歌信息"]):
        assert (
            await submit(rt, "U1", draft(name, phone=f"+861380013800{i}"))
        ).outcome is Outcome.CLAIMED
    verdict = await submit(rt, "U1", draft("亚马逊网络", phone="+8613800138009"))
    assert (verdict.outcome, verdict.refusal, verdict.cap) == (
        Outcome.REFUSED,
        FilingRefusal.CAP,
        3,
    )
    assert await count(rt, Customer) == 3


async def test_a_former_owner_waits_out_the_cool_down(rt: Runtime) -> None:
    first = await submit(rt, "U1", draft())
    async with rt.db.session() as session:
        claim = await session.get(Claim, first.claim_id)
        assert claim is not None
        claim.status, claim.ended_at, claim.end_reason = ClaimStatus.RELEASED, NOW, "reclaimed"
    again = await submit(rt, "U1", draft(), key="again")
    assert (again.outcome, again.refusal) == (Outcome.REFUSED, FilingRefusal.COOLDOWN)
    assert again.refusal_until == NOW + timedelta(days=30)
    other = await submit(rt, "U2", draft(), key="other")
    assert other.outcome is Outcome.CLAIMED
    assert other.customer_id == first.customer_id, "the released customer is claimed, not copied"


async def test_twenty_racing_claims_produce_one_owner(rt: Runtime) -> None:
    verdicts = await asyncio.gather(
        *(submit(rt, f"U{i:02d}", draft(phone=f"+86138001380{i:02d}")) for i in range(20))
    )
    outcomes = [v.outcome for v in verdicts]
    assert outcomes.count(Outcome.CLAIMED) == 1
    assert outcomes.count(Outcome.COLLISION) == 19
    assert await count(rt, Claim) == 1
    assert await count(rt, Collision) == 19
    winner = next(v for v in verdicts if v.outcome is Outcome.CLAIMED)
    async with rt.db.session() as session:
        first_filed = await session.scalar(select(Claim.id).order_by(Claim.submitted_at, Claim.id))
    assert first_filed == winner.claim_id


async def test_a_second_process_sees_customers_the_first_added(rt: Runtime) -> None:
    """Another runtime on the same database (another process) catches its index up first."""
    other = Runtime.create(rt.settings, rt.rules, clock=FixedClock(NOW))
    try:
        async with other.db.session() as session:
            await other.checker.warm(session)  # empty now
        await submit(rt, "U1", draft())
        verdict = await other.claims.submit(
            workspace_id=WS,
            filer=Filer(user_id="U2"),
            draft=draft("字节跳动(北京)科技", phone="+8613900139000"),
            submission_key="other-process",
        )
        assert verdict.outcome is Outcome.COLLISION
    finally:
        await other.close()


async def test_workspaces_never_see_each_other(rt: Runtime) -> None:
    await submit(rt, "U1", draft())
    verdict = await rt.claims.submit(
        workspace_id="T2", filer=Filer(user_id="U9"), draft=draft(), submission_key="t2"
    )
    assert verdict.outcome is Outcome.CLAIMED
