"""ttmonitor through the client: positions and credit in use, read as records (contract §9:
paths SEEN, keys ASSUMED), and an answer in another shape refused by name."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from tests.conftest import ClientFactory
from tests.tt.transports import Recording
from ttconfig.sandbox.server import Sandbox
from ttconfig.tt.adapters.ttmonitor import position_from_json
from ttconfig.tt.errors import NotFoundError, UnexpectedAnswer

UAT = "ext_uat_cert"


def test_an_accounts_positions_and_credit_in_use_are_read_over_http(
        sandbox: Sandbox, make_client: ClientFactory) -> None:
    account = sandbox.account_id(UAT, "HPT-PROP-RATES")

    async def read() -> tuple[object, ...]:
        async with make_client() as tt:
            return await asyncio.gather(tt.monitor.product_positions(account),
                                        tt.monitor.contract_positions(account),
                                        tt.monitor.credit(account),
                                        tt.monitor.all_product_positions())
    products, contracts, credit, everyone = asyncio.run(read())
    assert isinstance(products, list)
    assert isinstance(contracts, list)
    assert isinstance(everyone, list)
    assert sorted(p.net for p in products) == [-1200, 7200]
    zn = next(p for p in products if p.net == 7200)
    assert (zn.working_buy, zn.working_sell, zn.instrument_id) == (300, 0, None)
    assert sum(c.net for c in contracts if c.product_id == zn.product_id) == 7200
    assert all(c.instrument_id for c in contracts)
    assert credit is not None
    assert (getattr(credit, "credit_limit", None), getattr(credit, "used", None)) == (
        15_000_000, 12_400_000)
    assert {p.account_id for p in everyone} > {account}, "every account of the company"


def test_another_companys_account_is_not_found(sandbox: Sandbox,
                                               make_client: ClientFactory) -> None:
    other = next(a["id"] for a in sandbox.store.env(UAT).accounts.values()
                 if a["companyId"] != sandbox.store.env(UAT).accounts[
                     sandbox.account_id(UAT, "HPT-PROP-RATES")]["companyId"])

    async def read() -> None:
        async with make_client() as tt:
            await tt.monitor.product_positions(other)
    with pytest.raises(NotFoundError):
        asyncio.run(read())


def test_working_quantities_tt_does_not_send_stay_unknown_and_text_is_no_number() -> None:
    item = {"accountId": 1, "marketId": 7, "productId": "9", "productTypeId": 34,
            "netPosition": -40}
    position = position_from_json(item)
    assert (position.net, position.working_buy, position.working_sell) == (-40, None, None)
    with pytest.raises(ValueError, match="'netPosition' is '40', not a number"):
        position_from_json({**item, "netPosition": "40"})
    with pytest.raises(ValueError, match="negative"):
        position_from_json({**item, "workingBuyQty": -1})


class Misshapen(Recording):
    """The real sandbox, with ttmonitor's position answers replaced by one lacking keys."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        if "/ttmonitor/" not in request.url.path:
            return response
        await response.aread()
        body = json.dumps({"status": "Ok", "lastPage": "true",
                           "positions": [{"accountId": 5, "netPosition": 1}]}).encode()
        return httpx.Response(200, headers={"content-type": "application/json"},
                              stream=httpx.ByteStream(body), request=request)


def test_a_misshapen_answer_is_an_unexpected_answer_naming_the_request(
        sandbox: Sandbox, make_client: ClientFactory) -> None:
    account = sandbox.account_id(UAT, "HPT-PROP-RATES")

    async def read() -> None:
        async with make_client(transport=Misshapen()) as tt:
            await tt.monitor.product_positions(account)
    with pytest.raises(UnexpectedAnswer, match="the field 'marketId' is missing") as raised:
        asyncio.run(read())
    assert raised.value.path == f"/ttmonitor/{UAT}/productposition/{account}"
