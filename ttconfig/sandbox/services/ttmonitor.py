"""ttmonitor: positions and credit utilization (paths SEEN in public clients, answer shapes
ASSUMED: contract §9 and the ttmonitor wire contract).

Read only over the API, as at TT: positions come from fills and resting orders, which no
REST call of a risk administrator makes. The store keeps positions per (account,
instrument) only; the per-product and per-family answers are summed from them on every
request, so no answer can disagree with another. An account's credit limit and currency
are read from its risk settings on every request, never copied, so a risk change a plan
applies shows in the next credit answer.

Tests and demos change positions and credit in use through two web-UI-only writes (TT's
own screens, simulated): `PUT position/{accountId}` and `PUT creditutilization/{accountId}`,
reached only by `SandboxApp.apply_edit`; over the API they are 405 like any method a path
does not allow.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from ttconfig.sandbox import validate as v
from ttconfig.sandbox.routing import ApiFailure, Call, Reply, Router
from ttconfig.sandbox.services.common import account, company_rows
from ttconfig.sandbox.store import EnvData, Record

QUANTITIES = ("netPosition", "workingBuyQty", "workingSellQty")
POSITIONS = "positions"
CREDIT = "creditUtilization"


def register(router: Router) -> None:
    svc = "ttmonitor"
    router.add("GET", svc, "productposition")(list_product_positions)
    router.add("GET", svc, "productposition/{accountId}")(get_product_positions)
    router.add("GET", svc, "position")(list_positions)
    router.add("GET", svc, "position/{accountId}")(get_positions)
    router.add("GET", svc, "productfamilyposition/{accountId}")(get_family_positions)
    router.add("GET", svc, "creditutilization")(get_credit_utilization)
    router.add("PUT", svc, "position/{accountId}", ui_only=True)(put_positions)
    router.add("PUT", svc, "creditutilization/{accountId}", ui_only=True)(put_credit_used)


# ------------------------------------------------------------------------------ positions


def _numeric(value: str) -> tuple[int, str]:
    """Sort order of TT's string ids: numeric (they are unsigned 64-bit integers)."""
    return (int(value), value) if value.isdigit() else (-1, value)


def _held(env: EnvData, account_id: int) -> list[Record]:
    """The account's positions per instrument, as `position/{accountId}` lists them: each
    with its instrument's market, product and type; sorted by market, product, instrument.

    An instrument no longer in the reference data is skipped (it cannot be placed)."""
    items = []
    for row in env.positions.get(account_id, {}).get("instruments", []):
        instrument = env.instruments.get(row["instrumentId"])
        if instrument is None:
            continue
        items.append({"accountId": account_id, "marketId": instrument["marketId"],
                      "productId": instrument["productId"],
                      "productTypeId": instrument["productTypeId"],
                      "instrumentId": row["instrumentId"],
                      **{key: row[key] for key in QUANTITIES}})
    items.sort(key=lambda i: (i["marketId"], _numeric(i["productId"]),
                              _numeric(i["instrumentId"])))
    return items


def _open(item: Record) -> bool:
    """Listed at all: a non-zero net or working quantity (contract: "only products with a
    non-zero net or working quantity"; the same rule for instruments and families)."""
    return any(item[key] for key in QUANTITIES)


def _summed(items: Iterable[Record], keys: tuple[str, ...]) -> list[Record]:
    """The quantities of `items` summed per value of `keys`, in first-seen order; the
    sums that come to nothing left out."""
    totals: dict[tuple[Any, ...], Record] = {}
    for item in items:
        group = tuple(item[key] for key in keys)
        total = totals.setdefault(group, {**{key: item[key] for key in keys},
                                          **dict.fromkeys(QUANTITIES, 0)})
        for key in QUANTITIES:
            total[key] += item[key]
    return [total for total in totals.values() if _open(total)]


PRODUCT_KEYS = ("accountId", "marketId", "productId", "productTypeId")
FAMILY_KEYS = ("accountId", "marketId", "productFamilyId", "productTypeId")


def _instruments(env: EnvData, account_id: int) -> list[Record]:
    """Per instrument: each the product item plus its instrumentId."""
    return [item for item in _held(env, account_id) if _open(item)]


def _products(env: EnvData, account_id: int) -> list[Record]:
    """Per product: its instruments summed; already in (marketId, productId) order."""
    return _summed(_held(env, account_id), PRODUCT_KEYS)


def _families(env: EnvData, account_id: int) -> list[Record]:
    """Per product family and product type (ASSUMED: a family's futures and options are
    not added together, as the item names one productTypeId): its products summed, by the
    product's familyId. Products without a family are left out."""
    items = []
    for item in _held(env, account_id):
        family = env.products.get(item["productId"], {}).get("familyId")
        if family is not None:
            items.append({**item, "productFamilyId": family})
    items.sort(key=lambda i: (i["marketId"], _numeric(i["productFamilyId"]),
                              i["productTypeId"]))
    return _summed(items, FAMILY_KEYS)


def _of_account(per_account: Callable[[EnvData, int], list[Record]]) -> Callable[[Call], Reply]:
    def handler(call: Call) -> Reply:
        account_id, _record = account(call)
        return Reply({POSITIONS: per_account(call.env, account_id)}, POSITIONS)

    handler.__doc__ = f"One account of the caller's company (else 404): {per_account.__doc__}"
    return handler


