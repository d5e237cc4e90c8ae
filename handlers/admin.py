"""``/claim role`` and ``/claim team``: roles and teams, changed in Slack by admins.

Mentions arrive escaped (``<@U123|bo>``) because the manifest sets ``should_escape``; a bare user
ID works too. Anything else gets a reply saying what to type, never a trace.
"""

from __future__ import annotations

import re
import shlex

from bot.roles import AdminResult
from cards.blocks import escape_mrkdwn
from cards.teams import admin_reply, teams_overview
from handlers.claim_command import Invocation, subcommand
from handlers.lists import team_claims
from store.models import Role

MENTION = re.compile(r"^<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>$")
BARE_ID = re.compile(r"^@?([UW][A-Z0-9]{2,})$")
# A channel as Slack escapes it (``<#C123|sales>``, or ``<#C123>``), or a bare channel ID.
CHANNEL = re.compile(r"^(?:<#([CG][A-Z0-9]{2,})(?:\|[^>]*)?>|([CG][A-Z0-9]{2,}))$")
CLEARS = {"none", "-", "off"}
# Quotes Slack clients may type instead of ASCII ones around a team name with spaces.
SMART_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'"})


def user_ref(token: str) -> str | None:
    """The user ID in an escaped mention or a bare ID; ``None`` for anything else."""
    found = MENTION.match(token) or BARE_ID.match(token)
    return found.group(1) if found else None


def words(text: str) -> list[str]:
    """Shell-like words, so that ``"East China"`` is one word; plain splitting if unbalanced."""
    text = text.translate(SMART_QUOTES)
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


@subcommand("role", usage_key="help.usage.role", about_key="help.about.role", order=60)
async def claim_role(invocation: Invocation) -> None:
    """``/claim role @person manager|rep|partner|admin`` (admins)."""
    tokens = invocation.args.split()
    users = [u for u in (user_ref(t) for t in tokens) if u]
    roles = [t.lower() for t in tokens if t.lower() in {r.value for r in Role}]
    if len(tokens) != 2 or len(users) != 1 or len(roles) != 1:
        await _usage(invocation, "role", _role_problem(invocation, tokens, users, roles))
        return
    result = await invocation.rt.roles.set_role(
        invocation.workspace_id, invocation.user_id, users[0], Role(roles[0])
    )
    await _answer(invocation, "role", result)


def _role_problem(
    invocation: Invocation, tokens: list[str], users: list[str], roles: list[str]
) -> str:
    tr = invocation.tr
    if not users:
        return tr("role.no_mention")
    if not roles:
        other = next((t for t in tokens if not user_ref(t)), "")
        if other:
            return tr("role.unknown", role=_shown(other))
    return tr("role.usage")


@subcommand("team", usage_key="help.usage.team", about_key="help.about.team", order=70)
async def claim_team(invocation: Invocation) -> None:
    """``/claim team`` (your teams' claims), ``/claim team members`` and the admins' team
    changes."""
    tokens = words(invocation.args)
    if not tokens:
        await team_claims(invocation)
        return
    if [t.lower() for t in tokens] == ["members"]:
        await show_my_teams(invocation)
        return
    teams, ws, actor = invocation.rt.teams, invocation.workspace_id, invocation.user_id
    tr = invocation.tr
    if tokens[0].lower() == "create":
        if len(tokens) not in (2, 3):
            await _usage(invocation, "team.create", tr("team.usage"))
            return
        name = tokens[1].strip()
        if not name or len(name) > 80 or user_ref(name):
            await _usage(invocation, "team.create", tr("team.bad_name"))
            return
        region = tokens[2] if len(tokens) == 3 else None
        await _answer(invocation, "create", await teams.create_team(ws, actor, name, region))
        return
    if len(tokens) != 3:
        await _usage(invocation, "team", tr("team.usage"))
        return
    name, verb, target = tokens[0], tokens[1].lower(), tokens[2]
    if verb == "region":
        region = None if target.lower() in CLEARS else target
        await _answer(invocation, "region", await teams.set_region(ws, actor, name, region))
        return
    if verb == "channel":
        await set_channel(invocation, name, target)
        return
    if verb not in ("add", "manager", "remove"):
        await _usage(invocation, "team", tr("team.bad_action", action=_shown(verb)))
        return
    user = user_ref(target)
    if user is None:
        problem = tr("team.no_mention", team=_shown(name), action=verb)
        await _usage(invocation, f"team.{verb}", problem)
        return
    if verb == "remove":
        result = await teams.remove_from_team(ws, actor, name, user)
    else:
        result = await teams.add_to_team(ws, actor, name, user, manager=verb == "manager")
    await _answer(invocation, verb, result)


def channel_ref(token: str) -> str | None:
    """The channel ID in an escaped channel mention or a bare ID; ``None`` for anything else."""
    found = CHANNEL.match(token)
    return (found.group(1) or found.group(2)) if found else None


async def set_channel(invocation: Invocation, team: str, target: str) -> None:
    """``/claim team NAME channel #channel|none`` (admins and the team's managers)."""
    if target.lower() in CLEARS:
        channel = None
    else:
        channel = channel_ref(target)
        if channel is None:
            await invocation.reply(
                invocation.tr("team.bad_channel", channel=_shown(target), team=_shown(team))
            )
            return
    result = await invocation.rt.teams.set_channel(
        invocation.workspace_id, invocation.user_id, team, channel
    )
    await _answer(invocation, "channel", result)


async def show_my_teams(invocation: Invocation) -> None:
    """``/claim team members``: the caller's role, teams and their people (``/claim team``
    alone lists the teams' claims, handlers/lists.py)."""
    overview = await invocation.rt.teams.overview(invocation.workspace_id, invocation.user_id)
    text, blocks = teams_overview(overview, invocation.tr, invocation.rt.rules.form.regions)
    await invocation.reply(text, blocks)


async def _answer(invocation: Invocation, command: str, result: AdminResult) -> None:
    await invocation.reply(
        admin_reply(command, result, invocation.tr, invocation.rt.rules.form.regions)
    )


async def _usage(invocation: Invocation, action: str, problem: str) -> None:
    """Bad input: how to type it for an admin; the refusal (audited) for anyone else."""
    if not await invocation.rt.roles.check_admin(
        invocation.workspace_id, invocation.user_id, action
    ):
        await invocation.reply(invocation.tr("admin.refused"))
        return
    await invocation.reply(problem)


def _shown(text: str) -> str:
    """User input echoed back inside backticks: short, and unable to close them."""
    return escape_mrkdwn(text.replace("`", "'")[:40])
