"""What the soak counts once the traffic has stopped: how often each notice reached its reader.

Two views of the same deliveries, because each catches what the other cannot:
- by outbox row: every notice the worker sends carries message metadata naming its row
  (``bot/notify/landed.py``), so two delivered ``chat.postMessage`` calls with one row's id are
  one notice sent twice, whatever its text; split into DMs (checked against
  ``conversations.history`` before a resend) and channels (not checked).
- by meaning: each acknowledged claim's verdict and each manager's decision should reach the rep
  once; two outbox rows saying the same thing, or a notice that never went, show up here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.fakeslack.records import Call
from bot.fakeslack.server import FakeSlack
from bot.notify import landed
from cards.blocks import escape_mrkdwn

# What the verdict DM of a claim that is the rep's at once says (en, zh).
FILED = ("The customer is yours", "报备成功")
# What the DM telling the rep a manager's decision says (en, zh).
DECIDED = ("approved your claim on", "rejected your claim on", "通过了你对", "驳回了你对")


@dataclass
class Deliveries:
    """Notices by how often they were delivered, and a few repeats to explain them."""

    outcome: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"once {self.outcome['once']}, twice+ {self.outcome['twice+']}, "
            f"never {self.outcome['never']}"
        )

    def count(self, calls: list[Call], describe: str) -> None:
        self.outcome["once" if len(calls) == 1 else "twice+" if len(calls) > 1 else "never"] += 1
        if len(calls) > 1 and len(self.examples) < 5:
            self.examples.append(f"{describe}: " + " | ".join(_explain(c) for c in calls))


def _explain(call: Call) -> str:
    """When a copy landed and what happened to the call that carried it."""
    fate = "stalled past the client's timeout" if call.fault == "stall" else "answered"
    return f"{call.received_at:.1f} ({fate})"


def delivered_posts(fake: FakeSlack) -> list[Call]:
    return [c for c in fake.calls if c.method == "chat.postMessage" and c.delivered]


def _text(call: Call) -> str:
    return str(call.params.get("text", "")) + str(call.params.get("blocks", ""))


def _outbox_id(call: Call) -> int | None:
    meta = call.params.get("metadata")
    if not isinstance(meta, Mapping) or meta.get("event_type") != landed.EVENT_TYPE:
        return None
    payload = meta.get("event_payload")
    return payload.get("outbox_id") if isinstance(payload, Mapping) else None


def by_outbox_row(fake: FakeSlack, undelivered: Mapping[int, str]) -> dict[str, Deliveries]:
    """Each outbox row by how many delivered posts carry its id, DMs and channels apart; rows
    still pending or failed at the end (``undelivered``: their recipients) count as never."""
    posts: dict[int, list[Call]] = {}
    for call in delivered_posts(fake):
        outbox_id = _outbox_id(call)
        if outbox_id is not None:
            posts.setdefault(outbox_id, []).append(call)
    counted = {"DM": Deliveries(), "channel": Deliveries()}

    def where(recipient: str) -> Deliveries:
        return counted["DM" if landed.checkable(recipient) else "channel"]

    for outbox_id, calls in sorted(posts.items()):
        channel = str(calls[0].params.get("channel", ""))
        where(channel).count(calls, f"outbox row {outbox_id} to {channel}")
    for outbox_id, recipient in undelivered.items():
        if outbox_id not in posts:
            where(recipient).count([], f"outbox row {outbox_id} to {recipient}")
    return counted


def by_meaning(fake: FakeSlack, rep_of: Mapping[str, str], phrases: tuple[str, ...]) -> Deliveries:
    """For each customer name (and its rep), the delivered DMs to the rep naming the customer
    and saying one of ``phrases``."""
    sent: dict[str, list[Call]] = {}
    for call in delivered_posts(fake):
        sent.setdefault(str(call.params.get("channel")), []).append(call)
    counted = Deliveries()
    for name, rep in rep_of.items():
        shown = escape_mrkdwn(name)  # as the card prints it
        calls = [
            c
            for c in sent.get(rep, [])
            if shown in _text(c) and any(p in _text(c) for p in phrases)
        ]
        counted.count(calls, name)
    return counted
