"""A leaving rep's book handed over in one step, end to end: ``/claim handover @from @to``,
the preview, **Hand over**, 200 claims moved in one unit of work, one audit event per claim,
one summary DM to each side, the cap not applied — and ``claimbot handover`` for the CLI.

Teams (tests/e2e/approvals_support.py): East — managers Mei (zh) and Wei, members Alice and Bo
(zh); South — manager Li, member Carol. Ada is an admin.
"""

from __future__ import annotations

import asyncio
import random
import time
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.claims.draft import ClaimDraft
from bot.claims.verdict import Outcome
from bot.cli import main
from bot.clock import FixedClock
from bot.fakeslack.reading import text_of
from bot.rules import Rules
from bot.runtime import Runtime
from bot.settings import Settings
from store.migrate import upgrade
from store.models import Claim
from tests.e2e.approvals_support import LI, WEI, audit_actions, dm_saying, start
from tests.e2e.conftest import ADA, ALICE, BO, CAROL, MEI, START, Bot, BotFactory

WS = "T1"
BOOK = 200
# Characters for made-up brands: four at random make names the duplicate check tells apart.
POOL = "安邦宝昌晨德东方丰福光国海瀚恒宏华辉佳嘉建金锦京竞聚凯康科蓝力联林龙美明南宁鹏平启乾庆瑞润森盛时顺泰腾天通拓万威伟文祥新信星兴旭雅扬耀一益永宇源远跃云泽哲振正志智中众卓"


def brand(n: int) -> str:
    """A made-up company name, the same for the same ``n``."""
    rng = random.Random(n)
    return "".join(rng.sample(POOL, 4)) + "精密机械有限公司"


async def seed_book(
    bot: Bot, owner: str, count: int, *, pending_every: int = 10, offset: int = 0
) -> None:
    """``count`` claims of ``owner``, every ``pending_every``-th one waiting for approval."""
    filer = await bot.rt.directory.filer(WS, bot.rt.people.default_profile(owner))

    async def one(n: int) -> None:
        draft = ClaimDraft(
            customer_name=brand(n + offset),
            contact_name="王五",
            phone=f"+86138{n + offset:08d}",
            need_summary="robots",
            deal_size=Decimal(5_000_000) if n % pending_every == 0 else None,
        )
        verdict = await bot.rt.claims.submit(
            workspace_id=WS, filer=filer, draft=draft, submission_key=f"seed:{owner}:{n}"
        )
        assert verdict.outcome in (Outcome.CLAIMED, Outcome.PENDING), verdict

    await asyncio.gather(*(one(n) for n in range(count)))


async def holding(bot: Bot, owner: str) -> dict[str, int]:
    async with bot.rt.db.session() as session:
        rows = await session.execute(
            select(Claim.status, func.count(Claim.id))
            .where(Claim.owner_id == owner)
            .group_by(Claim.status)
        )
        return {status: int(n) for status, n in rows}


async def preview(bot: Bot, text: str, *, user: str) -> dict[str, object]:
    result = await bot.command(f"handover {text}", user=user)
    return dict(result.json())


