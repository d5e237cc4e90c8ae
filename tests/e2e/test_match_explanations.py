"""Those who decide see how a match was found: which field, the score, and for a name both
normalised keys with the differing parts marked — on the approval card and in /claim check."""

from __future__ import annotations

from bot.fakeslack.reading import text_of
from tests.e2e.approvals_support import (
    BIG_DEAL,
    WEI,
    cards_to,
    file_pending,
    outbox_drained,
    start,
)
from tests.e2e.conftest import ALICE, BO, CAROL, MEI, BotFactory

STORED = {
    "customer_name": "北京飞海科技有限公司",
    "phone": "137 0013 7000",
    "email": "wang@feihai.cn",
}
NEAR = {
    "customer_name": "北京飞海达科技有限公司",
    "phone": "139 0013 9000",
    "email": "li@feihaida.cn",
}


async def test_the_approval_card_shows_both_keys_and_the_score(bot_factory: BotFactory) -> None:
    bot = await start(bot_factory)
    await file_pending(bot, ALICE, **STORED)
    await file_pending(bot, BO, **NEAR)
    await outbox_drained(bot)
    english = text_of(cards_to(bot, WEI)[-1])
    assert "name, score 80" in english
    assert "`飞海[达]科技` (entered) vs `飞海科技` (on record)" in english
    chinese = text_of(cards_to(bot, MEI)[-1])
    assert "名称匹配，得分 80：`飞海[达]科技`（本次填写）对 `飞海科技`（已有记录）" in chinese


async def test_claim_check_explains_matches_to_managers_only(bot_factory: BotFactory) -> None:
    bot = await start(bot_factory)
    await bot.file_claim(BIG_DEAL | STORED | {"deal_size": ""}, user=ALICE)
    await bot.file_claim(
        BIG_DEAL | {"customer_name": "Bytedance Ltd", "phone": "136 0013 6000", "deal_size": ""},
        user=ALICE,
    )
    manager = (await bot.command("check 飞海达科技", user=WEI)).json()["text"]
    assert "北京飞海科技有限公司" in manager
    assert "name, score 80: `飞海[达]科技` (entered) vs `飞海科技` (on record)" in manager
    by_phone = (await bot.command("check 137 0013 7000", user=WEI)).json()["text"]
    assert "the same phone number, score 100" in by_phone
    rep = (await bot.command("check 飞海达科技", user=CAROL)).json()["text"]
    assert "北京飞海科技有限公司" in rep and f"<@{ALICE}>" in rep
    assert "score" not in rep and "[达]" not in rep
