"""Invariants and minimum sizes of the sandbox's seeded demo firms (not a snapshot)."""

from __future__ import annotations

import functools
import json
import re
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from ttconfig.sandbox.seed import ENVIRONMENTS, build_all, build_seed

Json = dict[str, Any]
UAT, PROD = "ext_uat_cert", "ext_prod_live"
SIZES = (None, 100, 2000)
CASES = [(env, size) for env in ENVIRONMENTS for size in SIZES]

LIMIT_KEYS = {
    "id", "marketId", "productTypeId", "productId", "instrumentId", "productFamilyId",
    "tradingAllowed",
    "spreadTradingAllowed", "maxOrderQty", "maxPosition", "maxLongPosition", "maxShortPosition",
    "maxOrdersPerDay", "priceReasonabilityTicks", "priceReasonabilityPercent",
    "priceReasonabilityAggressiveOnly", "nonMatchingPriceTicks", "nonMatchingPricePercent",
    "rejectWithoutMarketData", "applyWholesaleLimits", "wholesaleMaxOrderQty",
    "wholesalePriceReasonabilityTicks", "priceDrift1MinTicks", "priceDrift3MinTicks",
    "priceDriftLifetimeTicks",
}  # fmt: skip
ROW_KEYS: dict[str, set[str]] = {
    "markets": {"id", "name"},
    "productFamilies": {"id", "name", "marketId"},
    "userExchanges": {"userId", "exchanges"},
    "products": {"id", "symbol", "name", "marketId", "productTypeId", "familyId"},
    "instruments": {
        "id", "alias", "name", "productId", "marketId", "productTypeId", "productSymbol",
        "productFamilyId", "expirationDate", "lastTradeDate", "term", "tickSize", "tickValue",
        "pointValue",
    },
    "orderTagFields": {"fieldId", "marketId", "name", "isRequired", "valueTypeId", "enums"},
    "companies": {
        "id", "name", "abbrevName", "defaultLimitsToZero", "advancedRisk", "marketImpact",
        "liquidationUserId",
    },
    "appKeys": {"key", "secret", "companyId", "userId", "usagePlan", "label"},
    "accounts": {
        "id", "name", "accountType", "companyId", "parentId", "description", "revision",
        "orderCrossPrevention",
    },
    "accountLimits": {"accountId", "riskLimitSettings", "productLimits", "contractLimits",
                      "interProductLimits"},
    "riskSettings": {
        "accountId", "creditLimit", "currency", "applyPnl", "applyMargin", "tradeOutAllowed",
        "createSodRecords", "createSpreadSodRecords", "checkCredit", "applyToBlockCross",
        "positionResetTime", "creditLossActions", "nearTouchTicks", "farTouchTicks",
        "marketImpactParticipationPercent", "marketImpactPriceMovementTicks",
        "marketImpactCoolingOffSeconds", "algoMaxUpdatesPerInterval",
        "algoMaxCancelsPerInterval", "algoIntervalMs", "algoParentLimits",
    },
    "restrictions": {
        "accountId", "placeOrders", "modifyOrders", "ttApi", "ttOrderTypes", "autospreader",
        "submitBlockCross", "marketOrders", "gtcOrders", "obo", "algoSdk", "adl", "apply",
        "adlAlgoApprovalRequired", "pauseResumeAlgos", "updatePositions", "rfqCross", "mobile",
        "aggregator", "ttIceberg", "ttTimeSliced", "ttTimed", "ttStop", "ttIfTouched",
        "ttRetry", "ttOco", "ttBracket", "ttTrailingLimit",
    },
    "accountUsers": {"accountId", "userId", "orderPermissions", "permissions"},
    "users": {
        "id", "alias", "email", "firstName", "lastName", "userActive", "tradeMode",
        "invitationPending", "companyId", "settings", "revision",
    },
    "userLimits": {"userId", "productLimits", "contractLimits"},
    "userGroups": {"id", "name", "companyId", "revision"},
    "userGroupUsers": {"userGroupId", "userId"},
    "riskGroups": {"id", "name", "description", "companyId", "revision"},
    "riskGroupAccounts": {"riskGroupId", "accountId"},
    "riskGroupLimits": {"riskGroupId", "productLimits", "contractLimits"},
    "riskGroupRiskSettings": {"riskGroupId", "creditLimit", "currency"},
    "orderTagDefaults": {"id", "companyId", "accountId", "userId", "marketId", "fieldId", "value",
                         "profile", "algoType", "algoName", "productGroup", "productTypeId",
                         "productId"},
    "productMargins": {
        "id", "companyId", "marketId", "productTypeId", "productId", "currency", "outrightMargin",
        "spreadMargin",
    },
    "positions": {"accountId", "instruments"},
    "creditUsage": {"accountId", "creditUsed"},
}  # fmt: skip
ORDER_PERMISSIONS = {
    "placeOrders", "modifyOrders", "deleteOrders", "submitBlockCrossOrders", "submitStagedOrders",
}  # fmt: skip
PERMISSIONS = {"updatePositions", "confirmFills", "modifyClearingAccountOnFills", "viewOnly"}
ID_TABLES = (
    "markets", "companies", "accounts", "users", "userGroups", "riskGroups", "orderTagDefaults",
    "productMargins",
)  # fmt: skip
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
EMAIL = re.compile(r"^[a-z0-9][a-z0-9._+-]*@[a-z0-9-]+(\.[a-z0-9-]+)+$")


