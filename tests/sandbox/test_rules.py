"""The sandbox enforces every shared rule of TT's wire contract (shared/tt-contract.md §1, §2).

Each rule is exercised over raw HTTP (httpx, hand-made headers and query strings): the
violation is refused with the status and body shape the contract gives, and, where it helps,
the well-formed request is served, so that a refusal is known to come from the rule tested.
"""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

import httpx
import pytest

from tests.conftest import FAST_PAUSE, PROD, UAT, RawTT
from tests.sandbox.envelopes import failed, ok
from ttconfig.sandbox.responses import MIN_GZIP_BYTES
from ttconfig.sandbox.server import Sandbox
from ttconfig.sandbox.settings import USAGE_PLAN_NAMES, SandboxSettings, UsagePlan

Json = dict[str, Any]
FORBIDDEN_CHARS = list('$&+,/:;=?@"<>#%{}|\\^~[]`')
CONTENT_TYPE_MESSAGE = "Invalid key=value pair (missing equal-sign) in Authorization header"


# --------------------------------------------------------------------------------- helpers


def request(raw: RawTT, method: str, path: str, *, query: str | None = None,
            headers: dict[str, str | None] | None = None, body: Any = None) -> httpx.Response:
    """A request with the key, a bearer token and a fresh requestId, unless told otherwise.

    `query` is sent verbatim (already percent-encoded); `headers` override the defaults, and a
    header given as None is not sent at all.
    """
    merged: dict[str, str | None] = {**raw.headers(), **(headers or {})}
    sent = {name: value for name, value in merged.items() if value is not None}
    query = f"requestId={raw.rid()}" if query is None else query
    url = f"{path}?{query}" if query else path
    return raw.http.request(method, url, headers=sent, json=body)


def rid_query(request_id: str, name: str = "requestId") -> str:
    return f"{name}={urllib.parse.quote(request_id, safe='')}"


def refused_by_gateway(response: httpx.Response, status: int, message: str) -> None:
    """Assert a gateway-level refusal: only {"message": ...}."""
    assert response.status_code == status, response.text
    assert response.json() == {"message": message}


def token_request(raw: RawTT, *, api_key: str | None = None, app_key: str | None = None,
                  as_json: bool = False) -> httpx.Response:
    """POST /ttid/{env}/token with a form body (or a JSON one) and a fresh requestId."""
    form = {"grant_type": "user_app", "app_key": app_key or f"{raw.key}:{raw.secret}"}
    body: dict[str, Any] = {"json": form} if as_json else {"data": form}
    return raw.http.post(raw.url("ttid", "token"), params={"requestId": raw.rid()},
                         headers={"x-api-key": api_key or raw.key}, **body)


@dataclass(frozen=True)
class Ids:
    """Seeded objects of Harbor Point in UAT that the tests use (looked up, not hard-coded)."""

    account: int
    user: int
    risk_group: int
    user_group: int
    limit: int
    link_account: int
    link_user: int
    member_group: int
    member_account: int
    member_user_group: int
    member_user: int
    limited_user: int
    user_limit: int


def seeded_ids(sandbox: Sandbox) -> Ids:
    env = sandbox.store.env(UAT)
    company = next(c["id"] for c in env.companies.values() if c["abbrevName"] == "HPT")
    account = next(a["id"] for a in env.accounts.values() if a["name"] == "HPT-UAT-TEST")
    linked = {uid for links in env.account_users.values() for uid in links}
    grouped = {uid for members in env.user_group_users.values() for uid in members}
    api_users = {k["userId"] for k in env.app_keys.values()}
    user = min(u["id"] for u in env.users.values()
               if u["companyId"] == company and u["id"] not in linked | grouped | api_users)
    link_account, links = next((aid, links) for aid, links in sorted(env.account_users.items())
                               if links and env.accounts[aid]["companyId"] == company)
    member_group, accounts = min((gid, m) for gid, m in env.risk_group_accounts.items() if m)
    member_user_group, users = min((gid, m) for gid, m in env.user_group_users.items() if m)
    limited = min(r["userId"] for r in env.user_limits.values() if r["productLimits"]
                  and env.users[r["userId"]]["companyId"] == company)
    return Ids(
        account=account,
        user=user,
        risk_group=next(g["id"] for g in env.risk_groups.values()
                        if g["name"] == "Rates Aggregate"),
        user_group=next(g["id"] for g in env.user_groups.values() if g["name"] == "Rates Desk"),
        limit=env.account_limits[account]["productLimits"][0]["id"],
        link_account=link_account,
        link_user=min(links),
        member_group=member_group,
        member_account=min(accounts),
        member_user_group=member_user_group,
        member_user=min(users),
        limited_user=limited,
        user_limit=env.user_limits[limited]["productLimits"][0]["id"],
    )


def product_rows(sandbox: Sandbox, count: int, **values: Any) -> list[Json]:
    """`count` valid productLimits rows, one per seeded product of UAT."""
    products = sorted(sandbox.store.env(UAT).products.values(), key=lambda p: p["id"])
    assert len(products) >= count
    return [{"marketId": p["marketId"], "productTypeId": p["productTypeId"], "productId": p["id"],
             **values} for p in products[:count]]


def contract_rows(sandbox: Sandbox, count: int) -> list[Json]:
    """`count` valid contractLimits rows, one per seeded instrument of UAT."""
    env = sandbox.store.env(UAT)
    instruments = sorted(env.instruments.values(), key=lambda i: i["id"])[:count]
    assert len(instruments) == count
    rows = []
    for instrument in instruments:
        product = env.products[instrument["productId"]]
        rows.append({"marketId": product["marketId"], "productTypeId": product["productTypeId"],
                     "productId": product["id"], "instrumentId": instrument["id"],
                     "maxOrderQty": 1})
    return rows


@pytest.fixture
def meridian(sandbox: Sandbox) -> Iterator[RawTT]:
    """Raw HTTP with the second company's app key (UAT), on the per-test sandbox."""
    client = RawTT(sandbox, label="meridian")
    yield client
    client.close()


@pytest.fixture(scope="module")
def shared() -> Iterator[Sandbox]:
    """One sandbox for the tests that neither write nor change a setting or a lever.

    Starting and stopping a server per test costs more than most of these tests; the usage
    plans are made generous so that the many quick requests never meet a 429.
    """
    plans = dict.fromkeys(USAGE_PLAN_NAMES, UsagePlan(100_000, 100_000_000))
    with Sandbox(settings=SandboxSettings(post_pause_seconds=FAST_PAUSE, usage_plans=plans,
                                          strict=True)) as running:
        yield running


