"""The App Home (驾驶舱): a rep's claims by what needs action first, with their buttons; a
manager's decisions, team claims that need attention and numbers; an admin's, across teams, with
the rules at a glance.

Every list is one page with a pager and a count of what is not shown, and the page sizes keep the
largest Home (an admin who also holds claims) near 70 blocks; :func:`fit` still guarantees Slack's
limit of 100, whatever the data.
"""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    MarkdownTextObject,
    Option,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.approvals.outcome import PendingPage
from bot.home.model import ClaimLine, HomeModel, Page
from bot.home.service import DECISIONS_PAGE
from bot.home.todo import TodoItem
from bot.i18n import Translator
from bot.ids import HomeAction, HomeBlock, HomeSection
from bot.lifecycle.reminders import Reminder
from bot.metrics.definitions import Metrics
from bot.metrics.periods import Period
from bot.metrics.service import ScopeKind
from bot.rules import Rules
from cards.analytics import pipeline_blocks
from cards.approval import customer
from cards.blocks import VIEW_BLOCK_LIMIT, clip, context, divider, escape_mrkdwn, header, section
from cards.followup import claim_buttons, stage_label
from cards.format import amount, mention, slack_date
from cards.metrics import (
    breakdown_blocks,
    channel_blocks,
    metric_fields,
    period_label,
    scope_label,
)
from cards.pending import case_blocks
from store.home import PendingClaim

BUTTON_LIMIT = 75
FIELD_LIMIT = 2000
# Eight To do lines fit a section's 3,000 characters with their Slack date tokens.
TODO_LINE_LIMIT = 330


def home_view(model: HomeModel, tr: Translator, rules: Rules, *, notice: str | None = None) -> View:
    """The Home of ``model``'s person; ``notice`` (e.g. why a click changed nothing) on top."""
    blocks: list[Block] = []
    if notice:
        blocks.append(section(f":information_source: {notice}"))
    blocks += [
        header(tr("home.title")),
        tools(tr),
        context(
            tr(
                "home.updated",
                role=tr(f"home.role.{model.role.value}"),
                date=slack_date(_minute(model.now), with_time=True),
            )
        ),
    ]
    own = (
        todo_blocks(model.todo, rules, tr)
        + mine_blocks(model, rules, tr)
        + pending_blocks(model.pending, tr)
    )
    if model.oversees:
        blocks += decision_blocks(model.decisions, tr)
        blocks += [divider(), *attention_blocks(model, rules, tr)]
        blocks += [divider(), *metrics_blocks(model, rules, tr)]
        if model.scope.kind is ScopeKind.ALL:
            blocks += [divider(), *rules_blocks(rules, tr)]
        if model.mine.total or model.pending.total or model.todo.total:
            blocks += [divider(), *own]
    else:
        blocks += own
        blocks += month_blocks(model.my_month, tr)
    return View(
        type="home",
        callback_id="home",
        private_metadata=model.state.dump(),
        blocks=fit(blocks, tr),
    )


def fit(blocks: list[Block], tr: Translator) -> list[Block]:
    """At most Slack's 100 blocks: never reached with the page sizes used, but a Home must never
    fail to publish, so anything beyond is cut and said to be."""
    if len(blocks) <= VIEW_BLOCK_LIMIT:
        return blocks
    return [*blocks[: VIEW_BLOCK_LIMIT - 1], context(tr("home.trimmed"))]


def tools(tr: Translator) -> ActionsBlock:
    """**New claim** (the claim form) and **Refresh**."""
    return ActionsBlock(
        block_id=HomeBlock.TOOLS.value,
        elements=[
            ButtonElement(
                action_id=HomeAction.NEW_CLAIM.value,
                text=_text(tr("home.button.new_claim")),
                style="primary",
                value="new",
            ),
            ButtonElement(
                action_id=HomeAction.REFRESH.value,
                text=_text(tr("home.button.refresh")),
                value="refresh",
            ),
        ],
    )


# -- one's own claims ------------------------------------------------------------------------------


def todo_blocks(page: Page[TodoItem], rules: Rules, tr: Translator) -> list[Block]:
    """The person's To do (nothing when there is nothing to do): one section, soonest first."""
    if not page.total:
        return []
    lines = [clip(todo_line(item, rules, tr), TODO_LINE_LIMIT) for item in page.items]
    blocks: list[Block] = [section(f"*{tr('home.todo.title')}*\n" + "\n".join(lines))]
    if page.more:
        blocks.append(context(tr("home.todo.more", count=page.more)))
    return blocks


def todo_line(item: TodoItem, rules: Rules, tr: Translator) -> str:
    """One thing to do, as a line."""
    name = escape_mrkdwn(clip(item.customer_name, 80))
    if item.kind is Reminder.NEXT_STEP:
        key = "home.todo.next_step_overdue" if item.overdue else "home.todo.next_step"
        day = item.next_step_on.isoformat() if item.next_step_on else "—"
        step = escape_mrkdwn(clip(item.next_step or "—", 120))
        return "• " + tr(key, customer=name, step=step, day=day)
    if item.kind is Reminder.FIRST_CONTACT:
        key = "home.todo.first_contact_missed" if item.overdue else "home.todo.first_contact"
        return "• " + tr(key, customer=name, deadline=slack_date(item.due_at, with_time=True))
    return "• " + tr(
        "home.todo.stage_timer",
        customer=name,
        stage=escape_mrkdwn(stage_label(rules, item.stage, tr)),
        since=slack_date(item.stage_since),
        days=item.stage_days or 0,
    )


