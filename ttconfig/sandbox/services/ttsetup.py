"""ttsetup: the key's company, order-tag fields and defaults, company product margins (§6)."""

from __future__ import annotations

from typing import Any

from ttconfig.sandbox import validate as v
from ttconfig.sandbox.routing import ApiFailure, Call, Reply, Router
from ttconfig.sandbox.services.common import company_rows, owned
from ttconfig.sandbox.store import Record

DEFAULT_SCOPE = ("profile", "algoType", "algoName", "productGroup", "productTypeId",
                 "productId")
"""An order-tag default's further keys (ASSUMED, contract §9); null matches anything."""
DEFAULT_KEY = ("accountId", "userId", "marketId", "fieldId", *DEFAULT_SCOPE)
MARGIN_FIELDS: dict[str, v.Check] = {
    "marketId": v.integer, "productTypeId": v.integer, "productId": v.text,
    "currency": v.currency, "outrightMargin": v.money, "spreadMargin": v.money,
}


def register(router: Router) -> None:
    svc = "ttsetup"
    router.add("GET", svc, "company")(get_company)
    router.add("GET", svc, "ordertagdefaults")(list_defaults)
    router.add("POST", svc, "ordertagdefaults")(create_defaults)
    router.add("GET", svc, "ordertagdefaults/fields")(list_fields)
    router.add("POST", svc, "ordertagdefaults/{defaultId}")(update_default)
    router.add("DELETE", svc, "ordertagdefaults/{defaultId}")(delete_default)
    router.add("GET", svc, "company/productmargin/{companyId}")(list_margins)
    router.add("POST", svc, "company/productmargin/{companyId}")(upsert_margins)
    router.add("DELETE", svc, "company/productmargin/{companyId}/{marginId}")(delete_margin)


def _public(record: Record) -> Record:
    return {k: val for k, val in record.items() if k != "companyId"}


def get_company(call: Call) -> Reply:
    company = call.env.companies[call.company_id]
    return Reply({"company": [dict(company)]})


def list_defaults(call: Call) -> Reply:
    rows = sorted(company_rows(call, call.env.order_tag_defaults), key=lambda r: r["id"])
    return Reply({"orderTagDefaults": [_public(r) for r in rows]}, "orderTagDefaults")


def list_fields(call: Call) -> Reply:
    rows = sorted(call.env.order_tag_fields.values(), key=lambda r: r["fieldId"])
    return Reply({"fields": [dict(r) for r in rows]}, "fields")


def _optional_id(name: str, value: Any) -> int | None:
    return None if value is None else v.integer(name, value)


def _optional_text(name: str, value: Any) -> str | None:
    return None if value is None else v.text(name, value)


def _check_default_product(call: Call, data: Record, where: str) -> None:
    """A product (with its type) or a type of the default's market."""
    product_id, type_id = data["productId"], data["productTypeId"]
    if product_id is not None:
        product = call.env.products.get(product_id)
        if product is None or (product["marketId"], product["productTypeId"]) != (
                data["marketId"], type_id):
            raise ApiFailure(400, f"{where}: productId {product_id} is not a product of "
                                  "that market and productTypeId")
    elif type_id is not None and not any(
            p["marketId"] == data["marketId"] and p["productTypeId"] == type_id
            for p in call.env.products.values()):
        raise ApiFailure(400, f"{where}: the market lists no product of type {type_id}")


def _checked_default(call: Call, raw: Any, index: int) -> Record:
    where = f"orderTagDefaults[{index}]"
    data = v.fields(raw, {"accountId": _optional_id, "userId": _optional_id,
                          "marketId": v.integer, "fieldId": v.integer,
                          "value": v.optional_text,
                          **{key: _optional_id if key == "productTypeId" else _optional_text
                             for key in DEFAULT_SCOPE}}, where=where)
    v.required(data, "marketId", "fieldId", "value")
    data = {"accountId": None, "userId": None, **dict.fromkeys(DEFAULT_SCOPE), **data}
    _check_default_product(call, data, where)
    field = call.env.order_tag_fields.get(data["fieldId"])
    if field is None or field["marketId"] != data["marketId"]:
        raise ApiFailure(400, f"{where}: field {data['fieldId']} is not a field of that market")
    for key, table in (("accountId", call.env.accounts), ("userId", call.env.users)):
        target = table.get(data[key]) if data[key] is not None else None
        if data[key] is not None and (target is None or target["companyId"] != call.company_id):
            raise ApiFailure(400, f"{where}: {key} {data[key]} not found")
    return data