def _client(sandbox: Sandbox, environment: str, label: str) -> Iterator[RawTT]:
    client = RawTT(sandbox, environment, label)
    yield client
    client.close()


@pytest.fixture(scope="module")
def hpt(shared: Sandbox) -> Iterator[RawTT]:
    """Harbor Point's UAT key on the shared sandbox."""
    yield from _client(shared, UAT, "ttconfig")


@pytest.fixture(scope="module")
def hpt_prod(shared: Sandbox) -> Iterator[RawTT]:
    """Harbor Point's production key on the shared sandbox."""
    yield from _client(shared, PROD, "ttconfig")


@pytest.fixture(scope="module")
def mrdn(shared: Sandbox) -> Iterator[RawTT]:
    """Meridian's UAT key on the shared sandbox."""
    yield from _client(shared, UAT, "meridian")


# ------------------------------------------------------------------ rule 1: base URL, host


@pytest.mark.parametrize("host", ["apigateway.trade.tt", "APIGateway.trade.tt:443"])
def test_rule1_deprecated_host_is_forbidden(hpt: RawTT, host: str) -> None:
    response = request(hpt, "GET", hpt.url("ttpds", "markets"), headers={"Host": host})
    refused_by_gateway(response, 403, "Forbidden")


def test_rule1_current_host_is_served(hpt: RawTT) -> None:
    ok(request(hpt, "GET", hpt.url("ttpds", "markets"), headers={"Host": "ttrestapi.trade.tt"}))


def test_rule1_both_environments_are_served(hpt: RawTT, hpt_prod: RawTT) -> None:
    assert ok(hpt.get("ttpds", "markets"))["markets"]
    assert ok(hpt_prod.get("ttpds", "markets"))["markets"]


# ------------------------------------------------------- rule 2: case-sensitive paths, env


@pytest.mark.parametrize("path", [
    f"/TTAccount/{UAT}/accounts",
    f"/ttAccount/{UAT}/accounts",
    f"/TTACCOUNT/{UAT}/accounts",
    f"/TTUser/{UAT}/users",
    f"/ttpdS/{UAT}/markets",
])
def test_rule2_upper_case_service_is_forbidden(hpt: RawTT, path: str) -> None:
    refused_by_gateway(request(hpt, "GET", path), 403, "Forbidden")


@pytest.mark.parametrize("environment", ["ext_uat", "EXT_UAT_CERT", "ext_prod_cert", "uat", "x"])
def test_rule2_unknown_environment_is_forbidden(hpt: RawTT, environment: str) -> None:
    response = request(hpt, "GET", hpt.url("ttaccount", "accounts", environment))
    refused_by_gateway(response, 403, "Forbidden")


def test_rule2_lower_case_path_is_served(hpt: RawTT) -> None:
    assert ok(request(hpt, "GET", hpt.url("ttaccount", "accounts")))["accounts"]


@pytest.mark.parametrize("service", ["ttledger", "ttbacktest"])
def test_services_tt_has_but_the_sandbox_does_not_simulate_answer_501(
        hpt: RawTT, service: str) -> None:
    """Not a 403, which reads as a bad app key; a bad key still gets its 403."""
    response = request(hpt, "GET", hpt.url(service, "fills"))
    assert response.status_code == 501, response.text
    assert f"does not simulate {service}" in response.json()["message"]
    refused_by_gateway(request(hpt, "GET", hpt.url(service, "fills"),
                               headers={"x-api-key": "not-a-key"}), 403, "Forbidden")


@pytest.mark.parametrize(("service", "endpoint"), [("ttaccount", "accounts"),
                                                   ("ttpds", "markets")])
def test_a_trailing_slash_is_routed_as_without_it(hpt: RawTT, service: str,
                                                  endpoint: str) -> None:
    """The gateway in front of TT routes /x/ as /x (contract §9); it answered 404."""
    plain = ok(request(hpt, "GET", hpt.url(service, endpoint)))
    slashed = ok(request(hpt, "GET", hpt.url(service, endpoint) + "/"))
    assert slashed[endpoint] == plain[endpoint]


# ------------------------------------------------------------------------- rule 3: app key


@pytest.mark.parametrize("key", [None, "", "not-a-key", str(uuid.uuid4())],
                         ids=["missing", "empty", "garbage", "unknown-guid"])
def test_rule3_missing_or_unknown_key_is_forbidden(hpt: RawTT, key: str | None) -> None:
    response = request(hpt, "GET", hpt.url("ttpds", "markets"), headers={"x-api-key": key})
    refused_by_gateway(response, 403, "Forbidden")


def test_rule3_uat_key_on_production_is_forbidden(hpt: RawTT) -> None:
    response = request(hpt, "GET", hpt.url("ttpds", "markets", PROD))
    refused_by_gateway(response, 403, "Forbidden")


def test_rule3_production_key_on_uat_is_forbidden(hpt_prod: RawTT) -> None:
    response = request(hpt_prod, "GET", hpt_prod.url("ttpds", "markets", UAT))
    refused_by_gateway(response, 403, "Forbidden")


def test_rule3_token_request_needs_a_known_key(hpt: RawTT) -> None:
    refused_by_gateway(token_request(hpt, api_key=str(uuid.uuid4())), 403, "Forbidden")


@pytest.mark.parametrize(("label", "company"), [("ttconfig", "Harbor Point Trading"),
                                                ("meridian", "Meridian Futures")])
def test_rule3_a_key_belongs_to_one_company(shared: Sandbox, label: str, company: str) -> None:
    client = RawTT(shared, label=label)
    try:
        assert [c["name"] for c in ok(client.get("ttsetup", "company"))["company"]] == [company]
    finally:
        client.close()


# ------------------------------------------------------------------ rule 4: bearer token


@pytest.mark.parametrize("authorization", [
    None, "Basic x", "Bearer", "Bearer not-a-token", "{token}", "Token {token}", "Basic {token}",
], ids=["missing", "basic", "bearer-alone", "unknown-token", "no-scheme", "token-scheme",
        "basic-with-token"])
def test_rule4_missing_or_malformed_token(hpt: RawTT, authorization: str | None) -> None:
    value = None if authorization is None else authorization.format(token=hpt.token())
    response = request(hpt, "GET", hpt.url("ttpds", "markets"), headers={"Authorization": value})
    failed(response, 401)


