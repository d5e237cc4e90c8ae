"""The analytics as people read them: ``/claim stats funnel`` (the stage funnel, the sales cycle,
the value, win rate per channel, the rep ranking), ``/claim stats by …`` (one line per region,
channel or profile option), and the App Home's pipeline line."""

from __future__ import annotations

from decimal import Decimal

from slack_sdk.models.blocks import Block

from bot.i18n import Translator
from bot.metrics.analytics import Analytics, GroupRow
from bot.metrics.periods import Period, Window
from bot.metrics.service import Scope
from bot.rules import Option, Rules, option_label
from cards.blocks import MESSAGE_BLOCK_LIMIT, clip, context, escape_mrkdwn, header, section
from cards.followup import stage_label
from cards.format import amount, mention, slack_date
from cards.metrics import duration, percent, period_label, scope_label

ROWS_SHOWN = 12


def _money(value: Decimal) -> str:
    return amount(value) if value else "¥0"


def funnel_line(a: Analytics, rules: Rules, tr: Translator) -> str:
    """``Contact 6 → 83% → Analysis 5 → …``: each stage's count and the conversion to the next."""
    parts = []
    for step in a.funnel:
        label = escape_mrkdwn(stage_label(rules, step.stage, tr))
        parts.append(f"{label} *{step.reached}*")
        if step.to_next is not None:
            parts.append(f"→ {percent(step.to_next)} →")
    return " ".join(parts)


def cycle_line(a: Analytics, tr: Translator) -> str:
    """The sales cycle: deals won, average, median and 90th percentile."""
    c = a.cycle
    return tr(
        "analytics.cycle.line",
        won=c.won,
        average=duration(c.average, tr),
        median=duration(c.median, tr),
        p90=duration(c.p90, tr),
    )


def value_line(a: Analytics, tr: Translator) -> str:
    """Filed, approved and won deal value."""
    filed, approved, won = a.value
    return tr(
        "analytics.value.line", filed=_money(filed), approved=_money(approved), won=_money(won)
    )


def _group_name(key: object, options: list[Option] | None, tr: Translator) -> str:
    if key is None:
        return tr("metrics.channels.none")
    if options is None:
        return mention(str(key))
    return escape_mrkdwn(option_label(options, str(key), tr))


def group_lines(
    rows: tuple[GroupRow, ...], options: list[Option] | None, tr: Translator
) -> list[str]:
    """One line per group: filed, approved, won, win rate, won value (``options`` None: reps)."""
    lines = [
        "• "
        + tr(
            "analytics.group.line",
            name=_group_name(r.key, options, tr),
            filed=r.counts.filed,
            approved=r.counts.approved,
            won=r.counts.won,
            win_rate=percent(r.win_rate),
            conversion=percent(r.conversion),
            value=_money(r.counts.won_value),
        )
        for r in rows[:ROWS_SHOWN]
    ]
    if len(rows) > ROWS_SHOWN:
        lines.append(tr("metrics.breakdown.more", count=len(rows) - ROWS_SHOWN))
    return lines


def _window(scope: Scope, window: Window, tr: Translator) -> str:
    return tr("metrics.window", scope=scope_label(scope, tr), start=slack_date(window.start))


def funnel_message(a: Analytics, rules: Rules, tr: Translator) -> tuple[str, list[Block]]:
    """The ``/claim stats funnel`` answer."""
    title = tr("analytics.title", period=period_label(a.period, tr))
    blocks: list[Block] = [header(title), context(_window(a.scope, a.window, tr))]
    if not a.totals.filed and not a.cycle.won:
        blocks.append(section(tr("metrics.stats.nothing")))
    else:
        blocks.append(section(f"*{tr('analytics.funnel.title')}*\n{funnel_line(a, rules, tr)}"))
        blocks.append(section(f"*{tr('analytics.cycle.title')}*\n{cycle_line(a, tr)}"))
        blocks.append(section(f"*{tr('analytics.value.title')}*\n{value_line(a, tr)}"))
        if a.channels:
            lines = group_lines(a.channels, rules.form.source_channels, tr)
            blocks.append(section("\n".join([f"*{tr('analytics.channels.title')}*", *lines])))
        if a.reps:
            lines = group_lines(a.reps, None, tr)
            blocks.append(section("\n".join([f"*{tr('analytics.reps.title')}*", *lines])))
    blocks.append(context(tr("analytics.definitions")))
    text = tr("analytics.text", period=period_label(a.period, tr), won=a.cycle.won)
    return clip(f"{title} — {text}", 3000), blocks[:MESSAGE_BLOCK_LIMIT]


def grouped_message(
    scope: Scope,
    period: Period,
    window: Window,
    rows: tuple[GroupRow, ...],
    *,
    label: str,
    options: list[Option],
    tr: Translator,
) -> tuple[str, list[Block]]:
    """The ``/claim stats by FIELD`` answer: one line per option of the field."""
    title = tr("analytics.grouped.title", field=label, period=period_label(period, tr))
    blocks: list[Block] = [header(title), context(_window(scope, window, tr))]
    if not rows:
        blocks.append(section(tr("metrics.stats.nothing")))
    else:
        blocks.append(section("\n".join(group_lines(rows, options, tr))))
    blocks.append(context(tr("analytics.definitions")))
    return clip(title, 3000), blocks[:MESSAGE_BLOCK_LIMIT]


def pipeline_blocks(a: Analytics, rules: Rules, tr: Translator) -> list[Block]:
    """The App Home's pipeline: the funnel, the sales cycle and the value, three lines."""
    if not a.totals.filed and not a.cycle.won:
        return []
    lines = [
        f"*{tr('analytics.funnel.title')}*  {funnel_line(a, rules, tr)}",
        f"*{tr('analytics.cycle.title')}*  {cycle_line(a, tr)}",
        f"*{tr('analytics.value.title')}*  {value_line(a, tr)}",
    ]
    return [section("\n".join(lines))]
