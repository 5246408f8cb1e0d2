"""User groups (member users) and risk groups (member accounts, group limits)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ttconfig.models.base import Amount, Currency, Email, Model, Name, Risk
from ttconfig.models.limits import Limits


class UserGroup(Model):
    name: Name
    users: list[Email] = Field(default_factory=list)

    def key(self) -> str:
        return self.name


class GroupRiskSettings(Model):
    """A risk group's own credit limit: TT applies it to the group as a whole and to each
    member account (ASSUMED, contract §9). `credit_limit: null` is "not set"."""

    credit_limit: Annotated[Amount | None, Risk.LIMIT] = None
    currency: Currency | None = None


class RiskGroup(Model):
    """A risk group: combined limits over its accounts (an account is in at most one)."""

    name: Name
    description: str | None = None
    accounts: list[Name] = Field(default_factory=list)
    risk_settings: GroupRiskSettings | None = None
    limits: Limits | None = None

    def key(self) -> str:
        return self.name
