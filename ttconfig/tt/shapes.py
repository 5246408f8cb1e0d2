"""The shapes of TT's answers that the adapters expect, and how a real answer differs.

`ttconfig doctor` reads every endpoint ttconfig uses once and compares each answer's shape
(its keys, and the JSON type of each value) with the one here, using deepdiff: a key the
adapters need and TT did not send, or a value of another type, is a failure; a key TT
sends that ttconfig does not read is reported, so a firm sees what the model leaves out.

A shape is JSON with type names at the leaves ("int", "str", "bool", "float", "null",
alternatives as "int|null"); a key ending in "?" may be absent; a list holds the shape of
its elements. The keys are TT's, as the adapters name them (ASSUMED where the contract is).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from deepdiff import DeepDiff

from ttconfig.tt.adapters import limits, ttaccount, ttgroup, ttmonitor, ttsetup

Shape = Any

LIMIT_ROW = {
    limits.ROW_ID: "int", limits.SCOPE_KEYS["market_id"]: "int",
    limits.SCOPE_KEYS["product_type_id"]: "int",
    limits.SCOPE_KEYS["product_id"]: "str|int|null",  # (null: a default row)
    f"{limits.SCOPE_KEYS['instrument_id']}?": "str|int|null",
    f"{limits.FAMILY_ID}?": "int|str|null",
    **{f"{key}?" if key in limits.ASSUMED_KEYS else key:
       "bool|null" if key in limits.FLAG_KEYS else "int|float|null"
       for key in limits.VALUE_KEYS.values()},
}
def _flags(keys: Mapping[str, str]) -> dict[str, str]:
    """Boolean fields, named as the adapter names them on the wire."""
    return dict.fromkeys(keys.values(), "bool")


LINK = {"userId": "int", "alias?": "str|null",
        ttaccount.ORDER_PERMISSIONS: _flags(ttaccount.ORDER_PERMISSION_KEYS),
        ttaccount.PERMISSIONS: _flags(ttaccount.PERMISSION_KEYS)}
LEG = {key: "int" for key in (limits.SCOPE_KEYS["market_id"],
                              limits.SCOPE_KEYS["product_type_id"])} | {
    limits.SCOPE_KEYS["product_id"]: "str|int"}
INTER_PRODUCT_ROW = {limits.ROW_ID: "int", limits.LEGS: [LEG],
                     **{k: v for k, v in LIMIT_ROW.items()
                        if k.rstrip("?") in limits.VALUE_KEYS.values()}}
RISK_LIMITS = {limits.PRODUCT_LIMITS: [LIMIT_ROW], limits.CONTRACT_LIMITS: [LIMIT_ROW],
               f"{limits.INTER_PRODUCT_LIMITS}?": [INTER_PRODUCT_ROW]}
PAGED = {"lastPage?": "str|bool", "nextPageKey?": "str"}
POSITION = {"accountId": "int", "marketId": "int", "productId": "str|int",
            "productTypeId": "int",
            **{f"{key}?" if name != "net" else key: "int|float"
               for name, key in ttmonitor.POSITION_KEYS.items()}}

EXPECTED: dict[str, Shape] = {
    "/ttid/{env}/token": {"access_token": "str", "token_type?": "str",
                          "seconds_until_expiry": "int|float"},
    "/ttsetup/{env}/company": {"company": [{
        "id": "int", "name": "str", "abbrevName?": "str",
        **{f"{key}?": "bool" for key in ttsetup.COMPANY_SETTINGS_KEYS.values()},
        f"{ttsetup.LIQUIDATION_USER}?": "int|null"}]},
    "/ttpds/{env}/markets": {"markets": [{"id": "int", "name": "str"}]},
    "/ttpds/{env}/productfamilies": {**PAGED, "productFamilies": [{
        "id": "str|int", "name": "str", "marketId": "int"}]},
    "/ttpds/{env}/products": {**PAGED, "products": [{
        "id": "str|int", "symbol": "str", "name?": "str", "marketId": "int",
        "productTypeId": "int", "familyId?": "str|int"}]},
    "/ttpds/{env}/instruments": {**PAGED, "instruments": [{
        "id": "str|int", "alias": "str", "name?": "str", "productId": "str|int",
        # what real instruments carry besides (contract §9); ttconfig reads none of it yet
        "marketId?": "int", "productTypeId?": "int", "productSymbol?": "str",
        "productFamilyId?": "str|int", "expirationDate?": "int", "lastTradeDate?": "int",
        "term?": "str", "tickSize?": "int|float", "tickValue?": "int|float",
        "pointValue?": "int|float"}]},
    "/ttsetup/{env}/ordertagdefaults/fields": {**PAGED, "fields": [{
        "fieldId": "int", "marketId": "int", "name": "str", "isRequired?": "int|bool",
        "valueTypeId?": "int", "enums?": ["any"]}]},
    "/ttsetup/{env}/ordertagdefaults": {**PAGED, "orderTagDefaults": [{
        "id": "int", "accountId": "int|null", "userId": "int|null", "marketId": "int",
        "fieldId": "int", "value": "str",
        **{f"{key}?": "int|null" if key == "productTypeId" else "str|int|null"
           for key in ttsetup.DEFAULT_SCOPE_KEYS.values()}}]},
    "/ttsetup/{env}/company/productmargin/{id}": {**PAGED, "productMargins": [{
        "id": "int", "marketId": "int", "productTypeId": "int", "productId": "str|int",
        "currency": "str", "outrightMargin": "int|float|null",
        "spreadMargin": "int|float|null"}]},
    "/ttaccount/{env}/accounts": {**PAGED, "requestVersion?": "str|int", "accounts": [{
        "id": "int", "name": "str", "accountType": "int", "companyId?": "int|null",
        "parentId?": "int|null", "parentAccountId?": "int|null", "revision?": "int",
        **{f"{key}?": "bool" for key in ttaccount.TT_HOLDS.values()}}]},
    "/ttaccount/{env}/account/{id}": {"account": [{
        "id": "int", "name": "str", "accountType": "int", "companyId?": "int|null",
        "parentId?": "int|null", "description?": "str|null", "revision?": "int",
        f"{ttaccount.CROSS_PREVENTION}?": "str",
        **{f"{key}?": "bool" for key in ttaccount.TT_HOLDS.values()}}]},
    "/ttaccount/{env}/account/{id}/limits": {**PAGED, "accountLimits": [{
        "accountId": "int", "riskLimitSettings?": {"applyLimits": "bool|null"},
        "riskLimits": RISK_LIMITS}]},
    "/ttaccount/{env}/account/{id}/risksettings": {"riskSettings": [{
        "accountId": "int", "creditLimit": "int|float|null", "currency": "str|null",
        "applyPnl": "bool", "applyMargin": "bool", "tradeOutAllowed": "bool",
        "createSodRecords?": "bool", "createSpreadSodRecords?": "bool",
        # ASSUMED (contract §9)
        "checkCredit?": "bool", "applyToBlockCross?": "bool", "positionResetTime?": "str|null",
        **{f"{ttaccount.RISK_SETTINGS_KEYS[name]}?": "int|float|null"
           for name in ttaccount.OPTIONAL_RISK_SETTINGS},
        f"{ttaccount.CREDIT_LOSS_ACTIONS}?": [{ttaccount.ACTION: "str",
                                                ttaccount.AT_PERCENT: "int|float"}],
        f"{ttaccount.ALGO_PARENT_LIMITS}?": [{
            ttaccount.ORDER_TYPE: "str",
            **{f"{key}?": "int|float|null" for key in ttaccount.PARENT_CHECKS.values()}}]}]},
    "/ttaccount/{env}/account/{id}/restrictions": {"restrictions": [{
        "accountId": "int",
        **{f"{key}?" if key in ttaccount.ASSUMED_RESTRICTION_KEYS else key: "bool"
           for key in ttaccount.RESTRICTION_KEYS.values()}}]},
    "/ttaccount/{env}/account/{id}/users": {**PAGED, "accountId": "int", "users": [LINK]},
    "/ttaccount/{env}/accountusers": {  # wire profile B
        **PAGED, "accountUsers": [{"accountId": "int", **LINK}]},
    "/ttuser/{env}/users": {**PAGED, "users": [{
        "id": "int", "email": "str", "firstname?": "str", "lastname?": "str",
        "alias?": "str|null"}]},
    "/ttuser/{env}/user/{id}": {"user": [{
        "id": "int", "alias?": "str|null", "email": "str", "firstName?": "str",
        "lastName?": "str", "userActive": "int|bool", "tradeMode": "int",
        "invitationPending?": "int|bool",
        "company?": {"id": "int", "abbrevName?": "str", "name": "str"},
        "settings": {"disableTrading": "int|bool", "fullAdmin": "int|bool",
                     "viewOnlyAdmin?": "int|bool"}, "revision?": "int"}]},
    "/ttuser/{env}/user/{id}/limits": {**PAGED, "userLimits": [{
        "userId": "int", "riskLimits": RISK_LIMITS}]},
    "/ttgroup/{env}/usergroups": {**PAGED, "userGroups": [{
        "id": "int", "name": "str", "revision?": "int"}]},
    "/ttgroup/{env}/usergroup/{id}/users": {**PAGED, "userGroupId": "int", "users": [{
        "userId": "int", "alias?": "str|null"}]},
    "/ttgroup/{env}/riskgroups": {**PAGED, "riskGroups": [{
        "id": "int", "name": "str", "description?": "str|null", "revision?": "int"}]},
    "/ttgroup/{env}/riskgroup/{id}/accounts": {**PAGED, "riskGroupId": "int", "accounts": [{
        "accountId": "int", "accountName?": "str"}]},
    "/ttgroup/{env}/riskgroup/{id}/limits": {**PAGED, "riskGroupLimits": [{
        "riskGroupId": "int", "riskLimits": RISK_LIMITS}]},
    "/ttgroup/{env}/riskgroup/{id}/risksettings": {"riskSettings": [{  # ASSUMED (§9)
        "riskGroupId": "int", ttgroup.GROUP_RISK_SETTINGS_KEYS["credit_limit"]: "int|float|null",
        ttgroup.GROUP_RISK_SETTINGS_KEYS["currency"]: "str|null"}]},
    # ttmonitor (paths SEEN, keys ASSUMED: contract §9); every account's listings are
    # read only by drift, so doctor checks the per-account answers
    "/ttmonitor/{env}/productposition/{id}": {**PAGED, ttmonitor.POSITIONS: [POSITION]},
    "/ttmonitor/{env}/position/{id}": {**PAGED, ttmonitor.POSITIONS: [
        {**POSITION, "instrumentId": "str|int"}]},
    "/ttmonitor/{env}/creditutilization": {**PAGED, ttmonitor.CREDIT_UTILIZATION: [{
        "accountId": "int", "creditLimit": "int|float|null", "currency?": "str|null",
        "creditUsed": "int|float"}]},
}
"""Every answer ttconfig reads, by path template ({env} the TT environment, {id} an id)."""

LINK_READS = {"account-users": "/ttaccount/{env}/account/{id}/users",
              "accountusers": "/ttaccount/{env}/accountusers"}
"""Where links are read under each wire profile's `links` switch."""


