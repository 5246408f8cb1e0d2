"""The sandbox's services over raw HTTP: conflicts, batches, isolation, persistence, faults.

Every 409 conflict of shared/tt-contract.md §3–§6, all-or-nothing batches, company and
environment isolation, `mineOnly`, the state file and the write log, the loopback control
endpoint under `/_sandbox/`, and each fault action. Preconditions are set up with UI edits
(`Sandbox.edit`), which skip the gateway and its POST pause, so that only the request under
test goes through the API.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.types import Message

from tests.conftest import FAST_PAUSE, PROD, UAT, RawTT, renewed
from tests.sandbox.envelopes import failed, ok
from ttconfig.sandbox.server import Sandbox
from ttconfig.sandbox.settings import SandboxSettings, UsagePlan

Json = dict[str, Any]


# --------------------------------------------------------------------------------- helpers


def send(raw: RawTT, method: str, service: str, endpoint: str, request_id: str,
         body: Any = None) -> httpx.Response:
    """A request with a requestId chosen by the test (to find it in the write log)."""
    return raw.http.request(method, raw.url(service, endpoint), params={"requestId": request_id},
                            headers=raw.headers(), json=body)


def ui(sandbox: Sandbox, method: str, service: str, endpoint: str, body: Any = None,
       environment: str = UAT) -> Json:
    """A write made as in TT's web UI (no gateway, no pause; logged with source "ui")."""
    return sandbox.edit(method, f"/{service}/{environment}/{endpoint}", body)


def ui_account(sandbox: Sandbox, name: str, parent: int | None = None) -> int:
    body = {"name": name, "accountType": 2, "parentId": parent}
    account_id: int = ui(sandbox, "POST", "ttaccount", "account", body)["account"][0]["id"]
    return account_id


def ui_link(sandbox: Sandbox, account: int, user: int) -> None:
    ui(sandbox, "POST", "ttaccount", f"account/{account}/users", {"users": [{"userId": user}]})


def api_writes(sandbox: Sandbox) -> list[Json]:
    return [w for w in sandbox.writes() if w["source"] == "api"]


def company_of(sandbox: Sandbox, abbrev: str = "HPT", environment: str = UAT) -> int:
    env = sandbox.store.env(environment)
    company: int = next(c["id"] for c in env.companies.values() if c["abbrevName"] == abbrev)
    return company


def named(sandbox: Sandbox, table: str, name: str, environment: str = UAT) -> int:
    """The id of a seeded account, risk group or user group, found by name."""
    rows: dict[int, Json] = getattr(sandbox.store.env(environment), table)
    found: int = next(row["id"] for row in rows.values() if row["name"] == name)
    return found


def free_users(sandbox: Sandbox, count: int = 1) -> list[int]:
    """Harbor Point users linked to no account, in no user group, not behind an app key."""
    env = sandbox.store.env(UAT)
    busy = {uid for links in env.account_users.values() for uid in links}
    busy |= {uid for members in env.user_group_users.values() for uid in members}
    busy |= {k["userId"] for k in env.app_keys.values()}
    company = company_of(sandbox)
    users = sorted(u["id"] for u in env.users.values()
                   if u["companyId"] == company and u["id"] not in busy)
    assert len(users) >= count
    return users[:count]


def product_row(sandbox: Sandbox, index: int = 0, **values: Any) -> Json:
    product = sorted(sandbox.store.env(UAT).products.values(), key=lambda p: p["id"])[index]
    return {"marketId": product["marketId"], "productTypeId": product["productTypeId"],
            "productId": product["id"], **values}


def member_ids(raw: RawTT, service: str, endpoint: str, key: str, id_key: str) -> set[int]:
    return {item[id_key] for item in ok(raw.get(service, endpoint))[key]}


def wait_for(condition: Callable[[], bool], timeout: float = 3.0) -> None:
    """Poll `condition()` until it is true, or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("condition not reached in time")
        time.sleep(0.02)


def pause() -> None:
    """Wait out the POST pause of the fixture's sandbox."""
    time.sleep(FAST_PAUSE + 0.05)


@contextlib.contextmanager
def client(sandbox: Sandbox, environment: str = UAT, label: str = "ttconfig") -> Iterator[RawTT]:
    raw = RawTT(sandbox, environment, label)
    try:
        yield raw
    finally:
        raw.close()


@pytest.fixture
def meridian(sandbox: Sandbox) -> Iterator[RawTT]:
    with client(sandbox, UAT, "meridian") as raw:
        yield raw


@pytest.fixture
def prod(sandbox: Sandbox) -> Iterator[RawTT]:
    with client(sandbox, PROD) as raw:
        yield raw


# ------------------------------------------------------------------------- 409: accounts


@pytest.mark.parametrize("how", ["create", "rename"])
def test_duplicate_account_name_is_409(sandbox: Sandbox, raw: RawTT, how: str) -> None:
    if how == "create":
        response = raw.post("ttaccount", "account", {"name": "hpt-prop", "accountType": 2})
    else:
        account = named(sandbox, "accounts", "HPT-UAT-TEST")
        response = raw.post("ttaccount", f"account/{account}", {"name": "HPT-Prop"})
    failed(response, 409)
    names = [a["name"] for a in ok(raw.get("ttaccount", "accounts"))["accounts"]]
    assert names.count("HPT-PROP") == 1
    assert "HPT-UAT-TEST" in names
    assert api_writes(sandbox) == []


def _add_blocker(sandbox: Sandbox, account: int, blocker: str) -> tuple[str, str, str]:
    """Give `account` one dependent; the UI edit (method, service, endpoint) removing it."""
    if blocker == "child":
        child = ui_account(sandbox, "TEST-DEL-CHILD", parent=account)
        return "DELETE", "ttaccount", f"account/{child}"
    if blocker == "user":
        (user,) = free_users(sandbox)
        ui_link(sandbox, account, user)
        return "DELETE", "ttaccount", f"account/{account}/users/{user}"
    if blocker == "limits":
        written = ui(sandbox, "POST", "ttaccount", f"account/{account}/limits",
                     {"productLimits": [product_row(sandbox, maxOrderQty=1)]})
        row_id = written["accountLimits"][0]["riskLimits"]["productLimits"][0]["id"]
        return "DELETE", "ttaccount", f"account/{account}/limits/{row_id}"
    group = named(sandbox, "risk_groups", "Rates Aggregate")
    ui(sandbox, "POST", "ttgroup", f"riskgroup/{group}/accounts",
       {"accounts": [{"accountId": account}]})
    return "DELETE", "ttgroup", f"riskgroup/{group}/accounts/{account}"


@pytest.mark.parametrize("blocker", ["child", "user", "limits", "risk-group"])
def test_delete_account_with_dependents_is_409(sandbox: Sandbox, raw: RawTT,
                                               blocker: str) -> None:
    account = ui_account(sandbox, "TEST-DEL")
    method, service, endpoint = _add_blocker(sandbox, account, blocker)
    failed(raw.delete("ttaccount", f"account/{account}"), 409)
    ok(raw.get("ttaccount", f"account/{account}"))
    ui(sandbox, method, service, endpoint)
    ok(raw.delete("ttaccount", f"account/{account}"))
    failed(raw.get("ttaccount", f"account/{account}"), 404)


def _tree(sandbox: Sandbox) -> dict[str, int]:
    top = ui_account(sandbox, "TEST-TOP")
    middle = ui_account(sandbox, "TEST-MIDDLE", parent=top)
    bottom = ui_account(sandbox, "TEST-BOTTOM", parent=middle)
    return {"top": top, "middle": middle, "bottom": bottom}


