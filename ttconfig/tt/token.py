"""The access token: fetched on first use, refreshed before it expires, one refresh at a time."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from ttconfig.tt.pacing import Clock
from ttconfig.tt.secret import Secret

Fetch = Callable[[], Awaitable[tuple[Secret, float]]]
"""Requests a new token; returns it and its `seconds_until_expiry`."""


@dataclass(frozen=True)
class _Held:
    token: Secret
    refresh_at: float


class TokenManager:
    """Hands out a valid token; concurrent callers share one refresh.

    The lifetime is counted from when the request for the token was sent (monotonic clock),
    which is never later than when TT started counting, and the token is replaced once
    less than min(max_margin, fraction × lifetime) remains.
    """

    def __init__(self, fetch: Fetch, *, margin_fraction: float, max_margin: float,
                 clock: Clock = time.monotonic) -> None:
        self._fetch = fetch
        self._margin_fraction, self._max_margin = margin_fraction, max_margin
        self._clock = clock
        self._held: _Held | None = None
        self._lock = asyncio.Lock()
        self.issued: list[Secret] = []
        """Every token this client was given: server text is scrubbed of each."""
        self.lifetime: float | None = None
        """The last token's lifetime as TT gave it (seconds)."""
        self.fetches = 0

    def _valid(self) -> Secret | None:
        held = self._held
        if held is not None and self._clock() < held.refresh_at:
            return held.token
        return None

    async def get(self) -> Secret:
        token = self._valid()
        if token is not None:
            return token
        async with self._lock:
            token = self._valid()
            if token is not None:
                return token
            asked_at = self._clock()
            token, lifetime = await self._fetch()
            self.issued.append(token)
            self.lifetime = lifetime
            self.fetches += 1
            margin = min(self._max_margin, self._margin_fraction * lifetime)
            self._held = _Held(token, asked_at + lifetime - margin)
            return token

    def invalidate(self, token: Secret) -> None:
        """Drop `token` (TT refused it); a newer token fetched meanwhile is kept."""
        if self._held is not None and self._held.token == token:
            self._held = None
