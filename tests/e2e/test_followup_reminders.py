"""Follow-up reminders and rules per segment, end to end: signed HTTP into the real app, the fake
Slack, the clock moved and the sweep run as the running bot runs it.

The clock starts on Monday 2026-11-23, 10:00 in Shanghai (working hours 9:00–19:00 on weekdays).
East team: Mei (zh) manages Alice (en) and Bo; Ada is the admin.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bot.fakeslack.reading import text_of
from tests.e2e.conftest import ALICE, BO, MEI, Bot, BotFactory
from tests.e2e.test_lifecycle import file_acme, log_followup
from tests.home.support import home_until, open_home, sections
from tests.lifecycle.support import (
    DAY,
    claim,
    delivered,
    dms,
    sweep,
    team_rules,
    wait_dm,
)

CLOUD = {
    "customer_name": "杭州云帆数据科技有限公司",
    "contact_name": "赵六",
    "phone": "0571-8888 2020",
    "need_summary": "Data platform",
}
HOUR = timedelta(hours=1)


def todo(home: dict[str, Any]) -> str:
    """The To do section of a Home ("" when it shows none)."""
    return next((s for s in sections(home) if "To do" in s), "")


async def to_do_until(bot: Bot, check: Callable[[str], bool], user: str = ALICE) -> str:
    """Open the user's Home and wait until its To do passes ``check`` (a refresh for an earlier
    change may be published after the one asked for); the To do shown."""
    await open_home(bot, user)
    return todo(await home_until(bot, user, lambda home: check(todo(home)), "its To do"))


async def test_a_next_step_is_reminded_on_its_day_once_and_shown_in_to_do(
    bot_factory: BotFactory,
) -> None:
    bot = await bot_factory(rules=team_rules())
    await file_acme(bot)
    verdict = (await wait_dm(bot, ALICE, "上海艾克美机器人有限公司"))[0]
    await log_followup(
        bot,
        ALICE,
        via=verdict,
        answers={"followup_next_step": "Send the quote", "followup_next_step_on": "2026-11-25"},
    )

    # Tuesday: the step is tomorrow; nothing is sent and the To do is empty.
    await sweep(bot, DAY)
    await delivered(bot)
    assert dms(bot, ALICE, "Next step due today") == []
    await to_do_until(bot, lambda shown: shown == "")

    # Wednesday 10:00: the reminder, with the step and the button to log what was done.
    await sweep(bot, DAY)
    await delivered(bot)
    (reminder,) = dms(bot, ALICE, "Next step due today")
    assert "Send the quote" in text_of(reminder) and "2026-11-25" in text_of(reminder)
    assert "Log follow-up" in text_of(reminder)
    await to_do_until(bot, lambda shown: "Send the quote" in shown and "overdue" not in shown)

    # Thursday: not reminded again, and the To do says it is overdue.
    await sweep(bot, DAY)
    await sweep(bot, HOUR)
    await delivered(bot)
    assert len(dms(bot, ALICE, "Next step due today")) == 1
    await to_do_until(bot, lambda shown: "Send the quote" in shown and "overdue" in shown)

    # A follow-up without a next step clears it from the To do.
    await log_followup(bot, ALICE, via=verdict)
    await to_do_until(bot, lambda shown: shown == "")


async def test_a_missed_first_contact_reaches_the_manager_once(bot_factory: BotFactory) -> None:
    bot = await bot_factory(rules=team_rules(followups={"first_contact_hours": 24}))
    acme = await file_acme(bot)
    await file_acme(bot, user=BO, **CLOUD)
    bo_verdict = (await wait_dm(bot, BO, "杭州云帆数据科技有限公司"))[0]

    # Half time (22:00, after hours): Alice's reminder waits for the morning; Bo logs a call.
    await sweep(bot, 12 * HOUR)
    await log_followup(bot, BO, via=bo_verdict)
    await delivered(bot)
    assert dms(bot, ALICE, "First contact due") == []
    await to_do_until(
        bot, lambda shown: "上海艾克美机器人有限公司" in shown and "first contact due by" in shown
    )

    # Tuesday 10:00, the deadline: Alice got her reminder at 9:00; Mei now hears she missed it
    # (in Chinese), about Alice's claim only.
    await sweep(bot, 12 * HOUR)
    await delivered(bot)
    (reminder,) = dms(bot, ALICE, "First contact due")
    assert "上海艾克美机器人有限公司" in text_of(reminder)
    (missed,) = dms(bot, MEI, "首次联系")
    assert f"<@{ALICE}>" in text_of(missed) and "24" in text_of(missed)
    assert "上海艾克美机器人有限公司" in text_of(missed)
    assert dms(bot, BO, "First contact due") == []
    await to_do_until(bot, lambda shown: "first contact overdue" in shown)

    # Once each, however many passes.
    await sweep(bot, HOUR)
    await sweep(bot, DAY)
    await delivered(bot)
    assert len(dms(bot, MEI, "首次联系")) == 1
    assert len(dms(bot, ALICE, "First contact due")) == 1
    assert (await claim(bot, acme)).status == "active"


async def test_a_stage_timer_reminds_once_per_stage_entry(bot_factory: BotFactory) -> None:
    bot = await bot_factory(rules=team_rules(followups={"stage_timers": {"proposal": 7}}))
    acme = await file_acme(bot)
    verdict = (await wait_dm(bot, ALICE, "上海艾克美机器人有限公司"))[0]
    await log_followup(bot, ALICE, via=verdict, answers={"followup_stage": "proposal"})
    entered = bot.clock.now()
    assert (await claim(bot, acme)).stage_since == entered

    await sweep(bot, 6 * DAY)
    await delivered(bot)
    assert dms(bot, ALICE, "Stuck in a stage") == []

    # Day 7 in the proposal stage: reminded, and the To do shows it.
    await sweep(bot, DAY)
    await delivered(bot)
    (stuck,) = dms(bot, ALICE, "Stuck in a stage")
    assert "Proposal" in text_of(stuck) and "7 days" in text_of(stuck)
    await to_do_until(bot, lambda shown: "at Proposal since" in shown)

    # Another follow-up in the same stage is not a new entry: no second reminder.
    await log_followup(bot, ALICE, via=verdict, answers={"followup_stage": "proposal"})
    assert (await claim(bot, acme)).stage_since == entered
    await sweep(bot, 7 * DAY)
    await delivered(bot)
    assert len(dms(bot, ALICE, "Stuck in a stage")) == 1

    # Moved on and back again: a new entry, a new timer.
    await log_followup(bot, ALICE, via=verdict, answers={"followup_stage": "negotiation"})
    await log_followup(bot, ALICE, via=verdict, answers={"followup_stage": "proposal"})
    await sweep(bot, 7 * DAY)
    await delivered(bot)
    assert len(dms(bot, ALICE, "Stuck in a stage")) == 2


async def test_a_segment_override_changes_the_reclaim_date(bot_factory: BotFactory) -> None:
    rules = team_rules(
        segments=[
            {"when": {"source_channel": "partner"}, "protection": {"days": 30}},
            {
                "name": "East partners",
                "when": {"source_channel": "partner", "region": "east"},
                "protection": {"days": 20, "followup_overdue_days": 25, "reclaim_idle_days": 40},
            },
        ]
    )
    bot = await bot_factory(rules=rules)
    filed_at = bot.clock.now()
    east = await file_acme(bot, source_channel="partner", region="east")
    partner = await file_acme(bot, user=BO, **CLOUD, source_channel="partner", region="south")
    plain = await file_acme(
        bot,
        customer_name="北京字节跳动科技有限公司",
        phone="010-6666 3030",
    )
    assert (await claim(bot, east)).protection_until == filed_at + timedelta(days=20)
    assert (await claim(bot, partner)).protection_until == filed_at + timedelta(days=30)
    assert (await claim(bot, plain)).protection_until == filed_at + timedelta(days=90)

    # Day 14: the default idle reclaim takes the other two; the east partner's segment keeps it
    # idle for 40 days, so it stays.
    report = await sweep(bot, 14 * DAY)
    assert report.reclaimed == {"reclaimed": 2}
    assert (await claim(bot, east)).status == "active"

    # Its protection warns 3 days before its own end, then ends on day 20.
    await sweep(bot, 3 * DAY)
    await delivered(bot)
    assert len(dms(bot, ALICE, "Going back to the public pool soon")) == 1
    await sweep(bot, 3 * DAY - HOUR)
    assert (await claim(bot, east)).status == "active"
    report = await sweep(bot, HOUR)
    assert report.reclaimed == {"protection_ended": 1}
    ended = await claim(bot, east)
    assert (ended.status, ended.end_reason) == ("released", "protection_ended")


async def test_with_stage_advance_only_a_later_stage_restarts_the_idle_clock(
    bot_factory: BotFactory,
) -> None:
    bot = await bot_factory(rules=team_rules(protection={"progress": "stage_advance"}))
    acme = await file_acme(bot)
    verdict = (await wait_dm(bot, ALICE, "上海艾克美机器人有限公司"))[0]

    bot.clock.advance(DAY)
    await log_followup(bot, ALICE, via=verdict, answers={"followup_stage": "analysis"})
    advanced = bot.clock.now()
    assert (await claim(bot, acme)).last_activity_at == advanced

    # A call that leaves the claim where it was (or moves it back) is recorded, but is not
    # progress: the idle clock keeps running from the advance.
    bot.clock.advance(DAY)
    await log_followup(bot, ALICE, via=verdict)
    await log_followup(bot, ALICE, via=verdict, answers={"followup_stage": "contact"})
    assert (await claim(bot, acme)).last_activity_at == advanced
    report = await sweep(bot, advanced + 14 * DAY - bot.clock.now())
    assert report.reclaimed == {"reclaimed": 1}
