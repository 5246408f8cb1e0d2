"""User groups (member users) and risk groups (member accounts, group limits)."""

from __future__ import annotations

from pydantic import Field

from ttconfig.models.base import Email, Model, Name
from ttconfig.models.limits import Limits


class UserGroup(Model):
    name: Name
    users: list[Email] = Field(default_factory=list)

    def key(self) -> str:
        return self.name


class RiskGroup(Model):
    """A risk group: combined limits over its accounts (an account is in at most one)."""

    name: Name
    description: str | None = None
    accounts: list[Name] = Field(default_factory=list)
    limits: Limits | None = None

    def key(self) -> str:
        return self.name