def _of_company(per_account: Callable[[EnvData, int], list[Record]]) -> Callable[[Call], Reply]:
    def handler(call: Call) -> Reply:
        rows = sorted(company_rows(call, call.env.accounts), key=lambda r: r["id"])
        items = [item for row in rows for item in per_account(call.env, row["id"])]
        return Reply({POSITIONS: items}, POSITIONS)

    handler.__doc__ = f"Every account of the caller's company, by account id: {per_account.__doc__}"
    return handler


get_product_positions = _of_account(_products)
list_product_positions = _of_company(_products)
get_positions = _of_account(_instruments)
list_positions = _of_company(_instruments)
get_family_positions = _of_account(_families)


def _instrument_id(name: str, value: Any) -> str:
    """An instrument id as ttpds lists it: a string of digits (a JSON number would lose
    digits above 2**53 in most clients, so it is refused rather than coerced)."""
    if not isinstance(value, str) or not value.isdigit():
        raise ApiFailure(400, f"{name} must be an instrument id as ttpds lists it "
                              "(a string of digits)")
    return value


def _working(name: str, value: Any) -> int:
    if not v.is_int(value) or value < 0:
        raise ApiFailure(400, f"{name} must be a non-negative integer")
    return int(value)


_POSITION_FIELDS: dict[str, v.Check] = {
    "instrumentId": _instrument_id, "netPosition": v.integer,
    "workingBuyQty": _working, "workingSellQty": _working,
}


def _checked_position(env: EnvData, raw: Any, index: int) -> Record:
    where = f"positions[{index}]"
    given = v.fields(raw, {key: lambda _n, x: x for key in _POSITION_FIELDS}, where=where)
    if "instrumentId" not in given or "netPosition" not in given:
        raise ApiFailure(400, f"{where} needs instrumentId and netPosition")
    data = {key: _POSITION_FIELDS[key](f"{where}.{key}", value) for key, value in given.items()}
    if data["instrumentId"] not in env.instruments:
        raise ApiFailure(400, f"{where}.instrumentId: instrument {data['instrumentId']} "
                              "not found")
    return {"instrumentId": data["instrumentId"], "netPosition": data["netPosition"],
            "workingBuyQty": data.get("workingBuyQty", 0),
            "workingSellQty": data.get("workingSellQty", 0)}


def put_positions(call: Call) -> Reply:
    """Web UI only (ASSUMED body, contract §9): replace the account's positions with
    `{"positions": [{instrumentId, netPosition, workingBuyQty?, workingSellQty?}]}` (working
    quantities default to 0). All checked before any is stored; flat rows are not kept."""
    account_id, _record = account(call)
    body = v.fields(call.body, {POSITIONS: v.items})
    v.required(body, POSITIONS)
    rows = [_checked_position(call.env, raw, i) for i, raw in enumerate(body[POSITIONS])]
    ids = [row["instrumentId"] for row in rows]
    if len(set(ids)) != len(ids):
        raise ApiFailure(400, "the same instrumentId appears twice in positions")
    kept = [row for row in rows if _open(row)]
    if kept:
        call.env.positions[account_id] = {"accountId": account_id, "instruments": kept}
    else:
        call.env.positions.pop(account_id, None)
    return Reply({POSITIONS: _instruments(call.env, account_id)})


# ------------------------------------------------------------------------------- credit


def _credit(env: EnvData, account_id: int) -> Record:
    """The account's credit limit and currency from its risk settings (read now: a risk
    change shows at once) and the credit it uses (0 when none is stored)."""
    settings = env.risk_settings.get(account_id, {})
    used = env.credit_usage.get(account_id, {}).get("creditUsed", 0)
    return {"accountId": account_id, "creditLimit": settings.get("creditLimit"),
            "currency": settings.get("currency", "USD"), "creditUsed": used}


def get_credit_utilization(call: Call) -> Reply:
    """`creditutilization?accountId=N`: that account (400 not an integer, 404 not of the
    company); without it, every account of the company by id. Paged either way."""
    if "accountId" in call.query:
        one = replace(call, params={**call.params, "accountId": call.query["accountId"]})
        ids = [account(one)[0]]
    else:
        ids = sorted(r["id"] for r in company_rows(call, call.env.accounts))
    return Reply({CREDIT: [_credit(call.env, account_id) for account_id in ids]}, CREDIT)


def _credit_used(name: str, value: Any) -> float | int:
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if not number or not math.isfinite(value) or value < 0:
        raise ApiFailure(400, f"{name} must be a non-negative number")
    used: float | int = value
    return used


def put_credit_used(call: Call) -> Reply:
    """Web UI only (ASSUMED body, contract §9): `{"creditUsed": number >= 0}` sets the credit
    the account uses now; its limit stays the risk settings'."""
    account_id, _record = account(call)
    body = v.fields(call.body, {"creditUsed": _credit_used})
    v.required(body, "creditUsed")
    call.env.credit_usage[account_id] = {"accountId": account_id,
                                         "creditUsed": body["creditUsed"]}
    return Reply({CREDIT: [_credit(call.env, account_id)]})
