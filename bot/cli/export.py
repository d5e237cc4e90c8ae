"""``claimbot export [--since DATE] [--out FILE|DIR] [--workspace T…]``: claims, follow-ups and
audit events as CSV for the CRM (see bot/export.py for the files and their columns)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from bot.cli.common import open_runtime
from bot.cli.workspace import resolve_workspace
from bot.export import (
    AUDIT_FILE,
    CLAIMS_FILE,
    FILES,
    FOLLOWUPS_FILE,
    ExportScope,
    file_name,
    parse_since,
)
from bot.settings import ConfigError


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub = commands.add_parser(
        "export",
        help="write claims, follow-ups and audit events as CSV (UTF-8 with BOM, for Excel)",
        description="Write claims.csv, followups.csv and audit.csv (UTF-8 with a byte-order "
        "mark, so that Excel opens Chinese text correctly) into one .zip, or into a directory.",
    )
    sub.add_argument(
        "--since",
        metavar="DATE",
        help="only claims filed or changed, follow-ups logged and events recorded since DATE "
        "(ISO 8601, e.g. 2026-11-01 — midnight in the rules' time zone — or a date-time)",
    )
    sub.add_argument(
        "--out",
        metavar="FILE|DIR",
        help="a .zip file to write; a directory (existing, or ending in /) for the three CSV "
        "files; or NAME.csv for the claims, with NAME-followups.csv and NAME-audit.csv beside it "
        "(default: claimbot-export-<workspace>-<date>.zip here)",
    )
    sub.add_argument("--workspace", help="Slack team ID (default: the bot token's workspace)")
    sub.set_defaults(handler=handle)


def destination(out: str) -> tuple[dict[str, Path] | None, Path]:
    """Where each CSV file goes (``None``: all into the .zip at the path), and the path."""
    target = Path(out)
    if target.is_dir() or out.endswith((os.sep, "/")):
        return {name: target / name for name in FILES}, target
    if not target.parent.is_dir():
        raise ConfigError(f"{target.parent} is not a directory.")
    if target.suffix.lower() == ".csv":
        stem = target.stem
        return {
            CLAIMS_FILE: target,
            FOLLOWUPS_FILE: target.with_name(f"{stem}-followups.csv"),
            AUDIT_FILE: target.with_name(f"{stem}-audit.csv"),
        }, target
    return None, target


async def handle(args: argparse.Namespace) -> int:
    rt = await open_runtime(create=False)
    try:
        since = None
        if args.since:
            try:
                since = parse_since(args.since, rt.rules.zone)
            except ValueError:
                raise ConfigError(
                    f"--since must be an ISO-8601 date such as 2026-11-01, not {args.since!r}."
                ) from None
        workspace = await resolve_workspace(rt, args.workspace)
        exporter = rt.exporter
        files, target = destination(args.out or file_name(workspace, rt.clock.now()))
        if files is not None:
            report = await exporter.write_files(workspace, ExportScope(), since, files, target)
        else:
            report = await exporter.write_zip(workspace, ExportScope(), since, target)
    finally:
        await rt.close()
    print(report.summary())
    return 0
