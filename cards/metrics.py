"""The dashboard's numbers as people read them: percentages and durations ("—" when there is
nothing to count), the fields of one scope, the per-rep or per-team lines, the source channels,
and the ``/claim stats`` answer."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, MarkdownTextObject, SectionBlock

from bot.i18n import Translator
from bot.metrics.definitions import Metrics, Ratio
from bot.metrics.periods import Period
from bot.metrics.service import Report, Row, Scope, ScopeKind
from bot.rules import Rules, option_label
from cards.blocks import MESSAGE_BLOCK_LIMIT, clip, context, escape_mrkdwn, header, section
from cards.format import mention, slack_date

ROWS_SHOWN = 12
CHANNELS_SHOWN = 10
FIELD_LIMIT = 2000

MINUTE = 60.0
HOUR = 3600.0
DAY = 86400.0


def percent(ratio: Ratio) -> str:
    """``80%``; "—" when there is no whole to take a share of."""
    value = ratio.value
    return "—" if value is None else f"{value * 100:.0f}%"


def duration(seconds: float | None, tr: Translator) -> str:
    """A span in the unit that reads best: minutes, hours, days; "—" for none."""
    if seconds is None:
        return "—"
    if seconds < MINUTE:
        return tr("metrics.duration.instant")
    if seconds < HOUR:
        return tr("metrics.duration.minutes", n=f"{seconds / MINUTE:.0f}")
    if seconds < 2 * DAY:
        return tr("metrics.duration.hours", n=f"{seconds / HOUR:.1f}")
    return tr("metrics.duration.days", n=f"{seconds / DAY:.1f}")


def period_label(period: Period, tr: Translator) -> str:
    return tr(f"metrics.period.{period.value}")


def scope_label(scope: Scope, tr: Translator) -> str:
    """Whose numbers: yours, your teams' (named), everyone's."""
    if scope.kind is ScopeKind.OWN:
        return tr("metrics.scope.own")
    if scope.kind is ScopeKind.TEAMS:
        names = ", ".join(escape_mrkdwn(clip(name, 40)) for name in scope.team_names[:5])
        return tr("metrics.scope.teams", teams=names)
    return tr("metrics.scope.all")


def _field(label: str, value: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=clip(f"*{label}*\n{value}", FIELD_LIMIT))


def metric_fields(m: Metrics, tr: Translator) -> SectionBlock:
    """The eight numbers of one scope, two columns of fields."""
    filed = tr("metrics.value.filed", filed=m.filed, pending=m.pending)
    return SectionBlock(
        fields=[
            _field(tr("metrics.label.filed"), filed),
            _field(
                tr("metrics.label.approval_rate"),
                tr(
                    "metrics.value.of",
                    rate=percent(m.approval_rate),
                    part=m.approved,
                    whole=m.decided,
                ),
            ),
            _field(tr("metrics.label.avg_time"), duration(m.avg_approval_seconds, tr)),
            _field(tr("metrics.label.p90_time"), duration(m.p90_approval_seconds, tr)),
            _field(
                tr("metrics.label.collision_rate"),
                tr("metrics.value.count", rate=percent(m.collision_rate), count=m.collisions),
            ),
            _field(
                tr("metrics.label.followup_rate"),
                tr(
                    "metrics.value.of",
                    rate=percent(m.followup_rate),
                    part=m.followed_up,
                    whole=m.protected,
                ),
            ),
            _field(
                tr("metrics.label.advanced"),
                tr("metrics.value.count", rate=percent(m.advance_rate), count=m.advanced),
            ),
            _field(
                tr("metrics.label.won"),
                tr("metrics.value.count", rate=percent(m.win_rate), count=m.won),
            ),
        ]
    )


def row_name(row: Row, scope: Scope, tr: Translator) -> str:
    """A rep's mention, or a team's name ("No team" for claims filed without one)."""
    if scope.kind is ScopeKind.TEAMS:
        return mention(str(row.key))
    if row.key is None:
        return tr("metrics.row.no_team")
    return f"*{escape_mrkdwn(clip(row.name or str(row.key), 60))}*"


def row_line(row: Row, scope: Scope, tr: Translator) -> str:
    m = row.metrics
    return tr(
        "metrics.row.line",
        who=row_name(row, scope, tr),
        filed=m.filed,
        approval=percent(m.approval_rate),
        avg=duration(m.avg_approval_seconds, tr),
        collisions=m.collisions,
        followup=percent(m.followup_rate),
        won=m.won,
    )


def breakdown_blocks(report: Report, tr: Translator, *, shown: int = ROWS_SHOWN) -> list[Block]:
    """Per rep (a manager's teams) or per team (an admin): one line each, the busiest first."""
    if not report.rows:
        return []
    title = tr(
        "metrics.breakdown.reps"
        if report.scope.kind is ScopeKind.TEAMS
        else "metrics.breakdown.teams"
    )
    lines = [f"*{title}*"] + [f"• {row_line(r, report.scope, tr)}" for r in report.rows[:shown]]
    blocks: list[Block] = [section("\n".join(lines))]
    if len(report.rows) > shown:
        blocks.append(context(tr("metrics.breakdown.more", count=len(report.rows) - shown)))
    return blocks


def channel_blocks(report: Report, rules: Rules, tr: Translator) -> list[Block]:
    """Contribution and quality per source channel."""
    if not report.channels:
        return []
    lines = [f"*{tr('metrics.channels.title')}*"]
    for row in report.channels[:CHANNELS_SHOWN]:
        name = (
            escape_mrkdwn(option_label(rules.form.source_channels, row.channel, tr))
            if row.channel is not None
            else tr("metrics.channels.none")
        )
        lines.append(
            "• "
            + tr(
                "metrics.channels.line",
                channel=name,
                filed=row.filed,
                share=percent(row.share),
                approved=row.approved,
                converted=row.converted,
                conversion=percent(row.conversion),
            )
        )
    if len(report.channels) > CHANNELS_SHOWN:
        lines.append(tr("metrics.breakdown.more", count=len(report.channels) - CHANNELS_SHOWN))
    return [section("\n".join(lines))]


def window_line(report: Report, tr: Translator) -> str:
    """Whose numbers, over which days."""
    return tr(
        "metrics.window",
        scope=scope_label(report.scope, tr),
        start=slack_date(report.window.start),
    )


def stats_message(
    report: Report, rules: Rules, tr: Translator, *, chart_note: str | None = None
) -> tuple[str, list[Block]]:
    """The ``/claim stats`` answer: the numbers, the breakdown, the channels, the definitions."""
    title = tr("metrics.stats.title", period=period_label(report.period, tr))
    m = report.totals
    blocks: list[Block] = [header(title), context(window_line(report, tr))]
    if m.empty:
        blocks.append(section(tr("metrics.stats.nothing")))
    else:
        blocks.append(metric_fields(m, tr))
        blocks += breakdown_blocks(report, tr)
        blocks += channel_blocks(report, rules, tr)
    notes = [tr("metrics.stats.definitions")]
    if chart_note:
        notes.insert(0, chart_note)
    blocks.append(context(*notes))
    text = tr(
        "metrics.stats.text",
        period=period_label(report.period, tr),
        filed=m.filed,
        approval=percent(m.approval_rate),
    )
    return clip(f"{title} — {text}", 3000), blocks[:MESSAGE_BLOCK_LIMIT]