def create_defaults(call: Call) -> Reply:
    body = v.fields(call.body, {"orderTagDefaults": v.items})
    v.required(body, "orderTagDefaults")
    checked = [_checked_default(call, raw, i) for i, raw in enumerate(body["orderTagDefaults"])]
    taken = {tuple(r.get(k) for k in DEFAULT_KEY) for r in company_rows(call,
                                                                    call.env.order_tag_defaults)}
    for data in checked:
        key = tuple(data[k] for k in DEFAULT_KEY)
        if key in taken:
            scope = dict(zip(DEFAULT_KEY, key, strict=True))
            raise ApiFailure(409, f"an order-tag default for {scope} already exists")
        taken.add(key)
    created = []
    for data in checked:
        new_id = call.env.new_id()
        call.env.order_tag_defaults[new_id] = {"id": new_id, "companyId": call.company_id, **data}
        created.append(_public(call.env.order_tag_defaults[new_id]))
    return Reply({"orderTagDefaults": created})


def update_default(call: Call) -> Reply:
    _default_id, record = owned(call, call.env.order_tag_defaults, "defaultId",
                                "order-tag default")
    data = v.fields(call.body, {"value": v.optional_text})
    v.required(data, "value")
    record.update(data)
    return Reply({"orderTagDefaults": [_public(record)]})


def delete_default(call: Call) -> Reply:
    default_id, _record = owned(call, call.env.order_tag_defaults, "defaultId",
                                "order-tag default")
    del call.env.order_tag_defaults[default_id]
    return Reply({"id": default_id})


def _own_company(call: Call) -> int:
    company_id = call.int_param("companyId")
    if company_id != call.company_id:
        raise ApiFailure(403, f"company {company_id} is not the company of this app key")
    return company_id


def list_margins(call: Call) -> Reply:
    _own_company(call)
    rows = sorted(company_rows(call, call.env.product_margins), key=lambda r: r["id"])
    return Reply({"productMargins": [_public(r) for r in rows]}, "productMargins")


def _checked_margin(call: Call, raw: Any, index: int) -> Record:
    where = f"productMargins[{index}]"
    data = v.fields(raw, {**MARGIN_FIELDS, "id": v.integer}, where=where)
    data.pop("id", None)
    v.required(data, "productId")
    product = call.env.products.get(data["productId"])
    if product is None:
        raise ApiFailure(400, f"{where}: unknown productId {data['productId']}")
    for key in ("marketId", "productTypeId"):
        if data.setdefault(key, product[key]) != product[key]:
            raise ApiFailure(400, f"{where}: {key} does not match product {data['productId']}")
    return data


def upsert_margins(call: Call) -> Reply:
    _own_company(call)
    body = v.fields(call.body, {"productMargins": v.items})
    v.required(body, "productMargins")
    checked = [_checked_margin(call, raw, i) for i, raw in enumerate(body["productMargins"])]
    by_product = {r["productId"]: r for r in company_rows(call, call.env.product_margins)}
    written = []
    for data in checked:
        record = by_product.get(data["productId"])
        if record is None:
            missing = [k for k in ("currency", "outrightMargin", "spreadMargin") if k not in data]
            if missing:
                raise ApiFailure(400, f"a new product margin needs {', '.join(missing)}")
            new_id = call.env.new_id()
            record = {"id": new_id, "companyId": call.company_id}
            call.env.product_margins[new_id] = record
            by_product[data["productId"]] = record
        record.update(data)
        written.append(_public(record))
    return Reply({"productMargins": written})


def delete_margin(call: Call) -> Reply:
    _own_company(call)
    margin_id, _record = owned(call, call.env.product_margins, "marginId", "product margin")
    del call.env.product_margins[margin_id]
    return Reply({"id": margin_id})
