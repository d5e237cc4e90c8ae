"""The chart: a PNG in either language, every glyph in the bundled font; and the periods."""

from __future__ import annotations

import io
import logging
import warnings
from datetime import UTC, datetime
from itertools import pairwise

import pytest
from fontTools.ttLib import TTFont
from PIL import Image

from bot.charts import FONT, render_chart
from bot.fonts.subset import characters
from bot.i18n import LANGS, Lang, Translator, catalogue
from bot.metrics.definitions import Metrics, TrendWeek
from bot.metrics.periods import Period, parse_period, trend_weeks, window
from bot.metrics.service import Report, Scope, ScopeKind
from tests.metrics.fixtures import SHANGHAI, sh


def report(kind: ScopeKind = ScopeKind.TEAMS, **totals: int) -> Report:
    weeks = trend_weeks(sh(11, 25, 10), SHANGHAI)
    return Report(
        scope=Scope(kind, "U1", (1,), ("East",)),
        period=Period.MONTH,
        window=window(Period.MONTH, sh(11, 25, 10), SHANGHAI),
        totals=Metrics(**totals),
        trend=tuple(
            TrendWeek(f"{w.start.astimezone(SHANGHAI):%m-%d}", n % 7 + 2, n % 5 + 1)
            for n, w in enumerate(weeks)
        ),
    )


def test_the_font_has_every_glyph_the_chart_draws() -> None:
    cmap = TTFont(str(FONT)).getBestCmap()
    drawn = {
        key: text
        for key, texts in catalogue().items()
        if key.startswith(("chart.", "metrics.period."))
        for text in texts.values()
    }
    missing = {
        key: sorted({c for c in text if ord(c) not in cmap and not c.isspace()})
        for key, text in drawn.items()
    }
    missing = {key: chars for key, chars in missing.items() if chars}
    assert missing == {}, "run `python -m bot.fonts.subset` (see bot/fonts/README.md)"
    # And everything the generator was asked for is there (the font is not stale).
    assert [c for c in characters() if ord(c) not in cmap and not c.isspace()] == []


@pytest.mark.parametrize("lang", LANGS)
def test_the_chart_is_a_png_with_no_missing_glyph(
    lang: Lang, caplog: pytest.LogCaptureFixture
) -> None:
    with warnings.catch_warnings(record=True) as seen, caplog.at_level(logging.WARNING):
        warnings.simplefilter("always")
        busy = report(filed=40, approved=31, rejected=4, advanced=17, won=6)
        png = render_chart(busy, Translator(lang))
    problems = [str(w.message) for w in seen] + [r.getMessage() for r in caplog.records]
    assert not [p for p in problems if "missing from" in p or "findfont" in p], problems
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        assert image.size == (1210, 506)
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000) or []
        assert len(colours) > 50, "something was drawn"


def test_an_empty_period_still_draws() -> None:
    png = render_chart(report(ScopeKind.OWN), Translator("zh"))
    assert png.startswith(b"\x89PNG")


def test_periods_follow_the_workspace_clock() -> None:
    now = sh(11, 25, 10)  # Wednesday
    week = window(Period.WEEK, now, SHANGHAI)
    assert (week.start, week.end) == (sh(11, 23), sh(11, 30))
    month = window(Period.MONTH, now, SHANGHAI)
    assert (month.start, month.end) == (sh(11, 1), sh(12, 1))
    assert month.start == datetime(2026, 10, 31, 16, tzinfo=UTC)
    quarter = window(Period.QUARTER, now, SHANGHAI)
    assert (quarter.end - quarter.start).days == 90 and quarter.end == sh(11, 26)
    december = window(Period.MONTH, sh(12, 31, 23), SHANGHAI)
    assert december.end == datetime(2027, 1, 1, tzinfo=SHANGHAI)
    weeks = trend_weeks(now, SHANGHAI)
    assert len(weeks) == 12 and weeks[-1].start == sh(11, 23) and weeks[0].start == sh(9, 7)
    assert all(a.end == b.start for a, b in pairwise(weeks))


@pytest.mark.parametrize(
    ("word", "period"),
    [("week", Period.WEEK), ("W", Period.WEEK), ("month", Period.MONTH), ("quarter", Period.QUARTER), ("90d", Period.QUARTER), ("year", None), ("", None)],
)  # fmt: skip
def test_period_words(word: str, period: Period | None) -> None:
    assert parse_period(word) is period
