"""Multi-workspace mode: workspaces install Claimbot through Slack's OAuth flow, each request and
each background message uses its own workspace's token, and no workspace sees another's data."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio
import yaml
from sqlalchemy import func, select

from bot.fakeslack.slackreq import SlackRequester
from bot.slack_client import BOT_SCOPES
from store.models import SLACK_BOTS, Claim
from tests.e2e.conftest import ALICE, BO, SIGNING_SECRET, Bot, BotFactory

FORM = {
    "customer_name": "北京字节跳动科技有限公司",
    "contact_name": "张三",
    "phone": "138 0013 8000",
    "need_summary": "CRM",
}


@pytest_asyncio.fixture
async def oauth_bot(bot_factory: BotFactory) -> Bot:
    return await bot_factory(bot_token=None, client_id="111.222", client_secret="shh")


@pytest_asyncio.fixture
async def browser() -> AsyncIterator[aiohttp.ClientSession]:
    # The OAuth flow checks that the redirect comes back to the browser that started it (a
    # cookie); the loopback address needs an "unsafe" jar to keep cookies at all.
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        yield session


async def install(bot: Bot, browser: aiohttp.ClientSession, code: str) -> str:
    """Walk the install flow as an admin's browser would; returns the success page.

    The state cookie is marked Secure (production runs behind HTTPS), so over the test's plain
    HTTP the "browser" carries it back by hand, as a browser would over HTTPS.
    """
    async with browser.get(f"{bot.url}/slack/install", allow_redirects=False) as response:
        page = await response.text()
        assert response.status in (200, 302)
        target = response.headers.get("Location") or page
        cookies = "; ".join(f"{name}={morsel.value}" for name, morsel in response.cookies.items())
    authorize = re.search(r"https://slack\.com/oauth/v2/authorize\?[^\"' ]+", target)
    assert authorize, target
    state = re.search(r"state=([^&\"' ]+)", authorize.group(0))
    assert state
    scopes = re.search(r"scope=([^&\"' ]+)", authorize.group(0))
    assert scopes and set(
        scopes.group(1).replace("%3A", ":").replace("%2C", ",").split(",")
    ) == set(BOT_SCOPES)
    async with browser.get(
        f"{bot.url}/slack/oauth_redirect",
        params={"code": code, "state": state.group(1)},
        headers={"Cookie": cookies},
    ) as response:
        assert response.status == 200, await response.text()
        return await response.text()


def test_the_manifest_asks_for_exactly_the_scopes_the_install_flow_requests() -> None:
    with open("manifest.yaml", encoding="utf-8") as file:
        manifest = yaml.safe_load(file)
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == set(BOT_SCOPES)


async def test_two_workspaces_install_and_never_see_each_other(
    oauth_bot: Bot, browser: aiohttp.ClientSession
) -> None:
    fake = oauth_bot.fake
    fake.add_installation("code-acme", team_id="T1", team_name="Acme", bot_token="xoxb-acme")
    fake.add_installation("code-beta", team_id="T2", team_name="Beta", bot_token="xoxb-beta")
    await install(oauth_bot, browser, "code-acme")
    await install(oauth_bot, browser, "code-beta")

    acme = SlackRequester(oauth_bot.url, SIGNING_SECRET, team_id="T1", fake=fake)
    beta = SlackRequester(oauth_bot.url, SIGNING_SECRET, team_id="T2", fake=fake)

    # A rep in Acme claims a customer; Acme's token answers Acme's requests.
    assert (await acme.command("", user=ALICE)).status == 200
    opened = await fake.wait_for("views.open")
    assert opened[-1].token == "xoxb-acme"
    view = fake.latest_view()
    filed = (await acme.view_submission(view, FORM, user=ALICE)).json()
    assert "The customer is yours" in str(filed["view"])

    # Beta has never heard of it: its check finds nothing and its rep can claim it in Beta.
    answer = (await beta.command("check 字节跳动", user=BO)).json()
    assert "没有" in answer["text"] and "北京字节跳动" not in answer["text"]
    assert (await beta.command("", user=BO)).status == 200
    opened = await fake.wait_for("views.open", count=2)
    assert opened[-1].token == "xoxb-beta"
    filed = (await beta.view_submission(fake.latest_view(), FORM, user=BO)).json()
    assert "报备成功" in str(filed["view"])

    # The verdict DMs are sent by the outbox, each with its own workspace's token.
    await fake.wait_until(lambda: len(fake.calls_to("chat.postMessage", delivered=True)) >= 2)
    tokens = {c.params["channel"]: c.token for c in fake.calls_to("chat.postMessage")}
    assert tokens[ALICE] == "xoxb-acme" and tokens[BO] == "xoxb-beta"
    async with oauth_bot.rt.db.session() as session:
        per_workspace = dict(
            (
                await session.execute(
                    select(Claim.workspace_id, func.count()).group_by(Claim.workspace_id)
                )
            ).all()
        )
    assert per_workspace == {"T1": 1, "T2": 1}


async def test_a_workspace_that_never_installed_is_refused(oauth_bot: Bot) -> None:
    stranger = SlackRequester(oauth_bot.url, SIGNING_SECRET, team_id="T9", fake=oauth_bot.fake)
    result = await stranger.command("help", user=ALICE)
    assert result.status == 200
    told = await oauth_bot.fake.wait_for_responses(1)
    assert "not installed in this workspace" in told[0].body["text"]
    assert "尚未安装到此工作区" in told[0].body["text"]
    assert oauth_bot.fake.calls_to("views.open") == []


@pytest.mark.parametrize("code", ["code-never-issued"])
async def test_a_forged_redirect_installs_nothing(
    oauth_bot: Bot, browser: aiohttp.ClientSession, code: str
) -> None:
    async with browser.get(
        f"{oauth_bot.url}/slack/oauth_redirect", params={"code": code, "state": "forged"}
    ) as response:
        assert response.status in (400, 401, 403)
    async with oauth_bot.rt.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(SLACK_BOTS)) == 0
