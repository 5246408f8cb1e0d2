"""httpx transports that watch or break the wire under a real client (network seams only)."""

from __future__ import annotations

import time

import httpx


class Recording(httpx.AsyncBaseTransport):
    """Passes every request to the real network transport and keeps a copy and its time."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.requests: list[httpx.Request] = []
        self.sent_at: list[float] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.sent_at.append(time.monotonic())
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()

    def of(self, method: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == method]


class RefuseFirstConnects(Recording):
    """The first `count` requests fail to connect, as a refused TCP connection does."""

    def __init__(self, count: int) -> None:
        super().__init__()
        self.remaining = count

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.remaining > 0:
            self.remaining -= 1
            raise httpx.ConnectError("connection refused", request=request)
        return await super().handle_async_request(request)


class SettingCookies(Recording):
    """Every answer sets a cookie, as a hostile server or a misrouted proxy might."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        response.headers["Set-Cookie"] = "session=planted; Path=/"
        return response
