"""Benchmark of ``claimbot import`` on a large customer list.

    python -m benchmarks.bench_import                 # 100,000 rows
    python -m benchmarks.bench_import --rows 5000     # quick mode

Writes a CSV of ``--rows`` synthetic companies (``benchmarks/synthetic.py`` names; a phone on
every row, an e-mail on every third, an owner, claimed_at and last_followup on every fifth),
migrates a fresh SQLite database in a temporary folder and times ``claimbot import`` on it as an
operator runs it (a separate process), then prints rows per second.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.synthetic import company_names


def write_csv(path: Path, rows: int) -> None:
    now = datetime.now(UTC)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(
            ["name", "phone", "email", "region", "owner", "claimed_at", "last_followup"]
        )
        for i, name in enumerate(company_names(rows, seed=11)):
            claimed = i % 5 == 0
            writer.writerow(
                [
                    name,
                    f"+86 138 {i // 10000:04d} {i % 10000:04d}",
                    f"buyer{i}@example{i % 97}.com" if i % 3 == 0 else "",
                    "华东" if i % 2 else "华南",
                    f"U0REP{i % 50:03d}" if claimed else "",
                    (now - timedelta(days=i % 60)).date().isoformat() if claimed else "",
                    (now - timedelta(days=i % 10)).date().isoformat() if claimed else "",
                ]
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        data = tmp / "customers.csv"
        write_csv(data, args.rows)
        env = os.environ | {
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/claimbot.db",
            "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
        }
        claimbot = [sys.executable, "-m", "bot"]
        subprocess.run([*claimbot, "migrate"], env=env, cwd=tmp, check=True, capture_output=True)
        started = time.perf_counter()
        done = subprocess.run(
            [*claimbot, "import", str(data), "--workspace", "T1"],
            env=env,
            cwd=tmp,
            capture_output=True,
            text=True,
        )
        elapsed = time.perf_counter() - started
        print(done.stdout.splitlines()[0] if done.stdout else done.stderr[-2000:])
        print(f"{args.rows} rows in {elapsed:.1f} s: {args.rows / elapsed:,.0f} rows/s")


if __name__ == "__main__":
    main()
