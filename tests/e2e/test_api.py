"""The REST API over real HTTP: tokens good, bad, revoked and of another workspace; the duplicate
check with /claim check's privacy; claims and customers a page at a time; a claim's history;
filing for a rep (told in Slack); rate limits; JSON errors; the OpenAPI document."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from openapi_spec_validator import validate
from sqlalchemy import func, select

from bot.api.routes import ROUTES
from bot.rules import Rules
from store import api_tokens
from store.models import Claim
from tests.e2e.api_support import Answer, call, new_token
from tests.e2e.conftest import ALICE, BO, CAROL, Bot, BotFactory
from tests.e2e.test_claim_flow import BYTEDANCE
from tests.lifecycle.support import team_rules

EVERY_ENDPOINT = [
    ("GET", "/customers/check?q=acme"),
    ("GET", "/claims"),
    ("GET", "/claims/1"),
    ("GET", "/claims/1/history"),
    ("POST", "/claims"),
    ("GET", "/customers"),
    ("GET", "/customers/1"),
]


def company(n: int) -> dict[str, str]:
    """A distinct customer to file."""
    names = ["北京字节跳动科技有限公司", "上海寻梦信息技术有限公司", "杭州网易雷火科技有限公司",
             "深圳市腾讯计算机系统有限公司", "北京小米移动软件有限公司", "广州视源电子科技股份有限公司",
             "成都极米科技股份有限公司"]  # fmt: skip
    return {
        "customer_name": names[n],
        "contact_name": "王五",
        "phone": f"13{n}0000{n:04d}",
        "need_summary": "ERP rollout",
    }


async def file_via_api(
    bot: Bot, token: str, user: str, fields: dict[str, Any], **kw: Any
) -> Answer:
    return await call(bot, "POST", "/claims", token, json={"user_id": user, **fields}, **kw)


async def claim_count(bot: Bot) -> int:
    async with bot.rt.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(Claim)) or 0)


async def test_the_openapi_document_is_valid_and_names_every_endpoint(bot: Bot) -> None:
    answer = await call(bot, "GET", "/openapi.json")
    assert answer.status == 200
    validate(answer.body)
    paths = answer.body["paths"]
    for route in ROUTES:
        assert route.method.lower() in paths[f"/api/v1{route.path}"]
    filing = paths["/api/v1/claims"]["post"]
    assert filing["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/NewClaim"
    )
    assert set(filing["responses"]) >= {"200", "401", "403", "422", "429"}
    schemas = answer.body["components"]["schemas"]
    assert "user_id" in schemas["NewClaim"]["required"]


@pytest.mark.parametrize(("method", "path"), EVERY_ENDPOINT)
async def test_every_endpoint_refuses_a_missing_wrong_or_revoked_token(
    bot: Bot, method: str, path: str
) -> None:
    good = await new_token(bot, api_tokens.READ_WRITE)
    revoked = await new_token(bot, api_tokens.READ_WRITE)
    async with bot.rt.db.write() as session:
        await api_tokens.revoke(session, int(revoked.split("_")[1]), at=bot.clock.now())
    ident = good.split("_")[1]
    for header in (
        None,
        "Bearer ",
        "Bearer nonsense",
        f"Bearer cbt_{ident}_wrong-secret",
        f"Bearer cbt_99999_{good.split('_', 2)[2]}",
        f"Basic {good}",
        f"Bearer {revoked}",
    ):
        answer = await call(
            bot, method, path, headers={"Authorization": header} if header else {}, json={}
        )
        assert answer.status == 401, (header, answer)
        assert answer.code == "unauthorized"
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert await claim_count(bot) == 0


async def test_the_check_answers_what_claim_check_answers_and_no_more(bot: Bot) -> None:
    await bot.file_claim(BYTEDANCE | {"email": "zhang@bytedance.com"}, user=ALICE)
    token = await new_token(bot)
    answer = await call(bot, "GET", "/customers/check", token, params={"q": "字节跳动"})
    assert answer.status == 200
    [match] = answer.body["matches"]
    assert match["customer_name"] == BYTEDANCE["customer_name"]
    assert (match["status"], match["holder_id"], match["clear"]) == ("held", ALICE, True)
    assert match["holder_until"] is not None
    # Never the holder's contacts: the same privacy as /claim check.
    text = json.dumps(answer.body, ensure_ascii=False)
    for private in ("张三", "8613800138000", "zhang@bytedance.com", "CRM for 200 seats"):
        assert private not in text
    # The same function /claim check calls: the same customer and holder in Slack.
    reply = (await bot.command("check 字节跳动", user=BO)).json()
    assert BYTEDANCE["customer_name"] in reply["text"] and f"<@{ALICE}>" in reply["text"]
    by_phone = await call(bot, "GET", "/customers/check", token, params={"q": "138-0013-8000"})
    assert [m["matched_on"] for m in by_phone.body["matches"]] == ["phone"]
    nothing = await call(bot, "GET", "/customers/check", token, params={"q": "有限公司"})
    assert nothing.status == 422 and nothing.body["error"]["fields"][0]["field"] == "q"


async def test_claims_come_a_page_at_a_time_each_once_and_filtered(bot: Bot) -> None:
    writer = await new_token(bot, api_tokens.READ_WRITE)
    for n in range(5):
        filed = await file_via_api(bot, writer, ALICE if n % 2 == 0 else BO, company(n))
        assert filed.body["outcome"] == "claimed", filed
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = await call(bot, "GET", "/claims", writer, params=params)
        assert page.status == 200 and len(page.body["items"]) <= 2
        seen += [c["id"] for c in page.body["items"]]
        pages += 1
        cursor = page.body["next_cursor"]
        if cursor is None:
            break
    assert pages == 3 and seen == sorted(seen) and len(set(seen)) == 5
    mine = await call(bot, "GET", "/claims", writer, params={"owner_id": BO})
    assert [c["owner_id"] for c in mine.body["items"]] == [BO, BO]
    assert mine.body["items"][0]["phone"] == "+8613100000001"  # full details, as in the export
    active = await call(bot, "GET", "/claims", writer, params={"status": "active", "limit": 10})
    assert len(active.body["items"]) == 5
    bad = await call(bot, "GET", "/claims", writer, params={"status": "sleeping"})
    assert bad.status == 422 and bad.body["error"]["fields"][0]["field"] == "status"
    forged = await call(bot, "GET", "/claims", writer, params={"cursor": "not-a-cursor"})
    assert (forged.status, forged.code) == (422, "invalid_request")


async def test_a_claim_and_its_history_read_back_and_unknown_ids_are_404(bot: Bot) -> None:
    await bot.file_claim(BYTEDANCE, user=ALICE)
    token = await new_token(bot)
    listed = await call(bot, "GET", "/claims", token)
    claim_id = listed.body["items"][0]["id"]
    claim = await call(bot, "GET", f"/claims/{claim_id}", token)
    assert claim.status == 200
    assert (claim.body["owner_id"], claim.body["status"], claim.body["via"]) == (
        ALICE,
        "active",
        "form",
    )
    assert claim.body["profile"] == {}, "no profile fields in the default rules"
    history = await call(bot, "GET", f"/claims/{claim_id}/history", token)
    assert [e["type"] for e in history.body["events"]] == ["claim.filed", "claim.approved"]
    assert history.body["events"][0]["actor_id"] == ALICE
    for path in ("/claims/999", "/claims/abc", "/claims/999/history", "/customers/999"):
        answer = await call(bot, "GET", path, token)
        assert (answer.status, answer.code) == (404, "not_found"), path


async def test_a_filing_carries_the_customer_profile_checked_as_the_form_does(
    bot_factory: BotFactory,
) -> None:
    bot = await bot_factory(rules=Rules.model_validate({"form": {"profile": [
        {"key": "industry", "type": "select", "en": "Industry", "zh": "行业", "required": True,
         "options": ["finance", "retail"]},
        {"key": "tags", "type": "multi_select", "en": "Tags", "zh": "标签",
         "options": ["vip", "listed"]},
        {"key": "size", "type": "number", "en": "Employees", "zh": "员工数", "min": 1},
    ]}}))  # fmt: skip
    writer = await new_token(bot, api_tokens.READ_WRITE)
    missing = await file_via_api(bot, writer, ALICE, company(0))
    assert missing.status == 422
    assert missing.body["error"]["fields"][0]["field"] == "profile.industry"
    profile = {"industry": "finance", "tags": ["listed", "vip"], "size": 250}
    filed = await file_via_api(bot, writer, ALICE, company(0) | {"profile": profile})
    assert filed.status == 200 and filed.body["outcome"] == "claimed", filed.body
    read = await call(bot, "GET", f"/claims/{filed.body['claim_id']}", writer)
    assert read.body["profile"] == {"industry": "finance", "tags": ["vip", "listed"], "size": 250}


async def test_customers_list_with_holders_pages_and_filters(bot: Bot) -> None:
    writer = await new_token(bot, api_tokens.READ_WRITE)
    for n in range(3):
        await file_via_api(bot, writer, CAROL, company(n))
    first = await call(bot, "GET", "/customers", writer, params={"limit": 2})
    assert len(first.body["items"]) == 2 and first.body["next_cursor"]
    rest = await call(
        bot, "GET", "/customers", writer, params={"cursor": first.body["next_cursor"]}
    )
    assert len(rest.body["items"]) == 1 and rest.body["next_cursor"] is None
    customer = rest.body["items"][0]
    assert (customer["status"], customer["holder"]["owner_id"]) == ("held", CAROL)
    one = await call(bot, "GET", f"/customers/{customer['id']}", writer)
    assert one.body == customer
    pooled = await call(bot, "GET", "/customers", writer, params={"pooled": "true"})
    assert pooled.body["items"] == []


async def test_another_workspaces_token_sees_nothing_of_this_one(bot: Bot) -> None:
    await bot.file_claim(BYTEDANCE, user=ALICE)
    ours = await new_token(bot)
    theirs = await new_token(bot, api_tokens.READ_WRITE, workspace="T0OTHER")
    claim_id = (await call(bot, "GET", "/claims", ours)).body["items"][0]["id"]
    customer_id = (await call(bot, "GET", "/customers", ours)).body["items"][0]["id"]
    assert (await call(bot, "GET", "/claims", theirs)).body == {"items": [], "next_cursor": None}
    assert (await call(bot, "GET", "/customers", theirs)).body["items"] == []
    for path in (f"/claims/{claim_id}", f"/claims/{claim_id}/history", f"/customers/{customer_id}"):
        answer = await call(bot, "GET", path, theirs)
        assert (answer.status, answer.code) == (404, "not_found")
    check = await call(bot, "GET", "/customers/check", theirs, params={"q": "字节跳动"})
    assert check.body["matches"] == []


async def test_filing_for_a_rep_gives_the_forms_verdict_and_tells_the_rep_in_slack(
    bot: Bot,
) -> None:
    token = await new_token(bot, api_tokens.READ_WRITE)
    filed = await file_via_api(bot, token, ALICE, BYTEDANCE, headers={"Idempotency-Key": "crm-1"})
    assert filed.status == 200
    assert filed.body["outcome"] == "claimed" and filed.body["protection_until"]
    dm = await bot.fake.wait_for("chat.postMessage")
    assert dm[0].params["channel"] == ALICE
    assert BYTEDANCE["customer_name"] in dm[0].params["text"]
    # A retried request files nothing new.
    again = await file_via_api(bot, token, ALICE, BYTEDANCE, headers={"Idempotency-Key": "crm-1"})
    assert again.body["claim_id"] == filed.body["claim_id"] and again.body["replayed"] is True
    # A second rep collides, as through the form, and the holder is named.
    collision = await file_via_api(bot, token, BO, BYTEDANCE | {"phone": "139 0013 9000"})
    assert collision.body["outcome"] == "collision"
    assert collision.body["holder_id"] == ALICE
    assert await claim_count(bot) == 1
    history = await call(bot, "GET", f"/claims/{filed.body['claim_id']}/history", token)
    assert history.body["events"][0]["data"]["via"] == "api"


async def test_filing_checks_the_fields_the_user_and_the_scope(bot: Bot) -> None:
    reader = await new_token(bot)
    writer = await new_token(bot, api_tokens.READ_WRITE)
    refused = await file_via_api(bot, reader, ALICE, BYTEDANCE)
    assert (refused.status, refused.code) == (403, "insufficient_scope")
    bad = await file_via_api(
        bot, writer, ALICE, BYTEDANCE | {"phone": "12345", "contact_name": " "}
    )
    assert (bad.status, bad.code) == (422, "invalid_request")
    assert {f["field"] for f in bad.body["error"]["fields"]} == {"phone", "contact_name"}
    in_chinese = await file_via_api(
        bot, writer, ALICE, BYTEDANCE | {"phone": "12345"}, headers={"Accept-Language": "zh-CN"}
    )
    assert "电话" in in_chinese.body["error"]["fields"][0]["message"]
    stranger = await file_via_api(bot, writer, "U0NOBODY99", BYTEDANCE)
    assert (stranger.status, stranger.code) == (422, "unknown_user")
    bot.fake.inject("users.info", error="fatal_error")
    slack_down = await file_via_api(bot, writer, CAROL, BYTEDANCE)
    assert (slack_down.status, slack_down.code) == (503, "unavailable")
    assert slack_down.headers["Retry-After"] == "30"
    unknown_field = await file_via_api(bot, writer, ALICE, BYTEDANCE | {"owner": "me"})
    assert unknown_field.status == 422
    not_json = await call(bot, "POST", "/claims", writer, data=b"{oops")
    assert (not_json.status, not_json.code) == (422, "invalid_request")
    assert await claim_count(bot) == 0


async def test_each_token_has_its_own_rate_limit(bot_factory: BotFactory) -> None:
    bot = await bot_factory(rules=Rules.model_validate({"api": {"burst": 3, "rate_per_minute": 1}}))
    busy, quiet = await new_token(bot), await new_token(bot)
    answers = [await call(bot, "GET", "/claims", busy) for _ in range(4)]
    assert [a.status for a in answers] == [200, 200, 200, 429]
    assert answers[0].headers["X-RateLimit-Limit"] == "3"
    limited = answers[-1]
    assert limited.code == "rate_limited" and int(limited.headers["Retry-After"]) >= 1
    assert (await call(bot, "GET", "/claims", quiet)).status == 200


async def test_unknown_paths_and_methods_answer_json(bot: Bot) -> None:
    token = await new_token(bot)
    missing = await call(bot, "GET", "/nowhere", token)
    assert (missing.status, missing.code) == (404, "not_found")
    wrong = await call(bot, "DELETE", "/claims", token)
    assert (wrong.status, wrong.code) == (405, "method_not_allowed")


async def test_a_filing_through_the_api_racing_one_through_slack_makes_one_owner(
    bot_factory: BotFactory, database_url: str
) -> None:
    # Two replicas on one database: Slack reaches one, the CRM the other.
    slack_side = await bot_factory(database_url=database_url)
    api_side = await bot_factory(database_url=database_url, migrate=False)
    token = await new_token(api_side, api_tokens.READ_WRITE)
    for n in range(4):
        fields = company(n)
        view = await slack_side.open_form(user=ALICE)
        form, api = await asyncio.gather(
            slack_side.submit(view, fields, user=ALICE),
            file_via_api(api_side, token, BO, fields | {"phone": f"139{n:08d}"}),
        )
        form_verdict = json.dumps(form.json()["view"], ensure_ascii=False)
        async with slack_side.rt.db.session() as session:
            holders = (
                await session.scalars(
                    select(Claim.owner_id).where(Claim.customer_name == fields["customer_name"])
                )
            ).all()
        assert len(holders) == 1, holders
        if holders[0] == BO:
            assert api.body["outcome"] == "claimed"
            assert "Already claimed" in form_verdict and f"<@{BO}>" in form_verdict
        else:
            assert "The customer is yours" in form_verdict
            assert api.body["outcome"] == "collision" and api.body["holder_id"] == ALICE


async def test_the_team_filter_is_the_same_team_rule_as_everywhere(
    bot_factory: BotFactory,
) -> None:
    bot = await bot_factory(rules=team_rules())  # East: Mei manages Alice and Bo
    writer = await new_token(bot, api_tokens.READ_WRITE)
    for n, user in enumerate((ALICE, BO, CAROL)):
        assert (await file_via_api(bot, writer, user, company(n))).body["outcome"] == "claimed"
    everyone = (await call(bot, "GET", "/claims", writer)).body["items"]
    east = next(c["team_id"] for c in everyone if c["owner_id"] == ALICE)
    assert east is not None
    listed = await call(bot, "GET", "/claims", writer, params={"team_id": east})
    assert sorted(c["owner_id"] for c in listed.body["items"]) == sorted([ALICE, BO])
    alone = await call(bot, "GET", "/claims", writer, params={"team_id": east, "owner_id": CAROL})
    assert alone.body["items"] == []
