"""Benchmark: read every account with its limits, risk settings and users from a scaled firm.

Prints what the read cost and how close it came to the usage plan's floor: a read of N
requests cannot take less than N ÷ rate seconds, so wall ÷ (requests ÷ rate) shows the
client's overhead (target: ≤ 1.10 with zero 429s).

    python benchmarks/read_accounts.py --accounts 2000 --usage-plan high --latency-ms 30
"""

from __future__ import annotations

import argparse
import asyncio
import time
from dataclasses import dataclass

from ttconfig.sandbox.server import Sandbox
from ttconfig.sandbox.settings import SandboxSettings
from ttconfig.tt import wire
from ttconfig.tt.client import TTClient
from ttconfig.tt.config import ClientConfig, Credentials
from ttconfig.tt.secret import Secret


@dataclass(frozen=True)
class Figures:
    accounts: int
    limit_rows: int
    links: int
    requests: int
    rate_limited: int
    retries: int
    wall_seconds: float
    floor_seconds: float

    @property
    def ratio(self) -> float:
        return self.wall_seconds / self.floor_seconds


async def read_all(tt: TTClient) -> tuple[int, int, int]:
    """Every account, then its limits, risk settings and users, concurrently."""
    accounts = await tt.accounts.list()

    async def one(account_id: int) -> tuple[int, int]:
        limits, _settings, users = await asyncio.gather(
            tt.accounts.limits(account_id), tt.accounts.risk_settings(account_id),
            tt.accounts.users(account_id))
        return len(limits.product_limits) + len(limits.contract_limits), len(users)

    counts = await asyncio.gather(*(one(a.id) for a in accounts))
    return len(accounts), sum(c[0] for c in counts), sum(c[1] for c in counts)


async def measure(sandbox: Sandbox, environment: str, plan: str) -> Figures:
    key, secret = sandbox.credentials(environment)
    config = ClientConfig(environment=environment, base_url=sandbox.base_url, usage_plan=plan,
                          credentials=Credentials(Secret(key), Secret(secret)),
                          company_name="Harbor Point")
    async with TTClient(config) as tt:
        started = time.monotonic()
        accounts, rows, links = await read_all(tt)
        wall = time.monotonic() - started
        stats = tt.stats
        rate = wire.USAGE_PLANS[plan][0]
        return Figures(accounts, rows, links, stats.requests, stats.statuses[429],
                       stats.retries, wall, stats.requests / rate)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--usage-plan", default="high", choices=list(wire.USAGE_PLANS))
    parser.add_argument("--latency-ms", type=float, default=30.0)
    parser.add_argument("--environment", default="ext_uat_cert", choices=wire.ENVIRONMENTS)
    args = parser.parse_args()
    settings = SandboxSettings(usage_plan_override=args.usage_plan, latency_ms=args.latency_ms)
    built = time.monotonic()
    with Sandbox(settings=settings, accounts=args.accounts) as sandbox:
        print(f"sandbox with {args.accounts} accounts ready in {time.monotonic() - built:.1f} s; "
              f"plan {args.usage_plan} ({wire.USAGE_PLANS[args.usage_plan][0]:g} req/s), "
              f"latency {args.latency_ms:g} ms")
        f = asyncio.run(measure(sandbox, args.environment, args.usage_plan))
    print(f"accounts read            {f.accounts}")
    print(f"limit rows / user links  {f.limit_rows} / {f.links}")
    print(f"requests made            {f.requests}")
    print(f"429s received            {f.rate_limited} (retries: {f.retries})")
    print(f"wall time                {f.wall_seconds:.1f} s")
    print(f"requests ÷ rate          {f.floor_seconds:.1f} s")
    print(f"wall ÷ (requests ÷ rate) {f.ratio:.3f}")


if __name__ == "__main__":
    main()
