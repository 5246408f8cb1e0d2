"""The desired state in users' words: one module per kind, pure pydantic (no IO).

A folder `environments/<env>/` holds `environment.yaml` and one YAML list per kind
(or a folder of them); the kind registry (`models.kinds`) says which file holds which model.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, PrivateAttr

from ttconfig.models.accounts import Account
from ttconfig.models.base import Model
from ttconfig.models.environment import EnvironmentConfig
from ttconfig.models.groups import RiskGroup, UserGroup
from ttconfig.models.kinds import DECLARED, REGISTRY, Kind, KindSpec, Operation
from ttconfig.models.setup import OrderTagDefault, ProductMargin
from ttconfig.models.users import User


class Firm(Model):
    """Everything one environment folder declares."""

    environment: EnvironmentConfig
    accounts: list[Account] = Field(default_factory=list)
    users: list[User] = Field(default_factory=list)
    user_groups: list[UserGroup] = Field(default_factory=list)
    risk_groups: list[RiskGroup] = Field(default_factory=list)
    product_margins: list[ProductMargin] = Field(default_factory=list)
    order_tag_defaults: list[OrderTagDefault] = Field(default_factory=list)
    _origin: Any = PrivateAttr(default=None)
    """Where each object was declared (the loader's, opaque here): a problem found later,
    against live TT, still points at its file, line and column."""

    @property
    def origin(self) -> Any:
        return self._origin

    def declared_at(self, origin: Any) -> Firm:
        """This firm, knowing where its objects were declared (or where `origin`'s were:
        a part of a firm shares the whole's)."""
        self._origin = origin
        return self

    def of(self, kind: Kind) -> list[Model]:
        """The declared objects of one kind (links have no list: they live on accounts and
        users)."""
        items: list[Model] = getattr(self, kind.value)
        return items

    def by_kind(self) -> dict[str, list[Model]]:
        """Every declared kind's objects, in the registry's order (keyed by `Kind`, which
        is a str, so the pure core's mappings take it as is)."""
        return {spec.kind: self.of(spec.kind) for spec in DECLARED}


__all__ = ["DECLARED", "REGISTRY", "Firm", "Kind", "KindSpec", "Operation"]
