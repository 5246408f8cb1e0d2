"""ttaccount: accounts, their limits, risk settings, restrictions and user links (§3)."""

from __future__ import annotations

from dataclasses import replace

from ttconfig.sandbox import limits
from ttconfig.sandbox import validate as v
from ttconfig.sandbox.routing import ApiFailure, Call, Reply, Router
from ttconfig.sandbox.services.common import account, bump, company_rows, name_taken, user
from ttconfig.sandbox.store import EnvData, Record

LIST_KEYS = ("id", "name", "accountType", "companyId", "parentId", "revision")
TT_HOLDS = ("disableTradingMaxOrderLimit", "disableTradingMarketImpact")
"""Set by TT itself when a check trips (ASSUMED keys, contract §9); listed with the account,
never written by a client (the control endpoint sets them, as TT would)."""
ACCOUNT_TYPES = (1, 2, 3)
RISK_SETTINGS: dict[str, v.Check] = {
    "creditLimit": v.amount,
    "currency": v.currency,
    "applyPnl": v.boolean,
    "applyMargin": v.boolean,
    "tradeOutAllowed": v.boolean,
    "createSodRecords": v.boolean,
    "createSpreadSodRecords": v.boolean,
    "checkCredit": v.boolean,
    "applyToBlockCross": v.boolean,
    "positionResetTime": v.time_of_day,
    "creditLossActions": v.loss_actions,
    "nearTouchTicks": v.quantity,
    "farTouchTicks": v.quantity,
    "marketImpactParticipationPercent": v.percent,
    "marketImpactPriceMovementTicks": v.quantity,
    "marketImpactCoolingOffSeconds": v.quantity,
    "algoMaxUpdatesPerInterval": v.quantity,
    "algoMaxCancelsPerInterval": v.quantity,
    "algoIntervalMs": v.quantity,
    "algoParentLimits": v.parent_limits,
}
OPT_INS = {"advancedRisk": ("nearTouchTicks", "farTouchTicks"),
           "marketImpact": ("marketImpactParticipationPercent",
                            "marketImpactPriceMovementTicks", "marketImpactCoolingOffSeconds")}
"""Settings TT has only where the company opted in (ASSUMED, as TT Setup shows them)."""
OPT_IN_KEYS = (*(key for keys in OPT_INS.values() for key in keys), "algoMaxUpdatesPerInterval",
               "algoMaxCancelsPerInterval", "algoIntervalMs")
"""The risk settings past TT's base set (ASSUMED): an opt-in's, and the algo caps."""
"""ASSUMED past createSpreadSodRecords (contract §9): a write replaces the action list."""
RISK_SETTINGS_DEFAULTS: Record = {
    "creditLimit": None, "currency": "USD", "applyPnl": True, "applyMargin": False,
    "tradeOutAllowed": True, "createSodRecords": True, "createSpreadSodRecords": False,
    "checkCredit": False, "applyToBlockCross": False, "positionResetTime": None,
    "creditLossActions": [], "nearTouchTicks": None, "farTouchTicks": None,
    "marketImpactParticipationPercent": None, "marketImpactPriceMovementTicks": None,
    "marketImpactCoolingOffSeconds": None, "algoMaxUpdatesPerInterval": None,
    "algoMaxCancelsPerInterval": None, "algoIntervalMs": None, "algoParentLimits": [],
}
RESTRICTIONS = (
    "placeOrders", "modifyOrders", "ttApi", "ttOrderTypes", "autospreader", "submitBlockCross",
    "marketOrders", "gtcOrders", "obo", "algoSdk", "adl", "pauseResumeAlgos",
    "updatePositions", "rfqCross", "mobile", "aggregator", "ttIceberg", "ttTimeSliced",
    "ttTimed", "ttStop", "ttIfTouched", "ttRetry", "ttOco", "ttBracket", "ttTrailingLimit",
)
NEW_RESTRICTIONS = {"apply": True, "adlAlgoApprovalRequired": False,
                    **dict.fromkeys(RESTRICTIONS, False)}
