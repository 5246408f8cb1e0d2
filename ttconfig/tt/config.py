"""What a TT client needs to know: where TT is, which environment, who is calling, how fast."""

from __future__ import annotations

import ipaddress
import urllib.parse
from dataclasses import dataclass, field

from ttconfig.errors import UsageError
from ttconfig.tt import wire
from ttconfig.tt.secret import Secret


def check_transport(base_url: str) -> None:
    """Credentials go only over https, except to this machine (a sandbox on loopback): an
    http:// URL to any other host would send the app key and secret in clear text."""
    url = urllib.parse.urlsplit(base_url)
    if url.scheme == "https":
        return
    host = (url.hostname or "").lower()
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if url.scheme != "http" or not loopback:
        raise UsageError(f"--base-url {base_url}: credentials go only over https (http only "
                         "to this machine, e.g. http://127.0.0.1:PORT for a sandbox); nothing "
                         "was sent")


@dataclass(frozen=True)
class Credentials:
    """An app key and its secret. TT shows the secret as "<key>:<secret>"; both forms work."""

    app_key: Secret
    app_secret: Secret

    def token_form_value(self) -> str:
        """The `app_key` form value of a token request: "<key>:<secret>"."""
        key, secret = self.app_key.reveal(), self.app_secret.reveal()
        return secret if secret.startswith(f"{key}:") else f"{key}:{secret}"


@dataclass(frozen=True)
class RetryPolicy:
    """How reads (and writes that provably did not reach TT) are retried.

    Exponential backoff with full jitter: attempt n waits uniform(0, min(cap, base * 2**n)),
    or TT's Retry-After when it sends one (capped). `budget` bounds retries over the whole
    run, so a sick TT cannot turn one command into a retry storm against the daily quota.
    """

    max_attempts: int = 6
    base_seconds: float = 0.5
    cap_seconds: float = 20.0
    max_retry_after_seconds: float = 60.0
    budget: int = 200


class RequestCounter:
    """Requests sent by every client of one configuration (the daily-quota ledger reads it)."""

    def __init__(self) -> None:
        self.sent = 0
        self.throttled = 0
        """Answers that were 429 "Too Many Requests" (not the daily quota's)."""


@dataclass(frozen=True)
class WireProfile:
    """The write endpoints the contract is unsure of (§9), as two switches: which paths and
    bodies the adapters use for account↔user links and for creating users. Chosen per
    environment in environment.yaml (`wire_profile:`), on the evidence of `ttconfig doctor`."""

    links: str = "account-users"
    """"account-users": `account/{id}/users` (section 3); "accountusers": ASSUMED
    `accountusers?accountId=`, `POST accountusers`, `DELETE accountuser/{account}/{user}`."""
    users: str = "ttuser"
    """"ttuser": `POST ttuser/…/user`; "usersprovision": ASSUMED `POST ttid/…/usersprovision`."""

    def __post_init__(self) -> None:
        if self.links not in LINK_PROFILES or self.users not in USER_PROFILES:
            raise ValueError(f"unknown wire profile {self}; links: one of "
                             f"{', '.join(LINK_PROFILES)}; users: one of "
                             f"{', '.join(USER_PROFILES)}")


LINK_PROFILES = ("account-users", "accountusers")
USER_PROFILES = ("ttuser", "usersprovision")


@dataclass(frozen=True)
class ClientConfig:
    """Configuration of one client: one environment, one app key."""

    environment: str
    credentials: Credentials
    app_name: str = "ttconfig"
    company_name: str = "company"
    base_url: str = wire.BASE_URL
    usage_plan: str = "free"
    rate_safety: float = 0.98
    """Fraction of the plan's rate the client uses, a margin against clock differences."""
    max_in_flight: int = 16
    post_pause_seconds: float = 1.0
    """Wait after each write's acknowledgement (TT: 1 s; older docs: 10 s)."""
    connect_timeout_seconds: float = 10.0
    read_timeout_seconds: float = 30.0
    token_margin_fraction: float = 0.1
    token_margin_max_seconds: float = 60.0
    """Refresh a token this long before it expires: min(max, fraction × lifetime)."""
    max_redirects: int = 5
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    request_deadline_seconds: float = 120.0
    """The most one request may take, answer read whole (the read timeout is per read: a
    server trickling a byte at a time would otherwise hold a request forever)."""
    max_body_bytes: int = 64 * 2**20
    """The largest answer read, after decompression: a gzip bomb or an endless body ends
    here, not in the process's memory."""
    profile: WireProfile = field(default_factory=WireProfile)
    counter: RequestCounter | None = field(default=None, compare=False)
    """When set, every request sent is counted here too."""
    max_pages: int = 2000
    """The most pages one listing may take: a listing that never says it is done would
    otherwise spend the daily quota."""

    def __post_init__(self) -> None:
        check_transport(self.base_url)
        if self.environment not in wire.ENVIRONMENTS:
            raise ValueError(f"unknown TT environment {self.environment!r}; "
                             f"one of {', '.join(wire.ENVIRONMENTS)}")
        if self.usage_plan not in wire.USAGE_PLANS:
            raise ValueError(f"unknown usage plan {self.usage_plan!r}; "
                             f"one of {', '.join(wire.USAGE_PLANS)}")

    @property
    def requests_per_second(self) -> float:
        return wire.USAGE_PLANS[self.usage_plan][0] * self.rate_safety
