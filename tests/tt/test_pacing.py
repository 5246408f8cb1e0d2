"""The rate limiter and the write pacer keep TT's timing rules on a fake clock."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from tests.tt.fakes import FakeClock
from ttconfig.tt.pacing import RateLimiter, WritePacer


def test_rate_limiter_spaces_request_starts_by_the_interval() -> None:
    clock = FakeClock()
    limiter = RateLimiter(4.0, clock, clock.sleep)
    starts: list[float] = []

    async def scenario() -> None:
        for _ in range(9):
            await limiter.acquire()
            starts.append(clock())

    asyncio.run(scenario())
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert gaps == pytest.approx([0.25] * 8)
    assert starts[0] == 1000.0, "the first request does not wait"


def test_rate_limiter_serves_concurrent_callers_in_order_at_the_rate() -> None:
    clock = FakeClock()
    limiter = RateLimiter(10.0, clock, clock.sleep)
    started: list[tuple[int, float]] = []

    async def caller(index: int) -> None:
        await limiter.acquire()
        started.append((index, clock()))

    async def scenario() -> None:
        await asyncio.gather(*(caller(i) for i in range(20)))

    asyncio.run(scenario())
    assert [index for index, _ in started] == list(range(20))
    times = [at for _, at in started]
    assert [b - a for a, b in itertools.pairwise(times)] == pytest.approx([0.1] * 19)


def test_rate_limiter_does_not_bank_idle_time_as_a_burst() -> None:
    clock = FakeClock()
    limiter = RateLimiter(2.0, clock, clock.sleep)

    async def scenario() -> list[float]:
        await limiter.acquire()
        clock.now += 60  # idle for a minute
        starts = []
        for _ in range(3):
            await limiter.acquire()
            starts.append(clock())
        return starts

    starts = asyncio.run(scenario())
    assert [b - a for a, b in itertools.pairwise(starts)] == pytest.approx([0.5, 0.5])


def test_rate_limiter_refuses_a_non_positive_rate() -> None:
    with pytest.raises(ValueError, match="positive"):
        RateLimiter(0)


def test_write_pacer_waits_the_pause_after_each_acknowledgement() -> None:
    clock = FakeClock()
    pacer = WritePacer(1.0, clock, clock.sleep)

    async def scenario() -> None:
        await pacer.wait_turn()          # nothing acknowledged yet: no wait
        clock.now += 0.3                 # the write's round trip
        pacer.acknowledged()
        await pacer.wait_turn()          # must wait the full second after the ack
        clock.now += 2.0
        pacer.acknowledged()
        clock.now += 1.5                 # the pause already passed
        await pacer.wait_turn()

    asyncio.run(scenario())
    assert clock.sleeps == pytest.approx([1.0])


def test_a_priority_request_goes_at_once_and_pushes_the_queue_back() -> None:
    clock = FakeClock()
    limiter = RateLimiter(5.0, clock, clock.sleep)

    async def scenario() -> list[float]:
        await limiter.acquire()                      # t=0; next slot t=0.2
        await limiter.acquire(priority=True)         # the token request: no wait
        jumped_at = clock()
        await limiter.acquire()                      # pushed back to t=0.4
        return [jumped_at, clock()]

    jumped_at, after = asyncio.run(scenario())
    assert jumped_at == 1000.0
    assert after == pytest.approx(1000.4)


class _LateWaker(FakeClock):
    """A clock whose sleeps end late, as when the event loop or the process was stalled."""

    async def sleep(self, seconds: float) -> None:
        await super().sleep(seconds + 0.3)


def test_a_late_wake_up_does_not_release_the_queued_requests_at_once() -> None:
    clock = _LateWaker()
    limiter = RateLimiter(10.0, clock, clock.sleep)
    starts: list[float] = []

    async def scenario() -> None:
        for _ in range(4):
            await limiter.acquire()
            starts.append(clock())

    asyncio.run(scenario())
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert min(gaps) >= 0.1 - 1e-9, f"requests went closer than the interval: {gaps}"