@pytest.mark.parametrize(("linked", "target"), [
    ("top", "middle"), ("middle", "top"), ("top", "bottom"), ("bottom", "top"),
    ("middle", "bottom"), ("bottom", "middle"),
])
def test_user_on_parent_and_child_is_409(sandbox: Sandbox, raw: RawTT, linked: str,
                                         target: str) -> None:
    tree = _tree(sandbox)
    (user,) = free_users(sandbox)
    ui_link(sandbox, tree[linked], user)
    response = raw.post("ttaccount", f"account/{tree[target]}/users", {"users": [{"userId": user}]})
    failed(response, 409)
    assert user not in member_ids(raw, "ttaccount", f"account/{tree[target]}/users", "users",
                                  "userId")
    assert api_writes(sandbox) == []


def test_user_on_unrelated_accounts_is_fine(sandbox: Sandbox, raw: RawTT) -> None:
    first, second = ui_account(sandbox, "TEST-ONE"), ui_account(sandbox, "TEST-TWO")
    (user,) = free_users(sandbox)
    ui_link(sandbox, first, user)
    ok(raw.post("ttaccount", f"account/{second}/users", {"users": [{"userId": user}]}))
    accounts = member_ids(raw, "ttuser", f"user/{user}/accounts", "accounts", "accountId")
    assert accounts == {first, second}


def test_reparenting_cannot_put_a_user_on_parent_and_child(sandbox: Sandbox,
                                                           raw: RawTT) -> None:
    parent, child = ui_account(sandbox, "TEST-PARENT"), ui_account(sandbox, "TEST-CHILD")
    (user,) = free_users(sandbox)
    ui_link(sandbox, parent, user)
    ui_link(sandbox, child, user)
    failed(raw.post("ttaccount", f"account/{child}", {"parentId": parent}), 409)


# ---------------------------------------------------------------------------- 409: users


@pytest.mark.parametrize("how", ["create", "update"])
def test_duplicate_user_email_is_409(sandbox: Sandbox, raw: RawTT, how: str) -> None:
    (user,) = free_users(sandbox)
    others = [u for u in sandbox.store.env(UAT).users.values()
              if u["companyId"] == company_of(sandbox) and u["id"] != user]
    taken = min(others, key=lambda u: u["id"])["email"].upper()
    if how == "create":
        response = raw.post("ttuser", "user", {"email": taken, "firstName": "Maggie",
                                               "lastName": "Okafor", "tradeMode": 2})
    else:
        response = raw.post("ttuser", f"user/{user}", {"email": taken})
    failed(response, 409)
    emails = [u["email"].lower() for u in ok(raw.get("ttuser", "users"))["users"]]
    assert emails.count(taken.lower()) == 1
    assert api_writes(sandbox) == []


# --------------------------------------------------------------------------- 409: groups


@pytest.mark.parametrize("how", ["create", "rename"])
def test_duplicate_risk_group_name_is_409(sandbox: Sandbox, raw: RawTT, how: str) -> None:
    before = ok(raw.get("ttgroup", "riskgroups"))["riskGroups"]
    if how == "create":
        response = raw.post("ttgroup", "riskgroup", {"name": "energy aggregate"})
    else:
        group = named(sandbox, "risk_groups", "Rates Aggregate")
        response = raw.post("ttgroup", f"riskgroup/{group}", {"name": "Energy Aggregate"})
    failed(response, 409)
    assert ok(raw.get("ttgroup", "riskgroups"))["riskGroups"] == before
    assert api_writes(sandbox) == []


def test_delete_risk_group_with_members_is_409(sandbox: Sandbox, raw: RawTT) -> None:
    group = ui(sandbox, "POST", "ttgroup", "riskgroup", {"name": "TEST-GROUP"})["riskGroup"][0]
    account = ui_account(sandbox, "TEST-MEMBER")
    ui(sandbox, "POST", "ttgroup", f"riskgroup/{group['id']}/accounts",
       {"accounts": [{"accountId": account}]})
    failed(raw.delete("ttgroup", f"riskgroup/{group['id']}"), 409)
    ok(raw.get("ttgroup", f"riskgroup/{group['id']}"))
    ui(sandbox, "DELETE", "ttgroup", f"riskgroup/{group['id']}/accounts/{account}")
    ok(raw.delete("ttgroup", f"riskgroup/{group['id']}"))
    failed(raw.get("ttgroup", f"riskgroup/{group['id']}"), 404)


def test_account_in_two_risk_groups_is_409(sandbox: Sandbox, raw: RawTT) -> None:
    energy = named(sandbox, "risk_groups", "Energy Aggregate")
    rates = named(sandbox, "risk_groups", "Rates Aggregate")
    endpoint = f"riskgroup/{rates}/accounts"
    in_energy = min(member_ids(raw, "ttgroup", f"riskgroup/{energy}/accounts", "accounts",
                               "accountId"))
    newcomer = ui_account(sandbox, "TEST-NEWCOMER")
    before = member_ids(raw, "ttgroup", endpoint, "accounts", "accountId")
    body = {"accounts": [{"accountId": newcomer}, {"accountId": in_energy}]}
    failed(raw.post("ttgroup", endpoint, body), 409)
    assert member_ids(raw, "ttgroup", endpoint, "accounts", "accountId") == before  # all or none
    pause()
    ok(raw.post("ttgroup", endpoint, {"accounts": [{"accountId": newcomer}]}))
    assert member_ids(raw, "ttgroup", endpoint, "accounts", "accountId") == before | {newcomer}


def test_delete_user_group_with_users_is_409(sandbox: Sandbox, raw: RawTT) -> None:
    seeded = named(sandbox, "user_groups", "Rates Desk")
    failed(raw.delete("ttgroup", f"usergroup/{seeded}"), 409)
    group = ui(sandbox, "POST", "ttgroup", "usergroup", {"name": "TEST-DESK"})["userGroup"][0]
    (user,) = free_users(sandbox)
    ui(sandbox, "POST", "ttgroup", f"usergroup/{group['id']}/users", {"users": [{"userId": user}]})
    failed(raw.delete("ttgroup", f"usergroup/{group['id']}"), 409)
    ui(sandbox, "DELETE", "ttgroup", f"usergroup/{group['id']}/users/{user}")
    ok(raw.delete("ttgroup", f"usergroup/{group['id']}"))
    ids = {g["id"] for g in ok(raw.get("ttgroup", "usergroups"))["userGroups"]}
    assert seeded in ids
    assert group["id"] not in ids


# ------------------------------------------------------------------- 409: order-tag defaults


@pytest.mark.parametrize("case", ["existing", "twice-in-one-batch"])
def test_duplicate_order_tag_default_is_409(sandbox: Sandbox, raw: RawTT, case: str) -> None:
    before = ok(raw.get("ttsetup", "ordertagdefaults"))["orderTagDefaults"]
    existing = before[0]
    copy = {k: existing[k] for k in ("accountId", "userId", "marketId", "fieldId", "value")}
    account = ui_account(sandbox, "TEST-TAGS")
    fresh = {**copy, "accountId": account, "userId": None}
    rows = [fresh, copy] if case == "existing" else [fresh, {**fresh, "value": "other"}]
    failed(raw.post("ttsetup", "ordertagdefaults", {"orderTagDefaults": rows}), 409)
    assert ok(raw.get("ttsetup", "ordertagdefaults"))["orderTagDefaults"] == before


# ----------------------------------------------------------------- a refused batch: nothing


def test_refused_limit_batch_writes_no_row(sandbox: Sandbox, raw: RawTT) -> None:
    account = named(sandbox, "accounts", "HPT-UAT-TEST")
    endpoint = f"account/{account}/limits"
    before = ok(raw.get("ttaccount", endpoint))
    revision = ok(raw.get("ttaccount", f"account/{account}"))["account"][0]["revision"]
    rows = [product_row(sandbox, 10, maxOrderQty=1), product_row(sandbox, 11, maxOrderQty=2),
            {**product_row(sandbox, 12, maxOrderQty=3), "productId": "18446744073709551615"}]
    failed(raw.post("ttaccount", endpoint, {"productLimits": rows}), 400)
    assert ok(raw.get("ttaccount", endpoint)) == before
    assert ok(raw.get("ttaccount", f"account/{account}"))["account"][0]["revision"] == revision
    assert api_writes(sandbox) == []


