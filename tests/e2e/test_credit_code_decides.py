"""The credit code decides (matching.credit_code_decides): two valid, different unified social
credit codes are two legal entities whatever their names; one code is one customer whatever the
names. Signed HTTP against the fake Slack, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select

from bot.fakeslack.reading import text_of
from bot.rules import Rules
from store.models import AuditEvent, Claim, ClaimStatus, Collision
from tests.e2e.conftest import ALICE, CAROL, Bot, BotFactory
from tests.e2e.test_claim_flow import BYTEDANCE, count

# Valid codes (mod-31 check character), of two different legal entities.
CODE_BEIJING = "91110108551385082Q"
CODE_SHANGHAI = "91310000MA1FL0000N"

BEIJING = BYTEDANCE | {"customer_name": "北京字节跳动科技有限公司", "credit_code": CODE_BEIJING}
# The same key as BEIJING's (the region is not part of it): a similar name, another legal entity.
SHANGHAI = BYTEDANCE | {
    "customer_name": "上海字节跳动科技有限公司",
    "credit_code": CODE_SHANGHAI,
    "phone": "139 0013 9000",
}


async def test_two_valid_codes_and_similar_names_are_two_customers(
    bot_factory: BotFactory, database_url: str
) -> None:
    bot = await bot_factory(database_url=database_url)
    await bot.file_claim(BEIJING, user=ALICE)
    answer = await bot.file_claim(SHANGHAI, user=CAROL)
    verdict = text_of(answer["view"])
    assert "The customer is yours" in verdict
    # Told as information: the similar name, who holds it, and why it is not a duplicate.
    assert "another company by its credit code" in verdict
    assert "北京字节跳动科技有限公司" in verdict and f"<@{ALICE}>" in verdict
    assert await count(bot, Collision) == 0
    async with bot.rt.db.session() as session:
        statuses = list(await session.scalars(select(Claim.status).order_by(Claim.id)))
        filed = (
            await session.scalars(
                select(AuditEvent).where(
                    AuditEvent.action == "claim.filed", AuditEvent.actor_id == CAROL
                )
            )
        ).one()
    assert statuses == [ClaimStatus.ACTIVE, ClaimStatus.ACTIVE]
    [noted] = filed.data["other_entities"]
    assert noted["customer_name"] == "北京字节跳动科技有限公司"
    assert noted["holder_id"] == ALICE and noted["reason"] == "different_credit_code"


async def test_one_code_is_one_customer_whatever_the_names(
    bot_factory: BotFactory, database_url: str
) -> None:
    bot = await bot_factory(database_url=database_url)
    await bot.file_claim(BEIJING, user=ALICE)
    answer = await bot.file_claim(
        BYTEDANCE
        | {
            "customer_name": "抖音视界有限公司",
            "credit_code": CODE_BEIJING,
            "phone": "139 0013 9000",
        },
        user=CAROL,
    )
    verdict = text_of(answer["view"])
    assert "撞单" in verdict or "Already claimed" in verdict
    assert f"<@{ALICE}>" in verdict
    assert await count(bot, Collision) == 1
    assert await count(bot, Claim) == 1


async def test_teams_can_have_managers_look_anyway(bot_factory: BotFactory) -> None:
    bot = await bot_factory(
        rules=Rules.model_validate({"matching": {"credit_code_decides": False}})
    )
    await bot.file_claim(BEIJING, user=ALICE)
    answer = await bot.file_claim(SHANGHAI, user=CAROL)
    verdict = text_of(answer["view"])
    assert "Waiting for a manager" in verdict and "possible duplicate" in verdict
    assert "北京字节跳动科技有限公司" in verdict
    assert "another company by its credit code" not in verdict
    assert await count(bot, Collision) == 0


async def test_the_dm_after_filing_mentions_the_other_entity(bot: Bot) -> None:
    await bot.file_claim(BEIJING, user=ALICE)
    await bot.file_claim(SHANGHAI, user=CAROL)

    def told() -> bool:
        return any(
            "another company by its credit code" in text_of({"blocks": m.blocks})
            and "北京字节跳动科技有限公司" in text_of({"blocks": m.blocks})
            for m in bot.fake.messages_to(CAROL)
        )

    await bot.fake.wait_until(told)
