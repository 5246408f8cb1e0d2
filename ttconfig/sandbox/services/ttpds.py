"""ttpds: reference data (markets, product families, products, instruments); read only (§7)."""

from __future__ import annotations

from ttconfig.sandbox.routing import ApiFailure, Call, Reply, Router


def register(router: Router) -> None:
    router.add("GET", "ttpds", "markets")(list_markets)
    router.add("GET", "ttpds", "productfamilies")(list_families)
    router.add("GET", "ttpds", "products")(list_products)
    router.add("GET", "ttpds", "instruments")(list_instruments)
    router.add("GET", "ttpds", "instrument/{instrumentId}")(get_instrument)


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


def list_families(call: Call) -> Reply:
    """Product families (contract §9, ASSUMED: `productFamilies: [{id, name, marketId}]`),
    optionally of one market; paged like products."""
    market_id = _int_query(call, "marketId")
    rows = sorted((f for f in call.env.families.values() if market_id in (None, f["marketId"])),
                  key=lambda r: (r["marketId"], r["name"]))
    return Reply({"productFamilies": [dict(f) for f in rows]}, "productFamilies")


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


def get_instrument(call: Call) -> Reply:
    """One instrument by id, as every public REST 2.0 client asks for it (contract §9):
    wrapped in a one-element array, like TT's other single-object answers."""
    instrument_id = call.params["instrumentId"]
    if not instrument_id.isdigit():
        raise ApiFailure(400, f"instrumentId must be an integer, got {instrument_id!r}")
    found = call.env.instruments.get(instrument_id)
    if found is None:
        raise ApiFailure(404, f"instrument {instrument_id} not found")
    return Reply({"instrument": [dict(found)]})
