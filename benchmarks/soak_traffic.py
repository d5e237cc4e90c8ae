"""The soak's traffic: what reps and managers do, and what the load generator saw
(``benchmarks/bench_soak.py`` runs it against replicas while things break)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import secrets
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from benchmarks import soak_counts
from benchmarks.bench_load import KeepAliveRequester
from bot.fakeslack.reading import action_ids
from bot.fakeslack.records import Message
from bot.fakeslack.server import FakeSlack
from bot.fakeslack.slackreq import SlackResult
from bot.ids import ApprovalAction, ApprovalField, FollowUpField, LifecycleAction

SLACK_WINDOW = 3.0
USERS = [f"U0SOAK{i:04d}" for i in range(60)]
# Two teams of 30 reps, two managers each: a card goes to both, and both may click it at once.
MANAGERS = [f"U0SOAKMGR{i}" for i in range(4)]
RULES = {
    "teams": [
        {"name": "North", "managers": MANAGERS[:2], "members": USERS[:30]},
        {"name": "South", "managers": MANAGERS[2:], "members": USERS[30:]},
    ]
}
BIG_DEAL = "500万"  # at or above approval.deal_size_threshold's default: a manager decides
PENDING = ("Waiting for a manager", "待主管审批")
# The claim form's answer when the decision is not ready inside the window (a loaded machine).
IN_LINE = ("yours is in line", "已按提交顺序排队")


@dataclass
class Tally:
    """What the load generator saw."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    # Fresh customer names whose submission was answered with the verdict (acknowledged).
    acknowledged: dict[str, str] = field(default_factory=dict)
    # Fresh customer names acknowledged as waiting for a manager, by rep.
    pending: dict[str, str] = field(default_factory=dict)
    # Fresh customer names acknowledged as "in line" (the verdict follows), by rep.
    in_line: dict[str, str] = field(default_factory=dict)
    # Summaries of follow-ups whose submission was acknowledged (each run's own text).
    followups: set[str] = field(default_factory=set)
    # Actions that found nothing to act on yet (no live card, no verdict DM).
    idle: Counter[str] = field(default_factory=Counter)
    faults: list[str] = field(default_factory=list)

    # Answers other than 200, by kind of request and status.
    not_ok: Counter[str] = field(default_factory=Counter)
    # Answers later than Slack's window, by kind of request.
    late: Counter[str] = field(default_factory=Counter)

    def record(self, kind: str, started: float, result: SlackResult) -> SlackResult:
        took = time.monotonic() - started
        self.latencies.append(took)
        self.statuses[result.status] += 1
        self.kinds[kind] += 1
        if result.status != 200:
            self.not_ok[f"{kind} {result.status} at {now()}"] += 1
        if took > SLACK_WINDOW:
            self.late[kind] += 1
        return result


START = time.monotonic()


def now() -> str:
    return f"t+{time.monotonic() - START:6.1f}s"


async def traffic(
    slack: KeepAliveRequester, fake: FakeSlack, form: dict[str, Any], existing: list[str], fresh: list[str], tally: Tally,
    until: float, seed: int,
) -> None:  # fmt: skip
    rng = random.Random(seed)
    fresh_names = iter(fresh)
    kinds = ["open", "click", "submit", "check", "list", "decide", "followup"]
    while time.monotonic() < until:
        user = rng.choice(USERS)
        kind = rng.choices(kinds, [2, 3, 4, 1, 1, 2, 2])[0]
        started = time.monotonic()
        try:
            if kind == "open":
                tally.record(kind, started, await slack.command("", user=user))
            elif kind == "click":
                clicked = await slack.block_action(
                    "customer_name", user=user, view=form, value=rng.choice(existing)
                )
                tally.record(kind, started, clicked)
            elif kind == "check":
                checked = await slack.command(f"check {rng.choice(existing)[:6]}", user=user)
                tally.record(kind, started, checked)
            elif kind == "list":
                tally.record(kind, started, await slack.command("list", user=user))
            elif kind == "submit":
                await submit(slack, form, existing, fresh_names, tally, rng, user)
            elif kind == "decide":
                await decide(slack, fake, tally, rng)
            else:
                await follow_up(slack, fake, tally, rng, user, seed)
        except (aiohttp.ClientError, TimeoutError) as exc:
            tally.errors[type(exc).__name__] += 1
            tally.kinds[kind] += 1


