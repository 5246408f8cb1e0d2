"""TT objects as ttconfig holds them: typed, immutable, with TT's ids, in our own words.

The adapters turn TT's JSON into these records and back; nothing else knows TT's keys.
Limits keep `None` ("not set") apart from 0, as TT does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Company:
    id: int
    name: str
    abbrev_name: str
    default_limits_to_zero: bool | None = None
    advanced_risk: bool | None = None
    market_impact: bool | None = None
    """The three settings are ASSUMED keys (contract §9): None where TT did not send one."""
    liquidation_user_id: int | None = None
    """The user TT closes positions as (auto-liquidation; ASSUMED key): None if none."""


@dataclass(frozen=True, slots=True)
class Market:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class Product:
    id: str
    """A 64-bit unsigned id, kept as a string (it exceeds 2**53)."""
    symbol: str
    name: str
    market_id: int
    product_type_id: int
    family_id: str | None = None


@dataclass(frozen=True, slots=True)
class ExchangeAccess:
    """A user's access to one exchange (ASSUMED keys, contract §9)."""

    market_id: int
    market_data: bool
    product_groups: tuple[str, ...] | None
    order_routing: bool
    trader_id: str | None
    operator_id: str | None = None
    market_data_type: str | None = None
    """The model's name ("sdk_client"), None where TT sent none."""
    non_display: bool = False


@dataclass(frozen=True, slots=True)
class ProductFamily:
    """A group of a market's products (TT Setup scopes limits by it; ASSUMED listing)."""

    id: str
    name: str
    market_id: int


@dataclass(frozen=True, slots=True)
class Instrument:
    id: str
    alias: str
    name: str
    product_id: str
    expires: datetime | None = None
    """When it expires (TT's `expirationDate`, read as UTC); None when TT does not say."""


@dataclass(frozen=True, slots=True)
class Position:
    """An account's position in one product (or, with `instrument_id`, one contract) as
    ttmonitor reports it from today's fills (ASSUMED keys, contract §9): net long
    positive, short negative; the quantities of its working orders on each side."""

    account_id: int
    market_id: int
    product_id: str
    product_type_id: int
    net: int | float
    working_buy: int | float | None = None
    """None: TT did not say (then the worst case is the position alone)."""
    working_sell: int | float | None = None
    instrument_id: str | None = None


@dataclass(frozen=True, slots=True)
class CreditUse:
    """An account's credit limit and the credit in use now (ttmonitor's credit
    utilization; ASSUMED keys, contract §9)."""

    account_id: int
    credit_limit: int | float | None
    currency: str | None
    used: int | float


@dataclass(frozen=True, slots=True)
class Account:
    id: int
    name: str
    account_type: int
    company_id: int | None
    parent_id: int | None
    revision: int
    description: str | None = None
    """Only the single-account read carries it; None when read from the listing."""
    order_cross_prevention: str | None = None
    """Only the single-account read carries it (ASSUMED key, contract §9), in the model's
    words ("cancel_resting"); None when not read or not sent."""
    held_by_tt: tuple[str, ...] = ()
    """Why TT itself has disabled trading on the account, if it has ("max order limit":
    its max orders per day was reached; "market impact"). TT sets these flags, not the
    YAML: ttconfig shows them and never writes them (ASSUMED keys, contract §9)."""


@dataclass(frozen=True, slots=True)
class LimitScope:
    market_id: int
    product_type_id: int
    product_id: str | None
    """None on a default row: every product of the market and type (contract §9)."""
    instrument_id: str | None = None
    """Set on contract rows; None on product rows."""
    family_id: str | None = None
    """Set on a row scoped by a product family (with no product): the family's default
    row of the product type."""


@dataclass(frozen=True, slots=True)
class RowValues:
    """What any limit row says (product, contract or inter-product)."""

    trading_allowed: bool
    spread_trading_allowed: bool
    max_order_qty: int | None
    max_position: int | None
    max_long_position: int | None
    max_short_position: int | None
    max_orders_per_day: int | None
    price_reasonability_ticks: int | None
    price_reasonability_percent: int | float | None
    price_reasonability_aggressive_only: bool
    non_matching_price_ticks: int | None
    non_matching_price_percent: int | float | None
    reject_without_market_data: bool
    apply_wholesale_limits: bool
    wholesale_max_order_qty: int | None
    wholesale_price_reasonability_ticks: int | None
    price_drift_1min_ticks: int | None
    price_drift_3min_ticks: int | None
    price_drift_lifetime_ticks: int | None


@dataclass(frozen=True, slots=True)
class LimitRow(RowValues):
    scope: LimitScope
    id: int | None = None
    """TT's row id; None for a row not yet written."""


@dataclass(frozen=True, slots=True)
class InterProductRow(RowValues):
    """A limit on the spread between products (contract §9: keyed by its legs, ASSUMED)."""

    legs: tuple[LimitScope, ...]
    """One scope per leg: market, product type and product (never a contract)."""
    id: int | None = None


