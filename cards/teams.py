"""Answers to ``/claim role`` and ``/claim team``: what changed (or why not), and the team list."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import Block

from bot.i18n import Translator
from bot.roles import AdminResult, Outcome
from bot.rules import Option, option_label
from bot.teams import TeamsOverview, TeamView
from cards.blocks import MESSAGE_BLOCK_LIMIT, clip, context, escape_mrkdwn, header, section
from cards.format import mention


def team_name(name: str | None) -> str:
    return escape_mrkdwn(clip(name or "", 80))


def role_name(role: str | None, tr: Translator) -> str:
    return tr(f"role.name.{role}") if role else "—"


def region_name(key: str | None, regions: list[Option], tr: Translator) -> str:
    return escape_mrkdwn(option_label(regions, key, tr)) if key else tr("team.no_region")


def admin_reply(command: str, result: AdminResult, tr: Translator, regions: list[Option]) -> str:
    """The ephemeral answer to an admin command (``command``: role, create, add, manager,
    remove, region)."""
    user = mention(result.user_id)
    team = team_name(result.team)
    outcome = result.outcome
    if outcome is Outcome.NOT_ADMIN:
        return tr("admin.refused")
    if outcome is Outcome.UNKNOWN_TEAM:
        if not result.teams:
            return tr("team.unknown_none", team=team)
        return tr("team.unknown", team=team, teams=", ".join(team_name(t) for t in result.teams))
    if outcome is Outcome.TEAM_EXISTS:
        return tr("team.exists", team=team)
    if outcome is Outcome.BAD_REGION:
        return tr(
            "team.bad_region",
            region=escape_mrkdwn(clip(result.region or "", 40)),
            regions=", ".join(f"`{o.key}`" for o in regions),
        )
    if outcome is Outcome.CONFIGURED_ADMIN:
        return tr("role.configured_admin", user=user)
    if outcome is Outcome.NOT_ON_TEAM:
        return tr("team.not_on_team", user=user, team=team)
    if outcome is Outcome.NOT_TEAM_MANAGER:
        return tr("team.not_team_manager", team=team)
    if command == "role":
        return _role_reply(result, tr)
    if command == "create":
        created = tr("team.created", team=team)
        if result.region:
            created += " " + tr("team.region_line", region=region_name(result.region, regions, tr))
        return created + "\n" + tr("team.created_next", team=team)
    if command in ("add", "manager"):
        if outcome is Outcome.UNCHANGED:
            return tr(f"team.already_{command}", user=user, team=team)
        text = tr(f"team.{command}_done", user=user, team=team)
        if result.role_lifted:
            text += " " + tr("team.note.role_lifted", user=user)
        return text
    if command == "remove":
        return tr("team.removed", user=user, team=team)
    if command == "channel":
        return _channel_reply(result, tr)
    # region
    if outcome is Outcome.UNCHANGED:
        return tr("team.region_same", team=team, region=region_name(result.region, regions, tr))
    if result.region is None:
        return tr("team.region_cleared", team=team)
    return tr("team.region_set", team=team, region=region_name(result.region, regions, tr))


def channel_name(channel: str | None, tr: Translator) -> str:
    """A channel as Slack links it, or "no channel"."""
    return f"<#{channel}>" if channel else tr("team.channel_none")


def _channel_reply(result: AdminResult, tr: Translator) -> str:
    team = team_name(result.team)
    if result.outcome is Outcome.UNCHANGED:
        return tr("team.channel_same", team=team, channel=channel_name(result.channel, tr))
    if result.channel is None:
        return tr("team.channel_cleared", team=team)
    return tr("team.channel_set", team=team, channel=channel_name(result.channel, tr))


def _role_reply(result: AdminResult, tr: Translator) -> str:
    user = mention(result.user_id)
    if result.outcome is Outcome.UNCHANGED:
        return tr("role.same", user=user, role=role_name(result.role_before, tr))
    lines = [
        tr(
            "role.done",
            user=user,
            before=role_name(result.role_before, tr),
            role=role_name(result.role_after, tr),
        )
    ]
    if result.manages_nothing:
        lines.append(tr("role.note.no_team"))
    if result.listed_manager_of:
        lines.append(
            tr(
                "role.note.listed_manager",
                teams=", ".join(team_name(t) for t in result.listed_manager_of),
                role=role_name(result.role_after, tr),
            )
        )
    return "\n".join(lines)


def teams_overview(
    overview: TeamsOverview, tr: Translator, regions: list[Option]
) -> tuple[str, list[Block]]:
    """``/claim team``: your role, your teams and their people (and, for admins, every team)."""
    intro = tr("team.mine.role", role=role_name(overview.role, tr))
    blocks: list[Block] = [header(tr("team.mine.title")), section(intro)]
    if overview.teams:
        blocks += [section(team_line(t, tr, regions)) for t in overview.teams[:20]]
    else:
        blocks.append(section(tr("team.mine.none")))
    others = [t for t in overview.all_teams if t.name not in {m.name for m in overview.teams}]
    if overview.all_teams:
        blocks.append(section(f"*{tr('team.all.title')}*"))
        blocks += [section(team_line(t, tr, regions)) for t in others[:20]]
        if not others:
            blocks.append(context(tr("team.all.none_other")))
        blocks.append(context(tr("team.all.footer")))
    text = "\n".join([intro, *(team_name(t.name) for t in overview.teams)])
    return clip(text, 3000), blocks[:MESSAGE_BLOCK_LIMIT]


def team_line(team: TeamView, tr: Translator, regions: list[Option]) -> str:
    """A team, its region, managers and members."""
    return tr(
        "team.line",
        team=team_name(team.name),
        region=region_name(team.region, regions, tr),
        channel=channel_name(team.channel, tr),
        managers=_people(team.managers),
        members=_people(team.members),
    )


def _people(user_ids: Sequence[str]) -> str:
    if not user_ids:
        return "—"
    shown = ", ".join(mention(u) for u in user_ids[:40])
    return shown + (" …" if len(user_ids) > 40 else "")