async def submit(
    slack: KeepAliveRequester, form: dict[str, Any], existing: list[str], fresh_names: Iterator[str],
    tally: Tally, rng: random.Random, user: str,
) -> None:  # fmt: skip
    """The claim form submitted: a name on record (a collision) or a fresh one, a fifth of the
    fresh ones with a deal size that waits for a manager."""
    name = rng.choice(existing) if rng.random() < 0.2 else next(fresh_names)
    view = dict(form) | {"id": f"VSOAK{secrets.token_hex(6).upper()}"}
    answers = {
        "customer_name": name,
        "contact_name": "张三",
        "phone": f"139{rng.randrange(10**8):08d}",
        "need_summary": "soak",
    }
    if rng.random() < 0.2:
        answers["deal_size"] = BIG_DEAL
    started = time.monotonic()
    result = tally.record("submit", started, await slack.view_submission(view, answers, user=user))
    if result.status != 200 or name in existing:
        return
    with contextlib.suppress(ValueError):
        answer = result.json()
        shown = json.dumps(answer.get("view", {}), ensure_ascii=False)
        if answer.get("response_action") == "update":
            if any(f in shown for f in soak_counts.FILED):
                tally.acknowledged[name] = user
            elif any(p in shown for p in PENDING):
                tally.pending[name] = user
            elif any(p in shown for p in IN_LINE):
                tally.in_line[name] = user


async def decide(
    slack: KeepAliveRequester, fake: FakeSlack, tally: Tally, rng: random.Random
) -> None:
    """A manager clicks Approve (seven times in ten) or Reject on a live card in their DMs;
    a rejection's reason goes through the modal the click opens."""
    manager = rng.choice(MANAGERS)
    cards = [m for m in fake.messages_to(manager) if ApprovalAction.APPROVE in action_ids(m)]
    if not cards:
        tally.idle["decide"] += 1
        return
    card = rng.choice(cards)
    if rng.random() < 0.7:
        started = time.monotonic()
        approved = await slack.block_action(ApprovalAction.APPROVE, user=manager, message=card)
        tally.record("decide", started, approved)
        return
    reason = {ApprovalField.REASON.value: "soak: another rep met them first"}
    await through_modal(slack, fake, tally, "decide", manager, ApprovalAction.REJECT, card, reason)


async def follow_up(
    slack: KeepAliveRequester, fake: FakeSlack, tally: Tally, rng: random.Random, rep: str, seed: int
) -> None:  # fmt: skip
    """A rep clicks Log follow-up on one of their verdict DMs and submits the modal."""
    dms = [m for m in fake.messages_to(rep) if LifecycleAction.LOG_FOLLOWUP in action_ids(m)]
    if not dms:
        tally.idle["followup"] += 1
        return
    summary = f"soak follow-up {seed}-{secrets.token_hex(4)}"
    answers = {FollowUpField.METHOD.value: "call", FollowUpField.SUMMARY.value: summary}
    done = await through_modal(
        slack, fake, tally, "followup", rep, LifecycleAction.LOG_FOLLOWUP, rng.choice(dms), answers
    )
    if done:
        tally.followups.add(summary)


async def through_modal(
    slack: KeepAliveRequester, fake: FakeSlack, tally: Tally, kind: str, user: str, action_id: str, message: Message,
    answers: Mapping[str, object],
) -> bool:  # fmt: skip
    """Click ``action_id`` on ``message``, fill the modal the click opens, submit it; whether
    the submission was accepted (not answered with errors)."""
    trigger_id = f"{int(time.time() * 1000)}.{secrets.randbelow(10**9)}.{secrets.token_hex(16)}"
    started = time.monotonic()
    clicked = await slack.block_action(action_id, user=user, message=message, trigger_id=trigger_id)
    tally.record(kind, started, clicked)
    modal = await opened_by(fake, trigger_id)
    if clicked.status != 200 or modal is None:
        return False  # refused (decided meanwhile, not the holder) or Slack stalled the modal
    started = time.monotonic()
    result = tally.record(kind, started, await slack.view_submission(modal, answers, user=user))
    if result.status != 200:
        return False
    with contextlib.suppress(ValueError):
        return result.text == "" or result.json().get("response_action") != "errors"
    return True


async def opened_by(fake: FakeSlack, trigger_id: str) -> dict[str, Any] | None:
    """The modal ``views.open`` opened with ``trigger_id``, once Slack has it (or ``None``
    after 5 s: the open stalled or failed)."""
    deadline = time.monotonic() + 5.0
    # The fake announces no particular call; a load generator may poll.
    while time.monotonic() < deadline:
        for call in fake.calls_to("views.open", delivered=True):
            if call.params.get("trigger_id") == trigger_id and call.reply:
                return dict(call.reply["view"])
        await asyncio.sleep(0.1)
    return None
