"""Hostile and broken TT servers on loopback: real sockets, raw HTTP/1.1, each misbehaving
in one way after answering the token request as TT does.

`HostileServer(behaviour)` runs an asyncio server in a thread; `behaviour(request)` returns
what to do with every request but the token's: an `Answer` (status, headers, body chunks,
a pause between chunks). The benchmark (benchmarks/hostile.py) and the tests share them.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import itertools
import json
import threading
import zlib
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ttconfig.tt.config import ClientConfig, Credentials, RetryPolicy
from ttconfig.tt.secret import Secret

TOKEN = "tok-3c1e9f0a7b2d4e6f8a9b0c1d2e3f4a5b"
KEY, SECRET = "key-0a1b2c3d4e5f6a7b", "secret-9f8e7d6c5b4a3f2e"


@dataclass
class Request:
    method: str
    target: str
    headers: dict[str, str]


@dataclass
class Answer:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    chunks: Iterable[bytes] | AsyncIterator[bytes] = ()
    pause: float = 0.0
    """Seconds between chunks (a trickle)."""


Behaviour = Callable[[Request], Answer]


def ok(data: dict[str, Any], **headers: str) -> Answer:
    return Answer(200, {"content-type": "application/json", **headers},
                  [json.dumps({"status": "Ok", **data}).encode()])


def gzip_bomb(decompressed: int) -> Answer:
    """A small gzip body that inflates to `decompressed` bytes of JSON-looking zeros."""
    out = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"0" * 2**20
    parts = [out.compress(b'{"status": "Ok", "accounts": "')]
    for _ in range(decompressed // len(block)):
        parts.append(out.compress(block))
    parts.append(out.compress(b'"}') + out.flush())
    return Answer(200, {"content-type": "application/json", "content-encoding": "gzip"},
                  [b"".join(parts)])


def endless_json() -> Answer:
    """A chunked body that never ends: 64 KiB after 64 KiB of one JSON string."""
    def chunks() -> Iterable[bytes]:
        yield b'{"status": "Ok", "accounts": "'
        yield from itertools.repeat(b"x" * 65536)
    return Answer(200, {"content-type": "application/json"}, chunks())


def endless_pages() -> Behaviour:
    """A listing that always says more pages follow, with a fresh nextPageKey."""
    pages = itertools.count()
    return lambda request: ok({"accounts": [{"id": 1, "name": "A"}], "lastPage": "false",
                               "nextPageKey": f"page-{next(pages)}"})


def trickle(every: float) -> Answer:
    """A 200 whose body arrives a byte every `every` seconds, for ever."""
    return Answer(200, {"content-type": "application/json"},
                  itertools.chain([b'{"status": "Ok", '], itertools.repeat(b" ")), every)


class HostileServer:
    """A loopback HTTP/1.1 server that answers the token request and misbehaves otherwise."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.requests: list[Request] = []
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.port = 0

    def __enter__(self) -> HostileServer:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
        self._thread.join(10)

    async def _shutdown(self) -> None:
        """Every connection closed (a trickle never ends by itself), then the loop."""
        self._server.close()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self._server.wait_closed()
        self._loop.call_soon(self._loop.stop)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def config(self, **options: Any) -> ClientConfig:
        retry = options.pop("retry", RetryPolicy(max_attempts=2, base_seconds=0.01,
                                                 cap_seconds=0.02))
        return ClientConfig(environment="ext_uat_cert", base_url=self.base_url,
                            credentials=Credentials(Secret(KEY), Secret(SECRET)),
                            usage_plan="high", post_pause_seconds=0.0, retry=retry, **options)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._serve, "127.0.0.1", 0))
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()
        self._loop.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request = await _read_request(reader)
                if request is None:
                    return
                self.requests.append(request)
                answer = (ok({"access_token": TOKEN, "seconds_until_expiry": 43199})
                          if request.method == "POST" and "/ttid/" in request.target
                          else self.behaviour(request))
                await _write_answer(writer, answer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            return  # (cancelled: the server is shutting down)
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()


async def _read_request(reader: asyncio.StreamReader) -> Request | None:
    line = await reader.readline()
    if not line:
        return None
    method, target, _ = line.decode().split(" ", 2)
    headers = {}
    while (header := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = header.decode().partition(":")
        headers[name.strip().lower()] = value.strip()
    await reader.readexactly(int(headers.get("content-length", "0")))
    return Request(method, target, headers)


async def _write_answer(writer: asyncio.StreamWriter, answer: Answer) -> None:
    head = [f"HTTP/1.1 {answer.status} Whatever", "transfer-encoding: chunked",
            *(f"{k}: {v}" for k, v in answer.headers.items())]
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode())
    chunks = answer.chunks
    iterator = chunks if isinstance(chunks, AsyncIterator) else _aiter(chunks)
    async for chunk in iterator:
        writer.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        await writer.drain()
        if answer.pause:
            await asyncio.sleep(answer.pause)
    writer.write(b"0\r\n\r\n")
    await writer.drain()


async def _aiter(chunks: Iterable[bytes]) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk


__all__ = ["KEY", "SECRET", "TOKEN", "Answer", "HostileServer", "Request", "endless_json",
           "endless_pages", "gzip", "gzip_bomb", "ok", "trickle"]