def expected_for(links: str) -> list[str]:
    """The endpoints a client of this links profile reads (the other profile's are not)."""
    return [path for path in EXPECTED
            if path not in LINK_READS.values() or path == LINK_READS[links]]


def template(path: str) -> str:
    """`/ttaccount/ext_uat_cert/account/310002/limits` → `/ttaccount/{env}/account/{id}/limits`."""
    parts = path.split("/")
    if len(parts) > 2:
        parts[2] = "{env}"
    return "/".join("{id}" if re.fullmatch(r"\d+", p) else p for p in parts)


@dataclass(frozen=True)
class Difference:
    where: str
    """root['accounts'][0]['id'] as deepdiff names it, made readable: accounts[].id"""
    what: str
    failure: bool
    """False for what ttconfig does not read (a key it does not know)."""


def differences(path_template: str, body: Mapping[str, Any]) -> list[Difference]:
    """How `body` differs from the expected shape of its endpoint (none when it does not)."""
    expected = EXPECTED[path_template]
    answer = {k: v for k, v in body.items() if k != "status"}
    found = DeepDiff(expected, _fitted(answer, expected), ignore_order=True, view="tree")
    said: list[Difference] = []
    for kind, failure, text in (
            ("dictionary_item_added", False, "a key ttconfig does not read"),
            ("dictionary_item_removed", True, "missing"),
            ("values_changed", True, "of another type"),
            ("type_changes", True, "of another type")):
        for item in found.get(kind, []):
            where = _readable(item.path())
            if kind in ("values_changed", "type_changes"):
                text = f"{_named(item.t2)}, not {item.t1}"
            said.append(Difference(where, text, failure))
    return sorted(said, key=lambda d: (not d.failure, d.where))


