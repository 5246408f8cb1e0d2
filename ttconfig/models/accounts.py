"""Accounts: parent, risk settings, restrictions, limits, and links to users."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from ttconfig.models.base import Amount, Control, Currency, Grant, Model, Name, Risk
from ttconfig.models.limits import AccountLimits
from ttconfig.models.permissions import UserLink

AccountType = Literal["customer", "house", "omnibus"]


class RiskSettings(Model):
    """Credit and start-of-day settings. `credit_limit: null` is "not set"."""

    credit_limit: Annotated[Amount | None, Risk.LIMIT] = None
    currency: Currency | None = None
    apply_pnl: Control = None
    apply_margin: Control = None
    trade_out_allowed: Grant = None
    create_sod_records: bool | None = None
    create_spread_sod_records: bool | None = None


class Restrictions(Model):
    """What the account may do; `true` allows it. Restrictions override user permissions."""

    place_orders: Grant = None
    modify_orders: Grant = None
    tt_api: Grant = None
    tt_order_types: Grant = None
    autospreader: Grant = None
    submit_block_cross: Grant = None
    market_orders: Grant = None
    gtc_orders: Grant = None
    obo: Grant = None
    algo_sdk: Grant = None
    adl: Grant = None


class Account(Model):
    """One TT account, by name."""

    name: Name
    type: AccountType
    parent: Name | None = None
    description: str | None = None
    risk_settings: RiskSettings | None = None
    restrictions: Restrictions | None = None
    limits: AccountLimits | None = None
    users: list[UserLink] = Field(default_factory=list)

    def key(self) -> str:
        return self.name