"""A new account's restrictions: applied, every activity denied (past adl ASSUMED)."""
ORDER_PERMISSIONS = (
    "placeOrders", "modifyOrders", "deleteOrders", "submitBlockCrossOrders", "submitStagedOrders",
)
PERMISSIONS = ("updatePositions", "confirmFills", "modifyClearingAccountOnFills", "viewOnly")


def register(router: Router, links_profile: str = "account-users") -> None:
    svc = "ttaccount"
    router.add("GET", svc, "accounts")(list_accounts)
    router.add("POST", svc, "account")(create_account)
    router.add("GET", svc, "account/{accountId}")(get_account)
    router.add("POST", svc, "account/{accountId}")(update_account)
    router.add("DELETE", svc, "account/{accountId}")(delete_account)
    router.add("GET", svc, "account/{accountId}/limits")(get_limits)
    router.add("POST", svc, "account/{accountId}/limits")(post_limits)
    router.add("DELETE", svc, "account/{accountId}/limits/{limitId}")(delete_limit)
    router.add("GET", svc, "account/{accountId}/risksettings")(get_risk_settings)
    router.add("POST", svc, "account/{accountId}/risksettings")(post_risk_settings)
    router.add("GET", svc, "account/{accountId}/restrictions")(get_restrictions)
    router.add("POST", svc, "account/{accountId}/restrictions")(post_restrictions)
    if links_profile == "accountusers":  # wire profile B (ASSUMED, contract §9)
        router.add("GET", svc, "accountusers")(get_account_users)
        router.add("POST", svc, "accountusers")(post_account_users)
        router.add("DELETE", svc, "accountuser/{accountId}/{userId}")(delete_user_link)
    else:
        router.add("GET", svc, "account/{accountId}/users")(get_users)
        router.add("POST", svc, "account/{accountId}/users")(post_users)
        router.add("DELETE", svc, "account/{accountId}/users/{userId}")(delete_user_link)


def _detail(record: Record) -> Record:
    return {**{k: record.get(k) for k in (*LIST_KEYS[:5], "description", "revision",
                                          "orderCrossPrevention")},
            **{k: bool(record.get(k)) for k in TT_HOLDS}}


def list_accounts(call: Call) -> Reply:
    rows = sorted(company_rows(call, call.env.accounts), key=lambda r: r["id"])
    mine_only = call.query.get("mineOnly", "false")
    if mine_only not in ("true", "false"):
        raise ApiFailure(400, "mineOnly must be 'true' or 'false'")
    if mine_only == "true":
        tradable = _tradable(call.env, call.user_id)
        rows = [r for r in rows if r["id"] in tradable]
    listed = [{**{k: r.get(k) for k in LIST_KEYS}, "parentAccountId": r.get("parentId"),
               **{k: bool(r.get(k)) for k in TT_HOLDS}} for r in rows]
    # Real clients read `parentAccountId` beside `parentId`, and a top-level `requestVersion`
    # (contract §9; its value ASSUMED).
    return Reply({"requestVersion": "2.0", "accounts": listed}, "accounts")


def _tradable(env: EnvData, user_id: int) -> set[int]:
    """Accounts a user may trade: those linked to it, and their descendants."""
    linked = {aid for aid, links in env.account_users.items() if user_id in links}
    return {aid for aid in env.accounts if linked & _ancestors(env, aid, inclusive=True)}



def _ancestors(env: EnvData, account_id: int, *, inclusive: bool) -> set[int]:
    found: set[int] = {account_id} if inclusive else set()
    parent = env.accounts[account_id].get("parentId")
    while parent is not None and parent not in found:
        found.add(parent)
        parent = env.accounts[parent].get("parentId")
    return found


def get_account(call: Call) -> Reply:
    return Reply({"account": [_detail(account(call)[1])]})


