"""``/claim mine``, ``/claim team`` and ``/claim search``: a page of claims, a search's matches,
and the answer when a typed customer matches none or several.

A page holds at most :data:`bot.lists.PAGE_SIZE` claims of one block each, plus a heading per
status, a summary and the page buttons: far inside Slack's 50 blocks. A row shows contacts, the
stage and the last follow-up only when the service filled in its details (the viewer may see
them); otherwise the holder, the status and the date.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    MarkdownTextObject,
    Option,
    OverflowMenuElement,
    PlainTextObject,
    SectionBlock,
)

from bot.duplicates import Match
from bot.i18n import Translator
from bot.ids import LifecycleAction, ListAction
from bot.lists import ClaimDetails, ClaimPage, ClaimRow, Found, ListScope, SearchResult
from bot.rules import Rules
from cards.blocks import MESSAGE_BLOCK_LIMIT, clip, context, escape_mrkdwn, header, section
from cards.duplicates import how_matched, match_line
from cards.followup import stage_label
from cards.format import mention, slack_date
from store.models import ClaimStatus, Role

Card = tuple[str, list[Block]]

_GROUP = {
    ClaimStatus.PENDING: "pending",
    ClaimStatus.ACTIVE: "active",
    ClaimStatus.WON: "won",
}


def name(text: str) -> str:
    """A customer's name, bold-safe."""
    return escape_mrkdwn(clip(text, 120))


def _button(text: str, action: str, value: str) -> ButtonElement:
    return ButtonElement(
        text=PlainTextObject(text=clip(text, 75)), action_id=action, value=clip(value, 2000)
    )


def page_value(scope: ListScope, page: int) -> str:
    return json.dumps({"scope": scope.value, "page": page})


def parse_page(value: object) -> tuple[ListScope, int]:
    """A page button's value back (anything odd: the first page of ``mine``)."""
    try:
        data = json.loads(str(value or "{}"))
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    scope = ListScope.TEAM if data.get("scope") == ListScope.TEAM.value else ListScope.MINE
    page = data.get("page")
    return scope, page if isinstance(page, int) and 0 <= page < 100_000 else 0


def status_phrase(row: ClaimRow, tr: Translator, *, full: bool) -> str:
    """Where the claim stands, with its date."""
    if row.status is ClaimStatus.PENDING:
        return tr("lists.state.pending", date=slack_date(row.submitted_at))
    if row.status is ClaimStatus.ACTIVE:
        if full:
            return tr(
                "lists.state.active",
                until=slack_date(row.protection_until),
                reclaim=slack_date(row.reclaim_at),
            )
        return tr("lists.state.active_short", until=slack_date(row.protection_until))
    if row.status is ClaimStatus.WON:
        return tr("lists.state.won", date=slack_date(row.ended_at))
    return tr(
        "lists.state.ended",
        date=slack_date(row.ended_at),
        why=end_reason(row.end_reason or row.status.value, tr),
    )


def end_reason(reason: str, tr: Translator) -> str:
    """Why a claim ended, in words."""
    try:
        return tr(f"lists.end.{reason}")
    except KeyError:
        return reason


def details_line(details: ClaimDetails, tr: Translator, rules: Rules) -> str:
    """Contacts, stage and the last follow-up (only for those who may see them)."""
    contacts = " · ".join(
        escape_mrkdwn(clip(v, 80))
        for v in (details.contact_name, details.phone, details.email)
        if v
    )
    parts = [contacts] if contacts else []
    if details.stage:
        parts.append(tr("lists.stage", stage=escape_mrkdwn(stage_label(rules, details.stage, tr))))
    if details.last_followup_at is not None:
        method = details.last_followup_method or "other"
        try:
            how = tr(f"followup.method.{method}")
        except KeyError:
            how = escape_mrkdwn(method)
        parts.append(
            tr("lists.last_followup", date=slack_date(details.last_followup_at), method=how)
        )
    return " · ".join(parts)


