"""Accounts: parent, risk settings, restrictions, limits, and links to users."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from ttconfig.models.base import (
    QUIET,
    Amount,
    Control,
    Currency,
    Grant,
    Model,
    Name,
    PercentLimit,
    Risk,
)
from ttconfig.models.limits import AccountLimits
from ttconfig.models.permissions import UserLink

AccountType = Literal["customer", "house", "omnibus"]


ResetTime = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
"""A time of day, HH:MM, as TT's Setup shows the account position reset time."""


class CreditLossActions(Model):
    """What TT does by itself as the day's loss reaches a share of the credit limit
    (auto-liquidation). An action at a lower percent acts sooner (tighter); null or left
    out: TT never takes it (loosest)."""

    delete_orders_at_percent: Annotated[PercentLimit, QUIET] = None
    disable_trading_at_percent: Annotated[PercentLimit, QUIET] = None
    close_positions_at_percent: Annotated[PercentLimit, QUIET] = None


class RiskSettings(Model):
    """Credit and start-of-day settings. `credit_limit: null` is "not set".

    TT enforces the credit limit only while `check_credit` is on; `apply_to_block_cross`
    counts block and cross orders against it too. The position reset time is when TT
    starts the account's trading day (null: the company's)."""

    credit_limit: Annotated[Amount | None, Risk.LIMIT] = None
    currency: Currency | None = None
    check_credit: Control = None
    apply_pnl: Control = None
    apply_margin: Control = None
    apply_to_block_cross: Control = None
    trade_out_allowed: Grant = None
    create_sod_records: bool | None = None
    create_spread_sod_records: bool | None = None
    position_reset_time: Annotated[ResetTime | None, QUIET] = None
    credit_loss_actions: Annotated[CreditLossActions, QUIET] = Field(
        default_factory=CreditLossActions)


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
