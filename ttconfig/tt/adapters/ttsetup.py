"""ttsetup: the key's company, order-tag fields and defaults, product margins (§6)."""

from __future__ import annotations

from collections.abc import Sequence

from ttconfig.tt import wire
from ttconfig.tt.adapters import fields
from ttconfig.tt.batching import chunk_bodies, post_batches
from ttconfig.tt.http import Json, TTHttp
from ttconfig.tt.records import Company, OrderTagDefault, OrderTagField, ProductMargin

SERVICE = wire.TTSETUP
DEFAULT_KEYS = {"id": "id", "account_id": "accountId", "user_id": "userId",
                "market_id": "marketId", "field_id": "fieldId", "value": "value"}
DEFAULT_SCOPE_KEYS = {"profile": "profile", "algo_type": "algoType", "algo_name": "algoName",
                      "product_group": "productGroup", "product_type_id": "productTypeId",
                      "product_id": "productId"}
"""An order-tag default's further keys (ASSUMED, contract §9: TT Setup keys defaults by
profile, algo type and name, product group, type and product; null matches anything).
Sent only when set, so a default keyed by account and user alone is written as before."""
MARGIN_KEYS = {"id": "id", "market_id": "marketId", "product_type_id": "productTypeId",
               "product_id": "productId", "currency": "currency",
               "outright_margin": "outrightMargin", "spread_margin": "spreadMargin"}
COMPANY_SETTINGS_KEYS = {"default_limits_to_zero": "defaultLimitsToZero",
                         "advanced_risk": "advancedRisk", "market_impact": "marketImpact"}
"""Company settings that change what limits mean (ASSUMED, contract §9)."""
LIQUIDATION_USER = "liquidationUserId"
"""The user TT closes positions as when a credit-loss action says so (ASSUMED)."""


def field_from_json(data: Json) -> OrderTagField:
    enums = tuple((int(e["valueEnumId"]), str(e["valueEnumName"]))
                  for e in data.get("enums") or [])
    return OrderTagField(id=int(data["fieldId"]), market_id=int(data["marketId"]),
                         name=str(data["name"]), is_required=bool(data.get("isRequired", 0)),
                         value_type_id=int(data.get("valueTypeId", 0)), enums=enums)


def default_from_json(data: Json) -> OrderTagDefault:
    scope = {name: value for name, value in fields.read(DEFAULT_SCOPE_KEYS, data).items()
             if value is not None}
    if "product_id" in scope:
        scope["product_id"] = str(scope["product_id"])
    return OrderTagDefault(**{"id": None, "account_id": None, "user_id": None,
                              **fields.read(DEFAULT_KEYS, data), **scope})


def default_to_json(default: OrderTagDefault) -> Json:
    body = {k: getattr(default, f) for f, k in DEFAULT_KEYS.items() if f != "id"}
    body.update({k: getattr(default, f) for f, k in DEFAULT_SCOPE_KEYS.items()
                 if getattr(default, f) is not None})
    return body


def margin_from_json(data: Json) -> ProductMargin:
    values = fields.read(MARGIN_KEYS, data)
    return ProductMargin(**{"id": None, **values, "product_id": str(values["product_id"])})


def margin_to_json(margin: ProductMargin) -> Json:
    return {key: getattr(margin, name) for name, key in MARGIN_KEYS.items() if name != "id"}


@fields.checked
class SetupApi:
    def __init__(self, http: TTHttp) -> None:
        self._http = http

    async def company(self) -> Company:
        body = await self._http.get(SERVICE, "company")
        data = fields.single(body, "company")
        settings = {field: data[key] for field, key in COMPANY_SETTINGS_KEYS.items()
                    if isinstance(data.get(key), bool)}
        liquidation = data.get(LIQUIDATION_USER)
        return Company(id=int(data["id"]), name=str(data["name"]),
                       abbrev_name=str(data.get("abbrevName", "")), **settings,
                       liquidation_user_id=liquidation if isinstance(liquidation, int)
                       and not isinstance(liquidation, bool) else None)

    async def order_tag_fields(self) -> list[OrderTagField]:
        items = await self._http.get_paged(SERVICE, "ordertagdefaults/fields", "fields")
        return [field_from_json(i) for i in items]

    async def order_tag_defaults(self) -> list[OrderTagDefault]:
        items = await self._http.get_paged(SERVICE, "ordertagdefaults", "orderTagDefaults")
        return [default_from_json(i) for i in items]

    async def create_order_tag_defaults(
            self, defaults: Sequence[OrderTagDefault]) -> list[OrderTagDefault]:
        items = [default_to_json(d) for d in defaults]
        answers = await post_batches(self._http, SERVICE, "ordertagdefaults",
                                     chunk_bodies({"orderTagDefaults": items}))
        return [default_from_json(i) for a in answers for i in a.get("orderTagDefaults") or []]

    async def update_order_tag_default(self, default_id: int, value: str) -> OrderTagDefault:
        answer = await self._http.post(SERVICE, f"ordertagdefaults/{default_id}",
                                       {"value": value})
        return default_from_json(fields.single(answer, "orderTagDefaults"))

    async def delete_order_tag_default(self, default_id: int) -> None:
        await self._http.delete(SERVICE, f"ordertagdefaults/{default_id}")

    async def product_margins(self, company_id: int) -> list[ProductMargin]:
        items = await self._http.get_paged(SERVICE, f"company/productmargin/{company_id}",
                                           "productMargins")
        return [margin_from_json(i) for i in items]

    async def upsert_product_margins(self, company_id: int,
                                     margins: Sequence[ProductMargin]) -> list[ProductMargin]:
        bodies = chunk_bodies({"productMargins": [margin_to_json(m) for m in margins]})
        answers = await post_batches(self._http, SERVICE, f"company/productmargin/{company_id}",
                                     bodies)
        return [margin_from_json(i) for a in answers for i in a.get("productMargins") or []]

    async def delete_product_margin(self, company_id: int, margin_id: int) -> None:
        await self._http.delete(SERVICE, f"company/productmargin/{company_id}/{margin_id}")
