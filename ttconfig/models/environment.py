"""`environment.yaml`: which TT environment a folder describes, and its safety policy.

The policy's schema lives here; its enforcement comes with saved plans and policies.
Protection lives in this file on purpose: removing an object's block from its kind's YAML
does not remove its protection.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from ttconfig.models.base import Email, Model, Name, Quantity


def _env_var(value: str) -> str:
    # The message never repeats the value: it may be a pasted key or secret.
    if not re.fullmatch(r"[A-Z_][A-Z0-9_]{0,99}", value):
        raise ValueError("expected the NAME of an environment variable (upper-case letters, "
                         "digits and _), never a key or secret itself")
    return value


EnvVar = Annotated[str, AfterValidator(_env_var)]
"""The name of an environment variable that holds a credential."""

TTEnvironment = Literal["ext_uat_cert", "ext_prod_live"]
UsagePlan = Literal["free", "low", "medium", "high"]
Kind = Literal["accounts", "users", "user_groups", "risk_groups", "product_margins",
               "order_tag_defaults"]
LimitField = Literal["max_order_qty", "max_position", "max_long_position",
                     "max_short_position", "price_reasonability_ticks"]



class Credentials(Model):
    """Names of the environment variables that hold the app key and secret (never values)."""

    app_key_env: EnvVar
    app_secret_env: EnvVar


class Threshold(Model):
    """Most changes of one kind a plan may make without --force: a count and a share."""

    max_creates: Quantity = None
    max_updates: Quantity = None
    max_deletes: Quantity = None
    max_percent: float | None = Field(default=None, ge=0, le=100)


class Protected(Model):
    """Objects that may never be deleted, deactivated, unlinked or lose admin rights."""

    users: list[Email] = Field(default_factory=list)
    accounts: list[Name] = Field(default_factory=list)
    min_admins: int = Field(default=1, ge=0)


class Bound(Model):
    """An upper bound on a limit field, optionally for one market or product."""

    field: LimitField
    max: int = Field(ge=0)
    market: Name | None = None
    product: Name | None = None


class Coverage(Model):
    """Rules every trading account must meet."""

    limit_row_for_traded_products: bool = False
    trading_accounts_in_a_risk_group: bool = False


class ChangeWindow(Model):
    """When loosening changes may be applied: a cron expression, a time zone, a length."""

    cron: str = Field(min_length=9)
    timezone: str = Field(min_length=1)
    minutes: int = Field(gt=0, le=24 * 60)


class Policy(Model):
    prune: dict[Kind, bool] = Field(default_factory=dict)
    thresholds: dict[Kind, Threshold] = Field(default_factory=dict)
    protected: Protected = Field(default_factory=Protected)
    bounds: list[Bound] = Field(default_factory=list)
    coverage: Coverage = Field(default_factory=Coverage)
    require_loosening_approval: bool = False
    high_loosening_percent: float = Field(default=50.0, ge=0)
    change_windows: list[ChangeWindow] = Field(default_factory=list)


class EnvironmentConfig(Model):
    """The environment.yaml of one folder under environments/."""

    tt_environment: TTEnvironment
    company: Name
    """The company the app key must belong to; checked against TT before any write."""
    app_name: Name = Field(default="ttconfig")
    credentials: Credentials
    usage_plan: UsagePlan
    policy: Policy = Field(default_factory=Policy)
