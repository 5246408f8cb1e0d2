"""The token manager: first use, refresh before expiry, one refresh at a time, invalidation."""

from __future__ import annotations

import asyncio

from tests.tt.fakes import FakeClock
from ttconfig.tt.secret import Secret
from ttconfig.tt.token import TokenManager


class Issuer:
    def __init__(self, clock: FakeClock, lifetime: float, latency: float = 0.0) -> None:
        self.clock, self.lifetime, self.latency = clock, lifetime, latency
        self.issued = 0

    async def __call__(self) -> tuple[Secret, float]:
        await self.clock.sleep(self.latency)
        self.issued += 1
        return Secret(f"token-{self.issued}"), self.lifetime


def test_fetches_on_first_use_and_reuses_until_the_margin() -> None:
    clock = FakeClock()
    issuer = Issuer(clock, lifetime=3600)
    tokens = TokenManager(issuer, margin_fraction=0.1, max_margin=60, clock=clock)

    async def scenario() -> list[str]:
        seen = [(await tokens.get()).reveal()]
        clock.now += 3600 - 60 - 1       # just inside the margin: still the same token
        seen.append((await tokens.get()).reveal())
        clock.now += 1                   # 60 s before expiry: refreshed
        seen.append((await tokens.get()).reveal())
        return seen

    assert asyncio.run(scenario()) == ["token-1", "token-1", "token-2"]


def test_short_lifetimes_refresh_a_tenth_before_expiry() -> None:
    clock = FakeClock()
    issuer = Issuer(clock, lifetime=2.0)
    tokens = TokenManager(issuer, margin_fraction=0.1, max_margin=60, clock=clock)

    async def scenario() -> list[str]:
        first = (await tokens.get()).reveal()
        clock.now += 1.79
        second = (await tokens.get()).reveal()
        clock.now += 0.01
        third = (await tokens.get()).reveal()
        return [first, second, third]

    assert asyncio.run(scenario()) == ["token-1", "token-1", "token-2"]


def test_lifetime_counts_from_when_the_token_was_requested() -> None:
    clock = FakeClock()
    issuer = Issuer(clock, lifetime=100.0, latency=5.0)
    tokens = TokenManager(issuer, margin_fraction=0.1, max_margin=60, clock=clock)

    async def scenario() -> list[str]:
        first = (await tokens.get()).reveal()    # requested at 1000, received at 1005
        clock.now = 1000 + 100 - 10              # 10 s (the margin) before the real expiry
        return [first, (await tokens.get()).reveal()]

    assert asyncio.run(scenario()) == ["token-1", "token-2"]


def test_concurrent_callers_share_one_refresh() -> None:
    clock = FakeClock()
    issuer = Issuer(clock, lifetime=3600, latency=0.5)
    tokens = TokenManager(issuer, margin_fraction=0.1, max_margin=60, clock=clock)

    async def scenario() -> set[str]:
        got = await asyncio.gather(*(tokens.get() for _ in range(25)))
        return {t.reveal() for t in got}

    assert asyncio.run(scenario()) == {"token-1"}
    assert issuer.issued == 1


def test_invalidate_drops_only_the_refused_token() -> None:
    clock = FakeClock()
    issuer = Issuer(clock, lifetime=3600)
    tokens = TokenManager(issuer, margin_fraction=0.1, max_margin=60, clock=clock)

    async def scenario() -> list[str]:
        first = await tokens.get()
        tokens.invalidate(Secret("some-older-token"))
        kept = await tokens.get()
        tokens.invalidate(first)
        fresh = await tokens.get()
        return [first.reveal(), kept.reveal(), fresh.reveal()]

    assert asyncio.run(scenario()) == ["token-1", "token-1", "token-2"]
