"""Properties of the client's rule-keeping parts, over generated inputs (hypothesis)."""

from __future__ import annotations

import asyncio
import itertools
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.tt.fakes import FakeClock
from ttconfig.sandbox.gateway import request_id_problem
from ttconfig.tt import wire
from ttconfig.tt.batching import chunk_bodies
from ttconfig.tt.http import check_items
from ttconfig.tt.pacing import RateLimiter
from ttconfig.tt.request_id import RequestIds

LISTS = st.dictionaries(st.sampled_from(["productLimits", "contractLimits", "users"]),
                        st.lists(st.integers(), max_size=70), max_size=3)


@given(lists=LISTS, extra=st.none() | st.just({"riskLimitSettings": {"applyLimits": True}}))
def test_chunked_bodies_never_break_the_twenty_item_rule(
        lists: dict[str, list[int]], extra: dict[str, object] | None) -> None:
    tagged = {name: [{"n": i} for i in items] for name, items in lists.items()}
    bodies = chunk_bodies(tagged, extra)
    total = sum(len(items) for items in lists.values())
    for body in bodies:
        check_items(body)
    expected = math.ceil(total / wire.MAX_POST_ITEMS) if total else int(extra is not None)
    assert len(bodies) == expected
    for name, items in tagged.items():
        assert [item for body in bodies for item in body.get(name, [])] == items
    assert sum("riskLimitSettings" in body for body in bodies) == int(extra is not None)


@given(app=st.text(max_size=40), company=st.text(max_size=40))
def test_request_ids_from_any_configured_names_pass_tt_checks(app: str, company: str) -> None:
    request_id = RequestIds(app, company).new()
    assert request_id_problem(request_id, misspelt=False) is None


@settings(max_examples=200)
@given(rate=st.sampled_from([3.0, 5.0, 10.0, 25.0]),
       arrivals=st.lists(st.floats(min_value=0, max_value=2, allow_nan=False), max_size=40))
def test_rate_limiter_grants_are_spaced_and_never_early(rate: float,
                                                        arrivals: list[float]) -> None:
    clock = FakeClock(0.0)
    limiter = RateLimiter(rate, clock, clock.sleep)
    grants: list[tuple[float, float]] = []

    async def scenario() -> None:
        for gap in arrivals:
            clock.now += gap
            arrived = clock()
            await limiter.acquire()
            grants.append((arrived, clock()))

    asyncio.run(scenario())
    times = [granted for _, granted in grants]
    assert all(granted >= arrived for arrived, granted in grants)
    assert all(b - a >= 1 / rate - 1e-9 for a, b in itertools.pairwise(times))
