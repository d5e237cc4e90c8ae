"""A small, hand-made month of claims, follow-ups and collisions whose numbers are worked out by
hand in the tests (and in the comments here), on SQLite and PostgreSQL.

The workspace is in Shanghai (UTC+8) and "now" is Wednesday 2026-11-25 10:00 there, so:
this week starts Monday 11-23 00:00, this month 11-01 00:00 (which is 10-31 16:00 UTC).

Teams: East (manager Mei; members Alice, Bo), South (manager Li; member Carol).

===  =====  =====  ==============  =============  =========  ========  ==========  ===========
id   owner  team   filed (local)   decided        how        channel   stage       status
===  =====  =====  ==============  =============  =========  ========  ==========  ===========
A1   alice  East   11-03 10:00     at filing      auto       referral  proposal    active
A2   alice  East   11-05 09:00     11-05 11:00    approved   referral  contact     active
A3   alice  East   11-10 09:00     11-10 13:00    rejected   website   —           rejected
A4   alice  East   11-24 09:00     —              —          —         —           pending
B1   bo     East   11-01 07:00 *   at filing      auto       website   won         won (11-15)
B2   bo     East   10-31 23:30     at filing      auto       —         contact     active
C1   carol  South  11-06 10:00     11-07 10:00    approved   exhibit.  analysis    released 11-21
I1   alice  —      10-01 (import)  import         import     —         —           active
===  =====  =====  ==============  =============  =========  ========  ==========  ===========

\\* 11-01 07:00 in Shanghai is still 10-31 in UTC: it counts in November, the workspace's month.

Follow-ups: A1 on 11-20; B1 on 11-14 (stage negotiation); B2 on 11-12.
Collisions (challenger): Alice on 11-12, Bo on 11-20, Carol on 10-30.

For the analytics, each claim also has a deal size, a region and an industry (a profile field):

===  ==========  ======  ========
id   deal size   region  industry
===  ==========  ======  ========
A1   100,000     east    finance
A2   50,000      east    retail
A3   30,000      south   —
A4   200,000     —       finance
B1   80,000      east    finance
B2   —           —       —
C1   —           south   retail
===  ==========  ======  ========

and ``seed(db, wins=True)`` adds three more won claims (nothing else counts them):

===  =====  =====  ============  =================  =========  ===========  ======  ======  ========
id   owner  team   filed         won (ended)        how        channel      deal    region  industry
===  =====  =====  ============  =================  =========  ===========  ======  ======  ========
W1   carol  South  11-02 10:00   11-04 10:00 (2 d)  auto       exhibition   10,000  south   —
W2   bo     East   10-20 10:00   11-20 10:00 (31 d) auto       website      500,000 east    —
W3   alice  East   11-08 10:00   11-18 10:00 (10 d) approved   referral     40,000  east    finance
===  =====  =====  ============  =================  =========  ===========  ======  ======  ========
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from store.db import Database
from store.models import Claim, Collision, Customer, FollowUp, Team, TeamMember

WS = "T1"
SHANGHAI = ZoneInfo("Asia/Shanghai")
ALICE, BO, CAROL, MEI, LI, ADA = (
    "U0REP00001",
    "U0REP00002",
    "U0REP00003",
    "U0MANAGER1",
    "U0MANAGER2",
    "U0ADMIN001",
)


def sh(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Shanghai wall-clock time in 2026, as UTC."""
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


NOW = sh(11, 25, 10)


class Month:
    """Ids of what :func:`seed` wrote."""

    east: int
    south: int
    claims: dict[str, int]


