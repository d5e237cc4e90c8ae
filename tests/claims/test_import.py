"""``claimbot import``: history on day one; bad rows named by line; good rows still load."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cli import main
from store.db import Database
from store.models import Claim, Customer, CustomerKey

CSV = """name,other_name,phone,email,credit_code,owner
北京字节跳动科技有限公司,ByteDance,138 0013 8000,Zhang@ByteDance.com,,U0REP1
ACME Ltd,,12345,,,
有限公司,,,,,
字节跳动(北京)科技,,,,,U0REP3
Acme Robotics Inc,,+1 415 555 0100,bob@acme.com,,U0REP2
,,,,,
"""


def run_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, encoding: str = "utf-8"
) -> tuple[int, str]:
    path = tmp_path / "customers.csv"
    path.write_bytes(text.encode(encoding))
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/claimbot.db")
    monkeypatch.chdir(tmp_path)
    if not (tmp_path / "claimbot.db").exists():
        assert main(["migrate"]) == 0  # import never creates a database of its own
    return main(["import", str(path), "--workspace", "T1"]), str(path)


def counts(tmp_path: Path) -> tuple[int, int, int]:
    async def query() -> tuple[int, int, int]:
        db = Database(f"sqlite+aiosqlite:///{tmp_path}/claimbot.db")
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


def test_importing_the_same_file_twice_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run_import(tmp_path, monkeypatch, CSV)
    before = counts(tmp_path)
    run_import(tmp_path, monkeypatch, CSV)
    assert "0 new, 3 already on record), 0 claims" in capsys.readouterr().out
    assert counts(tmp_path) == before


def test_a_chinese_excel_export_in_gb18030_reads_correctly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = run_import(
        tmp_path, monkeypatch, "name,phone\n上海飞鸿贸易有限公司,021-6888 8888\n", "gb18030"
    )
    assert code == 0
    assert "1 customers loaded (1 new" in capsys.readouterr().out


def test_a_file_without_a_name_column_loads_nothing_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = run_import(tmp_path, monkeypatch, "company,phone\nACME,123\n")
    assert code == 1
    assert "line 1: the header must have a 'name' column" in capsys.readouterr().out


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