def mine_blocks(model: HomeModel, rules: Rules, tr: Translator) -> list[Block]:
    """The person's active claims, reclaimed soonest first, each with its buttons."""
    page = model.mine
    blocks: list[Block] = [header(tr("home.mine.title", count=page.total))]
    if not page.items:
        blocks.append(section(tr("home.mine.none")))
        return blocks
    blocks += _showing(page, tr)
    for line in page.items:
        blocks.append(section(mine_line(line, rules, tr)))
        blocks.append(claim_buttons(tr, line.claim_id))
    blocks += pager(HomeSection.MINE, page, tr)
    return blocks


def mine_line(line: ClaimLine, rules: Rules, tr: Translator) -> str:
    text = tr(
        "home.mine.line",
        customer=customer(line.customer_name),
        stage=stage_label(rules, line.stage, tr),
        until=slack_date(line.protection_until),
        last=slack_date(line.last_followup_at) if line.last_followup_at else tr("home.mine.never"),
        reclaim=slack_date(line.reclaim_at),
    )
    flag = _flag(line, tr)
    return f"{text}\n{flag}" if flag else text


def _flag(line: ClaimLine, tr: Translator) -> str | None:
    if line.reclaim_soon:
        return tr("home.flag.soon", reclaim=slack_date(line.reclaim_at), days=line.idle_days)
    if line.overdue:
        return tr("home.flag.overdue", days=line.idle_days)
    return None


def pending_blocks(page: Page[PendingClaim], tr: Translator) -> list[Block]:
    """One's own claims waiting for a manager (nothing, when none)."""
    if not page.total:
        return []
    lines = [
        tr(
            "home.pending.line",
            customer=customer(claim.customer_name),
            date=slack_date(claim.submitted_at),
        )
        for claim in page.items
    ]
    blocks: list[Block] = [
        header(tr("home.pending.title", count=page.total)),
        section("\n".join(lines)),
    ]
    if page.more:
        blocks.append(context(tr("home.more", count=page.more)))
    return blocks


def month_blocks(metrics: Metrics | None, tr: Translator) -> list[Block]:
    """A rep's numbers for this month."""
    if metrics is None:
        return []
    blocks: list[Block] = [header(tr("home.month.title"))]
    if metrics.empty:
        blocks.append(section(tr("home.month.nothing")))
    else:
        blocks.append(metric_fields(metrics, tr))
    return blocks


# -- a manager's and an admin's --------------------------------------------------------------------


def decision_blocks(page: PendingPage | None, tr: Translator) -> list[Block]:
    """Claims waiting for the person's decision, with the approval card's own buttons."""
    if page is None:
        return []
    blocks: list[Block] = [header(tr("home.decisions.title", count=page.total))]
    if not page.cases:
        blocks.append(section(tr("pending.none")))
        return blocks
    shown = Page(tuple(page.cases), page.total, page.offset, DECISIONS_PAGE)
    blocks += _showing(shown, tr)
    for case in page.cases:
        blocks += case_blocks(case, tr)
    blocks += pager(HomeSection.DECISIONS, shown, tr)
    return blocks


def attention_blocks(model: HomeModel, rules: Rules, tr: Translator) -> list[Block]:
    """The teams' claims that are overdue or soon back to the pool, soonest first."""
    page = model.attention
    if page is None:
        return []
    key = (
        "home.attention.title_all" if model.scope.kind is ScopeKind.ALL else "home.attention.title"
    )
    blocks: list[Block] = [header(tr(key, count=page.total))]
    if not page.items:
        blocks.append(section(tr("home.attention.none")))
        return blocks
    blocks += _showing(page, tr)
    lines = [attention_line(line, rules, tr) for line in page.items]
    blocks.append(section("\n".join(lines)))
    blocks += pager(HomeSection.ATTENTION, page, tr)
    return blocks


def attention_line(line: ClaimLine, rules: Rules, tr: Translator) -> str:
    text = tr(
        "home.attention.line",
        customer=customer(clip(line.customer_name, 60)),
        owner=mention(line.owner_id),
        stage=stage_label(rules, line.stage, tr),
        reclaim=slack_date(line.reclaim_at),
    )
    flag = _flag(line, tr)
    return f"• {text} · {flag}" if flag else f"• {text}"