@functools.cache
def seed(env: str, accounts: int | None = None) -> Json:
    return build_seed(env, accounts=accounts)


@pytest.fixture(params=CASES, ids=[f"{env}-{size}" for env, size in CASES])
def data(request: pytest.FixtureRequest) -> Json:
    env, size = request.param
    return seed(env, size)


def by_id(rows: list[Json], key: str = "id") -> dict[Any, Json]:
    return {row[key]: row for row in rows}


def company_id(data: Json, abbrev: str) -> int:
    found: int = next(c["id"] for c in data["companies"] if c["abbrevName"] == abbrev)
    return found


def of_company(data: Json, table: str, abbrev: str) -> list[Json]:
    cid = company_id(data, abbrev)
    return [row for row in data[table] if row["companyId"] == cid]


def limit_owners(data: Json) -> Iterator[tuple[str, Json]]:
    for table, owner_key in (
        ("accountLimits", "accountId"),
        ("userLimits", "userId"),
        ("riskGroupLimits", "riskGroupId"),
    ):
        for row in data[table]:
            yield f"{table}:{row[owner_key]}", row


def all_limits(data: Json) -> Iterator[tuple[str, Json]]:
    for owner, row in limit_owners(data):
        for limit in row["productLimits"]:
            yield owner, limit
        for limit in row["contractLimits"]:
            yield owner, limit


def integer_ids(data: Json) -> list[int]:
    ids = [row["id"] for table in ID_TABLES for row in data[table]]
    ids += [limit["id"] for _, limit in all_limits(data)]
    ids += [field["fieldId"] for field in data["orderTagFields"]]
    return ids


def assert_unique(values: list[Any]) -> None:
    dupes = [value for value, count in Counter(values).items() if count > 1]
    assert not dupes, dupes[:5]


# ------------------------------------------------------------------------ shape and types


def test_environments() -> None:
    assert ENVIRONMENTS == (UAT, PROD)


def test_tables_and_row_keys(data: Json) -> None:
    assert set(data) == {"nextId", *ROW_KEYS}
    for table, keys in ROW_KEYS.items():
        assert data[table], table
        for row in data[table]:
            assert set(row) == keys, (table, row)
    for _, limit in all_limits(data):
        assert set(limit) == LIMIT_KEYS, limit
    for link in data["accountUsers"]:
        assert set(link["orderPermissions"]) == ORDER_PERMISSIONS
        assert set(link["permissions"]) == PERMISSIONS
    for user in data["users"]:
        assert set(user["settings"]) == {"disableTrading", "fullAdmin", "viewOnlyAdmin"}


def test_json_able(data: Json) -> None:
    text = json.dumps(data, allow_nan=False)
    assert json.loads(text) == data  # a tuple or a non-str key would not compare equal


def test_field_types(data: Json) -> None:
    for account in data["accounts"]:
        assert account["accountType"] in (1, 2, 3)
        assert isinstance(account["revision"], int)
        assert account["revision"] >= 1
    for user in data["users"]:
        assert user["userActive"] in (0, 1)
        assert user["invitationPending"] in (0, 1)
        assert user["tradeMode"] in (1, 2, 3)
        assert set(user["settings"].values()) <= {0, 1}
    for product in data["products"]:
        assert product["productTypeId"] in (34, 51, 27, 48, 1)
    for _, limit in all_limits(data):
        assert limit["productTypeId"] in (34, 51, 27, 48, 1)
        for key in ("maxOrderQty", "maxPosition", "maxLongPosition", "maxShortPosition"):
            assert limit[key] is None or (isinstance(limit[key], int) and limit[key] >= 0)
    for row in data["riskSettings"]:
        assert row["creditLimit"] is None or isinstance(row["creditLimit"], int)


