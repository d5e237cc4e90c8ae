"""Every notice kind has exactly one card, and every card renders a kind the bot sends."""

from __future__ import annotations

from bot.notify.kinds import NoticeKind
from cards.registry import known_kinds


def test_every_kind_has_a_card_and_every_card_a_kind() -> None:
    assert known_kinds() == set(NoticeKind)