async def seed(db: Database, *, wins: bool = False) -> Month:
    """Write the month described in the module docstring (with W1–W3 if ``wins``)."""
    month = Month()
    month.claims = {}
    async with db.session() as session:
        east = Team(workspace_id=WS, name="East", created_at=sh(1, 1))
        south = Team(workspace_id=WS, name="South", created_at=sh(1, 1))
        session.add_all([east, south])
        await session.flush()
        month.east, month.south = east.id, south.id
        for team, user, manager in (
            (east, MEI, True),
            (east, ALICE, False),
            (east, BO, False),
            (south, LI, True),
            (south, CAROL, False),
        ):
            session.add(
                TeamMember(team_id=team.id, user_id=user, is_manager=manager, workspace_id=WS)
            )

        async def claim(
            name: str,
            owner: str,
            team: Team | None,
            filed: datetime,
            *,
            decided: datetime | None = None,
            decision: str | None = None,
            status: str = "active",
            channel: str | None = None,
            stage: str | None = None,
            ended: datetime | None = None,
            via: str = "form",
            deal: int | None = None,
            region: str | None = None,
            industry: str | None = None,
        ) -> Claim:
            customer = Customer(workspace_id=WS, name=name, name_key=name, created_at=filed)
            session.add(customer)
            await session.flush()
            row = Claim(
                workspace_id=WS,
                customer_id=customer.id,
                owner_id=owner,
                team_id=team.id if team else None,
                status=status,
                via=via,
                submission_key=f"k:{name}",
                submitted_at=filed,
                customer_name=name,
                source_channel=channel,
                deal_size=None if deal is None else Decimal(deal),
                region=region,
                profile={} if industry is None else {"industry": industry},
                decided_at=decided,
                decided_by=None if decided is None else "system",
                decision=decision,
                stage=stage,
                last_activity_at=decided,
                protection_until=None,
                ended_at=ended,
            )
            session.add(row)
            await session.flush()
            month.claims[name] = row.id
            return row

        a1 = await claim(
            "A1",
            ALICE,
            east,
            sh(11, 3, 10),
            decided=sh(11, 3, 10),
            decision="auto",
            channel="referral",
            stage="proposal",
            deal=100_000,
            region="east",
            industry="finance",
        )
        await claim(
            "A2",
            ALICE,
            east,
            sh(11, 5, 9),
            decided=sh(11, 5, 11),
            decision="approved",
            channel="referral",
            stage="contact",
            deal=50_000,
            region="east",
            industry="retail",
        )
        await claim(
            "A3",
            ALICE,
            east,
            sh(11, 10, 9),
            decided=sh(11, 10, 13),
            decision="rejected",
            status="rejected",
            channel="website",
            ended=sh(11, 10, 13),
            deal=30_000,
            region="south",
        )
        await claim(
            "A4", ALICE, east, sh(11, 24, 9), status="pending", deal=200_000, industry="finance"
        )
        b1 = await claim(
            "B1",
            BO,
            east,
            sh(11, 1, 7),
            decided=sh(11, 1, 7),
            decision="auto",
            status="won",
            channel="website",
            stage="won",
            ended=sh(11, 15, 9),
            deal=80_000,
            region="east",
            industry="finance",
        )
        b2 = await claim(
            "B2",
            BO,
            east,
            sh(10, 31, 23, 30),
            decided=sh(10, 31, 23, 30),
            decision="auto",
            stage="contact",
        )
        c1 = await claim(
            "C1",
            CAROL,
            south,
            sh(11, 6, 10),
            decided=sh(11, 7, 10),
            decision="approved",
            status="released",
            channel="exhibition",
            stage="analysis",
            ended=sh(11, 21, 10),
            region="south",
            industry="retail",
        )
        await claim(
            "I1", ALICE, None, sh(10, 1, 9), decided=sh(10, 1, 9), decision="import", via="import"
        )
        if wins:
            for name, owner, team, filed, decided, decision, won, channel, deal, region, industry in (
                ("W1", CAROL, south, sh(11, 2, 10), sh(11, 2, 10), "auto", sh(11, 4, 10),
                 "exhibition", 10_000, "south", None),
                ("W2", BO, east, sh(10, 20, 10), sh(10, 20, 10), "auto", sh(11, 20, 10),
                 "website", 500_000, "east", None),
                ("W3", ALICE, east, sh(11, 8, 10), sh(11, 8, 12), "approved", sh(11, 18, 10),
                 "referral", 40_000, "east", "finance"),
            ):  # fmt: skip
                await claim(
                    name, owner, team, filed, decided=decided, decision=decision, status="won",
                    channel=channel, stage="won", ended=won, deal=deal, region=region,
                    industry=industry,
                )  # fmt: skip

        for claim_row, when, stage in (
            (a1, sh(11, 20, 15), None),
            (b1, sh(11, 14, 15), "negotiation"),
            (b2, sh(11, 12, 15), None),
        ):
            session.add(
                FollowUp(
                    workspace_id=WS,
                    claim_id=claim_row.id,
                    author_id=claim_row.owner_id,
                    happened_at=when,
                    method="call",
                    summary="called",
                    stage=stage,
                    created_at=when,
                )
            )
        for challenger, holder, when in (
            (ALICE, c1, sh(11, 12, 9)),
            (BO, a1, sh(11, 20, 9)),
            (CAROL, a1, sh(10, 30, 9)),
        ):
            session.add(
                Collision(
                    workspace_id=WS,
                    customer_id=holder.customer_id,
                    holder_claim_id=holder.id,
                    holder_id=holder.owner_id,
                    challenger_id=challenger,
                    matched_on="name",
                    created_at=when,
                )
            )
    return month