def test_refused_user_link_batch_links_no_user(sandbox: Sandbox, raw: RawTT) -> None:
    account = ui_account(sandbox, "TEST-LINKS")
    first, second = free_users(sandbox, 2)
    body = {"users": [{"userId": first}, {"userId": second}, {"userId": 999_999_999}]}
    failed(raw.post("ttaccount", f"account/{account}/users", body), 400)
    assert member_ids(raw, "ttaccount", f"account/{account}/users", "users", "userId") == set()
    assert api_writes(sandbox) == []


# ---------------------------------------------------------------------- company isolation


@pytest.mark.parametrize(("method", "service", "endpoint"), [
    ("GET", "ttaccount", "account/{account}"),
    ("GET", "ttaccount", "account/{account}/limits"),
    ("POST", "ttaccount", "account/{account}"),
    ("POST", "ttaccount", "account/{account}/risksettings"),
    ("DELETE", "ttaccount", "account/{account}"),
    ("GET", "ttuser", "user/{user}"),
    ("GET", "ttgroup", "riskgroup/{group}"),
])
def test_other_company_gets_404(sandbox: Sandbox, meridian: RawTT, method: str, service: str,
                                endpoint: str) -> None:
    ids = {"account": named(sandbox, "accounts", "HPT-UAT-TEST"),
           "user": free_users(sandbox)[0],
           "group": named(sandbox, "risk_groups", "Rates Aggregate")}
    body: Json | None = None
    if method == "POST":
        body = {"description": "meridian was here"} if endpoint == "account/{account}" else {}
    response = meridian.http.request(method, meridian.url(service, endpoint.format(**ids)),
                                     params={"requestId": meridian.rid()},
                                     headers=meridian.headers(), json=body)
    failed(response, 404)
    assert sandbox.writes() == []


def test_company_listings_are_disjoint(sandbox: Sandbox, raw: RawTT, meridian: RawTT) -> None:
    for service, endpoint, key in (("ttaccount", "accounts", "accounts"),
                                   ("ttuser", "users", "users")):
        mine = ok(raw.get(service, endpoint))[key]
        theirs = ok(meridian.get(service, endpoint))[key]
        assert mine
        assert theirs
        assert not {r["id"] for r in mine} & {r["id"] for r in theirs}
    accounts = ok(meridian.get("ttaccount", "accounts"))["accounts"]
    assert {a["companyId"] for a in accounts} == {company_of(sandbox, "MRDN")}


# ----------------------------------------------------------------- UAT and prod are apart


def test_uat_and_production_data_are_separate(sandbox: Sandbox, raw: RawTT, prod: RawTT) -> None:
    created = ok(raw.post("ttaccount", "account", {"name": "TEST-UAT-ONLY", "accountType": 2}))
    account = created["account"][0]["id"]
    assert ok(raw.get("ttaccount", f"account/{account}"))["account"][0]["name"] == "TEST-UAT-ONLY"
    prod_accounts = ok(prod.get("ttaccount", "accounts"))["accounts"]
    assert "TEST-UAT-ONLY" not in {a["name"] for a in prod_accounts}
    failed(prod.get("ttaccount", f"account/{account}"), 404)
    uat_ids = {a["id"] for a in ok(raw.get("ttaccount", "accounts"))["accounts"]}
    assert not uat_ids & {a["id"] for a in prod_accounts}
    assert [w["environment"] for w in api_writes(sandbox)] == [UAT]


# ------------------------------------------------------------------------------ mineOnly


def test_mine_only_lists_the_accounts_the_key_user_can_trade(sandbox: Sandbox,
                                                             raw: RawTT) -> None:
    everything = ok(raw.get("ttaccount", "accounts", mineOnly="false"))["accounts"]
    assert everything == ok(raw.get("ttaccount", "accounts"))["accounts"]
    before = {a["id"] for a in ok(raw.get("ttaccount", "accounts", mineOnly="true"))["accounts"]}
    parent = named(sandbox, "accounts", "HPT-ARB")
    children = {a["id"] for a in everything if a["parentId"] == parent}
    assert children
    assert parent not in before
    api_user = next(k["userId"] for k in sandbox.app_keys(UAT) if k["key"] == raw.key)
    ui_link(sandbox, parent, api_user)
    after = {a["id"] for a in ok(raw.get("ttaccount", "accounts", mineOnly="true"))["accounts"]}
    assert after == before | {parent} | children
    assert after < {a["id"] for a in everything}
    failed(raw.get("ttaccount", "accounts", mineOnly="yes"), 400)


# --------------------------------------------------------------------------- persistence