# ---------------------------------------------------------------------------------- ids


def test_integer_ids_unique_and_below_next_id(data: Json) -> None:
    ids = integer_ids(data)
    assert all(type(i) is int for i in ids)
    assert_unique(ids)
    assert data["nextId"] > max(ids)


def test_product_and_instrument_ids(data: Json) -> None:
    ids = [p["id"] for p in data["products"]] + [i["id"] for i in data["instruments"]]
    for value in ids:
        assert isinstance(value, str)
        assert value.isdigit()
        assert 2**53 < int(value) < 2**64
    assert_unique(ids)


# ------------------------------------------------------------------------ names, e-mails


def test_names_unique_per_company(data: Json) -> None:
    for table, key in (
        ("accounts", "name"),
        ("users", "email"),
        ("userGroups", "name"),
        ("riskGroups", "name"),
    ):
        assert_unique([(row["companyId"], row[key].casefold()) for row in data[table]])


def test_emails_valid_and_lower_case(data: Json) -> None:
    for user in data["users"]:
        assert EMAIL.match(user["email"]), user["email"]
        assert user["email"] == user["email"].lower()


# --------------------------------------------------------------------------- references


def test_reference_data_resolves(data: Json) -> None:
    markets = by_id(data["markets"])
    products = by_id(data["products"])
    for product in data["products"]:
        assert product["marketId"] in markets
    counts = Counter(instrument["productId"] for instrument in data["instruments"])
    assert set(counts) == set(products)
    assert all(2 <= count <= 4 for count in counts.values())
    for field in data["orderTagFields"]:
        assert field["marketId"] in markets
        assert field["isRequired"] in (0, 1)


def test_company_references_resolve(data: Json) -> None:
    companies = by_id(data["companies"])
    for table in ("appKeys", "accounts", "users", "userGroups", "riskGroups"):
        for row in data[table]:
            assert row["companyId"] in companies, (table, row)
    for table in ("orderTagDefaults", "productMargins"):
        for row in data[table]:
            assert row["companyId"] in companies, (table, row)
    users = by_id(data["users"])
    for key in data["appKeys"]:
        assert users[key["userId"]]["companyId"] == key["companyId"]


def test_account_tables_cover_every_account(data: Json) -> None:
    account_ids = sorted(account["id"] for account in data["accounts"])
    for table in ("accountLimits", "riskSettings", "restrictions"):
        assert sorted(row["accountId"] for row in data[table]) == account_ids, table


def test_links_stay_within_a_company(data: Json) -> None:
    accounts, users = by_id(data["accounts"]), by_id(data["users"])
    groups, risk_groups = by_id(data["userGroups"]), by_id(data["riskGroups"])
    for link in data["accountUsers"]:
        assert accounts[link["accountId"]]["companyId"] == users[link["userId"]]["companyId"]
    assert_unique([(link["accountId"], link["userId"]) for link in data["accountUsers"]])
    for member in data["userGroupUsers"]:
        group = groups[member["userGroupId"]]
        assert users[member["userId"]]["companyId"] == group["companyId"]
    for member in data["riskGroupAccounts"]:
        group = risk_groups[member["riskGroupId"]]
        assert accounts[member["accountId"]]["companyId"] == group["companyId"]
    assert {row["userId"] for row in data["userLimits"]} <= set(users)
    assert {row["riskGroupId"] for row in data["riskGroupLimits"]} <= set(risk_groups)


def test_limits_resolve(data: Json) -> None:
    products = by_id(data["products"])
    instruments = by_id(data["instruments"])
    for owner, row in limit_owners(data):
        for limit in row["productLimits"]:
            assert limit["instrumentId"] is None, owner
        for limit in row["contractLimits"]:
            assert instruments[limit["instrumentId"]]["productId"] == limit["productId"], owner
    types = {(p["marketId"], p["productTypeId"]) for p in products.values()}
    for _, limit in all_limits(data):
        if limit["productId"] is None:  # a default row: a market and type TT lists
            assert (limit["marketId"], limit["productTypeId"]) in types
            continue
        product = products[limit["productId"]]
        assert limit["marketId"] == product["marketId"]
        assert limit["productTypeId"] == product["productTypeId"]


