"""``claimbot import``: history on day one; bad rows named by line; good rows still load."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cli import main
from bot.rules import ProtectionRules
from store.db import Database
from store.models import Base, Claim, Customer, CustomerKey
from tests.databases import fresh_postgres_database, sqlite_url

CSV = """name,other_name,phone,email,credit_code,owner
北京字节跳动科技有限公司,ByteDance,138 0013 8000,Zhang@ByteDance.com,,U0REP1
ACME Ltd,,12345,,,
有限公司,,,,,
字节跳动(北京)科技,,,,,U0REP3
Acme Robotics Inc,,+1 415 555 0100,bob@acme.com,,U0REP2
,,,,,
"""


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """A migrated database (import never creates one of its own), as DATABASE_URL."""
    if request.param == "sqlite":
        yield from _migrated(sqlite_url(tmp_path), monkeypatch, tmp_path)
        return
    # One loop of its own holds the server's context open while the CLI runs its own loops.
    loop = asyncio.new_event_loop()
    server = fresh_postgres_database()
    try:
        url = loop.run_until_complete(server.__aenter__())
        yield from _migrated(url, monkeypatch, tmp_path)
        loop.run_until_complete(server.__aexit__(None, None, None))
    finally:
        loop.close()


def _migrated(url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    assert main(["migrate"]) == 0
    yield url


def run_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, encoding: str = "utf-8"
) -> tuple[int, str]:
    path = tmp_path / "customers.csv"
    path.write_bytes(text.encode(encoding))
    return main(["import", str(path), "--workspace", "T1"]), str(path)


def counts(tmp_path: Path) -> tuple[int, int, int]:
    async def query() -> tuple[int, int, int]:
        db = Database(os.environ["DATABASE_URL"])
        try:
            async with db.session() as session:
                return (
                    int(await session.scalar(select(func.count(Customer.id))) or 0),
                    int(await session.scalar(select(func.count(Claim.id))) or 0),
                    int(await session.scalar(select(func.count(CustomerKey.id))) or 0),
                )
        finally:
            await db.dispose()

    return asyncio.run(query())


@pytest.mark.usefixtures("database")
def test_good_rows_load_and_bad_ones_are_reported_by_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = run_import(tmp_path, monkeypatch, CSV)
    out = capsys.readouterr().out
    assert code == 0
    assert "3 customers loaded (2 new, 1 already on record), 2 claims" in out
    assert "line 3: phone:" in out
    assert "line 4: name:" in out
    assert "line 5: owner: the customer is already held by U0REP1" in out
    assert "line 7" not in out, "a blank row is skipped silently"
    customers, claims, _ = counts(tmp_path)
    assert (customers, claims) == (2, 2)


@pytest.mark.usefixtures("database")
def test_importing_the_same_file_twice_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run_import(tmp_path, monkeypatch, CSV)
    before = counts(tmp_path)
    run_import(tmp_path, monkeypatch, CSV)
    assert "0 new, 3 already on record), 0 claims" in capsys.readouterr().out
    assert counts(tmp_path) == before


@pytest.mark.usefixtures("database")
def test_a_chinese_excel_export_in_gb18030_reads_correctly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = run_import(
        tmp_path, monkeypatch, "name,phone\n上海飞鸿贸易有限公司,021-6888 8888\n", "gb18030"
    )
    assert code == 0
    assert "1 customers loaded (1 new" in capsys.readouterr().out


@pytest.mark.usefixtures("database")
def test_a_file_without_a_name_column_loads_nothing_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = run_import(tmp_path, monkeypatch, "company,phone\nACME,123\n")
    assert code == 1
    assert "line 1: the header must have a 'name' column" in capsys.readouterr().out


@pytest.mark.usefixtures("database")
def test_one_name_under_two_valid_credit_codes_loads_two_customers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = (
        "name,credit_code\n"
        "北京字节跳动科技有限公司,91110108551385082Q\n"
        "上海字节跳动科技有限公司,91310000MA1FL0000N\n"  # the same key, another legal entity
        "字节跳动(北京)科技,91110108551385082Q\n"  # the first again
    )
    code, _ = run_import(tmp_path, monkeypatch, rows)
    assert code == 0
    assert "3 customers loaded (2 new, 1 already on record)" in capsys.readouterr().out
    assert counts(tmp_path)[0] == 2


@pytest.mark.usefixtures("database")
def test_a_shared_email_domain_is_stored_but_never_merges_two_customers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = (
        "name,email\n"
        "北京飞海科技有限公司,wang@feihai.cn\n"
        "上海星河贸易有限公司,li@feihai.cn\n"  # one group's domain, another company
    )
    code, _ = run_import(tmp_path, monkeypatch, rows)
    assert code == 0
    assert "2 customers loaded (2 new, 0 already on record)" in capsys.readouterr().out
    assert counts(tmp_path)[0] == 2
    assert table_counts()["customer_keys"] == 2 * 3  # name, e-mail and domain of each


def table_counts() -> dict[str, int]:
    """Rows in every table of the schema."""

    async def query() -> dict[str, int]:
        db = Database(os.environ["DATABASE_URL"])
        try:
            async with db.session() as session:
                return {
                    table.name: int(
                        await session.scalar(select(func.count()).select_from(table)) or 0
                    )
                    for table in Base.metadata.sorted_tables
                }
        finally:
            await db.dispose()

    return asyncio.run(query())


def imported_claims() -> dict[str, Claim]:
    async def query() -> dict[str, Claim]:
        db = Database(os.environ["DATABASE_URL"])
        try:
            async with db.session() as session:
                return {c.customer_name: c for c in await session.scalars(select(Claim))}
        finally:
            await db.dispose()

    return asyncio.run(query())


def customer_rows() -> dict[str, Customer]:
    async def query() -> dict[str, Customer]:
        db = Database(os.environ["DATABASE_URL"])
        try:
            async with db.session() as session:
                return {c.name: c for c in await session.scalars(select(Customer))}
        finally:
            await db.dispose()

    return asyncio.run(query())


@pytest.mark.usefixtures("database")
def test_importing_the_same_file_twice_adds_no_row_to_any_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run_import(tmp_path, monkeypatch, CSV)
    before = table_counts()
    assert before["audit_events"] == 4, "2 customers and 2 claims audited"
    run_import(tmp_path, monkeypatch, CSV)
    assert table_counts() == before, "audit events included"


@pytest.mark.usefixtures("database")
def test_claimed_at_and_last_followup_set_the_clocks_as_an_approval_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    today = datetime.now(UTC).date()
    claimed = today - timedelta(days=30)
    followed = today - timedelta(days=2)
    lapsed = today - timedelta(days=400)
    rows = (
        "name,owner,claimed_at,last_followup\n"
        f"上海飞鸿贸易有限公司,U0REP1,{claimed:%Y/%m/%d},{followed.isoformat()} 15:30\n"
        "深圳云帆科技有限公司,U0REP2,,\n"
        f"广州长风物流有限公司,U0REP3,{lapsed.isoformat()},\n"
        f"杭州未来智能有限公司,U0REP4,{today + timedelta(days=3)},\n"
        f"成都蜀道餐饮有限公司,U0REP5,{claimed},{lapsed}\n"
    )
    code, _ = run_import(tmp_path, monkeypatch, rows)
    out = capsys.readouterr().out
    assert code == 0
    assert "line 5: claimed_at:" in out and "is in the future" in out
    assert "line 6: last_followup: before claimed_at" in out
    assert "1 imported claims are already past their reclaim date" in out
    days = ProtectionRules().days
    claims = imported_claims()
    feihong = claims["上海飞鸿贸易有限公司"]
    start = datetime(claimed.year, claimed.month, claimed.day, tzinfo=UTC)
    # Asia/Shanghai (the default rules' zone) is UTC+8: local midnight is 16:00 the day before.
    assert _utc(feihong.decided_at) == start - timedelta(hours=8)
    assert _utc(feihong.protection_until) == start - timedelta(hours=8) + timedelta(days=days)
    assert _utc(feihong.last_activity_at).date() == followed
    fresh = claims["深圳云帆科技有限公司"]
    assert fresh.decided_at == fresh.last_activity_at
    assert _utc(fresh.protection_until) - _utc(fresh.decided_at) == timedelta(days=days)
    assert _utc(fresh.decided_at).date() >= today - timedelta(days=1)


def _utc(moment: datetime | None) -> datetime:
    assert moment is not None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@pytest.mark.usefixtures("database")
def test_email_region_and_other_name_are_kept_on_the_claim_and_the_customer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = (
        "name,other_name,email,region,phone,owner\n"
        "北京字节跳动科技有限公司,ByteDance,Zhang.Wei@ByteDance.com,华北,010-5820 1234,U0REP1\n"
    )
    assert run_import(tmp_path, monkeypatch, rows)[0] == 0
    claim = imported_claims()["北京字节跳动科技有限公司"]
    assert (claim.email, claim.region, claim.other_name) == (
        "Zhang.Wei@bytedance.com",  # the domain in lower case, as the form keeps it
        "华北",
        "ByteDance",
    )
    customer = customer_rows()["北京字节跳动科技有限公司"]
    assert (customer.region, customer.other_name) == ("华北", "ByteDance")


TAIWAN = (
    "name,phone\n"
    "台灣積體電路製造股份有限公司,+886 3 563 6688\n"
    "鴻海精密工業股份有限公司,+886 2 2268 3466\n"
    "聯發科技股份有限公司,+886 3 567 0766\n"
)


@pytest.mark.parametrize(
    ("text", "encoding", "read_as"),
    [
        (TAIWAN, "big5", "big5"),
        (TAIWAN, "utf-16", "utf-16"),  # Python writes the BOM
        (TAIWAN, "utf-8-sig", "utf-8"),
        (TAIWAN, "utf-8", "utf-8"),
        (
            "name,phone\n上海飞鸿贸易有限公司,021-6888 8888\n北京字节跳动科技有限公司,010-1234 5678\n",
            "gb18030",
            "gb18030",
        ),
    ],
)
@pytest.mark.usefixtures("database")
def test_each_supported_encoding_loads_the_names_exactly(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    text: str,
    encoding: str,
    read_as: str,
) -> None:
    code, _ = run_import(tmp_path, monkeypatch, text, encoding)
    assert code == 0
    assert f"rows read ({read_as})" in capsys.readouterr().out
    expected = {line.split(",")[0] for line in text.splitlines()[1:]}
    assert set(customer_rows()) == expected, "no mojibake"


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("name\nMüller Gärtnerei GmbH\nCafé Crème SARL\n", "latin-1"),
        (
            "name,phone\n株式会社ソニー,03-1234-5678\nトヨタ自動車株式会社,0565-28-2121\n",
            "shift_jis",
        ),
        ("name\n삼성전자 주식회사\nLG전자 주식회사\n", "euc-kr"),
    ],
)
@pytest.mark.usefixtures("database")
def test_any_other_encoding_is_refused_in_one_sentence_and_loads_nothing(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    text: str,
    encoding: str,
) -> None:
    code, path = run_import(tmp_path, monkeypatch, text, encoding)
    err = capsys.readouterr().err
    assert code != 0
    assert f"{path} is not in UTF-8, UTF-16, GB18030 or Big5: save it again as UTF-8 CSV." in err
    assert "Traceback" not in err
    assert customer_rows() == {}


@pytest.mark.usefixtures("database")
def test_the_summary_counts_rows_read_and_no_bar_is_drawn_off_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run_import(tmp_path, monkeypatch, CSV)
    captured = capsys.readouterr()
    assert captured.out.startswith("5 rows read (utf-8). 3 customers loaded")
    assert "rows/s" not in captured.err


@pytest.mark.usefixtures("database")
def test_on_a_terminal_a_bar_shows_rows_per_second(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    run_import(tmp_path, monkeypatch, CSV)
    err = capsys.readouterr().err
    assert "import: 5 rows [" in err and "rows/s]" in err