def test_state_file_keeps_writes_across_restart_and_reset(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    settings = SandboxSettings(post_pause_seconds=FAST_PAUSE, usage_plan_override="high")
    with Sandbox(state_path=path, settings=settings) as first, client(first) as raw:
        created = ok(raw.post("ttaccount", "account", {"name": "TEST-KEPT", "accountType": 2}))
    account = created["account"][0]["id"]
    assert path.exists()
    with Sandbox(state_path=path, settings=settings) as second, client(second) as raw:
        assert ok(raw.get("ttaccount", f"account/{account}"))["account"][0]["name"] == "TEST-KEPT"
        second.store.reset()
        failed(raw.get("ttaccount", f"account/{account}"), 404)
    with Sandbox(state_path=path, settings=settings) as third, client(third) as raw:
        failed(raw.get("ttaccount", f"account/{account}"), 404)  # the reset was saved too
        assert "HPT-PROP" in {a["name"] for a in ok(raw.get("ttaccount", "accounts"))["accounts"]}


def test_store_reset_restores_the_seed(sandbox: Sandbox, raw: RawTT) -> None:
    account = named(sandbox, "accounts", "HPT-UAT-TEST")
    endpoint = f"account/{account}/risksettings"
    seeded = ok(raw.get("ttaccount", endpoint))["riskSettings"]
    ok(raw.post("ttaccount", endpoint, {"creditLimit": 123}))
    assert ok(raw.get("ttaccount", endpoint))["riskSettings"] != seeded
    sandbox.store.reset()
    assert ok(raw.get("ttaccount", endpoint))["riskSettings"] == seeded
    assert sandbox.writes() == []


# ----------------------------------------------------------------------------- write log


def test_write_log_records_each_applied_write_once(sandbox: Sandbox, raw: RawTT) -> None:
    account = named(sandbox, "accounts", "HPT-UAT-TEST")
    limit = sandbox.store.env(UAT).account_limits[account]["productLimits"][0]["id"]
    post_id, delete_id = raw.rid(), raw.rid()
    ok(send(raw, "POST", "ttaccount", f"account/{account}/restrictions", post_id, {"obo": False}))
    ok(send(raw, "DELETE", "ttaccount", f"account/{account}/limits/{limit}", delete_id))
    sandbox.settings.post_pause_seconds = 10.0  # so that the next POST is surely too soon
    # refused: POST pause (429), 409, 404, a bad requestId, and reads
    failed(raw.post("ttaccount", f"account/{account}", {"description": "too soon"}), 429)
    failed(raw.delete("ttaccount", f"account/{named(sandbox, 'accounts', 'HPT-PROP')}"), 409)
    failed(raw.delete("ttaccount", f"account/{account}/limits/{limit}"), 404)
    failed(send(raw, "DELETE", "ttaccount", f"account/{account}/limits/1", "no-guid"), 400)
    ok(raw.get("ttaccount", f"account/{account}/limits"))
    writes = sandbox.writes()
    assert [(w["seq"], w["environment"], w["method"], w["path"], w["request_id"], w["source"],
             w["status"]) for w in writes] == [
        (1, UAT, "POST", raw.url("ttaccount", f"account/{account}/restrictions"), post_id,
         "api", 200),
        (2, UAT, "DELETE", raw.url("ttaccount", f"account/{account}/limits/{limit}"), delete_id,
         "api", 200),
    ]
    assert all(isinstance(w["time"], str) and w["time"] for w in writes)


# ------------------------------------------------------------------- the control endpoint


def control(raw: RawTT, method: str, name: str, body: Any = None) -> httpx.Response:
    return raw.http.request(method, f"/_sandbox/{name}", json=body)


def test_control_health_and_writes(sandbox: Sandbox, raw: RawTT) -> None:
    assert ok(control(raw, "GET", "health")) == {"status": "Ok"}
    assert ok(control(raw, "GET", "writes"))["writes"] == []
    account = named(sandbox, "accounts", "HPT-UAT-TEST")
    request_id = raw.rid()
    ok(send(raw, "POST", "ttaccount", f"account/{account}", request_id, {"description": "api"}))
    writes = ok(control(raw, "GET", "writes"))["writes"]
    assert writes == sandbox.writes()
    assert [(w["request_id"], w["source"]) for w in writes] == [(request_id, "api")]


def test_control_edit(sandbox: Sandbox, raw: RawTT) -> None:
    account = named(sandbox, "accounts", "HPT-UAT-TEST")
    before = ok(raw.get("ttaccount", f"account/{account}"))["account"][0]
    path = raw.url("ttaccount", f"account/{account}")
    body = {"method": "POST", "path": path, "body": {"description": "edited in the UI"}}
    result = ok(control(raw, "POST", "edit", body))["result"]
    assert result["account"][0]["description"] == "edited in the UI"
    after = ok(raw.get("ttaccount", f"account/{account}"))["account"][0]
    revision = before["revision"] + 1
    assert after == {**before, "description": "edited in the UI", "revision": revision}
    assert [(w["method"], w["path"], w["request_id"], w["source"]) for w in sandbox.writes()] == [
        ("POST", path, None, "ui")]


@pytest.mark.parametrize("body", [
    {"method": "POST", "path": f"/ttaccount/{UAT}/account", "body": {"name": "HPT-PROP",
                                                                   "accountType": 2}},
    {"method": "POST", "path": f"/ttaccount/{UAT}/nowhere", "body": {}},
    {"method": "POST", "path": "/ttaccount/ext_nope/account", "body": {}},
    {"method": "POST", "bogus": 1},
], ids=["conflict", "unknown-endpoint", "unknown-environment", "unknown-field"])
def test_control_edit_refused(sandbox: Sandbox, raw: RawTT, body: Json) -> None:
    response = control(raw, "POST", "edit", body)
    assert response.status_code == 400, response.text
    assert response.json()["status"] == "Failed"
    assert sandbox.writes() == []


def test_control_faults_add_list_clear(sandbox: Sandbox, raw: RawTT) -> None:
    rule = {"action": "status", "status": 503, "method": "GET", "path": "/ttpds/*/markets",
            "times": 5}
    added = ok(control(raw, "POST", "faults", rule))["fault"]
    assert {k: added[k] for k in rule} == rule
    assert isinstance(added["id"], int)
    assert [f["id"] for f in ok(control(raw, "GET", "faults"))["faults"]] == [added["id"]]
    failed(raw.get("ttpds", "markets"), 503)
    ok(control(raw, "DELETE", "faults"))
    assert ok(control(raw, "GET", "faults"))["faults"] == []
    ok(raw.get("ttpds", "markets"))


@pytest.mark.parametrize("rule", [
    {"action": "explode"},
    {"action": "status", "colour": "red"},
    {"action": "status", "nth": 0},
    {"action": "status", "times": 0},
    {"action": "edit"},
], ids=["unknown-action", "unknown-field", "nth-0", "times-0", "edit-without-edit"])
def test_control_bad_fault_is_400(sandbox: Sandbox, raw: RawTT, rule: Json) -> None:
    response = control(raw, "POST", "faults", rule)
    assert response.status_code == 400, response.text
    assert response.json()["status"] == "Failed"
    assert sandbox.faults.rules() == []


def test_control_settings(sandbox: Sandbox, raw: RawTT) -> None:
    current = ok(control(raw, "GET", "settings"))["settings"]
    assert current["page_size"] == 500
    assert current["post_pause_seconds"] == FAST_PAUSE
    updated = ok(control(raw, "POST", "settings", {"page_size": 2}))["settings"]
    assert updated == {**current, "page_size": 2}
    page = ok(raw.get("ttaccount", "accounts"))
    assert len(page["accounts"]) == 2
    assert page["lastPage"] == "false"


@pytest.mark.parametrize("body", [
    {"bogus": 1}, {"page_size": "2"}, {"redirect_gets": 1}, {"page_size": 2, "colour": "red"},
], ids=["unknown", "wrong-type", "int-for-bool", "one-unknown"])
def test_control_bad_setting_is_400(sandbox: Sandbox, raw: RawTT, body: Json) -> None:
    response = control(raw, "POST", "settings", body)
    assert response.status_code == 400, response.text
    assert response.json()["status"] == "Failed"
    assert sandbox.settings.page_size == 500
    assert sandbox.settings.redirect_gets is False


def test_control_usage_plans_set_rate_and_quota(sandbox: Sandbox, raw: RawTT) -> None:
    body = {"usage_plans": {"high": {"daily_quota": 3}}}
    plans = ok(control(raw, "POST", "settings", body))["settings"]["usage_plans"]
    assert plans["high"] == {"requests_per_second": 25.0, "daily_quota": 3}
    assert plans["free"] == {"requests_per_second": 3.0, "daily_quota": 10_000}
    statuses = [raw.get("ttpds", "markets").status_code for _ in range(4)]
    assert statuses[-1] == 429
    assert raw.get("ttpds", "markets").json() == {"message": "Limit Exceeded"}


@pytest.mark.parametrize("plans", [
    {"platinum": {"daily_quota": 1}}, {"free": {"daily_quota": -1}},
    {"free": {"requests_per_second": 0}}, {"free": {"burst": 2}}, {"free": 3},
])
def test_control_bad_usage_plan_is_400(sandbox: Sandbox, raw: RawTT, plans: Json) -> None:
    response = control(raw, "POST", "settings", {"usage_plans": plans, "page_size": 7})
    assert response.status_code == 400, response.text
    assert sandbox.settings.page_size == 500
    assert sandbox.settings.usage_plans["free"].daily_quota == 10_000


def test_control_reset(sandbox: Sandbox, raw: RawTT) -> None:
    account = named(sandbox, "accounts", "HPT-UAT-TEST")
    seeded = ok(raw.get("ttaccount", f"account/{account}"))["account"][0]
    ok(raw.post("ttaccount", f"account/{account}", {"description": "changed"}))
    sandbox.add_fault(action="status", status=503, path="/never/*")
    ok(control(raw, "POST", "reset", {}))
    assert sandbox.writes() == []
    assert sandbox.faults.rules() == []
    with client(sandbox) as fresh:  # the gateway forgot the old token with the rest
        assert ok(fresh.get("ttaccount", f"account/{account}"))["account"][0] == seeded


def test_control_reset_without_body(sandbox: Sandbox, raw: RawTT) -> None:
    response = raw.http.post("/_sandbox/reset")
    assert response.status_code == 200, response.text


def test_control_usage_plan_override_can_be_cleared(sandbox: Sandbox, raw: RawTT) -> None:
    ok(control(raw, "POST", "settings", {"usage_plan_override": None}))
    assert sandbox.settings.usage_plan_override is None
    ok(raw.get("ttpds", "markets"))  # the key's seeded plan is in force again


def test_control_unknown_usage_plan_is_400(sandbox: Sandbox, raw: RawTT) -> None:
    response = control(raw, "POST", "settings", {"usage_plan_override": "platinum"})
    assert response.status_code == 400, response.text
    assert sandbox.settings.usage_plan_override == "high"
    ok(raw.get("ttpds", "markets"))


def test_control_unknown_endpoint_is_404(raw: RawTT) -> None:
    response = control(raw, "GET", "nothing-here")
    assert response.status_code == 404, response.text
    assert response.json()["status"] == "Failed"


def _asgi_get(sandbox: Sandbox, path: str, peer: str) -> tuple[int, bytes]:
    """Call the ASGI app directly as if from `peer` (a non-loopback client cannot be faked
    over a real loopback socket)."""
    messages: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send_message(message: Message) -> None:
        messages.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
             "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
             "root_path": "", "headers": [(b"host", b"sandbox")], "client": (peer, 40000),
             "server": ("127.0.0.1", 80)}
    asyncio.run(sandbox.app(scope, receive, send_message))
    status: int = messages[0]["status"]
    return status, b"".join(m.get("body", b"") for m in messages[1:])


