"""The playground's workspace: its people, channels and rules, and the customers it starts with.

People and channels live in the fake Slack (users.info answers for them); roles, the team and the
channels Claimbot posts to are ordinary rules, as a ``claimbot.yaml`` would set them; customers go
in through the importer ``claimbot import`` uses, a few of them far enough in the past that the
first sweep hands them to the public pool.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import time, timedelta
from pathlib import Path

from bot.claims.importer import CustomerImporter
from bot.fakeslack.server import FakeSlack
from bot.rules import ChannelRules, DeliveryRules, DigestRules, Rules, TeamRules


@dataclass(frozen=True)
class Person:
    """Someone the page can act as."""

    user_id: str
    name: str
    real_name: str
    locale: str
    tz: str
    tz_offset: int
    role: str  # rep | manager | admin | partner (shown on the page; the rules make it so)
    guest: bool = False


@dataclass(frozen=True)
class Channel:
    """A channel of the workspace and who is in it."""

    channel_id: str
    name: str
    members: tuple[str, ...]


WANG, LI, ZHAO, EMMA, ADAM, CHEN = (
    "U0PGWANG01",
    "U0PGLIQI02",
    "U0PGZHAO03",
    "U0PGEMMA04",
    "U0PGADAM05",
    "U0PGCHEN06",
)
PEOPLE = (
    Person(WANG, "wang.fang", "王芳", "zh-CN", "Asia/Shanghai", 28800, "rep"),
    Person(LI, "li.qiang", "李强", "zh-CN", "Asia/Shanghai", 28800, "rep"),
    Person(ZHAO, "zhao.min", "赵敏", "zh-CN", "Asia/Shanghai", 28800, "manager"),
    Person(EMMA, "emma", "Emma Clark", "en-US", "Asia/Singapore", 28800, "rep"),
    Person(ADAM, "adam", "Adam Hughes", "en-US", "Europe/London", 0, "admin"),
    Person(CHEN, "chen.li", "陈立（渠道）", "zh-CN", "Asia/Shanghai", 28800, "partner", guest=True),
)
SALES, APPROVALS, POOL = "C0PGSALES1", "C0PGAPPRV1", "C0PGPOOL01"
CHANNELS = (
    Channel(SALES, "sales", (WANG, LI, ZHAO, EMMA, ADAM)),
    Channel(APPROVALS, "claim-approvals", (ZHAO, ADAM)),
    Channel(POOL, "claim-pool", (WANG, LI, ZHAO, EMMA, ADAM)),
)
TEAM = "华东销售"
TEAM_WORKSPACE = "T1"  # the fake Slack's workspace id


def rules() -> Rules:
    """The playground's rules: the defaults, plus its team, roles and channels.

    Notices are delivered at any hour on any day: people try the playground in the evening and
    at weekends, and a DM held for Monday morning would look like a bug.
    """
    return Rules(
        admins=[ADAM],
        partners=[CHEN],
        teams=[
            TeamRules(
                name=TEAM,
                region="east",
                managers=[ZHAO],
                members=[WANG, LI, EMMA, CHEN],
                # The team's digest goes to #sales: each move of the clock to a new day posts it.
                channel=SALES,
            )
        ],
        channels=ChannelRules(approvals=APPROVALS, pool=POOL),
        delivery=DeliveryRules(
            working_hours_start=time(0, 0),
            working_hours_end=time(23, 59, 59),
            working_days=[1, 2, 3, 4, 5, 6, 7],
        ),
        # Likewise the team's digest: on the first sweep of each day, whatever the hour.
        digest=DigestRules(time=time(0, 0)),
    )


def add_people(fake: FakeSlack) -> None:
    """Register every person with the fake Slack (users.info, locale and time zone)."""
    for p in PEOPLE:
        fake.add_user(
            p.user_id,
            name=p.name,
            real_name=p.real_name,
            locale=p.locale,
            tz=p.tz,
            tz_offset=p.tz_offset,
            is_restricted=p.guest,
        )


# (name, other name, phone, email, region, owner). Owners hold them; the others are known
# customers nobody holds, so a claim on them is approved and a variant spelling of a held one
# collides.
CUSTOMERS: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("上海云帆信息科技有限公司", "Shanghai Yunfan IT", "13816620001", "", "east", WANG),
    ("杭州青禾生物科技有限公司", "", "13906710002", "", "east", WANG),
    ("苏州恒瑞精密机械有限公司", "", "13771930003", "", "east", WANG),
    ("南京金陵数据服务有限公司", "", "13905170004", "", "east", LI),
    ("宁波海港物流集团有限公司", "Ningbo Harbour Logistics", "13805740005", "", "east", LI),
    ("无锡新能光伏科技股份有限公司", "", "13961880006", "", "east", LI),
    ("北京星河互联网络技术有限公司", "", "13801010007", "", "north", ZHAO),
    ("Northwind Trading Pte. Ltd.", "", "+6562230008", "buy@northwind.example", "overseas", EMMA),
    ("Blue Harbor Foods Ltd", "蓝港食品", "+85221230009", "", "overseas", EMMA),
    ("深圳前海智联科技有限公司", "", "13823750010", "", "south", CHEN),
    ("广州天河美居家具有限公司", "", "13802400011", "", "south", ""),
    ("成都锦城文旅发展有限公司", "", "13908180012", "", "southwest", ""),
    ("武汉光谷生物医药有限公司", "", "13907120013", "", "central", ""),
    ("西安秦川汽车配件有限公司", "", "13909190014", "", "northwest", ""),
    ("沈阳北方重工装备有限公司", "", "13904020015", "", "northeast", ""),
    ("厦门鹭岛茶业有限公司", "", "13906000016", "", "south", ""),
    ("青岛海湾啤酒销售有限公司", "", "13905320017", "", "north", ""),
    ("合肥科大讯云软件有限公司", "", "13905510018", "", "east", ""),
    ("天津滨海港务服务有限公司", "", "13902020019", "", "north", ""),
    ("长沙湘江教育科技有限公司", "", "13907310020", "", "central", ""),
    ("重庆山城火锅连锁管理有限公司", "", "13908230021", "", "southwest", ""),
    ("昆明彩云之南旅游有限公司", "", "13908710022", "", "southwest", ""),
    ("郑州中原粮油贸易有限公司", "", "13903710023", "", "central", ""),
    ("济南泉城医疗器械有限公司", "", "13905310024", "", "north", ""),
    ("福州闽江电子商务有限公司", "", "13906910025", "", "south", ""),
    ("Acme Robotics GmbH", "", "+49301230026", "sales@acme-robotics.example", "overseas", ""),
    ("Lotus Garden Hotels Sdn Bhd", "", "+60321230027", "", "overseas", ""),
    ("大连东港船舶设备有限公司", "", "13909840028", "", "northeast", ""),
    ("南昌赣江新材料有限公司", "", "13907910029", "", "central", ""),
    ("温州瓯越鞋业有限公司", "", "13905770030", "", "east", ""),
)
# Claimed long ago and never followed up: the first sweep reclaims them into the public pool.
IDLE_CUSTOMERS: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("常州龙城纺织印染有限公司", "", "13915190031", "", "east", LI),
    ("嘉兴南湖电器有限公司", "", "13905730032", "", "east", WANG),
    ("Harbourfront Design Studio Ltd", "", "+85223450033", "", "overseas", EMMA),
)
IDLE_FOR = timedelta(days=16)
RECENT = timedelta(days=2)


def customers_csv(rows: tuple[tuple[str, str, str, str, str, str], ...]) -> str:
    """The rows as the CSV ``claimbot import`` reads."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "other_name", "phone", "email", "region", "owner"])
    writer.writerows(rows)
    return out.getvalue()


async def import_customers(
    importer: CustomerImporter,
    workspace_id: str,
    folder: Path,
    name: str,
    rows: tuple[tuple[str, str, str, str, str, str], ...],
) -> None:
    """Load ``rows`` through the importer, from a CSV file written next to the database."""
    path = folder / f"{name}.csv"
    path.write_text(customers_csv(rows), encoding="utf-8")
    try:
        report = await importer.load(path, workspace_id)
    finally:
        path.unlink(missing_ok=True)
    if report.problems:
        raise RuntimeError(f"the playground's own customers did not import: {report.problems}")
