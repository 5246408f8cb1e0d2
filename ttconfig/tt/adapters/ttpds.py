"""ttpds: markets, product families, products and instruments, to resolve names to TT ids
(§7; read only)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ttconfig.tt import wire
from ttconfig.tt.adapters import fields
from ttconfig.tt.http import TTHttp
from ttconfig.tt.records import Instrument, Market, Product, ProductFamily

SERVICE = wire.TTPDS
PRODUCT_TYPES = {34: "future", 51: "option", 27: "spread", 48: "stock", 1: "index"}


def expiration(value: Any) -> datetime | None:
    """TT's `expirationDate`, an integer yyyyMMddHHmmss (contract §9), as UTC (ASSUMED: TT
    does not say its zone); None when absent or not such a number."""
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else None
    if text is None or len(text) != 14:
        return None
    try:
        return datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None


@fields.checked
class ReferenceApi:
    def __init__(self, http: TTHttp) -> None:
        self._http = http

    async def markets(self) -> list[Market]:
        body = await self._http.get(SERVICE, "markets")
        return [Market(id=int(m["id"]), name=str(m["name"])) for m in body.get("markets") or []]

    async def products(self, *, market_id: int | None = None,
                       product_type_id: int | None = None) -> list[Product]:
        params = {k: str(v) for k, v in (("marketId", market_id),
                                         ("productTypeId", product_type_id)) if v is not None}
        items = await self._http.get_paged(SERVICE, "products", "products", params)
        return [Product(id=str(p["id"]), symbol=str(p["symbol"]), name=str(p.get("name", "")),
                        market_id=int(p["marketId"]), product_type_id=int(p["productTypeId"]),
                        family_id=None if p.get("familyId") is None else str(p["familyId"]))
                for p in items]

    async def families(self) -> list[ProductFamily]:
        """Every market's product families (contract §9: ASSUMED path and keys)."""
        items = await self._http.get_paged(SERVICE, "productfamilies", "productFamilies", {})
        return [ProductFamily(id=str(f["id"]), name=str(f["name"]), market_id=int(f["marketId"]))
                for f in items]

    async def instruments(self, product_id: str) -> list[Instrument]:
        items = await self._http.get_paged(SERVICE, "instruments", "instruments",
                                           {"productId": product_id})
        return [Instrument(id=str(i["id"]), alias=str(i.get("alias", "")),
                           name=str(i.get("name", "")), product_id=str(i["productId"]),
                           expires=expiration(i.get("expirationDate")))
                for i in items]
