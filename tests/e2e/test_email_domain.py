"""The same company e-mail domain is a possible duplicate (issue 18): the claim waits for a
manager, whose card says why; a free-mail domain (qq.com, 163.com …) says nothing. Signed HTTP
against the fake Slack, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select

from bot.fakeslack.reading import text_of
from store.models import Claim, ClaimStatus, Collision, CustomerKey, KeyKind
from tests.e2e.approvals_support import BIG_DEAL, WEI, cards_to, outbox_drained, start
from tests.e2e.conftest import ALICE, BO, Bot, BotFactory
from tests.e2e.test_claim_flow import count

# No deal size: no approval rule fires, only the duplicate check can hold the claim.
FEIHAI = BIG_DEAL | {
    "customer_name": "北京飞海科技有限公司",
    "phone": "137 0013 7000",
    "email": "wang@feihai.cn",
    "deal_size": "",
}
# Nothing alike in the name or the phone: only the e-mail domain is shared.
XINGHE = FEIHAI | {
    "customer_name": "上海星河贸易有限公司",
    "phone": "139 0013 9000",
    "email": "Li.Na@FeiHai.cn",
}


async def statuses(bot: Bot) -> list[str]:
    async with bot.rt.db.session() as session:
        return list(await session.scalars(select(Claim.status).order_by(Claim.id)))


async def test_a_shared_company_domain_holds_the_claim_for_a_manager(
    bot_factory: BotFactory, database_url: str
) -> None:
    bot = await start(bot_factory, database_url=database_url)
    await bot.file_claim(FEIHAI, user=ALICE)
    answer = await bot.file_claim(XINGHE, user=BO)
    verdict = text_of(answer["view"])
    # BO reads Chinese: waiting for a manager, a possible duplicate, found on the e-mail domain.
    assert "待主管审批" in verdict and "疑似重复" in verdict, verdict
    assert "北京飞海科技有限公司" in verdict and "(邮箱域名相同)" in verdict
    assert await statuses(bot) == [ClaimStatus.ACTIVE, ClaimStatus.PENDING]
    assert await count(bot, Collision) == 0
    await outbox_drained(bot)
    card = text_of(cards_to(bot, WEI)[-1])
    assert "北京飞海科技有限公司" in card
    assert "same e-mail domain `feihai.cn`" in card
    assert "similar name" not in card


async def test_a_free_mail_domain_holds_nothing(bot_factory: BotFactory) -> None:
    bot = await start(bot_factory)
    await bot.file_claim(FEIHAI | {"email": "wang@qq.com"}, user=ALICE)
    answer = await bot.file_claim(XINGHE | {"email": "lina@vip.qq.com"}, user=BO)
    verdict = text_of(answer["view"])
    assert "待主管审批" not in verdict and "疑似重复" not in verdict, verdict
    assert await statuses(bot) == [ClaimStatus.ACTIVE, ClaimStatus.ACTIVE]
    async with bot.rt.db.session() as session:
        domains = list(
            await session.scalars(
                select(CustomerKey.value).where(CustomerKey.kind == KeyKind.EMAIL_DOMAIN)
            )
        )
    assert domains == []


async def test_the_domain_is_a_stored_key_of_the_customer(bot_factory: BotFactory) -> None:
    bot = await start(bot_factory)
    await bot.file_claim(FEIHAI, user=ALICE)
    async with bot.rt.db.session() as session:
        domains = list(
            await session.scalars(
                select(CustomerKey.value).where(CustomerKey.kind == KeyKind.EMAIL_DOMAIN)
            )
        )
    assert domains == ["feihai.cn"]
