"""Every limit the sandbox enforces, as a setting: usage plans, pacing, paging, sizes, tokens.

The defaults are TT's documented values (shared/tt-contract.md §1); tests shrink them (a page
size of 2, a token lifetime of 2 s) to reach the interesting cases quickly. Settings are read
on every request, so a test may change them while the server runs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

CANARY_VARIABLE = "TTCONFIG_SANDBOX_CANARY"
"""When set, every app key, app secret and access token the sandbox issues starts with its value
(tests/canary.py sets a unique one per test session, then searches every artefact for it)."""


@dataclass(frozen=True)
class UsagePlan:
    """A TT usage plan: a request rate per second and a daily request quota per app key."""

    requests_per_second: float
    daily_quota: int


def default_usage_plans() -> dict[str, UsagePlan]:
    """TT's published usage plans (free is UAT-only at TT; the sandbox does not police that)."""
    return {
        "free": UsagePlan(3, 10_000),
        "low": UsagePlan(5, 15_000),
        "medium": UsagePlan(10, 30_000),
        "high": UsagePlan(25, 75_000),
    }


USAGE_PLAN_NAMES = ("free", "low", "medium", "high")
DEMO_TODAY = date(2026, 12, 7)
"""The demo firm's day: the date the sandbox's clock shows by default, so that what has
expired (its first contracts expire 2026-12-18) and every plan of the demo YAML are the
same on any day the demo is run."""


@dataclass
class SandboxSettings:
    """Tunable behaviour of the sandbox; see the module docstring."""

    usage_plans: dict[str, UsagePlan] = field(default_factory=default_usage_plans)
    usage_plan_override: str | None = None
    """When set, every app key uses this plan instead of its seeded one."""
    burst_seconds: float = 1.0
    """Rate-limit bucket capacity, in seconds of the plan's rate (API Gateway's burst)."""
    post_pause_seconds: float = 1.0
    """Minimum time between the acknowledgement of a POST and the key's next POST."""
    max_post_items: int = 20
    page_size: int = 500
    max_plain_response_bytes: int = 2_000_000
    """Larger response bodies are refused with 413 unless the client accepts gzip."""
    token_lifetime_seconds: float = 43199.0
    """As a real token showed (`seconds_until_expiry: 43199`, contract §9)."""
    strict: bool = False
    """Also refuse what only a third-party guide reports TT refusing: a GET that sends a
    `Content-Type` (403). TT's own Backtest sample sends one on every GET, so it is off by
    default; ttconfig's client tests run strict, so the client keeps not sending it."""
    links_profile: str = "account-users"
    """How account↔user links are served (a wire profile, contract §9): "account-users"
    (`account/{id}/users`, section 3) or "accountusers" (ASSUMED: `accountusers?accountId=`,
    `POST accountusers`, `DELETE accountuser/{accountId}/{userId}`). Only the chosen one is
    served: a client of the other profile is answered 404."""
    users_profile: str = "ttuser"
    """How users are created: "ttuser" (`POST ttuser/…/user`) or "usersprovision"
    (ASSUMED: `POST ttid/…/usersprovision` with `{"users": [...]}`)."""
    redirect_gets: bool = False
    """Answer every GET first with a 303 to the same host (TT's regional routing)."""
    latency_ms: float = 0.0
    """Simulated round-trip time added to every response."""
    today: date | None = DEMO_TODAY
    """The date the sandbox's clock (its `Date` header, TT's clock to a client) shows, at
    the real time of day; None: the real date."""
    credential_canary: str = field(default_factory=lambda: os.environ.get(CANARY_VARIABLE, ""))
    """Prefix of every credential the sandbox issues, so that a leaked one is found by a plain
    text search (see CANARY_VARIABLE). Read once, when the settings are made; a child process
    running `--sandbox` inherits it through the environment."""

    def credential(self, value: str) -> str:
        """`value` as the sandbox issues it: behind the canary, when there is one."""
        return f"{self.credential_canary}-{value}" if self.credential_canary else value

    def now(self) -> datetime:
        """The sandbox's clock: the real time, on `today` when it is set."""
        real = datetime.now(UTC)
        return real if self.today is None else datetime.combine(self.today, real.timetz())

    def plan_for(self, seeded_plan: str) -> UsagePlan:
        """The usage plan in force for a key seeded with `seeded_plan`."""
        return self.usage_plans[self.usage_plan_override or seeded_plan]
