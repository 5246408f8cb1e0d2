"""Risk limits in users' words: rows scoped by market and product (and contract).

A row is keyed by its scope; the same scope twice for one owner is an error (loader).
Values left out of a row are not managed; `null` sets "not set" (no limit).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated, Any, TypeVar

from pydantic import Field, model_validator

from ttconfig.models.base import (
    QUIET,
    Control,
    Grant,
    Limit,
    Model,
    Name,
    PercentLimit,
    ProductType,
    Risk,
    WhenNew,
)


class LimitValues(Model):
    """What a limit row says, for any scope.

    Price controls (TT's pre-trade price checks) bound how far an order's price may be from
    the market: in ticks, in percent, or both (TT applies each that is set). The
    non-matching bands apply while the market is not matching (pre-open, auction).
    Wholesale limits replace the quantity and price checks for block and cross orders
    when `apply_wholesale_limits` is on.
    """

    trading_allowed: Annotated[Grant, WhenNew(True)] = None
    spread_trading_allowed: Annotated[Grant, WhenNew(True)] = None
    max_order_qty: Limit = None
    max_position: Limit = None
    max_long_position: Limit = None
    max_short_position: Limit = None
    max_orders_per_day: Annotated[Limit, QUIET] = None
    """TT disables trading on the account for the day when it is reached."""
    price_reasonability_ticks: Limit = None
    price_reasonability_percent: Annotated[PercentLimit, QUIET] = None
    price_reasonability_aggressive_only: Annotated[Grant, WhenNew(False, quiet=True)] = None
    """Check only orders that would trade at once; passive orders go unchecked (looser)."""
    non_matching_price_ticks: Annotated[Limit, QUIET] = None
    non_matching_price_percent: Annotated[PercentLimit, QUIET] = None
    reject_without_market_data: Annotated[Control, WhenNew(False, quiet=True)] = None
    """Reject an order TT cannot price-check because it has no market data."""
    apply_wholesale_limits: Annotated[Control, WhenNew(False, quiet=True)] = None
    wholesale_max_order_qty: Annotated[Limit, QUIET] = None
    wholesale_price_reasonability_ticks: Annotated[Limit, QUIET] = None
    price_drift_1min_ticks: Annotated[Limit, QUIET] = None
    """How far (ticks) the market may move in a minute while a TT slicer's child orders
    keep going (price drift check; null: not checked)."""
    price_drift_3min_ticks: Annotated[Limit, QUIET] = None
    price_drift_lifetime_ticks: Annotated[Limit, QUIET] = None


LIMIT_VALUES: tuple[str, ...] = tuple(LimitValues.model_fields)
"""Every value a limit row can say (TT's row, in users' words)."""
LIMIT_FIELDS: tuple[str, ...] = tuple(
    name for name, info in LimitValues.model_fields.items() if Risk.LIMIT in info.metadata)
"""The limits of a row (quantities, ticks, percents): what policy bounds are about."""
_WHEN_NEW = {name: next((m for m in info.metadata if isinstance(m, WhenNew)), WhenNew())
             for name, info in LimitValues.model_fields.items()}
NEW_ROW: dict[str, Any] = {name: when.value for name, when in _WHEN_NEW.items()}
"""What TT holds in a row made without a value: every activity allowed, no check
switched on, no limit set."""



M = TypeVar("M", bound=Model)
ROW_SCOPE = ("market", "family", "product", "type", "contract")
"""The keys that say which products a row is for (the rest are its values)."""
EVERY_PRODUCT = "*"
"""`product: "*"` (or no `product`): a default row, for every product of its market and
type that has no row of its own."""
SCOPE_DEFAULTS: dict[str, str | None] = {"family": None, "product": EVERY_PRODUCT,
                                         "type": "future", "contract": None}
"""What a scope key left out of a row means."""


def scope_name(row: Mapping[str, Any]) -> str:
    """How plans name a product or contract row: "CME ES future", "CME * future" (the
    default row), "CME family Energy * future", "CME ES future ES Dec26"."""
    scope = {key: row.get(key, SCOPE_DEFAULTS.get(key)) for key in ROW_SCOPE}
    family = scope["family"]
    parts = [scope["market"], None if family is None else f"family {family}",
             scope["product"], scope["type"], scope["contract"]]
    return " ".join(str(part) for part in parts if part is not None)


class ProductLimit(LimitValues):
    """Limits for one product of one market (e.g. CME ES futures), or — with `product: "*"`
    or no `product` — the default row of a market and product type, or with `family`, of
    that product family and type.

    TT applies the most specific row that matches an order (contract > product > family >
    default, contract §9, ASSUMED), and a default or family row limits each product it
    covers on its own, not their sum.
    """

    market: Name
    family: Name | None = None
    """A product family as TT's product data names it ("Interest Rates"): the row is the
    family's default row of its type."""
    product: Name = EVERY_PRODUCT
    """The product's symbol, as TT's product data shows it (ES, CL, FDAX, ...), or "*"."""
    type: ProductType = "future"

    @model_validator(mode="before")
    @classmethod
    def _every_product_when_left_out(cls, data: Any) -> Any:
        """A row without `product` is the default row: say so, so it is keyed as one."""
        if isinstance(data, dict) and "product" not in data:
            return {**data, "product": EVERY_PRODUCT}
        return data

    @model_validator(mode="after")
    def _family_or_product(self) -> ProductLimit:
        if self.family is not None and not self.is_default:
            raise ValueError("a row names a product or a family, not both")
        return self

    @property
    def is_default(self) -> bool:
        """Whether the row covers many products: a market's or a family's default row."""
        return self.product == EVERY_PRODUCT

    def scope(self) -> tuple[str, ...]:
        return (self.market, *self._family(), self.product, self.type)

    def _family(self) -> tuple[str, ...]:
        return () if self.family is None else (f"family {self.family}",)

    @property
    def name(self) -> str:
        return scope_name(self.model_dump(include=set(ROW_SCOPE)))


class ContractLimit(ProductLimit):
    """Limits for one contract (instrument) of a product, by its alias (e.g. "ES Dec26")."""

    contract: Name

    @model_validator(mode="after")
    def _of_one_product(self) -> ContractLimit:
        if self.is_default:
            raise ValueError("a contract row names its product (not \"*\")")
        return self

    def scope(self) -> tuple[str, ...]:
        return (*super().scope(), self.contract)


class Leg(Model):
    """One product of an inter-product limit."""

    market: Name
    product: Name
    type: ProductType = "future"

    @model_validator(mode="after")
    def _one_product(self) -> Leg:
        if self.product == EVERY_PRODUCT:
            raise ValueError('a leg names one product (not "*")')
        return self


def legs_name(legs: Iterable[Mapping[str, Any]]) -> str:
    """How plans name an inter-product row: its legs in a fixed order, so that the same legs
    in another order are the same row ("CBOT ZB future / CBOT ZN future")."""
    names = (f"{leg['market']} {leg['product']} {leg.get('type', 'future')}" for leg in legs)
    return " / ".join(sorted(names, key=str.casefold))


class InterProductLimit(LimitValues):
    """Limits on a spread between products (e.g. CBOT ZN against CBOT ZB), keyed by its legs
    in any order. TT checks them on the spread's orders and positions, beside each leg's
    own rows (contract §9: keyed by legs, ASSUMED)."""

    legs: list[Leg] = Field(min_length=2)

    @model_validator(mode="after")
    def _distinct_legs(self) -> InterProductLimit:
        products = [(leg.market.casefold(), leg.product.casefold(), leg.type)
                    for leg in self.legs]
        if len(set(products)) != len(products):
            raise ValueError("an inter-product row names each product once")
        return self

    def scope(self) -> tuple[tuple[str, str, str], ...]:
        return tuple(sorted(((leg.market, leg.product, leg.type) for leg in self.legs),
                            key=lambda leg: tuple(part.casefold() for part in leg)))

    @property
    def name(self) -> str:
        return legs_name(leg.declared() | {"type": leg.type} for leg in self.legs)


class Limits(Model):
    """The limit rows of a user or a risk group."""

    products: list[ProductLimit] = Field(default_factory=list)
    contracts: list[ContractLimit] = Field(default_factory=list)
    inter_product: list[InterProductLimit] = Field(default_factory=list)
    """Spread limits across products, keyed by their legs."""


class AccountLimits(Limits):
    """An account's limit rows, and whether TT applies them at all."""

    apply: Control = None



def unset_as_zero(row: dict[str, Any]) -> dict[str, Any]:
    """A row as TT reads it when the company defaults limits to 0: each limit it says is
    not set is 0 (a limit it does not say stays unsaid)."""
    return {name: 0 if value is None and name in LIMIT_FIELDS else value
            for name, value in row.items()}


def limits_unset_as_zero(model: M) -> M:
    """An account, user or risk group with `unset_as_zero` applied to its limit rows."""
    data = model.declared()
    limits = data.get("limits")
    if not isinstance(limits, dict):
        return model
    rows = {name: [unset_as_zero(row) for row in value] if isinstance(value, list) else value
            for name, value in limits.items()}
    return type(model).model_validate({**data, "limits": rows})
