"""ttuser: users, their account links (read side) and user limits (§4).

TT has no user delete: deactivation (`userActive: 0`) is the removal.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from ttconfig.sandbox import limits
from ttconfig.sandbox import validate as v
from ttconfig.sandbox.routing import ApiFailure, Call, Reply, Router
from ttconfig.sandbox.services.common import bump, company_rows, name_taken, user
from ttconfig.sandbox.store import Record

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SETTINGS = ("disableTrading", "fullAdmin", "viewOnlyAdmin")


def register(router: Router, users_profile: str = "ttuser") -> None:
    svc = "ttuser"
    router.add("GET", svc, "users")(list_users)
    if users_profile == "usersprovision":  # wire profile B (ASSUMED, contract §9)
        router.add("POST", "ttid", "usersprovision")(provision_users)
    else:
        router.add("POST", svc, "user")(create_user)
    router.add("GET", svc, "user/{userId}")(get_user)
    router.add("POST", svc, "user/{userId}")(update_user)
    router.add("GET", svc, "user/{userId}/accounts")(get_accounts)
    router.add("GET", svc, "user/{userId}/limits")(get_limits)
    router.add("POST", svc, "user/{userId}/limits")(post_limits)
    router.add("DELETE", svc, "user/{userId}/limits/{limitId}")(delete_limit)
    router.add("GET", svc, "user/{userId}/exchanges")(get_exchanges)
    router.add("POST", svc, "user/{userId}/exchanges")(post_exchanges)


def _email(name: str, value: Any) -> str:
    if not isinstance(value, str) or not EMAIL.match(value):
        raise ApiFailure(400, f"{name} must be an email address")
    return value


def _trade_mode(name: str, value: Any) -> int:
    mode = v.integer(name, value)
    if mode not in (1, 2, 3):
        raise ApiFailure(400, "tradeMode must be 1 (view only), 2 (standard) or 3 (pro)")
    return mode


_USER_FIELDS: dict[str, v.Check] = {
    "email": _email, "firstName": v.text, "lastName": v.text, "alias": v.optional_text,
    "tradeMode": _trade_mode, "userActive": v.flag,
    "settings": lambda n, x: v.fields(x, dict.fromkeys(SETTINGS, v.flag), where=n),
}


def list_users(call: Call) -> Reply:
    rows = sorted(company_rows(call, call.env.users), key=lambda r: r["id"])
    users = [{"id": r["id"], "email": r["email"], "firstname": r["firstName"],
              "lastname": r["lastName"], "alias": r.get("alias", "")} for r in rows]
    return Reply({"users": users}, "users")


def _detail(call: Call, record: Record) -> Record:
    company = call.env.companies[record["companyId"]]
    keys = ("id", "alias", "email", "firstName", "lastName", "userActive", "tradeMode",
            "invitationPending")
    return {**{k: record.get(k) for k in keys},
            "company": {k: company[k] for k in ("id", "abbrevName", "name")},
            "settings": dict(record["settings"]), "revision": record["revision"]}


def get_user(call: Call) -> Reply:
    return Reply({"user": [_detail(call, user(call)[1])]})


def provision_users(call: Call) -> Reply:
    """Profile B: `POST ttid/…/usersprovision` with `{"users": [...]}` (≤ 20): each made as
    `POST ttuser/…/user` makes it, all checked before any is made."""
    body = v.fields(call.body, {"users": v.items})
    v.required(body, "users")
    for raw in body["users"]:
        data = v.fields(raw, {k: c for k, c in _USER_FIELDS.items() if k != "userActive"})
        v.required(data, "email", "firstName", "lastName", "tradeMode")
        _check_email(call, data, None)
    made = [create_user(replace(call, body=raw)).payload["user"][0] for raw in body["users"]]
    return Reply({"users": made})


def create_user(call: Call) -> Reply:
    data = v.fields(call.body, {k: c for k, c in _USER_FIELDS.items() if k != "userActive"})
    v.required(data, "email", "firstName", "lastName", "tradeMode")
    _check_email(call, data, None)
    new_id = call.env.new_id()
    record = {"id": new_id, "alias": "", "userActive": 1, "invitationPending": 1,
              "companyId": call.company_id, "revision": 1, **data,
              "settings": {**dict.fromkeys(SETTINGS, 0), **data.get("settings", {})}}
    call.env.users[new_id] = record
    call.env.user_limits[new_id] = {"userId": new_id, **limits.empty()}
    return Reply({"user": [_detail(call, record)]})


def _check_email(call: Call, data: Record, user_id: int | None) -> None:
    if "email" in data and name_taken(company_rows(call, call.env.users), data["email"],
                                      key="email", skip=user_id):
        raise ApiFailure(409, f"a user with email {data['email']!r} already exists")


def update_user(call: Call) -> Reply:
    user_id, record = user(call)
    data = v.fields(call.body, _USER_FIELDS)
    _check_email(call, data, user_id)
    settings = data.pop("settings", {})
    record.update(data)
    record["settings"].update(settings)
    bump(record)
    return Reply({"user": [_detail(call, record)]})


def _limits(call: Call, user_id: int) -> Record:
    return call.env.user_limits.setdefault(user_id, {"userId": user_id, **limits.empty()})


def get_accounts(call: Call) -> Reply:
    user_id, _record = user(call)
    env = call.env
    rows = [{"accountId": aid, "accountName": env.accounts[aid]["name"],
             "orderPermissions": dict(links[user_id]["orderPermissions"]),
             "permissions": dict(links[user_id]["permissions"])}
            for aid, links in sorted(env.account_users.items()) if user_id in links]
    return Reply({"userId": user_id, "accounts": rows}, "accounts")


def get_limits(call: Call) -> Reply:
    user_id, _record = user(call)
    item = {"userId": user_id, "riskLimits": limits.risk_limits(_limits(call, user_id))}
    return Reply({"userLimits": [item]}, "userLimits")


def post_limits(call: Call) -> Reply:
    user_id, record = user(call)
    v.fields(call.body, limits.BODY)
    written = limits.upsert(call, _limits(call, user_id))
    bump(record)
    item = {"userId": user_id, "riskLimits": written}
    return Reply({"userLimits": [item]})


def delete_limit(call: Call) -> Reply:
    user_id, record = user(call)
    limits.delete(_limits(call, user_id), call.int_param("limitId"))
    bump(record)
    return Reply({"userId": user_id})


EXCHANGE: dict[str, v.Check] = {
    "marketId": v.integer, "marketData": v.boolean, "orderRouting": v.boolean,
    "productGroups": lambda n, x: None if x is None else [v.text(n, g) for g in v.texts(n, x)],
    "traderId": lambda n, x: None if x is None else v.text(n, x),
    "operatorId": lambda n, x: None if x is None else v.text(n, x),
    "marketDataType": lambda n, x: None if x is None else v.one_of(
        n, x, ("subscriber", "sdkClient", "fixAndSdk")),
    "nonDisplay": v.boolean,
}
"""One exchange of a user's access (ASSUMED keys, contract §9)."""