def _fitted(actual: Any, expected: Shape) -> Shape:
    """`actual` as a shape, with every leaf that the expected shape allows replaced by the
    expected leaf itself (and absent optional keys filled in), so that deepdiff reports
    only what differs."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        fitted = {}
        for key, value in actual.items():
            name = f"{key}?" if f"{key}?" in expected else key
            fitted[name] = _fitted(value, expected.get(name, "any"))
        fitted.update({k: v for k, v in expected.items()
                       if k.endswith("?") and k not in fitted})
        return fitted
    if isinstance(expected, list) and isinstance(actual, list):
        element = expected[0] if expected else "any"
        return [_fitted(actual[0], element)] if actual else expected
    if expected == "any":
        return "any"
    kind = _named(actual)
    return expected if isinstance(expected, str) and kind in expected.split("|") else kind


def _named(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, dict | list):
        return "object" if isinstance(value, dict) else "list"
    return {int: "int", float: "float", str: "str"}.get(type(value), type(value).__name__)


def _readable(path: str) -> str:
    """root['accounts'][0]['id'] → accounts[].id"""
    text = re.sub(r"\[(\d+)\]", "[]", path.removeprefix("root"))
    return re.sub(r"\['([^']*)'\]", r".\1", text).lstrip(".").replace("?", "")
