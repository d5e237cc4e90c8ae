"""A sweep that releases many customers at once posts digests to the pool channel — a few
messages of up to 40 customers, each with its **Claim** button — instead of one message each;
a few released customers still get the usual single announcements. Claiming from a digest files
the claim like any pool claim and turns that customer's row into "… was claimed by …".

The fake Slack keeps Slack's pace per channel (a burst, then about one post a second), sped up
here so the tests do not wait minutes, and the bot keeps under it: not a single 429.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from bot.claims.importer import CustomerImporter
from bot.fakeslack.reading import text_of
from bot.fakeslack.records import Message
from bot.rules import Rules
from tests.e2e.conftest import ADA, ALICE, BO, CAROL, MEI, Bot, BotFactory
from tests.lifecycle.support import DAY, POOL, claims, delivered, sweep, team_rules

# Slack's pace sped up tenfold; the fake tolerates a slightly bigger burst than the bot allows
# itself, as Slack does.
PER_SECOND, BURST = 10.0, 3
# The reps whose claims are reclaimed (a released DM each), and those who claim from the pool.
OWNERS = (CAROL, MEI, ADA)


def digest_rules(per_second: float) -> Rules:
    return team_rules(
        claim_cap=0,
        language="en",
        delivery={"channel_posts_per_second": per_second, "channel_post_burst": BURST},
    )


async def start(bot_factory: BotFactory, per_second: float = PER_SECOND) -> Bot:
    bot = await bot_factory(rules=digest_rules(per_second))
    bot.fake.limit_posts(per_second=per_second, burst=BURST + 1)
    return bot


def name_of(i: int) -> str:
    return f"{'甲乙丙丁戊己庚辛壬癸'[i % 10]}{'子丑寅卯辰巳午未申酉'[i // 10 % 10]}{i:03d}号精工"


async def release(bot: Bot, tmp_path: Path, count: int) -> None:
    """``count`` customers held by ``OWNERS`` (imported), then 15 idle days: all reclaimed."""
    listing = tmp_path / "book.csv"
    rows = [f"{name_of(i)}有限公司,{OWNERS[i % len(OWNERS)]}" for i in range(count)]
    listing.write_text("name,owner\n" + "\n".join(rows) + "\n", encoding="utf-8")
    importer = CustomerImporter(bot.rt.db, bot.rt.rules, bot.rt.clock, bot.rt.checker)
    assert (await importer.load(listing, "T1")).loaded == count
    report = await sweep(bot, 15 * DAY)
    assert sum(report.reclaimed.values()) == count
    await delivered(bot)


def pool_messages(bot: Bot) -> list[Message]:
    return bot.fake.messages_to(POOL)


def claim_buttons(message: Message) -> list[str]:
    """The block ids of the rows that still offer **Claim**."""
    return [
        b["block_id"]
        for b in message.blocks
        if b.get("accessory", {}).get("action_id") == "pool_claim"
    ]


async def click_claim(bot: Bot, user: str, message: Message, block_id: str) -> str:
    """Click **Claim** on one row of ``message``; what the clicker is told."""
    before = len(bot.fake.responses)
    bot.checked(
        await bot.slack.block_action("pool_claim", user=user, message=message, block_id=block_id)
    )
    answer = (await bot.fake.wait_for_responses(before + 1))[-1]
    return answer.text or text_of(answer.body)


def latest(bot: Bot, message: Message) -> Message:
    """``message`` as it reads now, after any chat.update."""
    [now] = [m for m in pool_messages(bot) if m.ts == message.ts]
    return now


async def row_claimed(bot: Bot, digest: Message, block_id: str) -> None:
    """Wait until the digest's row ``block_id`` has lost its button (the app updates the
    digest after answering the click)."""
    await bot.fake.wait_until(
        lambda: block_id not in claim_buttons(latest(bot, digest)), what=f"{block_id} updated"
    )


async def test_three_released_customers_get_the_usual_single_cards(
    bot_factory: BotFactory, tmp_path: Path
) -> None:
    bot = await start(bot_factory)
    await release(bot, tmp_path, 3)
    messages = pool_messages(bot)
    assert len(messages) == 3
    assert all("back in the public pool" in text_of(m) for m in messages)
    assert all(len(claim_buttons(m)) == 1 for m in messages)
    assert bot.fake.rate_limited() == []


async def test_a_dozen_released_make_one_digest_whose_rows_are_claimed_in_place(
    bot_factory: BotFactory, tmp_path: Path
) -> None:
    bot = await start(bot_factory)
    await release(bot, tmp_path, 12)
    [digest] = pool_messages(bot)
    assert "12 customers are back in the public pool" in text_of(digest)
    assert "1–12 of 12" in text_of(digest)
    rows = claim_buttons(digest)
    assert len(rows) == 12 and len(digest.blocks) <= 50

    stale = copy.deepcopy(digest)  # as a client that has not refreshed yet shows it
    told = await click_claim(bot, ALICE, digest, rows[0])
    assert "The customer is yours" in told, told
    await row_claimed(bot, digest, rows[0])
    now = latest(bot, digest)
    assert claim_buttons(now) == rows[1:], "only the claimed row lost its button"
    assert f"*{name_of(0)}有限公司* was claimed from the public pool by <@{ALICE}>" in text_of(now)

    # Bo clicks the row on his stale copy: he is told who has it, nothing is filed.
    told = await click_claim(bot, BO, stale, rows[0])
    assert f"<@{ALICE}>" in told and "已不在公海" in told  # Bo reads Chinese
    # Claimed from /claim pool instead of the digest: the digest's row follows too.
    await bot.command("pool", user=BO)
    [listed] = await bot.fake.wait_for_responses(name="/claim pool")
    # The list and the digest name a customer's row alike (pool:<customer id>).
    picked = next(b["block_id"] for b in listed.blocks if b.get("block_id") in rows)
    bot.checked(
        await bot.slack.block_action(
            "pool_claim", user=BO, message=listed, channel="C1", block_id=picked
        )
    )
    await row_claimed(bot, digest, picked)
    assert text_of(latest(bot, digest)).count(f"from the public pool by <@{BO}>") == 1
    assert claim_buttons(latest(bot, digest)) == [r for r in rows[1:] if r != picked]
    assert len([c for c in await claims(bot) if c.status == "active"]) == 2
    assert bot.fake.rate_limited() == []


@pytest.mark.slow
async def test_three_hundred_released_make_a_few_digests_every_customer_claimable(
    bot_factory: BotFactory, tmp_path: Path
) -> None:
    # A hundred released DMs to each former owner: Slack's pace sped up fiftyfold.
    bot = await start(bot_factory, per_second=50.0)
    await release(bot, tmp_path, 300)
    digests = pool_messages(bot)
    assert len(digests) == 8, [text_of(m)[:80] for m in digests]
    assert all(len(m.blocks) <= 50 for m in digests)
    assert "1–40 of 300" in text_of(digests[0]) and "260 more" in text_of(digests[0])
    assert "281–300 of 300" in text_of(digests[-1]) and "more in the next" not in text_of(
        digests[-1]
    )
    rows = [(m, block_id) for m in digests for block_id in claim_buttons(m)]
    assert len({block_id for _, block_id in rows}) == 300

    for n, (message, block_id) in enumerate(rows):
        await click_claim(bot, (ALICE, BO)[n % 2], message, block_id)
        await row_claimed(bot, message, block_id)

    # Each click filed a claim: approved at once, or (names this alike) a possible duplicate
    # that holds the customer while a manager decides.
    filed = [c for c in await claims(bot) if c.owner_id in (ALICE, BO)]
    assert all(c.status in ("active", "pending") for c in filed)
    assert len({c.customer_id for c in filed}) == len(filed) == 300
    assert all(claim_buttons(latest(bot, m)) == [] for m in digests)
    assert bot.fake.rate_limited() == []
