"""ttaccount: accounts, limits, risk settings, restrictions, account↔user links (§3)."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ttconfig.tt import wire
from ttconfig.tt.adapters import fields, limits
from ttconfig.tt.adapters.limits import AnyRow
from ttconfig.tt.batching import chunk_bodies, post_batches
from ttconfig.tt.http import Json, TTHttp
from ttconfig.tt.records import (
    Account,
    AccountUserLink,
    LimitSet,
    OrderPermissions,
    Permissions,
    Restrictions,
    RiskSettings,
)

SERVICE = wire.TTACCOUNT
ACCOUNT_USERS = "accountusers"
ACCOUNT_USERS_KEY = "accountUsers"
"""Wire profile B's link endpoint and list key (ASSUMED, contract §9)."""
ACCOUNT_KEYS = {
    "id": "id", "name": "name", "account_type": "accountType", "company_id": "companyId",
    "parent_id": "parentId", "revision": "revision", "description": "description",
}
RISK_SETTINGS_KEYS = {
    "credit_limit": "creditLimit", "currency": "currency", "apply_pnl": "applyPnl",
    "apply_margin": "applyMargin", "trade_out_allowed": "tradeOutAllowed",
    "create_sod_records": "createSodRecords",
    "create_spread_sod_records": "createSpreadSodRecords",
    "check_credit": "checkCredit", "apply_to_block_cross": "applyToBlockCross",
    "position_reset_time": "positionResetTime",
    "near_touch_ticks": "nearTouchTicks", "far_touch_ticks": "farTouchTicks",
    "market_impact_participation_percent": "marketImpactParticipationPercent",
    "market_impact_price_movement_ticks": "marketImpactPriceMovementTicks",
    "market_impact_cooling_off_seconds": "marketImpactCoolingOffSeconds",
    "algo_max_updates_per_interval": "algoMaxUpdatesPerInterval",
    "algo_max_cancels_per_interval": "algoMaxCancelsPerInterval",
    "algo_interval_ms": "algoIntervalMs",
}
OPTIONAL_RISK_SETTINGS = tuple(list(RISK_SETTINGS_KEYS)[list(RISK_SETTINGS_KEYS).index(
    "near_touch_ticks"):])
"""Numbers only some companies' TT has (opt-ins, algo caps; ASSUMED keys)."""
CREDIT_LOSS_ACTIONS = "creditLossActions"
"""`[{atPercent, action}]`, the whole list replaced by a write (ASSUMED, contract §9)."""
LOSS_ACTIONS = {
    "delete_orders_at_percent": "deleteOrders", "disable_trading_at_percent": "disableTrading",
    "close_positions_at_percent": "closePositions",
}
AT_PERCENT, ACTION = "atPercent", "action"
ALGO_PARENT_LIMITS = "algoParentLimits"
"""`[{orderType, maxOrderQty, priceReasonabilityTicks}]`, one item per TT order type with a
check, the whole list replaced by a write (ASSUMED, contract §9)."""
ORDER_TYPE = "orderType"
PARENT_ORDER_TYPES = {
    "tt_iceberg": "ttIceberg", "tt_time_sliced": "ttTimeSliced", "tt_timed": "ttTimed",
    "tt_stop": "ttStop", "tt_if_touched": "ttIfTouched", "tt_retry": "ttRetry",
    "tt_oco": "ttOco", "tt_bracket": "ttBracket", "tt_trailing_limit": "ttTrailingLimit",
}
PARENT_CHECKS = {"max_order_qty": "maxOrderQty",
                 "price_reasonability_ticks": "priceReasonabilityTicks"}
