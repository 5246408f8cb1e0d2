"""ttgroup: risk groups with member accounts and limits; user groups with member users (§5)."""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from typing import Any

from ttconfig.tt import wire
from ttconfig.tt.adapters import fields, limits
from ttconfig.tt.adapters.limits import AnyRow
from ttconfig.tt.batching import chunk_bodies, post_batches
from ttconfig.tt.http import Json, TTHttp
from ttconfig.tt.records import GroupRiskSettings, LimitSet, RiskGroup, UserGroup

SERVICE = wire.TTGROUP
GROUP_RISK_SETTINGS_KEYS = {"credit_limit": "creditLimit", "currency": "currency"}
"""`riskgroup/{id}/risksettings` → `{riskSettings: [{riskGroupId, creditLimit, currency}]}`
(ASSUMED, contract §9: risk groups gain risk settings)."""


def risk_group_from_json(data: Json) -> RiskGroup:
    return RiskGroup(id=int(data["id"]), name=str(data["name"]),
                     description=str(data.get("description") or ""),
                     revision=int(data.get("revision", 0)))


def user_group_from_json(data: Json) -> UserGroup:
    return UserGroup(id=int(data["id"]), name=str(data["name"]),
                     revision=int(data.get("revision", 0)))


@fields.checked
class RiskGroupsApi:
    def __init__(self, http: TTHttp) -> None:
        self._http = http

    async def list(self) -> builtins.list[RiskGroup]:
        items = await self._http.get_paged(SERVICE, "riskgroups", "riskGroups")
        return [risk_group_from_json(i) for i in items]

    async def get(self, group_id: int) -> RiskGroup:
        body = await self._http.get(SERVICE, f"riskgroup/{group_id}")
        return risk_group_from_json(fields.single(body, "riskGroup"))

    async def create(self, name: str, description: str | None = None) -> RiskGroup:
        body: Json = {"name": name}
        if description is not None:
            body["description"] = description
        answer = await self._http.post(SERVICE, "riskgroup", body)
        return risk_group_from_json(fields.single(answer, "riskGroup"))

    async def update(self, group_id: int, *, name: str | None = None,
                     description: str | None = None) -> RiskGroup:
        body = {k: v for k, v in (("name", name), ("description", description)) if v is not None}
        answer = await self._http.post(SERVICE, f"riskgroup/{group_id}", body)
        return risk_group_from_json(fields.single(answer, "riskGroup"))

    async def delete(self, group_id: int) -> None:
        await self._http.delete(SERVICE, f"riskgroup/{group_id}")

    async def accounts(self, group_id: int) -> builtins.list[int]:
        items = await self._http.get_paged(SERVICE, f"riskgroup/{group_id}/accounts", "accounts")
        return [int(i["accountId"]) for i in items]

    async def add_accounts(self, group_id: int, account_ids: Sequence[int]) -> None:
        bodies = chunk_bodies({"accounts": [{"accountId": a} for a in account_ids]})
        await post_batches(self._http, SERVICE, f"riskgroup/{group_id}/accounts", bodies)

    async def remove_account(self, group_id: int, account_id: int) -> None:
        await self._http.delete(SERVICE, f"riskgroup/{group_id}/accounts/{account_id}")

    async def limits(self, group_id: int) -> LimitSet:
        items = await self._http.get_paged(SERVICE, f"riskgroup/{group_id}/limits",
                                           "riskGroupLimits")
        return limits.merge_sets([limits.set_from_json(i) for i in items])

    async def upsert_limits(self, group_id: int,
                            rows: Sequence[AnyRow]) -> builtins.list[AnyRow]:
        bodies = chunk_bodies(limits.upsert_lists(rows))
        answers = await post_batches(self._http, SERVICE, f"riskgroup/{group_id}/limits", bodies)
        return limits.rows_from_answers(answers, "riskGroupLimits")

    async def delete_limit(self, group_id: int, limit_id: int) -> None:
        await self._http.delete(SERVICE, f"riskgroup/{group_id}/limits/{limit_id}")

    async def risk_settings(self, group_id: int) -> GroupRiskSettings:
        body = await self._http.get(SERVICE, f"riskgroup/{group_id}/risksettings")
        return _group_settings(fields.single(body, "riskSettings"))

    async def update_risk_settings(self, group_id: int,
                                   changes: Mapping[str, Any]) -> GroupRiskSettings:
        body = fields.write(GROUP_RISK_SETTINGS_KEYS, changes)
        answer = await self._http.post(SERVICE, f"riskgroup/{group_id}/risksettings", body)
        return _group_settings(fields.single(answer, "riskSettings"))


def _group_settings(data: Json) -> GroupRiskSettings:
    keys = GROUP_RISK_SETTINGS_KEYS
    return GroupRiskSettings(credit_limit=fields.number(data, keys["credit_limit"]),
                             currency=data.get(keys["currency"]))


@fields.checked
class UserGroupsApi:
    def __init__(self, http: TTHttp) -> None:
        self._http = http

    async def list(self) -> builtins.list[UserGroup]:
        items = await self._http.get_paged(SERVICE, "usergroups", "userGroups")
        return [user_group_from_json(i) for i in items]

    async def create(self, name: str) -> UserGroup:
        answer = await self._http.post(SERVICE, "usergroup", {"name": name})
        return user_group_from_json(fields.single(answer, "userGroup"))

    async def rename(self, group_id: int, name: str) -> UserGroup:
        answer = await self._http.post(SERVICE, f"usergroup/{group_id}", {"name": name})
        return user_group_from_json(fields.single(answer, "userGroup"))

    async def delete(self, group_id: int) -> None:
        await self._http.delete(SERVICE, f"usergroup/{group_id}")

    async def users(self, group_id: int) -> builtins.list[int]:
        items = await self._http.get_paged(SERVICE, f"usergroup/{group_id}/users", "users")
        return [int(i["userId"]) for i in items]

    async def add_users(self, group_id: int, user_ids: Sequence[int]) -> None:
        bodies = chunk_bodies({"users": [{"userId": u} for u in user_ids]})
        await post_batches(self._http, SERVICE, f"usergroup/{group_id}/users", bodies)

    async def remove_user(self, group_id: int, user_id: int) -> None:
        await self._http.delete(SERVICE, f"usergroup/{group_id}/users/{user_id}")
