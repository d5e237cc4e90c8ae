"""Roles and teams in Slack: admins change them (audited, before and after), everyone else is
refused (audited), bad input gets a helpful answer — signed HTTP against the fake Slack."""

from __future__ import annotations

from sqlalchemy import select

from bot.fakeslack.reading import text_of
from store.models import Team
from tests.e2e.approvals_support import (
    BIG_DEAL,
    LI,
    WEI,
    audit_actions,
    cards_to,
    file_pending,
    outbox_drained,
    start,
)
from tests.e2e.conftest import ADA, ALICE, BO, CAROL, MEI, Bot, BotFactory


async def say(bot: Bot, text: str, user: str = ADA) -> str:
    """``/claim text`` and the ephemeral answer's text."""
    answer = (await bot.command(text, user=user)).json()
    assert answer["response_type"] == "ephemeral"
    return str(answer["text"])


def escaped(user_id: str, name: str) -> str:
    """A mention as Slack sends it when the command escapes them."""
    return f"<@{user_id}|{name}>"


async def test_an_admin_sets_roles_from_mentions_or_bare_ids_and_it_is_audited(
    bot_factory: BotFactory,
) -> None:
    bot = await start(bot_factory)
    done = await say(bot, f"role {escaped(CAROL, 'carol')} manager")
    assert f"<@{CAROL}> was a rep and is now a manager" in done
    assert "manage no team yet" in done
    assert "is now a partner" in await say(bot, f"role {CAROL} partner")
    assert "is a partner already" in await say(bot, f"role {escaped(CAROL, 'carol')} partner")
    changes = await audit_actions(bot, "role.changed")
    assert [(e.actor_id, e.data) for e in changes] == [
        (ADA, {"user_id": CAROL, "before": "rep", "after": "manager"}),
        (ADA, {"user_id": CAROL, "before": "manager", "after": "partner"}),
    ]


async def test_a_partner_set_in_slack_has_every_claim_approved_by_a_manager(
    bot_factory: BotFactory,
) -> None:
    bot = await start(bot_factory)
    await say(bot, f"role {escaped(BO, 'bo')} partner")
    answer = await bot.file_claim(BIG_DEAL | {"deal_size": "10万"}, user=BO)
    assert "渠道伙伴报备" in text_of(answer["view"])
    await outbox_drained(bot)
    assert len(cards_to(bot, MEI)) == 1


async def test_everyone_but_an_admin_is_refused_and_audited(bot_factory: BotFactory) -> None:
    bot = await start(bot_factory)
    attempts = [
        (BO, f"role {escaped(BO, 'bo')} admin"),
        (MEI, f"team East add {escaped(CAROL, 'carol')}"),
        (WEI, "team create Raiders"),
        (LI, "team South region east"),
        (ALICE, "role"),  # bad input from a non-admin is refused too, not coached
    ]
    for user, text in attempts:
        answer = await say(bot, text, user=user)
        assert "Only admins" in answer or "只有管理员" in answer, text
    refused = await audit_actions(bot, "access.refused")
    assert [e.actor_id for e in refused] == [BO, MEI, WEI, LI, ALICE]
    assert {e.data["reason"] for e in refused} == {"not_admin"}
    assert await audit_actions(bot, "role.changed") == []
    assert await audit_actions(bot, "team.changed") == []
    async with bot.rt.db.session() as session:
        assert list(await session.scalars(select(Team.name).order_by(Team.name))) == [
            "East",
            "South",
        ]


async def test_bad_input_gets_a_helpful_answer_never_a_trace(bot_factory: BotFactory) -> None:
    bot = await start(bot_factory)
    carol = escaped(CAROL, "carol")
    expected = {
        "role": "/claim role @person",
        "role carol manager": "Mention the person",
        f"role {carol} boss": "`boss` is not a role",
        f"role {carol} manager extra": "Type it like this",
        f"team Nowhere add {carol}": "no team called “Nowhere”. Teams: East, South",
        f"team East promote {carol}": "I don't know `promote`",
        "team East add carol": "Mention the person: `/claim team East add @person`",
        "team create": "/claim team create NAME",
        "team East": "Type it like this",
        "team East region mars": "`mars` is not a region",
        "team create East": "exists already",
        f"team South remove {escaped(ALICE, 'alice')}": "is not on *South*",
        'team create "Too long' + "x" * 90 + '"': "at most 80 characters",
        "team East add <!channel>": "Mention the person",
    }
    for text, answer in expected.items():
        assert answer in await say(bot, text), text
    assert await audit_actions(bot, "team.changed") == []


