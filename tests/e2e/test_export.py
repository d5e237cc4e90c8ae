"""The export: ``claimbot export`` from the command line (as tests/claims/test_import.py runs
``claimbot import``) and ``/claim export`` in Slack, whose .zip reaches the caller's DM through the
fake Slack's upload endpoints. What a CRM team would check: the byte-order mark Excel needs,
Chinese text intact, the columns, ``--since``, and who may export what."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.claims.draft import ClaimDraft
from bot.cli import main
from bot.clock import FixedClock
from bot.export import AUDIT_HEADER, CLAIM_HEADER, FOLLOWUP_HEADER
from bot.lifecycle.followup_form import FollowUpEntry, Method
from bot.rules import Rules
from bot.runtime import Runtime
from bot.settings import Settings
from store.migrate import upgrade
from tests.e2e.approvals_support import start
from tests.e2e.conftest import ADA, ALICE, BO, CAROL, MEI, BotFactory

BOM = b"\xef\xbb\xbf"
EARLY = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
LATE = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def rows(data: bytes) -> list[dict[str, str]]:
    """A CSV file as Excel reads it: it must start with the BOM, then UTF-8."""
    assert data.startswith(BOM), "Excel needs the byte-order mark to read UTF-8"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def header(data: bytes) -> list[str]:
    return next(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


async def populate(database_url: str) -> None:
    """Alice's claim filed on 2 November and followed up; Bo's filed on 20 November."""
    clock = FixedClock(EARLY)
    rt = Runtime.create(Settings(database_url=database_url), Rules(), clock=clock)
    await upgrade(rt.db)
    try:
        filed = await rt.claims.submit(
            workspace_id="T1",
            filer=await rt.directory.filer("T1", rt.people.default_profile(ALICE)),
            draft=ClaimDraft(
                customer_name="北京字节跳动科技有限公司",
                contact_name="张三",
                phone="+8613800138000",
                need_summary='=HYPERLINK("http://evil")',
                profile={"industry": "finance", "tags": ["vip"]},
            ),
            submission_key="a",
        )
        assert filed.claim_id is not None
        await rt.lifecycle.followups.log(
            "T1",
            ALICE,
            filed.claim_id,
            FollowUpEntry(
                happened_at=EARLY,
                method=Method.VISIT,
                summary="拜访了采购部，对方对价格满意",
                next_step="发送报价单",
                next_step_on=None,
                stage="proposal",
            ),
        )
        clock.set(LATE)
        await rt.claims.submit(
            workspace_id="T1",
            filer=await rt.directory.filer("T1", rt.people.default_profile(BO)),
            draft=ClaimDraft(customer_name="上海艾克美机器人有限公司", phone="+862155550101"),
            submission_key="b",
        )
    finally:
        await rt.close()


@pytest.fixture
def exported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A populated SQLite database, the working directory set to ``tmp_path``."""
    url = f"sqlite+aiosqlite:///{tmp_path}/claimbot.db"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    asyncio.run(populate(url))
    return tmp_path


def test_the_cli_writes_three_csv_files_in_a_zip_that_excel_reads(
    exported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "--workspace", "T1"]) == 0
    out = capsys.readouterr().out
    assert "2 claims, 1 follow-ups and 5 audit events written to claimbot-export-T1-" in out
    [archive] = list(exported.glob("claimbot-export-T1-*.zip"))
    with zipfile.ZipFile(archive) as zipped:
        assert sorted(zipped.namelist()) == ["audit.csv", "claims.csv", "followups.csv"]
        claims = zipped.read("claims.csv")
        followups = zipped.read("followups.csv")
        events = zipped.read("audit.csv")
    assert header(claims) == list(CLAIM_HEADER)
    assert header(followups) == list(FOLLOWUP_HEADER)
    assert header(events) == list(AUDIT_HEADER)
    alice, bo = rows(claims)
    assert (alice["customer_name"], alice["contact_name"]) == ("北京字节跳动科技有限公司", "张三")
    assert alice["owner_id"] == ALICE and alice["status"] == "active"
    assert alice["phone"] == "+8613800138000", "a phone number stays as it is"
    assert alice["need_summary"].startswith("'="), "a formula is made inert for Excel"
    assert alice["stage"] == "proposal" and alice["submitted_at"] == EARLY.isoformat()
    assert json.loads(alice["profile"]) == {"industry": "finance", "tags": ["vip"]}
    assert bo["customer_name"] == "上海艾克美机器人有限公司" and bo["profile"] == "{}"
    [visit] = rows(followups)
    assert visit["summary"] == "拜访了采购部，对方对价格满意" and visit["method"] == "visit"
    assert visit["customer_name"] == "北京字节跳动科技有限公司"
    trail = rows(events)
    assert [e["action"] for e in trail] == [
        "claim.filed",
        "claim.approved",
        "claim.followed_up",
        "claim.filed",
        "claim.approved",
    ]
    assert json.loads(trail[0]["data"])["customer_name"] == "北京字节跳动科技有限公司"
    assert "北京字节跳动" in trail[0]["data"], "JSON keeps Chinese readable, not \\u-escaped"