RESTRICTION_KEYS = {
    "place_orders": "placeOrders", "modify_orders": "modifyOrders", "tt_api": "ttApi",
    "tt_order_types": "ttOrderTypes", "autospreader": "autospreader",
    "submit_block_cross": "submitBlockCross", "market_orders": "marketOrders",
    "gtc_orders": "gtcOrders", "obo": "obo", "algo_sdk": "algoSdk", "adl": "adl",
    "apply": "apply",
    "pause_resume_algos": "pauseResumeAlgos",
    "update_positions": "updatePositions",
    "rfq_cross": "rfqCross",
    "mobile": "mobile",
    "adl_algo_approval_required": "adlAlgoApprovalRequired",
    "aggregator": "aggregator",
    "tt_iceberg": "ttIceberg",
    "tt_time_sliced": "ttTimeSliced",
    "tt_timed": "ttTimed",
    "tt_stop": "ttStop",
    "tt_if_touched": "ttIfTouched",
    "tt_retry": "ttRetry",
    "tt_oco": "ttOco",
    "tt_bracket": "ttBracket",
    "tt_trailing_limit": "ttTrailingLimit",
}
"""TT's restriction keys: the first eleven as section 3 of the contract has them, the rest
ASSUMED (camelCase of TT's labels, contract §9)."""
ASSUMED_RESTRICTION_KEYS = frozenset(list(RESTRICTION_KEYS.values())[11:])
ORDER_PERMISSION_KEYS = {
    "place_orders": "placeOrders", "modify_orders": "modifyOrders",
    "delete_orders": "deleteOrders", "submit_block_cross_orders": "submitBlockCrossOrders",
    "submit_staged_orders": "submitStagedOrders",
}
PERMISSION_KEYS = {
    "update_positions": "updatePositions", "confirm_fills": "confirmFills",
    "modify_clearing_account_on_fills": "modifyClearingAccountOnFills", "view_only": "viewOnly",
}
ORDER_PERMISSIONS = "orderPermissions"
PERMISSIONS = "permissions"


def risk_settings_from_json(data: Json) -> RiskSettings:
    actions = {wire: name for name, wire in LOSS_ACTIONS.items()}
    loss: list[tuple[str, int | float]] = []
    for item in data.get(CREDIT_LOSS_ACTIONS) or []:
        percent = fields.number(item, AT_PERCENT)
        if percent is None:
            raise ValueError(f"a credit-loss action without {AT_PERCENT!r}")
        if item.get(ACTION) not in actions:
            raise ValueError(f"{ACTION!r} is {item.get(ACTION)!r}, not a credit-loss action "
                             f"ttconfig knows ({', '.join(actions)})")
        loss.append((actions[item[ACTION]], percent))
    return RiskSettings(**fields.read(RISK_SETTINGS_KEYS, data),
                        credit_loss_actions=tuple(sorted(loss)),
                        algo_parent_limits=_parent_limits(data))


def _parent_limits(data: Json) -> tuple[tuple[str, str, int | float], ...]:
    types = {wire: name for name, wire in PARENT_ORDER_TYPES.items()}
    held: list[tuple[str, str, int | float]] = []
    for item in data.get(ALGO_PARENT_LIMITS) or []:
        if item.get(ORDER_TYPE) not in types:
            raise ValueError(f"{ORDER_TYPE!r} is {item.get(ORDER_TYPE)!r}, not a TT order type "
                             f"ttconfig knows ({', '.join(types)})")
        for name, key in PARENT_CHECKS.items():
            value = fields.number(item, key)
            if value is not None:
                held.append((types[item[ORDER_TYPE]], name, value))
    return tuple(sorted(held))


def parent_limits_body(held: Iterable[tuple[str, str, int | float]]) -> list[Json]:
    """The list TT takes for the parent-order checks `held` (one item per order type)."""
    items: dict[str, Json] = {}
    for order_type, name, value in sorted(held):
        item = items.setdefault(order_type, {ORDER_TYPE: PARENT_ORDER_TYPES[order_type]})
        item[PARENT_CHECKS[name]] = value
    return list(items.values())


TT_HOLDS = {"max order limit": "disableTradingMaxOrderLimit",
            "market impact": "disableTradingMarketImpact"}
"""Flags TT sets by itself on an account's settings when a check trips ("Disable trading
(max order limit)", and the market impact check's): ASSUMED keys on the account listing."""

CROSS_PREVENTION = "orderCrossPrevention"
CROSS_PREVENTION_MODES = {"not_applied": "notApplied", "reject_new": "rejectNew",
                          "cancel_resting": "cancelResting",
                          "position_transfer": "positionTransfer"}
"""An account's order-cross prevention (ASSUMED key and values, contract §9)."""


