"""Convergence: random desired states, drawn by mutating the demo firm, converge in one
apply; the plan after it is empty, and every planned request was written exactly once."""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ttconfig.apply import Applier
from ttconfig.audit import AuditLog
from ttconfig.live import read_live
from ttconfig.models import Firm
from ttconfig.planning import load, plan_from
from ttconfig.sandbox.server import Sandbox
from ttconfig.sandbox.settings import SandboxSettings, UsagePlan
from ttconfig.tt.client import TTClient
from ttconfig.tt.config import ClientConfig, Credentials
from ttconfig.tt.secret import Secret

ROOT = Path(__file__).parent.parent
PROD = load(ROOT / "environments" / "prod")
BASE: dict[str, list[dict[str, Any]]] = {
    kind: [m.declared() for m in getattr(PROD, kind)]
    for kind in ("accounts", "users", "user_groups", "risk_groups", "product_margins",
                 "order_tag_defaults")}
LIMIT_FIELDS = ("max_order_qty", "max_position", "max_long_position", "max_short_position",
                "price_reasonability_ticks")
SCOPES = sorted({(r["market"], r["product"], r["type"]) for a in BASE["accounts"]
                 for r in a.get("limits", {}).get("products", [])})
QUANTITY = st.none() | st.integers(min_value=0, max_value=100_000)


def _row_mutation(data: st.DataObject, account: dict[str, Any], what: str) -> None:
    rows = account.setdefault("limits", {}).setdefault("products", [])
    if what == "value" and rows:
        row = data.draw(st.sampled_from(rows))
        row[data.draw(st.sampled_from(LIMIT_FIELDS))] = data.draw(QUANTITY)
    elif what == "add":
        taken = {(r["market"], r["product"], r["type"]) for r in rows}
        free = [s for s in SCOPES if s not in taken]
        if free:
            market, product, kind = data.draw(st.sampled_from(free))
            rows.append({"market": market, "product": product, "type": kind,
                         "max_order_qty": data.draw(QUANTITY)})
    elif what == "remove" and rows:
        rows.remove(data.draw(st.sampled_from(rows)))


def _account_mutation(data: st.DataObject, account: dict[str, Any], what: str) -> None:
    if what == "restriction":
        name = data.draw(st.sampled_from(sorted(account["restrictions"])))
        account["restrictions"][name] = not account["restrictions"][name]
    elif what == "credit":
        account["risk_settings"]["credit_limit"] = data.draw(QUANTITY)
    elif what == "permission" and account.get("users"):
        link = data.draw(st.sampled_from(account["users"]))
        name = data.draw(st.sampled_from(sorted(link["order_permissions"])))
        link["order_permissions"][name] = not link["order_permissions"][name]
    elif what == "unlink" and account.get("users"):
        account["users"].remove(data.draw(st.sampled_from(account["users"])))


def _firm_mutation(data: st.DataObject, firm: dict[str, list[dict[str, Any]]],
                   what: str) -> None:
    if what == "margin":
        margin = data.draw(st.sampled_from(firm["product_margins"]))
        margin["outright_margin"] = data.draw(st.integers(min_value=0, max_value=50_000))
    elif what == "move":
        groups = firm["risk_groups"]
        source = data.draw(st.sampled_from([g for g in groups if g.get("accounts")]))
        target = data.draw(st.sampled_from([g for g in groups if g is not source]))
        member = data.draw(st.sampled_from(source["accounts"]))
        source["accounts"].remove(member)
        target.setdefault("accounts", []).append(member)


def _mutate(data: st.DataObject, firm: dict[str, list[dict[str, Any]]]) -> None:
    account = data.draw(st.sampled_from(firm["accounts"]))
    what = data.draw(st.sampled_from(["value", "add", "remove", "restriction", "credit",
                                      "permission", "unlink", "margin", "move"]))
    _row_mutation(data, account, what)
    _account_mutation(data, account, what)
    _firm_mutation(data, firm, what)


def desired_state(data: st.DataObject) -> Firm:
    firm = {kind: [dict(_deep(item)) for item in items] for kind, items in BASE.items()}
    for _ in range(data.draw(st.integers(min_value=1, max_value=6))):
        _mutate(data, firm)
    return Firm.model_validate({"environment": PROD.environment.model_dump(), **firm})


def _deep(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _deep(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep(v) for v in value]
    return value


@settings(max_examples=int(os.environ.get("TTCONFIG_CONVERGENCE", "8")),
          deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_desired_states_converge_in_one_apply(data: st.DataObject) -> None:
    firm = desired_state(data)
    fast = SandboxSettings(usage_plans={"high": UsagePlan(2000, 10**7)},
                           usage_plan_override="high", post_pause_seconds=0.01)
    with Sandbox(settings=fast) as sandbox:
        key, secret = sandbox.credentials("ext_prod_live")
        config = ClientConfig(environment="ext_prod_live", base_url=sandbox.base_url,
                              usage_plan="high", rate_safety=40.0, post_pause_seconds=0.01,
                              credentials=Credentials(Secret(key), Secret(secret)))

        async def run() -> tuple[int, Any]:
            async with TTClient(config) as tt:
                live = await read_live(tt)
                plan = plan_from(firm, "prod", live)
                with tempfile.TemporaryDirectory() as tmp:
                    audit = AuditLog(Path(tmp) / "prod.jsonl", {})
                    result = await Applier(tt, firm, "prod", live, audit,
                                           settle_seconds=0.0).apply(plan)
                return plan.summary.requests, result

        requests, result = asyncio.run(run())
        assert result.failure is None, result.failure
        assert result.diverged == [], result.diverged
        assert len([w for w in sandbox.writes() if w["source"] == "api"]) == requests
