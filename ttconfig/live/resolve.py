"""Every name the YAML gives TT's reference data, checked against what TT lists.

Markets, product families (by market), products (by market, symbol and type), contracts
(by alias within their product) and order-tag fields (by market) are TT's, not the YAML's:
the loader cannot know them, so a typo used to pass `validate` and `plan` and stop an
apply half-way. `unresolved` finds each such name in what the plan read, and says where it
is (an `Issue` path, which the loader turns into file:line:col) and what TT has that is
closest. Pure.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from ttconfig.live.read import LiveFirm
from ttconfig.models import Firm, Kind
from ttconfig.models.checks import Issue, Path, fold
from ttconfig.models.limits import ContractLimit, Leg, Limits, ProductLimit
from ttconfig.tt.adapters.ttpds import PRODUCT_TYPES

LIMIT_OWNERS = (Kind.ACCOUNTS, Kind.USERS, Kind.RISK_GROUPS)


def _near(name: str, names: Iterable[str]) -> str:
    """ "; did you mean X, Y?" for the closest of `names`, or nothing."""
    spelled = {fold(n): n for n in names}
    near = difflib.get_close_matches(fold(name), spelled, n=3, cutoff=0.6)
    return f"; did you mean {', '.join(spelled[n] for n in near)}?" if near else ""


@dataclass
class Catalog:
    """TT's reference data as the YAML names it (folded)."""

    markets: dict[str, str] = field(default_factory=dict)
    """folded name → name as TT spells it"""
    products: dict[tuple[str, str, str], str] = field(default_factory=dict)
    """(market, symbol, type) → product id"""
    symbols: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    """(market, type) → symbols as TT spells them"""
    contracts: dict[str, set[str]] = field(default_factory=dict)
    """product id → aliases as TT spells them (products whose contracts were read)"""
    fields: dict[str, set[str]] = field(default_factory=dict)
    """market → order-tag field names as TT spells them"""
    families: dict[str, set[str]] = field(default_factory=dict)
    """market → product family names as TT spells them (when they were read)"""

    @classmethod
    def of(cls, live: LiveFirm) -> Catalog:
        catalog = cls(markets={fold(m.name): m.name for m in live.markets})
        names = {m.id: m.name for m in live.markets}
        for p in live.products:
            market = fold(names.get(p.market_id, ""))
            kind = PRODUCT_TYPES.get(p.product_type_id, "")
            catalog.products[(market, fold(p.symbol), kind)] = p.id
            catalog.symbols.setdefault((market, kind), set()).add(p.symbol)
        for i in live.instruments:
            catalog.contracts.setdefault(i.product_id, set()).add(i.alias)
        for f in live.fields:
            catalog.fields.setdefault(fold(names.get(f.market_id, "")), set()).add(f.name)
        for family in live.families:
            catalog.families.setdefault(fold(names.get(family.market_id, "")), set()).add(
                family.name)
        return catalog

    def market(self, path: Path, name: str) -> Iterator[Issue]:
        if fold(name) not in self.markets:
            yield Issue((*path, "market"), f"market {name!r} is not in TT"
                        f"{_near(name, self.markets.values())}")

    def product(self, path: Path, market: str, symbol: str, kind: str) -> Iterator[Issue]:
        if fold(market) not in self.markets:
            yield from self.market(path, market)
        elif (fold(market), fold(symbol), kind) not in self.products:
            other = sorted(t for (m, s, t) in self.products
                           if (m, s) == (fold(market), fold(symbol)))
            hint = (f"; TT lists it as {' and '.join(other)}" if other else
                    _near(symbol, self.symbols.get((fold(market), kind), ())))
            yield Issue((*path, "product"), f"{market} has no {kind} product {symbol!r}{hint}")

    def row(self, path: Path, row: ProductLimit) -> Iterator[Issue]:
        if row.is_default:
            yield from self.market(path, row.market)
            if row.family is not None and fold(row.market) in self.markets:
                yield from self.family(path, row.market, row.family)
            return
        problems = list(self.product(path, row.market, row.product, row.type))
        yield from problems
        if problems or not isinstance(row, ContractLimit):
            return
        product = self.products[(fold(row.market), fold(row.product), row.type)]
        aliases = self.contracts.get(product, set())
        if fold(row.contract) not in {fold(a) for a in aliases}:
            yield Issue((*path, "contract"), f"{row.market} {row.product} has no contract "
                        f"{row.contract!r}{_near(row.contract, aliases)}")

    def family(self, path: Path, market: str, name: str) -> Iterator[Issue]:
        names = self.families.get(fold(market), set())
        if fold(name) not in {fold(n) for n in names}:
            yield Issue((*path, "family"), f"{market} has no product family {name!r}"
                        f"{_near(name, names)}")

    def field(self, path: Path, market: str, name: str) -> Iterator[Issue]:
        if fold(market) not in self.markets:
            yield from self.market(path, market)
            return
        names = self.fields.get(fold(market), set())
        if fold(name) not in {fold(n) for n in names}:
            yield Issue((*path, "field"), f"{market} has no order-tag field {name!r}"
                        f"{_near(name, names)}")


def _limits(path: Path, limits: Limits | None) -> Iterator[tuple[Path, ProductLimit]]:
    if limits is None:
        return
    for section in ("products", "contracts"):
        rows: list[ProductLimit] = list(getattr(limits, section))
        for index, row in enumerate(rows):
            yield (*path, "limits", section, index), row


def _legs(path: Path, limits: Limits | None) -> Iterator[tuple[Path, Leg]]:
    for index, row in enumerate([] if limits is None else limits.inter_product):
        for number, leg in enumerate(row.legs):
            yield (*path, "limits", "inter_product", index, "legs", number), leg


def unresolved(firm: Firm, live: LiveFirm | Catalog) -> list[Issue]:
    """Every market, product, contract and field name of `firm` that TT does not list."""
    catalog = live if isinstance(live, Catalog) else Catalog.of(live)
    issues: list[Issue] = []
    for kind in LIMIT_OWNERS:
        for index, owner in enumerate(firm.of(kind)):
            limits = getattr(owner, "limits", None)
            for path, row in _limits((kind.value, index), limits):
                issues += catalog.row(path, row)
            for path, leg in _legs((kind.value, index), limits):
                issues += catalog.product(path, leg.market, leg.product, leg.type)
    for index, user in enumerate(firm.users):
        for number, entry in enumerate(user.exchanges or []):
            issues += catalog.market((Kind.USERS.value, index, "exchanges", number),
                                     entry.market)
    for index, margin in enumerate(firm.product_margins):
        issues += catalog.product((Kind.PRODUCT_MARGINS.value, index), margin.market,
                                  margin.product, margin.type)
    for index, default in enumerate(firm.order_tag_defaults):
        issues += catalog.field((Kind.ORDER_TAG_DEFAULTS.value, index), default.market,
                                default.field)
        if default.product is not None:
            issues += catalog.product((Kind.ORDER_TAG_DEFAULTS.value, index), default.market,
                                      default.product, default.type or "future")
    return issues


