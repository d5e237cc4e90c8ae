"""The digest's cards: a busy team's digest stays inside Slack's limits and points to the Home; a
quiet one (with the all-clear rule) says so in one line; both languages render."""

from __future__ import annotations

from typing import Any

import pytest

from bot.fakeslack.validation import validate_message
from bot.i18n import LANGS, Lang, Translator
from bot.notify.kinds import NoticeKind
from cards.registry import render_notice


def item(n: int, **extra: Any) -> dict[str, Any]:
    return {
        "claim_id": n,
        "customer_name": f"客户<{n}>有限公司",
        "owner_id": f"U0REP{n % 7:05d}",
    } | extra


def busy(shown: int, total: int) -> dict[str, Any]:
    """A team with ``total`` claims in every part, ``shown`` of each in the payload."""
    return {
        "team": "East <sales>",
        "day": "2026-11-30",
        "since": "2026-11-27",
        "since_yesterday": False,
        "quiet": False,
        "overdue": [item(n, idle_days=30 - n) for n in range(shown)],
        "overdue_total": total,
        "reclaiming": [item(n, reclaim_at="2026-12-02T02:00:00+00:00") for n in range(shown)],
        "reclaiming_total": total,
        "waiting": [item(n, waiting_hours=40) for n in range(shown)],
        "waiting_total": total,
        "approvers": ["U0MANAGER1"],
        "remind_after_hours": 24,
        "reclaimed": [item(n) for n in range(shown)],
        "reclaimed_total": total,
        "won": [item(n) for n in range(shown)],
        "won_total": total,
        "home_url": "slack://app?team=T1&id=A1&tab=home",
    }


@pytest.mark.parametrize("lang", LANGS)
def test_a_busy_digest_lists_the_first_items_then_and_n_more_within_50_blocks(lang: Lang) -> None:
    text, blocks = render_notice(NoticeKind.TEAM_DIGEST, busy(30, 400), Translator(lang))
    payload = {"channel": "C0EAST0001", "text": text, "blocks": [b.to_dict() for b in blocks]}
    assert validate_message(payload) == []
    assert len(blocks) <= 50
    shown = str(payload["blocks"])
    assert shown.count("370") >= 3, "each long part says how many more there are"
    assert "&lt;" in shown and "客户<1>" not in shown, "customer names are inert mrkdwn"
    assert "tab=home" in shown, "the button to Claimbot"
    assert "<@U0MANAGER1>" in text, "the approvers are notified"
    assert "East &lt;sales&gt;" in text


def test_a_quiet_day_with_the_all_clear_rule_is_one_line() -> None:
    quiet = {"team": "East", "quiet": True, "since": "2026-11-29", "since_yesterday": True}
    text, blocks = render_notice(NoticeKind.TEAM_DIGEST, quiet, Translator("en"))
    assert "All clear" in str([b.to_dict() for b in blocks])
    assert "0 follow-up(s) overdue" in text and "<@" not in text


@pytest.mark.parametrize("lang", LANGS)
def test_a_digest_of_long_names_shows_every_item_it_counts(lang: Lang) -> None:
    payload = busy(30, 400)
    for part in ("overdue", "reclaiming", "waiting", "reclaimed", "won"):
        for n, entry in enumerate(payload[part]):
            entry["customer_name"] = f"{n:02d}号" + "北京字节跳动科技有限公司" * 5  # clipped to 60

    text, blocks = render_notice(NoticeKind.TEAM_DIGEST, payload, Translator(lang))

    sent = {"channel": "C0EAST0001", "text": text, "blocks": [b.to_dict() for b in blocks]}
    assert validate_message(sent) == []
    shown = str(sent["blocks"])
    # Five parts of 30 names each: none lost to a section cut at Slack's 3,000 characters, so
    # "and 370 more" is true.
    assert all(shown.count(f"{n:02d}号") == 5 for n in range(30)), shown
