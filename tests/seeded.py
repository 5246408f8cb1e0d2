"""A fast sandbox for tests that read whole firms: rates far above TT's, same rules."""

from __future__ import annotations

import asyncio
from typing import Any

from ttconfig.core.selection import Selection
from ttconfig.live.read import LiveFirm, read_live
from ttconfig.models import Firm
from ttconfig.runs.planning import Planned, make_plan
from ttconfig.sandbox.server import Sandbox
from ttconfig.sandbox.settings import SandboxSettings, UsagePlan
from ttconfig.tt.client import TTClient
from ttconfig.tt.config import ClientConfig, Credentials
from ttconfig.tt.secret import Secret

FAST = SandboxSettings(usage_plans={"high": UsagePlan(1000, 10**6)},
                       usage_plan_override="high", strict=True)


def fast_client(sandbox: Sandbox, environment: str, **overrides: Any) -> TTClient:
    """A client for `sandbox` at the fast rate (rate_safety lifts the client's own limit)."""
    key, secret = sandbox.credentials(environment)
    return TTClient(ClientConfig(**{
        "environment": environment, "base_url": sandbox.base_url, "usage_plan": "high",
        "rate_safety": 20.0, "credentials": Credentials(Secret(key), Secret(secret)),
        **overrides}))


def read_seeded(environment: str) -> LiveFirm:
    """The seeded firm of a fresh sandbox, read whole through the client."""
    with Sandbox(settings=FAST) as sandbox:
        async def read() -> LiveFirm:
            async with fast_client(sandbox, environment) as tt:
                return await read_live(tt)

        return asyncio.run(read())


def plan_against_seed(firm: Firm, folder: str, environment: str,
                      selection: Selection | None = None) -> Planned:
    """`ttconfig plan` of `firm` against a fresh sandbox, in-process."""
    with Sandbox(settings=FAST) as sandbox:
        async def run() -> Planned:
            async with fast_client(sandbox, environment) as tt:
                return await make_plan(firm, folder, tt, selection)

        return asyncio.run(run())
