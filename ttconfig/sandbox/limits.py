"""Risk-limit rows, shared by accounts, users and risk groups.

A row's scope is (marketId, productTypeId, productId, instrumentId) and appears once per
owner; a product row with a null productId is the default row of its market and type, or
with a productFamilyId, of that family and type. An
inter-product row is scoped by its legs (each a marketId, productTypeId and productId), in
any order (contract §9, ASSUMED). A POST upserts rows by scope (keys present are set, keys
absent are kept), so `null` ("not set") and 0 stay different values, as TT keeps them.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from ttconfig.sandbox import validate as v
from ttconfig.sandbox.routing import ApiFailure, Call
from ttconfig.sandbox.store import EnvData, Record

SCOPE_KEYS = ("marketId", "productTypeId", "productFamilyId", "productId", "instrumentId")
ROW_SCHEMA: dict[str, v.Check] = {
    "id": v.integer,
    "marketId": v.integer,
    "productTypeId": v.integer,
    "productFamilyId": lambda n, x: None if x is None else v.text(n, x),
    "productId": lambda n, x: None if x is None else v.text(n, x),
    "instrumentId": lambda n, x: None if x is None else v.text(n, x),
    "tradingAllowed": v.boolean,
    "spreadTradingAllowed": v.boolean,
    "maxOrderQty": v.quantity,
    "maxPosition": v.quantity,
    "maxLongPosition": v.quantity,
    "maxShortPosition": v.quantity,
    "maxOrdersPerDay": v.quantity,
    "priceReasonabilityTicks": v.quantity,
    "priceReasonabilityPercent": v.percent,
    "priceReasonabilityAggressiveOnly": v.boolean,
    "nonMatchingPriceTicks": v.quantity,
    "nonMatchingPricePercent": v.percent,
    "rejectWithoutMarketData": v.boolean,
    "applyWholesaleLimits": v.boolean,
    "wholesaleMaxOrderQty": v.quantity,
    "wholesalePriceReasonabilityTicks": v.quantity,
    "priceDrift1MinTicks": v.quantity,
    "priceDrift3MinTicks": v.quantity,
    "priceDriftLifetimeTicks": v.quantity,
}
"""A row's fields (contract §9: the price-control, wholesale, orders-per-day and price-drift
keys are ASSUMED camelCase of TT's UI labels)."""
ROW_DEFAULTS: Record = {
    "tradingAllowed": True,
    "spreadTradingAllowed": True,
    "maxOrderQty": None,
    "maxPosition": None,
    "maxLongPosition": None,
    "maxShortPosition": None,
    "maxOrdersPerDay": None,
    "priceReasonabilityTicks": None,
    "priceReasonabilityPercent": None,
    "priceReasonabilityAggressiveOnly": False,
    "nonMatchingPriceTicks": None,
    "nonMatchingPricePercent": None,
    "rejectWithoutMarketData": False,
    "applyWholesaleLimits": False,
    "wholesaleMaxOrderQty": None,
    "wholesalePriceReasonabilityTicks": None,
    "priceDrift1MinTicks": None,
    "priceDrift3MinTicks": None,
    "priceDriftLifetimeTicks": None,
}
INTER_PRODUCT = "interProductLimits"
LISTS = ("productLimits", "contractLimits", INTER_PRODUCT)
BODY: dict[str, v.Check] = dict.fromkeys(LISTS, v.items)
"""The row lists a POST body may carry."""
LEG_KEYS = ("marketId", "productTypeId", "productId")
LEG_SCHEMA: dict[str, v.Check] = {"marketId": v.integer, "productTypeId": v.integer,
                                  "productId": v.text}
INTER_PRODUCT_SCHEMA: dict[str, v.Check] = {
    "id": v.integer, "legs": v.items,
    **{key: check for key, check in ROW_SCHEMA.items() if key in ROW_DEFAULTS}}


def empty() -> Record:
    return {name: [] for name in LISTS}


def risk_limits(record: Record) -> Record:
    """The `riskLimits` object of a GET: product, contract and inter-product rows."""
    return {name: list(record.setdefault(name, [])) for name in LISTS}


def row_count(record: Record) -> int:
    return sum(len(record.get(name, [])) for name in LISTS)


def upsert(call: Call, record: Record) -> Record:
    """Apply a POST body's product and contract rows to `record`; the rows written, with ids.

    Every row is checked before any is applied: a refused batch changes nothing.
    """
    checked = {name: _checked_rows(call.env, call.body.get(name, []), name)
               for name in LISTS if name != INTER_PRODUCT}
    checked[INTER_PRODUCT] = _checked_inter_product(call.env, call.body.get(INTER_PRODUCT, []))
    return {name: [_upsert_row(call.env, record.setdefault(name, []), row, _scope_of(name))
                   for row in rows]
            for name, rows in checked.items()}


def _scope_of(name: str) -> Callable[[Record], Hashable]:
    """How rows of the list `name` are matched: by scope, or an inter-product row by the set
    of its legs."""
    if name == INTER_PRODUCT:
        return _legs
    return lambda row: tuple(row.get(k) for k in SCOPE_KEYS)


