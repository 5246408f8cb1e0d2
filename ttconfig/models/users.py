"""Users: identity, trade mode, admin settings, activity, account links and limits.

TT has no user delete: a user removed from the YAML of a pruning kind, or declared
`active: false`, is deactivated.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from ttconfig.models.base import QUIET, Control, Email, Grant, Model, Name, Risk, WhenNew
from ttconfig.models.limits import Limits
from ttconfig.models.permissions import AccountLink

TradeMode = Literal["view_only", "standard", "pro"]
MarketDataType = Literal["subscriber", "sdk_client", "fix_and_sdk"]


class UserSettings(Model):
    disable_trading: Control = None
    full_admin: Grant = None
    view_only_admin: Grant = None


class ExchangeAccess(Model):
    """What a user may do at one exchange (TT Setup's user exchange access): see its prices
    and route orders to it under an exchange identity, so a trader onboarded in YAML can
    trade on day one. Keyed by market."""

    market: Name
    market_data: bool | None = None
    """A market-data subscription for the exchange (what it costs is the firm's concern,
    not a risk: neutral)."""
    product_groups: Annotated[list[Name] | None, QUIET] = None
    """The exchange's product groups the subscription covers; null: all of them."""
    order_routing: Grant = None
    """May route orders to the exchange (true grants: looser)."""
    trader_id: str | None = None
    """The trader id orders carry at the exchange (e.g. ICE's Authorized Trader)."""
    operator_id: Annotated[str | None, QUIET] = None
    """The person orders are attributed to at the exchange (e.g. CME's Operator ID, Tag
    50), where the exchange asks for one besides the trader id."""
    market_data_type: Annotated[MarketDataType | None, QUIET] = None
    """How the user takes the exchange's prices: on TT's screens (`subscriber`), through
    TT's SDK (`sdk_client`), or through FIX and the SDK (`fix_and_sdk`); exchanges charge
    them apart (neutral)."""
    non_display: Annotated[bool | None, WhenNew(False, quiet=True)] = None
    """The prices feed programs, not a screen (the exchange's non-display licence)."""


class User(Model):
    """One TT user, by email."""

    email: Email
    first_name: str | None = None
    last_name: str | None = None
    alias: str | None = None
    trade_mode: Annotated[TradeMode | None, Risk.TRADE_MODE] = None
    active: Grant = None
    settings: UserSettings | None = None
    accounts: list[AccountLink] = Field(default_factory=list)
    limits: Limits | None = None
    exchanges: list[ExchangeAccess] | None = None
    """Exchange access, one entry per market; left out: not managed; `[]`: none."""

    def key(self) -> str:
        return self.email
