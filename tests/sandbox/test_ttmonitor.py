"""ttmonitor in the sandbox over raw HTTP: positions and credit utilization (read only).

The wire contract of ttmonitor (paths SEEN, shapes ASSUMED, contract §9): per-account and
all-account listings per product, per instrument and per product family; credit use with
its limit read from risk settings; the gateway's rules as elsewhere (requestId, usage plan,
paging, company isolation); and the two web-UI-only writes, 405 over the API and reached
through the control edit (`POST /_sandbox/edit`) or `Sandbox.set_positions` /
`Sandbox.set_credit_used`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import PROD, UAT, RawTT
from tests.sandbox.envelopes import failed, ok
from ttconfig.sandbox.routing import ApiFailure
from ttconfig.sandbox.seed import build_seed
from ttconfig.sandbox.server import Sandbox
from ttconfig.sandbox.settings import UsagePlan

Json = dict[str, Any]
SVC = "ttmonitor"
PRODUCT_KEYS = {"accountId", "marketId", "productId", "productTypeId", "netPosition",
                "workingBuyQty", "workingSellQty"}
INSTRUMENT_KEYS = PRODUCT_KEYS | {"instrumentId"}
FAMILY_KEYS = PRODUCT_KEYS - {"productId"} | {"productFamilyId"}
CREDIT_KEYS = {"accountId", "creditLimit", "currency", "creditUsed"}
CME, EUREX, FUTURE, OPTION = 7, 28, 34, 51


# --------------------------------------------------------------------------------- helpers


@pytest.fixture
def meridian(sandbox: Sandbox) -> Iterator[RawTT]:
    client = RawTT(sandbox, UAT, "meridian")
    yield client
    client.close()


@pytest.fixture
def prod(sandbox: Sandbox) -> Iterator[RawTT]:
    client = RawTT(sandbox, PROD)
    yield client
    client.close()


def control_edit(raw: RawTT, method: str, endpoint: str, body: Any,
                 environment: str = UAT) -> httpx.Response:
    """A web-UI edit through the loopback control endpoint, as a test in another process
    (or curl) makes it."""
    edit = {"method": method, "path": raw.url(SVC, endpoint, environment), "body": body}
    return raw.http.post("/_sandbox/edit", json=edit)


def product(sandbox: Sandbox, alias: str, environment: str = UAT) -> Json:
    """The product of the instrument `alias` (e.g. "ZN Dec26")."""
    env = sandbox.store.env(environment)
    instrument = env.instruments[sandbox.instrument_id(environment, alias)]
    found: Json = env.products[instrument["productId"]]
    return found


def by_product(items: list[Json]) -> dict[str, Json]:
    return {item["productId"]: item for item in items}


def quantities(item: Json) -> tuple[int, int, int]:
    return item["netPosition"], item["workingBuyQty"], item["workingSellQty"]


def all_pages(raw: RawTT, endpoint: str, key: str, **params: str) -> tuple[list[Json], int]:
    """Every item of a paged listing, and how many pages it took."""
    items: list[Json] = []
    extra: dict[str, str] = {}
    for pages in range(1, 1000):
        page = ok(raw.get(SVC, endpoint, **params, **extra))
        items += page[key]
        if page["lastPage"] == "true":
            assert "nextPageKey" not in page
            return items, pages
        assert page["lastPage"] == "false"
        extra = {"nextPageKey": page["nextPageKey"]}
    pytest.fail("paging never reached lastPage 'true'")


def hpt_accounts(sandbox: Sandbox, environment: str = UAT) -> list[int]:
    env = sandbox.store.env(environment)
    company = next(c["id"] for c in env.companies.values() if c["abbrevName"] == "HPT")
    return sorted(a["id"] for a in env.accounts.values() if a["companyId"] == company)


# ------------------------------------------------------------------------ seeded answers


def test_product_positions_of_the_rates_desk(sandbox: Sandbox, raw: RawTT) -> None:
    rates = sandbox.account_id(UAT, "HPT-PROP-RATES")
    body = ok(raw.get(SVC, f"productposition/{rates}"))
    assert set(body) == {"status", "positions", "lastPage"}
    items = body["positions"]
    assert all(set(item) == PRODUCT_KEYS for item in items)
    assert all(item["accountId"] == rates for item in items)
    zn, zb = product(sandbox, "ZN Dec26"), product(sandbox, "ZB Dec26")
    listed = by_product(items)
    assert set(listed) == {zn["id"], zb["id"]}
    assert quantities(listed[zn["id"]]) == (7_200, 300, 0)
    assert quantities(listed[zb["id"]]) == (-1_200, 0, 0)
    assert listed[zn["id"]]["marketId"] == CME
    assert listed[zn["id"]]["productTypeId"] == FUTURE
    order = [(i["marketId"], int(i["productId"])) for i in items]
    assert order == sorted(order)


def test_positions_per_instrument_name_the_front_contract(sandbox: Sandbox, raw: RawTT) -> None:
    rates = sandbox.account_id(UAT, "HPT-PROP-RATES")
    items = ok(raw.get(SVC, f"position/{rates}"))["positions"]
    assert all(set(item) == INSTRUMENT_KEYS for item in items)
    front = sandbox.instrument_id(UAT, "ZN Dec26")
    zn = next(item for item in items if item["instrumentId"] == front)
    assert quantities(zn) == (7_200, 300, 0)
    # the ids are those ttpds lists for the instrument
    instrument = ok(raw.get("ttpds", f"instrument/{front}"))["instrument"][0]
    assert (zn["productId"], zn["marketId"]) == (instrument["productId"], instrument["marketId"])


def test_production_holds_its_own_positions(sandbox: Sandbox, prod: RawTT) -> None:
    rates = sandbox.account_id(PROD, "HPT-PROP-RATES")
    listed = by_product(ok(prod.get(SVC, f"productposition/{rates}"))["positions"])
    assert quantities(listed[product(sandbox, "ZN Dec26", PROD)["id"]]) == (3_600, 300, 0)
    assert quantities(listed[product(sandbox, "ZB Dec26", PROD)["id"]]) == (-1_200, 0, 0)


@pytest.mark.parametrize("environment", [UAT, PROD])
def test_a_customer_over_its_limits_is_reported(sandbox: Sandbox, environment: str) -> None:
    """TT reports what an account holds even past its limits (a limit binds new orders)."""
    with contextlib.closing(RawTT(sandbox, environment)) as raw:
        cedar = sandbox.account_id(environment, "HPT-CUST-CEDAR")
        es = product(sandbox, "ES Dec26", environment)["id"]
        items = ok(raw.get(SVC, f"productposition/{cedar}"))["positions"]
        assert [(i["productId"], *quantities(i)) for i in items] == [(es, -280, 0, 0)]
        limits = ok(raw.get("ttaccount", f"account/{cedar}/limits"))["accountLimits"][0]
        row = next(r for r in limits["riskLimits"]["productLimits"] if r["productId"] == es)
        assert (row["maxPosition"], row["maxShortPosition"]) == (250, 150)
        assert abs(items[0]["netPosition"]) > row["maxPosition"]


def test_instruments_sum_into_products_and_products_into_families(
        sandbox: Sandbox, raw: RawTT) -> None:
    account = sandbox.account_id(UAT, "HPT-HEDGE")
    ids = {alias: sandbox.instrument_id(UAT, alias) for alias in (
        "ZN Dec26", "ZN Mar27", "ZB Dec26", "ZF Dec26", "ZF Mar27", "ES Dec26", "OZN Dec26 C112")}
    sandbox.set_positions(UAT, account, [
        {"instrumentId": ids["ZN Dec26"], "netPosition": 100, "workingBuyQty": 10},
        {"instrumentId": ids["ZN Mar27"], "netPosition": 50, "workingSellQty": 5},
        {"instrumentId": ids["ZB Dec26"], "netPosition": -30, "workingBuyQty": 0,
         "workingSellQty": 0},
        {"instrumentId": ids["ZF Dec26"], "netPosition": 5},  # ZF: flat in sum
        {"instrumentId": ids["ZF Mar27"], "netPosition": -5},
        {"instrumentId": ids["ES Dec26"], "netPosition": 7},
        {"instrumentId": ids["OZN Dec26 C112"], "netPosition": 3},
    ])
    instruments = ok(raw.get(SVC, f"position/{account}"))["positions"]
    assert {i["instrumentId"] for i in instruments} == set(ids.values())
    products = by_product(ok(raw.get(SVC, f"productposition/{account}"))["positions"])
    zn, zb, zf, es, ozn = (product(sandbox, alias) for alias in (
        "ZN Dec26", "ZB Dec26", "ZF Dec26", "ES Dec26", "OZN Dec26 C112"))
    assert quantities(products[zn["id"]]) == (150, 10, 5)
    assert quantities(products[zb["id"]]) == (-30, 0, 0)
    assert quantities(products[es["id"]]) == (7, 0, 0)
    assert quantities(products[ozn["id"]]) == (3, 0, 0)
    assert zf["id"] not in products  # its contracts offset: nothing net, nothing working
    families = ok(raw.get(SVC, f"productfamilyposition/{account}"))["positions"]
    assert all(set(item) == FAMILY_KEYS for item in families)
    by_family = {(f["productFamilyId"], f["productTypeId"]): quantities(f) for f in families}
    names = {f["id"]: f["name"] for f in
             ok(raw.get("ttpds", "productfamilies", marketId=str(CME)))["productFamilies"]}
    assert names[zn["familyId"]] == "Interest Rates"
    assert zn["familyId"] == zb["familyId"] == zf["familyId"] == ozn["familyId"]
    assert by_family == {
        (zn["familyId"], FUTURE): (150 - 30, 10, 5),  # ZN, ZB and a flat ZF
        (zn["familyId"], OPTION): (3, 0, 0),  # options are not added to futures
        (es["familyId"], FUTURE): (7, 0, 0),
    }


def test_seeded_calendar_roll_sums_two_contracts(sandbox: Sandbox, raw: RawTT) -> None:
    account = sandbox.account_id(UAT, "HPT-MM-EUREX")
    fgbl = product(sandbox, "FGBL Dec26")
    instruments = ok(raw.get(SVC, f"position/{account}"))["positions"]
    assert sorted(quantities(i) for i in instruments if i["productId"] == fgbl["id"]) == [
        (-1_500, 200, 200), (500, 0, 0)]
    products = by_product(ok(raw.get(SVC, f"productposition/{account}"))["positions"])
    assert quantities(products[fgbl["id"]]) == (-1_000, 200, 200)
    families = ok(raw.get(SVC, f"productfamilyposition/{account}"))["positions"]
    assert [f["marketId"] for f in families] == [EUREX, EUREX]  # rates and equity index


@pytest.mark.parametrize(("environment", "name", "limit", "used"), [
    (UAT, "HPT-PROP-RATES", 15_000_000, 12_400_000),
    (PROD, "HPT-PROP-RATES", 15_000_000, 12_400_000),
    (PROD, "HPT-CUST-BIRCH", 1_000_000, 900_000),
    (UAT, "HPT-CUST-BIRCH", 5_000_000, 900_000),
    (PROD, "HPT-PROP-ENERGY", 12_000_000, 4_000_000),
    (UAT, "HPT-PROP", 60_000_000, 18_000_000),
    (UAT, "HPT-CUST-ALDER", 2_000_000, 0),  # a limit, no use stored
    (UAT, "HPT-CUST", None, 0),  # no limit
])
def test_seeded_credit_utilization(sandbox: Sandbox, environment: str, name: str,
                                   limit: int | None, used: int) -> None:
    account = sandbox.account_id(environment, name)
    with contextlib.closing(RawTT(sandbox, environment)) as raw:
        body = ok(raw.get(SVC, "creditutilization", accountId=str(account)))
    assert set(body) == {"status", "creditUtilization", "lastPage"}
    assert body["creditUtilization"] == [
        {"accountId": account, "creditLimit": limit, "currency": "USD", "creditUsed": used}]


def test_generated_accounts_hold_nothing() -> None:
    demo, big = build_seed(UAT), build_seed(UAT, accounts=200)
    assert big["positions"] == demo["positions"]
    assert big["creditUsage"] == demo["creditUsage"]
    generated = {a["id"] for a in big["accounts"]} - {a["id"] for a in demo["accounts"]}
    assert generated
    assert not generated & {row["accountId"] for row in big["positions"]}


# ---------------------------------------------------------------- listings, paging, company


@pytest.mark.parametrize(("endpoint", "key"), [("productposition", "positions"),
                                               ("position", "positions"),
                                               ("creditutilization", "creditUtilization")])
def test_company_listing_pages_lose_and_repeat_nothing(sandbox: Sandbox, raw: RawTT,
                                                       endpoint: str, key: str) -> None:
    # a request per account below: more than the high plan's burst
    plans = sandbox.settings.usage_plans
    sandbox.settings.usage_plans = {**plans, "high": UsagePlan(1000, 75_000)}
    whole, pages = all_pages(raw, endpoint, key)
    assert pages == 1
    per_account: list[Json] = []
    for account in hpt_accounts(sandbox):
        if endpoint == "creditutilization":
            per_account += ok(raw.get(SVC, endpoint, accountId=str(account)))[key]
        else:
            per_account += ok(raw.get(SVC, f"{endpoint}/{account}"))[key]
    assert whole == per_account  # every account of the company, in account-id order
    sandbox.settings.page_size = 3
    paged, pages = all_pages(raw, endpoint, key)
    assert pages == -(-len(whole) // 3)
    assert pages >= 3
    assert paged == whole


def test_listings_keep_companies_apart(sandbox: Sandbox, raw: RawTT, meridian: RawTT) -> None:
    mrdn = sandbox.account_id(UAT, "MRDN-HOUSE")
    hpt = set(hpt_accounts(sandbox))
    for endpoint in ("productposition", "position"):
        assert {i["accountId"] for i in ok(raw.get(SVC, endpoint))["positions"]} <= hpt
        theirs = ok(meridian.get(SVC, endpoint))["positions"]
        assert [(i["accountId"], i["netPosition"]) for i in theirs] == [(mrdn, 20)]
    credit = ok(meridian.get(SVC, "creditutilization"))["creditUtilization"]
    assert {c["accountId"] for c in credit} == {mrdn, sandbox.account_id(UAT, "MRDN-CLIENT-01")}
    assert {c["accountId"] for c in ok(raw.get(SVC, "creditutilization"))[
        "creditUtilization"]} == hpt


# --------------------------------------------------------------------- the gateway's rules


def test_request_id_is_required(raw: RawTT) -> None:
    response = raw.http.get(raw.url(SVC, "productposition"), headers=raw.headers())
    assert failed(response, 400) == "requestId is missing"


def test_each_request_counts_against_the_usage_plan(sandbox: Sandbox, raw: RawTT) -> None:
    rates = str(sandbox.account_id(UAT, "HPT-PROP-RATES"))
    raw.token()
    before = sandbox.gateway.usage(raw.key)
    ok(raw.get(SVC, f"productposition/{rates}"))
    ok(raw.get(SVC, "creditutilization", accountId=rates))
    assert sandbox.gateway.usage(raw.key) == before + 2


ACCOUNT_ENDPOINTS = ["productposition/{}", "position/{}", "productfamilyposition/{}",
                     "creditutilization?accountId={}"]


def _get(raw: RawTT, template: str, account: str) -> httpx.Response:
    endpoint = template.format(account)
    if "?" in endpoint:
        path, _, query = endpoint.partition("?")
        name, _, value = query.partition("=")
        return raw.get(SVC, path, **{name: value})
    return raw.get(SVC, endpoint)


@pytest.mark.parametrize("template", ACCOUNT_ENDPOINTS)
def test_an_account_of_another_company_is_404(sandbox: Sandbox, raw: RawTT,
                                              template: str) -> None:
    mrdn = sandbox.account_id(UAT, "MRDN-HOUSE")
    assert failed(_get(raw, template, str(mrdn)), 404) == f"account {mrdn} not found"
    failed(_get(raw, template, "999999999"), 404)


NOT_INTEGERS = [(template, value) for template in ACCOUNT_ENDPOINTS
                for value in ("abc", "-5", "1.5", "") if value or "?" in template]
"""(An empty path segment is another path: only the query parameter can be empty.)"""


@pytest.mark.parametrize(("template", "value"), NOT_INTEGERS)
def test_an_account_id_not_an_integer_is_400(raw: RawTT, template: str, value: str) -> None:
    assert "accountId must be an integer" in failed(_get(raw, template, value), 400)


def test_paths_ttmonitor_does_not_have_are_404(raw: RawTT) -> None:
    """ttmonitor is simulated now: no longer 501, and unknown paths are 404 as elsewhere."""
    assert "no such endpoint" in failed(raw.get(SVC, "fills"), 404)


# -------------------------------------------------------------- read only over the API


@pytest.mark.parametrize(("method", "endpoint", "body"), [
    ("PUT", "position/{}", {"positions": []}),
    ("PUT", "creditutilization/{}", {"creditUsed": 1}),
    ("POST", "position/{}", {"positions": []}),
    ("DELETE", "productposition/{}", None),
])
def test_writes_over_the_api_are_405_and_change_nothing(
        sandbox: Sandbox, raw: RawTT, method: str, endpoint: str, body: Any) -> None:
    rates = sandbox.account_id(UAT, "HPT-PROP-RATES")
    before = ok(raw.get(SVC, f"position/{rates}"))["positions"]
    response = raw.http.request(method, raw.url(SVC, endpoint.format(rates)),
                                params={"requestId": raw.rid()}, headers=raw.headers(),
                                json=body)
    assert f"method {method} is not allowed" in failed(response, 405)
    assert ok(raw.get(SVC, f"position/{rates}"))["positions"] == before
    credit = ok(raw.get(SVC, "creditutilization", accountId=str(rates)))["creditUtilization"]
    assert credit[0]["creditUsed"] == 12_400_000
    assert sandbox.writes() == []


def test_the_ui_edit_sets_positions(sandbox: Sandbox, raw: RawTT) -> None:
    rates = sandbox.account_id(UAT, "HPT-PROP-RATES")
    front = sandbox.instrument_id(UAT, "ZN Dec26")
    body = {"positions": [{"instrumentId": front, "netPosition": -40, "workingBuyQty": 0,
                           "workingSellQty": 15}]}
    result = ok(control_edit(raw, "PUT", f"position/{rates}", body))["result"]
    assert [quantities(i) for i in result["positions"]] == [(-40, 0, 15)]
    items = ok(raw.get(SVC, f"position/{rates}"))["positions"]
    assert [(i["instrumentId"], *quantities(i)) for i in items] == [(front, -40, 0, 15)]
    products = ok(raw.get(SVC, f"productposition/{rates}"))["positions"]
    assert [quantities(i) for i in products] == [(-40, 0, 15)]  # ZB's position replaced
    writes = sandbox.writes()
    assert [(w["method"], w["path"], w["source"]) for w in writes] == [
        ("PUT", raw.url(SVC, f"position/{rates}"), "ui")]
    ok(control_edit(raw, "PUT", f"position/{rates}", {"positions": []}))
    assert ok(raw.get(SVC, f"productposition/{rates}"))["positions"] == []
    assert ok(raw.get(SVC, f"productfamilyposition/{rates}"))["positions"] == []


def test_the_ui_edit_sets_credit_used(sandbox: Sandbox, raw: RawTT) -> None:
    birch = sandbox.account_id(UAT, "HPT-CUST-BIRCH")
    result = ok(control_edit(raw, "PUT", f"creditutilization/{birch}", {"creditUsed": 1234.5}))
    assert result["result"]["creditUtilization"][0]["creditUsed"] == 1234.5
    credit = ok(raw.get(SVC, "creditutilization", accountId=str(birch)))["creditUtilization"]
    assert credit == [{"accountId": birch, "creditLimit": 5_000_000, "currency": "USD",
                       "creditUsed": 1234.5}]
    assert [w["source"] for w in sandbox.writes()] == ["ui"]


BAD_POSITIONS = [
    ({"positions": [{"instrumentId": "123456789", "netPosition": 1}]}, "not found"),
    ({"positions": [{"instrumentId": "{ZN}", "netPosition": 1, "workingBuyQty": -1}]},
     "workingBuyQty"),
    ({"positions": [{"instrumentId": "{ZN}", "netPosition": 1, "workingSellQty": 2.5}]},
     "workingSellQty"),
    ({"positions": [{"instrumentId": "{ZN}", "netPosition": "10"}]}, "netPosition"),
    ({"positions": [{"instrumentId": "{ZN}", "netPosition": True}]}, "netPosition"),
    ({"positions": [{"instrumentId": "{ZN}"}]}, "netPosition"),
    ({"positions": [{"instrumentId": 12345, "netPosition": 1}]}, "instrumentId"),
    ({"positions": [{"instrumentId": "{ZN}", "netPosition": 1, "side": "buy"}]}, "side"),
    ({"positions": [{"instrumentId": "{ZN}", "netPosition": 1},
                    {"instrumentId": "{ZN}", "netPosition": 2}]}, "twice"),
    ({"positions": {"instrumentId": "{ZN}"}}, "positions"),
    ({}, "positions"),
]


@pytest.mark.parametrize(("body", "says"), BAD_POSITIONS)
def test_a_bad_positions_edit_is_400_and_changes_nothing(sandbox: Sandbox, raw: RawTT,
                                                         body: Json, says: str) -> None:
    rates = sandbox.account_id(UAT, "HPT-PROP-RATES")
    front = sandbox.instrument_id(UAT, "ZN Dec26")
    concrete = _filled(body, front)
    before = ok(raw.get(SVC, f"position/{rates}"))["positions"]
    response = control_edit(raw, "PUT", f"position/{rates}", concrete)
    assert response.status_code == 400, response.text
    assert says in response.json()["status_message"]
    assert ok(raw.get(SVC, f"position/{rates}"))["positions"] == before
    assert sandbox.writes() == []
    if isinstance(concrete.get("positions"), list):  # the Python lever refuses it alike
        with pytest.raises(ApiFailure, match=says) as refused:
            sandbox.set_positions(UAT, "HPT-PROP-RATES", concrete["positions"])
        assert refused.value.status == 400
        assert sandbox.writes() == []


def _filled(body: Any, instrument_id: str) -> Any:
    if isinstance(body, dict):
        return {k: _filled(v, instrument_id) for k, v in body.items()}
    if isinstance(body, list):
        return [_filled(v, instrument_id) for v in body]
    return instrument_id if body == "{ZN}" else body


@pytest.mark.parametrize("body", [{"creditUsed": -1}, {"creditUsed": "5"}, {"creditUsed": True},
                                  {"creditUsed": None}, {}, {"creditUsed": 1, "limit": 2}])
def test_a_bad_credit_edit_is_400_and_changes_nothing(sandbox: Sandbox, raw: RawTT,
                                                      body: Json) -> None:
    rates = sandbox.account_id(UAT, "HPT-PROP-RATES")
    response = control_edit(raw, "PUT", f"creditutilization/{rates}", body)
    assert response.status_code == 400, response.text
    assert response.json()["status_message"]
    credit = ok(raw.get(SVC, "creditutilization", accountId=str(rates)))["creditUtilization"]
    assert credit[0]["creditUsed"] == 12_400_000
    assert sandbox.writes() == []


def test_the_python_levers(sandbox: Sandbox, meridian: RawTT) -> None:
    """`Sandbox.set_positions` / `set_credit_used` take an account by name or id, of any
    company (the edit is made for the account's own company)."""
    mrdn = sandbox.account_id(UAT, "MRDN-HOUSE")
    front = sandbox.instrument_id(UAT, "CL Dec26")
    answer = sandbox.set_positions(UAT, "MRDN-HOUSE", [{"instrumentId": front,
                                                         "netPosition": 12}])
    assert [quantities(i) for i in answer["positions"]] == [(12, 0, 0)]
    sandbox.set_credit_used(UAT, mrdn, 250_000)
    items = ok(meridian.get(SVC, f"position/{mrdn}"))["positions"]
    assert [(i["instrumentId"], i["netPosition"]) for i in items] == [(front, 12)]
    credit = ok(meridian.get(SVC, "creditutilization", accountId=str(mrdn)))
    assert credit["creditUtilization"][0]["creditUsed"] == 250_000
    assert [w["source"] for w in sandbox.writes()] == ["ui", "ui"]


def test_positions_persist_in_the_state_file(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    first = Sandbox(state_path=state)
    front = first.instrument_id(UAT, "ES Dec26")
    first.set_positions(UAT, "HPT-TRAINING", [{"instrumentId": front, "netPosition": 2}])
    first.set_credit_used(UAT, "HPT-TRAINING", 10)
    again = Sandbox(state_path=state)
    training = again.account_id(UAT, "HPT-TRAINING")
    env = again.store.env(UAT)
    assert env.positions[training]["instruments"] == [
        {"instrumentId": front, "netPosition": 2, "workingBuyQty": 0, "workingSellQty": 0}]
    assert env.credit_usage[training] == {"accountId": training, "creditUsed": 10}


# ------------------------------------------------------------- credit limit from risk settings


def test_credit_limit_is_read_from_risk_settings(sandbox: Sandbox, raw: RawTT) -> None:
    rates = sandbox.account_id(UAT, "HPT-PROP-RATES")
    ok(raw.post("ttaccount", f"account/{rates}/risksettings",
                {"creditLimit": 20_000_000, "currency": "EUR"}))
    credit = ok(raw.get(SVC, "creditutilization", accountId=str(rates)))["creditUtilization"]
    assert credit == [{"accountId": rates, "creditLimit": 20_000_000, "currency": "EUR",
                       "creditUsed": 12_400_000}]
    sandbox.edit("POST", f"/ttaccount/{UAT}/account/{rates}/risksettings", {"creditLimit": None})
    listed = ok(raw.get(SVC, "creditutilization"))["creditUtilization"]
    assert next(c for c in listed if c["accountId"] == rates)["creditLimit"] is None
    assert all(set(c) == CREDIT_KEYS for c in listed)