async def test_a_book_of_200_claims_is_handed_over_in_one_step(
    database_url: str, bot_factory: BotFactory
) -> None:
    # The seeding files 350 claims at once, each with a verdict DM: at Slack's pace per DM (a
    # post a second) the summaries would wait minutes behind them; the pace has its own tests.
    unpaced = {"channel_posts_per_second": 100, "channel_post_burst": 100}
    bot = await start(
        bot_factory, {"claim_cap": 250, "delivery": unpaced}, database_url=database_url
    )
    await seed_book(bot, ALICE, BOOK)
    await seed_book(bot, BO, 150, pending_every=1000, offset=10_000)
    book = await holding(bot, ALICE)
    assert sum(book.values()) == BOOK and book["pending"] >= 20  # big deals wait for approval

    reason = "Alice leaves the company on Friday"
    refused = {
        LI: "Only an admin, or a manager of both",
        BO: "只有管理员或同时管理",
    }
    for who, said in refused.items():
        assert said in text_of(await preview(bot, f"<@{ALICE}> <@{BO}> {reason}", user=who)), who
    across = text_of(await preview(bot, f"<@{ALICE}> <@{CAROL}> {reason}", user=MEI))
    assert "只有管理员或同时管理" in across
    assert "Give a reason" in text_of(await preview(bot, f"<@{ALICE}> <@{BO}>", user=WEI))
    assert "nothing to hand over" in text_of(await preview(bot, f"<@{CAROL}> <@{BO}> x", user=ADA))

    shown = await preview(bot, f"<@{ALICE}|alice> <@{BO}|bo> {reason}", user=WEI)
    said = text_of(shown)
    assert "Hand over 200 claims" in said
    assert f"{book['active']} active, {book['pending']} pending" in said
    assert brand(0) in said and "… and 180 more" in said
    assert await holding(bot, ALICE) == book  # a preview changes nothing

    # The preview as the fake Slack shows it, then the click.
    message = {"blocks": shown["blocks"], "text": shown["text"], "ts": "1700000000.000100"}
    started = time.perf_counter()
    bot.checked(
        await bot.slack.block_action(
            "handover_confirm", user=WEI, message=message, channel="C0SALES"
        )
    )
    # Generous: the machine running the suite may be busy; the figure printed is what counts.
    await bot.fake.wait_for_responses(2, timeout=60, name="action handover_confirm")
    elapsed = time.perf_counter() - started
    done = [r for r in bot.fake.responses if r.name == "action handover_confirm"]
    assert "200 claims went from" in text_of(done[-1].body), text_of(done[-1].body)
    print(f"handover of {BOOK} claims: {elapsed:.2f} s")

    assert await holding(bot, ALICE) == {"released": 200}
    bo = await holding(bot, BO)
    assert bo.get("active", 0) + bo.get("pending", 0) == 350  # over the cap: a manager's decision
    moved = [e for e in await audit_actions(bot, "claim.transferred") if e.data["by"] == "handover"]
    assert len(moved) == BOOK and {e.data["to_id"] for e in moved} == {BO}
    # Two summaries, not 400 DMs (the seeding's own verdict DMs are still being sent).
    away = await dm_saying(bot, ALICE, "handed your 200")
    assert reason in text_of(away)
    given = await dm_saying(bot, BO, "200 个报备交接给你")
    assert "/claim mine" in text_of(given)
    # Confirming the same preview again finds nothing left.
    bot.checked(
        await bot.slack.block_action(
            "handover_confirm", user=WEI, message=message, channel="C0SALES"
        )
    )
    await bot.fake.wait_for_responses(4, timeout=30, name="action handover_confirm")
    again = [r for r in bot.fake.responses if r.name == "action handover_confirm"]
    assert "nothing to hand over" in text_of(again[-1].body)


async def _populate(database_url: str) -> None:
    """Alice holds five claims; nobody else holds any."""
    rt = Runtime.create(Settings(database_url=database_url), Rules(), clock=FixedClock(START))
    await upgrade(rt.db)
    try:
        filer = await rt.directory.filer(WS, rt.people.default_profile(ALICE))
        for n in range(5):
            draft = ClaimDraft(customer_name=brand(n), phone=f"+86139{n:08d}")
            await rt.claims.submit(
                workspace_id=WS, filer=filer, draft=draft, submission_key=f"cli:{n}"
            )
    finally:
        await rt.close()


async def _owners(database_url: str) -> dict[str, int]:
    rt = Runtime.create(Settings(database_url=database_url), Rules())
    try:
        async with rt.db.session() as session:
            rows = await session.execute(
                select(Claim.owner_id, func.count(Claim.id))
                .where(Claim.status == "active")
                .group_by(Claim.owner_id)
            )
            return {owner: int(n) for owner, n in rows}
    finally:
        await rt.close()


def test_the_cli_previews_then_hands_over_a_book(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/claimbot.db"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("CLAIMBOT_ADMINS", ADA)
    asyncio.run(_populate(url))
    base = ["handover", "--workspace", WS, "--from", ALICE, "--to", BO, "--reason", "leaves"]

    assert main([*base, "--by", CAROL]) == 1  # a rep may not
    assert "refused: not_manager" in capsys.readouterr().out
    assert main([*base, "--by", ADA]) == 0
    out = capsys.readouterr().out
    assert "5 claims (5 active, 0 pending)" in out and brand(3) in out and "--yes" in out
    assert asyncio.run(_owners(url)) == {ALICE: 5}

    assert main([*base, "--by", ADA, "--yes"]) == 0
    assert f"handed over 5 claims from {ALICE} to {BO}" in capsys.readouterr().out
    assert asyncio.run(_owners(url)) == {BO: 5}
