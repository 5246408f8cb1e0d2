"""`ttconfig inspect`: read a firm's live risk setup through the client (`render.overview`
summarises it).

It exercises every read the reconciler will make (accounts with their limits, risk settings,
restrictions and users; users; groups; margins; order-tag defaults) and reports what the
read cost in requests and time, so a user can check credentials, plan and speed before the
first plan.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from ttconfig.tt.client import TTClient
from ttconfig.tt.records import (
    Account,
    AccountUserLink,
    Company,
    LimitSet,
    Restrictions,
    RiskGroup,
    RiskSettings,
    UserGroup,
    UserSummary,
)

T = TypeVar("T")


@dataclass(frozen=True)
class AccountView:
    account: Account
    limits: LimitSet
    risk_settings: RiskSettings
    restrictions: Restrictions
    users: list[AccountUserLink]


@dataclass(frozen=True)
class Overview:
    company: Company
    accounts: list[AccountView]
    users: list[UserSummary]
    user_groups: list[UserGroup]
    risk_groups: list[RiskGroup]
    product_margins: int
    order_tag_defaults: int
    requests: int
    retries: int
    rate_limited: int
    seconds: float


async def _account_view(tt: TTClient, account: Account) -> AccountView:
    limits, settings, restrictions, users = await asyncio.gather(
        tt.accounts.limits(account.id), tt.accounts.risk_settings(account.id),
        tt.accounts.restrictions(account.id), tt.accounts.users(account.id))
    return AccountView(account, limits, settings, restrictions, users)


async def read_overview(tt: TTClient, progress: Callable[[int, int], None] | None = None,
                        ) -> Overview:
    """Read everything the overview shows; GETs run concurrently under the plan's rate."""
    started = time.monotonic()
    company, accounts, users, user_groups, risk_groups, defaults = await asyncio.gather(
        tt.setup.company(), tt.accounts.list(), tt.users.list(), tt.user_groups.list(),
        tt.risk_groups.list(), tt.setup.order_tag_defaults())
    margins = await tt.setup.product_margins(company.id)
    views = await _gather_counted([partial(_account_view, tt, a) for a in accounts], progress)
    stats = tt.stats
    return Overview(company, views, users, user_groups, risk_groups, len(margins),
                    len(defaults), stats.requests, stats.retries, stats.statuses[429],
                    time.monotonic() - started)


async def _gather_counted(jobs: list[Callable[[], Awaitable[T]]],
                          progress: Callable[[int, int], None] | None) -> list[T]:
    done = 0

    async def run(job: Callable[[], Awaitable[T]]) -> T:
        nonlocal done
        result = await job()
        done += 1
        if progress is not None:
            progress(done, len(jobs))
        return result

    return list(await asyncio.gather(*(run(job) for job in jobs)))

