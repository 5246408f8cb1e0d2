"""Keeping to TT's request rules in time: the usage-plan rate and the pause after a write.

Both use an injected monotonic clock and sleep, so tests can run them on a fake clock.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class RateLimiter:
    """Spaces request starts at least 1/rate apart, measured when each actually starts.

    Callers queue in order behind a lock; each sleeps until the interval after the previous
    start has passed and stamps its own start when it wakes. A wake-up that comes late (a
    stalled event loop, a busy machine) therefore never lets the requests queued behind it
    go at once: the gap is kept from the real start, not from a slot reserved in advance.
    """

    def __init__(self, rate: float, clock: Clock = time.monotonic,
                 sleep: Sleep = asyncio.sleep) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.interval = 1.0 / rate
        self._clock, self._sleep = clock, sleep
        self._next = float("-inf")
        self._queue = asyncio.Lock()
        self.waited_seconds = 0.0

    async def acquire(self, *, priority: bool = False) -> None:
        """Wait for the next free start. A `priority` caller (the token request, which every
        queued request waits for) goes at once and pushes the next start back by one
        interval, so the long-run rate is kept and only one request ever jumps the queue."""
        if priority:
            self._next = max(self._clock(), self._next) + self.interval
            return
        async with self._queue:
            while (delay := self._next - self._clock()) > 0:
                self.waited_seconds += delay
                await self._sleep(delay)
            self._next = self._clock() + self.interval


class WritePacer:
    """One write at a time, and each at least `pause` after the previous acknowledgement."""

    def __init__(self, pause: float, clock: Clock = time.monotonic,
                 sleep: Sleep = asyncio.sleep) -> None:
        self.pause = pause
        self._clock, self._sleep = clock, sleep
        self._lock = asyncio.Lock()
        self._last_ack = float("-inf")
        self.waited_seconds = 0.0

    @property
    def lock(self) -> asyncio.Lock:
        return self._lock

    async def wait_turn(self) -> None:
        """Sleep until the pause after the last acknowledgement is over (hold `lock`)."""
        delay = self._last_ack + self.pause - self._clock()
        if delay > 0:
            self.waited_seconds += delay
            await self._sleep(delay)

    def acknowledged(self) -> None:
        """A write's answer arrived (or its connection failed): the pause starts now."""
        self._last_ack = self._clock()
