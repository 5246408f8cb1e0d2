"""The client obeys every shared rule of the contract, against the sandbox over real HTTP.

The sandbox refuses every violation (tests/sandbox/test_rules.py), so a client request that
succeeds proves the rule was kept; a recording transport shows what went on the wire.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import re
import socket
import threading
from collections.abc import Iterator

import pytest

from tests.conftest import PROD, UAT, ClientFactory
from tests.tt.transports import Recording, SettingCookies
from ttconfig.models.limits import NEW_ROW
from ttconfig.sandbox.server import Sandbox
from ttconfig.tt.client import TTClient
from ttconfig.tt.config import Credentials
from ttconfig.tt.errors import AuthError, ForbiddenError, RedirectRefused
from ttconfig.tt.records import Account, LimitRow, LimitScope
from ttconfig.tt.secret import Secret

WELL_FORMED_ID = r"^ttconfig-Harbor_Point--[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$"  # noqa: E501


async def _account(tt: TTClient, name: str) -> Account:
    return next(a for a in await tt.accounts.list() if a.name == name)


async def _read_some(tt: TTClient) -> int:
    accounts = await tt.accounts.list()
    await asyncio.gather(*(tt.accounts.limits(a.id) for a in accounts[:5]),
                         tt.users.list(), tt.reference.markets(), tt.setup.company())
    return len(accounts)


def test_reads_work_in_both_environments_with_separate_data(make_client: ClientFactory) -> None:
    async def names(environment: str) -> set[str]:
        async with make_client(environment) as tt:
            return {a.name for a in await tt.accounts.list()}

    uat, prod = asyncio.run(names(UAT)), asyncio.run(names(PROD))
    assert "HPT-UAT-TEST" in uat
    assert "HPT-UAT-TEST" not in prod
    assert "HPT-CUST-ELM" in prod
    assert "HPT-CUST-ELM" not in uat
    assert "HPT-PROP" in uat & prod


def test_wire_headers_and_request_ids(make_client: ClientFactory) -> None:
    wire = Recording()

    async def scenario() -> None:
        async with make_client(transport=wire) as tt:
            await _read_some(tt)
            account = await _account(tt, "HPT-TRAINING")
            await tt.accounts.update_risk_settings(account.id, {"apply_pnl": False})

    asyncio.run(scenario())
    ids = [r.url.params["requestId"] for r in wire.requests]
    assert len(ids) == len(set(ids)) == len(wire.requests)
    assert all(re.match(WELL_FORMED_ID, i) for i in ids)
    for request in wire.requests:
        assert "requestID" not in request.url.params
        assert request.headers["accept-encoding"] == "gzip"
        assert request.headers["x-api-key"]
        is_token = request.url.path.endswith("/ttid/ext_uat_cert/token")
        assert ("authorization" in request.headers) is not is_token
    assert all("content-type" not in r.headers for r in wire.of("GET"))


def test_keeps_no_cookie_a_server_sets(make_client: ClientFactory) -> None:
    """TT's REST API sets no cookies: one a server plants is never sent back."""
    wire = SettingCookies()

    async def scenario() -> None:
        async with make_client(transport=wire) as tt:
            await _read_some(tt)

    asyncio.run(scenario())
    assert len(wire.requests) > 5
    assert all("cookie" not in r.headers for r in wire.requests)


def test_a_wrong_secret_is_an_auth_error_that_does_not_show_it(sandbox: Sandbox,
                                                               make_client: ClientFactory) -> None:
    key, _secret = sandbox.credentials(UAT)

    async def scenario() -> None:
        tt = make_client(credentials=Credentials(Secret(key), Secret("wrong-canary-secret")))
        async with tt:
            await tt.accounts.list()

    with pytest.raises(AuthError) as caught:
        asyncio.run(scenario())
    assert caught.value.status == 401
    assert "wrong-canary-secret" not in str(caught.value)
    assert key not in str(caught.value)


def test_a_key_of_the_other_environment_is_forbidden(sandbox: Sandbox,
                                                     make_client: ClientFactory) -> None:
    key, secret = sandbox.credentials(PROD)

    async def scenario() -> None:
        async with make_client(UAT, credentials=Credentials(Secret(key), Secret(secret))) as tt:
            await tt.accounts.list()

    with pytest.raises(ForbiddenError, match="HTTP 403"):
        asyncio.run(scenario())


def test_stays_under_the_usage_plan_rate(sandbox: Sandbox, make_client: ClientFactory) -> None:
    sandbox.settings.usage_plan_override = "medium"
    wire = Recording()

    async def scenario() -> TTClient:
        async with make_client(usage_plan="medium", transport=wire) as tt:
            accounts = await tt.accounts.list()
            await asyncio.gather(*(tt.accounts.risk_settings(a.id) for a in accounts))
            return tt

    tt = asyncio.run(scenario())
    assert tt.stats.statuses[429] == 0
    assert tt.stats.requests >= 25
    busiest = max(sum(1 for t in wire.sent_at if start <= t < start + 1.0)
                  for start in wire.sent_at)
    assert busiest <= 10 + 1, "at most the plan's rate in any second (+1: the token request)"


