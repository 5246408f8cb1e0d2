"""`ttconfig explain`: which limit rows govern one product for one account, from the YAML.

An order on an account meets the account's own rows and those of its risk group; in each,
the most specific row that matches governs (contract > product > family > the default row
of the market and type). The YAML is what ttconfig makes live TT hold, so this reads no TT.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ttconfig.desired.loader import load_firm, located
from ttconfig.errors import UsageError
from ttconfig.models import Firm, Kind
from ttconfig.models.checks import Issue, fold
from ttconfig.models.limits import InterProductLimit, Limits, ProductLimit


@dataclass(frozen=True)
class Governed:
    """One owner's say over the product: the row that governs (None: no row matches)."""

    owner: str
    row: ProductLimit | None
    where: str | None = None
    """file:line of the row, when the YAML declared it."""
    families: tuple[str, ...] = ()
    """Family rows that govern instead if the product is in that family (not named)."""
    spreads: tuple[tuple[InterProductLimit, str | None], ...] = ()
    """Inter-product rows the product is a leg of, with their file:line: they limit the
    legs together, beside the product's own row."""


@dataclass(frozen=True)
class Explanation:
    account: str
    product: str
    governed: list[Governed]


@dataclass(frozen=True)
class Asked:
    """The product asked about: market, symbol, type, and a contract alias or None."""

    market: str
    product: str
    kind: str = "future"
    contract: str | None = None
    family: str | None = None
    """The product's family, when the asker names it (explain reads no TT)."""

    def __str__(self) -> str:
        return " ".join(p for p in (self.market, self.product, self.kind, self.contract) if p)


def governing(limits: Limits | None, asked: Asked) -> ProductLimit | None:
    """The row of `limits` that governs an order for the product asked about: the
    contract's row, else the product's, else its family's (when the family is named), else
    the default row of its market and type (TT's best match, contract §9, ASSUMED); None
    when no row matches."""
    if limits is None:
        return None
    market, product = fold(asked.market), fold(asked.product)
    if asked.contract is not None:
        contract = fold(asked.contract)
        for row in limits.contracts:
            if (fold(row.market), fold(row.product), row.type, fold(row.contract)) == (
                    market, product, asked.kind, contract):
                return row
    rows = [r for r in limits.products if fold(r.market) == market and r.type == asked.kind]
    family = None if asked.family is None else fold(asked.family)
    return (next((r for r in rows if fold(r.product) == product), None)
            or next((r for r in rows if r.family is not None and fold(r.family) == family),
                    None)
            or next((r for r in rows if r.is_default and r.family is None), None))


def unmatched_families(limits: Limits | None, asked: Asked) -> list[str]:
    """Family rows of the market and type that may govern the product, when the asker did
    not name its family (explain cannot tell whether the product is in them)."""
    if limits is None or asked.family is not None:
        return []
    return [r.family for r in limits.products if r.family is not None
            and fold(r.market) == fold(asked.market) and r.type == asked.kind]


def explain(folder: Path, account: str, asked: Asked) -> Explanation:
    firm = load_firm(folder, siblings=True)
    index = next((i for i, a in enumerate(firm.accounts) if fold(a.name) == fold(account)),
                 None)
    if index is None:
        raise UsageError(f"no account {account!r} in {folder}")
    declared = firm.accounts[index]
    governed = [_governed(firm, f"account {declared.name}", (Kind.ACCOUNTS, index),
                          declared.limits, asked)]
    for group_index, group in enumerate(firm.risk_groups):
        if any(fold(member) == fold(declared.name) for member in group.accounts):
            governed.append(_governed(firm, f"risk group {group.name}",
                                      (Kind.RISK_GROUPS, group_index), group.limits, asked))
    return Explanation(declared.name, str(asked), governed)


def spreads_of(limits: Limits | None, asked: Asked) -> list[int]:
    """Positions of the inter-product rows of `limits` with the asked product as a leg."""
    if limits is None:
        return []
    wanted = (fold(asked.market), fold(asked.product), asked.kind)
    return [i for i, row in enumerate(limits.inter_product)
            if any((fold(leg.market), fold(leg.product), leg.type) == wanted
                   for leg in row.legs)]


def _where(firm: Firm, at: tuple[Kind, int], part: str, position: int) -> str | None:
    problems = located(firm, [Issue((at[0].value, at[1], "limits", part, position), "")])
    return f"{problems[0].file}:{problems[0].line}" if problems else None


def _governed(firm: Firm, owner: str, at: tuple[Kind, int], limits: Limits | None,
              asked: Asked) -> Governed:
    row = governing(limits, asked)
    families = tuple(unmatched_families(limits, asked))
    spreads = tuple((limits.inter_product[i], _where(firm, at, "inter_product", i))
                    for i in spreads_of(limits, asked)) if limits is not None else ()
    if row is None or limits is None:
        return Governed(owner, None, families=families, spreads=spreads)
    part = "contracts" if any(r is row for r in limits.contracts) else "products"
    position = next(i for i, r in enumerate(getattr(limits, part)) if r is row)
    return Governed(owner, row, _where(firm, at, part, position),
                    families if row.is_default and row.family is None else (), spreads)