def test_rule4_bearer_scheme_is_case_insensitive(hpt: RawTT) -> None:
    ok(request(hpt, "GET", hpt.url("ttpds", "markets"),
               headers={"Authorization": f"bearer {hpt.token()}"}))


def test_rule4_expired_token_by_lever(sandbox: Sandbox, raw: RawTT) -> None:
    ok(raw.get("ttpds", "markets"))
    sandbox.gateway.expire_tokens()
    failed(raw.get("ttpds", "markets"), 401)
    fresh = RawTT(sandbox)
    try:
        ok(fresh.get("ttpds", "markets"))
    finally:
        fresh.close()


def test_rule4_expired_token_by_lifetime(sandbox: Sandbox, raw: RawTT) -> None:
    sandbox.settings.token_lifetime_seconds = 0.3
    ok(raw.get("ttpds", "markets"))
    time.sleep(0.35)
    failed(raw.get("ttpds", "markets"), 401)


def test_rule4_token_of_another_key_is_refused(hpt: RawTT, mrdn: RawTT) -> None:
    response = request(hpt, "GET", hpt.url("ttpds", "markets"),
                       headers={"Authorization": f"Bearer {mrdn.token()}"})
    failed(response, 401)


def test_rule4_uat_token_with_production_key_is_refused(hpt: RawTT, hpt_prod: RawTT) -> None:
    response = request(hpt_prod, "GET", hpt_prod.url("ttpds", "markets"),
                       headers={"Authorization": f"Bearer {hpt.token()}"})
    failed(response, 401)


def test_rule4_writes_need_a_token_too(sandbox: Sandbox, raw: RawTT) -> None:
    account = seeded_ids(sandbox).account
    response = request(raw, "POST", raw.url("ttaccount", f"account/{account}"),
                       headers={"Authorization": None}, body={"description": "no token"})
    failed(response, 401)
    assert sandbox.writes() == []


# --------------------------------------------------------------- rule 5: GET + Content-Type


@pytest.mark.parametrize("content_type", ["application/json", "application/x-www-form-urlencoded",
                                          "text/plain"])
def test_rule5_get_with_content_type_is_forbidden(hpt: RawTT, content_type: str) -> None:
    response = request(hpt, "GET", hpt.url("ttaccount", "accounts"),
                       headers={"Content-Type": content_type})
    assert response.status_code == 403, response.text
    body = response.json()
    assert set(body) == {"message"}
    assert body["message"].startswith(CONTENT_TYPE_MESSAGE)


def test_rule5_only_strict_refuses_it_as_tts_own_samples_send_it(sandbox: Sandbox,
                                                                 raw: RawTT) -> None:
    """TT's Backtest sample sends a Content-Type on every GET; the 403 comes from one
    third-party guide. Off by default (tests run strict: the client must not send it)."""
    sandbox.settings.strict = False
    response = request(raw, "GET", raw.url("ttaccount", "accounts"),
                       headers={"Content-Type": "application/json"})
    assert ok(response)["accounts"]


# ----------------------------------------------------------------------- rule 6: requestId


@pytest.mark.parametrize("query", [
    "",
    "requestID={rid}",
    "requestid={rid}",
    "RequestId={rid}",
    "request_id={rid}",
    "requestId=",
], ids=["missing", "requestID", "requestid", "RequestId", "request_id", "empty"])
def test_rule6_missing_or_misspelt_request_id(hpt: RawTT, query: str) -> None:
    response = request(hpt, "GET", hpt.url("ttpds", "markets"), query=query.format(rid=hpt.rid()))
    failed(response, 400)


GUID = "0f8fad5b-d9cb-469f-a165-70867728950e"


@pytest.mark.parametrize("request_id", [
    f"tests-harbor-{GUID}",
    f"tests-harbor{GUID}",
    f"tests-harbor---{GUID[1:]}",
    "tests-harbor--not-a-guid",
    f"tests-harbor--{GUID[:-1]}",
    f"tests-harbor--{GUID}0",
    f"tests-harbor--{GUID.replace('-', '')}",
    f"tests-harbor--{GUID[:-1]}g",
    f"--{GUID}",
    GUID,
    f"tests harbor--{GUID}",
    f"tests-harbor--{GUID} ",
    f"tests-harbor\t--{GUID}",
], ids=["single-hyphen", "no-hyphen", "guid-short", "not-guid", "guid-35", "guid-37",
        "guid-no-dashes", "guid-non-hex", "no-prefix", "guid-only", "space", "trailing-space",
        "tab"])
def test_rule6_malformed_request_id(hpt: RawTT, request_id: str) -> None:
    response = request(hpt, "GET", hpt.url("ttpds", "markets"), query=rid_query(request_id))
    failed(response, 400)


@pytest.mark.parametrize("char", FORBIDDEN_CHARS)
def test_rule6_forbidden_character_in_request_id(hpt: RawTT, char: str) -> None:
    request_id = f"tests{char}harbor--{uuid.uuid4()}"
    response = request(hpt, "GET", hpt.url("ttpds", "markets"), query=rid_query(request_id))
    message = failed(response, 400)
    assert char in message  # the character arrived decoded and is the one refused


@pytest.mark.parametrize("request_id", [
    f"tests-harbor--{uuid.uuid4()}",
    f"tests-harbor--{str(uuid.uuid4()).upper()}",
    f"ttconfig-Harbor_Point.Trading--{uuid.uuid4()}",
    f"x--{uuid.uuid4()}",
], ids=["lower", "upper-guid", "dots-underscores", "short-prefix"])
def test_rule6_well_formed_request_id_is_accepted(hpt: RawTT, request_id: str) -> None:
    ok(request(hpt, "GET", hpt.url("ttpds", "markets"), query=rid_query(request_id)))


def test_rule6_reused_request_id_is_refused(hpt: RawTT) -> None:
    request_id = hpt.rid()
    ok(request(hpt, "GET", hpt.url("ttpds", "markets"), query=rid_query(request_id)))
    failed(request(hpt, "GET", hpt.url("ttpds", "markets"), query=rid_query(request_id)), 400)
    failed(request(hpt, "GET", hpt.url("ttaccount", "accounts"), query=rid_query(request_id)), 400)


def test_rule6_request_ids_are_per_key(hpt: RawTT, mrdn: RawTT) -> None:
    request_id = hpt.rid()
    ok(request(hpt, "GET", hpt.url("ttpds", "markets"), query=rid_query(request_id)))
    ok(request(mrdn, "GET", mrdn.url("ttpds", "markets"), query=rid_query(request_id)))


