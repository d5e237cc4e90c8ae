"""The metrics as a picture: a funnel (filed → approved → later stage → won) beside the weekly
trend, rendered to PNG with matplotlib's Agg canvas (no display, no pyplot state).

The labels are catalogue strings in the reader's language, drawn in the bundled chart font
(:mod:`bot.fonts`), which holds every glyph they use — Chinese included — so a fresh machine
renders them from pip alone. Nothing the user typed (team or customer names) is drawn.
"""

from __future__ import annotations

import io
import threading
from pathlib import Path
from typing import Any

from bot.i18n import Translator
from bot.metrics.definitions import Ratio
from bot.metrics.service import Report

FONT = Path(__file__).parent / "fonts" / "ChartSans-Regular.otf"
FILENAME = "claim-numbers.png"

# matplotlib's global state (the font list, rc parameters) is shared by the whole process, and
# rendering runs in worker threads: one chart at a time.
_LOCK = threading.Lock()
_font_added = False

INK = "#1d3557"
FILED = "#457b9d"
APPROVED = "#2a9d8f"
ADVANCED = "#e9c46a"
WON = "#e76f51"


def _percent(ratio: Ratio) -> str:
    value = ratio.value
    return "—" if value is None else f"{value * 100:.0f}%"


def render_chart(report: Report, tr: Translator, *, period: str | None = None) -> bytes:
    """The report's chart as PNG bytes (CPU-bound: call it in a worker thread); ``period``
    names the period in the title when it is not the current one ("Last week")."""
    from matplotlib import font_manager, rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    global _font_added
    with _LOCK:
        if not _font_added:
            font_manager.fontManager.addfont(str(FONT))
            _font_added = True
        family = font_manager.FontProperties(fname=str(FONT)).get_name()
        with rc_context({"font.family": "sans-serif", "font.sans-serif": [family]}):
            figure = Figure(figsize=(11, 4.6), dpi=110, layout="constrained")
            FigureCanvasAgg(figure)
            funnel, trend = figure.subplots(1, 2, width_ratios=[1, 1.5])
            _funnel(funnel, report, tr)
            _trend(trend, report, tr)
            period = period or tr(f"metrics.period.{report.period.value}")
            figure.suptitle(
                f"{tr('chart.title', period=period)} · {tr(f'chart.scope.{report.scope.kind.value}')}",
                fontsize=15,
                color=INK,
            )
            buffer = io.BytesIO()
            figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _funnel(axes: Any, report: Report, tr: Translator) -> None:
    m = report.totals
    steps = [
        (tr("chart.funnel.filed"), m.filed, Ratio(m.filed, m.filed), FILED),
        (tr("chart.funnel.approved"), m.approved, Ratio(m.approved, m.filed), APPROVED),
        (tr("chart.funnel.advanced"), m.advanced, Ratio(m.advanced, m.filed), ADVANCED),
        (tr("chart.funnel.won"), m.won, Ratio(m.won, m.filed), WON),
    ]
    widest = max(m.filed, 1)
    rows = list(range(len(steps)))[::-1]
    for row, (_label, count, _share, colour) in zip(rows, steps, strict=True):
        # Centred bars make the funnel's shape.
        axes.barh(row, count, left=(widest - count) / 2, color=colour, height=0.72)
    for row, (_label, count, share, _colour) in zip(rows, steps, strict=True):
        text = tr("chart.funnel.share", count=count, share=_percent(share))
        if count >= widest * 0.4:
            axes.text(widest / 2, row, text, ha="center", va="center", fontsize=12, color=INK)
        else:  # too narrow to hold its label: beside it
            edge = (widest + count) / 2 + widest * 0.03
            axes.text(edge, row, text, ha="left", va="center", fontsize=12, color=INK)
    axes.set_yticks(rows, [label for label, *_ in steps], fontsize=12)
    axes.set_xlim(0, widest)
    axes.set_xticks([])
    axes.set_title(tr("chart.funnel.title"), fontsize=13, color=INK)
    for side in ("top", "right", "bottom"):
        axes.spines[side].set_visible(False)


def _trend(axes: Any, report: Report, tr: Translator) -> None:
    weeks = report.trend
    labels = [w.label for w in weeks]
    positions = list(range(len(weeks)))
    axes.bar(
        positions, [w.filed for w in weeks], color=FILED, width=0.7, label=tr("chart.trend.filed")
    )
    axes.plot(
        positions,
        [w.approved for w in weeks],
        color=WON,
        marker="o",
        linewidth=2,
        label=tr("chart.trend.approved"),
    )
    axes.set_xticks(positions, labels, rotation=45, fontsize=9)
    axes.set_xlabel(tr("chart.trend.axis"), fontsize=10)
    top = max([w.filed for w in weeks] + [w.approved for w in weeks] + [1])
    axes.set_ylim(0, top * 1.15 + 0.5)
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.set_title(tr("chart.trend.title"), fontsize=13, color=INK)
    axes.legend(loc="upper left", frameon=False)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