def create_account(call: Call) -> Reply:
    data = v.fields(call.body, _ACCOUNT_FIELDS)
    v.required(data, "name", "accountType")
    _check_account(call, data, account_id=None)
    env = call.env
    new_id = env.new_id()
    record = {"id": new_id, "companyId": call.company_id, "parentId": None, "description": "",
              "revision": 1, "orderCrossPrevention": "notApplied", **data}
    env.accounts[new_id] = record
    env.account_limits[new_id] = {"accountId": new_id, "riskLimitSettings": {"applyLimits": True},
                                  **limits.empty()}
    env.risk_settings[new_id] = {"accountId": new_id, **RISK_SETTINGS_DEFAULTS}
    # TT applies restrictions to a new account and denies every activity (contract §9)
    env.restrictions[new_id] = {"accountId": new_id, **NEW_RESTRICTIONS}
    return Reply({"account": [_detail(record)]})


def _parent(name: str, value: object) -> int | None:
    return None if value is None else v.integer(name, value)


def _account_type(name: str, value: object) -> int:
    account_type = v.integer(name, value)
    if account_type not in ACCOUNT_TYPES:
        raise ApiFailure(400, "accountType must be 1 (customer), 2 (house) or 3 (omnibus)")
    return account_type


CROSS_PREVENTION_MODES = ("notApplied", "rejectNew", "cancelResting", "positionTransfer")


def _cross_prevention(name: str, value: object) -> str:
    if value not in CROSS_PREVENTION_MODES:
        raise ApiFailure(400, f"{name} must be one of {', '.join(CROSS_PREVENTION_MODES)}")
    return str(value)


_ACCOUNT_FIELDS: dict[str, v.Check] = {
    "name": v.text, "accountType": _account_type, "parentId": _parent,
    "description": v.optional_text,
    "orderCrossPrevention": _cross_prevention,  # ASSUMED (contract §9)
}


def _check_account(call: Call, data: Record, account_id: int | None) -> None:
    rows = company_rows(call, call.env.accounts)
    if "name" in data and name_taken(rows, data["name"], skip=account_id):
        raise ApiFailure(409, f"an account named {data['name']!r} already exists")
    parent = data.get("parentId")
    if parent is None:
        return
    record = call.env.accounts.get(parent)
    if record is None or record["companyId"] != call.company_id:
        raise ApiFailure(400, f"parent account {parent} not found")
    if account_id is None:
        return
    if account_id in _ancestors(call.env, parent, inclusive=True):
        raise ApiFailure(400, "parentId would make the account its own ancestor")
    _check_moved_links(call.env, account_id, parent)


def _linked_users(env: EnvData, account_ids: set[int]) -> set[int]:
    return {uid for aid in account_ids for uid in env.account_users.get(aid, {})}


def _check_moved_links(env: EnvData, account_id: int, parent: int) -> None:
    """Moving an account must not put a user on both an account and its new ancestor."""
    subtree = {a for a in env.accounts if account_id in _ancestors(env, a, inclusive=True)}
    above = _ancestors(env, parent, inclusive=True)
    clash = _linked_users(env, subtree) & _linked_users(env, above)
    if clash:
        raise ApiFailure(409, f"user {min(clash)} is linked both under account {account_id} "
                              f"and to its new parent {parent} or an ancestor of it")


def update_account(call: Call) -> Reply:
    account_id, record = account(call)
    data = v.fields(call.body, {k: c for k, c in _ACCOUNT_FIELDS.items() if k != "accountType"})
    _check_account(call, data, account_id)
    record.update(data)
    bump(record)
    return Reply({"account": [_detail(record)]})


