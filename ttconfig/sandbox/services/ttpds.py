"""ttpds: reference data (markets, products, instruments); read only (§7)."""

from __future__ import annotations

from ttconfig.sandbox.routing import ApiFailure, Call, Reply, Router


def register(router: Router) -> None:
    router.add("GET", "ttpds", "markets")(list_markets)
    router.add("GET", "ttpds", "products")(list_products)
    router.add("GET", "ttpds", "instruments")(list_instruments)


def _int_query(call: Call, name: str) -> int | None:
    value = call.query.get(name)
    if value is None:
        return None
    if not value.isdigit():
        raise ApiFailure(400, f"{name} must be an integer")
    return int(value)


def list_markets(call: Call) -> Reply:
    markets = sorted(call.env.markets.values(), key=lambda r: r["id"])
    return Reply({"markets": [dict(m) for m in markets]})


def list_products(call: Call) -> Reply:
    market_id = _int_query(call, "marketId")
    type_id = _int_query(call, "productTypeId")
    rows = [p for p in call.env.products.values()
            if market_id in (None, p["marketId"]) and type_id in (None, p["productTypeId"])]
    rows.sort(key=lambda r: (r["marketId"], r["symbol"], r["productTypeId"]))
    return Reply({"products": [dict(p) for p in rows]}, "products")


def list_instruments(call: Call) -> Reply:
    product_id = call.query.get("productId")
    if product_id is None:
        raise ApiFailure(400, "productId is required")
    rows = sorted((i for i in call.env.instruments.values() if i["productId"] == product_id),
                  key=lambda r: r["id"])
    return Reply({"instruments": [dict(i) for i in rows]}, "instruments")
