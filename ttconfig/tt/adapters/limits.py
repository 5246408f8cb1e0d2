"""Risk-limit rows, as accounts, users and risk groups all carry them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeAlias

from ttconfig.tt.adapters import fields
from ttconfig.tt.http import Json
from ttconfig.tt.records import InterProductRow, LimitRow, LimitScope, LimitSet

AnyRow: TypeAlias = LimitRow | InterProductRow
"""A row of any list (product, contract or inter-product)."""

RISK_LIMITS = "riskLimits"
PRODUCT_LIMITS = "productLimits"
CONTRACT_LIMITS = "contractLimits"
INTER_PRODUCT_LIMITS = "interProductLimits"
RISK_LIMIT_SETTINGS = "riskLimitSettings"
APPLY_LIMITS = "applyLimits"
ROW_ID = "id"
FAMILY_ID = "productFamilyId"
"""A default row of one product family (contract §9): productId null, this set."""
LEGS = "legs"
"""An inter-product row's legs: [{marketId, productTypeId, productId}] (contract §9, ASSUMED)."""
SCOPE_KEYS = {
    "market_id": "marketId",
    "product_type_id": "productTypeId",
    "product_id": "productId",
    "instrument_id": "instrumentId",
}
VALUE_KEYS = {
    "trading_allowed": "tradingAllowed",
    "spread_trading_allowed": "spreadTradingAllowed",
    "max_order_qty": "maxOrderQty",
    "max_position": "maxPosition",
    "max_long_position": "maxLongPosition",
    "max_short_position": "maxShortPosition",
    "max_orders_per_day": "maxOrdersPerDay",
    "price_reasonability_ticks": "priceReasonabilityTicks",
    "price_reasonability_percent": "priceReasonabilityPercent",
    "price_reasonability_aggressive_only": "priceReasonabilityAggressiveOnly",
    "non_matching_price_ticks": "nonMatchingPriceTicks",
    "non_matching_price_percent": "nonMatchingPricePercent",
    "reject_without_market_data": "rejectWithoutMarketData",
    "apply_wholesale_limits": "applyWholesaleLimits",
    "wholesale_max_order_qty": "wholesaleMaxOrderQty",
    "wholesale_price_reasonability_ticks": "wholesalePriceReasonabilityTicks",
    "price_drift_1min_ticks": "priceDrift1MinTicks",
    "price_drift_3min_ticks": "priceDrift3MinTicks",
    "price_drift_lifetime_ticks": "priceDriftLifetimeTicks",
}
"""TT's keys (contract §9: camelCase of TT's UI labels, ASSUMED past the first seven)."""
ASSUMED_KEYS = frozenset(list(VALUE_KEYS.values())[7:])
"""Keys no public client shows: a TT that leaves them out is read as "not said" (None)."""


def row_from_json(data: Json) -> LimitRow:
    instrument = data.get(SCOPE_KEYS["instrument_id"])
    scope = _scope(data)
    family = data.get(FAMILY_ID)
    scope = LimitScope(scope.market_id, scope.product_type_id, scope.product_id,
                       None if instrument is None else str(instrument),
                       None if family in (None, "") else str(fields.identifier(data, FAMILY_ID)))
    return LimitRow(scope=scope, id=data.get(ROW_ID), **_values(data))


def inter_product_from_json(data: Json) -> InterProductRow:
    legs = data.get(LEGS)
    if not isinstance(legs, list) or not all(isinstance(leg, dict) for leg in legs):
        raise ValueError(f"{LEGS!r} is {legs!r}, not a list of legs")
    return InterProductRow(legs=tuple(_scope(leg) for leg in legs), id=data.get(ROW_ID),
                           **_values(data))


def _scope(data: Json) -> LimitScope:
    product = data[SCOPE_KEYS["product_id"]]  # (None: a default row, kept as read)
    return LimitScope(
        market_id=fields.identifier(data, SCOPE_KEYS["market_id"]),
        product_type_id=fields.identifier(data, SCOPE_KEYS["product_type_id"]),
        product_id=None if product is None else str(product))