def delete_account(call: Call) -> Reply:
    account_id, _record = account(call)
    env = call.env
    blockers = {
        "child accounts": any(a.get("parentId") == account_id for a in env.accounts.values()),
        "linked users": bool(env.account_users.get(account_id)),
        "limit rows": limits.row_count(env.account_limits[account_id]) > 0,
        "a risk group": any(account_id in m for m in env.risk_group_accounts.values()),
        "order-tag defaults": any(
            d.get("accountId") == account_id for d in env.order_tag_defaults.values()),
    }
    held = [what for what, present in blockers.items() if present]
    if held:
        raise ApiFailure(409, f"account {account_id} still has {', '.join(held)}")
    for table in (env.accounts, env.account_limits, env.risk_settings, env.restrictions):
        table.pop(account_id, None)
    env.account_users.pop(account_id, None)
    return Reply({"accountId": account_id})


def get_limits(call: Call) -> Reply:
    account_id, _record = account(call)
    record = call.env.account_limits[account_id]
    item = {"accountId": account_id, "riskLimitSettings": dict(record["riskLimitSettings"]),
            "riskLimits": limits.risk_limits(record)}
    return Reply({"accountLimits": [item]}, "accountLimits")


def post_limits(call: Call) -> Reply:
    account_id, record = account(call)
    body = v.fields(call.body, {"riskLimitSettings": v.obj, **limits.BODY})
    stored = call.env.account_limits[account_id]
    settings = v.fields(body.get("riskLimitSettings", {}), {"applyLimits": v.boolean},
                        where="riskLimitSettings")
    written = limits.upsert(call, stored)
    stored["riskLimitSettings"].update(settings)
    bump(record)
    item = {"accountId": account_id, "riskLimitSettings": dict(stored["riskLimitSettings"]),
            "riskLimits": written}
    return Reply({"accountLimits": [item]})


def delete_limit(call: Call) -> Reply:
    account_id, record = account(call)
    limits.delete(call.env.account_limits[account_id], call.int_param("limitId"))
    bump(record)
    return Reply({"accountId": account_id})


def get_risk_settings(call: Call) -> Reply:
    account_id, _record = account(call)
    return Reply({"riskSettings": [dict(call.env.risk_settings[account_id])]})


def post_risk_settings(call: Call) -> Reply:
    account_id, record = account(call)
    stored = call.env.risk_settings[account_id]
    changes = v.fields(call.body, RISK_SETTINGS)
    company = call.env.companies.get(record["companyId"], {})
    for opt_in, keys in OPT_INS.items():
        if not company.get(opt_in) and any(changes.get(key) is not None for key in keys):
            raise ApiFailure(400, f"{', '.join(keys)} need the company's {opt_in} setting")
    stored.update(changes)
    bump(record)
    return Reply({"riskSettings": [dict(stored)]})


def get_restrictions(call: Call) -> Reply:
    account_id, _record = account(call)
    return Reply({"restrictions": [dict(call.env.restrictions[account_id])]})


def post_restrictions(call: Call) -> Reply:
    account_id, record = account(call)
    stored = call.env.restrictions[account_id]
    stored.update(v.fields(call.body, dict.fromkeys(NEW_RESTRICTIONS, v.boolean)))
    bump(record)
    return Reply({"restrictions": [dict(stored)]})


def _link_view(env: EnvData, user_id: int, link: Record) -> Record:
    return {"userId": user_id, "alias": env.users[user_id].get("alias", ""),
            "orderPermissions": dict(link["orderPermissions"]),
            "permissions": dict(link["permissions"])}


def get_users(call: Call) -> Reply:
    account_id, _record = account(call)
    links = call.env.account_users.get(account_id, {})
    users = [_link_view(call.env, uid, links[uid]) for uid in sorted(links)]
    return Reply({"accountId": account_id, "users": users}, "users")


_LINK_FIELDS: dict[str, v.Check] = {
    "userId": v.integer,
    "orderPermissions": lambda n, x: v.fields(x, dict.fromkeys(ORDER_PERMISSIONS, v.boolean),
                                              where=n),
    "permissions": lambda n, x: v.fields(x, dict.fromkeys(PERMISSIONS, v.boolean), where=n),
}


