"""A TCP proxy on 127.0.0.1 that a test can cut and restore, to take a database away and back."""

from __future__ import annotations

import asyncio
import contextlib


class TcpProxy:
    """Forwards connections to ``target``; :meth:`cut` drops them all and refuses new ones;
    :meth:`hang` keeps accepting but answers nothing (a database that is up but stuck)."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self.cut_off = False
        self.hanging = False
        self._held: set[asyncio.StreamWriter] = set()

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def stop(self) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    def cut(self) -> None:
        """Drop every open connection; new ones are closed on arrival."""
        self.cut_off = True
        for writer in [*self._open, *self._held]:
            writer.transport.abort()
        self._open.clear()
        self._held.clear()

    def hang(self) -> None:
        """Swallow everything from now on: connections open, bytes vanish, nothing comes back."""
        self.hanging = True

    def restore(self) -> None:
        self.cut_off = False
        if self.hanging:
            # What was swallowed broke those sessions' protocol: drop them so clients reconnect.
            self.hanging = False
            for writer in [*self._open, *self._held]:
                writer.transport.abort()
            self._open.clear()
            self._held.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.cut_off:
            writer.transport.abort()
            return
        if self.hanging:
            self._held.add(writer)
            with contextlib.suppress(ConnectionError, OSError):
                while await reader.read(65536):
                    pass
            self._held.discard(writer)
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._open.update((writer, up_writer))
        for source, sink in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.create_task(self._pipe(source, sink))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _pipe(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        try:
            while data := await source.read(65536):
                if self.hanging:
                    continue
                sink.write(data)
                await sink.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            self._open.discard(sink)
            sink.transport.abort()
