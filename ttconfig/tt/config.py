"""What a TT client needs to know: where TT is, which environment, who is calling, how fast."""

from __future__ import annotations

from dataclasses import dataclass, field

from ttconfig.tt import wire
from ttconfig.tt.secret import Secret


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

    def __post_init__(self) -> None:
        if self.environment not in wire.ENVIRONMENTS:
            raise ValueError(f"unknown TT environment {self.environment!r}; "
                             f"one of {', '.join(wire.ENVIRONMENTS)}")
        if self.usage_plan not in wire.USAGE_PLANS:
            raise ValueError(f"unknown usage plan {self.usage_plan!r}; "
                             f"one of {', '.join(wire.USAGE_PLANS)}")

    @property
    def requests_per_second(self) -> float:
        return wire.USAGE_PLANS[self.usage_plan][0] * self.rate_safety
