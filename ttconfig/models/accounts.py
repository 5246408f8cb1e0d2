"""Accounts: parent, risk settings, restrictions, limits, and links to users."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ttconfig.models.base import Amount, Currency, Model, Name
from ttconfig.models.limits import AccountLimits
from ttconfig.models.permissions import UserLink

AccountType = Literal["customer", "house", "omnibus"]


class RiskSettings(Model):
    """Credit and start-of-day settings. `credit_limit: null` is "not set"."""

    credit_limit: Amount | None = None
    currency: Currency | None = None
    apply_pnl: bool | None = None
    apply_margin: bool | None = None
    trade_out_allowed: bool | None = None
    create_sod_records: bool | None = None
    create_spread_sod_records: bool | None = None


class Restrictions(Model):
    """What the account may do; `true` allows it. Restrictions override user permissions."""

    place_orders: bool | None = None
    modify_orders: bool | None = None
    tt_api: bool | None = None
    tt_order_types: bool | None = None
    autospreader: bool | None = None
    submit_block_cross: bool | None = None
    market_orders: bool | None = None
    gtc_orders: bool | None = None
    obo: bool | None = None
    algo_sdk: bool | None = None
    adl: bool | None = None


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
