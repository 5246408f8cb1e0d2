"""Risk-limit rows, as accounts, users and risk groups all carry them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ttconfig.tt.adapters import fields
from ttconfig.tt.http import Json
from ttconfig.tt.records import LimitRow, LimitScope, LimitSet

RISK_LIMITS = "riskLimits"
PRODUCT_LIMITS = "productLimits"
CONTRACT_LIMITS = "contractLimits"
INTER_PRODUCT_LIMITS = "interProductLimits"
RISK_LIMIT_SETTINGS = "riskLimitSettings"
APPLY_LIMITS = "applyLimits"
ROW_ID = "id"
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
}
"""TT's keys (contract §9: camelCase of TT's UI labels, ASSUMED past the first seven)."""
ASSUMED_KEYS = frozenset(list(VALUE_KEYS.values())[7:])
"""Keys no public client shows: a TT that leaves them out is read as "not said" (None)."""


def row_from_json(data: Json) -> LimitRow:
    instrument = data.get(SCOPE_KEYS["instrument_id"])
    product = data[SCOPE_KEYS["product_id"]]  # (None: a default row, kept as read)
    scope = LimitScope(
        market_id=fields.identifier(data, SCOPE_KEYS["market_id"]),
        product_type_id=fields.identifier(data, SCOPE_KEYS["product_type_id"]),
        product_id=None if product is None else str(product),
        instrument_id=None if instrument is None else str(instrument),
    )
    values: dict[str, Any] = {field: _value(data, key) for field, key in VALUE_KEYS.items()}
    return LimitRow(scope=scope, id=data.get(ROW_ID), **values)


def _value(data: Json, key: str) -> Any:
    """A limit value as TT sends it: a flag (boolean) or a number; text is refused."""
    value = data.get(key)
    if isinstance(value, bool) and key in FLAG_KEYS:
        return value
    return fields.number(data, key)


FLAG_KEYS = frozenset(VALUE_KEYS[name] for name in (
    "trading_allowed", "spread_trading_allowed", "price_reasonability_aggressive_only",
    "reject_without_market_data", "apply_wholesale_limits"))


def row_to_json(row: LimitRow) -> Json:
    """A row as TT's upsert takes it (by scope; TT's row id is not sent)."""
    body: Json = {key: getattr(row.scope, field) for field, key in SCOPE_KEYS.items()}
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
        inter_product=len(limits.get(INTER_PRODUCT_LIMITS) or []),
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
        inter_product=sum(s.inter_product for s in sets),
    )


def upsert_lists(rows: Sequence[LimitRow]) -> dict[str, list[Json]]:
    """The productLimits / contractLimits lists of an upsert body."""
    lists: dict[str, list[Json]] = {PRODUCT_LIMITS: [], CONTRACT_LIMITS: []}
    for row in rows:
        name = PRODUCT_LIMITS if row.scope.instrument_id is None else CONTRACT_LIMITS
        lists[name].append(row_to_json(row))
    return {name: items for name, items in lists.items() if items}


def rows_from_answers(answers: Sequence[Json], items_key: str) -> list[LimitRow]:
    """The rows TT wrote (with their ids), from the answers of an upsert's requests."""
    written = [set_from_json(item) for answer in answers for item in answer.get(items_key) or []]
    merged = merge_sets(written)
    return [*merged.product_limits, *merged.contract_limits]
