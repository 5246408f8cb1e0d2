"""`environment.yaml`: which TT environment a folder describes, and its safety policy.

The policy's schema lives here; its enforcement comes with saved plans and policies.
Protection lives in this file on purpose: removing an object's block from its kind's YAML
does not remove its protection.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError
from pydantic import AfterValidator, Field, field_validator, model_validator

from ttconfig.models.accounts import Restrictions
from ttconfig.models.base import Email, Model, Name, Quantity
from ttconfig.models.kinds import DECLARED
from ttconfig.models.limits import LIMIT_FIELDS
from ttconfig.words import plural


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
# The kinds and limit fields environment.yaml may name are literals in its JSON Schema
# (editors complete them), made from the kind registry and the limit model, so a new kind
# or limit field reaches the policy without a second list. mypy sees them as str.
if TYPE_CHECKING:
    Kind = str
    ChangeKind = str
    LimitField = str
else:
    Kind = Literal[tuple(spec.kind.value for spec in DECLARED)]
    ChangeKind = Kind | Literal["links"]
    LimitField = Literal[LIMIT_FIELDS]
"""Kind: the declared kinds. ChangeKind: what a plan changes, the kinds and account↔user
links (thresholds count them apart). LimitField: the quantity limits of a limit row."""



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

    api_user: Email | None = None
    """The login that created the app key. TT has no "who am I": the key acts with this
    user's permissions and sees only its accounts, so a plan that deactivates it, takes its
    admin rights or unlinks it from an account is refused whatever the flags."""
    users: list[Email] = Field(default_factory=list)
    accounts: list[Name] = Field(default_factory=list)
    min_admins: int = Field(default=1, ge=0)
    """Active full admins a plan may never go below (counted in TT when a plan takes admin
    rights away)."""


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

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        if len(value.split()) != 5:  # cronsim would read a sixth field as seconds
            raise ValueError("a cron expression has 5 fields: minute hour day month weekday")
        try:
            CronSim(value, datetime(2026, 1, 1))
        except CronSimError as error:
            raise ValueError(f"not a cron expression (minute hour day month weekday): "
                             f"{error}") from None
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long
            raise ValueError("not an IANA time zone (e.g. America/Chicago)") from None
        return value


class ExposureRule(Model):
    """What a plan may do to the positions and credit in use now (read from ttmonitor at
    plan and apply time; `ttconfig plan --no-exposure` skips the read)."""

    on_breach: Literal["approve", "warn"] = "warn"
    """A tightening that leaves an account's position or credit in use over its new limit
    (BREACH ON APPLY): `approve` holds the apply for an approval of the plan (`ttconfig
    approve`, or `--allow-breach`); `warn` only says so. A de-risking change (a limit of 0,
    `apply --break-glass`) is never held."""
    min_headroom_percent: float | None = Field(default=None, ge=0, le=100)
    """Warn when the headroom a changed limit leaves is under this share of it."""


class Policy(Model):
    prune: dict[Kind, bool] = Field(default_factory=dict)
    thresholds: dict[ChangeKind, Threshold] = Field(default_factory=dict)
    protected: Protected = Field(default_factory=Protected)
    bounds: list[Bound] = Field(default_factory=list)
    coverage: Coverage = Field(default_factory=Coverage)
    require_loosening_approval: bool = False
    require_saved_plan: bool = False
    """Apply only a reviewed plan file (`plan --out`, then `apply PLAN.json`): no plan
    made and applied in one go from a laptop."""
    require_distinct_approver: bool = False
    """An approval counts only from someone other than the plan's author (compared by
    their CI login or git email, and refused when the two cannot be compared)."""
    quota_reserve_percent: float = Field(default=20.0, ge=0, le=100)
    """The share of the app key's daily request quota that plans, applies and reads leave
    untouched (the local ledger counts the day's requests): an emergency (`apply
    --break-glass`) may still spend it."""
    high_loosening_percent: float = Field(default=50.0, ge=0)
    change_windows: list[ChangeWindow] = Field(default_factory=list)
    exposure: ExposureRule = Field(default_factory=ExposureRule)


class Exclusion(Model):
    """What promotion leaves out: whole objects (`name`), or fields (`field`) of them.

    Globs: `name: "HPT-UAT-*"` leaves out UAT-only accounts; `field:
    "risk_settings.credit_limit"` keeps every account's own credit limit;
    `field: "limits.*.max_position"` reaches into limit rows ("limits.products.CME ES
    future.max_position").
    """

    kind: ChangeKind
    name: str = "*"
    field: str | None = None


WILDCARDS = re.compile(r"[*?]")
"""The wildcards of a name mapping (and of the globs promotion matches names with)."""


class NameMapping(Model):
    """A UAT name and the prod name it stands for: `uat: "UAT-*"` ↔ `prod: "HPT-*"` (the
    part matched by `*` is carried over)."""

    kind: ChangeKind = "accounts"
    uat: str = Field(min_length=1)
    prod: str = Field(min_length=1)

    @model_validator(mode="after")
    def _same_wildcards(self) -> NameMapping:
        """Each `*` or `?` of one side stands for the same part of the name in the other,
        so a mapping that drops or invents one cannot be read either way."""
        source, target = (len(WILDCARDS.findall(glob)) for glob in (self.uat, self.prod))
        if source != target:
            raise ValueError(f"{self.uat!r} has {plural(source, 'wildcard')} and {self.prod!r} has "
                             f"{target}: each * or ? of one stands for the same part of the "
                             "name in the other")
        return self


class Promotion(Model):
    """How this environment takes changes from the one before it (prod from UAT)."""

    source: str = Field(default="uat", pattern=r"^[a-z][a-z0-9_-]*$")
    exclude: list[Exclusion] = Field(default_factory=list)
    names: list[NameMapping] = Field(default_factory=list)
    soak_hours: float = Field(default=0, ge=0)
    """How long the source environment must have held a change before the gate lets it into
    this one: since its last apply there, or since the first drift run that saw it as it is
    (both from the source's audit log)."""


class WireProfile(Model):
    """The TT write endpoints the contract is unsure of (its section 9), as two switches;
    `ttconfig doctor` shows which one a TT answers. The defaults are the contract's section 3."""

    links: Literal["account-users", "accountusers"] = "account-users"
    """Account↔user links: `account/{id}/users`, or `accountuser(s)` (ASSUMED shapes)."""
    users: Literal["ttuser", "usersprovision"] = "ttuser"
    """New users: `POST ttuser/…/user`, or ttid's `usersprovision` (ASSUMED shapes)."""


class Scratch(Model):
    """What `ttconfig doctor --write-probe` may write to (UAT only): an account set aside
    for it, and a user it may link there."""

    account: Name
    user: str | None = None


class CompanySettings(Model):
    """TT company settings that change what the YAML means, declared so offline commands
    (validate, promote) know them; plan checks them against TT's company (contract §9)."""

    default_limits_to_zero: bool = False
    """TT's "Default account limits to 0 when 'Not Set'": a limit that is not set behaves
    as 0 — the tightest value, not the loosest — and ttconfig shows and judges it so."""
    advanced_risk: bool = False
    """Advanced risk (near/far-touch price bands) is enabled for the company."""
    market_impact: bool = False
    """The market impact check is enabled for the company."""
    liquidation_user: Email | None = None
    """The user TT closes positions as when a credit-loss action closes them (TT Setup's
    company liquidation user); plan checks it against TT. Left out: not checked (but an
    account that closes positions still needs TT to have one)."""


class Defaults(Model):
    """What objects ttconfig creates get where their YAML is silent."""

    restrictions: Restrictions | None = None
    """A new account's restrictions, each one its YAML does not declare; one neither
    declares is written denied, as TT makes it (the plan shows every one)."""


class EnvironmentConfig(Model):
    """The environment.yaml of one folder under environments/."""

    tt_environment: TTEnvironment
    company: Name
    """The company the app key must belong to; checked against TT before any write."""
    app_name: Name = Field(default="ttconfig")
    credentials: Credentials
    usage_plan: UsagePlan
    policy: Policy = Field(default_factory=Policy)
    promotion: Promotion = Field(default_factory=Promotion)
    wire_profile: WireProfile = Field(default_factory=WireProfile)
    scratch: Scratch | None = None
    defaults: Defaults = Field(default_factory=Defaults)
    company_settings: CompanySettings = Field(default_factory=CompanySettings)
