"""Risk-limit rows, shared by accounts, users and risk groups.

A row's scope is (marketId, productTypeId, productId, instrumentId) and appears once per
owner; a product row with a null productId is the default row of its market and type. A
POST upserts rows by scope (keys present are set, keys absent are kept), so `null`
("not set") and 0 stay different values, as TT keeps them.
"""

from __future__ import annotations

from typing import Any

from ttconfig.sandbox import validate as v
from ttconfig.sandbox.routing import ApiFailure, Call
from ttconfig.sandbox.store import EnvData, Record

SCOPE_KEYS = ("marketId", "productTypeId", "productId", "instrumentId")
ROW_SCHEMA: dict[str, v.Check] = {
    "id": v.integer,
    "marketId": v.integer,
    "productTypeId": v.integer,
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
}
"""A row's fields (contract §9: the price-control, wholesale and orders-per-day keys are
ASSUMED camelCase of TT's UI labels)."""
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
}
LISTS = ("productLimits", "contractLimits")


def empty() -> Record:
    return {"productLimits": [], "contractLimits": []}


def risk_limits(record: Record) -> Record:
    """The `riskLimits` object of a GET: product, contract and inter-product rows (the
    last only as TT's web UI made them: the API writes none, contract §9)."""
    return {
        "productLimits": list(record["productLimits"]),
        "contractLimits": list(record["contractLimits"]),
        "interProductLimits": list(record.get("interProductLimits", [])),
    }


def row_count(record: Record) -> int:
    return sum(len(record[name]) for name in LISTS)


def upsert(call: Call, record: Record) -> Record:
    """Apply a POST body's product and contract rows to `record`; the rows written, with ids.

    Every row is checked before any is applied: a refused batch changes nothing.
    """
    checked = {name: _checked_rows(call.env, call.body.get(name, []), name) for name in LISTS}
    return {name: [_upsert_row(call.env, record[name], row) for row in rows]
            for name, rows in checked.items()}


def _checked_rows(env: EnvData, raw_rows: Any, name: str) -> list[Record]:
    rows = []
    scopes: set[tuple[Any, ...]] = set()
    for index, raw in enumerate(v.items(name, raw_rows)):
        row = v.fields(raw, ROW_SCHEMA, where=f"{name}[{index}]")
        v.required(row, "marketId", "productTypeId")
        row.setdefault("productId", None)  # null: the default row of the market and type
        row.setdefault("instrumentId", None)
        row.pop("id", None)
        _check_scope(env, row, contract=name == "contractLimits")
        scope = tuple(row[k] for k in SCOPE_KEYS)
        if scope in scopes:
            raise ApiFailure(400, f"{name}[{index}]: the same scope appears twice in one request")
        scopes.add(scope)
        rows.append(row)
    return rows


def _upsert_row(env: EnvData, rows: list[Record], row: Record) -> Record:
    scope = tuple(row[k] for k in SCOPE_KEYS)
    for existing in rows:
        if tuple(existing[k] for k in SCOPE_KEYS) == scope:
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
    product = env.products.get(row["productId"])
    if product is None:
        raise ApiFailure(400, f"unknown productId {row['productId']}")
    if (product["marketId"], product["productTypeId"]) != (row["marketId"],
                                                            row["productTypeId"]):
        raise ApiFailure(400, f"productId {row['productId']} is not in that market and "
                              "product type")
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
    """A row without a product: every product of its market and type (contract §9)."""
    if contract or row["instrumentId"] is not None:
        raise ApiFailure(400, "a contract row needs its productId")
    types = {p["productTypeId"] for p in env.products.values()
             if p["marketId"] == row["marketId"]}
    if row["productTypeId"] not in types:
        raise ApiFailure(400, f"market {row['marketId']} lists no product of type "
                              f"{row['productTypeId']}")


def delete(record: Record, limit_id: int) -> None:
    for name in LISTS:
        for row in record[name]:
            if row["id"] == limit_id:
                record[name].remove(row)
                return
    raise ApiFailure(404, f"no limit row {limit_id}")