def test_margins_resolve(data: Json) -> None:
    products = by_id(data["products"])
    for margin in data["productMargins"]:
        product = products[margin["productId"]]
        assert (margin["marketId"], margin["productTypeId"]) == (
            product["marketId"],
            product["productTypeId"],
        )
        assert margin["currency"] in ("USD", "EUR", "GBP")
        assert margin["outrightMargin"] > margin["spreadMargin"] > 0
    assert_unique([(m["companyId"], m["productId"]) for m in data["productMargins"]])


def test_order_tag_defaults(data: Json) -> None:
    fields = by_id(data["orderTagFields"], "fieldId")
    accounts, users = by_id(data["accounts"]), by_id(data["users"])
    for row in data["orderTagDefaults"]:
        field = fields[row["fieldId"]]
        assert field["marketId"] == row["marketId"]
        if field["enums"]:
            assert row["value"] in {e["valueEnumName"] for e in field["enums"]}
        if row["accountId"] is not None:
            assert accounts[row["accountId"]]["companyId"] == row["companyId"]
        if row["userId"] is not None:
            assert users[row["userId"]]["companyId"] == row["companyId"]
    scopes = ("companyId", "accountId", "userId", "marketId", "fieldId", "profile",
              "algoType", "algoName", "productGroup", "productTypeId", "productId")
    assert_unique([tuple(row[k] for k in scopes) for row in data["orderTagDefaults"]])


# ------------------------------------------------------------------- structural rules


def test_account_tree(data: Json) -> None:
    accounts = by_id(data["accounts"])
    for account in data["accounts"]:
        seen = {account["id"]}
        parent_id = account["parentId"]
        while parent_id is not None:
            parent = accounts[parent_id]
            assert parent["companyId"] == account["companyId"]
            assert parent_id not in seen, "parent cycle"
            seen.add(parent_id)
            parent_id = parent["parentId"]


def test_account_in_at_most_one_risk_group(data: Json) -> None:
    assert_unique([row["accountId"] for row in data["riskGroupAccounts"]])


def test_no_user_on_a_child_of_its_linked_account(data: Json) -> None:
    accounts = by_id(data["accounts"])
    links = {(link["userId"], link["accountId"]) for link in data["accountUsers"]}
    for user_id, account_id in links:
        parent_id = accounts[account_id]["parentId"]
        while parent_id is not None:
            assert (user_id, parent_id) not in links, (user_id, account_id)
            parent_id = accounts[parent_id]["parentId"]


def test_limit_scope_once_per_owner(data: Json) -> None:
    scope = ("marketId", "productTypeId", "productId", "instrumentId")
    assert_unique([(owner, *(limit[k] for k in scope)) for owner, limit in all_limits(data)])
    assert_unique([owner for owner, _ in limit_owners(data)])


def test_app_keys(data: Json) -> None:
    assert len(data["appKeys"]) == len(data["companies"])
    for key in data["appKeys"]:
        assert GUID.match(key["key"])
        assert GUID.match(key["secret"])
        assert key["usagePlan"] in ("free", "low", "medium", "high")
    assert_unique([key["key"] for key in data["appKeys"]])


# ---------------------------------------------------------------------- determinism, API


@pytest.mark.parametrize("accounts", [None, 100])
def test_deterministic(accounts: int | None) -> None:
    for env in ENVIRONMENTS:
        first, second = build_seed(env, accounts=accounts), build_seed(env, accounts=accounts)
        assert json.dumps(first) == json.dumps(second)


def test_build_all() -> None:
    everything = build_all()
    assert everything["version"] == 1
    assert list(everything["environments"]) == list(ENVIRONMENTS)
    assert everything["environments"][UAT] == seed(UAT)


def test_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="environment"):
        build_seed("ext_nope")
    with pytest.raises(ValueError, match="accounts"):
        build_seed(UAT, accounts=5)


def test_5000_accounts_is_fast() -> None:
    """CPU time, not wall time: with another suite on the same two cores the wall time of a
    ~1 s build reached 3.9 s and failed a run that had nothing wrong."""
    start = time.process_time()
    big = build_seed(PROD, accounts=5000)
    assert time.process_time() - start < 2.0
    assert len(of_company(big, "accounts", "HPT")) == 5000