@dataclass(frozen=True, slots=True)
class LimitSet:
    """The risk limits of one owner (account, user or risk group)."""

    product_limits: tuple[LimitRow, ...]
    contract_limits: tuple[LimitRow, ...]
    apply_limits: bool | None = None
    """Accounts only: whether TT applies the limits at all."""
    inter_product_limits: tuple[InterProductRow, ...] = ()


@dataclass(frozen=True, slots=True)
class RiskSettings:
    credit_limit: int | float | None
    currency: str
    apply_pnl: bool
    apply_margin: bool
    trade_out_allowed: bool
    create_sod_records: bool
    create_spread_sod_records: bool
    check_credit: bool | None = None
    apply_to_block_cross: bool | None = None
    position_reset_time: str | None = None
    near_touch_ticks: int | None = None
    far_touch_ticks: int | None = None
    market_impact_participation_percent: int | float | None = None
    market_impact_price_movement_ticks: int | None = None
    market_impact_cooling_off_seconds: int | None = None
    algo_max_updates_per_interval: int | None = None
    algo_max_cancels_per_interval: int | None = None
    algo_interval_ms: int | None = None
    """The keys above are ASSUMED (contract §9): None where TT did not send one."""
    credit_loss_actions: tuple[tuple[str, int | float], ...] = ()
    """(action, at percent of the credit limit), by the model's field names
    ("delete_orders_at_percent"); an action TT does not take is absent."""
    algo_parent_limits: tuple[tuple[str, str, int | float], ...] = ()
    """(order type, check, value) by the model's field names ("tt_iceberg",
    "max_order_qty"); a check TT does not make is absent (ASSUMED, contract §9)."""


@dataclass(frozen=True, slots=True)
class Restrictions:
    """What an account may do; True means allowed."""

    place_orders: bool
    modify_orders: bool
    tt_api: bool
    tt_order_types: bool
    autospreader: bool
    submit_block_cross: bool
    market_orders: bool
    gtc_orders: bool
    obo: bool
    algo_sdk: bool
    adl: bool
    apply: bool | None = None
    pause_resume_algos: bool | None = None
    update_positions: bool | None = None
    rfq_cross: bool | None = None
    mobile: bool | None = None
    adl_algo_approval_required: bool | None = None
    aggregator: bool | None = None
    tt_iceberg: bool | None = None
    tt_time_sliced: bool | None = None
    tt_timed: bool | None = None
    tt_stop: bool | None = None
    tt_if_touched: bool | None = None
    tt_retry: bool | None = None
    tt_oco: bool | None = None
    tt_bracket: bool | None = None
    tt_trailing_limit: bool | None = None
    """The keys above `adl` are ASSUMED (contract §9): None where TT did not send one."""


@dataclass(frozen=True, slots=True)
class OrderPermissions:
    place_orders: bool
    modify_orders: bool
    delete_orders: bool
    submit_block_cross_orders: bool
    submit_staged_orders: bool


@dataclass(frozen=True, slots=True)
class Permissions:
    update_positions: bool
    confirm_fills: bool
    modify_clearing_account_on_fills: bool
    view_only: bool


@dataclass(frozen=True, slots=True)
class AccountUserLink:
    account_id: int
    user_id: int
    order_permissions: OrderPermissions
    permissions: Permissions
    account_name: str | None = None
    user_alias: str | None = None


@dataclass(frozen=True, slots=True)
class UserSummary:
    """A user as the listing shows it."""

    id: int
    email: str
    first_name: str
    last_name: str
    alias: str


@dataclass(frozen=True, slots=True)
class UserSettings:
    disable_trading: bool
    full_admin: bool
    view_only_admin: bool


@dataclass(frozen=True, slots=True)
class User:
    id: int
    email: str
    first_name: str
    last_name: str
    alias: str
    active: bool
    trade_mode: int
    """1 view only, 2 standard, 3 pro."""
    invitation_pending: bool
    company_id: int | None
    settings: UserSettings
    revision: int


@dataclass(frozen=True, slots=True)
class UserGroup:
    id: int
    name: str
    revision: int


@dataclass(frozen=True, slots=True)
class RiskGroup:
    id: int
    name: str
    description: str
    revision: int


@dataclass(frozen=True, slots=True)
class GroupRiskSettings:
    """A risk group's own credit limit (ASSUMED, contract §9)."""

    credit_limit: int | float | None
    currency: str | None


@dataclass(frozen=True, slots=True)
class OrderTagField:
    id: int
    market_id: int
    name: str
    is_required: bool
    value_type_id: int
    enums: tuple[tuple[int, str], ...]


@dataclass(frozen=True, slots=True)
class OrderTagDefault:
    id: int | None
    account_id: int | None
    user_id: int | None
    market_id: int
    field_id: int
    value: str
    profile: str | None = None
    algo_type: str | None = None
    algo_name: str | None = None
    product_group: str | None = None
    product_type_id: int | None = None
    product_id: str | None = None
    """The keys past `value` are ASSUMED (contract §9): None matches anything ("*")."""


@dataclass(frozen=True, slots=True)
class ProductMargin:
    id: int | None
    market_id: int
    product_type_id: int
    product_id: str
    currency: str
    outright_margin: int | float
    spread_margin: int | float