def _legs(row: Record) -> frozenset[tuple[Any, ...]]:
    return frozenset(tuple(leg[k] for k in LEG_KEYS) for leg in row["legs"])


def _checked_inter_product(env: EnvData, raw_rows: Any) -> list[Record]:
    rows = []
    scopes: set[frozenset[tuple[Any, ...]]] = set()
    for index, raw in enumerate(v.items(INTER_PRODUCT, raw_rows)):
        where = f"{INTER_PRODUCT}[{index}]"
        row = v.fields(raw, INTER_PRODUCT_SCHEMA, where=where)
        v.required(row, "legs")
        row.pop("id", None)
        row["legs"] = [_checked_leg(env, leg, f"{where}.legs[{n}]")
                       for n, leg in enumerate(row["legs"])]
        scope = _legs(row)
        if len(row["legs"]) < 2 or len(scope) != len(row["legs"]):
            raise ApiFailure(400, f"{where}: an inter-product row needs two or more legs, "
                                  "each a different product")
        if scope in scopes:
            raise ApiFailure(400, f"{where}: the same legs appear twice in one request")
        scopes.add(scope)
        rows.append(row)
    return rows


def _checked_leg(env: EnvData, raw: Any, where: str) -> Record:
    leg = v.fields(raw, LEG_SCHEMA, where=where)
    v.required(leg, *LEG_KEYS)
    _check_product(env, leg, f"{where}: ")
    return leg


def _check_product(env: EnvData, row: Record, where: str = "") -> None:
    """The row's productId is a product of its marketId and productTypeId."""
    product = env.products.get(row["productId"])
    if product is None:
        raise ApiFailure(400, f"{where}unknown productId {row['productId']}")
    if (product["marketId"], product["productTypeId"]) != (row["marketId"],
                                                            row["productTypeId"]):
        raise ApiFailure(400, f"{where}productId {row['productId']} is not in that market "
                              "and product type")


def _checked_rows(env: EnvData, raw_rows: Any, name: str) -> list[Record]:
    rows = []
    scopes: set[tuple[Any, ...]] = set()
    for index, raw in enumerate(v.items(name, raw_rows)):
        row = v.fields(raw, ROW_SCHEMA, where=f"{name}[{index}]")
        v.required(row, "marketId", "productTypeId")
        row.setdefault("productId", None)  # null: the default row of the market and type
        row.setdefault("productFamilyId", None)  # or, with a family, of the family and type
        row.setdefault("instrumentId", None)
        row.pop("id", None)
        _check_scope(env, row, contract=name == "contractLimits")
        scope = tuple(row[k] for k in SCOPE_KEYS)
        if scope in scopes:
            raise ApiFailure(400, f"{name}[{index}]: the same scope appears twice in one request")
        scopes.add(scope)
        rows.append(row)
    return rows


def _upsert_row(env: EnvData, rows: list[Record], row: Record,
                scope_of: Callable[[Record], Hashable]) -> Record:
    scope = scope_of(row)
    for existing in rows:
        if scope_of(existing) == scope:
            existing.update(row)
            return dict(existing)
    created = {"id": env.new_id(), **ROW_DEFAULTS, **row}
    rows.append(created)
    return dict(created)


def _check_scope(env: EnvData, row: Record, *, contract: bool) -> None:
    if row["marketId"] not in env.markets:
        raise ApiFailure(400, f"unknown marketId {row['marketId']}")
    if row["productId"] is None:
        _check_default_row(env, row, contract=contract)
        return
    if row["productFamilyId"] is not None:
        raise ApiFailure(400, "a row names a product or a product family, not both")
    _check_product(env, row)
    instrument_id: Any = row["instrumentId"]
    if not contract:
        if instrument_id is not None:
            raise ApiFailure(400, "productLimits rows must not carry an instrumentId")
        return
    instrument = env.instruments.get(instrument_id) if instrument_id is not None else None
    if instrument is None or instrument["productId"] != row["productId"]:
        raise ApiFailure(400, "contractLimits row needs an instrumentId of product "
                              f"{row['productId']}")


def _check_default_row(env: EnvData, row: Record, *, contract: bool) -> None:
    """A row without a product: every product of its market and type, or with a
    productFamilyId, of that family and type (contract §9)."""
    if contract or row["instrumentId"] is not None:
        raise ApiFailure(400, "a contract row needs its productId")
    family = row["productFamilyId"]
    if family is not None:
        found = env.families.get(family)
        if found is None or found["marketId"] != row["marketId"]:
            raise ApiFailure(400, f"productFamilyId {family} is not a family of market "
                                  f"{row['marketId']}")
    types = {p["productTypeId"] for p in env.products.values()
             if p["marketId"] == row["marketId"] and family in (None, p["familyId"])}
    if row["productTypeId"] not in types:
        where = f"family {family}" if family is not None else f"market {row['marketId']}"
        raise ApiFailure(400, f"{where} lists no product of type {row['productTypeId']}")


def delete(record: Record, limit_id: int) -> None:
    for name in LISTS:
        for row in record.get(name, []):
            if row["id"] == limit_id:
                record[name].remove(row)
                return
    raise ApiFailure(404, f"no limit row {limit_id}")