# ---------------------------------------------------------------------- demo-firm sizes


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_demo_reference_sizes(env: str) -> None:
    demo = seed(env)
    assert {7, 28, 32} <= {market["id"] for market in demo["markets"]}
    types = Counter(product["productTypeId"] for product in demo["products"])
    assert sum(types.values()) >= 30
    assert types[34] > types[51] + types[27]
    assert types[51] >= 2
    assert types[27] >= 2
    symbols = {product["symbol"] for product in demo["products"]}
    assert {"ES", "NQ", "CL", "NG", "ZN", "ZB", "GC", "6E", "FDAX", "FGBL", "BRN", "G"} <= symbols
    aliases = {instrument["alias"] for instrument in demo["instruments"]}
    assert "ES Dec26" in aliases
    assert {field["marketId"] for field in demo["orderTagFields"]} == {7, 28, 32}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_demo_accounts(env: str) -> None:
    demo = seed(env)
    accounts = of_company(demo, "accounts", "HPT")
    assert len(accounts) >= 20
    children = Counter(a["parentId"] for a in accounts if a["parentId"] is not None)
    assert sum(2 <= count <= 4 for count in children.values()) >= 3
    assert {a["accountType"] for a in accounts} == {1, 2, 3}
    ids = {a["id"] for a in accounts}
    limits = [row for row in demo["accountLimits"] if row["accountId"] in ids]
    assert sum(bool(row["productLimits"]) for row in limits) > len(ids) / 2
    assert sum(bool(row["contractLimits"]) for row in limits) >= 3
    restricted = [r for r in demo["restrictions"] if r["accountId"] in ids and not r["placeOrders"]]
    assert len(restricted) >= 1


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_demo_limit_values(env: str) -> None:
    limits = [limit for _, limit in all_limits(seed(env))]
    blocked = [x for x in limits if not x["tradingAllowed"] and x["maxOrderQty"] == 0]
    assert blocked
    assert any(x["maxPosition"] == 0 and x["tradingAllowed"] for x in limits)
    unset = [x for x in limits if x["maxPosition"] is None]
    assert 0 < len(unset) < len(limits) / 2
    assert sum(x["maxOrderQty"] is not None for x in limits) > len(limits) * 0.8


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_demo_users(env: str) -> None:
    demo = seed(env)
    users = of_company(demo, "users", "HPT")
    assert len(users) >= 40
    assert all(u["email"].endswith("@harborpoint.example") for u in users)
    admins = [u for u in users if u["settings"]["fullAdmin"]]
    assert 2 <= len(admins) <= 3
    api = next(u for u in users if u["email"] == "ttconfig-api@harborpoint.example")
    assert api["alias"] == "TTCONFIG-API"
    assert api in admins
    assert any(u["userActive"] == 0 for u in users)
    assert any(u["invitationPending"] == 1 for u in users)
    assert "JSMITH" in {u["alias"] for u in users}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_demo_links_and_groups(env: str) -> None:
    demo = seed(env)
    links = demo["accountUsers"]
    assert any(link["permissions"]["viewOnly"] for link in links)
    assert any(link["permissions"]["updatePositions"] for link in links)
    assert any(link["orderPermissions"]["placeOrders"] for link in links)
    groups = of_company(demo, "userGroups", "HPT")
    assert {g["name"] for g in groups} == {"Rates Desk", "Energy Desk", "Equity Index Desk"}
    members = Counter(row["userGroupId"] for row in demo["userGroupUsers"])
    assert all(members[g["id"]] >= 5 for g in groups)
    risk_groups = of_company(demo, "riskGroups", "HPT")
    assert len(risk_groups) == 4
    members = Counter(row["riskGroupId"] for row in demo["riskGroupAccounts"])
    assert all(members[g["id"]] >= 2 for g in risk_groups)
    group_limits = by_id(demo["riskGroupLimits"], "riskGroupId")
    assert all(group_limits[g["id"]]["productLimits"] for g in risk_groups)
    assert len(demo["userLimits"]) >= 3


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_demo_tags_margins_and_keys(env: str) -> None:
    demo = seed(env)
    defaults = of_company(demo, "orderTagDefaults", "HPT")
    assert any(d["accountId"] is not None for d in defaults)
    assert any(d["userId"] is not None for d in defaults)
    assert len(of_company(demo, "productMargins", "HPT")) >= 10
    currencies = {m["marketId"]: m["currency"] for m in demo["productMargins"]}
    assert currencies[7] == "USD"
    assert currencies[28] == "EUR"
    (key,) = of_company(demo, "appKeys", "HPT")
    assert key["label"] == "ttconfig"
    assert key["usagePlan"] == ("free" if env == UAT else "low")
    api = by_id(demo["users"])[key["userId"]]
    assert api["alias"] == "TTCONFIG-API"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_demo_second_company(env: str) -> None:
    demo = seed(env)
    companies = {c["abbrevName"]: c["name"] for c in demo["companies"]}
    assert companies == {"HPT": "Harbor Point Trading", "MRDN": "Meridian Futures"}
    assert len(of_company(demo, "accounts", "MRDN")) == 2
    assert len(of_company(demo, "users", "MRDN")) == 2
    (key,) = of_company(demo, "appKeys", "MRDN")
    assert key["label"] == "meridian"