def account_from_json(data: Json) -> Account:
    values = fields.read(ACCOUNT_KEYS, data)
    values["id"] = fields.identifier(data, ACCOUNT_KEYS["id"])
    mode = data.get(CROSS_PREVENTION)
    if mode is not None:
        named = {wire: name for name, wire in CROSS_PREVENTION_MODES.items()}
        if mode not in named:
            raise ValueError(f"{CROSS_PREVENTION!r} is {mode!r}, not a mode ttconfig knows")
        values["order_cross_prevention"] = named[mode]
    values["held_by_tt"] = tuple(why for why, key in TT_HOLDS.items() if data.get(key) is True)
    return Account(**{"company_id": None, "parent_id": None, "revision": 0, **values})


def order_permissions_from_json(data: Json | None) -> OrderPermissions:
    return OrderPermissions(**fields.flags(data or {}, ORDER_PERMISSION_KEYS))


def permissions_from_json(data: Json | None) -> Permissions:
    return Permissions(**fields.flags(data or {}, PERMISSION_KEYS))


def link_to_json(link: AccountUserLink) -> Json:
    return {
        "userId": link.user_id,
        ORDER_PERMISSIONS: {k: getattr(link.order_permissions, f)
                            for f, k in ORDER_PERMISSION_KEYS.items()},
        PERMISSIONS: {k: getattr(link.permissions, f) for f, k in PERMISSION_KEYS.items()},
    }


