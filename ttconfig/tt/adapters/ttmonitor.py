"""ttmonitor: positions and credit utilization, read only (paths SEEN in public clients,
answer keys ASSUMED: contract §9).

ttconfig never writes here: a plan reads what the accounts it changes hold now, so a
reviewer sees what a risk change means for the positions and credit in use.
"""

from __future__ import annotations

from ttconfig.tt import wire
from ttconfig.tt.adapters import fields
from ttconfig.tt.http import Json, TTHttp
from ttconfig.tt.records import CreditUse, Position

SERVICE = wire.TTMONITOR
POSITIONS = "positions"
CREDIT_UTILIZATION = "creditUtilization"
POSITION_KEYS = {"net": "netPosition", "working_buy": "workingBuyQty",
                 "working_sell": "workingSellQty"}


def _quantity(data: Json, key: str) -> int | float:
    value = fields.number(data, key)
    return 0 if value is None else value


def position_from_json(data: Json) -> Position:
    """A position; working quantities TT did not send stay None (the worst case is then
    the position alone, and plans say so)."""
    instrument = data.get("instrumentId")
    working = {name: fields.number(data, key) for name, key in POSITION_KEYS.items()
               if name != "net"}
    if any(value is not None and value < 0 for value in working.values()):
        raise ValueError(f"a working quantity is negative: {working}")
    return Position(account_id=fields.identifier(data, "accountId"),
                    market_id=fields.identifier(data, "marketId"),
                    product_id=str(data["productId"]),
                    product_type_id=fields.identifier(data, "productTypeId"),
                    net=_quantity(data, POSITION_KEYS["net"]),
                    working_buy=working["working_buy"], working_sell=working["working_sell"],
                    instrument_id=None if instrument is None else str(instrument))


@fields.checked
class MonitorApi:
    def __init__(self, http: TTHttp) -> None:
        self._http = http

    async def product_positions(self, account_id: int) -> list[Position]:
        """The account's position per product (`productposition/{accountId}`)."""
        items = await self._http.get_paged(SERVICE, f"productposition/{account_id}",
                                           POSITIONS)
        return [position_from_json(i) for i in items]

    async def contract_positions(self, account_id: int) -> list[Position]:
        """The account's position per contract (`position/{accountId}`)."""
        items = await self._http.get_paged(SERVICE, f"position/{account_id}", POSITIONS)
        return [position_from_json(i) for i in items]

    async def all_product_positions(self) -> list[Position]:
        """Every account's position per product (`productposition`, paged): one listing
        instead of a request per account, for reports over the whole firm (drift)."""
        items = await self._http.get_paged(SERVICE, "productposition", POSITIONS)
        return [position_from_json(i) for i in items]

    async def all_contract_positions(self) -> list[Position]:
        """Every account's position per contract (`position`, paged)."""
        items = await self._http.get_paged(SERVICE, "position", POSITIONS)
        return [position_from_json(i) for i in items]

    async def credit(self, account_id: int) -> CreditUse | None:
        """The account's credit limit and use (`creditutilization?accountId=`); None when
        TT lists nothing for it."""
        items = await self._http.get_paged(SERVICE, "creditutilization", CREDIT_UTILIZATION,
                                           {"accountId": str(account_id)})
        found = [i for i in items if fields.identifier(i, "accountId") == account_id]
        if not found:
            return None
        item = found[0]
        currency = item.get("currency")
        return CreditUse(account_id=account_id, credit_limit=fields.number(item, "creditLimit"),
                         currency=None if currency is None else str(currency),
                         used=_quantity(item, "creditUsed"))
