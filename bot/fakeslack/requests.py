"""Reading Web API requests the way Slack does: any encoding, token in header or body."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import BodyPartReader, web

from bot.fakeslack.records import JSONDict

# Fields slack_sdk sends as JSON inside a form field; decoded so tests see structures.
JSON_FIELDS = frozenset({"blocks", "attachments", "view", "files", "metadata"})


async def read_params(request: web.Request) -> tuple[JSONDict, list[str]]:
    """Merge query string, form and JSON body; return them with any decoding problems."""
    params: JSONDict = dict(request.query)
    problems: list[str] = []
    if request.content_type == "application/json":
        body: Any = None
        try:
            body = await request.json()
        except ValueError:
            problems.append("request body is not valid JSON")
        if isinstance(body, dict):
            params.update(body)
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        params.update({k: v for k, v in form.items() if isinstance(v, str)})
    for key in JSON_FIELDS & params.keys():
        if isinstance(params[key], str):
            try:
                params[key] = json.loads(params[key])
            except ValueError:
                problems.append(f"{key} is not valid JSON")
    return params, problems


async def read_upload(request: web.Request) -> bytes:
    """The file bytes of an upload-URL post: the raw body, or the file part of a form."""
    if request.content_type == "multipart/form-data":
        reader = await request.multipart()
        async for part in reader:
            if isinstance(part, BodyPartReader) and part.filename:
                return bytes(await part.read())
        return b""
    return await request.read()


def token_of(request: web.Request, params: JSONDict) -> str | None:
    """The token from ``Authorization: Bearer`` or a ``token`` field (removed from params)."""
    token = params.pop("token", None)
    auth = request.headers.get("Authorization", "")
    if auth.startswith("Bearer "):
        token = auth.removeprefix("Bearer ").strip() or token
    return token or None
