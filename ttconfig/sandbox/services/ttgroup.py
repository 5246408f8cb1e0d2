"""ttgroup: risk groups (member accounts, group limits) and user groups (member users) (§5)."""

from __future__ import annotations

from ttconfig.sandbox import limits
from ttconfig.sandbox import validate as v
from ttconfig.sandbox.routing import ApiFailure, Call, Reply, Router
from ttconfig.sandbox.services.common import bump, company_rows, name_taken, owned
from ttconfig.sandbox.store import Record


def register(router: Router) -> None:
    svc = "ttgroup"
    router.add("GET", svc, "riskgroups")(list_risk_groups)
    router.add("POST", svc, "riskgroup")(create_risk_group)
    router.add("GET", svc, "riskgroup/{groupId}")(get_risk_group)
    router.add("POST", svc, "riskgroup/{groupId}")(update_risk_group)
    router.add("DELETE", svc, "riskgroup/{groupId}")(delete_risk_group)
    router.add("GET", svc, "riskgroup/{groupId}/accounts")(get_members)
    router.add("POST", svc, "riskgroup/{groupId}/accounts")(add_members)
    router.add("DELETE", svc, "riskgroup/{groupId}/accounts/{accountId}")(remove_member)
    router.add("GET", svc, "riskgroup/{groupId}/limits")(get_limits)
    router.add("POST", svc, "riskgroup/{groupId}/limits")(post_limits)
    router.add("DELETE", svc, "riskgroup/{groupId}/limits/{limitId}")(delete_limit)
    router.add("GET", svc, "riskgroup/{groupId}/risksettings")(get_risk_settings)
    router.add("POST", svc, "riskgroup/{groupId}/risksettings")(post_risk_settings)
    router.add("GET", svc, "usergroups")(list_user_groups)
    router.add("POST", svc, "usergroup")(create_user_group)
    router.add("POST", svc, "usergroup/{groupId}")(update_user_group)
    router.add("DELETE", svc, "usergroup/{groupId}")(delete_user_group)
    router.add("GET", svc, "usergroup/{groupId}/users")(get_user_members)
    router.add("POST", svc, "usergroup/{groupId}/users")(add_user_members)
    router.add("DELETE", svc, "usergroup/{groupId}/users/{userId}")(remove_user_member)


RISK_SETTINGS: dict[str, v.Check] = {"creditLimit": v.amount, "currency": v.currency}
"""A risk group's own credit (ASSUMED, contract §9: TT applies it to the group and to each
member account)."""
RISK_SETTINGS_DEFAULTS: Record = {"creditLimit": None, "currency": "USD"}


def get_risk_settings(call: Call) -> Reply:
    group_id, _record = _risk_group(call)
    return Reply({"riskSettings": [dict(_settings(call, group_id))]})


def post_risk_settings(call: Call) -> Reply:
    group_id, record = _risk_group(call)
    stored = _settings(call, group_id)
    stored.update(v.fields(call.body, RISK_SETTINGS))
    bump(record)
    return Reply({"riskSettings": [dict(stored)]})


def _settings(call: Call, group_id: int) -> Record:
    return call.env.risk_group_settings.setdefault(
        group_id, {"riskGroupId": group_id, **RISK_SETTINGS_DEFAULTS})


def _risk_group(call: Call) -> tuple[int, Record]:
    return owned(call, call.env.risk_groups, "groupId", "risk group")


def _user_group(call: Call) -> tuple[int, Record]:
    return owned(call, call.env.user_groups, "groupId", "user group")


def _public(record: Record) -> Record:
    return {k: val for k, val in record.items() if k != "companyId"}


def _named(call: Call, table: dict[int, Record], group_id: int | None, *,
           description: bool) -> Record:
    schema: dict[str, v.Check] = {"name": v.text}
    if description:
        schema["description"] = v.optional_text
    data = v.fields(call.body, schema)
    if group_id is None:
        v.required(data, "name")
    if "name" in data and name_taken(company_rows(call, table), data["name"], skip=group_id):
        raise ApiFailure(409, f"a group named {data['name']!r} already exists")
    return data


def list_risk_groups(call: Call) -> Reply:
    rows = sorted(company_rows(call, call.env.risk_groups), key=lambda r: r["id"])
    return Reply({"riskGroups": [_public(r) for r in rows]}, "riskGroups")


def get_risk_group(call: Call) -> Reply:
    return Reply({"riskGroup": [_public(_risk_group(call)[1])]})


def create_risk_group(call: Call) -> Reply:
    data = _named(call, call.env.risk_groups, None, description=True)
    new_id = call.env.new_id()
    record = {"id": new_id, "description": "", "companyId": call.company_id, "revision": 1, **data}
    call.env.risk_groups[new_id] = record
    call.env.risk_group_limits[new_id] = {"riskGroupId": new_id, **limits.empty()}
    call.env.risk_group_settings[new_id] = {"riskGroupId": new_id, **RISK_SETTINGS_DEFAULTS}
    return Reply({"riskGroup": [_public(record)]})


def update_risk_group(call: Call) -> Reply:
    group_id, record = _risk_group(call)
    record.update(_named(call, call.env.risk_groups, group_id, description=True))
    bump(record)
    return Reply({"riskGroup": [_public(record)]})


