"""Company-level setup: product margins and order-tag defaults."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import model_validator

from ttconfig.models.base import Amount, Currency, Email, Model, Name, ProductType, Risk


class ProductMargin(Model):
    """The company's margin for one product (feeds credit checks when apply_margin is on)."""

    market: Name
    product: Name
    type: ProductType = "future"
    currency: Currency
    outright_margin: Annotated[Amount, Risk.MARGIN]
    spread_margin: Annotated[Amount, Risk.MARGIN]

    def key(self) -> tuple[str, str, str]:
        return (self.market, self.product, self.type)


SCOPE = ("account", "user", "profile", "algo_type", "algo_name", "product_group", "type",
         "product")
"""The optional keys of an order-tag default, in TT's order."""
ANY = "*"
"""A key of an order-tag default that matches anything (TT's "*"; the same as leaving it
out)."""


class OrderTagDefault(Model):
    """A default value for an exchange order-tag field, keyed as TT keys it: the market and
    field, and optionally an account, a user, a profile, an algo type or name, a product
    group, a product type and a product (each left out, or "*", matches anything; TT uses
    the best match). TT's self-match prevention (TT SMP ID and Instruction) is set through
    such defaults."""

    market: Name
    field: Name
    """The field's name as TT lists it for the market (e.g. "Operator ID")."""
    value: str
    account: Name | None = None
    user: Email | None = None
    profile: Name | None = None
    algo_type: Name | None = None
    """A TT algo type (e.g. "TT Iceberg", "ADL")."""
    algo_name: Name | None = None
    product_group: Name | None = None
    type: ProductType | None = None
    product: Name | None = None
    """A product symbol of the market; its type is `type` (future when left out)."""

    @model_validator(mode="before")
    @classmethod
    def _any_is_left_out(cls, data: Any) -> Any:
        """ "*" says what leaving the key out says: the same default, keyed once; a product
        is a future unless its type is said."""
        if not isinstance(data, dict):
            return data
        data = {k: v for k, v in data.items() if not (v == ANY and k in SCOPE)}
        if data.get("product") is not None and data.get("type") is None:
            data["type"] = "future"
        return data

    def key(self) -> tuple[str | None, ...]:
        return (self.market, self.field, *(getattr(self, name) for name in SCOPE))

