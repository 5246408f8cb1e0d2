"""Which TT a command talks to: the built-in sandbox, or a TT base URL with credentials.

Credentials come only from environment variables named per environment (TT_UAT_APP_KEY /
TT_UAT_APP_SECRET, TT_PROD_APP_KEY / TT_PROD_APP_SECRET), never from arguments or files.
Workflows reach TT through a `Connect` they are given, so a test can hand the command line
a faster way in (a quicker sandbox, a client tuned to it) without changing what is run.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from ttconfig.errors import UsageError
from ttconfig.models.environment import EnvironmentConfig
from ttconfig.runs.ledger import Budget, Ledger, today
from ttconfig.runs.paths import SANDBOX_STATE, Layout
from ttconfig.sandbox.server import Sandbox
from ttconfig.sandbox.settings import SandboxSettings
from ttconfig.tt import wire
from ttconfig.tt.config import ClientConfig, Credentials, RequestCounter, WireProfile
from ttconfig.tt.secret import Secret

TT_ENVIRONMENTS = {"uat": "ext_uat_cert", "prod": "ext_prod_live"}
quota_log = logging.getLogger("ttconfig.quota")


@dataclass(frozen=True)
class Target:
    """Where to send requests, as the command line asked."""

    environment: str
    """The environment folder's name (the user's own: uat, prod, meridian-uat)."""
    sandbox: bool = False
    base_url: str = wire.BASE_URL
    usage_plan: str | None = None
    app_name: str = "ttconfig"
    company_name: str | None = None
    state_path: Path = SANDBOX_STATE
    declared_tt_environment: str | None = None
    """From environment.yaml, when the command reads one."""
    credential_names: tuple[str, str] | None = None
    profile: WireProfile = field(default_factory=WireProfile)
    """environment.yaml's wire profile: the client speaks it, and a sandbox serves it."""
    quota_reserve_percent: float = 20.0
    """policy.quota_reserve_percent: the share of the daily quota left untouched."""
    emergency: bool = False
    """An emergency (apply --break-glass) may spend the reserve."""

    @property
    def tt_environment(self) -> str:
        if self.declared_tt_environment is not None:
            return self.declared_tt_environment
        try:
            return TT_ENVIRONMENTS[self.environment]
        except KeyError:
            raise UsageError(
                f"environments/{self.environment}/environment.yaml is missing: it says which "
                f"TT environment and company the folder is (without it, only "
                f"{' and '.join(TT_ENVIRONMENTS)} name one)") from None


def credential_variables(environment: str) -> tuple[str, str]:
    """TT_<FOLDER>_APP_KEY/_APP_SECRET (`meridian-uat` → TT_MERIDIAN_UAT_…): the variables
    a folder's credentials are read from unless its environment.yaml names others."""
    prefix = "TT_" + re.sub(r"[^A-Z0-9]+", "_", environment.upper()).strip("_")
    return f"{prefix}_APP_KEY", f"{prefix}_APP_SECRET"


def sandbox_key_variables(tt_environment: str, label: str) -> tuple[str, str]:
    """The variables a sandbox app key is exported as: ttconfig's own names for its
    "ttconfig" key, so `. credentials.env` is all a rehearsal needs; the others' label
    inserted, so that no two keys overwrite each other."""
    short = {tt: name for name, tt in TT_ENVIRONMENTS.items()}.get(tt_environment,
                                                                     tt_environment)
    key_var, secret_var = credential_variables(short)
    if label == "ttconfig":
        return key_var, secret_var
    infix = f"_{label.upper()}_APP_"
    return key_var.replace("_APP_", infix), secret_var.replace("_APP_", infix)


def credentials_from(environ: Mapping[str, str], environment: str,
                     names: tuple[str, str] | None = None) -> Credentials:
    key_var, secret_var = names or credential_variables(environment)
    missing = [v for v in (key_var, secret_var) if not environ.get(v, "").strip()]
    if missing:
        raise UsageError(f"set {' and '.join(missing)} to the app key and secret of the "
                         f"{environment} environment, or use --sandbox")
    # Around the value, whitespace is a copy-paste's (a secret file's last newline): never
    # part of a key. Inside it, it is a different value: say so, without showing it.
    key, secret = environ[key_var].strip(), environ[secret_var].strip()
    for variable, value in ((key_var, key), (secret_var, secret)):
        if any(c.isspace() for c in value):
            raise UsageError(f"{variable} has whitespace inside it: an app key or secret has "
                             "none; copy it again from TT's Setup app")
    return Credentials(Secret(key), Secret(secret))


