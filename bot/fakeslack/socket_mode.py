"""Slack's Socket Mode, faked: ``apps.connections.open`` hands out a WebSocket URL on the fake;
the test pushes envelopes (slash commands, interactivity, events) down it and reads the acks."""

from __future__ import annotations

import asyncio
import itertools
import json
from typing import Any

from aiohttp import WSMsgType, web

JSONDict = dict[str, Any]


class SocketModeEndpoint:
    """The WebSocket side of Socket Mode for one app connection at a time."""

    def __init__(self) -> None:
        self._socket: web.WebSocketResponse | None = None
        self._connected = asyncio.Event()
        self._acks: dict[str, asyncio.Future[JSONDict]] = {}
        self._ids = itertools.count(1)

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """The app connects here (the URL apps.connections.open returned)."""
        socket = web.WebSocketResponse(autoping=True)
        await socket.prepare(request)
        self._socket = socket
        await socket.send_json(
            {
                "type": "hello",
                "num_connections": 1,
                "debug_info": {"host": "fake-slack", "approximate_connection_time": 3600},
                "connection_info": {"app_id": "A1"},
            }
        )
        self._connected.set()
        async for message in socket:
            if message.type != WSMsgType.TEXT:
                continue
            body = json.loads(message.data)
            future = self._acks.pop(str(body.get("envelope_id")), None)
            if future is not None and not future.done():
                future.set_result(body)
        self._connected.clear()
        self._socket = None
        return socket

    async def wait_connected(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        await asyncio.wait_for(self._connected.wait(), timeout=timeout)

    async def send(
        self,
        kind: str,
        payload: JSONDict,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> JSONDict:
        """Push one envelope and return the app's ack (``{"envelope_id", "payload"?}``)."""
        await self.wait_connected()
        assert self._socket is not None
        envelope_id = f"env-{next(self._ids)}"
        future: asyncio.Future[JSONDict] = asyncio.get_running_loop().create_future()
        self._acks[envelope_id] = future
        await self._socket.send_json(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": kind != "events_api",
                "retry_attempt": 0,
                "retry_reason": "",
            }
        )
        return await asyncio.wait_for(future, timeout=timeout)
