"""Benchmark of issue [L]: what reading exposure adds to a plan's read.

A plan reads ttmonitor only for the accounts whose position or credit limits it changes:
one request per account for positions by product (another for contract rows), one for its
credit in use. This measures it on the demo firm and on a scaled firm: every account's
position limits (and, with `--credit`, credit limits) tightened, at the usage plan's rate
with simulated latency, against the plan's own read of the same firm.

    python benchmarks/exposure_cost.py                          # demo and 2,000 accounts
    python benchmarks/exposure_cost.py --accounts 2000 --share 10 --usage-plan free
"""

from __future__ import annotations

import argparse
import asyncio
import time
from dataclasses import dataclass
from typing import Any

from ttconfig.core.diff import diff
from ttconfig.core.exposure import annotate, needs
from ttconfig.core.plan import build_plan
from ttconfig.core.state import State
from ttconfig.live.exposure import read_book
from ttconfig.live.read import read_live, to_models
from ttconfig.models import Kind
from ttconfig.models.base import Model
from ttconfig.sandbox.server import Sandbox
from ttconfig.sandbox.settings import SandboxSettings
from ttconfig.tt.client import TTClient
from ttconfig.tt.config import ClientConfig, Credentials
from ttconfig.tt.secret import Secret

ENVIRONMENT = "ext_prod_live"


@dataclass(frozen=True)
class Figures:
    accounts: int
    touched: int
    plan_requests: int
    plan_seconds: float
    exposure_requests: int
    exposure_seconds: float
    breaches: int


def _tightened(model: Model, credit: bool) -> Model:
    """The account with every position limit it sets halved (and its credit limit)."""
    data: dict[str, Any] = model.declared()
    for row in (data.get("limits") or {}).get("products") or []:
        for name in ("max_position", "max_long_position", "max_short_position"):
            if isinstance(row.get(name), int) and row[name] > 1:
                row[name] //= 2
    settings = data.get("risk_settings") or {}
    if credit and isinstance(settings.get("credit_limit"), int | float):
        settings["credit_limit"] = settings["credit_limit"] // 2
    return type(model).model_validate(data)


async def measure(sandbox: Sandbox, plan: str, share: float, credit: bool) -> Figures:
    key, secret = sandbox.credentials(ENVIRONMENT)
    config = ClientConfig(environment=ENVIRONMENT, base_url=sandbox.base_url,
                          usage_plan=plan, credentials=Credentials(Secret(key), Secret(secret)),
                          company_name="Harbor Point")
    async with TTClient(config) as tt:
        start = time.perf_counter()
        live = await read_live(tt)
        plan_seconds, plan_requests = time.perf_counter() - start, tt.stats.requests
        models = to_models(live)
        accounts = list(models[Kind.ACCOUNTS])
        cut = max(1, round(len(accounts) * share / 100))
        desired = State({**models, Kind.ACCOUNTS: [
            _tightened(a, credit) if i < cut else a for i, a in enumerate(accounts)]})
        have = State(models)
        changes = build_plan(diff(desired, have, {}), environment="prod",
                             tt_environment=ENVIRONMENT)
        wanted = needs(changes, desired, have)
        start = time.perf_counter()
        book = await read_book(tt, live, wanted)
        exposure_seconds = time.perf_counter() - start
        exposure = annotate(changes, desired, have, book)
    return Figures(len(accounts), len(wanted.accounts), plan_requests, plan_seconds,
                   book.requests, exposure_seconds, len(exposure.breaches))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", default="demo,2000",
                        help="Firm sizes, comma-separated ('demo' for the demo firm).")
    parser.add_argument("--usage-plan", default="high")
    parser.add_argument("--latency-ms", type=float, default=30.0)
    parser.add_argument("--share", type=float, default=100.0,
                        help="Percent of accounts whose limits the plan tightens.")
    parser.add_argument("--credit", action="store_true",
                        help="Tighten their credit limits too (a second request each).")
    args = parser.parse_args()
    settings = SandboxSettings(usage_plan_override=args.usage_plan, latency_ms=args.latency_ms)
    print(f"usage plan {args.usage_plan}, {args.latency_ms:g} ms latency, {args.share:g}% of "
          f"accounts tightened{' (credit too)' if args.credit else ''}")
    print("| accounts | changed | plan read: requests, s | exposure: requests, s | extra "
          "| breaches |")
    print("|---:|---:|---:|---:|---:|---:|")
    for size in args.accounts.split(","):
        accounts = None if size == "demo" else int(size)
        with Sandbox(settings=settings, accounts=accounts) as sandbox:
            f = asyncio.run(measure(sandbox, args.usage_plan, args.share, args.credit))
        extra = f.exposure_requests / f.plan_requests * 100
        print(f"| {f.accounts:,} | {f.touched:,} | {f.plan_requests:,}, {f.plan_seconds:.1f} "
              f"| {f.exposure_requests:,}, {f.exposure_seconds:.1f} | {extra:.0f}% "
              f"| {f.breaches} |")


if __name__ == "__main__":
    main()
