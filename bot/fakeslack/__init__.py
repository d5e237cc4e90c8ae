"""A strict fake of Slack: Web API server, payload shapes, validation, signed requests.

The end-to-end tests and ``claimbot playground`` share it. ``FakeSlack`` answers the Web API the
app calls; ``bot.fakeslack.slackreq.SlackRequester`` sends signed, Slack-shaped requests to the
app; ``validation`` holds the rules both use. A typical test::

    async def test_claiming(fake_slack, app_url):
        fake_slack.add_user("U1", name="wang.fang", locale="zh-CN")
        slack = SlackRequester(app_url, SIGNING_SECRET, fake=fake_slack)

        assert (await slack.command("", user="U1")).status == 200
        await fake_slack.wait_for("views.open")
        answer = await slack.view_submission(
            fake_slack.latest_view("claim_form"), {"customer_name": "字节跳动"}, user="U1"
        )
        assert validate_ack_body(answer.text, submitted_view=fake_slack.latest_view()) == []
        [message] = await fake_slack.wait_for("chat.postMessage")

The ``fake_slack`` fixture (``tests.fakeslack.pytest_plugin``) fails the test at teardown if the
app sent anything Slack would have refused.
"""

from bot.fakeslack.records import Call, Message, ResponsePost, Upload
from bot.fakeslack.server import FakeSlack
from bot.fakeslack.validation import validate_ack_body, validate_message, validate_view
from bot.fakeslack.workspace import Identity

__all__ = [
    "Call",
    "FakeSlack",
    "Identity",
    "Message",
    "ResponsePost",
    "Upload",
    "validate_ack_body",
    "validate_message",
    "validate_view",
]