def test_rule6_token_request_needs_a_request_id(hpt: RawTT) -> None:
    response = hpt.http.post(hpt.url("ttid", "token"), headers={"x-api-key": hpt.key},
                             data={"grant_type": "user_app",
                                   "app_key": f"{hpt.key}:{hpt.secret}"})
    failed(response, 400)


# --------------------------------------------------------------------- rule 7: usage plans


def test_rule7_rate_limit(sandbox: Sandbox, raw: RawTT) -> None:
    raw.token()
    sandbox.settings.usage_plan_override = "free"  # 3 requests a second, burst of 3
    responses = [raw.get("ttpds", "markets") for _ in range(12)]
    statuses = [r.status_code for r in responses]
    assert statuses[:3] == [200, 200, 200], statuses
    assert set(statuses) == {200, 429}, statuses
    assert statuses.count(429) >= 4, statuses
    for response in responses:
        if response.status_code == 429:
            assert response.json() == {"message": "Too Many Requests"}
            assert "retry-after" not in response.headers
    time.sleep(0.5)  # the bucket refills at 3 a second: a rate, not a ban
    ok(raw.get("ttpds", "markets"))


def test_rule7_daily_quota(sandbox: Sandbox, raw: RawTT, meridian: RawTT) -> None:
    sandbox.settings.usage_plans = dict.fromkeys(USAGE_PLAN_NAMES, UsagePlan(100, 5))
    raw.token()  # request 1 of 5
    for _ in range(4):
        ok(raw.get("ttpds", "markets"))
    for _ in range(2):
        response = raw.get("ttpds", "markets")
        refused_by_gateway(response, 429, "Limit Exceeded")
        assert "retry-after" not in response.headers
    ok(meridian.get("ttpds", "markets"))  # the quota is per app key


# ------------------------------------------------------ rule 8: ≤ 20 items, POST pacing


def _hpt_users(sandbox: Sandbox) -> list[int]:
    env = sandbox.store.env(UAT)
    company = next(c["id"] for c in env.companies.values() if c["abbrevName"] == "HPT")
    return sorted(u["id"] for u in env.users.values() if u["companyId"] == company)


def _tag_default_rows(sandbox: Sandbox, count: int) -> list[Json]:
    """`count` new user-scoped order-tag defaults that clash with nothing seeded."""
    env = sandbox.store.env(UAT)
    taken = {(d["accountId"], d["userId"], d["marketId"], d["fieldId"])
             for d in env.order_tag_defaults.values()}
    field = min(env.order_tag_fields.values(), key=lambda f: f["fieldId"])
    users = [u for u in _hpt_users(sandbox)
             if (None, u, field["marketId"], field["fieldId"]) not in taken][:count]
    assert len(users) == count
    return [{"userId": u, "marketId": field["marketId"], "fieldId": field["fieldId"],
             "value": "TEST"} for u in users]


def _bodies_of_21(sandbox: Sandbox, shape: str) -> tuple[str, str, Json, Json]:
    """(service, endpoint, a body of 21 valid items, the same body with 20 of them)."""
    account = seeded_ids(sandbox).account
    if shape == "productLimits":
        rows = product_rows(sandbox, 21, maxOrderQty=1)
        return ("ttaccount", f"account/{account}/limits", {"productLimits": rows},
                {"productLimits": rows[:20]})
    if shape == "product+contract":
        products, contracts = product_rows(sandbox, 10, maxOrderQty=1), contract_rows(sandbox, 11)
        return ("ttaccount", f"account/{account}/limits",
                {"productLimits": products, "contractLimits": contracts},
                {"productLimits": products, "contractLimits": contracts[:20 - len(products)]})
    if shape == "users":
        users = [{"userId": u} for u in _hpt_users(sandbox)[:21]]
        return ("ttaccount", f"account/{account}/users", {"users": users},
                {"users": users[:20]})
    defaults = _tag_default_rows(sandbox, 21)
    return ("ttsetup", "ordertagdefaults", {"orderTagDefaults": defaults},
            {"orderTagDefaults": defaults[:20]})


@pytest.mark.parametrize("shape", ["productLimits", "product+contract", "users",
                                   "orderTagDefaults"])
def test_rule8_twenty_one_items_are_refused(sandbox: Sandbox, raw: RawTT, shape: str) -> None:
    service, endpoint, body_21, body_20 = _bodies_of_21(sandbox, shape)
    assert sum(len(v) for v in body_21.values()) == 21
    failed(raw.post(service, endpoint, body_21), 400)
    assert sandbox.writes() == []
    time.sleep(FAST_PAUSE + 0.05)
    # the same items but one: accepted, so the refusal was the count and nothing else
    ok(raw.post(service, endpoint, body_20))
    assert len(sandbox.writes()) == 1


def test_rule8_post_pause_after_acknowledgement(sandbox: Sandbox, raw: RawTT,
                                                meridian: RawTT) -> None:
    sandbox.settings.post_pause_seconds = 0.5
    account = seeded_ids(sandbox).account
    endpoint = f"account/{account}/risksettings"
    ok(raw.post("ttaccount", endpoint, {"creditLimit": 1000}))
    message = failed(raw.post("ttaccount", endpoint, {"creditLimit": 2000}), 429)
    assert "POST" in message
    assert "wait" in message
    assert len(sandbox.writes()) == 1
    env = sandbox.store.env(UAT)
    meridian_company = env.app_keys[meridian.key]["companyId"]
    meridian_account = min(a["id"] for a in env.accounts.values()
                           if a["companyId"] == meridian_company)
    ok(meridian.post("ttaccount", f"account/{meridian_account}/risksettings",
                     {"creditLimit": 5}))  # the pause is per app key
    time.sleep(0.55)
    ok(raw.post("ttaccount", endpoint, {"creditLimit": 3000}))
    settings = ok(raw.get("ttaccount", endpoint))["riskSettings"][0]
    assert settings["creditLimit"] == 3000
    assert len(sandbox.writes()) == 3


# --------------------------------------------------------------------------- rule 9: paging


def test_rule9_pages_with_string_last_page(sandbox: Sandbox, raw: RawTT) -> None:
    full = ok(raw.get("ttaccount", "accounts"))
    assert full["lastPage"] == "true"
    assert "nextPageKey" not in full
    sandbox.settings.page_size = 2
    seen: list[int] = []
    params: dict[str, str] = {}
    for _ in range(len(full["accounts"])):
        page = ok(raw.get("ttaccount", "accounts", **params))
        assert 1 <= len(page["accounts"]) <= 2
        seen += [a["id"] for a in page["accounts"]]
        if page["lastPage"] == "true":
            assert "nextPageKey" not in page
            break
        assert page["lastPage"] == "false"
        assert isinstance(page["nextPageKey"], str)
        assert page["nextPageKey"]
        params = {"nextPageKey": page["nextPageKey"]}
    else:
        pytest.fail("paging never reached lastPage 'true'")
    assert seen == [a["id"] for a in full["accounts"]]


