"""Users: identity, trade mode, admin settings, activity, account links and limits.

TT has no user delete: a user removed from the YAML of a pruning kind, or declared
`active: false`, is deactivated.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from ttconfig.models.base import Control, Email, Grant, Model, Risk
from ttconfig.models.limits import Limits
from ttconfig.models.permissions import AccountLink

TradeMode = Literal["view_only", "standard", "pro"]


class UserSettings(Model):
    disable_trading: Control = None
    full_admin: Grant = None
    view_only_admin: Grant = None


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

    def key(self) -> str:
        return self.email