def delete_risk_group(call: Call) -> Reply:
    group_id, _record = _risk_group(call)
    if call.env.risk_group_accounts.get(group_id):
        raise ApiFailure(409, f"risk group {group_id} still has member accounts")
    del call.env.risk_groups[group_id]
    call.env.risk_group_limits.pop(group_id, None)
    call.env.risk_group_settings.pop(group_id, None)
    call.env.risk_group_accounts.pop(group_id, None)
    return Reply({"riskGroupId": group_id})


def get_members(call: Call) -> Reply:
    group_id, _record = _risk_group(call)
    members = sorted(call.env.risk_group_accounts.get(group_id, set()))
    accounts = [{"accountId": a, "accountName": call.env.accounts[a]["name"]} for a in members]
    return Reply({"riskGroupId": group_id, "accounts": accounts}, "accounts")


def _member_ids(call: Call, key: str, member_key: str, table: dict[int, Record]) -> list[int]:
    body = v.fields(call.body, {key: v.items})
    v.required(body, key)
    ids = []
    for index, raw in enumerate(body[key]):
        item = v.fields(raw, {member_key: v.integer}, where=f"{key}[{index}]")
        v.required(item, member_key)
        member_id: int = item[member_key]
        record = table.get(member_id)
        if record is None or record["companyId"] != call.company_id:
            raise ApiFailure(400, f"{key}[{index}]: {member_key} {member_id} not found")
        ids.append(member_id)
    return ids


def add_members(call: Call) -> Reply:
    group_id, record = _risk_group(call)
    ids = _member_ids(call, "accounts", "accountId", call.env.accounts)
    for account_id in ids:
        for other, members in call.env.risk_group_accounts.items():
            if other != group_id and account_id in members:
                raise ApiFailure(409, f"account {account_id} is already in risk group {other}")
    call.env.risk_group_accounts.setdefault(group_id, set()).update(ids)
    for account_id in ids:
        bump(call.env.accounts[account_id])
    bump(record)
    return Reply({"riskGroupId": group_id, "accounts": [{"accountId": a} for a in ids]})


def remove_member(call: Call) -> Reply:
    group_id, record = _risk_group(call)
    account_id = call.int_param("accountId")
    members = call.env.risk_group_accounts.get(group_id, set())
    if account_id not in members:
        raise ApiFailure(404, f"account {account_id} is not in risk group {group_id}")
    members.discard(account_id)
    bump(call.env.accounts[account_id])
    bump(record)
    return Reply({"riskGroupId": group_id, "accountId": account_id})


def get_limits(call: Call) -> Reply:
    group_id, _record = _risk_group(call)
    item = {"riskGroupId": group_id,
            "riskLimits": limits.risk_limits(call.env.risk_group_limits[group_id])}
    return Reply({"riskGroupLimits": [item]}, "riskGroupLimits")


def post_limits(call: Call) -> Reply:
    group_id, record = _risk_group(call)
    v.fields(call.body, limits.BODY)
    written = limits.upsert(call, call.env.risk_group_limits[group_id])
    bump(record)
    item = {"riskGroupId": group_id, "riskLimits": written}
    return Reply({"riskGroupLimits": [item]})


def delete_limit(call: Call) -> Reply:
    group_id, record = _risk_group(call)
    limits.delete(call.env.risk_group_limits[group_id], call.int_param("limitId"))
    bump(record)
    return Reply({"riskGroupId": group_id})


def list_user_groups(call: Call) -> Reply:
    rows = sorted(company_rows(call, call.env.user_groups), key=lambda r: r["id"])
    return Reply({"userGroups": [_public(r) for r in rows]}, "userGroups")


def create_user_group(call: Call) -> Reply:
    data = _named(call, call.env.user_groups, None, description=False)
    new_id = call.env.new_id()
    record = {"id": new_id, "companyId": call.company_id, "revision": 1, **data}
    call.env.user_groups[new_id] = record
    return Reply({"userGroup": [_public(record)]})


def update_user_group(call: Call) -> Reply:
    group_id, record = _user_group(call)
    record.update(_named(call, call.env.user_groups, group_id, description=False))
    bump(record)
    return Reply({"userGroup": [_public(record)]})


def delete_user_group(call: Call) -> Reply:
    group_id, _record = _user_group(call)
    if call.env.user_group_users.get(group_id):
        raise ApiFailure(409, f"user group {group_id} still has users")
    del call.env.user_groups[group_id]
    call.env.user_group_users.pop(group_id, None)
    return Reply({"userGroupId": group_id})


def get_user_members(call: Call) -> Reply:
    group_id, _record = _user_group(call)
    members = sorted(call.env.user_group_users.get(group_id, set()))
    users = [{"userId": u, "alias": call.env.users[u].get("alias", "")} for u in members]
    return Reply({"userGroupId": group_id, "users": users}, "users")


def add_user_members(call: Call) -> Reply:
    group_id, record = _user_group(call)
    ids = _member_ids(call, "users", "userId", call.env.users)
    call.env.user_group_users.setdefault(group_id, set()).update(ids)
    for user_id in ids:
        bump(call.env.users[user_id])
    bump(record)
    return Reply({"userGroupId": group_id, "users": [{"userId": u} for u in ids]})


def remove_user_member(call: Call) -> Reply:
    group_id, record = _user_group(call)
    user_id = call.int_param("userId")
    members = call.env.user_group_users.get(group_id, set())
    if user_id not in members:
        raise ApiFailure(404, f"user {user_id} is not in user group {group_id}")
    members.discard(user_id)
    bump(call.env.users[user_id])
    bump(record)
    return Reply({"userGroupId": group_id, "userId": user_id})