# ----------------------------------------------------------------------- UAT vs prod


def names(data: Json, table: str, key: str = "name") -> set[str]:
    return {row[key] for row in of_company(data, table, "HPT")}


def test_uat_and_prod_share_reference_data() -> None:
    uat, prod = seed(UAT), seed(PROD)
    assert uat["markets"] == prod["markets"]
    assert uat["orderTagFields"] == prod["orderTagFields"]
    prod_products = {json.dumps(p, sort_keys=True) for p in prod["products"]}
    uat_products = {json.dumps(p, sort_keys=True) for p in uat["products"]}
    assert prod_products < uat_products
    assert len(uat_products - prod_products) <= 2


def test_uat_and_prod_differ_like_real_firms() -> None:
    uat, prod = seed(UAT), seed(PROD)
    assert company_id(uat, "HPT") != company_id(prod, "HPT")
    assert not set(integer_ids(uat)) & {a["id"] for a in prod["accounts"]}
    uat_accounts, prod_accounts = names(uat, "accounts"), names(prod, "accounts")
    assert {"HPT-UAT-TEST", "HPT-UAT-ALGO"} <= uat_accounts - prod_accounts
    assert prod_accounts - uat_accounts
    assert names(prod, "users", "email") - names(uat, "users", "email")
    assert names(uat, "users", "email") - names(prod, "users", "email")
    assert names(uat, "userGroups") == names(prod, "userGroups")
    assert names(uat, "riskGroups") == names(prod, "riskGroups")
    assert len(uat_accounts & prod_accounts) >= 20


def test_uat_limits_and_credit_differ() -> None:
    uat, prod = seed(UAT), seed(PROD)

    def by_name(data: Json, table: str) -> dict[str, Json]:
        rows = by_id(data[table], "accountId")
        return {a["name"]: rows[a["id"]] for a in data["accounts"]}

    uat_risk, prod_risk = by_name(uat, "riskSettings"), by_name(prod, "riskSettings")
    common = uat_risk.keys() & prod_risk.keys()
    assert any(uat_risk[n]["creditLimit"] != prod_risk[n]["creditLimit"] for n in common)
    uat_limits, prod_limits = by_name(uat, "accountLimits"), by_name(prod, "accountLimits")

    def count(rows: dict[str, Json], name: str) -> int:
        return len(rows[name]["productLimits"]) + len(rows[name]["contractLimits"])

    assert any(count(uat_limits, n) > count(prod_limits, n) for n in common)

    def max_qty(rows: dict[str, Json], name: str) -> int:
        return sum(x["maxOrderQty"] or 0 for x in rows[name]["productLimits"])

    assert any(max_qty(uat_limits, n) > max_qty(prod_limits, n) for n in common)


# ----------------------------------------------------------------------- scaled firms


@pytest.mark.parametrize(("env", "size"), [(env, n) for env in ENVIRONMENTS for n in (100, 2000)])
def test_scaled_firm_sizes(env: str, size: int) -> None:
    scaled, demo = seed(env, size), seed(env)
    assert len(of_company(scaled, "accounts", "HPT")) == size
    assert len(of_company(scaled, "accounts", "MRDN")) == 2
    assert names(demo, "accounts") <= names(scaled, "accounts")
    users = of_company(scaled, "users", "HPT")
    assert len(users) >= size / 4
    assert len(scaled["accountUsers"]) >= size * 0.75
    limits = sum(len(row["productLimits"]) for row in scaled["accountLimits"])
    assert limits >= size
    assert len(scaled["riskSettings"]) == len(scaled["restrictions"]) == len(scaled["accounts"])
    assert len(scaled["userLimits"]) > len(demo["userLimits"])