def row_text(row: ClaimRow, tr: Translator, rules: Rules, scope: ListScope) -> str:
    full = row.details is not None
    state = status_phrase(row, tr, full=full)
    if scope is ListScope.MINE:
        first = tr("lists.line.mine", customer=name(row.customer_name), state=state)
    else:
        first = tr(
            "lists.line.team",
            customer=name(row.customer_name),
            holder=mention(row.owner_id),
            state=state,
        )
    lines = [first]
    if row.details is not None:
        details = details_line(row.details, tr, rules)
        if row.status is ClaimStatus.ACTIVE and row.details.last_followup_at is None:
            details = " · ".join(p for p in (details, tr("lists.no_followup")) if p)
        if details:
            lines.append(details)
        lines.append(tr("lists.reference", claim_id=row.claim_id))
    return "\n".join(lines)


def row_block(row: ClaimRow, tr: Translator, rules: Rules, scope: ListScope) -> Block:
    """One claim: its line, and what the viewer may do with it from here."""
    accessory: ButtonElement | OverflowMenuElement | None = None
    if row.manageable:
        accessory = OverflowMenuElement(
            action_id=ListAction.MANAGE.value,
            options=[
                Option(
                    value=f"transfer:{row.claim_id}",
                    text=PlainTextObject(text=clip(tr("lists.manage.transfer"), 75)),
                ),
                Option(
                    value=f"release:{row.claim_id}",
                    text=PlainTextObject(text=clip(tr("lists.manage.release"), 75)),
                ),
            ],
        )
    elif scope is ListScope.MINE and row.status is ClaimStatus.ACTIVE:
        accessory = _button(
            tr("followup.button.log"), LifecycleAction.LOG_FOLLOWUP.value, str(row.claim_id)
        )
    return SectionBlock(
        block_id=f"list_claim:{row.claim_id}",
        text=MarkdownTextObject(text=clip(row_text(row, tr, rules, scope), 3000)),
        accessory=accessory,
    )


def summary(page: ClaimPage, tr: Translator) -> str:
    counts = ", ".join(
        tr("lists.count", count=n, status=tr(f"lists.status.{status}"))
        for status, n in sorted(page.counts.items(), key=lambda kv: _order(kv[0]))
        if n
    )
    first = page.page * page.page_size + 1
    return tr(
        "lists.summary",
        total=page.total,
        counts=counts or "—",
        first=first,
        last=first + len(page.rows) - 1,
        page=page.page + 1,
        pages=page.pages,
    )


def _order(status: str) -> int:
    order = ["pending", "active", "won", "rejected", "lost", "released"]
    return order.index(status) if status in order else len(order)


def claims_page(page: ClaimPage, tr: Translator, rules: Rules) -> Card:
    """A page of ``/claim mine`` or ``/claim team``."""
    mine = page.scope is ListScope.MINE
    title = tr("lists.mine.title") if mine else tr("lists.team.title")
    blocks: list[Block] = [header(title)]
    intro: list[str] = []
    if not mine:
        intro.append(tr("team.mine.role", role=tr(f"role.name.{page.role.value}")))
        teams = ", ".join(f"*{escape_mrkdwn(clip(t, 80))}*" for t in page.teams[:20]) or "—"
        if page.allowed:
            intro.append(
                tr("lists.team.all", teams=teams)
                if page.everyone
                else tr("lists.team.teams", teams=teams)
            )
    if not page.allowed:
        key = "lists.team.partner" if page.role is Role.PARTNER else "lists.team.no_team"
        text = tr(key)
        return text, [*blocks, section("\n".join([*intro, text]))]
    if intro:
        blocks.append(context(*intro))
    if not page.rows:
        text = tr("lists.mine.empty") if mine else tr("lists.team.empty")
        blocks.append(section(text))
        if not mine:
            blocks.append(context(tr("lists.team.people_hint")))
        return text, blocks
    text = summary(page, tr)
    blocks.append(context(text))
    group = None
    for row in page.rows:
        current = _GROUP.get(row.status, "ended")
        if current != group:
            group = current
            blocks.append(section(f"*{tr(f'lists.group.{group}')}*"))
        blocks.append(row_block(row, tr, rules, page.scope))
    buttons = []
    if page.has_previous:
        buttons.append(
            _button(
                tr("pool.button.previous"),
                ListAction.PREVIOUS.value,
                page_value(page.scope, page.page - 1),
            )
        )
    if page.has_next:
        buttons.append(
            _button(
                tr("pool.button.next"), ListAction.NEXT.value, page_value(page.scope, page.page + 1)
            )
        )
    if buttons:
        blocks.append(ActionsBlock(block_id="list_pages", elements=buttons))
    footer = [tr("lists.mine.footer")] if mine else [tr("lists.team.people_hint")]
    if any(r.manageable for r in page.rows):
        footer.append(tr("lists.team.manage_hint"))
    blocks.append(context(*footer))
    return clip(f"{title}: {text}", 3000), blocks[:MESSAGE_BLOCK_LIMIT]


