"""When to try a request again, and how long to wait: one policy for every retry.

Exponential backoff with full jitter (attempt n waits uniform(0, min(cap, base × 2ⁿ⁻¹))),
or TT's Retry-After when it sends one, capped. A budget shared by the whole run bounds the
retries, so a sick TT cannot turn one command into a retry storm against the daily quota.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from ttconfig.tt.config import RetryPolicy
from ttconfig.tt.errors import TTError
from ttconfig.tt.pacing import Sleep

log = logging.getLogger("ttconfig.tt")


class RetryBudget:
    """The retries left for the whole run."""

    def __init__(self, policy: RetryPolicy) -> None:
        self.policy = policy
        self.left = policy.budget
        self.used = 0


def backoff_seconds(policy: RetryPolicy, attempt: int, retry_after: float | None,
                    random_fraction: Callable[[], float]) -> float:
    """How long to wait after failed attempt number `attempt` (1-based)."""
    if retry_after is not None:
        return min(retry_after, policy.max_retry_after_seconds)
    ceiling = min(policy.cap_seconds, policy.base_seconds * 2.0 ** (attempt - 1))
    return random_fraction() * ceiling


class Attempts:
    """The attempts of one request."""

    def __init__(self, budget: RetryBudget, sleep: Sleep,
                 random_fraction: Callable[[], float]) -> None:
        self._budget, self._sleep, self._random = budget, sleep, random_fraction
        self.count = 1

    async def again(self, error: TTError, retry_after: float | None) -> None:
        """Sleep before the next attempt, or raise `error` when no attempt is left."""
        policy = self._budget.policy
        if self.count >= policy.max_attempts or self._budget.left <= 0:
            raise error
        delay = backoff_seconds(policy, self.count, retry_after, self._random)
        self._budget.left -= 1
        self._budget.used += 1
        log.info("%s %s: %s; attempt #%d/%d in %.2f s", error.method, error.path, error.message,
                 self.count + 1, policy.max_attempts, delay)
        self.count += 1
        await self._sleep(delay)
