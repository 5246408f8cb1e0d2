"""Company-level setup: product margins and order-tag defaults."""

from __future__ import annotations

from typing import Annotated

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


class OrderTagDefault(Model):
    """A default value for an exchange order-tag field, for the company, an account, a
    user, or an account and user."""

    market: Name
    field: Name
    """The field's name as TT lists it for the market (e.g. "Operator ID")."""
    value: str
    account: Name | None = None
    user: Email | None = None

    def key(self) -> tuple[str, str, str | None, str | None]:
        return (self.market, self.field, self.account, self.user)
