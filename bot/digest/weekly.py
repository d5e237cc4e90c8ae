"""The weekly summary's numbers as an outbox payload, and its chart shared as a file.

The numbers are counted by the metrics service when the summary is written (the sweep); the
payload carries them as JSON so that the card and the chart, made when the outbox sends them,
show exactly what was counted then.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from datetime import datetime
from typing import Any

from bot.charts import FILENAME, render_chart
from bot.i18n import Translator
from bot.metrics.definitions import Metrics, TrendWeek
from bot.metrics.periods import Period, Window
from bot.metrics.service import Report, Row, Scope, ScopeKind
from bot.notify.files import SharedFile, shares_file
from bot.notify.kinds import NoticeKind


def report_payload(report: Report) -> dict[str, Any]:
    """A team's report as JSON (the numbers, the per-rep lines, the trend)."""
    return {
        "team_ids": list(report.scope.team_ids),
        "team_names": list(report.scope.team_names),
        "start": report.window.start.isoformat(),
        "end": report.window.end.isoformat(),
        "totals": asdict(report.totals),
        "rows": [{"key": row.key, "metrics": asdict(row.metrics)} for row in report.rows],
        "trend": [asdict(week) for week in report.trend],
    }


def report_of(payload: dict[str, Any]) -> Report:
    """The report a payload of :func:`report_payload` carries."""
    scope = Scope(
        ScopeKind.TEAMS,
        "",
        team_ids=tuple(payload["team_ids"]),
        team_names=tuple(payload["team_names"]),
    )
    return Report(
        scope=scope,
        period=Period.WEEK,
        window=Window(
            datetime.fromisoformat(payload["start"]), datetime.fromisoformat(payload["end"])
        ),
        totals=Metrics(**payload["totals"]),
        rows=tuple(Row(key=r["key"], metrics=Metrics(**r["metrics"])) for r in payload["rows"]),
        trend=tuple(TrendWeek(**week) for week in payload["trend"]),
    )


@shares_file(NoticeKind.TEAM_WEEKLY_CHART)
async def weekly_chart(payload: dict[str, Any], tr: Translator) -> SharedFile:
    """Last week's chart of a team, for its channel."""
    report = report_of(payload["report"])
    period = tr("digest.weekly.period")
    png = await asyncio.to_thread(render_chart, report, tr, period=period)
    return SharedFile(
        filename=FILENAME,
        content=png,
        title=tr("chart.title", period=period),
        alt_text=tr("chart.alt", period=period),
    )