@pytest.mark.parametrize(("peer", "status"), [("203.0.113.7", 403), ("10.1.2.3", 403),
                                              ("127.0.0.1", 200)])
def test_control_is_loopback_only(sandbox: Sandbox, peer: str, status: int) -> None:
    assert _asgi_get(sandbox, "/_sandbox/health", peer)[0] == status


# ------------------------------------------------------------------------------- faults


RISK = "account/{}/risksettings"


def _risk_endpoint(sandbox: Sandbox) -> str:
    return RISK.format(named(sandbox, "accounts", "HPT-UAT-TEST"))


@pytest.mark.parametrize(("status", "retry_after", "header"), [
    (503, None, None), (503, 1.5, "1.5"), (500, None, None), (429, 2, "2"), (429, None, None),
])
def test_fault_status(sandbox: Sandbox, raw: RawTT, status: int, retry_after: float | None,
                      header: str | None) -> None:
    endpoint = _risk_endpoint(sandbox)
    rule: Json = {"action": "status", "status": status, "method": "POST",
                  "path": f"/ttaccount/*/{endpoint}"}
    if retry_after is not None:
        rule["retry_after"] = retry_after
    ok(control(raw, "POST", "faults", rule))
    seeded = ok(raw.get("ttaccount", endpoint))["riskSettings"]
    response = raw.post("ttaccount", endpoint, {"creditLimit": 1})
    if status == 429:
        assert response.status_code == 429
        assert response.json() == {"message": "Too Many Requests"}
    else:
        failed(response, status)
    assert response.headers.get("retry-after") == header
    assert ok(raw.get("ttaccount", endpoint))["riskSettings"] == seeded
    assert sandbox.writes() == []


def test_fault_status_with_location(sandbox: Sandbox, raw: RawTT) -> None:
    raw.token()
    elsewhere = "https://elsewhere.example/ttpds/ext_uat_cert/markets"
    sandbox.add_fault(action="status", status=303, method="GET", path="/ttpds/*/markets",
                      location=elsewhere)
    response = raw.get("ttpds", "markets")
    assert response.status_code == 303
    assert response.headers["location"] == elsewhere


def test_fault_drop_applies_once_then_drops(sandbox: Sandbox, raw: RawTT) -> None:
    endpoint = _risk_endpoint(sandbox)
    sandbox.add_fault(action="drop", method="POST", path=f"/ttaccount/*/{endpoint}")
    request_id = raw.rid()
    with pytest.raises(httpx.TransportError):
        send(raw, "POST", "ttaccount", endpoint, request_id, {"creditLimit": 777})
    assert ok(raw.get("ttaccount", endpoint))["riskSettings"][0]["creditLimit"] == 777
    writes = sandbox.writes()
    assert [(w["request_id"], w["source"]) for w in writes] == [(request_id, "api")]


def test_fault_drop_before_applies_nothing(sandbox: Sandbox, raw: RawTT) -> None:
    endpoint = _risk_endpoint(sandbox)
    seeded = ok(raw.get("ttaccount", endpoint))["riskSettings"]
    sandbox.add_fault(action="drop_before", method="POST", path=f"/ttaccount/*/{endpoint}")
    with pytest.raises(httpx.TransportError):
        raw.post("ttaccount", endpoint, {"creditLimit": 777})
    assert ok(raw.get("ttaccount", endpoint))["riskSettings"] == seeded
    assert sandbox.writes() == []


def test_fault_late_commit(sandbox: Sandbox, raw: RawTT) -> None:
    endpoint = _risk_endpoint(sandbox)
    delay = 0.4
    sandbox.add_fault(action="late_commit", method="POST", path=f"/ttaccount/*/{endpoint}",
                      delay_seconds=delay)
    request_id = raw.rid()
    start = time.monotonic()
    response = send(raw, "POST", "ttaccount", endpoint, request_id, {"creditLimit": 4242})
    assert time.monotonic() - start < delay
    assert response.status_code == 504
    assert response.json() == {"message": "Endpoint request timed out"}
    assert sandbox.writes() == []
    wait_for(lambda: len(sandbox.writes()) == 1)
    assert time.monotonic() - start >= delay
    (write,) = sandbox.writes()
    assert (write["request_id"], write["source"], write["method"]) == (request_id, "late", "POST")
    assert ok(raw.get("ttaccount", endpoint))["riskSettings"][0]["creditLimit"] == 4242


def test_fault_delay(sandbox: Sandbox, raw: RawTT) -> None:
    raw.token()
    sandbox.add_fault(action="delay", method="GET", path="/ttpds/*/markets", delay_seconds=0.3)
    start = time.monotonic()
    assert ok(raw.get("ttpds", "markets"))["markets"]
    assert time.monotonic() - start >= 0.3
    start = time.monotonic()
    ok(raw.get("ttpds", "markets"))  # times=1: the next one is not delayed
    assert time.monotonic() - start < 0.3


def test_fault_edit_happens_before_the_answer(sandbox: Sandbox, raw: RawTT) -> None:
    account = named(sandbox, "accounts", "HPT-UAT-TEST")
    path = raw.url("ttaccount", f"account/{account}")
    edit = {"method": "POST", "path": path, "body": {"description": "changed in the UI"}}
    ok(control(raw, "POST", "faults", {"action": "edit", "method": "GET", "path": path,
                                       "edit": edit}))
    seen = ok(raw.get("ttaccount", f"account/{account}"))["account"][0]
    assert seen["description"] == "changed in the UI"
    assert [(w["method"], w["path"], w["source"], w["request_id"]) for w in sandbox.writes()] == [
        ("POST", path, "ui", None)]


def test_fault_edit_lands_before_the_matched_write(sandbox: Sandbox, raw: RawTT) -> None:
    account = named(sandbox, "accounts", "HPT-UAT-TEST")
    endpoint = f"account/{account}/risksettings"
    other = raw.url("ttaccount", f"account/{account}/restrictions")
    sandbox.add_fault(action="edit", method="POST", path=raw.url("ttaccount", endpoint),
                      edit={"method": "POST", "path": other, "body": {"obo": False}})
    request_id = raw.rid()
    ok(send(raw, "POST", "ttaccount", endpoint, request_id, {"creditLimit": 9}))
    assert [(w["path"], w["source"], w["request_id"]) for w in sandbox.writes()] == [
        (other, "ui", None), (raw.url("ttaccount", endpoint), "api", request_id)]


def test_fault_refused_edit_still_answers_the_request(sandbox: Sandbox, raw: RawTT) -> None:
    path = raw.url("ttpds", "markets")
    edit = {"method": "POST", "path": raw.url("ttaccount", "account"),
            "body": {"name": "HPT-PROP", "accountType": 2}}
    sandbox.add_fault(action="edit", method="GET", path=path, edit=edit)
    ok(raw.get("ttpds", "markets"))


def test_fault_is_not_spent_on_a_post_refused_for_pacing(sandbox: Sandbox, raw: RawTT) -> None:
    endpoint = _risk_endpoint(sandbox)
    sandbox.settings.post_pause_seconds = 0.5
    ok(raw.post("ttaccount", endpoint, {"creditLimit": 1}))
    sandbox.add_fault(action="drop", method="POST", path=f"/ttaccount/*/{endpoint}")
    failed(raw.post("ttaccount", endpoint, {"creditLimit": 2}), 429)  # too soon
    time.sleep(0.55)
    with pytest.raises(httpx.TransportError):  # the rule's one firing is still to come
        raw.post("ttaccount", endpoint, {"creditLimit": 3})


