"""The Home and the stats answer as Slack would take them: within the block limits whatever the
data, valid Block Kit in both languages, "—" where there is nothing to count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from bot.approvals.case import ApprovalCase, Question
from bot.approvals.outcome import PendingPage
from bot.claims.approval import ApprovalRule
from bot.fakeslack.validation import validate_message, validate_view
from bot.home.model import ClaimLine, HomeModel, Page
from bot.home.state import HomeState
from bot.i18n import LANGS, Lang, Translator
from bot.ids import HomeSection
from bot.metrics.definitions import ChannelRow, Metrics, Ratio
from bot.metrics.periods import Period, Window
from bot.metrics.service import Report, Row, Scope, ScopeKind
from bot.rules import Rules
from cards.approval import decided_notice
from cards.blocks import section
from cards.home import fit, home_view
from cards.metrics import duration, percent, stats_message
from store.home import PendingClaim
from store.models import ClaimStatus, Role

NOW = datetime(2026, 11, 25, 2, tzinfo=UTC)
LONG = "上海艾克美机器人有限公司" * 12  # far longer than anyone types, clipped on the cards


def line(n: int, owner: str = "U0REP00001") -> ClaimLine:
    return ClaimLine(
        claim_id=n,
        owner_id=owner,
        customer_name=f"{LONG} {n}",
        stage="proposal",
        protection_until=NOW + timedelta(days=30),
        last_followup_at=NOW - timedelta(days=9) if n % 2 else None,
        reclaim_at=NOW + timedelta(days=n % 5),
        overdue=n % 3 == 0,
        reclaim_soon=n % 3 == 1,
        idle_days=9,
    )


def case(n: int) -> ApprovalCase:
    return ApprovalCase(
        claim_id=1000 + n,
        owner_id="U0REP00002",
        customer_name=f"{LONG} {n}",
        submitted_at=NOW,
        status=ClaimStatus.PENDING,
        rules=tuple(ApprovalRule),
        contact_name="张三" * 30,
        phone="+8613800138000",
        email="zhang@example.com",
        deal_size=Decimal(5_000_000),
        questions=(Question(1, "U0MANAGER1", NOW, "Who?" * 200),),
    )


def busy() -> Metrics:
    return Metrics(
        filed=120, approved=90, auto_approved=60, rejected=10, pending=20,
        avg_approval_seconds=5400, p90_approval_seconds=3 * 86400, collisions=12,
        advanced=40, won=9, protected=200, followed_up=150,
    )  # fmt: skip


def big_report(kind: ScopeKind) -> Report:
    rows = tuple(
        Row(key=f"U0REP{n:05d}" if kind is ScopeKind.TEAMS else n, metrics=busy(), name=LONG)
        for n in range(300)
    )
    channels = (
        *(ChannelRow(f"channel-{n}", 10, 8, 3, Ratio(10, 120)) for n in range(40)),
        ChannelRow(None, 1, 0, 0, Ratio(1, 120)),
    )
    return Report(
        scope=Scope(kind, "U0MANAGER1", (1, 2), ("East" * 20, "South")),
        period=Period.QUARTER,
        window=Window(NOW - timedelta(days=89), NOW + timedelta(days=1)),
        totals=busy(),
        rows=rows,
        channels=channels,
    )


def biggest_home(role: Role, kind: ScopeKind) -> HomeModel:
    return HomeModel(
        user_id="U0MANAGER1",
        role=role,
        scope=Scope(kind, "U0MANAGER1", (1,), ("East",)),
        state=HomeState(Period.QUARTER, {HomeSection.ATTENTION: 10}),
        now=NOW,
        mine=Page(tuple(line(n) for n in range(8)), 500, 8, 8),
        pending=Page(tuple(PendingClaim(n, f"{LONG} {n}", NOW) for n in range(8)), 300),
        decisions=PendingPage(tuple(case(n) for n in range(5)), 900, 5, True),
        attention=Page(tuple(line(n) for n in range(10)), 4000, 10, 10),
        report=big_report(kind),
    )


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    ("role", "kind"), [(Role.ADMIN, ScopeKind.ALL), (Role.MANAGER, ScopeKind.TEAMS)]
)
def test_the_biggest_home_fits_and_is_valid(lang: Lang, role: Role, kind: ScopeKind) -> None:
    view = home_view(
        biggest_home(role, kind), Translator(lang), Rules(), notice="Nothing changed." * 50
    ).to_dict()
    assert len(view["blocks"]) <= 100
    assert validate_view(view, surface="home") == []
    assert HomeState.load(view["private_metadata"]).offset(HomeSection.ATTENTION) == 10


@pytest.mark.parametrize("lang", LANGS)
def test_a_reps_home_with_nothing_yet(lang: Lang) -> None:
    model = HomeModel(
        user_id="U0REP00001",
        role=Role.REP,
        scope=Scope(ScopeKind.OWN, "U0REP00001"),
        state=HomeState(),
        now=NOW,
        mine=Page((), 0),
        pending=Page((), 0),
        my_month=Metrics(),
    )
    view = home_view(model, Translator(lang), Rules()).to_dict()
    assert validate_view(view, surface="home") == []
    text = str(view["blocks"])
    assert "home_new_claim" in text and "home_page_next" not in text


def test_fit_cuts_at_100_and_says_so() -> None:
    blocks = fit([section(str(n)) for n in range(150)], Translator("en"))
    assert len(blocks) == 100
    assert "shortened" in str(blocks[-1].to_dict())


@pytest.mark.parametrize("lang", LANGS)
def test_the_stats_answer_fits_a_message(lang: Lang) -> None:
    for kind in ScopeKind:
        text, blocks = stats_message(
            big_report(kind), Rules(), Translator(lang), chart_note="chart"
        )
        message = {"text": text, "blocks": [b.to_dict() for b in blocks]}
        assert validate_message(message) == []
        assert len(blocks) <= 50


def test_nothing_to_count_is_a_dash() -> None:
    tr = Translator("en")
    assert percent(Ratio(0, 0)) == "—" and percent(Ratio(0, 4)) == "0%"
    assert percent(Ratio(3, 2)) == "150%"
    assert duration(None, tr) == "—"
    assert duration(0, tr) == "under a minute"
    assert duration(1800, tr) == "30 min"
    assert duration(5400, tr) == "1.5 h"
    assert duration(3 * 86400, tr) == "3.0 days"


@pytest.mark.parametrize("lang", LANGS)
def test_an_approved_claim_dm_offers_its_buttons(lang: Lang) -> None:
    payload = {
        "claim_id": 42,
        "customer_name": "ACME",
        "decision": "approved",
        "decided_by": "U0MANAGER1",
        "decided_at": NOW.isoformat(),
        "protection_until": (NOW + timedelta(days=90)).isoformat(),
    }
    _, blocks = decided_notice(payload, Translator(lang))
    actions = [b.to_dict() for b in blocks if b.type == "actions"]
    assert [(e["action_id"], e["value"]) for a in actions for e in a["elements"]] == [
        ("followup_log", "42"),
        ("extension_request", "42"),
        ("claim_edit", "42"),
    ]
    _, rejected = decided_notice(payload | {"decision": "rejected"}, Translator(lang))
    rejected_actions = [b.to_dict() for b in rejected if b.type == "actions"]
    assert [e["action_id"] for a in rejected_actions for e in a["elements"]] == ["claim_resubmit"]


def test_home_state_survives_the_round_trip_and_garbage() -> None:
    state = HomeState(Period.WEEK).paged(HomeSection.MINE, 16).paged(HomeSection.DECISIONS, 5)
    assert HomeState.load(state.dump()) == state
    assert len(state.dump()) < 100
    for garbage in (None, "", "[]", "{", '{"p": "year", "o": {"mine": "x", "evil": 3}}'):
        assert HomeState.load(garbage) == HomeState()
    assert HomeState().paged(HomeSection.MINE, -5).offset(HomeSection.MINE) == 0