@dataclass(frozen=True)
class ConnectionOptions:
    """How the command line asked to reach TT, before it knows the environment's YAML."""

    sandbox: bool = False
    base_url: str = wire.BASE_URL
    usage_plan: str | None = None
    company_name: str | None = None

    @property
    def where(self) -> str:
        """Where requests go, as plan files and audit records name it: "sandbox", or TT's
        base URL."""
        return "sandbox" if self.sandbox else self.base_url

    @property
    def flags(self) -> str:
        """The command-line options that send a command where these options do."""
        if self.sandbox:
            return " --sandbox"
        return "" if self.base_url == wire.BASE_URL else f" --base-url {self.base_url}"

    def target(self, environment: str, config: EnvironmentConfig | None = None) -> Target:
        """Where to send `environment`'s requests; environment.yaml fills what was not given
        (without one, `uat` and `prod` name TT's two environments)."""
        if config is None:
            return Target(environment, sandbox=self.sandbox, base_url=self.base_url,
                          usage_plan=self.usage_plan, company_name=self.company_name)
        return Target(environment, sandbox=self.sandbox, base_url=self.base_url,
                      usage_plan=self.usage_plan or config.usage_plan,
                      company_name=self.company_name or config.company,
                      app_name=config.app_name, declared_tt_environment=config.tt_environment,
                      credential_names=(config.credentials.app_key_env,
                                        config.credentials.app_secret_env),
                      profile=WireProfile(config.wire_profile.links, config.wire_profile.users),
                      quota_reserve_percent=config.policy.quota_reserve_percent)


Connect = Callable[[Target], AbstractContextManager[ClientConfig]]
"""A way to TT for one target: a context that holds a client configuration (and whatever
must run while it is used, such as the in-process sandbox)."""


def _as_is(config: ClientConfig) -> ClientConfig:
    return config


@dataclass(frozen=True)
class Connector:
    """The `Connect` commands use: the real one by default.

    Tests give the command line another (through click's context object) to run whole
    commands in-process at test speed: an in-process sandbox with faster settings, and a
    client `tune`d to them (its write pause, its rate). Everything else — credentials from
    the environment, the state file, the usage plan — goes the way users' runs go.
    """

    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)
    sandbox_settings: Callable[[], SandboxSettings] = SandboxSettings
    """Settings of a `--sandbox` started in-process (fresh each time: the sandbox owns them)."""
    tune: Callable[[ClientConfig], ClientConfig] = _as_is

    @contextmanager
    def __call__(self, target: Target) -> Iterator[ClientConfig]:
        with connect(target, self.environ, self.sandbox_settings()) as config:
            yield self.tune(config)


@contextmanager
def connect(target: Target, environ: Mapping[str, str],
            sandbox_settings: SandboxSettings | None = None) -> Iterator[ClientConfig]:
    """A client configuration for `target`, with the in-process sandbox running if asked,
    within the day's budget of the key's quota (runs.ledger): the spend is said, a command
    that would eat into the reserve is refused, and what it sent is recorded."""
    with _reached(target, environ, sandbox_settings) as config:
        ledger = Ledger.of(Layout().of(sandbox=target.sandbox).audit_dir,
                           config.credentials.app_key.reveal())
        day = today()
        budget = Budget(ledger.spent(day), wire.USAGE_PLANS[config.usage_plan][1],
                        target.quota_reserve_percent)
        quota_log.info(budget.said())
        budget.check(emergency=target.emergency)
        counter = RequestCounter()
        try:
            yield replace(config, counter=counter)
        finally:
            try:
                ledger.record(day, counter.sent, target.environment)
            except OSError as error:  # the command's own outcome matters more than its count
                quota_log.warning("Could not record %d requests in %s: %s", counter.sent,
                                  ledger.path, error.strerror or error)
            if counter.throttled:
                quota_log.warning(
                    "%d of %d answers were 429 at the %r usage plan's rate: the app key's "
                    "real plan may be lower than declared (usage_plan in environment.yaml, "
                    "or --usage-plan)", counter.throttled, counter.sent, config.usage_plan)


@contextmanager
def _reached(target: Target, environ: Mapping[str, str],
             sandbox_settings: SandboxSettings | None) -> Iterator[ClientConfig]:
    if not target.sandbox:
        yield ClientConfig(environment=target.tt_environment, base_url=target.base_url,
                           credentials=credentials_from(environ, target.environment,
                                                        target.credential_names),
                           usage_plan=target.usage_plan or "free", app_name=target.app_name,
                           company_name=target.company_name or "company",
                           profile=target.profile)
        return
    settings = sandbox_settings or SandboxSettings()
    settings.links_profile, settings.users_profile = target.profile.links, target.profile.users
    with Sandbox(state_path=target.state_path, settings=settings) as sandbox:
        sandbox.settings.usage_plan_override = target.usage_plan
        key, secret = sandbox.credentials(target.tt_environment)
        yield ClientConfig(
            environment=target.tt_environment, base_url=sandbox.base_url,
            credentials=Credentials(Secret(key), Secret(secret)),
            usage_plan=sandbox.usage_plan(target.tt_environment), app_name=target.app_name,
            company_name=target.company_name or "sandbox", profile=target.profile)