def test_fault_nth_and_times(sandbox: Sandbox, raw: RawTT) -> None:
    raw.token()
    sandbox.add_fault(action="status", status=503, method="GET", path="/ttpds/*/markets",
                      nth=2, times=2)
    statuses = []
    for _ in range(5):
        statuses.append(raw.get("ttpds", "markets").status_code)
        assert ok(raw.get("ttpds", "products", marketId="7"))  # another path: never counted
    assert statuses == [200, 503, 503, 200, 200]
    (rule,) = sandbox.faults.rules()
    assert (rule.seen, rule.fired) == (5, 2)


def test_fault_matches_method(sandbox: Sandbox, raw: RawTT) -> None:
    endpoint = _risk_endpoint(sandbox)
    raw.token()  # the token request is a POST too
    sandbox.add_fault(action="status", status=503, method="POST", path="*", times=10)
    ok(raw.get("ttaccount", endpoint))
    failed(raw.post("ttaccount", endpoint, {"creditLimit": 1}), 503)
    ok(raw.get("ttaccount", "accounts"))


def test_the_shared_sandbox_comes_back_as_new_for_the_next_test(
        session_sandbox: Sandbox, session_settings: SandboxSettings) -> None:
    """Tests share one running sandbox per process: whatever one test changes (settings,
    faults, live data, tokens, a late commit still pending) the next one does not see."""
    shared = renewed(session_sandbox, session_settings)
    seeded = shared.store.to_json()
    shared.settings.page_size = 2
    shared.settings.usage_plans = {**shared.settings.usage_plans, "high": UsagePlan(100, 5)}
    shared.add_fault(method="POST", path="/ttaccount/*", action="late_commit",
                     delay_seconds=0.3)
    shared.edit("POST", f"/ttaccount/{UAT}/account", {"name": "HPT-EXTRA", "accountType": 2})
    with client(shared) as raw:
        raw.token()
        late = raw.post("ttaccount", "account", {"name": "HPT-LATE", "accountType": 2})
    assert late.status_code == 504  # its write would land 0.3 s later
    shared = renewed(session_sandbox, session_settings)
    time.sleep(0.4)  # past the late commit's time: it never lands in the renewed sandbox
    assert shared.settings == session_settings
    assert (shared.faults.rules(), shared.writes()) == ([], [])
    assert shared.store.to_json() == seeded
    assert shared.gateway.usage(shared.credentials(UAT)[0]) == 0


# ------------------------------------------------------------- price controls on a limit row

PRICE_CONTROLS = {
    "priceReasonabilityPercent": 2.5, "priceReasonabilityAggressiveOnly": True,
    "nonMatchingPriceTicks": 40, "nonMatchingPricePercent": 10, "rejectWithoutMarketData": True,
    "applyWholesaleLimits": True, "wholesaleMaxOrderQty": 500,
    "wholesalePriceReasonabilityTicks": 80, "maxOrdersPerDay": 2000,
}


def test_a_limit_row_keeps_its_price_controls_and_a_new_row_has_them_off(
        sandbox: Sandbox, raw: RawTT) -> None:
    account = named(sandbox, "accounts", "HPT-UAT-TEST")
    endpoint = f"account/{account}/limits"
    checked, plain = product_row(sandbox, 10, **PRICE_CONTROLS), product_row(sandbox, 11)
    ok(raw.post("ttaccount", endpoint, {"productLimits": [checked, plain]}))
    rows = {r["productId"]: r for r in
            ok(raw.get("ttaccount", endpoint))["accountLimits"][0]["riskLimits"]["productLimits"]}
    assert {k: rows[checked["productId"]][k] for k in PRICE_CONTROLS} == PRICE_CONTROLS
    assert {k: rows[plain["productId"]][k] for k in PRICE_CONTROLS} == {
        "priceReasonabilityPercent": None, "priceReasonabilityAggressiveOnly": False,
        "nonMatchingPriceTicks": None, "nonMatchingPricePercent": None,
        "rejectWithoutMarketData": False, "applyWholesaleLimits": False,
        "wholesaleMaxOrderQty": None, "wholesalePriceReasonabilityTicks": None,
        "maxOrdersPerDay": None}


@pytest.mark.parametrize("bad", [{"priceReasonabilityPercent": 101},
                                 {"nonMatchingPricePercent": -1},
                                 {"priceReasonabilityPercent": "5"},
                                 {"rejectWithoutMarketData": 1},
                                 {"wholesaleMaxOrderQty": 2.5}])
def test_a_price_control_out_of_its_range_is_refused(sandbox: Sandbox, raw: RawTT,
                                                     bad: dict[str, Any]) -> None:
    account = named(sandbox, "accounts", "HPT-UAT-TEST")
    answer = failed(raw.post("ttaccount", f"account/{account}/limits",
                             {"productLimits": [product_row(sandbox, 10, **bad)]}), 400)
    assert next(iter(bad)) in answer


# ----------------------------------------------------- credit: check, block/cross, loss actions


def test_risk_settings_keep_the_credit_check_and_replace_the_loss_actions_whole(
        sandbox: Sandbox, raw: RawTT) -> None:
    account = named(sandbox, "accounts", "HPT-UAT-TEST")
    endpoint = f"account/{account}/risksettings"
    actions = [{"action": "deleteOrders", "atPercent": 75},
               {"action": "closePositions", "atPercent": 100}]
    ok(raw.post("ttaccount", endpoint, {"checkCredit": True, "applyToBlockCross": True,
                                        "positionResetTime": "16:30",
                                        "creditLossActions": actions}))
    held = ok(raw.get("ttaccount", endpoint))["riskSettings"][0]
    assert (held["checkCredit"], held["applyToBlockCross"], held["positionResetTime"],
            held["creditLossActions"]) == (True, True, "16:30", actions)
    time.sleep(FAST_PAUSE + 0.05)
    ok(raw.post("ttaccount", endpoint, {"creditLossActions": actions[1:]}))
    assert ok(raw.get("ttaccount", endpoint))["riskSettings"][0]["creditLossActions"] == (
        actions[1:]), "a write sends the whole list: an action left out is no longer taken"


def test_algo_parent_limits_are_replaced_whole_one_item_per_order_type(
        sandbox: Sandbox, raw: RawTT) -> None:
    account = named(sandbox, "accounts", "HPT-UAT-TEST")
    endpoint = f"account/{account}/risksettings"
    assert ok(raw.get("ttaccount", endpoint))["riskSettings"][0]["algoParentLimits"] == []
    checks = [{"orderType": "ttIceberg", "maxOrderQty": 200, "priceReasonabilityTicks": 15},
              {"orderType": "ttRetry", "maxOrderQty": 50}]
    ok(raw.post("ttaccount", endpoint, {"algoParentLimits": checks}))
    assert ok(raw.get("ttaccount", endpoint))["riskSettings"][0]["algoParentLimits"] == checks
    time.sleep(FAST_PAUSE + 0.05)
    ok(raw.post("ttaccount", endpoint, {"algoParentLimits": checks[1:]}))
    assert ok(raw.get("ttaccount", endpoint))["riskSettings"][0]["algoParentLimits"] == (
        checks[1:]), "a write sends the whole list: a type left out is no longer checked"


