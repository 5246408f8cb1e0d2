"""`TTClient`: one object per TT environment and app key, with one API per service.

    async with TTClient(config) as tt:
        accounts = await tt.accounts.list()
        limits = await asyncio.gather(*(tt.accounts.limits(a.id) for a in accounts))

Reads may run concurrently: the shared `TTHttp` keeps them under the usage plan's rate.
Writes are serialised and paced by the same object.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import httpx

from ttconfig.tt.adapters.ttaccount import AccountsApi
from ttconfig.tt.adapters.ttgroup import RiskGroupsApi, UserGroupsApi
from ttconfig.tt.adapters.ttmonitor import MonitorApi
from ttconfig.tt.adapters.ttpds import ReferenceApi
from ttconfig.tt.adapters.ttsetup import SetupApi
from ttconfig.tt.adapters.ttuser import UsersApi
from ttconfig.tt.config import ClientConfig
from ttconfig.tt.http import Stats, TTHttp
from ttconfig.tt.pacing import Clock, Sleep


class TTClient:
    """The TT REST API 2.0, one environment, one app key."""

    def __init__(self, config: ClientConfig, *, transport: httpx.AsyncBaseTransport | None = None,
                 clock: Clock = time.monotonic, sleep: Sleep = asyncio.sleep,
                 random_fraction: Callable[[], float] | None = None) -> None:
        extra = {} if random_fraction is None else {"random_fraction": random_fraction}
        self.http = TTHttp(config, transport=transport, clock=clock, sleep=sleep, **extra)
        self.accounts = AccountsApi(self.http)
        self.users = UsersApi(self.http)
        self.risk_groups = RiskGroupsApi(self.http)
        self.user_groups = UserGroupsApi(self.http)
        self.setup = SetupApi(self.http)
        self.reference = ReferenceApi(self.http)
        self.monitor = MonitorApi(self.http)

    @property
    def stats(self) -> Stats:
        return self.http.stats

    async def __aenter__(self) -> TTClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.http.aclose()