def metrics_blocks(model: HomeModel, rules: Rules, tr: Translator) -> list[Block]:
    """The numbers of the person's scope for the period chosen with the select."""
    report = model.report
    if report is None:
        return []
    blocks: list[Block] = [
        header(tr("home.metrics.title", scope=scope_label(report.scope, tr))),
        period_select(report.period, tr),
        context(
            tr(
                "home.metrics.window",
                period=period_label(report.period, tr),
                start=slack_date(report.window.start),
            )
        ),
    ]
    if report.totals.empty and not report.rows:
        blocks.append(section(tr("metrics.stats.nothing")))
        return blocks
    blocks.append(metric_fields(report.totals, tr))
    blocks += breakdown_blocks(report, tr, shown=10)
    blocks += channel_blocks(report, rules, tr)
    if model.pipeline is not None:
        blocks += pipeline_blocks(model.pipeline, rules, tr)
    blocks.append(context(tr("home.metrics.more")))
    return blocks


def period_select(chosen: Period, tr: Translator) -> ActionsBlock:
    options = [
        Option(value=p.value, text=PlainTextObject(text=clip(period_label(p, tr), 75)))
        for p in Period
    ]
    return ActionsBlock(
        block_id=HomeBlock.PERIOD.value,
        elements=[
            StaticSelectElement(
                action_id=HomeAction.PERIOD.value,
                placeholder=PlainTextObject(text=clip(tr("home.metrics.choose"), 150)),
                options=options,
                initial_option=next(o for o in options if o.value == chosen.value),
            )
        ],
    )


def rules_blocks(rules: Rules, tr: Translator) -> list[Block]:
    """The rules in force, at a glance (the rules file is where they change)."""
    p, a, e = rules.protection, rules.approval, rules.extension
    needs = [tr(f"home.rules.needs.{name}") for name in _approval_rules(rules)]
    if a.deal_size_threshold is not None:
        needs.append(tr("home.rules.needs.deal_size", amount=amount(a.deal_size_threshold)))
    if a.key_accounts:
        needs.append(tr("home.rules.needs.key_accounts", count=len(a.key_accounts)))
    for condition in a.profile:
        field = rules.form.profile_field(condition.field)
        label = field.label(tr.lang) if field else condition.field
        needs.append(tr("home.rules.needs.profile", field=label))
    fields = [
        (tr("home.rules.protection"), tr("home.rules.protection_value", days=p.days, max=p.max_protection_days)),
        (tr("home.rules.followup"), tr("home.rules.followup_value", days=p.followup_overdue_days, manager=p.manager_copy_after_overdue_days)),
        (tr("home.rules.reclaim"), tr("home.rules.reclaim_value", days=p.reclaim_idle_days, warning=p.reclaim_warning_days)),
        (tr("home.rules.cooldown"), tr("home.rules.days", days=p.cooldown_days)),
        (tr("home.rules.extension"), tr("home.rules.extension_value", days=e.days, max=e.max_per_claim)),
        (tr("home.rules.cap"), str(rules.claim_cap) if rules.claim_cap else tr("home.rules.no_cap")),
        (tr("home.rules.deadline"), tr("home.rules.days", days=rules.registration_deadline_days)),
        (tr("home.rules.approval"), "; ".join(needs) or tr("home.rules.needs.nothing")),
        (tr("home.rules.reminders"), tr("home.rules.reminders_value", remind=a.remind_after_hours, escalate=a.escalate_after_hours)),
        (tr("home.rules.timezone"), rules.timezone),
    ]  # fmt: skip
    return [
        header(tr("home.rules.title")),
        SectionBlock(
            fields=[
                MarkdownTextObject(text=clip(f"*{label}*\n{value}", FIELD_LIMIT))
                for label, value in fields
            ]
        ),
        context(tr("home.rules.where")),
    ]


def _approval_rules(rules: Rules) -> list[str]:
    a = rules.approval
    switches = {
        "possible_duplicate": a.possible_duplicate,
        "late_registration": a.late_registration,
        "partner": a.partner,
        "cross_region": a.cross_region,
    }
    return [name for name, on in switches.items() if on]


# -- paging ----------------------------------------------------------------------------------------


def pager(section_id: HomeSection, page: Page[object], tr: Translator) -> list[Block]:
    """Previous / next buttons for a list longer than a page (nothing for a short one)."""
    buttons = []
    if page.previous_offset is not None:
        buttons.append(
            ButtonElement(
                action_id=HomeAction.PAGE_BACK.value,
                text=_text(tr("home.page.back")),
                value=f"{section_id.value}:{page.previous_offset}",
            )
        )
    if page.next_offset is not None:
        buttons.append(
            ButtonElement(
                action_id=HomeAction.PAGE_NEXT.value,
                text=_text(tr("home.page.next", count=page.more)),
                value=f"{section_id.value}:{page.next_offset}",
            )
        )
    if not buttons:
        return []
    return [ActionsBlock(block_id=f"{HomeBlock.PAGER.value}:{section_id.value}", elements=buttons)]


def _showing(page: Page[object], tr: Translator) -> list[Block]:
    """Which part of a longer list this page is (nothing when it is the whole list)."""
    if page.offset == 0 and len(page.items) >= page.total:
        return []
    first, last = page.offset + 1, page.offset + len(page.items)
    return [context(tr("home.showing", first=first, last=last, total=page.total))]


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def _text(text: str) -> PlainTextObject:
    return PlainTextObject(text=clip(text, BUTTON_LIMIT), emoji=True)