@pytest.mark.parametrize("bad", [
    {"positionResetTime": "5pm"}, {"positionResetTime": "24:00"},
    {"algoParentLimits": [{"orderType": "ttSniper", "maxOrderQty": 5}]},
    {"algoParentLimits": [{"orderType": "ttIceberg", "maxOrderQty": -1}]},
    {"algoParentLimits": [{"maxOrderQty": 5}]},
    {"algoParentLimits": [{"orderType": "ttIceberg", "maxOrderQty": 5, "displayQty": 1}]},
    {"algoParentLimits": [{"orderType": "ttOco"}, {"orderType": "ttOco"}]},
    {"creditLossActions": [{"action": "liquidate", "atPercent": 50}]},
    {"creditLossActions": [{"action": "deleteOrders", "atPercent": 101}]},
    {"creditLossActions": [{"action": "deleteOrders"}]},
    {"creditLossActions": [{"action": "deleteOrders", "atPercent": 50},
                           {"action": "deleteOrders", "atPercent": 60}]},
    {"checkCredit": "yes"},
])
def test_risk_settings_out_of_shape_are_refused(sandbox: Sandbox, raw: RawTT,
                                                bad: dict[str, Any]) -> None:
    account = named(sandbox, "accounts", "HPT-UAT-TEST")
    endpoint = f"account/{account}/risksettings"
    before = ok(raw.get("ttaccount", endpoint))
    answer = failed(raw.post("ttaccount", endpoint, bad), 400)
    assert next(iter(bad)) in answer
    assert ok(raw.get("ttaccount", endpoint)) == before


# -------------------------------------------------------------------- risk-group credit


def test_a_risk_group_has_its_own_credit_limit(sandbox: Sandbox, raw: RawTT) -> None:
    group = named(sandbox, "risk_groups", "Customer Exposure")
    endpoint = f"riskgroup/{group}/risksettings"
    assert ok(raw.get("ttgroup", endpoint))["riskSettings"] == [
        {"riskGroupId": group, "creditLimit": 15_000_000, "currency": "USD"}]
    ok(raw.post("ttgroup", endpoint, {"creditLimit": 12_500_000}))
    assert ok(raw.get("ttgroup", endpoint))["riskSettings"][0]["creditLimit"] == 12_500_000
    time.sleep(FAST_PAUSE + 0.05)
    assert "creditLimit" in failed(raw.post("ttgroup", endpoint, {"creditLimit": -1}), 400)
    time.sleep(FAST_PAUSE + 0.05)
    assert "unknown" in failed(raw.post("ttgroup", endpoint, {"checkCredit": True}), 400)


# ------------------------------------------------- a new account: restrictions deny by default


def test_a_new_account_has_its_restrictions_applied_and_every_activity_denied(
        sandbox: Sandbox, raw: RawTT) -> None:
    made = ok(raw.post("ttaccount", "account", {"name": "HPT-NEW-DENIED", "accountType": 2}))
    account = made["account"][0]["id"]
    (held,) = ok(raw.get("ttaccount", f"account/{account}/restrictions"))["restrictions"]
    assert held.pop("accountId") == account
    assert (held.pop("apply"), held.pop("adlAlgoApprovalRequired")) == (True, False)
    assert len(held) == 25
    assert set(held.values()) == {False}, "TT denies every activity on a new account"


# ------------------------------------------------------------ default rows (no product)


def test_a_default_row_has_no_product_and_is_upserted_by_market_and_type(
        sandbox: Sandbox, raw: RawTT) -> None:
    account = named(sandbox, "accounts", "HPT-UAT-TEST")
    endpoint = f"account/{account}/limits"
    default = {"marketId": 7, "productTypeId": 34, "productId": None, "maxOrderQty": 3}
    ok(raw.post("ttaccount", endpoint, {"productLimits": [default]}))
    time.sleep(FAST_PAUSE + 0.05)
    ok(raw.post("ttaccount", endpoint, {"productLimits": [{**default, "maxOrderQty": 4}]}))
    rows = ok(raw.get("ttaccount", endpoint))["accountLimits"][0]["riskLimits"]["productLimits"]
    defaults = [r for r in rows if r["productId"] is None]
    assert [(r["marketId"], r["productTypeId"], r["maxOrderQty"]) for r in defaults] == [
        (7, 34, 4)], "one default row per market and type, upserted in place"


@pytest.mark.parametrize(("bad", "words"), [
    ({"marketId": 7, "productTypeId": 99, "productId": None}, "lists no product of type"),
    ({"marketId": 999, "productTypeId": 34, "productId": None}, "unknown marketId"),
])
def test_a_default_row_of_a_type_the_market_lacks_is_refused(
        sandbox: Sandbox, raw: RawTT, bad: dict[str, Any], words: str) -> None:
    account = named(sandbox, "accounts", "HPT-UAT-TEST")
    answer = failed(raw.post("ttaccount", f"account/{account}/limits",
                             {"productLimits": [bad]}), 400)
    assert words in answer


def test_an_account_keeps_its_order_cross_prevention_and_refuses_an_unknown_mode(
        sandbox: Sandbox, raw: RawTT) -> None:
    account = named(sandbox, "accounts", "HPT-UAT-TEST")
    ok(raw.post("ttaccount", f"account/{account}", {"orderCrossPrevention": "cancelResting"}))
    detail = ok(raw.get("ttaccount", f"account/{account}"))["account"][0]
    assert detail["orderCrossPrevention"] == "cancelResting"
    time.sleep(FAST_PAUSE + 0.05)
    answer = failed(raw.post("ttaccount", f"account/{account}",
                             {"orderCrossPrevention": "cancel_resting"}), 400)
    assert "orderCrossPrevention" in answer


def leg(sandbox: Sandbox, index: int) -> Json:
    row = product_row(sandbox, index)
    return {k: row[k] for k in ("marketId", "productTypeId", "productId")}


def test_an_inter_product_row_is_upserted_by_its_legs_in_any_order(
        sandbox: Sandbox, raw: RawTT) -> None:
    """Contract §9 (ASSUMED): `interProductLimits` rows carry legs; the same legs in another
    order are the same row; the row is read back with an id, deleted by it."""
    account = named(sandbox, "accounts", "HPT-UAT-TEST")
    endpoint = f"account/{account}/limits"
    first, second = leg(sandbox, 0), leg(sandbox, 1)
    ok(raw.post("ttaccount", endpoint, {"interProductLimits": [
        {"legs": [first, second], "maxOrderQty": 5}]}))
    time.sleep(FAST_PAUSE + 0.05)
    answer = ok(raw.post("ttaccount", endpoint, {"interProductLimits": [
        {"legs": [second, first], "maxPosition": 9}]}))
    (written,) = answer["accountLimits"][0]["riskLimits"]["interProductLimits"]
    rows = ok(raw.get("ttaccount", endpoint))["accountLimits"][0]["riskLimits"][
        "interProductLimits"]
    assert [(r["maxOrderQty"], r["maxPosition"], r["tradingAllowed"]) for r in rows] == [
        (5, 9, True)], "one row per set of legs; keys not sent are kept"
    assert rows[0]["id"] == written["id"]
    time.sleep(FAST_PAUSE + 0.05)
    assert raw.delete("ttaccount", f"{endpoint}/{written['id']}").status_code == 200
    assert ok(raw.get("ttaccount", endpoint))["accountLimits"][0]["riskLimits"][
        "interProductLimits"] == []


@pytest.mark.parametrize(("legs", "words"), [
    (lambda first, _second: [first], "two or more legs"),
    (lambda first, _second: [first, first], "each a different product"),
    (lambda first, second: [first, {**second, "productId": "nope"}], "unknown productId"),
    (lambda first, second: [first, {**second, "marketId": 999}], "not in that market"),
    (lambda first, second: [first, {k: v for k, v in second.items() if k != "productId"}],
     "missing 1 required field: productId"),
])
def test_an_inter_product_row_with_bad_legs_is_refused_and_changes_nothing(
        sandbox: Sandbox, raw: RawTT, legs: Callable[[Json, Json], list[Json]],
        words: str) -> None:
    account = named(sandbox, "accounts", "HPT-UAT-TEST")
    endpoint = f"account/{account}/limits"
    answer = failed(raw.post("ttaccount", endpoint, {
        "productLimits": [product_row(sandbox, 2, maxOrderQty=1)],
        "interProductLimits": [{"legs": legs(leg(sandbox, 0), leg(sandbox, 1))}]}), 400)
    assert words in answer
    rows = ok(raw.get("ttaccount", endpoint))["accountLimits"][0]["riskLimits"]
    assert not rows["interProductLimits"]
    assert all(r["productId"] != product_row(sandbox, 2)["productId"]
               for r in rows["productLimits"]), "a refused batch writes nothing"