def _values(data: Json) -> dict[str, Any]:
    return {field: _value(data, key) for field, key in VALUE_KEYS.items()}


def _value(data: Json, key: str) -> Any:
    """A limit value as TT sends it: a flag (boolean) or a number; text is refused."""
    value = data.get(key)
    if isinstance(value, bool) and key in FLAG_KEYS:
        return value
    return fields.number(data, key)


FLAG_KEYS = frozenset(VALUE_KEYS[name] for name in (
    "trading_allowed", "spread_trading_allowed", "price_reasonability_aggressive_only",
    "reject_without_market_data", "apply_wholesale_limits"))


def row_to_json(row: LimitRow | InterProductRow) -> Json:
    """A row as TT's upsert takes it (by scope or legs; TT's row id is not sent)."""
    if isinstance(row, InterProductRow):
        body: Json = {LEGS: [{key: getattr(leg, field) for field, key in SCOPE_KEYS.items()
                              if field != "instrument_id"} for leg in row.legs]}
    else:
        body = {key: getattr(row.scope, field) for field, key in SCOPE_KEYS.items()}
        if row.scope.family_id is not None:  # (sent only on a family's row)
            body[FAMILY_ID] = row.scope.family_id
    body.update({key: getattr(row, field) for field, key in VALUE_KEYS.items()})
    return body


def set_from_json(item: Json) -> LimitSet:
    """A limit set from one element of accountLimits / userLimits / riskGroupLimits."""
    limits = item.get(RISK_LIMITS) or {}
    settings = item.get(RISK_LIMIT_SETTINGS)
    apply = settings.get(APPLY_LIMITS) if isinstance(settings, dict) else None
    return LimitSet(
        product_limits=tuple(row_from_json(r) for r in limits.get(PRODUCT_LIMITS) or []),
        contract_limits=tuple(row_from_json(r) for r in limits.get(CONTRACT_LIMITS) or []),
        apply_limits=apply,
        inter_product_limits=tuple(inter_product_from_json(r)
                                   for r in limits.get(INTER_PRODUCT_LIMITS) or []),
    )


def merge_sets(sets: Sequence[LimitSet]) -> LimitSet:
    """One limit set from the elements of every page of a paged limits read."""
    if not sets:
        return LimitSet((), ())
    apply = next((s.apply_limits for s in sets if s.apply_limits is not None), None)
    return LimitSet(
        product_limits=tuple(r for s in sets for r in s.product_limits),
        contract_limits=tuple(r for s in sets for r in s.contract_limits),
        apply_limits=apply,
        inter_product_limits=tuple(r for s in sets for r in s.inter_product_limits),
    )


def upsert_lists(rows: Sequence[AnyRow]) -> dict[str, list[Json]]:
    """The productLimits / contractLimits / interProductLimits lists of an upsert body."""
    lists: dict[str, list[Json]] = {PRODUCT_LIMITS: [], CONTRACT_LIMITS: [],
                                    INTER_PRODUCT_LIMITS: []}
    for row in rows:
        lists[_list_of(row)].append(row_to_json(row))
    return {name: items for name, items in lists.items() if items}


def _list_of(row: AnyRow) -> str:
    if isinstance(row, InterProductRow):
        return INTER_PRODUCT_LIMITS
    return PRODUCT_LIMITS if row.scope.instrument_id is None else CONTRACT_LIMITS


def rows_from_answers(answers: Sequence[Json], items_key: str) -> list[AnyRow]:
    """The rows TT wrote (with their ids), from the answers of an upsert's requests."""
    written = [set_from_json(item) for answer in answers for item in answer.get(items_key) or []]
    merged = merge_sets(written)
    return [*merged.product_limits, *merged.contract_limits, *merged.inter_product_limits]
