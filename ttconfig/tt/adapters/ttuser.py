"""ttuser: users, their account links (read side) and user limits (§4).

TT has no user delete; `deactivate` (userActive 0) is the removal.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from typing import Any

from ttconfig.tt import wire
from ttconfig.tt.adapters import fields, limits
from ttconfig.tt.adapters.limits import AnyRow
from ttconfig.tt.adapters.ttaccount import (
    ORDER_PERMISSIONS,
    PERMISSIONS,
    order_permissions_from_json,
    permissions_from_json,
)
from ttconfig.tt.batching import chunk_bodies, post_batches
from ttconfig.tt.http import Json, TTHttp
from ttconfig.tt.records import (
    AccountUserLink,
    ExchangeAccess,
    LimitSet,
    User,
    UserSettings,
    UserSummary,
)

SERVICE = wire.TTUSER
EXCHANGES = "exchanges"
EXCHANGE_KEYS = {"market_id": "marketId", "market_data": "marketData",
                 "product_groups": "productGroups", "order_routing": "orderRouting",
                 "trader_id": "traderId", "operator_id": "operatorId",
                 "market_data_type": "marketDataType", "non_display": "nonDisplay"}
MARKET_DATA_TYPES = {"subscriber": "subscriber", "sdk_client": "sdkClient",
                     "fix_and_sdk": "fixAndSdk"}
"""A user's exchange access: `GET/POST user/{id}/exchanges` → `exchanges: [...]`, the list
replaced whole by a write (ASSUMED, contract §9: TT's Setup page is the only source)."""


def exchange_from_json(data: Json) -> ExchangeAccess:
    groups = data.get(EXCHANGE_KEYS["product_groups"])
    kind = data.get(EXCHANGE_KEYS["market_data_type"])
    kinds = {wire: name for name, wire in MARKET_DATA_TYPES.items()}
    if kind is not None and kind not in kinds:
        raise ValueError(f"{EXCHANGE_KEYS['market_data_type']!r} is {kind!r}, not a market-data "
                         f"type ttconfig knows ({', '.join(kinds)})")
    return ExchangeAccess(
        market_id=fields.identifier(data, EXCHANGE_KEYS["market_id"]),
        market_data=data.get(EXCHANGE_KEYS["market_data"]) is True,
        product_groups=None if not isinstance(groups, list) else tuple(str(g) for g in groups),
        order_routing=data.get(EXCHANGE_KEYS["order_routing"]) is True,
        trader_id=_text(data, "trader_id"), operator_id=_text(data, "operator_id"),
        market_data_type=None if kind is None else kinds[kind],
        non_display=data.get(EXCHANGE_KEYS["non_display"]) is True)


def _text(data: Json, name: str) -> str | None:
    value = data.get(EXCHANGE_KEYS[name])
    return None if value is None else str(value)


def exchange_to_json(entry: ExchangeAccess) -> Json:
    body = fields.write(EXCHANGE_KEYS, {name: getattr(entry, name) for name in EXCHANGE_KEYS})
    groups = entry.product_groups
    body[EXCHANGE_KEYS["product_groups"]] = None if groups is None else list(groups)
    kind = entry.market_data_type
    body[EXCHANGE_KEYS["market_data_type"]] = None if kind is None else MARKET_DATA_TYPES[kind]
    return body
SUMMARY_KEYS = {"id": "id", "email": "email", "first_name": "firstname",
                "last_name": "lastname", "alias": "alias"}
USER_KEYS = {"id": "id", "email": "email", "first_name": "firstName", "last_name": "lastName",
             "alias": "alias", "trade_mode": "tradeMode", "revision": "revision"}
WRITABLE_USER_KEYS = {"email": "email", "first_name": "firstName", "last_name": "lastName",
                      "alias": "alias", "trade_mode": "tradeMode"}
SETTINGS_KEYS = {"disable_trading": "disableTrading", "full_admin": "fullAdmin",
                 "view_only_admin": "viewOnlyAdmin"}
ACTIVE, INVITATION_PENDING, SETTINGS, COMPANY = (
    "userActive", "invitationPending", "settings", "company")


def user_from_json(data: Json) -> User:
    company = data.get(COMPANY)
    return User(
        **{"alias": "", "revision": 0, **fields.read(USER_KEYS, data)},
        active=bool(data.get(ACTIVE, 1)),
        invitation_pending=bool(data.get(INVITATION_PENDING, 0)),
        company_id=company.get("id") if isinstance(company, dict) else None,
        settings=UserSettings(**fields.flags(data.get(SETTINGS) or {}, SETTINGS_KEYS)),
    )


def user_changes_to_json(changes: Mapping[str, Any]) -> Json:
    """Body of a user write from record fields; `active` and settings map to 0/1 flags."""
    plain = {k: v for k, v in changes.items() if k not in ("active", "settings")}
    body = fields.write(WRITABLE_USER_KEYS, plain)
    if "active" in changes:
        body[ACTIVE] = int(bool(changes["active"]))
    if "settings" in changes:
        body[SETTINGS] = {SETTINGS_KEYS[k]: int(bool(v)) for k, v in changes["settings"].items()}
    return body


PROVISION = "usersprovision"
PROVISION_KEY = "users"
"""Wire profile B's user creation under ttid, and its list key (ASSUMED, contract §9)."""


@fields.checked
class UsersApi:
    """Reads and writes of ttuser."""

    def __init__(self, http: TTHttp) -> None:
        self._http = http

    async def list(self) -> builtins.list[UserSummary]:
        items = await self._http.get_paged(SERVICE, "users", "users")
        return [UserSummary(**{"alias": "", **fields.read(SUMMARY_KEYS, i)}) for i in items]

    async def get(self, user_id: int) -> User:
        body = await self._http.get(SERVICE, f"user/{user_id}")
        return user_from_json(fields.single(body, "user"))

    async def create(self, *, email: str, first_name: str, last_name: str, trade_mode: int,
                     alias: str | None = None,
                     settings: Mapping[str, bool] | None = None) -> User:
        changes: dict[str, Any] = {"email": email, "first_name": first_name,
                                   "last_name": last_name, "trade_mode": trade_mode}
        if alias is not None:
            changes["alias"] = alias
        if settings is not None:
            changes["settings"] = settings
        if self._http.config.profile.users == "usersprovision":  # profile B (ASSUMED)
            answer = await self._http.post(wire.TTID, PROVISION, {
                PROVISION_KEY: [user_changes_to_json(changes)]})
            return user_from_json(fields.single(answer, PROVISION_KEY))
        answer = await self._http.post(SERVICE, "user", user_changes_to_json(changes))
        return user_from_json(fields.single(answer, "user"))

    async def update(self, user_id: int, changes: Mapping[str, Any]) -> User:
        """Change user fields; `active=False` deactivates (TT's only way to remove a user)."""
        answer = await self._http.post(SERVICE, f"user/{user_id}", user_changes_to_json(changes))
        return user_from_json(fields.single(answer, "user"))

    async def deactivate(self, user_id: int) -> User:
        return await self.update(user_id, {"active": False})

    async def accounts(self, user_id: int) -> builtins.list[AccountUserLink]:
        items = await self._http.get_paged(SERVICE, f"user/{user_id}/accounts", "accounts")
        return [AccountUserLink(
            account_id=int(item["accountId"]), user_id=user_id,
            account_name=item.get("accountName"),
            order_permissions=order_permissions_from_json(item.get(ORDER_PERMISSIONS)),
            permissions=permissions_from_json(item.get(PERMISSIONS)),
        ) for item in items]

    async def limits(self, user_id: int) -> LimitSet:
        items = await self._http.get_paged(SERVICE, f"user/{user_id}/limits", "userLimits")
        return limits.merge_sets([limits.set_from_json(i) for i in items])

    async def upsert_limits(self, user_id: int,
                            rows: Sequence[AnyRow]) -> builtins.list[AnyRow]:
        bodies = chunk_bodies(limits.upsert_lists(rows))
        answers = await post_batches(self._http, SERVICE, f"user/{user_id}/limits", bodies)
        return limits.rows_from_answers(answers, "userLimits")

    async def delete_limit(self, user_id: int, limit_id: int) -> None:
        await self._http.delete(SERVICE, f"user/{user_id}/limits/{limit_id}")

    async def exchanges(self, user_id: int) -> builtins.list[ExchangeAccess]:
        body = await self._http.get(SERVICE, f"user/{user_id}/exchanges")
        return [exchange_from_json(item) for item in body.get(EXCHANGES) or []]

    async def set_exchanges(self, user_id: int,
                            entries: Sequence[ExchangeAccess]) -> builtins.list[ExchangeAccess]:
        """Replace the user's exchange access with `entries` (TT keeps one list per user:
        ASSUMED, contract §9)."""
        answer = await self._http.post(SERVICE, f"user/{user_id}/exchanges",
                                       {EXCHANGES: [exchange_to_json(e) for e in entries]})
        return [exchange_from_json(item) for item in answer.get(EXCHANGES) or []]