@fields.checked
class AccountsApi:
    """Reads and writes of ttaccount."""

    def __init__(self, http: TTHttp) -> None:
        self._http = http

    async def list(self, *, mine_only: bool = False) -> builtins.list[Account]:
        params = {"mineOnly": "true"} if mine_only else {}
        items = await self._http.get_paged(SERVICE, "accounts", "accounts", params)
        return [account_from_json(item) for item in items]

    async def get(self, account_id: int) -> Account:
        body = await self._http.get(SERVICE, f"account/{account_id}")
        return account_from_json(fields.single(body, "account"))

    async def create(self, *, name: str, account_type: int, parent_id: int | None = None,
                     description: str | None = None,
                     order_cross_prevention: str | None = None) -> Account:
        body: Json = {"name": name, "accountType": account_type}
        if parent_id is not None:
            body["parentId"] = parent_id
        if description is not None:
            body["description"] = description
        if order_cross_prevention is not None:
            body[CROSS_PREVENTION] = CROSS_PREVENTION_MODES[order_cross_prevention]
        answer = await self._http.post(SERVICE, "account", body)
        return account_from_json(fields.single(answer, "account"))

    async def update(self, account_id: int, changes: Mapping[str, Any]) -> Account:
        """Change any of name, parent_id, description, order_cross_prevention (account_type
        is fixed at creation)."""
        mode = changes.get("order_cross_prevention")
        body = fields.write({k: ACCOUNT_KEYS[k] for k in ("name", "parent_id", "description")},
                            {k: v for k, v in changes.items() if k != "order_cross_prevention"})
        if mode is not None:
            body[CROSS_PREVENTION] = CROSS_PREVENTION_MODES[mode]
        answer = await self._http.post(SERVICE, f"account/{account_id}", body)
        return account_from_json(fields.single(answer, "account"))

    async def delete(self, account_id: int) -> None:
        await self._http.delete(SERVICE, f"account/{account_id}")

    async def limits(self, account_id: int) -> LimitSet:
        items = await self._http.get_paged(SERVICE, f"account/{account_id}/limits",
                                           "accountLimits")
        return limits.merge_sets([limits.set_from_json(i) for i in items])

    async def upsert_limits(self, account_id: int, rows: Sequence[AnyRow], *,
                            apply_limits: bool | None = None) -> builtins.list[AnyRow]:
        """Create or update rows by scope, in as many ≤20-row requests as needed."""
        extra = None if apply_limits is None else {
            limits.RISK_LIMIT_SETTINGS: {limits.APPLY_LIMITS: apply_limits}}
        bodies = chunk_bodies(limits.upsert_lists(rows), extra)
        answers = await post_batches(self._http, SERVICE, f"account/{account_id}/limits", bodies)
        return limits.rows_from_answers(answers, "accountLimits")

    async def delete_limit(self, account_id: int, limit_id: int) -> None:
        await self._http.delete(SERVICE, f"account/{account_id}/limits/{limit_id}")

    async def risk_settings(self, account_id: int) -> RiskSettings:
        body = await self._http.get(SERVICE, f"account/{account_id}/risksettings")
        return risk_settings_from_json(fields.single(body, "riskSettings"))

    async def update_risk_settings(
            self, account_id: int, changes: Mapping[str, Any],
            loss_actions: Mapping[str, int | float | None] | None = None,
            parent_limits: Mapping[tuple[str, str], int | None] | None = None,
    ) -> RiskSettings:
        """Set `changes` (record fields) and, when given, the credit-loss actions named in
        `loss_actions` and the parent-order checks (order type, check) in `parent_limits`
        (None: TT no longer takes or makes it). TT replaces each of those lists whole, so
        the list sent is the one TT holds now with those items changed: an item the YAML
        does not manage keeps its value."""
        body = fields.write(RISK_SETTINGS_KEYS, changes)
        if loss_actions or parent_limits:
            held = await self.risk_settings(account_id)
            if loss_actions:
                wanted = {**dict(held.credit_loss_actions), **loss_actions}
                taken = sorted((percent, name) for name, percent in wanted.items()
                               if percent is not None)
                body[CREDIT_LOSS_ACTIONS] = [{ACTION: LOSS_ACTIONS[name], AT_PERCENT: percent}
                                             for percent, name in taken]
            if parent_limits:
                checks: dict[tuple[str, str], int | float | None] = {
                    (t, n): value for t, n, value in held.algo_parent_limits}
                checks.update(parent_limits)
                body[ALGO_PARENT_LIMITS] = parent_limits_body(
                    (t, n, value) for (t, n), value in checks.items() if value is not None)
        answer = await self._http.post(SERVICE, f"account/{account_id}/risksettings", body)
        return risk_settings_from_json(fields.single(answer, "riskSettings"))

    async def restrictions(self, account_id: int) -> Restrictions:
        body = await self._http.get(SERVICE, f"account/{account_id}/restrictions")
        return Restrictions(**fields.read(RESTRICTION_KEYS, fields.single(body, "restrictions")))

    async def update_restrictions(self, account_id: int,
                                  changes: Mapping[str, bool]) -> Restrictions:
        body = fields.write(RESTRICTION_KEYS, changes)
        answer = await self._http.post(SERVICE, f"account/{account_id}/restrictions", body)
        return Restrictions(**fields.read(RESTRICTION_KEYS, fields.single(answer, "restrictions")))

    def _profile_b(self) -> bool:
        """Links through `accountuser(s)` (wire profile B, ASSUMED), not `account/{id}/users`."""
        return self._http.config.profile.links == "accountusers"

    async def users(self, account_id: int) -> builtins.list[AccountUserLink]:
        if self._profile_b():
            items = await self._http.get_paged(SERVICE, ACCOUNT_USERS, ACCOUNT_USERS_KEY,
                                               {"accountId": str(account_id)})
        else:
            items = await self._http.get_paged(SERVICE, f"account/{account_id}/users", "users")
        return [AccountUserLink(
            account_id=account_id, user_id=int(item["userId"]), user_alias=item.get("alias"),
            order_permissions=order_permissions_from_json(item.get(ORDER_PERMISSIONS)),
            permissions=permissions_from_json(item.get(PERMISSIONS)),
        ) for item in items]

    async def link_users(self, account_id: int, links: Sequence[AccountUserLink]) -> None:
        """Link users (or update their permissions), in ≤20-link requests."""
        if any(link.account_id != account_id for link in links):
            raise ValueError("every link must be of the account being written")
        if self._profile_b():
            rows = [{"accountId": account_id, **link_to_json(link)} for link in links]
            await post_batches(self._http, SERVICE, ACCOUNT_USERS,
                               chunk_bodies({ACCOUNT_USERS_KEY: rows}))
            return
        bodies = chunk_bodies({"users": [link_to_json(link) for link in links]})
        await post_batches(self._http, SERVICE, f"account/{account_id}/users", bodies)

    async def unlink_user(self, account_id: int, user_id: int) -> None:
        if self._profile_b():
            await self._http.delete(SERVICE, f"accountuser/{account_id}/{user_id}")
            return
        await self._http.delete(SERVICE, f"account/{account_id}/users/{user_id}")

