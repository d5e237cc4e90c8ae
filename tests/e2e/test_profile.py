"""Customer profile fields (客户画像) end to end: configured in the rules, asked in the claim form,
checked on their fields, stored, shown to the approvers, driving an approval rule, corrected in
the edit form — signed HTTP against the fake Slack."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from bot.fakeslack.reading import text_of
from store.models import Claim
from tests.e2e.approvals_support import WEI, cards_to, claim, file_pending, start
from tests.e2e.conftest import ADA, ALICE, BO, MEI, Bot, BotFactory
from tests.e2e.test_corrections import OTHER, SMALL, file_active, history, initial, open_edit

PROFILE: dict[str, Any] = {
    "form": {
        "profile": [
            {
                "key": "industry",
                "type": "select",
                "en": "Industry",
                "zh": "行业",
                "required": True,
                "options": [
                    {"key": "finance", "en": "Finance", "zh": "金融"},
                    {"key": "retail", "en": "Retail", "zh": "零售"},
                ],
            },
            {"key": "company_size", "type": "number", "en": "Employees", "zh": "员工数", "min": 1},
            {
                "key": "tags",
                "type": "multi_select",
                "en": "Tags",
                "zh": "标签",
                "options": [{"key": "vip", "en": "VIP"}, {"key": "listed", "en": "Listed"}],
            },
            {"key": "website", "type": "text", "en": "Website", "zh": "网站"},
        ]
    },
    "approval": {"profile": [{"field": "industry", "is": ["finance"]}]},
}
FINANCE = {"profile.industry": "finance", "profile.company_size": "1200",
           "profile.tags": ["vip", "listed"], "profile.website": "acme.example"}  # fmt: skip


async def profile_bot(bot_factory: BotFactory) -> Bot:
    return await start(bot_factory, PROFILE)


async def test_a_finance_customer_waits_for_a_manager_who_sees_its_profile(
    bot_factory: BotFactory,
) -> None:
    bot = await profile_bot(bot_factory)
    form = await bot.open_form(user=ALICE)
    labels = [b["label"]["text"] for b in form["blocks"] if b["type"] == "input"]
    assert labels[-4:] == ["Industry", "Employees", "Tags", "Website"]

    claim_id = await file_pending(bot, ALICE, **SMALL, deal_size="", **FINANCE)
    filed = await claim(bot, claim_id)
    assert filed.profile == {"industry": "finance", "company_size": 1200,
                             "tags": ["vip", "listed"], "website": "acme.example"}  # fmt: skip
    assert filed.rules_fired["rules"] == ["profile"], "no other rule held it"
    [card] = cards_to(bot, WEI)
    shown = text_of(card)
    assert "profile (industry, size …) needs a manager" in shown
    assert "*Industry*: Finance" in shown and "*Employees*: 1200" in shown
    assert "*Tags*: VIP、Listed" in shown
    [card_zh] = cards_to(bot, MEI)
    assert "*行业*: 金融" in text_of(card_zh) and "客户画像" in text_of(card_zh)

    # The same customer data in retail is approved at once.
    answer = await bot.file_claim(OTHER | {"profile.industry": "retail"}, user=BO)
    assert "protected" in text_of(answer["view"]) or "保护" in text_of(answer["view"])


async def test_profile_fields_are_checked_on_their_fields(bot_factory: BotFactory) -> None:
    bot = await profile_bot(bot_factory)
    view = await bot.open_form(user=ALICE)
    answer = (await bot.submit(view, SMALL | {"profile.company_size": "0"}, user=ALICE)).json()
    assert answer["response_action"] == "errors"
    assert answer["errors"] == {
        "profile.industry": "Please fill this in.",
        "profile.company_size": "Please enter a number of at least 1.",
    }
    async with bot.rt.db.session() as session:
        assert await session.scalar(select(func.count(Claim.id))) == 0, "nothing was filed"


async def test_the_edit_form_shows_and_corrects_the_profile(bot_factory: BotFactory) -> None:
    bot = await profile_bot(bot_factory)
    claim_id = await file_active(
        bot, SMALL | {"profile.industry": "retail", "profile.tags": ["vip"]}, user=ALICE
    )
    form = await open_edit(bot, f"#{claim_id}", user=ALICE)
    assert initial(form, "profile.industry") == "retail"
    [tags] = [b for b in form["blocks"] if b.get("block_id") == "profile.tags"]
    assert [o["value"] for o in tags["element"]["initial_options"]] == ["vip"]

    done = (
        await bot.submit(
            form, {"profile.tags": ["listed"], "profile.company_size": "30"}, user=ALICE
        )
    ).json()
    assert done["response_action"] == "update", done
    assert "tags: vip → listed" in text_of(done["view"])
    edited = await claim(bot, claim_id)
    assert edited.profile == {"industry": "retail", "tags": ["listed"], "company_size": 30}
    timeline = await history(bot, f"#{claim_id}", user=ALICE)
    assert "Industry: Retail · Employees: 30 · Tags: Listed" in timeline


async def test_stats_by_industry_and_the_funnel_count_the_profile(bot_factory: BotFactory) -> None:
    bot = await profile_bot(bot_factory)
    await file_pending(bot, ALICE, **FINANCE)  # waits: finance
    await file_active(bot, OTHER | {"profile.industry": "retail"}, user=BO)
    held = await bot.file_claim(SMALL | {"profile.industry": "finance"}, user=BO)
    assert "待主管审批" in text_of(held["view"]), "finance waits, whoever files it"
    async with bot.rt.db.session() as session:
        assert await session.scalar(select(func.count(Claim.id))) == 3

    result = await bot.command("stats by industry", user=ADA)
    assert result.text == "", "acknowledged at once, answered through the response_url"
    [answer] = await bot.fake.wait_for_responses(1, name="/claim stats by industry")
    shown = text_of(answer.body)
    assert "By Industry — This month" in shown
    assert "Finance: 2 filed · 0 approved · 0 won" in shown
    assert "Retail: 1 filed · 1 approved · 0 won" in shown

    await bot.command("stats funnel", user=ADA)
    [_, funnel] = await bot.fake.wait_for_responses(2)
    assert "Stage funnel" in text_of(funnel.body) and "filed ¥5,000,000" in text_of(funnel.body)

    # A word that is no select field says which ones are.
    usage = await bot.command("stats by tags", user=ADA)
    assert "`region`, `channel`, `industry`" in usage.text