def get_account_users(call: Call) -> Reply:
    """Profile B: `GET accountusers?accountId=` → `accountUsers`, each naming its account."""
    account_id = call.query.get("accountId", "")
    if not account_id.isdigit():
        raise ApiFailure(400, "accountId is required (an integer)")
    by_id = replace(call, params={**call.params, "accountId": account_id})
    answer = get_users(by_id).payload
    rows = [{"accountId": answer["accountId"], **row} for row in answer["users"]]
    return Reply({"accountUsers": rows}, "accountUsers")


def post_account_users(call: Call) -> Reply:
    """Profile B: `POST accountusers` with `{"accountUsers": [{accountId, userId, ...}]}`:
    links of one account per request (TT's write rules per account, as section 3's)."""
    body = v.fields(call.body, {"accountUsers": v.items})
    v.required(body, "accountUsers")
    accounts = {row.get("accountId") for row in body["accountUsers"] if isinstance(row, dict)}
    if len(accounts) != 1 or not isinstance(next(iter(accounts)), int):
        raise ApiFailure(400, "accountUsers must all name one accountId (an integer)")
    account_id = next(iter(accounts))
    users = [{k: x for k, x in row.items() if k != "accountId"} for row in body["accountUsers"]]
    answer = post_users(replace(call, params={**call.params, "accountId": str(account_id)},
                                body={"users": users})).payload
    return Reply({"accountUsers": [{"accountId": account_id, **row}
                                   for row in answer["users"]]})


def post_users(call: Call) -> Reply:
    account_id, record = account(call)
    body = v.fields(call.body, {"users": v.items})
    v.required(body, "users")
    checked = [_checked_link(call, account_id, raw, i) for i, raw in enumerate(body["users"])]
    if len({link["userId"] for link in checked}) != len(checked):
        raise ApiFailure(400, "the same userId appears twice in one request")
    written = [_link(call, account_id, link) for link in checked]
    bump(record)
    return Reply({"accountId": account_id, "users": written})


def _checked_link(call: Call, account_id: int, raw: Record, index: int) -> Record:
    """Check one link before any link of the batch is applied: a refused batch changes nothing."""
    data = v.fields(raw, _LINK_FIELDS, where=f"users[{index}]")
    v.required(data, "userId")
    user_id = data["userId"]
    target = call.env.users.get(user_id)
    if target is None or target["companyId"] != call.company_id:
        raise ApiFailure(400, f"users[{index}]: user {user_id} not found")
    if user_id not in call.env.account_users.get(account_id, {}):
        _check_hierarchy(call.env, account_id, user_id)
    return data


def _link(call: Call, account_id: int, data: Record) -> Record:
    user_id = data["userId"]
    target = call.env.users[user_id]
    links = call.env.account_users.setdefault(account_id, {})
    if user_id not in links:
        links[user_id] = {"orderPermissions": dict.fromkeys(ORDER_PERMISSIONS, False),
                          "permissions": dict.fromkeys(PERMISSIONS, False)}
    for part in ("orderPermissions", "permissions"):
        links[user_id][part].update(data.get(part, {}))
    bump(target)
    return _link_view(call.env, user_id, links[user_id])


def _check_hierarchy(env: EnvData, account_id: int, user_id: int) -> None:
    """TT refuses a user on both an account and one of its ancestors or descendants."""
    linked = {aid for aid, links in env.account_users.items() if user_id in links}
    ancestors = _ancestors(env, account_id, inclusive=False)
    descendants = {a for a in env.accounts if account_id in _ancestors(env, a, inclusive=False)}
    clash = linked & (ancestors | descendants)
    if clash:
        raise ApiFailure(409, f"user {user_id} is already linked to related account "
                              f"{min(clash)} (parent/child)")


def delete_user_link(call: Call) -> Reply:
    account_id, record = account(call)
    user_id, target = user(call)
    links = call.env.account_users.get(account_id, {})
    if user_id not in links:
        raise ApiFailure(404, f"user {user_id} is not linked to account {account_id}")
    del links[user_id]
    bump(record)
    bump(target)
    return Reply({"accountId": account_id, "userId": user_id})
