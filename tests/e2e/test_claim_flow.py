"""Filing a claim through Slack: the form, field errors, every verdict, the live hint,
/claim check, the race and the retry — signed HTTP against the fake Slack."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

import handlers.claim_form as claim_form_handlers
from bot.fakeslack.reading import text_of
from bot.rules import Rules
from store.models import Claim, Collision
from tests.e2e.conftest import ALICE, BO, CAROL, Bot, BotFactory

BYTEDANCE = {
    "customer_name": "北京字节跳动科技有限公司",
    "contact_name": "张三",
    "phone": "138 0013 8000",
    "need_summary": "CRM for 200 seats",
}


async def count(bot: Bot, model: type) -> int:
    async with bot.rt.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_claim_alone_opens_the_form_in_the_users_language(bot: Bot) -> None:
    view = await bot.open_form(user=BO)
    assert view["callback_id"] == "claim_form"
    assert view["title"]["text"] == "客户报备"
    labels = [b["label"]["text"] for b in view["blocks"] if b["type"] == "input"]
    assert labels[:2] == ["客户全称", "其他名称（中文/英文）"]
    required = {
        b["block_id"] for b in view["blocks"] if b["type"] == "input" and not b.get("optional")
    }
    assert required == {"customer_name", "contact_name", "phone", "need_summary"}


async def test_claim_new_prefills_the_name(bot: Bot) -> None:
    view = await bot.open_form("new ACME Robotics (Shanghai) Ltd", user=ALICE)
    name = next(b for b in view["blocks"] if b["block_id"] == "customer_name")
    assert name["element"]["initial_value"] == "ACME Robotics (Shanghai) Ltd"


async def test_the_global_shortcut_opens_the_form(bot: Bot) -> None:
    bot.checked(await bot.slack.shortcut("claim_new", user=ALICE))
    await bot.fake.wait_for("views.open")
    assert bot.fake.latest_view()["callback_id"] == "claim_form"


async def test_required_fields_come_from_the_rules(bot_factory: BotFactory) -> None:
    bot = await bot_factory(
        rules=Rules.model_validate({"form": {"required": ["customer_name", "credit_code"]}})
    )
    view = await bot.open_form(user=ALICE)
    required = {
        b["block_id"] for b in view["blocks"] if b["type"] == "input" and not b.get("optional")
    }
    assert required == {"customer_name", "credit_code"}


async def test_bad_fields_are_shown_on_the_fields_and_nothing_is_filed(bot: Bot) -> None:
    view = await bot.open_form(user=BO)
    answer = (
        await bot.submit(
            view,
            {
                "customer_name": "有限公司",
                "contact_name": "   ",
                "phone": "12345",
                "email": "zhang@@example",
                "credit_code": "91110108MA01234560",
                "need_summary": "需要\u200b报价",
                "deal_size": "很多",
            },
            user=BO,
        )
    ).json()
    assert answer["response_action"] == "errors"
    errors = answer["errors"]
    assert set(errors) == {
        "customer_name", "contact_name", "phone", "email", "credit_code", "need_summary", "deal_size"
    }  # fmt: skip
    assert "电话号码" in errors["phone"]
    assert errors["contact_name"] == "请填写此项。"
    assert await count(bot, Claim) == 0


async def test_a_clean_claim_is_claimed_at_once_and_confirmed_by_dm(bot: Bot) -> None:
    answer = await bot.file_claim(BYTEDANCE, user=ALICE)
    assert answer["response_action"] == "update"
    verdict = text_of(answer["view"])
    assert "The customer is yours" in verdict
    assert "protected until" in verdict
    dm = await bot.fake.wait_for("chat.postMessage")
    assert dm[0].params["channel"] == ALICE
    assert "北京字节跳动科技有限公司" in dm[0].params["text"]
    async with bot.rt.db.session() as session:
        claim = (await session.scalars(select(Claim))).one()
    assert (claim.owner_id, claim.status, claim.phone) == (ALICE, "active", "+8613800138000")
    assert claim.origin_channel == "C0SALES"


async def test_a_collision_names_the_holder_tells_them_and_hides_their_contacts(bot: Bot) -> None:
    await bot.file_claim(BYTEDANCE, user=ALICE)
    answer = await bot.file_claim(
        BYTEDANCE | {"customer_name": "字节跳动（北京）科技有限公司", "phone": "139 0013 9000"},
        user=BO,
    )
    verdict = text_of(answer["view"])
    assert "撞单" in verdict and f"<@{ALICE}>" in verdict
    assert "13800138000" not in verdict and "张三" not in verdict
    await bot.fake.wait_until(lambda: len(bot.fake.messages_to(ALICE)) >= 2)
    to_holder = [m for m in bot.fake.messages_to(ALICE) if "just tried" in m.text]
    assert len(to_holder) == 1 and f"<@{BO}>" in to_holder[0].text
    assert await count(bot, Collision) == 1


async def test_a_near_match_waits_for_a_manager_and_names_the_candidate(bot: Bot) -> None:
    await bot.file_claim(BYTEDANCE | {"customer_name": "北京飞海科技有限公司"}, user=ALICE)
    answer = await bot.file_claim(
        BYTEDANCE | {"customer_name": "北京飞海达科技有限公司", "phone": "139 0013 9000"},
        user=CAROL,
    )
    verdict = text_of(answer["view"])
    assert "Waiting for a manager" in verdict
    assert "possible duplicate" in verdict
    assert "北京飞海科技有限公司" in verdict and f"<@{ALICE}>" in verdict


async def test_a_big_deal_waits_for_a_manager_and_says_why(bot: Bot) -> None:
    answer = await bot.file_claim(BYTEDANCE | {"deal_size": "500万"}, user=ALICE)
    verdict = text_of(answer["view"])
    assert "Waiting for a manager" in verdict
    assert "approval threshold" in verdict


async def test_pressing_enter_in_the_name_shows_who_holds_similar_customers(bot: Bot) -> None:
    await bot.file_claim(BYTEDANCE, user=ALICE)
    view = await bot.open_form(user=BO)
    bot.checked(
        await bot.slack.block_action(
            "customer_name",
            user=BO,
            view=view,
            value="字节跳动科技",
            state={"customer_name": "字节跳动科技"},
        )
    )
    updated = await bot.fake.wait_for("views.update")
    hint = text_of(updated[0].params["view"])
    assert "北京字节跳动科技有限公司" in hint and f"<@{ALICE}>" in hint
    assert "13800138000" not in hint


async def test_claim_check_answers_by_name_phone_and_code(bot: Bot) -> None:
    await bot.file_claim(BYTEDANCE | {"credit_code": "91110108551385082Q"}, user=ALICE)
    for query in ("字节跳动", "+86 138-0013-8000", "91110108551385082Q"):
        answer = (await bot.command(f"check {query}", user=CAROL)).json()
        assert answer["response_type"] == "ephemeral"
        assert "北京字节跳动科技有限公司" in answer["text"], query
        assert f"<@{ALICE}>" in answer["text"], query
    nothing = (await bot.command("check 完全陌生的公司", user=CAROL)).json()
    assert "Nothing on record matches" in nothing["text"]
    usage = (await bot.command("check", user=CAROL)).json()
    assert "/claim check <" in usage["text"]


async def test_twenty_reps_racing_over_http_make_one_owner(bot: Bot) -> None:
    reps = [f"U0RACE{i:04d}" for i in range(20)]
    for rep in reps:
        bot.fake.add_user(rep, name=rep.lower())
    views = []
    for rep in reps:
        views.append(await bot.open_form(user=rep))
    answers = await asyncio.gather(
        *(
            bot.submit(view, BYTEDANCE | {"phone": f"139 0013 {9000 + i}"}, user=rep)
            for i, (rep, view) in enumerate(zip(reps, views, strict=True))
        )
    )
    verdicts = [text_of(a.json()["view"]) for a in answers]
    assert sum("The customer is yours" in v for v in verdicts) == 1
    assert sum("Already claimed" in v for v in verdicts) == 19
    assert (await count(bot, Claim), await count(bot, Collision)) == (1, 19)


async def test_the_same_submission_delivered_twice_files_one_claim(bot: Bot) -> None:
    view = await bot.open_form(user=ALICE)
    first, second = await asyncio.gather(
        bot.submit(view, BYTEDANCE, user=ALICE), bot.submit(view, BYTEDANCE, user=ALICE)
    )
    assert text_of(first.json()["view"]) == text_of(second.json()["view"])
    assert await count(bot, Claim) == 1


async def test_a_slow_decision_answers_in_time_and_shows_the_verdict_when_known(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if the claim queue were long: no decision is ready within the answer budget.
    monkeypatch.setattr(claim_form_handlers, "ACK_BUDGET_SECONDS", 0.0)
    view = await bot.open_form(user=ALICE)
    answer = (await bot.submit(view, BYTEDANCE, user=ALICE)).json()
    assert answer["response_action"] == "update"
    assert "in line" in text_of(answer["view"])
    updated = await bot.fake.wait_for("views.update")
    assert updated[0].params["view_id"] == view["id"]
    assert "The customer is yours" in text_of(updated[0].params["view"])


async def test_slow_look_ups_before_the_decision_leave_the_answer_inside_slacks_window(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The wait for the decision counts from the request's start: a filer look-up that took
    most of the budget must not be followed by the full wait (Bolt answers 404 after 3 s and
    Slack shows its own error, as a soak on a loaded machine found)."""
    filer, submit = bot.rt.directory.filer, bot.rt.claims.submit

    async def slow_filer(*args: object, **kwargs: object) -> object:
        await asyncio.sleep(1.2)  # a loaded database: slow, but it answers
        return await filer(*args, **kwargs)  # type: ignore[arg-type]

    async def slow_submit(*args: object, **kwargs: object) -> object:
        await asyncio.sleep(1.9)
        return await submit(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(bot.rt.directory, "filer", slow_filer)
    monkeypatch.setattr(bot.rt.claims, "submit", slow_submit)
    view = await bot.open_form(user=ALICE)
    answer = (await bot.submit(view, BYTEDANCE, user=ALICE)).json()
    assert "in line" in text_of(answer["view"])
    updated = await bot.fake.wait_for("views.update")
    assert "The customer is yours" in text_of(updated[0].params["view"])


async def test_a_late_verdict_for_a_closed_modal_comes_by_dm(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    await bot.file_claim(BYTEDANCE, user=ALICE)
    monkeypatch.setattr(claim_form_handlers, "ACK_BUDGET_SECONDS", 0.0)
    bot.fake.inject("views.update", error="not_found")  # the rep closed the modal meanwhile
    view = await bot.open_form(user=BO)
    await bot.submit(view, BYTEDANCE | {"phone": "139 0013 9000"}, user=BO)
    await bot.fake.wait_until(
        lambda: any("撞单" in m.text for m in bot.fake.messages_to(BO)), timeout=5
    )
