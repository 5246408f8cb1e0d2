"""The desired state in users' words: one module per kind, pure pydantic (no IO).

A folder `environments/<env>/` holds `environment.yaml` and one YAML list per kind
(or a folder of them); `KINDS` says which file holds which model.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field

from ttconfig.models.accounts import Account
from ttconfig.models.base import Model
from ttconfig.models.environment import EnvironmentConfig
from ttconfig.models.groups import RiskGroup, UserGroup
from ttconfig.models.setup import OrderTagDefault, ProductMargin
from ttconfig.models.users import User


@dataclass(frozen=True)
class KindSpec:
    """One kind of object: its name in ttconfig, its file (or folder) name, its model."""

    name: str
    file_stem: str
    model: type[Model]


KINDS: tuple[KindSpec, ...] = (
    KindSpec("accounts", "accounts", Account),
    KindSpec("users", "users", User),
    KindSpec("user_groups", "user-groups", UserGroup),
    KindSpec("risk_groups", "risk-groups", RiskGroup),
    KindSpec("product_margins", "product-margins", ProductMargin),
    KindSpec("order_tag_defaults", "order-tag-defaults", OrderTagDefault),
)


class Firm(Model):
    """Everything one environment folder declares."""

    environment: EnvironmentConfig
    accounts: list[Account] = Field(default_factory=list)
    users: list[User] = Field(default_factory=list)
    user_groups: list[UserGroup] = Field(default_factory=list)
    risk_groups: list[RiskGroup] = Field(default_factory=list)
    product_margins: list[ProductMargin] = Field(default_factory=list)
    order_tag_defaults: list[OrderTagDefault] = Field(default_factory=list)