def test_since_keeps_what_changed_since_and_out_may_name_a_directory_or_a_csv_file(
    exported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = exported / "crm"
    assert (
        main(["export", "--workspace", "T1", "--since", "2026-11-10", "--out", f"{target}/"]) == 0
    )
    assert "1 claims, 0 follow-ups and 2 audit events" in capsys.readouterr().out
    assert sorted(p.name for p in target.iterdir()) == ["audit.csv", "claims.csv", "followups.csv"]
    [only] = rows((target / "claims.csv").read_bytes())
    assert only["owner_id"] == BO
    assert rows((target / "followups.csv").read_bytes()) == []
    assert {e["claim_id"] for e in rows((target / "audit.csv").read_bytes())} == {only["claim_id"]}

    assert main(["export", "--workspace", "T1", "--out", "claims.csv"]) == 0
    assert "written to claims.csv" in capsys.readouterr().out
    assert len(rows((exported / "claims.csv").read_bytes())) == 2
    assert len(rows((exported / "claims-followups.csv").read_bytes())) == 1
    assert len(rows((exported / "claims-audit.csv").read_bytes())) == 5

    assert main(["export", "--workspace", "T1", "--since", "last week"]) == 2
    assert "--since must be an ISO-8601 date" in capsys.readouterr().err
    assert main(["export", "--workspace", "T1", "--out", str(exported / "no" / "such.zip")]) == 2


async def test_claim_export_uploads_a_zip_to_the_callers_dm_for_their_teams_only(
    bot_factory: BotFactory,
) -> None:
    bot = await start(bot_factory)
    for user, name, phone in (
        (ALICE, "北京字节跳动科技有限公司", "138 0013 8000"),
        (CAROL, "深圳华强电子有限公司", "136 0013 6000"),
    ):
        answer = await bot.file_claim(
            {"customer_name": name, "contact_name": "张三", "phone": phone, "need_summary": "CRM"},
            user=user,
        )
        assert "The customer is yours" in json.dumps(answer, ensure_ascii=False)

    refused = await bot.command("export", user=BO)
    assert "只有主管" in refused.json()["text"]
    assert "is not a date" in (await bot.command("export yesterday", user=ADA)).json()["text"]
    assert bot.fake.uploads == {}

    started = await bot.command("export", user=MEI)
    assert "正在生成导出文件" in started.json()["text"]
    await bot.fake.wait_for("files.completeUploadExternal")
    [upload] = bot.fake.uploads.values()
    assert upload.completed and upload.channel_id == bot.fake.dm_channel(MEI)
    assert upload.filename.startswith("claimbot-export-T1-") and upload.filename.endswith(".zip")
    assert "1 条报备" in (upload.initial_comment or "")
    assert upload.data is not None
    with zipfile.ZipFile(io.BytesIO(upload.data)) as zipped:
        claims = rows(zipped.read("claims.csv"))
        events = rows(zipped.read("audit.csv"))
    assert [c["customer_name"] for c in claims] == ["北京字节跳动科技有限公司"], "East's only"
    assert {e["claim_id"] for e in events} == {claims[0]["claim_id"]}

    bot.clock.advance(timedelta(days=1))
    await bot.command(
        f"export {(bot.clock.now() - timedelta(days=7)).date().isoformat()}", user=ADA
    )
    await bot.fake.wait_for("files.completeUploadExternal", count=2)
    everything = [u for u in bot.fake.uploads.values() if u.channel_id == bot.fake.dm_channel(ADA)]
    assert len(everything) == 1 and everything[0].data is not None
    with zipfile.ZipFile(io.BytesIO(everything[0].data)) as zipped:
        names = {c["customer_name"] for c in rows(zipped.read("claims.csv"))}
    assert names == {"北京字节跳动科技有限公司", "深圳华强电子有限公司"}
    assert "Since" in (everything[0].initial_comment or "")