def _tampered(key: str) -> str:
    middle = len(key) // 2
    return key[:middle] + ("A" if key[middle] != "A" else "B") + key[middle + 1:]


@pytest.mark.parametrize("case", ["tampered", "garbage", "other-path", "other-filter",
                                  "other-key"])
def test_rule9_bad_next_page_key(sandbox: Sandbox, raw: RawTT, meridian: RawTT,
                                 case: str) -> None:
    sandbox.settings.page_size = 2
    first = ok(raw.get("ttpds", "products", marketId="7"))
    key = first["nextPageKey"]
    ok(raw.get("ttpds", "products", marketId="7", nextPageKey=key))  # the key itself is good
    if case == "tampered":
        response = raw.get("ttpds", "products", marketId="7", nextPageKey=_tampered(key))
    elif case == "garbage":
        response = raw.get("ttpds", "products", marketId="7", nextPageKey="not-a-page-key")
    elif case == "other-path":
        response = raw.get("ttaccount", "accounts", nextPageKey=key)
    elif case == "other-filter":
        response = raw.get("ttpds", "products", marketId="28", nextPageKey=key)
    else:
        response = meridian.get("ttpds", "products", marketId="7", nextPageKey=key)
    failed(response, 400)


# ------------------------------------------------------------------ rule 10: envelopes


ENVELOPES = [
    ("ttaccount", "account/{account}", "account", "account"),
    ("ttaccount", "account/{account}/risksettings", "riskSettings", "account"),
    ("ttaccount", "account/{account}/restrictions", "restrictions", "account"),
    ("ttaccount", "account/{account}/limits", "accountLimits", "account"),
    ("ttuser", "user/{user}", "user", "user"),
    ("ttuser", "user/{user}/limits", "userLimits", "user"),
    ("ttgroup", "riskgroup/{risk_group}", "riskGroup", "risk_group"),
    ("ttgroup", "riskgroup/{risk_group}/limits", "riskGroupLimits", "risk_group"),
    ("ttsetup", "company", "company", None),
]
ID_KEYS = {"account": ("id", "accountId"), "user": ("id", "userId"),
           "risk_group": ("id", "riskGroupId")}


@pytest.mark.parametrize(("service", "endpoint", "key", "owner"), ENVELOPES,
                         ids=[e[2] for e in ENVELOPES])
def test_rule10_single_object_is_a_one_element_array(shared: Sandbox, hpt: RawTT, service: str,
                                                     endpoint: str, key: str,
                                                     owner: str | None) -> None:
    ids = asdict(seeded_ids(shared))
    body = ok(hpt.get(service, endpoint.format(**ids)))
    assert isinstance(body[key], list)
    assert len(body[key]) == 1
    (item,) = body[key]
    assert isinstance(item, dict)
    if owner is not None:
        assert ids[owner] in {item.get(k) for k in ID_KEYS[owner]}


@pytest.mark.parametrize(("service", "endpoint", "key"), [
    ("ttaccount", "accounts", "accounts"),
    ("ttuser", "users", "users"),
    ("ttgroup", "riskgroups", "riskGroups"),
    ("ttgroup", "usergroups", "userGroups"),
    ("ttsetup", "ordertagdefaults", "orderTagDefaults"),
])
def test_rule10_lists_are_ok_and_paged(hpt: RawTT, service: str, endpoint: str, key: str) -> None:
    body = ok(hpt.get(service, endpoint))
    assert isinstance(body[key], list)
    assert body[key]
    assert body["lastPage"] == "true"


def test_rule10_service_failure_envelope(hpt: RawTT) -> None:
    failed(hpt.get("ttaccount", "account/999999999"), 404)


# ---------------------------------------------------------------------- rule 11: 303


def _with_request_id(location: str, request_id: str) -> str:
    parts = urllib.parse.urlsplit(location)
    query = dict(urllib.parse.parse_qsl(parts.query))
    query["requestId"] = request_id
    return f"{parts.path}?{urllib.parse.urlencode(query)}"


def test_rule11_get_redirected_on_the_same_host(sandbox: Sandbox, raw: RawTT) -> None:
    sandbox.settings.redirect_gets = True
    first_id = raw.rid()
    response = request(raw, "GET", raw.url("ttaccount", "accounts"), query=rid_query(first_id))
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    parts = urllib.parse.urlsplit(location)
    base = urllib.parse.urlsplit(sandbox.base_url)
    assert (parts.scheme, parts.netloc) == (base.scheme, base.netloc)
    assert parts.path == raw.url("ttaccount", "accounts")
    # following the Location with a fresh requestId works ...
    followed = request(raw, "GET", _with_request_id(location, raw.rid()), query="")
    assert ok(followed)["accounts"]
    # ... and so does following it as given, once: what curl -L, requests and httpx do
    assert ok(request(raw, "GET", location, query=""))["accounts"]
    failed(request(raw, "GET", location, query=""), 400)  # a second time is a reuse


def test_rule11_a_stock_client_follows_the_303_by_itself(sandbox: Sandbox, raw: RawTT) -> None:
    """httpx with follow_redirects, as public clients use it: it was 400 "requestId was
    already used" on every GET, since the Location carries the request's own requestId."""
    sandbox.settings.redirect_gets = True
    with httpx.Client(base_url=sandbox.base_url, follow_redirects=True,
                      headers=raw.headers()) as stock:
        response = stock.get(raw.url("ttaccount", "accounts"),
                             params={"requestId": raw.rid()})
    assert [r.status_code for r in response.history] == [303]
    assert ok(response)["accounts"]


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_follows_the_303_a_trailing_slash_and_a_json_typed_token_form(
        sandbox: Sandbox, raw: RawTT) -> None:
    """curl, as TT's help and public guides use it: `-L` follows the 303 routing, a
    trailing slash is routed, and the token form sent as TT's own sample sends it (under
    `Content-Type: application/json`) is served."""
    sandbox.settings.redirect_gets = True
    base = sandbox.base_url
    # (the answer's token is not printed: a credential in any output fails the canary)
    token = subprocess.run(
        ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST",
         f"{base}{raw.url('ttid', 'token')}?requestId={raw.rid()}",
         "-H", f"x-api-key: {raw.key}", "-H", "Content-Type: application/json",
         "--data", f"grant_type=user_app&app_key={raw.key}:{raw.secret}"],
        capture_output=True, text=True, timeout=30, check=True)
    assert token.stdout == "200"
    listed = subprocess.run(
        ["curl", "-s", "-L", f"{base}{raw.url('ttaccount', 'accounts')}/?requestId={raw.rid()}",
         "-H", f"x-api-key: {raw.key}", "-H", f"Authorization: Bearer {raw.token()}"],
        capture_output=True, text=True, timeout=30, check=True)
    answer = json.loads(listed.stdout)
    assert answer["status"] == "Ok", answer
    assert answer["accounts"]


