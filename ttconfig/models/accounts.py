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
    Limit,
    Model,
    Name,
    PercentLimit,
    Quantity,
    Risk,
    WhenNew,
)
from ttconfig.models.limits import AccountLimits
from ttconfig.models.permissions import UserLink

AccountType = Literal["customer", "house", "omnibus"]
CrossPrevention = Literal["not_applied", "reject_new", "cancel_resting", "position_transfer"]
"""What TT does when an order would trade against a resting order of the same account (or
its hierarchy): nothing, reject the new order, cancel the resting one, or transfer the
position. Children inherit their parent's."""


ResetTime = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
"""A time of day, HH:MM, as TT's Setup shows the account position reset time."""


class CreditLossActions(Model):
    """What TT does by itself as the day's loss reaches a share of the credit limit
    (auto-liquidation). An action at a lower percent acts sooner (tighter); null or left
    out: TT never takes it (loosest)."""

    delete_orders_at_percent: Annotated[PercentLimit, QUIET] = None
    disable_trading_at_percent: Annotated[PercentLimit, QUIET] = None
    close_positions_at_percent: Annotated[PercentLimit, QUIET] = None


class AlgoParentLimit(Model):
    """What one TT order type's parent order may be (TT's algo risk settings): its
    quantity, and how far (ticks) from the market it may be priced. Lower is tighter; null
    or left out: not checked (loosest)."""

    max_order_qty: Annotated[Limit, QUIET] = None
    price_reasonability_ticks: Annotated[Limit, QUIET] = None


ParentLimit = Annotated[AlgoParentLimit, QUIET]


class AlgoParentLimits(Model):
    """The parent-order checks per TT order type (the types the restrictions name); a type
    left out is not managed."""

    tt_iceberg: ParentLimit = Field(default_factory=AlgoParentLimit)
    tt_time_sliced: ParentLimit = Field(default_factory=AlgoParentLimit)
    tt_timed: ParentLimit = Field(default_factory=AlgoParentLimit)
    tt_stop: ParentLimit = Field(default_factory=AlgoParentLimit)
    tt_if_touched: ParentLimit = Field(default_factory=AlgoParentLimit)
    tt_retry: ParentLimit = Field(default_factory=AlgoParentLimit)
    tt_oco: ParentLimit = Field(default_factory=AlgoParentLimit)
    tt_bracket: ParentLimit = Field(default_factory=AlgoParentLimit)
    tt_trailing_limit: ParentLimit = Field(default_factory=AlgoParentLimit)


class RiskSettings(Model):
    """Credit and start-of-day settings. `credit_limit: null` is "not set".

    TT enforces the credit limit only while `check_credit` is on; `apply_to_block_cross`
    counts block and cross orders against it too. The position reset time is when TT
    starts the account's trading day (null: the company's). The near- and far-touch bands
    exist where TT's company has Advanced Risk on (`company_settings.advanced_risk`)."""

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
    near_touch_ticks: Annotated[Limit, QUIET] = None
    """How far (ticks) an order may be priced through the near touch, its own side's best
    price (advanced risk; null: not checked)."""
    far_touch_ticks: Annotated[Limit, QUIET] = None
    """How far (ticks) an order may be priced through the far touch, the other side's best
    price (advanced risk; null: not checked)."""
    market_impact_participation_percent: Annotated[PercentLimit, QUIET] = None
    """The market impact check (where the company has it on): the share of the market's
    volume the account's orders may make up (null: not checked)."""
    market_impact_price_movement_ticks: Annotated[Limit, QUIET] = None
    """... and how far (ticks) its orders may move the price."""
    market_impact_cooling_off_seconds: Annotated[Quantity, QUIET] = None
    """How long TT holds the account after the check trips (neutral: a policy choice)."""
    algo_max_updates_per_interval: Annotated[Limit, QUIET] = None
    """Algo risk: how many updates one algo instance may send per interval (null: no cap)."""
    algo_max_cancels_per_interval: Annotated[Limit, QUIET] = None
    algo_interval_ms: Annotated[Quantity, QUIET] = None
    """The interval both algo caps count over, in milliseconds (neutral)."""
    algo_parent_limits: Annotated[AlgoParentLimits, QUIET] = Field(
        default_factory=AlgoParentLimits)
    """Algo risk: each TT order type's parent max order qty and price reasonability."""


Denied = Annotated[Grant, WhenNew(False)]
"""An activity a new TT account may not do until it is allowed (TT denies by default)."""


class Restrictions(Model):
    """What the account may do; `true` allows it. Restrictions override user permissions
    and apply to the account's children. TT denies every activity on a new account, and
    applies the restrictions (`apply`) unless told not to."""

    apply: Annotated[Control, WhenNew(True)] = None
    place_orders: Denied = None
    modify_orders: Denied = None
    tt_api: Denied = None
    tt_order_types: Denied = None
    autospreader: Denied = None
    submit_block_cross: Denied = None
    market_orders: Denied = None
    gtc_orders: Denied = None
    obo: Denied = None
    algo_sdk: Denied = None
    adl: Denied = None
    adl_algo_approval_required: Annotated[Control, WhenNew(False)] = None
    """An ADL algo needs an approval before it runs (true is tighter)."""
    pause_resume_algos: Denied = None
    update_positions: Denied = None
    rfq_cross: Denied = None
    mobile: Denied = None
    aggregator: Denied = None
    tt_iceberg: Denied = None
    tt_time_sliced: Denied = None
    tt_timed: Denied = None
    tt_stop: Denied = None
    tt_if_touched: Denied = None
    tt_retry: Denied = None
    tt_oco: Denied = None
    tt_bracket: Denied = None
    tt_trailing_limit: Denied = None


NEW_ACCOUNT_RESTRICTIONS: dict[str, bool] = {
    name: next(m.value is True for m in info.metadata if isinstance(m, WhenNew))
    for name, info in Restrictions.model_fields.items()}
"""What TT holds for an account it has just made: restrictions applied, everything denied."""


class Account(Model):
    """One TT account, by name."""

    name: Name
    type: AccountType
    parent: Name | None = None
    description: str | None = None
    order_cross_prevention: Annotated[CrossPrevention | None, Risk.PREVENTION] = None
    risk_settings: RiskSettings | None = None
    restrictions: Restrictions | None = None
    limits: AccountLimits | None = None
    users: list[UserLink] = Field(default_factory=list)

    def key(self) -> str:
        return self.name

    def as_created(self, defaults: Restrictions | None) -> Account:
        """This account as ttconfig creates it: every restriction written explicitly — as
        declared, else as environment.yaml's `defaults.restrictions` say, else as TT makes
        a new account (denied) — so the plan shows what the account can do, and nothing
        is left to TT's silent deny-by-default."""
        restrictions = {**NEW_ACCOUNT_RESTRICTIONS,
                        **(defaults.declared() if defaults is not None else {}),
                        **(self.restrictions.declared() if self.restrictions else {})}
        return Account.model_validate({**self.declared(), "restrictions": restrictions})