async def test_an_admin_builds_a_team_and_its_claims_go_to_its_manager(
    bot_factory: BotFactory,
) -> None:
    bot = await start(bot_factory)
    created = await say(bot, 'team create "North Team" north')
    assert "Team *North Team* created" in created and "North China" in created
    assert "now manages *North Team*" in await say(bot, f'team "north team" manager <@{LI}>')
    assert "member of *North Team*" in await say(bot, f"team “North Team” add {CAROL}")
    assert "no longer on *South*" in await say(bot, f"team South remove {escaped(CAROL, 'carol')}")
    assert "covers North China already" in await say(bot, 'team "North Team" region 华北')

    # Carol files for a customer in the north: no cross-region, but a big deal, to Li.
    await file_pending(bot, CAROL, region="north")
    [card] = cards_to(bot, LI)
    assert "cross" not in text_of(card) and "approval threshold" in text_of(card)

    assert "no region now" in await say(bot, 'team "North Team" region none')
    changes = [e.data for e in await audit_actions(bot, "team.changed")]
    assert [(c["team"], c["change"], c["before"], c["after"]) for c in changes] == [
        ("North Team", "created", None, {"region": "north"}),
        ("North Team", "manager_added", None, "manager"),
        ("North Team", "member_added", None, "member"),
        ("South", "removed", "member", None),
        ("North Team", "region", "north", None),
    ]
    assert changes[1]["user_id"] == LI and changes[3]["user_id"] == CAROL


async def test_claim_team_shows_my_teams_and_an_admin_sees_them_all(
    bot_factory: BotFactory,
) -> None:
    bot = await start(bot_factory)
    # `/claim team` alone lists the teams' claims (tests/e2e/test_lists.py); `members` the people.
    mine = await bot.command("team members", user=ALICE)
    shown = text_of(mine.json())
    assert "Your role: a rep." in shown and "*East* (East China)" in shown
    assert f"<@{MEI}>" in shown and f"<@{BO}>" in shown and "South" not in shown
    everyone = text_of((await bot.command("team members", user=ADA)).json())
    assert "You are not on any team yet" in everyone
    assert "*East*" in everyone and "*South*" in everyone and f"<@{LI}>" in everyone


async def test_a_manager_set_to_rep_stops_deciding_and_the_admins_get_the_cards(
    bot_factory: BotFactory,
) -> None:
    bot = await start(bot_factory)
    demoted = await say(bot, f"role {escaped(MEI, 'mei')} rep")
    assert "still listed as manager of East" in demoted
    await say(bot, f"role {escaped(WEI, 'wei')} rep")
    await file_pending(bot, ALICE)
    assert cards_to(bot, MEI) == [] and cards_to(bot, WEI) == []
    [card] = cards_to(bot, ADA)
    bot.checked(await bot.slack.block_action("approval_approve", user=MEI, message=card))
    refusal = await bot.fake.wait_for_responses(1, name="action approval_approve")
    assert "只有该销售所在团队的主管" in (refusal[0].text or "")

    # Made a team's manager again, her stored role follows.
    lifted = await say(bot, f"team East manager {escaped(MEI, 'mei')}")
    assert "manages *East* already" in lifted
    await say(bot, f"team East remove {escaped(MEI, 'mei')}")
    again = await say(bot, f"team East manager {escaped(MEI, 'mei')}")
    assert "role was set to manager as well" in again
    assert (await bot.rt.approvals.pending_for("T1", MEI)).total == 1


async def test_a_configured_admin_cannot_be_demoted_in_slack(bot_factory: BotFactory) -> None:
    bot = await start(bot_factory)
    answer = await say(bot, f"role {escaped(ADA, 'ada')} rep")
    assert "admin by configuration" in answer
    assert await audit_actions(bot, "role.changed") == []


async def test_an_admin_made_in_slack_can_use_the_admin_commands(bot_factory: BotFactory) -> None:
    bot = await start(bot_factory)
    assert "is now an admin" in await say(bot, f"role {escaped(BO, 'bo')} admin")
    assert "团队 *Raiders* 已创建" in await say(bot, "team create Raiders", user=BO)
    assert "由管理员改为销售" in await say(bot, f"role {escaped(BO, 'bo')} rep", user=BO)
    assert "只有管理员" in await say(bot, "team create Pirates", user=BO)


async def test_help_lists_the_new_commands_in_both_languages(bot: Bot) -> None:
    english = (await bot.command("help", user=ALICE)).json()["text"]
    for usage in ("/claim pending", "/claim role @person", "/claim team [create NAME"):
        assert usage in english
    chinese = (await bot.command("help", user=BO)).json()["text"]
    assert "等待你审批的报备" in chinese and "设置成员角色" in chinese