def test_rule11_posts_are_not_redirected(sandbox: Sandbox, raw: RawTT) -> None:
    sandbox.settings.redirect_gets = True
    account = seeded_ids(sandbox).account
    ok(raw.post("ttaccount", f"account/{account}", {"description": "not redirected"}))
    assert len(sandbox.writes()) == 1


# ------------------------------------------------------------------ rule 12: 413 and gzip


def test_rule12_large_body_without_gzip_is_413(sandbox: Sandbox, raw: RawTT) -> None:
    sandbox.settings.max_plain_response_bytes = 300
    response = request(raw, "GET", raw.url("ttaccount", "accounts"),
                       headers={"Accept-Encoding": "identity"})
    assert response.status_code == 413, response.text[:200]
    assert "accounts" not in response.json()


def test_rule12_small_body_without_gzip_is_plain(sandbox: Sandbox, raw: RawTT) -> None:
    sandbox.settings.max_plain_response_bytes = 300
    response = request(raw, "GET", raw.url("ttsetup", "company"),
                       headers={"Accept-Encoding": "identity"})
    assert ok(response)["company"]
    assert "content-encoding" not in response.headers


def test_rule12_large_body_with_gzip_is_compressed(sandbox: Sandbox, raw: RawTT) -> None:
    sandbox.settings.max_plain_response_bytes = 300
    url = f"{raw.url('ttaccount', 'accounts')}?requestId={raw.rid()}"
    with raw.http.stream("GET", url, headers=raw.headers(**{"Accept-Encoding": "gzip"})) as resp:
        assert resp.status_code == 200
        assert resp.headers["content-encoding"] == "gzip"
        compressed = b"".join(resp.iter_raw())
    body = json.loads(gzip.decompress(compressed))
    assert body["status"] == "Ok"
    assert len(body["accounts"]) > 5
    assert len(compressed) < len(json.dumps(body))


