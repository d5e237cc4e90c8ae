"""Lists and history end to end: ``/claim mine``, ``/claim team`` (paged, for each role),
``/claim search`` and ``/claim history`` with their visibility rules, and a manager's transfer and
release — signed HTTP against the fake Slack.

Teams (tests/e2e/approvals_support.py): East — managers Mei (zh) and Wei, members Alice and Bo
(zh); South — manager Li, member Carol. Ada is an admin. The pool channel is C0POOL0001.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update

from bot.claims.draft import ClaimDraft
from bot.claims.verdict import Outcome, Verdict
from bot.fakeslack.reading import action_ids, text_of
from bot.fakeslack.records import ResponsePost
from bot.lifecycle.followup_form import FollowUpEntry, Method
from store.models import Claim
from tests.e2e.approvals_support import (
    LI,
    WEI,
    audit_actions,
    outbox_drained,
    start,
)
from tests.e2e.conftest import ADA, ALICE, BO, CAROL, MEI, Bot, BotFactory

WS = "T1"
POOL = "C0POOL0001"
ACME = "上海艾克美机器人有限公司"
PARTNER = "U0PARTNER1"
LONER = "U0LONER001"


async def start_lists(bot_factory: BotFactory, rules: dict[str, Any] | None = None) -> Bot:
    bot = await start(
        bot_factory, {"channels": {"pool": POOL}, "partners": [PARTNER]} | (rules or {})
    )
    bot.fake.add_user(PARTNER, name="dealer", locale="en-US")
    bot.fake.add_user(LONER, name="loner", locale="en-US")
    return bot


async def file(
    bot: Bot, user: str, name: str, phone: str, *, big: bool = False, **fields: Any
) -> Verdict:
    """File a claim as ``user`` would from Slack (their team found in the directory)."""
    filer = await bot.rt.directory.filer(WS, bot.rt.people.default_profile(user))
    draft = ClaimDraft(
        customer_name=name,
        contact_name=fields.pop("contact_name", "王五"),
        phone=phone,
        need_summary=fields.pop("need_summary", "20 welding robots"),
        deal_size=Decimal(5_000_000) if big else None,
        **fields,
    )
    verdict = await bot.rt.claims.submit(
        workspace_id=WS, filer=filer, draft=draft, submission_key=f"{user}:{name}:{phone}"
    )
    assert verdict.outcome is not Outcome.REFUSED, verdict
    return verdict


async def follow_up(bot: Bot, user: str, claim_id: int | None, stage: str | None = None) -> None:
    assert claim_id is not None
    entry = FollowUpEntry(
        happened_at=bot.clock.now(),
        method=Method.CALL,
        summary="Called the plant manager",
        next_step=None,
        next_step_on=None,
        stage=stage,
    )
    logged = await bot.rt.lifecycle.followups.log(WS, user, claim_id, entry)
    assert not isinstance(logged, str), logged


async def ask(bot: Bot, text: str, *, user: str) -> dict[str, Any]:
    """``/claim text`` and its answer: the acknowledgement's, or the response_url post's."""
    name = f"/claim {text}"
    before = len([r for r in bot.fake.responses if r.name == name and r.delivered])
    result = await bot.command(text, user=user)
    if result.text:
        return dict(result.json())
    posts = await bot.fake.wait_for_responses(before + 1, name=name)
    return posts[-1].body


def post_of(body: dict[str, Any]) -> ResponsePost:
    """A list answer as a message to click in (the fake's response_url post)."""
    return ResponsePost("list", "", body, 0.0, status=200)


async def click(
    bot: Bot, action: str, *, user: str, on: dict[str, Any], **kwargs: Any
) -> ResponsePost:
    """Click ``action`` in a list answer; the response it brought."""
    before = len([r for r in bot.fake.responses if r.name == f"action {action}" and r.delivered])
    bot.checked(
        await bot.slack.block_action(
            action, user=user, message=post_of(on), channel="C0SALES", **kwargs
        )
    )
    posts = await bot.fake.wait_for_responses(before + 1, name=f"action {action}")
    return posts[-1]


async def stored(bot: Bot, claim_id: int | None) -> Claim:
    async with bot.rt.db.session() as session:
        found = await session.get(Claim, claim_id)
        assert found is not None
        return found


async def test_mine_lists_my_claims_by_state_with_protection_and_the_last_follow_up(
    bot_factory: BotFactory,
) -> None:
    bot = await start_lists(bot_factory)
    active = await file(bot, ALICE, ACME, "+862155550101")
    await follow_up(bot, ALICE, active.claim_id, stage="proposal")
    await file(bot, ALICE, "北京字节跳动科技有限公司", "+8613800138000", big=True)
    won = await file(bot, ALICE, "杭州阿里巴巴网络有限公司", "+8613900139000")
    await follow_up(bot, ALICE, won.claim_id, stage="won")
    lost = await file(bot, ALICE, "深圳华强电子有限公司", "+8613600136000")
    await follow_up(bot, ALICE, lost.claim_id, stage="lost")
    old = await file(bot, ALICE, "广州天河贸易有限公司", "+8613700137000")
    await follow_up(bot, ALICE, old.claim_id, stage="lost")
    async with bot.rt.db.session() as session:
        await session.execute(
            update(Claim)
            .where(Claim.id == old.claim_id)
            .values(ended_at=bot.clock.now() - timedelta(days=40))
        )

    mine = await ask(bot, "mine", user=ALICE)
    shown = text_of(mine)
    assert mine.get("response_type") == "ephemeral"
    for group in ("Waiting for approval", "Active", "Won", "Ended"):
        assert group in shown
    assert shown.index("Waiting for approval") < shown.index("Active") < shown.index("Won")
    assert "protected until" in shown and "last follow-up" in shown and "Phone call" in shown
    assert "stage: Proposal" in shown and "王五" in shown and "+862155550101" in shown
    assert "deal lost" in shown and "深圳华强电子有限公司" in shown
    assert "广州天河贸易有限公司" not in shown, "ended more than 30 days ago"
    assert "4 claim(s)" in shown
    assert action_ids(mine) == [] or "followup_log" in json_actions(mine)
    assert json_actions(mine).count("followup_log") == 1, "only the active claim is followed up"
    assert "报备" in text_of(await ask(bot, "mine", user=BO)), "Bo holds nothing, in Chinese"


def json_actions(body: dict[str, Any]) -> list[str]:
    """Every action id in a message, accessories included."""
    found = []
    for block in body.get("blocks", []):
        for element in [block.get("accessory") or {}, *block.get("elements", [])]:
            if element.get("action_id"):
                found.append(element["action_id"])
    return found


async def test_the_team_list_shows_each_role_what_it_may_see(bot_factory: BotFactory) -> None:
    bot = await start_lists(bot_factory)
    await file(bot, ALICE, ACME, "+862155550101", contact_name="王五", email="wang@acme.cn")
    await file(bot, CAROL, "深圳华强电子有限公司", "+8613600136000", contact_name="赵六")

    for_bo = text_of(await ask(bot, "team", user=BO))
    assert ACME in for_bo and f"<@{ALICE}>" in for_bo and "保护期至" in for_bo
    for private in ("王五", "+862155550101", "wang@acme.cn", "welding"):
        assert private not in for_bo, private
    assert "深圳华强电子有限公司" not in for_bo, "South's claims are not East's business"

    mine = await ask(bot, "team", user=MEI)
    for_mei = text_of(mine)
    assert "王五" in for_mei and "+862155550101" in for_mei and "wang@acme.cn" in for_mei
    assert json_actions(mine) == ["list_manage"] and "深圳华强电子有限公司" not in for_mei

    for_ada = text_of(await ask(bot, "team", user=ADA))
    assert ACME in for_ada and "深圳华强电子有限公司" in for_ada and "All teams" in for_ada
    for_li = text_of(await ask(bot, "team", user=LI))
    assert "深圳华强电子有限公司" in for_li and "赵六" in for_li and ACME not in for_li
    assert "only their own claims" in text_of(await ask(bot, "team", user=PARTNER))
    assert "not on any team" in text_of(await ask(bot, "team", user=LONER))


async def test_a_big_team_is_paged_within_slacks_block_limit(bot_factory: BotFactory) -> None:
    bot = await start_lists(bot_factory)
    for n in range(40):
        # Long names unlike each other (similar ones would collide).
        name = "".join(chr(0x4E00 + (n * 977 + k * 131) % 20000) for k in range(30)) + "有限公司"
        await file(bot, ALICE if n % 2 else BO, name, f"+86139{n:08d}")
    first = await ask(bot, "team", user=WEI)
    assert len(first["blocks"]) <= 50
    assert "40 claim(s)" in text_of(first) and "1–15" in text_of(first)
    assert "page 1 of 3" in text_of(first)
    second = await click(bot, "list_next", user=WEI, on=first)
    assert second.body.get("replace_original") is True and len(second.blocks) <= 50
    assert "16–30" in text_of(second.body)
    third = await click(bot, "list_next", user=WEI, on=second.body)
    assert "31–40" in text_of(third.body) and "page 3 of 3" in text_of(third.body)
    back = await click(bot, "list_previous", user=WEI, on=third.body)
    assert "16–30" in text_of(back.body)
    # A rep pages the same list: the details of his own claims only.
    for_bo = await ask(bot, "team", user=BO)
    rows = [
        b["text"]["text"]
        for b in for_bo["blocks"]
        if b.get("block_id", "").startswith("list_claim")
    ]
    assert len(rows) == 15 and len(for_bo["blocks"]) <= 50
    assert all(("+86139" in row) == (f"<@{BO}>" in row) for row in rows)


async def test_search_shows_details_only_where_the_caller_may_see_them(
    bot_factory: BotFactory,
) -> None:
    bot = await start_lists(bot_factory)
    await file(bot, ALICE, ACME, "+862155550101", contact_name="王五", email="wang@acme.cn")
    for_carol = await ask(bot, "search 艾克美机器人", user=CAROL)
    shown = text_of(for_carol)
    assert ACME in shown and f"<@{ALICE}>" in shown and "held by" in shown
    for private in ("王五", "+862155550101", "wang@acme.cn", "welding", "Claim #"):
        assert private not in shown, private
    for viewer in (ALICE, WEI, ADA):
        seen = text_of(await ask(bot, "search 021 5555 0101", user=viewer))
        assert "王五" in seen and "wang@acme.cn" in seen and "20 welding robots" in seen
    assert "No customer matches" in text_of(await ask(bot, "search 完全不同的名字", user=CAROL))
    assert "Type a name" in text_of(await ask(bot, "search", user=CAROL))

    history = await click(bot, "list_history", user=CAROL, on=for_carol)
    assert history.body.get("replace_original") is False
    assert "History: " + ACME in text_of(history.body) and "filed a claim" in text_of(history.body)


async def test_history_tells_who_did_what_when_and_hides_the_details(
    bot_factory: BotFactory,
) -> None:
    bot = await start_lists(bot_factory)
    name = "北京字节跳动科技有限公司"
    pending = await file(bot, ALICE, name, "+8613800138000", big=True)
    rejected = await bot.rt.approvals.reject(WS, MEI, pending.claim_id, "No budget this year")
    assert rejected.ok
    bot.clock.advance(timedelta(hours=1))
    held = await file(bot, BO, name, "+8613800138000")
    await follow_up(bot, BO, held.claim_id, stage="proposal")
    await file(bot, CAROL, name, "+8613900139000")  # a collision
    requested = await bot.rt.lifecycle.extensions.request(
        WS, BO, held.claim_id or 0, "The board meets in March"
    )
    assert not isinstance(requested, str)
    assert held.claim_id is not None
    moved = await bot.rt.transfers.transfer(WS, MEI, held.claim_id, ALICE, "Bo moves to South")
    assert moved.ok

    for_carol = text_of(await ask(bot, f"history {name}", user=CAROL))
    for line in ("filed a claim", "rejected", "logged a follow-up", "tried to claim it",
                 "asked for 30 more days", f"from <@{BO}> to <@{ALICE}>", f"held by <@{ALICE}>"):  # fmt: skip
        assert line in for_carol, line
    for private in ("No budget", "Bo moves to South", "Phone call", "The board meets", "Proposal"):
        assert private not in for_carol, private

    for_mei = text_of(await ask(bot, f"history {name}", user=MEI))
    for detail in ("No budget", "Bo moves to South", "方案提供", "The board meets"):
        assert detail in for_mei, detail
    # Bo sees the details of his own claim, not of Alice's rejected one.
    for_bo = text_of(await ask(bot, "history 138 0013 8000", user=BO))
    assert "The board meets" in for_bo and "No budget" not in for_bo


async def test_history_asks_which_customer_when_the_name_is_unclear(
    bot_factory: BotFactory,
) -> None:
    bot = await start_lists(bot_factory)
    await file(bot, ALICE, "上海艾克美机械有限公司", "+862155550101")
    await file(bot, BO, "北京艾克美电子有限公司", "+862155550102")
    unclear = await ask(bot, "history 艾克美", user=CAROL)
    assert "could mean 2 customers" in text_of(unclear)
    assert json_actions(unclear) == ["list_history", "list_history"]
    second = next(b["block_id"] for b in unclear["blocks"] if "北京艾克美电子" in str(b))
    chosen = await click(bot, "list_history", user=CAROL, on=unclear, block_id=second)
    assert "History: 北京艾克美电子有限公司" in text_of(chosen.body)
    # Different trades (电子, 机械) are different customers: Bo's claim was not held for approval.
    assert f"held by <@{BO}>" in text_of(chosen.body)
    assert "No customer matches" in text_of(await ask(bot, "history 不存在的公司", user=CAROL))
    assert "Name the customer" in text_of(await ask(bot, "history", user=CAROL))


async def test_managers_transfer_and_release_and_everyone_else_is_refused(
    bot_factory: BotFactory,
) -> None:
    bot = await start_lists(bot_factory)
    held = await file(bot, ALICE, ACME, "+862155550101")
    to_bo = f"transfer {ACME} <@{BO}|bo> Alice moves to key accounts"
    refusals = {
        BO: "只有该销售所在团队的主管",
        LI: "Only a manager of the rep's team",
        ALICE: "your own claim",
    }
    for who, said in refusals.items():
        assert said in text_of(await ask(bot, to_bo, user=who)), who
    across = text_of(await ask(bot, f"transfer {ACME} <@{CAROL}|carol> reason", user=MEI))
    assert "不在你管理的团队中" in across
    assert "Mention the rep" in text_of(await ask(bot, f"transfer {ACME} reason", user=WEI))
    assert "Give a reason" in text_of(await ask(bot, f"transfer {ACME} <@{BO}>", user=WEI))
    assert (await stored(bot, held.claim_id)).status == "active"

    done = text_of(await ask(bot, to_bo, user=WEI))
    assert f"went from <@{ALICE}> to <@{BO}>" in done
    old = await stored(bot, held.claim_id)
    assert (old.status, old.end_reason) == ("released", "transferred")
    async with bot.rt.db.session() as session:
        new = (await session.scalars(select(Claim).where(Claim.owner_id == BO))).one()
    assert (new.status, new.via, new.contact_name, new.decided_by) == (
        "active",
        "transfer",
        "王五",
        WEI,
    )
    await outbox_drained(bot)
    [away] = [m for m in bot.fake.messages_to(ALICE) if "transferred your claim" in m.text]
    assert "Alice moves to key accounts" in text_of(away)
    [given] = [m for m in bot.fake.messages_to(BO) if "转给你" in m.text]
    assert "followup_log" in action_ids(given)
    [event] = await audit_actions(bot, "claim.transferred")
    assert (event.actor_id, event.data["from_id"], event.data["to_id"]) == (WEI, ALICE, BO)

    released = text_of(await ask(bot, f"release {ACME} Nobody has called them in months", user=MEI))
    assert "已释放至公海" in released
    assert (await stored(bot, new.id)).end_reason == "released"
    await outbox_drained(bot)
    [announced] = [m for m in bot.fake.messages_to(POOL) if ACME in m.text]
    assert "a manager released it" in text_of(announced) or "主管释放" in text_of(announced)
    assert "pool_claim" in json_actions({"blocks": announced.blocks})
    [told] = [m for m in bot.fake.messages_to(BO) if "释放至公海" in m.text]
    assert "Nobody has called them" in text_of(told) and "重新报备" in text_of(told)
    [event] = await audit_actions(bot, "claim.released")
    assert (event.actor_id, event.data["owner_id"]) == (MEI, BO)
    # Bo is in the cool-down, as after a reclaim.
    again = await bot.file_claim(
        {"customer_name": ACME, "contact_name": "王五", "phone": "021 5555 0101",
         "need_summary": "robots"}, user=BO,
    )  # fmt: skip
    assert "冷却" in text_of(again["view"]) or "之后才能" in text_of(again["view"])
    assert "has ended already" in text_of(await ask(bot, f"release #{new.id} again", user=WEI))


async def test_the_team_list_menu_transfers_and_releases_through_modals(
    bot_factory: BotFactory,
) -> None:
    bot = await start_lists(bot_factory, {"claim_cap": 1})
    first = await file(bot, ALICE, ACME, "+862155550101")
    await file(bot, CAROL, "深圳华强电子有限公司", "+8613600136000")
    listing = await ask(bot, "team", user=ADA)
    menu = f"list_claim:{first.claim_id}"

    # Bo clicking the menu of a list he was not sent is refused.
    bot.checked(
        await bot.slack.block_action(
            "list_manage", user=BO, message=post_of(listing), channel="C0SALES",
            block_id=menu, value=f"transfer:{first.claim_id}",
        )
    )  # fmt: skip
    refused = await bot.fake.wait_for_responses(1, name="action list_manage")
    assert "只有该销售所在团队的主管" in (refused[-1].text or "")

    before = len(bot.fake.calls_to("views.open"))
    bot.checked(
        await bot.slack.block_action(
            "list_manage", user=ADA, message=post_of(listing), channel="C0SALES",
            block_id=menu, value=f"transfer:{first.claim_id}",
        )
    )  # fmt: skip
    await bot.fake.wait_for("views.open", count=before + 1)
    form = bot.fake.latest_view("transfer_form")
    assert ACME in text_of(form)
    empty = (await bot.submit(form, {"transfer_target": CAROL}, user=ADA)).json()
    assert empty["response_action"] == "errors" and "transfer_reason" in empty["errors"]
    answer = (
        await bot.submit(
            form, {"transfer_target": CAROL, "transfer_reason": "Territory re-cut"}, user=ADA
        )
    ).json()
    said = text_of(answer["view"])
    assert f"to <@{CAROL}>" in said and "over the cap of 1" in said, "an admin crosses teams"

    async with bot.rt.db.session() as session:
        moved = (
            await session.scalars(
                select(Claim).where(Claim.owner_id == CAROL, Claim.via == "transfer")
            )
        ).one()
    listing = await ask(bot, "team", user=LI)
    bot.checked(
        await bot.slack.block_action(
            "list_manage", user=LI, message=post_of(listing), channel="C0SALES",
            block_id=f"list_claim:{moved.id}", value=f"release:{moved.id}",
        )
    )  # fmt: skip
    await bot.fake.wait_for("views.open", count=before + 2)
    release = bot.fake.latest_view("release_form")
    answer = (await bot.submit(release, {"transfer_reason": "Not our market"}, user=LI)).json()
    assert "released to the public pool" in text_of(answer["view"])
    assert (await stored(bot, moved.id)).status == "released"
