"""Risk limits in users' words: rows scoped by market and product (and contract).

A row is keyed by its scope; the same scope twice for one owner is an error (loader).
Values left out of a row are not managed; `null` sets "not set" (no limit).
"""

from __future__ import annotations

from pydantic import Field

from ttconfig.models.base import Control, Grant, Limit, Model, Name, ProductType, Risk


class LimitValues(Model):
    """What a limit row says, for any scope."""

    trading_allowed: Grant = None
    spread_trading_allowed: Grant = None
    max_order_qty: Limit = None
    max_position: Limit = None
    max_long_position: Limit = None
    max_short_position: Limit = None
    price_reasonability_ticks: Limit = None


LIMIT_VALUES: tuple[str, ...] = tuple(LimitValues.model_fields)
"""Every value a limit row can say (TT's row, in users' words)."""
LIMIT_FIELDS: tuple[str, ...] = tuple(
    name for name, info in LimitValues.model_fields.items() if Risk.LIMIT in info.metadata)
"""The quantity limits of a row: what policy bounds and coverage are about."""


class ProductLimit(LimitValues):
    """Limits for one product of one market (e.g. CME ES futures)."""

    market: Name
    product: Name
    """The product's symbol, as TT's product data shows it (ES, CL, FDAX, ...)."""
    type: ProductType = "future"

    def scope(self) -> tuple[str, str, str, str | None]:
        return (self.market, self.product, self.type, None)


class ContractLimit(ProductLimit):
    """Limits for one contract (instrument) of a product, by its alias (e.g. "ES Dec26")."""

    contract: Name

    def scope(self) -> tuple[str, str, str, str | None]:
        return (self.market, self.product, self.type, self.contract)


class Limits(Model):
    """The limit rows of a user or a risk group."""

    products: list[ProductLimit] = Field(default_factory=list)
    contracts: list[ContractLimit] = Field(default_factory=list)


class AccountLimits(Limits):
    """An account's limit rows, and whether TT applies them at all."""

    apply: Control = None
