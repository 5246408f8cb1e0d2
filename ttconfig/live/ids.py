"""Names → TT ids, for apply: the inverse of live.Names, kept current as apply creates.

Markets by name, products by (market, symbol, type), contracts by alias within their
product, accounts by name, users by email, groups by name, fields by (market, name), and
the ids of the live limit rows, margins and order-tag defaults a deletion needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ttconfig.errors import ConfigError
from ttconfig.live.read import ACCOUNT_TYPES, TRADE_MODES, LiveFirm
from ttconfig.models.checks import fold
from ttconfig.models.limits import EVERY_PRODUCT, NEW_ROW
from ttconfig.tt.adapters.ttpds import PRODUCT_TYPES
from ttconfig.tt.records import InterProductRow, LimitRow, LimitScope

TYPE_IDS = {name: type_id for type_id, name in PRODUCT_TYPES.items()}
ACCOUNT_TYPE_IDS = {name: type_id for type_id, name in ACCOUNT_TYPES.items()}
TRADE_MODE_IDS = {name: mode for mode, name in TRADE_MODES.items()}


class UnknownName(ConfigError):
    """A market, product, contract or field the YAML names does not exist in TT."""

    def __init__(self, message: str) -> None:
        super().__init__([message])


@dataclass
class Ids:
    company: int
    markets: dict[str, int] = field(default_factory=dict)
    products: dict[tuple[str, str, str], tuple[str, int, int]] = field(default_factory=dict)
    instruments: dict[tuple[str, str], str] = field(default_factory=dict)
    accounts: dict[str, int] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)
    user_groups: dict[str, int] = field(default_factory=dict)
    risk_groups: dict[str, int] = field(default_factory=dict)
    fields: dict[tuple[str, str], int] = field(default_factory=dict)
    families: dict[tuple[str, str], str] = field(default_factory=dict)
    """(market, family name), folded → the family's id"""

    @classmethod
    def of(cls, live: LiveFirm) -> Ids:
        ids = cls(company=live.company.id)
        markets = {m.id: m.name for m in live.markets}
        ids.markets = {fold(m.name): m.id for m in live.markets}
        for p in live.products:
            key = (fold(markets.get(p.market_id, "")), fold(p.symbol),
                   PRODUCT_TYPES.get(p.product_type_id, ""))
            ids.products[key] = (p.id, p.market_id, p.product_type_id)
        ids.instruments = {(i.product_id, fold(i.alias)): i.id for i in live.instruments}
        ids.families = {(fold(markets.get(f.market_id, "")), fold(f.name)): f.id
                        for f in live.families}
        ids.accounts = {fold(a.account.name): a.account.id for a in live.accounts}
        ids.users = {fold(u.email): u.id for u in live.users}
        ids.user_groups = {fold(g.name): g.id for g, _ in live.user_groups}
        ids.risk_groups = {fold(g.group.name): g.group.id for g in live.risk_groups}
        ids.fields = {(fold(markets.get(f.market_id, "")), fold(f.name)): f.id
                      for f in live.fields}
        return ids

    def market(self, name: str) -> int:
        try:
            return self.markets[fold(name)]
        except KeyError:
            raise UnknownName(f"market {name!r} does not exist in TT") from None

    def product(self, market: str, symbol: str, kind: str) -> tuple[str, int, int]:
        try:
            return self.products[(fold(market), fold(symbol), kind)]
        except KeyError:
            raise UnknownName(f"{market} has no {kind} product {symbol!r}") from None

    def family(self, market: str, name: str) -> str:
        try:
            return self.families[(fold(market), fold(name))]
        except KeyError:
            raise UnknownName(f"{market} has no product family {name!r}") from None

    def scope(self, row: dict[str, Any]) -> LimitScope:
        kind = row.get("type", "future")
        if row.get("product", EVERY_PRODUCT) == EVERY_PRODUCT:  # a default row
            family = None if row.get("family") is None else self.family(row["market"],
                                                                         row["family"])
            return LimitScope(self.market(row["market"]), TYPE_IDS[kind], None,
                              family_id=family)
        product_id, market_id, type_id = self.product(row["market"], row["product"], kind)
        instrument = None
        if "contract" in row:
            instrument = self.instruments.get((product_id, fold(row["contract"])))
            if instrument is None:
                raise UnknownName(f"{row['market']} {row['product']} has no contract "
                                  f"{row['contract']!r}")
        return LimitScope(market_id, type_id, product_id, instrument)


def limit_row(ids: Ids, desired: dict[str, Any],
              live: LimitRow | InterProductRow | None) -> LimitRow | InterProductRow:
    """The full row to send: the live row (or TT's defaults) with the declared values."""
    base = NEW_ROW if live is None else {k: getattr(live, k) for k in NEW_ROW}
    values = {k: desired.get(k, base[k]) for k in NEW_ROW}
    row_id = None if live is None else live.id
    if "legs" in desired:
        return InterProductRow(legs=tuple(ids.scope(leg) for leg in desired["legs"]),
                               id=row_id, **values)
    return LimitRow(scope=ids.scope(desired), id=row_id, **values)
