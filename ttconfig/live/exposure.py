"""Read from ttmonitor what the accounts a plan changes hold now, and only that.

`core.exposure.needs` names the accounts; this reads their positions (by product, and by
contract where a contract row changes) and credit in use, concurrently under the plan's
rate, and names TT's ids as the YAML does. A failed request never fails the plan: the
account's exposure is *unknown* (the request is named), and nothing is judged on it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TypeVar

from ttconfig.core.exposure import Book, ContractRef, Holding, Needs, ProductRef
from ttconfig.live.read import LiveFirm
from ttconfig.models.checks import fold
from ttconfig.tt.adapters.ttpds import PRODUCT_TYPES
from ttconfig.tt.client import TTClient
from ttconfig.tt.errors import TTError
from ttconfig.tt.records import Position


class _Refs:
    """TT's ids → the folded names limit rows use."""

    def __init__(self, live: LiveFirm) -> None:
        markets = {m.id: fold(m.name) for m in live.markets}
        families = {f.id: fold(f.name) for f in live.families}
        self.products: dict[str, ProductRef] = {}
        self.symbols: dict[ProductRef, str] = {}
        self.families: dict[ProductRef, str] = {}
        for p in live.products:
            ref = (markets.get(p.market_id, ""), fold(p.symbol),
                   PRODUCT_TYPES.get(p.product_type_id, ""))
            self.products[p.id] = ref
            self.symbols[ref] = p.symbol
            if p.family_id in families:
                self.families[ref] = families[p.family_id]
        self.contracts = {i.id: (i.product_id, fold(i.alias)) for i in live.instruments}

    def product(self, position: Position) -> ProductRef | None:
        return self.products.get(position.product_id)

    def contract(self, position: Position) -> ContractRef | None:
        found = self.contracts.get(position.instrument_id or "")
        product = None if found is None else self.products.get(found[0])
        return None if found is None or product is None else (*product, found[1])


def _holding(position: Position) -> Holding:
    return Holding(position.net, position.working_buy, position.working_sell)


T = TypeVar("T")
R = TypeVar("R")


class _Reader:
    """The exposure reads of one plan; a failed one marks its account unknown."""

    def __init__(self, tt: TTClient, live: LiveFirm) -> None:
        self.ids = {fold(a.account.name): a.account.id for a in live.accounts}
        self.unknown: dict[str, str] = {}

    async def each(self, names: Sequence[str], read: Callable[[int], Awaitable[T]],
                   ) -> dict[str, T]:
        """`read` of every named account TT holds (an account this plan creates holds
        nothing yet), by folded name; those that failed are left out."""
        async def one(name: str) -> tuple[str, T | None]:
            account = self.ids.get(fold(name))
            if account is None:
                return fold(name), None
            try:
                return fold(name), await read(account)
            except TTError as error:
                self.unknown.setdefault(fold(name), str(error))
                return fold(name), None
        answers = await asyncio.gather(*(one(name) for name in names))
        return {name: answer for name, answer in answers if answer is not None}


async def read_book(tt: TTClient, live: LiveFirm, wanted: Needs) -> Book:
    """What `wanted`'s accounts hold, as `core.exposure.annotate` reads it."""
    refs = _Refs(live)
    reader = _Reader(tt, live)
    start = tt.stats.requests
    products, contracts, credit = await asyncio.gather(
        reader.each(wanted.positions, tt.monitor.product_positions),
        reader.each(wanted.contracts, tt.monitor.contract_positions),
        reader.each(wanted.credit, tt.monitor.credit))
    return Book(
        products={a: _by(positions, refs.product) for a, positions in products.items()},
        contracts={a: _by(positions, refs.contract) for a, positions in contracts.items()},
        credit={a: 0.0 if use is None else float(use.used) for a, use in credit.items()},
        unknown=reader.unknown, families=refs.families, symbols=refs.symbols,
        requests=tt.stats.requests - start, accounts=len(wanted.accounts))


def _by(positions: list[Position], ref: Callable[[Position], R | None]) -> Mapping[R, Holding]:
    held: dict[R, Holding] = {}
    for position in positions:
        key = ref(position)
        if key is not None:
            held[key] = held[key] + _holding(position) if key in held else _holding(position)
    return held


async def read_whole_book(tt: TTClient, live: LiveFirm) -> Book:
    """Every account's positions (two paged listings), for a report over the whole firm:
    a request per account would cost thousands at scale. A failed listing leaves the
    book empty and says why (`Book.unknown["*"]`)."""
    refs = _Refs(live)
    start = tt.stats.requests
    try:
        products, contracts = await asyncio.gather(tt.monitor.all_product_positions(),
                                                   tt.monitor.all_contract_positions())
    except TTError as error:
        return Book(unknown={"*": str(error)}, requests=tt.stats.requests - start)
    names = {a.account.id: fold(a.account.name) for a in live.accounts}
    return Book(products=_per_account(products, names, refs.product),
                contracts=_per_account(contracts, names, refs.contract),
                families=refs.families, symbols=refs.symbols,
                requests=tt.stats.requests - start)


def _per_account(positions: list[Position], names: Mapping[int, str],
                 ref: Callable[[Position], R | None]) -> dict[str, Mapping[R, Holding]]:
    accounts: dict[str, list[Position]] = {}
    for position in positions:
        if position.account_id in names:
            accounts.setdefault(names[position.account_id], []).append(position)
    return {name: _by(held, ref) for name, held in accounts.items()}
