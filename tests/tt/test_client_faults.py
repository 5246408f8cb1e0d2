"""The client under TT's failures, injected by the sandbox: retry reads, never resend writes.

Every write test checks the sandbox's write log, which records each write TT applied: a
write whose answer was lost must be applied once (or not at all), never twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest

from tests.conftest import UAT, ClientFactory
from tests.tt.transports import Recording, RefuseFirstConnects
from ttconfig.sandbox.server import Sandbox
from ttconfig.sandbox.settings import UsagePlan
from ttconfig.tt.client import TTClient
from ttconfig.tt.config import RetryPolicy
from ttconfig.tt.errors import (
    ConnectionFailed,
    NotFoundError,
    OutcomeUnknown,
    QuotaExceededError,
    ServerError,
    TTError,
)
from ttconfig.tt.records import Account

T = TypeVar("T")
RISK_SETTINGS = "/ttaccount/*/account/*/risksettings"
ACCOUNTS = "/ttaccount/*/accounts"


def run(make: Callable[[], TTClient],
        body: Callable[[TTClient], Awaitable[T]]) -> tuple[T, TTClient]:
    """Run `body` with a fresh client; return its result and the (closed) client."""

    async def scenario() -> tuple[T, TTClient]:
        async with make() as tt:
            return await body(tt), tt

    return asyncio.run(scenario())


def fails(make: Callable[[], TTClient], body: Callable[[TTClient], Awaitable[Any]],
          error: type[TTError]) -> tuple[TTError, TTClient]:
    holder: list[TTClient] = []

    async def scenario() -> None:
        async with make() as tt:
            holder.append(tt)
            await body(tt)

    with pytest.raises(error) as caught:
        asyncio.run(scenario())
    return caught.value, holder[0]


async def training(tt: TTClient) -> Account:
    return next(a for a in await tt.accounts.list() if a.name == "HPT-TRAINING")


def api_writes(sandbox: Sandbox) -> list[dict[str, Any]]:
    return [w for w in sandbox.writes() if w["source"] != "ui"]


def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


# --- reads: retried -------------------------------------------------------------------------

def test_a_429_burst_is_retried_until_it_passes(sandbox: Sandbox,
                                                make_client: ClientFactory) -> None:
    sandbox.add_fault(method="GET", path=ACCOUNTS, status=429, times=3)
    accounts, tt = run(make_client, lambda tt: tt.accounts.list())
    assert len(accounts) == 25
    assert tt.stats.statuses[429] == 3
    assert tt.stats.retries == 3


def test_retry_after_is_honoured(sandbox: Sandbox, make_client: ClientFactory) -> None:
    sandbox.add_fault(method="GET", path=ACCOUNTS, status=429, retry_after=0.4)
    slept: list[float] = []

    async def recording_sleep(seconds: float) -> None:
        slept.append(seconds)
        await asyncio.sleep(seconds)

    def make() -> TTClient:
        client = make_client()
        client.http.sleep = recording_sleep
        return client

    accounts, _tt = run(make, lambda tt: tt.accounts.list())
    assert len(accounts) == 25
    assert 0.4 in slept


@pytest.mark.parametrize("statuses", [(503, 503), (500,), (502, 504)])
def test_server_errors_on_reads_are_retried(sandbox: Sandbox, make_client: ClientFactory,
                                            statuses: tuple[int, ...]) -> None:
    for nth, status in enumerate(statuses, start=1):
        sandbox.add_fault(method="GET", path=ACCOUNTS, status=status, nth=nth)
    accounts, tt = run(make_client, lambda tt: tt.accounts.list())
    assert len(accounts) == 25
    assert tt.stats.retries == len(statuses)


def test_a_read_that_keeps_failing_stops_after_the_last_attempt(
        sandbox: Sandbox, make_client: ClientFactory) -> None:
    sandbox.add_fault(method="GET", path=ACCOUNTS, status=503, times=100)
    wire = Recording()
    error, _tt = fails(lambda: make_client(transport=wire), lambda tt: tt.accounts.list(),
                       ServerError)
    assert error.status == 503
    assert error.method == "GET"
    assert error.path == "/ttaccount/ext_uat_cert/accounts"
    assert error.request_id is not None
    assert len([r for r in wire.of("GET") if r.url.path.endswith("/accounts")]) == 6


def test_the_retry_budget_bounds_a_whole_run(sandbox: Sandbox,
                                             make_client: ClientFactory) -> None:
    sandbox.add_fault(method="GET", path=RISK_SETTINGS, status=503, times=1000)

    async def body(tt: TTClient) -> list[BaseException | Any]:
        accounts = await tt.accounts.list()
        return await asyncio.gather(*(tt.accounts.risk_settings(a.id) for a in accounts[:4]),
                                    return_exceptions=True)

    results, tt = run(lambda: make_client(retry=RetryPolicy(base_seconds=0.01, budget=5)), body)
    assert all(isinstance(r, ServerError) for r in results)
    assert tt.stats.retries == 5
    assert tt.stats.statuses[503] == 4 + 5, "one attempt each, plus the five retries"


def test_the_daily_quota_stops_at_once(sandbox: Sandbox, make_client: ClientFactory) -> None:
    sandbox.settings.usage_plans = {**sandbox.settings.usage_plans, "high": UsagePlan(25, 10)}

    async def body(tt: TTClient) -> None:
        for _ in range(20):
            await tt.accounts.list()

    error, tt = fails(make_client, body, QuotaExceededError)
    assert "daily request quota" in str(error)
    assert tt.stats.requests == 11, "the token and nine reads fit; the tenth read is refused"
    assert tt.stats.retries == 0


def test_token_lifetime_of_two_seconds_across_a_long_read(
        sandbox: Sandbox, make_client: ClientFactory) -> None:
    sandbox.settings.token_lifetime_seconds = 2
    sandbox.settings.usage_plan_override = "low"

    async def body(tt: TTClient) -> int:
        accounts = await tt.accounts.list()
        settings = await asyncio.gather(*(tt.accounts.risk_settings(a.id) for a in accounts))
        return len(settings)

    count, tt = run(lambda: make_client(usage_plan="low"), body)
    assert count == 25
    assert tt.stats.statuses[401] == 0, "the token is replaced before it expires"
    assert tt.http.tokens.fetches >= 3


def test_a_refused_token_is_refreshed_once_for_reads(sandbox: Sandbox,
                                                     make_client: ClientFactory) -> None:
    async def body(tt: TTClient) -> int:
        accounts = await tt.accounts.list()
        sandbox.gateway.expire_tokens()
        settings = await asyncio.gather(*(tt.accounts.risk_settings(a.id) for a in accounts))
        return len(settings)

    count, tt = run(make_client, body)
    assert count == 25
    assert tt.stats.statuses[401] >= 1
    assert tt.http.tokens.fetches == 2, "one refresh, shared by every refused read"


def test_connection_refused_on_reads_ends_in_a_connection_error(
        make_client: ClientFactory) -> None:
    wire = RefuseFirstConnects(1000)
    error, _tt = fails(lambda: make_client(transport=wire), lambda tt: tt.accounts.list(),
                       ConnectionFailed)
    assert "ConnectError" in str(error)
    assert len(wire.requests) == 0
    assert wire.remaining == 1000 - 6


# --- writes: never resent blind ----------------------------------------------------------------

def test_commit_then_drop_raises_outcome_unknown_and_writes_once(
        sandbox: Sandbox, make_client: ClientFactory) -> None:
    sandbox.add_fault(method="POST", path=RISK_SETTINGS, action="drop")
    wire = Recording()

    async def body(tt: TTClient) -> None:
        await tt.accounts.update_risk_settings((await training(tt)).id, {"apply_pnl": False})

    error, _tt = fails(lambda: make_client(transport=wire), body, OutcomeUnknown)
    assert isinstance(error, OutcomeUnknown)
    assert error.sent == {"applyPnl": False}
    assert error.status is None
    writes = api_writes(sandbox)
    assert len(writes) == 1
    assert writes[0]["request_id"] == error.request_id
    assert len([r for r in wire.of("POST") if "risksettings" in r.url.path]) == 1


def test_a_late_commit_behind_a_504_is_unknown_and_lands_once(
        sandbox: Sandbox, make_client: ClientFactory) -> None:
    sandbox.add_fault(method="POST", path=RISK_SETTINGS, action="late_commit",
                      delay_seconds=0.3)

    async def body(tt: TTClient) -> None:
        await tt.accounts.update_risk_settings((await training(tt)).id, {"apply_pnl": False})

    error, _tt = fails(make_client, body, OutcomeUnknown)
    assert error.status == 504
    assert api_writes(sandbox) == [], "the answer came before the write landed"
    wait_for(lambda: len(api_writes(sandbox)) == 1)
    time.sleep(0.2)
    writes = api_writes(sandbox)
    assert [(w["source"], w["request_id"]) for w in writes] == [("late", error.request_id)]


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_5xx_on_a_write_is_unknown_and_not_resent(sandbox: Sandbox, make_client: ClientFactory,
                                                    status: int) -> None:
    sandbox.add_fault(method="POST", path=RISK_SETTINGS, status=status)
    wire = Recording()

    async def body(tt: TTClient) -> None:
        await tt.accounts.update_risk_settings((await training(tt)).id, {"apply_pnl": False})

    error, _tt = fails(lambda: make_client(transport=wire), body, OutcomeUnknown)
    assert error.status == status
    assert len([r for r in wire.of("POST") if "risksettings" in r.url.path]) == 1


def test_a_write_that_times_out_after_sending_is_unknown_and_lands_once(
        sandbox: Sandbox, make_client: ClientFactory) -> None:
    sandbox.add_fault(method="POST", path=RISK_SETTINGS, action="delay", delay_seconds=0.6)
    wire = Recording()

    async def body(tt: TTClient) -> None:
        await tt.accounts.update_risk_settings((await training(tt)).id, {"apply_pnl": False})

    error, _tt = fails(lambda: make_client(transport=wire, read_timeout_seconds=0.2), body,
                       OutcomeUnknown)
    assert "ReadTimeout" in str(error)
    wait_for(lambda: len(api_writes(sandbox)) == 1)
    assert len([r for r in wire.of("POST") if "risksettings" in r.url.path]) == 1


def test_a_read_that_times_out_is_retried(sandbox: Sandbox, make_client: ClientFactory) -> None:
    sandbox.add_fault(method="GET", path=ACCOUNTS, action="delay", delay_seconds=0.6)
    accounts, tt = run(lambda: make_client(read_timeout_seconds=0.2),
                       lambda tt: tt.accounts.list())
    assert len(accounts) == 25
    assert tt.stats.retries == 1


def test_a_redirected_write_is_unknown_and_never_turned_into_a_get(
        sandbox: Sandbox, make_client: ClientFactory) -> None:
    sandbox.add_fault(method="POST", path=RISK_SETTINGS, status=303,
                      location="/ttaccount/ext_uat_cert/accounts")
    wire = Recording()

    async def body(tt: TTClient) -> None:
        await tt.accounts.update_risk_settings((await training(tt)).id, {"apply_pnl": False})

    error, _tt = fails(lambda: make_client(transport=wire), body, OutcomeUnknown)
    assert error.status == 303
    assert [r.method for r in wire.requests].count("GET") == 1, "only the account listing"


def test_a_dropped_delete_is_unknown_too(sandbox: Sandbox, make_client: ClientFactory) -> None:
    sandbox.add_fault(method="DELETE", path="/ttaccount/*/account/*", action="drop")

    async def body(tt: TTClient) -> None:
        account = await tt.accounts.create(name="HPT-SHORT-LIVED", account_type=2)
        await tt.accounts.delete(account.id)

    fails(make_client, body, OutcomeUnknown)
    assert [w["method"] for w in api_writes(sandbox)] == ["POST", "DELETE"]


def test_a_throttled_write_was_not_applied_and_is_sent_again(
        sandbox: Sandbox, make_client: ClientFactory) -> None:
    sandbox.add_fault(method="POST", path=RISK_SETTINGS, status=429, times=2)

    async def body(tt: TTClient) -> bool:
        settings = await tt.accounts.update_risk_settings((await training(tt)).id,
                                                          {"apply_pnl": False})
        return settings.apply_pnl

    apply_pnl, tt = run(make_client, body)
    assert apply_pnl is False
    assert tt.stats.retries == 2
    assert len(api_writes(sandbox)) == 1


def test_a_write_that_could_not_connect_is_sent_again(sandbox: Sandbox,
                                                      make_client: ClientFactory) -> None:
    wire = RefuseFirstConnects(0)

    async def body(tt: TTClient) -> None:
        account = await training(tt)
        wire.remaining = 2
        await tt.accounts.update_risk_settings(account.id, {"apply_pnl": False})

    run(lambda: make_client(transport=wire), body)
    assert len(api_writes(sandbox)) == 1


def test_a_concurrent_edit_between_two_requests_is_seen(sandbox: Sandbox,
                                                        make_client: ClientFactory) -> None:
    async def body(tt: TTClient) -> tuple[Any, Any]:
        account = await training(tt)
        sandbox.add_fault(method="GET", path=RISK_SETTINGS, action="edit", edit={
            "method": "POST", "path": f"/ttaccount/{UAT}/account/{account.id}/risksettings",
            "body": {"creditLimit": 1}})
        first = await tt.accounts.risk_settings(account.id)
        return first.credit_limit, (await tt.accounts.risk_settings(account.id)).credit_limit

    (first, second), _tt = run(make_client, body)
    assert first == second == 1
    assert [w["source"] for w in sandbox.writes()] == ["ui"]


# --- secrets ------------------------------------------------------------------------------------

def test_no_secret_in_logs_errors_or_reprs(sandbox: Sandbox, make_client: ClientFactory,
                                           caplog: pytest.LogCaptureFixture) -> None:
    key, secret = sandbox.credentials(UAT)
    sandbox.add_fault(method="POST", path=RISK_SETTINGS, action="drop")
    sandbox.add_fault(method="GET", path=ACCOUNTS, status=503)
    wire = Recording()
    errors: list[TTError] = []

    async def body(tt: TTClient) -> None:
        account = await training(tt)
        for call in (tt.accounts.get(999_999),
                     tt.accounts.update_risk_settings(account.id, {"apply_pnl": False})):
            try:
                await call
            except TTError as exc:
                errors.append(exc)

    with caplog.at_level(logging.DEBUG):
        _result, tt = run(lambda: make_client(transport=wire), body)
    token = wire.of("GET")[0].headers["authorization"].removeprefix("Bearer ")
    assert [type(e) for e in errors] == [NotFoundError, OutcomeUnknown]
    texts = [caplog.text, repr(tt.http.config), repr(tt.stats), *map(str, errors),
             *map(repr, errors), *(repr(vars(e)) for e in errors)]
    for text in texts:
        for value in (key, secret, token):
            assert value not in text