def test_rule12_gzip_refused_with_q0_is_not_gzip(sandbox: Sandbox, raw: RawTT) -> None:
    response = request(raw, "GET", raw.url("ttaccount", "accounts"),
                       headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert len(response.content) >= MIN_GZIP_BYTES, "a body the sandbox would compress"
    assert ok(response)["accounts"]
    assert "content-encoding" not in response.headers


def test_rule12_a_small_body_goes_plain_even_to_a_client_that_accepts_gzip(
        sandbox: Sandbox, raw: RawTT) -> None:
    """Like API gateways' minimum compression size (ASSUMED for TT)."""
    url = f"{raw.url('ttsetup', 'company')}?requestId={raw.rid()}"
    with raw.http.stream("GET", url, headers=raw.headers(**{"Accept-Encoding": "gzip"})) as resp:
        assert resp.status_code == 200
        assert "content-encoding" not in resp.headers
        plain = b"".join(resp.iter_raw())
    assert len(plain) < MIN_GZIP_BYTES
    assert json.loads(plain)["company"]


# -------------------------------------------------------------------------- rule 13: IDs


def _big_id(value: Any) -> None:
    assert isinstance(value, str), value
    assert value.isdigit(), value
    assert 2**53 < int(value) < 2**64, value


def test_rule13_product_and_instrument_ids_are_big_strings(hpt: RawTT) -> None:
    products = ok(hpt.get("ttpds", "products"))["products"]
    assert products
    for product in products:
        _big_id(product["id"])
    instruments = ok(hpt.get("ttpds", "instruments", productId=products[0]["id"]))["instruments"]
    assert instruments
    for instrument in instruments:
        _big_id(instrument["id"])
        assert instrument["productId"] == products[0]["id"]


def test_section9_an_instrument_is_read_by_id_with_what_real_instruments_carry(
        hpt: RawTT) -> None:
    """Every public REST 2.0 client calls GET ttpds/{env}/instrument/{id}; real answers
    carry the product's ids and symbol, the family, the expiry as yyyyMMddHHmmss and the
    tick data. A stock httpx client, no ttconfig in between."""
    product = next(p for p in ok(hpt.get("ttpds", "products"))["products"]
                   if p["symbol"] == "ES" and p["productTypeId"] == 34)
    _big_id(product["familyId"])
    listed = next(i for i in ok(hpt.get("ttpds", "instruments", productId=product["id"]))[
        "instruments"] if i["alias"] == "ES Dec26")
    one = ok(hpt.get("ttpds", f"instrument/{listed['id']}"))["instrument"]
    assert one == [listed]
    instrument = one[0]
    assert (instrument["marketId"], instrument["productId"], instrument["productTypeId"],
            instrument["productSymbol"], instrument["productFamilyId"]) == (
        product["marketId"], product["id"], 34, "ES", product["familyId"])
    assert (instrument["term"], instrument["expirationDate"]) == ("Dec26", 20261218133000)
    assert type(instrument["lastTradeDate"]) is int
    assert (instrument["tickSize"], instrument["tickValue"], instrument["pointValue"]) == (
        0.25, 12.5, 50.0)
    missing = hpt.get("ttpds", "instrument/12345")
    assert missing.status_code == 404
    assert hpt.get("ttpds", "instrument/ESZ6").status_code == 400


def test_rule13_limit_rows_carry_string_ids(sandbox: Sandbox, raw: RawTT) -> None:
    account = seeded_ids(sandbox).account
    ok(raw.post("ttaccount", f"account/{account}/limits",
                {"contractLimits": contract_rows(sandbox, 1)}))
    limits = ok(raw.get("ttaccount", f"account/{account}/limits"))["accountLimits"][0]
    rows = limits["riskLimits"]["productLimits"] + limits["riskLimits"]["contractLimits"]
    for row in rows:
        _big_id(row["productId"])
        assert type(row["id"]) is int
        assert type(row["marketId"]) is int
    assert limits["riskLimits"]["contractLimits"]
    for row in limits["riskLimits"]["contractLimits"]:
        _big_id(row["instrumentId"])


@pytest.mark.parametrize(("service", "endpoint", "key"), [
    ("ttaccount", "accounts", "accounts"), ("ttuser", "users", "users"),
    ("ttgroup", "riskgroups", "riskGroups"), ("ttgroup", "usergroups", "userGroups"),
    ("ttpds", "markets", "markets"),
])
def test_rule13_other_ids_are_integers(hpt: RawTT, service: str, endpoint: str, key: str) -> None:
    for item in ok(hpt.get(service, endpoint))[key]:
        assert type(item["id"]) is int, item


# --------------------------------------------------------------------- rule 14: revision


READERS = {
    "account": ("ttaccount", "account/{}", "account"),
    "user": ("ttuser", "user/{}", "user"),
    "riskGroup": ("ttgroup", "riskgroup/{}", "riskGroup"),
}


def revision(raw: RawTT, kind: str, object_id: int) -> int:
    if kind == "userGroup":
        groups = ok(raw.get("ttgroup", "usergroups"))["userGroups"]
        return int(next(g["revision"] for g in groups if g["id"] == object_id))
    service, endpoint, key = READERS[kind]
    item = ok(raw.get(service, endpoint.format(object_id)))[key][0]
    assert type(item["revision"]) is int
    return int(item["revision"])


Write = tuple[str, str, str, Json | None, list[tuple[str, int]]]


def revision_case(sandbox: Sandbox, ids: Ids, label: str) -> Write:
    """(method, service, endpoint, body, objects whose revision the write raises)."""
    a, u, rg, ug = ids.account, ids.user, ids.risk_group, ids.user_group
    row = product_rows(sandbox, 1, maxOrderQty=3)
    cases: dict[str, Write] = {
        "account": ("POST", "ttaccount", f"account/{a}", {"description": "rev"},
                    [("account", a)]),
        "account-limits": ("POST", "ttaccount", f"account/{a}/limits", {"productLimits": row},
                           [("account", a)]),
        "account-limit-delete": ("DELETE", "ttaccount", f"account/{a}/limits/{ids.limit}", None,
                                 [("account", a)]),
        "risksettings": ("POST", "ttaccount", f"account/{a}/risksettings", {"applyPnl": False},
                         [("account", a)]),
        "restrictions": ("POST", "ttaccount", f"account/{a}/restrictions", {"obo": False},
                         [("account", a)]),
        "account-user-link": ("POST", "ttaccount", f"account/{a}/users",
                              {"users": [{"userId": u}]}, [("account", a), ("user", u)]),
        "account-user-unlink": ("DELETE", "ttaccount",
                                f"account/{ids.link_account}/users/{ids.link_user}", None,
                                [("account", ids.link_account), ("user", ids.link_user)]),
        "user": ("POST", "ttuser", f"user/{u}", {"alias": "REVISED"}, [("user", u)]),
        "user-limits": ("POST", "ttuser", f"user/{u}/limits", {"productLimits": row},
                        [("user", u)]),
        "riskgroup": ("POST", "ttgroup", f"riskgroup/{rg}", {"description": "rev"},
                      [("riskGroup", rg)]),
        "riskgroup-member": ("POST", "ttgroup", f"riskgroup/{rg}/accounts",
                             {"accounts": [{"accountId": a}]},
                             [("riskGroup", rg), ("account", a)]),
        "riskgroup-limits": ("POST", "ttgroup", f"riskgroup/{rg}/limits",
                             {"productLimits": row}, [("riskGroup", rg)]),
        "usergroup": ("POST", "ttgroup", f"usergroup/{ug}", {"name": "Rates Desk II"},
                      [("userGroup", ug)]),
        "usergroup-member": ("POST", "ttgroup", f"usergroup/{ug}/users",
                             {"users": [{"userId": u}]}, [("userGroup", ug), ("user", u)]),
        "user-limit-delete": ("DELETE", "ttuser",
                              f"user/{ids.limited_user}/limits/{ids.user_limit}", None,
                              [("user", ids.limited_user)]),
        "riskgroup-member-remove": (
            "DELETE", "ttgroup", f"riskgroup/{ids.member_group}/accounts/{ids.member_account}",
            None, [("riskGroup", ids.member_group), ("account", ids.member_account)]),
        "usergroup-member-remove": (
            "DELETE", "ttgroup", f"usergroup/{ids.member_user_group}/users/{ids.member_user}",
            None, [("userGroup", ids.member_user_group), ("user", ids.member_user)]),
    }
    return cases[label]


REVISION_LABELS = [
    "account", "account-limits", "account-limit-delete", "risksettings", "restrictions",
    "account-user-link", "account-user-unlink", "user", "user-limits", "riskgroup",
    "riskgroup-member", "riskgroup-limits", "usergroup", "usergroup-member", "user-limit-delete",
    "riskgroup-member-remove", "usergroup-member-remove",
]


@pytest.mark.parametrize("label", REVISION_LABELS)
def test_rule14_revision_rises_by_one_on_every_write(sandbox: Sandbox, raw: RawTT,
                                                     label: str) -> None:
    method, service, endpoint, body, touched = revision_case(sandbox, seeded_ids(sandbox), label)
    before = {obj: revision(raw, *obj) for obj in touched}
    response = raw.http.request(method, raw.url(service, endpoint),
                                params={"requestId": raw.rid()}, headers=raw.headers(), json=body)
    ok(response)
    after = {obj: revision(raw, *obj) for obj in touched}
    assert after == {obj: value + 1 for obj, value in before.items()}


def test_rule14_reads_and_refusals_leave_revision_alone(sandbox: Sandbox, raw: RawTT) -> None:
    account = seeded_ids(sandbox).account
    before = revision(raw, "account", account)
    ok(raw.get("ttaccount", f"account/{account}/limits"))
    failed(raw.post("ttaccount", f"account/{account}", {"accountType": 2}), 400)
    assert revision(raw, "account", account) == before


# --------------------------------------------------------------- rule 15: not idempotent


def test_rule15_the_same_post_twice_is_applied_twice(sandbox: Sandbox, raw: RawTT) -> None:
    account = seeded_ids(sandbox).account
    before = revision(raw, "account", account)
    endpoint = f"account/{account}/restrictions"
    sent = []
    for attempt in range(2):
        if attempt:
            time.sleep(FAST_PAUSE + 0.05)
        request_id = raw.rid()
        sent.append(request_id)
        ok(request(raw, "POST", raw.url("ttaccount", endpoint), query=rid_query(request_id),
                   headers={"Idempotency-Key": "same-key"}, body={"gtcOrders": False}))
    assert [w["request_id"] for w in sandbox.writes()] == sent
    assert revision(raw, "account", account) == before + 2


# ---------------------------------------------------------------- rule 16: null is not 0


def test_rule16_null_and_zero_stay_distinct(sandbox: Sandbox, raw: RawTT) -> None:
    account = seeded_ids(sandbox).account
    (row,) = product_rows(sandbox, 1)
    endpoint = f"account/{account}/limits"
    values = {"maxOrderQty": 0, "maxPosition": None, "maxLongPosition": 5,
              "maxShortPosition": 0, "priceReasonabilityTicks": None}
    written = ok(raw.post("ttaccount", endpoint, {"productLimits": [{**row, **values}]}))
    (answered,) = written["accountLimits"][0]["riskLimits"]["productLimits"]
    assert {k: answered[k] for k in values} == values

    def stored() -> Json:
        rows = ok(raw.get("ttaccount", endpoint))["accountLimits"][0]["riskLimits"]
        found: Json = next(r for r in rows["productLimits"] if r["productId"] == row["productId"])
        return found

    first = stored()
    assert {k: first[k] for k in values} == values
    time.sleep(FAST_PAUSE + 0.05)
    ok(raw.post("ttaccount", endpoint, {"productLimits": [{**row, "maxLongPosition": None}]}))
    second = stored()
    assert {k: second[k] for k in values} == {**values, "maxLongPosition": None}


# ------------------------------------------------------------------------ §2: ttid token


def test_token_request(hpt: RawTT) -> None:
    body = ok(token_request(hpt))
    assert set(body) == {"status", "access_token", "token_type", "seconds_until_expiry"}
    assert body["token_type"] == "bearer"
    assert body["seconds_until_expiry"] == 43199  # as a real token showed (contract §9)
    assert isinstance(body["access_token"], str)
    ok(request(hpt, "GET", hpt.url("ttpds", "markets"),
               headers={"Authorization": f"Bearer {body['access_token']}"}))


def test_token_lifetime_is_reported(sandbox: Sandbox, raw: RawTT) -> None:
    sandbox.settings.token_lifetime_seconds = 5.0
    assert ok(token_request(raw))["seconds_until_expiry"] == 5


def test_token_request_json_body_is_400(hpt: RawTT) -> None:
    failed(token_request(hpt, as_json=True), 400)


def test_a_form_body_labelled_json_is_served_as_tts_own_sample_sends_it(hpt: RawTT) -> None:
    """The header lies, the body is the form: TT serves it (contract §9); it was 400."""
    form = {"grant_type": "user_app", "app_key": f"{hpt.key}:{hpt.secret}"}
    response = hpt.http.post(hpt.url("ttid", "token"), params={"requestId": hpt.rid()},
                             headers={"x-api-key": hpt.key,
                                      "Content-Type": "application/json"},
                             content=urllib.parse.urlencode(form))
    assert ok(response)["token_type"] == "bearer"


def test_token_request_wrong_secret_is_401(hpt: RawTT) -> None:
    failed(token_request(hpt, app_key=f"{hpt.key}:{uuid.uuid4()}"), 401)


def test_token_request_key_part_must_match_header(hpt: RawTT, mrdn: RawTT) -> None:
    # a valid key:secret pair, but of another key than the x-api-key header
    failed(token_request(hpt, app_key=f"{mrdn.key}:{mrdn.secret}"), 401)


def test_new_token_does_not_revoke_older_ones(hpt: RawTT) -> None:
    first = ok(token_request(hpt))["access_token"]
    second = ok(token_request(hpt))["access_token"]
    assert first != second
    for token in (first, second):
        ok(request(hpt, "GET", hpt.url("ttpds", "markets"),
                   headers={"Authorization": f"Bearer {token}"}))


def test_section9_the_sandbox_serves_either_wire_profile_and_only_that_one(
        sandbox: Sandbox, raw: RawTT) -> None:
    """Profile B (ASSUMED shapes, contract §9): links through `accountuser(s)`, users made
    through ttid's `usersprovision`. The other profile's paths are not there (404), so a
    client speaking the wrong one cannot pass unnoticed. A stock httpx client."""
    ids = seeded_ids(sandbox)
    sandbox.settings.links_profile, sandbox.settings.users_profile = (
        "accountusers", "usersprovision")
    sandbox.settings.post_pause_seconds = 0.0  # (pacing is tested on its own)
    assert raw.get("ttaccount", f"account/{ids.link_account}/users").status_code == 404
    assert raw.post("ttuser", "user", {}).status_code == 404
    listed = ok(raw.get("ttaccount", "accountusers", accountId=str(ids.link_account)))
    assert {row["accountId"] for row in listed["accountUsers"]} == {ids.link_account}
    assert ids.link_user in {row["userId"] for row in listed["accountUsers"]}
    written = ok(raw.post("ttaccount", "accountusers", {"accountUsers": [
        {"accountId": ids.account, "userId": ids.user,
         "orderPermissions": {"placeOrders": True}}]}))
    assert written["accountUsers"][0]["orderPermissions"]["placeOrders"] is True
    ok(raw.delete("ttaccount", f"accountuser/{ids.account}/{ids.user}"))
    assert ids.user not in {row["userId"] for row in ok(raw.get(
        "ttaccount", "accountusers", accountId=str(ids.account)))["accountUsers"]}
    made = ok(raw.post("ttid", "usersprovision", {"users": [
        {"email": "new.trader@harborpoint.example", "firstName": "New", "lastName": "Trader",
         "tradeMode": 2}]}))["users"]
    assert made[0]["email"] == "new.trader@harborpoint.example"
    assert ok(raw.get("ttuser", f"user/{made[0]['id']}"))["user"][0]["firstName"] == "New"
    mixed = raw.post("ttaccount", "accountusers", {"accountUsers": [
        {"accountId": ids.account, "userId": ids.user},
        {"accountId": ids.link_account, "userId": ids.user}]})
    assert mixed.status_code == 400


def test_section9_the_account_list_carries_what_real_clients_read(hpt: RawTT) -> None:
    listed = ok(hpt.get("ttaccount", "accounts"))
    assert "requestVersion" in listed
    assert all(a["parentAccountId"] == a["parentId"] for a in listed["accounts"])
    assert any(a["parentAccountId"] is not None for a in listed["accounts"])