def get_exchanges(call: Call) -> Reply:
    user_id, _record = user(call)
    held = call.env.user_exchanges.get(user_id, {"exchanges": []})
    return Reply({"exchanges": [dict(e) for e in held["exchanges"]]})


def post_exchanges(call: Call) -> Reply:
    """Replace the user's exchange access (one entry per market; every entry checked
    before any is kept)."""
    user_id, record = user(call)
    body = v.fields(call.body, {"exchanges": v.items})
    v.required(body, "exchanges")
    entries = []
    for index, raw in enumerate(body["exchanges"]):
        entry = v.fields(raw, EXCHANGE, where=f"exchanges[{index}]")
        v.required(entry, "marketId")
        if entry["marketId"] not in call.env.markets:
            raise ApiFailure(400, f"exchanges[{index}]: unknown marketId {entry['marketId']}")
        entries.append({"marketId": entry["marketId"], "marketData": False,
                        "productGroups": None, "orderRouting": False, "traderId": None,
                        "operatorId": None, "marketDataType": None, "nonDisplay": False,
                        **entry})
    if len({e["marketId"] for e in entries}) != len(entries):
        raise ApiFailure(400, "exchanges: a market appears twice")
    call.env.user_exchanges[user_id] = {"userId": user_id, "exchanges": entries}
    bump(record)
    return Reply({"exchanges": [dict(e) for e in entries]})
