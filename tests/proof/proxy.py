"""A loopback TCP proxy in front of the sandbox that can make TT unreachable.

`refuse(seconds)` cuts every open connection and closes the listening socket, so new
connections are refused (ECONNREFUSED) until it listens again on the same port. That is
what a client sees when TT's load balancer or the network goes away mid-run, which an HTTP
server cannot imitate from inside a request.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import threading
from types import TracebackType


class Proxy:
    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = _free_port()
        self.refusals = 0
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Proxy:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._listen(), self._loop).result(5)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def refuse(self, seconds: float) -> None:
        """From any thread: drop every connection now and refuse new ones for `seconds`."""
        self.refusals += 1
        asyncio.run_coroutine_threadsafe(self._outage(seconds), self._loop)

    def wait_listening(self) -> None:
        """Block until the proxy listens again (after the last outage)."""
        asyncio.run_coroutine_threadsafe(self._until_listening(), self._loop).result(10)

    async def _outage(self, seconds: float) -> None:
        await self._close()
        await asyncio.sleep(seconds)
        if self._server is None:
            await self._listen()

    async def _until_listening(self) -> None:
        while self._server is None:
            await asyncio.sleep(0.01)

    async def _listen(self) -> None:
        for _ in range(100):  # the port may linger a moment after close
            try:
                self._server = await asyncio.start_server(self._pipe, "127.0.0.1", self.port,
                                                          reuse_address=True)
                return
            except OSError:
                await asyncio.sleep(0.01)
        raise RuntimeError(f"cannot listen on 127.0.0.1:{self.port} again")

    async def _close(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for writer in list(self._open):
            _reset(writer)
        self._open.clear()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            _reset(writer)
            return
        self._open |= {writer, up_writer}
        await asyncio.gather(_copy(reader, up_writer), _copy(up_reader, writer))
        self._open -= {writer, up_writer}


async def _copy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError, asyncio.IncompleteReadError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    with contextlib.suppress(OSError):
        writer.close()


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with RST, as a vanished peer does (no orderly FIN)."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
