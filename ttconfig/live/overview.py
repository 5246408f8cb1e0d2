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
from dataclasses import dataclass

from ttconfig.live.read import Progress, watch
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


ACCOUNT_PARTS = 4
"""The reads of one account: limits, risk settings, restrictions, users."""


async def read_overview(tt: TTClient, progress: Progress | None = None) -> Overview:
    """Read everything the overview shows; GETs run concurrently under the plan's rate.
    `progress` is told the requests sent of those expected (the listings included) as
    `read_live` tells it, from the moment the listings say how many accounts there are."""
    started = time.monotonic()
    begun = tt.stats.requests
    company, accounts, users, user_groups, risk_groups, defaults = await asyncio.gather(
        tt.setup.company(), tt.accounts.list(), tt.users.list(), tt.user_groups.list(),
        tt.risk_groups.list(), tt.setup.order_tag_defaults())
    margins = await tt.setup.product_margins(company.id)
    expected = tt.stats.requests - begun + ACCOUNT_PARTS * len(accounts)
    watcher = None if progress is None else asyncio.create_task(watch(
        tt, expected, progress, begun))
    try:
        views = await asyncio.gather(*(_account_view(tt, a) for a in accounts))
    finally:
        if watcher is not None:
            watcher.cancel()
    stats = tt.stats
    return Overview(company, list(views), users, user_groups, risk_groups, len(margins),
                    len(defaults), stats.requests, stats.retries, stats.statuses[429],
                    time.monotonic() - started)