def found_text(found: Found, tr: Translator, rules: Rules) -> str:
    """A search match: who holds it and until when, and the details where the viewer may."""
    customer = name(found.customer_name)
    if found.holder_id is None:
        state = tr("duplicates.status.pool") if found.pooled else tr("duplicates.status.free")
    elif found.status is ClaimStatus.PENDING:
        state = tr("duplicates.status.pending", holder=mention(found.holder_id))
    elif found.status is ClaimStatus.WON:
        state = tr("duplicates.status.won", holder=mention(found.holder_id))
    else:
        state = tr(
            "duplicates.status.held", holder=mention(found.holder_id), until=slack_date(found.until)
        )
    how = how_matched(found.matched_on.value, found.score, tr)
    lines = [f"*{customer}* — {state} ({how})"]
    if found.details is not None:
        details = details_line(found.details, tr, rules)
        if found.details.need_summary:
            need = escape_mrkdwn(clip(found.details.need_summary, 200))
            details = " · ".join(p for p in (details, tr("lists.need", need=need)) if p)
        if details:
            lines.append(details)
        if found.claim_id is not None:
            lines.append(tr("lists.reference", claim_id=found.claim_id))
    return "\n".join(lines)


def search_reply(result: SearchResult, tr: Translator, rules: Rules) -> Card:
    """The ephemeral answer to ``/claim search``."""
    shown = escape_mrkdwn(clip(result.query, 120))
    if not result.usable:
        text = tr("lists.search.usage")
        return text, [section(text)]
    if not result.found:
        text = tr("lists.search.none", query=shown)
        return text, [section(text), context(tr("duplicates.check.claim_it"))]
    title = tr("lists.search.title", query=shown, count=len(result.found))
    blocks: list[Block] = [section(f"*{title}*")]
    for found in result.found[: MESSAGE_BLOCK_LIMIT - 2]:
        blocks.append(
            SectionBlock(
                block_id=f"list_found:{found.customer_id}",
                text=MarkdownTextObject(text=clip(found_text(found, tr, rules), 3000)),
                accessory=_button(
                    tr("lists.button.history"), ListAction.HISTORY.value, str(found.customer_id)
                ),
            )
        )
    blocks.append(context(tr("lists.search.footer")))
    return title, blocks


def choice_reply(
    query: str, candidates: Sequence[Match], tr: Translator, *, usage_key: str
) -> Card:
    """A typed customer matched none or several: say so, list the candidates with a History
    button each, and how to be exact."""
    shown = escape_mrkdwn(clip(query, 120))
    if not candidates:
        text = tr("lists.choice.none", query=shown) + "\n" + tr(usage_key)
        return text, [section(text)]
    title = tr("lists.choice.several", query=shown, count=len(candidates))
    blocks: list[Block] = [section(title)]
    for match in candidates[: MESSAGE_BLOCK_LIMIT - 3]:
        blocks.append(
            SectionBlock(
                block_id=f"list_choice:{match.customer_id}",
                text=MarkdownTextObject(text=clip(match_line(match, tr), 3000)),
                accessory=_button(
                    tr("lists.button.history"), ListAction.HISTORY.value, str(match.customer_id)
                ),
            )
        )
    blocks.append(context(tr("lists.choice.exact")))
    return title, blocks
