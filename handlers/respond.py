"""``respond()`` that outlives its response_url.

Slack lets a response_url carry five messages in the 30 minutes after the click or command, and
answers 404 (``used_url``, ``expired_url``) after that, which bolt's ``respond()`` returns
without raising: the answer would be lost without a word. This one then shows it to the user
another way: ephemerally in the same conversation, or, where the bot cannot post (a channel it is
not in), in the user's DM with the bot.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from aiohttp import ClientError
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.models.attachments import Attachment
from slack_sdk.models.blocks import Block
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook import WebhookResponse

log = logging.getLogger(__name__)

# What Slack answers on a response_url that is used up or has expired.
URL_GONE_STATUS = 404


class LastingRespond(AsyncRespond):
    """bolt's ``respond()``, falling back to chat.postEphemeral or a DM once the URL is gone."""

    def __init__(
        self,
        *,
        response_url: str,
        client: AsyncWebClient,
        user_id: str,
        channel_id: str | None,
    ) -> None:
        super().__init__(response_url=response_url, proxy=client.proxy, ssl=client.ssl)
        self.client, self.user_id, self.channel_id = client, user_id, channel_id

    async def __call__(
        self,
        text: str | dict[str, Any] = "",
        blocks: Sequence[dict[str, Any] | Block] | None = None,
        attachments: Sequence[dict[str, Any] | Attachment] | None = None,
        response_type: str | None = None,
        replace_original: bool | None = None,
        delete_original: bool | None = None,
        unfurl_links: bool | None = None,
        unfurl_media: bool | None = None,
        thread_ts: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> WebhookResponse:
        answer = await super().__call__(
            text, blocks, attachments, response_type, replace_original, delete_original,
            unfurl_links, unfurl_media, thread_ts, metadata,
        )  # fmt: skip
        wanted = dict(text) if isinstance(text, dict) else {"text": text, "blocks": blocks}
        if answer.status_code == URL_GONE_STATUS and not wanted.get("delete_original"):
            log.info("response_url gone (%s); answering %s directly", answer.body, self.user_id)
            await self._post_instead(str(wanted.get("text") or ""), wanted.get("blocks"))
        return answer

    async def _post_instead(self, text: str, blocks: Any) -> None:
        try:
            if self.channel_id:
                try:
                    await self.client.chat_postEphemeral(
                        channel=self.channel_id, user=self.user_id, text=text, blocks=blocks
                    )
                    return
                except SlackApiError as exc:
                    log.info("ephemeral answer refused (%s): DM instead", exc.response.get("error"))
            await self.client.chat_postMessage(channel=self.user_id, text=text, blocks=blocks)
        except (SlackApiError, ClientError, OSError, TimeoutError) as exc:
            log.warning("could not answer %s at all: %s", self.user_id, exc)
