"""The playground's page in a real browser: what reps and managers see, screenshots included.

Each scenario runs a freshly seeded ``claimbot playground`` and drives headless Chromium the way a
person would (typing /claim, filling the modal, clicking buttons, moving the clock), then asserts
the words on the screen. The screenshots go to docs/screenshots/ for the README.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.playground.browser import ADAM, APPROVALS, CHEN, EMMA, LI, POOL, WANG, ZHAO, Page

pytestmark = pytest.mark.slow

NEW_CUSTOMER = {
    "customer_name": "上海浦江智造科技有限公司",
    "contact_name": "刘洋",
    "phone": "13917770101",
    "need_summary": "两条产线的 MES 系统",
}


def file_claim(page: Page, answers: dict[str, str], *, shot: str | None = None) -> None:
    """/claim in the DM, the form filled and submitted."""
    page.command("/claim")
    page.modal("claim_form")
    page.fill(answers)
    if shot:
        page.shot(shot)
    page.submit()


def test_a_rep_files_a_claim_and_reads_the_verdict(page: Page) -> None:
    page.act_as(WANG)
    page.command("/claim")
    page.modal("claim_form")
    page.fill(NEW_CUSTOMER | {"phone": "12"})
    page.submit()  # the bot answers response_action "errors": shown on the field
    on_phone = '.block.input-block.has-error[data-block-id="phone"] .field-error'
    page.wait(lambda: page.text(on_phone).strip(), what="the phone field shows no error")
    page.driver.execute_script("document.querySelector('dialog.modal .modal-body').scrollTop = 0")
    page.shot("claim-form")
    page.fill({"phone": NEW_CUSTOMER["phone"]})
    page.submit()

    verdict = page.wait_text("dialog.modal, #messages", "上海浦江智造科技有限公司")
    assert "报备成功" in verdict or "已通过" in verdict or "保护" in verdict, verdict
    page.shot("verdict")
    assert page.text("#violations") == ""


def test_a_variant_spelling_collides_and_the_holder_is_told(page: Page) -> None:
    # 上海云帆信息科技有限公司 is 王芳's (seeded); 李强 tries it under a looser name.
    from selenium.webdriver.common.keys import Keys

    page.act_as(LI)
    page.command("/claim")
    page.modal("claim_form")
    page.fill({"customer_name": "上海云帆信息科技"})
    page.find('dialog.modal [data-key="customer_name/customer_name"]').send_keys(Keys.ENTER)
    hint = page.wait_text("dialog.modal", "王芳")  # the live hint, by views.update
    assert "上海云帆信息科技有限公司" in hint
    page.click("dialog.modal .modal-x")
    file_claim(
        page,
        {
            "customer_name": "上海云帆信息科技",
            "contact_name": "周杰",
            "phone": "13800001111",
            "need_summary": "云桌面",
        },
    )
    answer = page.wait_text("dialog.modal, #messages", "王芳")
    assert "上海云帆" in answer
    page.shot("collision")

    page.act_as(WANG)
    told = page.wait_text("#messages", "李强")
    assert "上海云帆" in told


def test_a_held_back_claim_is_approved_by_the_manager(page: Page) -> None:
    page.act_as(CHEN)  # a partner: every claim of theirs waits for a manager
    file_claim(
        page,
        {
            "customer_name": "杭州西溪数字传媒有限公司",
            "contact_name": "何静",
            "phone": "13905710999",
            "need_summary": "直播间整体方案",
        },
    )
    page.wait_text("dialog.modal, #messages", "杭州西溪数字传媒")

    page.act_as(ZHAO)
    page.click("#tab-home")
    waiting = page.wait_text("#home", "杭州西溪数字传媒")
    assert "待你审批（1）" in waiting
    page.shot("home-manager")
    page.open(APPROVALS)
    card = page.wait_text("#messages", "杭州西溪数字传媒")
    assert "陈立" in card
    page.shot("approval-card")
    page.click_button("#messages", "通过")
    page.click("dialog.confirm-dialog .confirm-ok")  # the button asks first
    page.wait_text("#messages", "已通过")

    page.act_as(CHEN)
    page.wait_text("#messages", "已通过")


def test_the_home_tab_of_a_rep_and_of_a_manager(page: Page) -> None:
    page.act_as(WANG)
    page.click("#tab-home")
    home = page.wait_text("#home", "上海云帆信息科技有限公司")
    assert "新建报备" in home or "报备" in home
    page.shot("home-rep")

    page.act_as(ZHAO)
    page.click("#tab-home")
    home = page.wait_text("#home", "华东销售")
    assert "待你审批" in home and "团队需关注的报备" in home


def test_advancing_the_clock_past_the_reclaim_puts_the_customer_in_the_pool(page: Page) -> None:
    page.act_as(WANG)
    file_claim(page, NEW_CUSTOMER)
    page.wait_text("dialog.modal, #messages", "上海浦江智造科技有限公司")
    page.click("dialog.modal .modal-x")

    for _ in range(3):  # three weeks without a follow-up
        page.click("#clock-week")
        page.wait(lambda: page.find("#clock-week").is_enabled())
    told = page.wait_text("#messages", "客户已回收至公海")
    assert "上海浦江智造科技有限公司" in told.split("客户已回收至公海")[-1]

    page.act_as(LI)
    page.open(POOL)
    page.wait_text("#messages", "上海浦江智造科技有限公司")
    page.shot("pool")
    page.click_in_message("上海浦江智造科技有限公司", "报备")
    taken = page.wait_text("#messages", "已从公海报备")
    assert "李强" in taken


def test_an_english_rep_reads_english_and_sees_the_stats_chart(page: Page) -> None:
    page.act_as(EMMA)
    assert page.text("#act-as-label") == "Act as"
    page.command("/claim stats")
    page.wait(
        lambda: page.driver.execute_script(
            "const i = document.querySelector('#messages .file img');"
            "return i && i.complete && i.naturalWidth > 0;"
        ),
        what="the stats chart never showed",
    )
    assert "Claim numbers" in page.text("#messages") or "claims" in page.text("#messages")
    page.shot("stats")


@pytest.mark.parametrize(("person", "zone"), [(WANG, "Asia/Shanghai"), (ADAM, "Europe/London")])
def test_mrkdwn_is_drawn_as_slack_draws_it(page: Page, person: str, zone: str) -> None:
    page.act_as(person)
    epoch = 1_796_000_000
    source = (
        "*bold* _italic_ ~gone~ `code` a &lt;b&gt; &amp; c <@U0PGWANG01> "
        f"<https://example.com/x?a=1&amp;b=2|the site> <!date^{epoch}^{{date_num}} {{time}}|fallback>"
        "\n> quoted line"
    )
    html = page.driver.execute_script("return mrkdwn(arguments[0], context(page.state));", source)
    assert "<b>bold</b>" in html and "<i>italic</i>" in html and "<s>gone</s>" in html
    assert "<code>code</code>" in html and "a &lt;b&gt; &amp; c" in html
    assert '<span class="mention">@王芳</span>' in html
    assert 'href="https://example.com/x?a=1&amp;b=2"' in html and ">the site</a>" in html
    assert "<blockquote>quoted line</blockquote>" in html
    shown = datetime.fromtimestamp(epoch, ZoneInfo(zone))
    assert shown.strftime("%Y-%m-%d") in html
    assert f"{shown.minute:02d}" in html and str(shown.hour % 12 or 12) in html