def test_product_families_are_listed_and_a_family_row_is_its_own_row(
        sandbox: Sandbox, raw: RawTT) -> None:
    """Contract §9 (ASSUMED): `ttpds productfamilies` lists `{id, name, marketId}`; products
    carry their `familyId`; a row with `productFamilyId` and no product is the family's
    default row of its type, another row than the market's default row."""
    families = ok(raw.get("ttpds", "productfamilies"))["productFamilies"]
    rates = next(f for f in families if f["name"] == "Interest Rates" and f["marketId"] == 7)
    assert {f["marketId"] for f in ok(raw.get("ttpds", "productfamilies",
                                              marketId="7"))["productFamilies"]} == {7}
    products = ok(raw.get("ttpds", "products", marketId="7"))["products"]
    assert {p["symbol"] for p in products if p["familyId"] == rates["id"]} >= {"ZN", "ZB"}
    account = named(sandbox, "accounts", "HPT-UAT-TEST")
    endpoint = f"account/{account}/limits"
    ok(raw.post("ttaccount", endpoint, {"productLimits": [
        {"marketId": 7, "productTypeId": 34, "productId": None, "maxOrderQty": 1},
        {"marketId": 7, "productTypeId": 34, "productId": None,
         "productFamilyId": rates["id"], "maxOrderQty": 2}]}))
    rows = ok(raw.get("ttaccount", endpoint))["accountLimits"][0]["riskLimits"]["productLimits"]
    assert sorted((r.get("productFamilyId") or "-", r["maxOrderQty"]) for r in rows
                  if r["productId"] is None and r["marketId"] == 7) == [
        ("-", 1), (rates["id"], 2)]


@pytest.mark.parametrize(("extra", "words"), [
    ({"productFamilyId": "1"}, "is not a family of market 7"),
    ({"productFamilyId": "FAMILY", "productTypeId": 27}, "lists no product of type 27"),
    ({"productFamilyId": "FAMILY", "productId": "PRODUCT"}, "a product or a product family"),
])
def test_a_family_row_of_another_market_or_type_is_refused(
        sandbox: Sandbox, raw: RawTT, extra: dict[str, Any], words: str) -> None:
    families = ok(raw.get("ttpds", "productfamilies"))["productFamilies"]
    metals = next(f for f in families if f["name"] == "Metals" and f["marketId"] == 7)
    gold = product_row(sandbox)
    for product in sandbox.store.env(UAT).products.values():
        if product["symbol"] == "GC" and product["productTypeId"] == 34:
            gold = {"productId": product["id"]}
    row = {"marketId": 7, "productTypeId": 34, "productId": None, **extra}
    row = {k: metals["id"] if v == "FAMILY" else gold["productId"] if v == "PRODUCT" else v
           for k, v in row.items()}
    account = named(sandbox, "accounts", "HPT-UAT-TEST")
    answer = failed(raw.post("ttaccount", f"account/{account}/limits",
                             {"productLimits": [row]}), 400)
    assert words in answer


def test_touch_bands_are_refused_where_the_company_has_no_advanced_risk(
        sandbox: Sandbox, raw: RawTT) -> None:
    account = named(sandbox, "accounts", "HPT-UAT-TEST")
    endpoint = f"account/{account}/risksettings"
    ok(raw.post("ttaccount", endpoint, {"nearTouchTicks": 5, "farTouchTicks": None}))
    for company in sandbox.store.env(UAT).companies.values():
        company["advancedRisk"] = False
    time.sleep(FAST_PAUSE + 0.05)
    answer = failed(raw.post("ttaccount", endpoint, {"farTouchTicks": 9}), 400)
    assert "advancedRisk setting" in answer
    time.sleep(FAST_PAUSE + 0.05)
    ok(raw.post("ttaccount", endpoint, {"nearTouchTicks": None}))  # switching off is allowed
    settings = ok(raw.get("ttaccount", endpoint))["riskSettings"][0]
    assert (settings["nearTouchTicks"], settings["farTouchTicks"]) == (None, None)


def test_an_order_tag_default_is_keyed_by_its_further_keys_and_checks_its_product(
        sandbox: Sandbox, raw: RawTT) -> None:
    """Contract §9 (ASSUMED): profile, algoType, algoName, productGroup, productTypeId and
    productId key an order-tag default too (null matches anything)."""
    es = next(p for p in sandbox.store.env(UAT).products.values()
              if p["symbol"] == "ES" and p["productTypeId"] == 34)
    base = {"marketId": es["marketId"], "fieldId": 104, "value": "A"}
    scoped = {**base, "algoName": "Spreader One", "productTypeId": 34, "productId": es["id"]}
    ok(raw.post("ttsetup", "ordertagdefaults", {"orderTagDefaults": [base, scoped]}))
    time.sleep(FAST_PAUSE + 0.05)
    assert "already exists" in failed(raw.post("ttsetup", "ordertagdefaults", {
        "orderTagDefaults": [{**scoped, "value": "B"}]}), 409)
    time.sleep(FAST_PAUSE + 0.05)
    wrong = {**scoped, "algoName": "Other", "productTypeId": 51}
    assert "is not a product of that market and productTypeId" in failed(raw.post(
        "ttsetup", "ordertagdefaults", {"orderTagDefaults": [wrong]}), 400)
    listed = ok(raw.get("ttsetup", "ordertagdefaults"))["orderTagDefaults"]
    assert sum(1 for d in listed if d["fieldId"] == 104 and d["value"] == "A"
               and d.get("algoName") == "Spreader One") == 1


def test_a_users_exchange_access_is_replaced_whole_and_checked(
        sandbox: Sandbox, raw: RawTT) -> None:
    """Contract §9 (ASSUMED): `user/{id}/exchanges` → `exchanges: [{marketId, marketData,
    productGroups, orderRouting, traderId, operatorId, marketDataType, nonDisplay}]`; a POST
    replaces the list, and what an entry leaves out is TT's default."""
    user_id = next(u["id"] for u in sandbox.store.env(UAT).users.values()
                   if u["email"] == "john.smith@harborpoint.example")
    endpoint = f"user/{user_id}/exchanges"
    ok(raw.post("ttuser", endpoint, {"exchanges": [
        {"marketId": 7, "marketData": True, "orderRouting": True, "traderId": "JS",
         "operatorId": "JSMITH", "marketDataType": "sdkClient", "nonDisplay": True},
        {"marketId": 32, "productGroups": ["Energy"]}]}))
    held = ok(raw.get("ttuser", endpoint))["exchanges"]
    assert [(e["marketId"], e["orderRouting"], e["productGroups"], e["operatorId"],
             e["marketDataType"], e["nonDisplay"]) for e in held] == [
        (7, True, None, "JSMITH", "sdkClient", True), (32, False, ["Energy"], None, None, False)]
    time.sleep(FAST_PAUSE + 0.05)
    assert "marketDataType must be one of" in failed(raw.post("ttuser", endpoint, {
        "exchanges": [{"marketId": 7, "marketDataType": "screen"}]}), 400)
    time.sleep(FAST_PAUSE + 0.05)
    assert "nonDisplay must be true or false" in failed(raw.post("ttuser", endpoint, {
        "exchanges": [{"marketId": 7, "nonDisplay": "yes"}]}), 400)
    time.sleep(FAST_PAUSE + 0.05)
    assert "unknown marketId 99" in failed(raw.post("ttuser", endpoint, {"exchanges": [
        {"marketId": 99}]}), 400)
    time.sleep(FAST_PAUSE + 0.05)
    assert "a market appears twice" in failed(raw.post("ttuser", endpoint, {"exchanges": [
        {"marketId": 7}, {"marketId": 7}]}), 400)
    assert len(ok(raw.get("ttuser", endpoint))["exchanges"]) == 2, "refused writes change nothing"
