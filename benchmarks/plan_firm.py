"""Benchmark: plan and apply for a scaled firm, with the figures the contract bounds.

1. Reads a scaled sandbox firm (default 2,000 accounts) through the client and writes it
   as YAML (as `import` does), then changes `--changes` limit values in it.
2. Local compute: load + validate the YAML, diff, plan, and render text, markdown and json.
3. The read: requests made (and the floor N ÷ rate at the stated plan).
4. Apply: POSTs made vs ceil(rows ÷ 20) per endpoint, and wall time vs
   POSTs × (1 s pause + round trip), at TT's real 1 s pause and a simulated latency.

    python benchmarks/plan_firm.py --accounts 2000 --changes 500 --latency-ms 30
"""

from __future__ import annotations

import argparse
import asyncio
import math
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ttconfig.core.plan import Plan
from ttconfig.desired.loader import load_firm
from ttconfig.desired.writer import render_new
from ttconfig.live.read import LiveFirm, read_live, to_models
from ttconfig.models import DECLARED, Firm
from ttconfig.models.environment import Policy
from ttconfig.render.json import render_json
from ttconfig.render.markdown import render_markdown
from ttconfig.render.text import render_text
from ttconfig.runs.apply.applier import Applier
from ttconfig.runs.audit import AuditLog
from ttconfig.runs.planning import plan_from
from ttconfig.safety.fingerprint import Objects, touched
from ttconfig.safety.policy import Facts, Overrides, Verdict, evaluate
from ttconfig.sandbox.server import Sandbox
from ttconfig.sandbox.settings import SandboxSettings, UsagePlan
from ttconfig.tt import wire
from ttconfig.tt.client import TTClient
from ttconfig.tt.config import ClientConfig, Credentials
from ttconfig.tt.secret import Secret

ENVIRONMENT = """\
tt_environment: ext_uat_cert
company: Harbor Point Trading
credentials: {app_key_env: TT_UAT_APP_KEY, app_secret_env: TT_UAT_APP_SECRET}
usage_plan: high
company_settings: {advanced_risk: true, market_impact: true}
"""


def client(sandbox: Sandbox, pause: float) -> TTClient:
    key, secret = sandbox.credentials("ext_uat_cert")
    return TTClient(ClientConfig(environment="ext_uat_cert", base_url=sandbox.base_url,
                                 usage_plan="high", rate_safety=40.0, post_pause_seconds=pause,
                                 credentials=Credentials(Secret(key), Secret(secret))))


def tighten(models: dict[str, Any], changes: int) -> int:
    """Lower max_order_qty on `changes` rows, 20 rows an account; the accounts touched."""
    touched = 0
    remaining = changes
    for index, account in enumerate(models["accounts"]):
        rows = account.get("limits", {}).get("products", [])
        if remaining <= 0:
            break
        if len(rows) < 5:
            continue
        for row in rows[:min(20, remaining)]:
            row["max_order_qty"] = 1
            remaining -= 1
        models["accounts"][index] = account
        touched += 1
    return touched


POLICY = Policy.model_validate({
    "thresholds": {"accounts": {"max_updates": 10**6, "max_percent": 100}},
    "protected": {"min_admins": 0},
    "bounds": [{"field": "max_order_qty", "max": 5000}, {"field": "max_position", "max": 10**6}],
    "coverage": {"limit_row_for_traded_products": True, "trading_accounts_in_a_risk_group": True},
    "require_loosening_approval": True,
    "change_windows": [{"cron": "0 7 * * 1-5", "timezone": "America/Chicago", "minutes": 60}]})


def safety(firm: Firm, live: LiveFirm, plan: Plan) -> tuple[Verdict, float, float]:
    """The time the safety policy and the saved plan's fingerprints add to a plan."""
    desired = firm.by_kind()
    started = time.perf_counter()
    live_models = to_models(live)
    verdict = evaluate(plan, POLICY, Facts(desired, live_models, datetime.now(UTC)),
                       Overrides(force=True, allow_loosening=True, outside_window=True))
    judged = time.perf_counter()
    touched(plan, Objects(desired, desired=True), Objects(live_models, desired=False))
    return verdict, judged - started, time.perf_counter() - judged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--changes", type=int, default=500)
    parser.add_argument("--latency-ms", type=float, default=30.0)
    args = parser.parse_args()
    fast = SandboxSettings(usage_plans={"high": UsagePlan(5000, 10**7)},
                           usage_plan_override="high")
    with Sandbox(settings=fast, accounts=args.accounts) as sandbox:
        async def read() -> Any:
            async with client(sandbox, 1.0) as tt:
                started = time.monotonic()
                live = await read_live(tt)
                return live, tt.stats.requests, time.monotonic() - started

        live, requests, _seconds = asyncio.run(read())
        models = {k: [m.declared() for m in v] for k, v in to_models(live).items()}
        touched = tighten(models, args.changes)
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "uat"
            folder.mkdir()
            (folder / "environment.yaml").write_text(ENVIRONMENT)
            for spec in DECLARED:
                items = [spec.model.model_validate(d) for d in models[spec.kind]]
                (folder / f"{spec.file_stem}.yaml").write_text(render_new(spec, items))
            size = sum(p.stat().st_size for p in folder.iterdir()) / 2**20
            started = time.perf_counter()
            firm = load_firm(folder)
            loaded = time.perf_counter()
            plan = plan_from(firm, "uat", live)
            planned = time.perf_counter()
            rendered = [render_text(plan), render_markdown(plan), render_json(plan)]
            done = time.perf_counter()
            verdict, judged, fingerprinted = safety(firm, live, plan)
        rows = sum(len(a.limits.product_limits) + len(a.limits.contract_limits)
                   for a in live.accounts)
        print(f"firm: {len(live.accounts)} accounts, {len(live.users)} users, {rows} limit "
              f"rows; YAML {size:.1f} MiB; plan: {len(plan.changes)} changes, "
              f"{plan.summary.requests} write requests")
        print(f"local compute: load {loaded - started:.2f} s + diff/plan "
              f"{planned - loaded:.2f} s + render {done - planned:.2f} s = "
              f"{done - started:.2f} s  (target ≤ 5 s; markdown {len(rendered[1]):,} chars)")
        print(f"safety: policy (every rule on) {judged:.2f} s, {len(verdict.findings)} "
              f"findings; fingerprints of touched objects {fingerprinted:.2f} s")
        floor = requests / wire.USAGE_PLANS["high"][0]
        print(f"live read: {requests} requests (1 listing page per 500 + the sub-resources "
              f"of every object); at the high plan ≥ {floor:.0f} s")
        sandbox.settings.latency_ms = args.latency_ms
        sandbox.settings.post_pause_seconds = 1.0

        async def apply() -> tuple[int, float]:
            async with client(sandbox, 1.0) as tt:
                with tempfile.TemporaryDirectory() as tmp:
                    applier = Applier(tt, firm, "uat", live, AuditLog(Path(tmp) / "a", {}))
                    before = len(sandbox.writes())
                    started = time.monotonic()
                    for step in plan.steps:
                        await applier._run(step, plan)
                    return len(sandbox.writes()) - before, time.monotonic() - started

        posts, wall = asyncio.run(apply())
    minimum = touched * math.ceil(min(20, args.changes) / 20)
    print(f"apply: {posts} POSTs for {args.changes} rows on {touched} accounts "
          f"(minimum ceil(rows ÷ 20) per account = {minimum}); wall {wall:.1f} s vs "
          f"POSTs × (1 s + {args.latency_ms:g} ms) = {posts * (1 + args.latency_ms / 1000):.1f} s")


if __name__ == "__main__":
    main()