def test_pages_every_paged_read_to_the_end(sandbox: Sandbox, make_client: ClientFactory) -> None:
    async def everything() -> tuple[list[Account], int, int]:
        async with make_client() as tt:
            accounts = await tt.accounts.list()
            users = await tt.users.list()
            return accounts, len(users), tt.stats.requests

    full, user_count, _ = asyncio.run(everything())
    sandbox.settings.page_size = 2
    paged, paged_users, requests = asyncio.run(everything())
    assert paged == full
    assert paged_users == user_count
    pages = -(-len(full) // 2) + -(-user_count // 2)
    assert requests == pages + 1, "one request per page, plus the token"


def test_follows_same_host_303s_with_a_fresh_request_id(sandbox: Sandbox,
                                                        make_client: ClientFactory) -> None:
    sandbox.settings.redirect_gets = True
    wire = Recording()

    async def scenario() -> tuple[int, TTClient]:
        async with make_client(transport=wire) as tt:
            return await _read_some(tt), tt

    count, tt = asyncio.run(scenario())
    assert count == 25
    assert tt.stats.redirects == tt.stats.statuses[303] > 0
    followed = [r for r in wire.of("GET") if "ttRegion" in r.url.params]
    assert len(followed) == tt.stats.redirects
    ids = [r.url.params["requestId"] for r in wire.requests]
    assert len(ids) == len(set(ids)), "the redirected request carries a new requestId"


@pytest.fixture
def elsewhere() -> Iterator[tuple[int, list[bytes]]]:
    """A listener on another port that records whatever reaches it."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    received: list[bytes] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                received.append(conn.recv(65536))

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1], received
    stop.set()
    thread.join()
    listener.close()


def test_refuses_a_redirect_to_another_host(sandbox: Sandbox, make_client: ClientFactory,
                                            elsewhere: tuple[int, list[bytes]]) -> None:
    port, received = elsewhere
    sandbox.add_fault(method="GET", path="/ttaccount/*/accounts", action="status", status=303,
                      location=f"http://127.0.0.2:{port}/ttaccount/ext_uat_cert/accounts")

    async def scenario() -> None:
        async with make_client() as tt:
            await tt.accounts.list()

    with pytest.raises(RedirectRefused, match="another host"):
        asyncio.run(scenario())
    assert received == [], "nothing, and so no app key, was sent to the other host"


def test_accepts_gzip_so_large_answers_arrive(sandbox: Sandbox,
                                              make_client: ClientFactory) -> None:
    sandbox.settings.max_plain_response_bytes = 200

    async def scenario() -> int:
        async with make_client() as tt:
            return len(await tt.accounts.list())

    assert asyncio.run(scenario()) == 25


def test_writes_wait_a_second_after_each_acknowledgement(sandbox: Sandbox,
                                                         make_client: ClientFactory) -> None:
    sandbox.settings.post_pause_seconds = 1.0
    wire = Recording()

    async def scenario() -> TTClient:
        async with make_client(transport=wire, post_pause_seconds=1.0) as tt:
            account = await _account(tt, "HPT-TRAINING")
            await asyncio.gather(*(tt.accounts.update_risk_settings(
                account.id, {"credit_limit": 1_000_000 + i}) for i in range(3)))
            return tt

    tt = asyncio.run(scenario())
    assert tt.stats.statuses[429] == 0
    assert tt.stats.statuses[200] == tt.stats.requests
    assert len([w for w in sandbox.writes() if w["source"] == "api"]) == 3
    posts = [at for r, at in zip(wire.requests, wire.sent_at, strict=True)
             if r.method == "POST" and "/token" not in r.url.path]
    assert all(b - a >= 1.0 for a, b in itertools.pairwise(posts))


def test_long_limit_writes_are_chunked_into_twenty_row_requests(
        sandbox: Sandbox, make_client: ClientFactory) -> None:
    async def scenario() -> tuple[int, list[LimitRow]]:
        async with make_client() as tt:
            account = await tt.accounts.create(name="HPT-CHUNKS", account_type=2)
            products = (await tt.reference.products())[:45]
            rows = [LimitRow(scope=LimitScope(p.market_id, p.product_type_id, p.id),
                             **{**NEW_ROW, "spread_trading_allowed": False,
                                "max_order_qty": i, "max_long_position": 0})
                    for i, p in enumerate(products)]
            await tt.accounts.upsert_limits(account.id, rows)
            read = await tt.accounts.limits(account.id)
            return account.id, list(read.product_limits)

    account_id, rows = asyncio.run(scenario())
    writes = [w for w in sandbox.writes() if w["path"].endswith(f"/account/{account_id}/limits")]
    assert len(writes) == 3
    assert [r.max_order_qty for r in rows] == list(range(45))
    assert all(r.max_position is None and r.max_long_position == 0 for r in rows)


def test_writes_raise_revision_and_keep_not_set_apart_from_zero(make_client: ClientFactory) -> None:
    async def scenario() -> tuple[int, int, LimitRow]:
        async with make_client() as tt:
            account = await _account(tt, "HPT-HEDGE")
            before = (await tt.accounts.get(account.id)).revision
            limits = await tt.accounts.limits(account.id)
            row = dataclasses.replace(limits.product_limits[0], max_order_qty=0,
                                      max_position=None)
            await tt.accounts.upsert_limits(account.id, [row])
            after = (await tt.accounts.get(account.id)).revision
            read = await tt.accounts.limits(account.id)
            return before, after, next(r for r in read.product_limits if r.scope == row.scope)

    before, after, row = asyncio.run(scenario())
    assert after == before + 1
    assert row.max_order_qty == 0
    assert row.max_position is None


def test_product_ids_beyond_two_to_the_53_survive_exactly(make_client: ClientFactory) -> None:
    async def scenario() -> list[str]:
        async with make_client() as tt:
            products = await tt.reference.products()
            instruments = await tt.reference.instruments(products[0].id)
            return [p.id for p in products] + [i.id for i in instruments]

    ids = asyncio.run(scenario())
    assert all(isinstance(i, str) for i in ids)
    assert any(int(i) > 2**53 for i in ids)
