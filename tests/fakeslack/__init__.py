"""A strict fake of Slack for end-to-end tests: Web API server, payload shapes, validation.

``FakeSlack`` answers the Web API the app calls; ``tests.slackreq.SlackRequester`` sends signed,
Slack-shaped requests to the app; ``validation`` holds the rules both use. A typical test::

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

from tests.fakeslack.records import Call, Message, ResponsePost, Upload
from tests.fakeslack.server import FakeSlack
from tests.fakeslack.validation import validate_ack_body, validate_message, validate_view
from tests.fakeslack.workspace import Identity

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
