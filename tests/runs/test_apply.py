"""Apply against the sandbox: every write audited before it is sent, unknown outcomes
resolved by reading back (never a duplicate write), a stop at the first hard failure."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.tt.transports import Recording
from ttconfig.core.changes import ABSENT
from ttconfig.core.plan import Plan
from ttconfig.errors import ConfigError
from ttconfig.live.read import read_live, scope_of, to_models
from ttconfig.models import Firm, Kind, Operation
from ttconfig.render.result import describe_result
from ttconfig.runs.apply.applier import Applier, ApplyResult
from ttconfig.runs.audit import AuditLog, verify
from ttconfig.runs.planning import check_names, load, plan_from
from ttconfig.sandbox.server import Sandbox
from ttconfig.sandbox.settings import SandboxSettings, UsagePlan
from ttconfig.tt.client import TTClient
from ttconfig.tt.config import ClientConfig, Credentials, RetryPolicy
from ttconfig.tt.secret import Secret

ROOT = Path(__file__).parents[2]
UAT = "ext_uat_cert"
LIMITS = "/ttaccount/*/account/*/limits"
# A connection the sandbox drops on purpose ("drop" faults) can reach the garbage collector
# before httpcore closes its socket; the ResourceWarning then surfaces in whichever test runs.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Exception ignored in:pytest.PytestUnraisableExceptionWarning")


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    settings = SandboxSettings(usage_plans={"high": UsagePlan(1000, 10**6)},
                               usage_plan_override="high", post_pause_seconds=0.05,
                               strict=True)
    with Sandbox(settings=settings) as running:
        yield running


def client(sandbox: Sandbox, transport: Recording | None = None) -> TTClient:
    key, secret = sandbox.credentials(UAT)
    return TTClient(transport=transport, config=ClientConfig(
        environment=UAT, base_url=sandbox.base_url, usage_plan="high", rate_safety=20.0,
        credentials=Credentials(Secret(key), Secret(secret)), post_pause_seconds=0.05,
        retry=RetryPolicy(base_seconds=0.01, cap_seconds=0.05)))


def apply_demo(sandbox: Sandbox, audit_path: Path) -> tuple[ApplyResult, bool]:
    """Apply the demo UAT plan; (the result, whether the next plan is empty)."""
    firm = load(ROOT / "environments" / "uat")

    async def run() -> tuple[ApplyResult, bool]:
        async with client(sandbox) as tt:
            live = await read_live(tt)
            plan = plan_from(firm, "uat", live)
            audit = AuditLog(audit_path, {"environment": "uat"})
            result = await Applier(tt, firm, "uat", live, audit,
                                   settle_seconds=0.4).apply(plan)
            return result, plan_from(firm, "uat", await read_live(tt)).empty

    return asyncio.run(run())


def apply_after_faults(sandbox: Sandbox, firm: Firm, audit_path: Path,
                       *faults: dict[str, Any]) -> tuple[Plan, ApplyResult]:
    """Plan against a healthy sandbox, then add `faults` (so they hit the apply only)."""

    async def run() -> tuple[Plan, ApplyResult]:
        async with client(sandbox) as tt:
            live = await read_live(tt)
            plan = plan_from(firm, "uat", live)
            for fault in faults:
                sandbox.add_fault(**fault)
            audit = AuditLog(audit_path, {"environment": "uat"})
            result = await Applier(tt, firm, "uat", live, audit, settle_seconds=0.0).apply(plan)
            return plan, result

    return asyncio.run(run())


def plan_apply_plan(sandbox: Sandbox, firm: Firm, tmp_path: Path) -> tuple[Plan, ApplyResult,
                                                                           Plan]:
    """Plan `firm` against the sandbox's UAT, apply it, and plan again from a fresh read:
    (the plan, the apply's result, the next plan)."""

    async def run() -> tuple[Plan, ApplyResult, Plan]:
        async with client(sandbox) as tt:
            live = await read_live(tt, scope_of(firm))
            plan = plan_from(firm, "uat", live)
            result = await Applier(tt, firm, "uat", live,
                                   AuditLog(tmp_path / "uat.jsonl", {"environment": "uat"}),
                                   settle_seconds=0.0).apply(plan)
            return plan, result, plan_from(firm, "uat", await read_live(tt, scope_of(firm)))

    return asyncio.run(run())


def records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def api_writes(sandbox: Sandbox) -> list[dict[str, Any]]:
    return [w for w in sandbox.writes() if w["source"] != "ui"]


def test_the_demo_plan_applies_and_the_next_plan_is_empty(sandbox: Sandbox,
                                                          tmp_path: Path) -> None:
    result, empty = apply_demo(sandbox, tmp_path / "uat.jsonl")
    assert (len(result.done), result.failure, result.diverged, empty) == (6, None, [], True)
    writes = api_writes(sandbox)
    assert len(writes) == 6
    log = records(tmp_path / "uat.jsonl")
    assert [r["event"] for r in log] == ["intent", "outcome"] * 6
    outcomes = [(r["request_id"], r["method"], r["path"]) for r in log
                if r["event"] == "outcome"]
    assert outcomes == [(w["request_id"], w["method"], w["path"]) for w in writes], \
        "each write has its audit pair, naming the exact request"
    assert verify(tmp_path / "uat.jsonl").broken_at is None


def test_commit_then_drop_is_resolved_by_reading_back_without_a_second_write(
        sandbox: Sandbox, tmp_path: Path) -> None:
    sandbox.add_fault(method="POST", path=LIMITS, action="drop")
    result, empty = apply_demo(sandbox, tmp_path / "uat.jsonl")
    assert (result.failure, empty) == (None, True)
    limit_writes = [w for w in api_writes(sandbox) if w["path"].endswith("/limits")]
    assert len(limit_writes) == 2, "two limit steps, each written exactly once"
    outcomes = [r for r in records(tmp_path / "uat.jsonl") if r["event"] == "outcome"]
    assert [o["outcome"] for o in outcomes[:3]] == ["applied", "unknown", "applied"]
    assert outcomes[2]["resolved_by"] == "read back"


def test_a_late_commit_after_a_504_is_not_written_twice(sandbox: Sandbox,
                                                        tmp_path: Path) -> None:
    sandbox.add_fault(method="POST", path=LIMITS, action="late_commit", delay_seconds=0.2)
    result, empty = apply_demo(sandbox, tmp_path / "uat.jsonl")
    assert (result.failure, empty) == (None, True)
    assert len([w for w in api_writes(sandbox) if w["path"].endswith("/limits")]) == 2


def test_a_5xx_that_applied_nothing_is_sent_again_once(sandbox: Sandbox,
                                                       tmp_path: Path) -> None:
    sandbox.add_fault(method="POST", path=LIMITS, status=503)
    result, empty = apply_demo(sandbox, tmp_path / "uat.jsonl")
    assert (result.failure, empty) == (None, True)
    assert len([w for w in api_writes(sandbox) if w["path"].endswith("/limits")]) == 2
    outcomes = [r["outcome"] for r in records(tmp_path / "uat.jsonl")
                if r["event"] == "outcome"]
    assert outcomes[1:4] == ["unknown", "not applied", "applied"]


def test_a_hard_failure_stops_and_the_next_plan_shows_what_remains(sandbox: Sandbox,
                                                                   tmp_path: Path) -> None:
    sandbox.add_fault(method="POST", path="/ttsetup/*/company/productmargin/*", status=400,
                      message="margin refused")
    result, empty = apply_demo(sandbox, tmp_path / "uat.jsonl")
    assert result.failure is not None
    assert "margin refused" in result.failure
    assert result.remaining[0].operation == "upsert product margin"
    assert len(result.done) + len(result.remaining) == 6
    assert not empty
    assert records(tmp_path / "uat.jsonl")[-1]["outcome"] == "failed"


def test_a_write_whose_read_back_fails_is_reported_unknown_never_not_applied(
        sandbox: Sandbox, tmp_path: Path) -> None:
    # The limits write lands but its answer is lost; then the day's quota is gone.
    _plan, result = apply_after_faults(
        sandbox, load(ROOT / "environments" / "uat"), tmp_path / "uat.jsonl",
        {"method": "POST", "path": LIMITS, "action": "drop"},
        {"method": "GET", "path": "*", "status": 429, "times": 10**6,
         "message": "Limit Exceeded"})
    assert result.unknown is not None
    assert result.unknown.operation == "upsert limit rows"
    assert result.unknown not in result.remaining
    text = describe_result(result, tmp_path / "uat.jsonl")
    assert f"Outcome unknown: upsert limit rows {result.unknown.key}" in text
    assert f"upsert limit rows {result.unknown.key}" not in text.split("Not applied")[-1]
    assert records(tmp_path / "uat.jsonl")[-1]["outcome"] == "unknown"
    assert len([w for w in api_writes(sandbox) if w["path"].endswith("/limits")]) == 1


def test_when_the_closing_read_back_fails_every_write_is_still_reported_applied(
        sandbox: Sandbox, tmp_path: Path) -> None:
    _plan, result = apply_after_faults(
        sandbox, load(ROOT / "environments" / "uat"), tmp_path / "uat.jsonl",
        {"method": "GET", "path": "*", "status": 429, "times": 10**6,
         "message": "Limit Exceeded"})
    assert (len(result.done), result.remaining, result.failure) == (6, [], None)
    assert result.unverified is not None
    assert "quota is used up" in result.unverified
    assert result.exit_code == 1
    text = describe_result(result, tmp_path / "uat.jsonl")
    assert "Applied 6 of 6 requests" in text
    assert "Not verified: reading back after the last request failed" in text
    assert len(api_writes(sandbox)) == 6


def test_a_lost_answer_is_read_back_for_its_own_step_not_a_later_one_of_the_same_kind(
        sandbox: Sandbox, tmp_path: Path) -> None:
    # One account, two restriction steps: market_orders off early (tightening), obo on
    # late (loosening). The first POST lands but its answer is lost: the read-back must
    # find it applied, not mistake the pending loosening step for it and send obo twice.
    shutil.copytree(ROOT / "environments" / "uat", tmp_path / "uat")
    accounts = tmp_path / "uat" / "accounts.yaml"
    lines = accounts.read_text().splitlines(keepends=True)
    start = lines.index("- name: HPT-PROP-EQIDX\n")
    end = next(at for at in range(start + 1, len(lines)) if lines[at].startswith("- name:"))
    for at in range(start, end):
        lines[at] = lines[at].replace("market_orders: true", "market_orders: false").replace(
            "obo: false", "obo: true")
    accounts.write_text("".join(lines))
    plan, result = apply_after_faults(
        sandbox, load(tmp_path / "uat"), tmp_path / "uat.jsonl",
        {"method": "POST", "path": "/ttaccount/*/account/*/restrictions", "action": "drop"})
    steps = [s for s in plan.steps if s.operation == "update restrictions"]
    assert [s.items for s in steps] == [("market_orders",), ("obo",)]
    assert (result.failure, result.diverged) == (None, [])
    assert len([w for w in api_writes(sandbox) if w["path"].endswith("/restrictions")]) == 2
    outcomes = [r for r in records(tmp_path / "uat.jsonl") if r["event"] == "outcome"
                and r.get("resolved_by")]
    assert [(o["outcome"], o["resolved_by"]) for o in outcomes] == [("applied", "read back")]


def test_an_empty_plan_sends_nothing_reads_nothing_and_audits_nothing(sandbox: Sandbox,
                                                                       tmp_path: Path) -> None:
    apply_demo(sandbox, tmp_path / "first.jsonl")
    firm = load(ROOT / "environments" / "uat")

    async def run() -> tuple[bool, ApplyResult, int]:
        async with client(sandbox) as tt:
            live = await read_live(tt)
            plan = plan_from(firm, "uat", live)
            before = tt.stats.requests
            audit = AuditLog(tmp_path / "again.jsonl", {"environment": "uat"})
            result = await Applier(tt, firm, "uat", live, audit).apply(plan)
            return plan.empty, result, tt.stats.requests - before

    empty, result, requests = asyncio.run(run())
    assert empty
    assert (result.done, result.remaining, result.failure, result.diverged) == ([], [], None, [])
    assert requests == 0
    assert not (tmp_path / "again.jsonl").exists()


def _account_ids(live: Any) -> dict[str, int]:
    return {a.account.name: a.account.id for a in live.accounts}


def test_the_closing_read_back_reads_only_what_the_plan_wrote_to(sandbox: Sandbox,
                                                                  tmp_path: Path) -> None:
    """The demo plan writes to two accounts, a user, links and a margin: the read-back after
    it reads those again and no other account's parts (at 5,000 accounts a full re-read
    costs minutes), yet what the applier then holds as live is what a full read shows."""
    firm = load(ROOT / "environments" / "uat")
    wire = Recording()

    async def run() -> tuple[ApplyResult, Any, Any, int]:
        async with client(sandbox, transport=wire) as tt:
            live = await read_live(tt, scope_of(firm))
            applier = Applier(tt, firm, "uat", live, AuditLog(tmp_path / "uat.jsonl", {}),
                              settle_seconds=0.0)
            result = await applier.apply(plan_from(firm, "uat", live))
            after_apply = len(wire.requests)
            return result, applier.live, await read_live(tt, scope_of(firm)), after_apply

    result, held, fresh, after_apply = asyncio.run(run())
    assert (len(result.done), result.failure, result.diverged) == (6, None, [])
    last_write = max(i for i, r in enumerate(wire.requests) if r.method != "GET"
                     and not r.url.path.endswith("/token"))
    read_back = {r.url.path for r in wire.requests[last_write + 1:after_apply]}
    ids = _account_ids(held)
    touched = {ids["HPT-PROP-ENERGY"], ids["HPT-PROP-RATES"]}
    assert f"/ttaccount/{UAT}/account/{ids['HPT-PROP-ENERGY']}/limits" in read_back
    assert f"/ttaccount/{UAT}/account/{ids['HPT-PROP-RATES']}/users" in read_back
    untouched = [f"/ttaccount/{UAT}/account/{i}/{part}" for name, i in ids.items()
                 if i not in touched and name in {a.name for a in firm.accounts}
                 for part in ("limits", "risksettings", "restrictions", "users")]
    assert untouched
    assert not read_back & set(untouched), sorted(read_back & set(untouched))
    assert to_models(held) == to_models(fresh)
    assert plan_from(firm, "uat", held).empty


def test_an_object_changed_during_the_apply_is_reported_diverged(sandbox: Sandbox,
                                                                 tmp_path: Path) -> None:
    """Someone in TT's web UI changes a part of an account while the apply writes another
    part of it: the read-back of that account sees it, and reports it, never re-applies."""
    firm = load(ROOT / "environments" / "uat")

    async def run() -> ApplyResult:
        async with client(sandbox) as tt:
            live = await read_live(tt, scope_of(firm))
            energy = _account_ids(live)["HPT-PROP-ENERGY"]
            sandbox.add_fault(action="edit", method="POST",
                              path=f"/ttaccount/*/account/{energy}/limits", edit={
                                  "method": "POST", "body": {"obo": True},
                                  "path": f"/ttaccount/{UAT}/account/{energy}/restrictions"})
            return await Applier(tt, firm, "uat", live, AuditLog(tmp_path / "uat.jsonl", {}),
                                 settle_seconds=0.0).apply(plan_from(firm, "uat", live))

    result = asyncio.run(run())
    assert (len(result.done), result.failure) == (6, None)
    assert [(c.kind, c.key) for c in result.diverged] == [("accounts", "HPT-PROP-ENERGY")]
    assert [f.path for f in result.diverged[0].fields] == [("restrictions", "obo")]
    assert len(api_writes(sandbox)) == 6
    assert result.exit_code == 1


def _with_unknown_product(tmp_path: Path) -> Firm:
    """The demo UAT folder with HPT-PROP-RATES's ZN row renamed to a product TT lacks."""
    folder = tmp_path / "uat"
    shutil.copytree(ROOT / "environments" / "uat", folder)
    accounts = folder / "accounts.yaml"
    text = accounts.read_text()
    at = text.index("product: ZN", text.index("- name: HPT-PROP-RATES"))
    accounts.write_text(text[:at] + "product: ZZZ" + text[at + len("product: ZN"):])
    return load(folder)


def test_an_error_that_is_not_tts_answer_ends_the_apply_with_its_summary(
        sandbox: Sandbox, tmp_path: Path) -> None:
    """Whatever stops an apply (here a product TT does not list, found only when its step
    is built) ends it as a TT failure does: every intent has its outcome, the summary
    names what was applied and what not, exit 1 — never a traceback without a summary."""
    plan, result = apply_after_faults(sandbox, _with_unknown_product(tmp_path),
                                      tmp_path / "uat.jsonl")
    broken = len(result.done)
    assert broken > 0
    assert (plan.steps[broken].key, plan.steps[broken].operation) == (
        "HPT-PROP-RATES", "upsert limit rows")
    assert result.failure == "CME has no future product 'ZZZ'"
    assert result.remaining == list(plan.steps[broken:])
    assert result.exit_code == 1
    log = records(tmp_path / "uat.jsonl")
    intents = [r["hash"] for r in log if r["event"] == "intent"]
    outcomes = {r["intent"]: r for r in log if r["event"] == "outcome"}
    assert set(intents) == set(outcomes), "every intent has its outcome"
    assert outcomes[intents[-1]]["outcome"] == "failed"
    assert outcomes[intents[-1]]["message"] == result.failure
    text = describe_result(result, tmp_path / "uat.jsonl")
    assert text.startswith(f"Applied {broken} of {len(plan.steps)} requests. Audit log: ")
    assert "Not applied (" in text
    assert len(api_writes(sandbox)) == broken


PRICE_CONTROLS = """
        price_reasonability_percent: 2.5
        price_reasonability_aggressive_only: false
        non_matching_price_ticks: 60
        non_matching_price_percent: 5
        reject_without_market_data: true
        apply_wholesale_limits: true
        wholesale_max_order_qty: 2500
        wholesale_price_reasonability_ticks: 80
        max_orders_per_day: 20000"""


def test_price_controls_wholesale_and_daily_orders_apply_and_converge(
        sandbox: Sandbox, tmp_path: Path) -> None:
    folder = tmp_path / "uat"
    shutil.copytree(ROOT / "environments" / "uat", folder)
    accounts = folder / "accounts.yaml"
    text = accounts.read_text()
    row = text.index("product: ZB", text.index("- name: HPT-PROP-RATES"))
    end = text.index("\n", text.index("price_reasonability_ticks:", row))
    accounts.write_text(text[:end] + PRICE_CONTROLS + text[end:])
    firm = load(folder)

    plan, result, after = plan_apply_plan(sandbox, firm, tmp_path)
    (rates,) = [c for c in plan.changes if c.key == "HPT-PROP-RATES"]
    changed = {f.path[-1]: (f.old, f.new, f.direction) for f in rates.fields
               if f.path[:3] == ("limits", "products", "CME ZB future")}
    assert changed == {
        "price_reasonability_percent": (None, 2.5, "tightening"),
        "non_matching_price_ticks": (None, 60, "tightening"),
        "non_matching_price_percent": (None, 5, "tightening"),
        "reject_without_market_data": (False, True, "tightening"),
        "apply_wholesale_limits": (False, True, "tightening"),
        "wholesale_max_order_qty": (None, 2500, "tightening"),
        "wholesale_price_reasonability_ticks": (None, 80, "tightening"),
        "max_orders_per_day": (None, 20000, "tightening"),
    }, "aggressive-only stays false (as TT has it): no change"
    assert result.failure is None
    assert not result.diverged
    assert after.empty, [c.key for c in after.changes]
    env = sandbox.store.env(UAT)
    (stored,) = [r for a in env.account_limits.values() for r in a["productLimits"]
                 if r.get("nonMatchingPriceTicks") == 60]
    assert (stored["priceReasonabilityPercent"], stored["maxOrdersPerDay"]) == (2.5, 20000)


def test_credit_settings_and_one_loss_action_apply_and_the_others_are_kept(
        sandbox: Sandbox, tmp_path: Path) -> None:
    """The YAML manages one credit-loss action; TT replaces the whole list on a write, so
    apply sends the list TT holds with that one changed, never dropping the others."""
    folder = tmp_path / "uat"
    shutil.copytree(ROOT / "environments" / "uat", folder)
    accounts = folder / "accounts.yaml"
    text = accounts.read_text()
    start = text.index("- name: HPT-CUST-ALDER")
    text = text[:start] + text[start:].replace(
        "    apply_to_block_cross: true\n", "    apply_to_block_cross: false\n"
        "    position_reset_time: \"16:00\"\n", 1)
    block = text.index("    credit_loss_actions:\n", start)
    end = text.index("close_positions_at_percent: 100\n", block) + len(
        "close_positions_at_percent: 100\n")
    accounts.write_text(text[:block] + "    credit_loss_actions: {delete_orders_at_percent: 70}\n"
                        + text[end:])
    firm = load(folder)

    plan, result, after = plan_apply_plan(sandbox, firm, tmp_path)
    (alder,) = [c for c in plan.changes if c.key == "HPT-CUST-ALDER"]
    assert {f.path[1:]: (f.old, f.new, f.direction) for f in alder.fields} == {
        ("apply_to_block_cross",): (True, False, "loosening"),
        ("position_reset_time",): (None, "16:00", "neutral"),
        ("credit_loss_actions", "delete_orders_at_percent"): (80, 70, "tightening"),
    }
    assert [s.op for s in plan.steps if s.key == "HPT-CUST-ALDER"] == [
        "update risk settings"] * 3, "tightening, neutral and loosening go apart"
    assert result.failure is None
    assert after.empty, [c.key for c in after.changes]
    env = sandbox.store.env(UAT)
    (held,) = [env.risk_settings[a["id"]] for a in env.accounts.values()
               if a["name"] == "HPT-CUST-ALDER"]
    assert held["creditLossActions"] == [
        {"action": "deleteOrders", "atPercent": 70},
        {"action": "disableTrading", "atPercent": 90},
        {"action": "closePositions", "atPercent": 100}]
    assert (held["applyToBlockCross"], held["positionResetTime"]) == (False, "16:00")


def test_risk_group_credit_limits_apply_and_converge(sandbox: Sandbox, tmp_path: Path) -> None:
    folder = tmp_path / "uat"
    shutil.copytree(ROOT / "environments" / "uat", folder)
    groups = folder / "risk-groups.yaml"
    text = groups.read_text()
    assert text.count("credit_limit: 15000000") == 1
    rates = text.index("credit_limit: null", text.index("- name: Rates Aggregate"))
    text = text[:rates] + "credit_limit: 40000000" + text[rates + len("credit_limit: null"):]
    groups.write_text(text.replace("credit_limit: 15000000", "credit_limit: 12000000"))
    firm = load(folder)

    plan, result, after = plan_apply_plan(sandbox, firm, tmp_path)
    credit = {(c.key.name, f.path): (f.old, f.new, f.direction) for c in plan.changes
              if c.kind == "risk_groups" for f in c.fields}
    assert credit == {
        ("Customer Exposure", ("risk_settings", "credit_limit")):
            (15_000_000, 12_000_000, "tightening"),
        ("Rates Aggregate", ("risk_settings", "credit_limit")): (None, 40_000_000, "tightening"),
    }
    assert result.failure is None
    assert after.empty, [c.key for c in after.changes]
    env = sandbox.store.env(UAT)
    held = {env.risk_groups[g]["name"]: s["creditLimit"]
            for g, s in env.risk_group_settings.items()}
    assert (held["Customer Exposure"], held["Rates Aggregate"]) == (12_000_000, 40_000_000)


NEW_ACCOUNT = """
- name: HPT-PROP-NEWDESK
  type: house
  parent: HPT-PROP
  restrictions: {market_orders: true, tt_iceberg: true}
"""


def test_a_created_account_gets_every_restriction_written_not_left_to_tts_deny(
        sandbox: Sandbox, tmp_path: Path) -> None:
    """TT denies everything on a new account; ttconfig writes each restriction explicitly:
    as declared, else as environment.yaml's defaults say, else denied (and the plan shows
    each of them)."""
    folder = tmp_path / "uat"
    shutil.copytree(ROOT / "environments" / "uat", folder)
    with (folder / "accounts.yaml").open("a") as accounts:
        accounts.write(NEW_ACCOUNT)
    with (folder / "environment.yaml").open("a") as environment:
        environment.write("defaults:\n  restrictions: {place_orders: true, modify_orders: true,"
                          " market_orders: false}\n")
    firm = load(folder)

    plan, result, after = plan_apply_plan(sandbox, firm, tmp_path)
    (created,) = [c for c in plan.changes if c.key == "HPT-PROP-NEWDESK"]
    shown = {f.path[1]: f.new for f in created.fields if f.path[0] == "restrictions"}
    assert len(shown) == 27, "the plan shows every restriction the new account gets"
    assert {name for name, allowed in shown.items() if allowed} == {
        "apply", "place_orders", "modify_orders", "market_orders", "tt_iceberg"}
    assert result.failure is None
    assert after.empty, [c.key for c in after.changes]
    env = sandbox.store.env(UAT)
    (account,) = [a["id"] for a in env.accounts.values() if a["name"] == "HPT-PROP-NEWDESK"]
    held = env.restrictions[account]
    assert (held["placeOrders"], held["marketOrders"], held["ttIceberg"], held["obo"]) == (
        True, True, True, False)


def test_default_rows_are_created_changed_and_converge(sandbox: Sandbox, tmp_path: Path) -> None:
    """A row without a product is the default row of its market and type: it is written
    with TT's null productId, and an existing one is changed in place, never duplicated."""
    folder = tmp_path / "uat"
    shutil.copytree(ROOT / "environments" / "uat", folder)
    accounts = folder / "accounts.yaml"
    text = accounts.read_text()
    start = text.index("- name: HPT-PROP-RATES")
    existing = text.index("product: '*'", start)
    qty = text.index("max_order_qty: 50", existing)
    text = text[:qty] + "max_order_qty: 40" + text[qty + len("max_order_qty: 50"):]
    products = text.index("    products:\n", start) + len("    products:\n")
    accounts.write_text(text[:products] + (
        "      - {market: Eurex, type: future, max_order_qty: 2, max_position: 10}\n")
        + text[products:])
    firm = load(folder)

    plan, result, after = plan_apply_plan(sandbox, firm, tmp_path)
    (rates,) = [c for c in plan.changes if c.key == "HPT-PROP-RATES"]
    defaults = {f.path[2:]: (f.old, f.new, f.direction) for f in rates.fields
                if "*" in f.path[2]}
    assert defaults == {
        ("CME * future", "max_order_qty"): (50, 40, "tightening"),
        ("Eurex * future", "max_order_qty"): (ABSENT, 2, "tightening"),
        ("Eurex * future", "max_position"): (ABSENT, 10, "tightening"),
    }
    assert result.failure is None
    assert after.empty, [c.key for c in after.changes]
    env = sandbox.store.env(UAT)
    (account,) = [a["id"] for a in env.accounts.values() if a["name"] == "HPT-PROP-RATES"]
    rows = [(r["marketId"], r["maxOrderQty"]) for r in
            env.account_limits[account]["productLimits"]
            if r["productId"] is None and r.get("productFamilyId") is None]
    assert sorted(rows) == [(7, 40), (28, 2)]


def test_order_cross_prevention_is_planned_as_risk_and_applied(sandbox: Sandbox,
                                                             tmp_path: Path) -> None:
    folder = tmp_path / "uat"
    shutil.copytree(ROOT / "environments" / "uat", folder)
    accounts = folder / "accounts.yaml"
    text = accounts.read_text()
    start = text.index("- name: HPT-CUST-ALDER")
    mode = text.index("  order_cross_prevention: reject_new", start)
    accounts.write_text(text[:mode] + "  order_cross_prevention: not_applied"
                        + text[mode + len("  order_cross_prevention: reject_new"):])
    plan, result, after = plan_apply_plan(sandbox, load(folder), tmp_path)
    (alder,) = [c for c in plan.changes if c.key == "HPT-CUST-ALDER"]
    assert [(f.path, f.old, f.new, f.direction) for f in alder.fields] == [
        (("order_cross_prevention",), "reject_new", "not_applied", "loosening")]
    assert result.failure is None
    assert after.empty
    env = sandbox.store.env(UAT)
    (held,) = [a for a in env.accounts.values() if a["name"] == "HPT-CUST-ALDER"]
    assert held["orderCrossPrevention"] == "notApplied"


def test_inter_product_rows_are_created_changed_removed_and_converge(
        sandbox: Sandbox, tmp_path: Path) -> None:
    """An inter-product row is keyed by its legs in any order: the same legs written the
    other way round are the same row, changed in place; a new pair is created; a pair the
    YAML no longer lists is deleted (a loosening)."""
    folder = tmp_path / "uat"
    shutil.copytree(ROOT / "environments" / "uat", folder)
    accounts = folder / "accounts.yaml"
    text = accounts.read_text()
    start = text.index("- name: HPT-PROP-RATES")
    block = text.index("    inter_product:\n", start)
    end = text.index("  users:\n", block)
    accounts.write_text(text[:block] + (
        "    inter_product:\n"
        "      - legs: [{market: CME, product: ZB}, {market: CME, product: ZN}]\n"
        "        max_position: 300\n"
        "      - legs: [{market: CME, product: ZF}, {market: CME, product: ZT}]\n"
        "        max_order_qty: 20\n"
        "        price_reasonability_percent: 2.5\n") + text[end:])
    plan, result, after = plan_apply_plan(sandbox, load(folder), tmp_path)
    (rates,) = [c for c in plan.changes if c.key == "HPT-PROP-RATES"]
    assert {f.path[2:]: (f.old, f.new, f.direction) for f in rates.fields
            if f.path[1] == "inter_product"} == {
        ("CME ZB future / CME ZN future", "max_position"): (400, 300, "tightening"),
        ("CME ZF future / CME ZT future", "max_order_qty"): (ABSENT, 20, "tightening"),
        ("CME ZF future / CME ZT future", "price_reasonability_percent"):
            (ABSENT, 2.5, "tightening"),
    }
    assert result.failure is None
    assert after.empty, [c.key for c in after.changes]
    env = sandbox.store.env(UAT)
    (account,) = [a["id"] for a in env.accounts.values() if a["name"] == "HPT-PROP-RATES"]
    symbols = {p["id"]: p["symbol"] for p in env.products.values()}
    rows = {tuple(sorted(symbols[leg["productId"]] for leg in r["legs"])):
            (r["maxOrderQty"], r["maxPosition"], r["priceReasonabilityPercent"])
            for r in env.account_limits[account]["interProductLimits"]}
    assert rows == {("ZB", "ZN"): (100, 300, None), ("ZF", "ZT"): (20, None, 2.5)}

    accounts.write_text(accounts.read_text().replace(
        "      - legs: [{market: CME, product: ZB}, {market: CME, product: ZN}]\n"
        "        max_position: 300\n", ""))
    plan, result, after = plan_apply_plan(sandbox, load(folder), tmp_path)
    (rates,) = [c for c in plan.changes if c.key == "HPT-PROP-RATES"]
    assert {f.path[2] for f in rates.fields} == {"CME ZB future / CME ZN future"}
    assert {(s.op, s.direction) for s in plan.steps if s.key.name == "HPT-PROP-RATES"} == {
        (Operation.DELETE_LIMIT_ROW, "loosening")}
    assert result.failure is None
    assert after.empty
    assert len(env.account_limits[account]["interProductLimits"]) == 1


def test_family_rows_are_created_changed_and_converge_beside_the_default_row(
        sandbox: Sandbox, tmp_path: Path) -> None:
    """A row with `family` is the family's default row of its type: written with TT's
    productFamilyId (and no product), changed in place; the market's default row of the
    same type is another row."""
    folder = tmp_path / "uat"
    shutil.copytree(ROOT / "environments" / "uat", folder)
    accounts = folder / "accounts.yaml"
    text = accounts.read_text()
    start = text.index("- name: HPT-PROP-RATES")
    family = text.index("family: Interest Rates", start)
    qty = text.index("max_order_qty: 100", family)
    text = text[:qty] + "max_order_qty: 80" + text[qty + len("max_order_qty: 100"):]
    products = text.index("    products:\n", start) + len("    products:\n")
    accounts.write_text(text[:products] + (
        "      - {market: CME, family: Metals, type: future, max_order_qty: 7}\n"
        "      - {market: Eurex, type: future, max_order_qty: 3}\n") + text[products:])
    plan, result, after = plan_apply_plan(sandbox, load(folder), tmp_path)
    (rates,) = [c for c in plan.changes if c.key == "HPT-PROP-RATES"]
    assert {f.path[2:]: (f.old, f.new) for f in rates.fields
            if "*" in f.path[2]} == {
        ("Eurex family Interest Rates * future", "max_order_qty"): (100, 80),
        ("CME family Metals * future", "max_order_qty"): (ABSENT, 7),
        ("Eurex * future", "max_order_qty"): (ABSENT, 3),
    }
    assert result.failure is None
    assert after.empty, [c.key for c in after.changes]
    env = sandbox.store.env(UAT)
    (account,) = [a["id"] for a in env.accounts.values() if a["name"] == "HPT-PROP-RATES"]
    families = {f["id"]: f["name"] for f in env.families.values()}
    rows = sorted((r["marketId"], families.get(r.get("productFamilyId"), "-"),
                   r["maxOrderQty"])
                  for r in env.account_limits[account]["productLimits"]
                  if r["productId"] is None)
    assert rows == [(7, "-", 50), (7, "Metals", 7), (28, "-", 3),
                    (28, "Interest Rates", 80)]


def test_a_family_tt_does_not_list_is_an_error_at_its_line_before_any_write(
        sandbox: Sandbox, tmp_path: Path) -> None:
    folder = tmp_path / "uat"
    shutil.copytree(ROOT / "environments" / "uat", folder)
    accounts = folder / "accounts.yaml"
    accounts.write_text(accounts.read_text().replace(
        "family: Interest Rates", "family: Interest Rate", 1))

    async def run() -> None:
        async with client(sandbox) as tt:
            firm = load(folder)
            live = await read_live(tt, scope_of(firm))
            with pytest.raises(ConfigError) as raised:
                check_names(firm, live)
            assert "Eurex has no product family 'Interest Rate'; did you mean Interest " \
                   "Rates?" in str(raised.value)
            assert "accounts.yaml:" in str(raised.value)

    asyncio.run(run())
    assert api_writes(sandbox) == []


def test_touch_bands_are_planned_as_limits_and_applied(sandbox: Sandbox, tmp_path: Path) -> None:
    folder = tmp_path / "uat"
    shutil.copytree(ROOT / "environments" / "uat", folder)
    accounts = folder / "accounts.yaml"
    text = accounts.read_text()
    start = text.index("- name: HPT-PROP-EQIDX")
    near = text.index("near_touch_ticks: 10", start)
    text = text[:near] + "near_touch_ticks: 6" + text[near + len("near_touch_ticks: 10"):]
    far = text.index("far_touch_ticks: 30", start)
    accounts.write_text(text[:far] + "far_touch_ticks: null" + text[far + len(
        "far_touch_ticks: 30"):])
    plan, result, after = plan_apply_plan(sandbox, load(folder), tmp_path)
    (eqidx,) = [c for c in plan.changes if c.key == "HPT-PROP-EQIDX"]
    assert {f.path: (f.old, f.new, f.direction) for f in eqidx.fields} == {
        ("risk_settings", "near_touch_ticks"): (10, 6, "tightening"),
        ("risk_settings", "far_touch_ticks"): (30, None, "loosening")}
    assert result.failure is None
    assert after.empty
    env = sandbox.store.env(UAT)
    (account,) = [a["id"] for a in env.accounts.values() if a["name"] == "HPT-PROP-EQIDX"]
    settings = env.risk_settings[account]
    assert (settings["nearTouchTicks"], settings["farTouchTicks"]) == (6, None)


def test_order_tag_defaults_keyed_by_algo_and_product_are_written_and_converge(
        sandbox: Sandbox, tmp_path: Path) -> None:
    """TT keys an order-tag default by more than account and user (contract §9, ASSUMED):
    a default for one algo on one product is its own default, created beside the
    company-wide one; changing the ADL one's value changes that default only."""
    folder = tmp_path / "uat"
    shutil.copytree(ROOT / "environments" / "uat", folder)
    defaults = folder / "order-tag-defaults.yaml"
    text = defaults.read_text()
    adl = text.index("  algo_type: ADL")
    value = text.rindex("  value: N", 0, adl)
    text = text[:value] + "  value: Y" + text[value + len("  value: N"):]
    defaults.write_text(text + (
        "- {market: CME, field: TT SMP Instruction, value: Cancel Both,"
        " algo_name: Spreader One, product: ES}\n"))
    plan, result, after = plan_apply_plan(sandbox, load(folder), tmp_path)
    changed = {c.key: c.action for c in plan.changes if c.kind is Kind.ORDER_TAG_DEFAULTS}
    assert changed == {"CME Manual Order Indicator ADL": "update",
                       "CME TT SMP Instruction Spreader One future ES": "create"}
    assert result.failure is None
    assert after.empty, [c.key for c in after.changes]
    env = sandbox.store.env(UAT)
    symbols = {p["id"]: p["symbol"] for p in env.products.values()}
    scoped = [(d["value"], d["algoType"], d["algoName"], symbols.get(d["productId"]))
              for d in env.order_tag_defaults.values()
              if d["algoType"] or d["algoName"]]
    assert sorted(scoped) == [("Cancel Both", None, "Spreader One", "ES"),
                              ("Y", "ADL", None, None)]


def test_market_impact_algo_caps_and_price_drift_are_planned_by_direction_and_applied(
        sandbox: Sandbox, tmp_path: Path) -> None:
    folder = tmp_path / "uat"
    shutil.copytree(ROOT / "environments" / "uat", folder)
    accounts = folder / "accounts.yaml"
    text = accounts.read_text()
    for old, new in (("market_impact_participation_percent: 5",
                      "market_impact_participation_percent: 8"),
                     ("market_impact_cooling_off_seconds: 300",
                      "market_impact_cooling_off_seconds: 600"),
                     ("algo_max_updates_per_interval: 500", "algo_max_updates_per_interval: 250"),
                     ("price_drift_1min_ticks: 8", "price_drift_1min_ticks: null")):
        assert old in text
        text = text.replace(old, new)
    accounts.write_text(text)
    plan, result, after = plan_apply_plan(sandbox, load(folder), tmp_path)
    fields = {f.path[-1]: (f.old, f.new, f.direction) for c in plan.changes
              for f in c.fields if f.path[-1] in (
                  "market_impact_participation_percent", "market_impact_cooling_off_seconds",
                  "algo_max_updates_per_interval", "price_drift_1min_ticks")}
    assert fields == {
        "market_impact_participation_percent": (5, 8, "loosening"),
        "market_impact_cooling_off_seconds": (300, 600, "neutral"),
        "algo_max_updates_per_interval": (500, 250, "tightening"),
        "price_drift_1min_ticks": (8, None, "loosening")}
    assert result.failure is None
    assert after.empty, [c.key for c in after.changes]


def test_algo_parent_limits_are_planned_per_order_type_and_undeclared_types_are_kept(
        sandbox: Sandbox, tmp_path: Path) -> None:
    """Each TT order type's parent-order checks are fields of their own (lower is tighter,
    null loosest); TT replaces the whole list on a write (ASSUMED), so apply sends the
    list TT holds with only the declared checks changed: a type the YAML leaves out keeps
    its checks."""
    folder = tmp_path / "uat"
    shutil.copytree(ROOT / "environments" / "uat", folder)
    accounts = folder / "accounts.yaml"
    text = accounts.read_text()
    old = ("    algo_parent_limits:\n      tt_iceberg:\n        max_order_qty: 500\n"
           "        price_reasonability_ticks: 20\n      tt_time_sliced:\n"
           "        max_order_qty: 1000\n")
    assert text.count(old) == 1
    accounts.write_text(text.replace(old, (
        "    algo_parent_limits:\n"
        "      tt_iceberg: {max_order_qty: 300, price_reasonability_ticks: null}\n"
        "      tt_stop: {price_reasonability_ticks: 10}\n")))
    plan, result, after = plan_apply_plan(sandbox, load(folder), tmp_path)
    (arb,) = [c for c in plan.changes if c.key == "HPT-ARB"]
    assert {f.path[1:]: (f.old, f.new, f.direction) for f in arb.fields} == {
        ("algo_parent_limits", "tt_iceberg", "max_order_qty"): (500, 300, "tightening"),
        ("algo_parent_limits", "tt_iceberg", "price_reasonability_ticks"): (
            20, None, "loosening"),
        ("algo_parent_limits", "tt_stop", "price_reasonability_ticks"): (
            None, 10, "tightening"),
    }
    assert [s.op for s in plan.steps if s.key == "HPT-ARB"] == [
        "update risk settings"] * 2, "the tightening goes before the loosening"
    assert result.failure is None
    assert after.empty, [c.key for c in after.changes]
    env = sandbox.store.env(UAT)
    (held,) = [env.risk_settings[a["id"]] for a in env.accounts.values()
               if a["name"] == "HPT-ARB"]
    assert sorted(held["algoParentLimits"], key=lambda c: c["orderType"]) == [
        {"orderType": "ttIceberg", "maxOrderQty": 300},
        {"orderType": "ttStop", "priceReasonabilityTicks": 10},
        {"orderType": "ttTimeSliced", "maxOrderQty": 1000}]


def test_exchange_access_is_planned_by_market_written_and_converges(
        sandbox: Sandbox, tmp_path: Path) -> None:
    """A user's exchange access (ASSUMED wire: the list replaced whole) is compared by
    market: a changed trader id is neutral, order routing granted at a new exchange is a
    loosening, and an exchange the YAML drops is taken out."""
    folder = tmp_path / "uat"
    shutil.copytree(ROOT / "environments" / "uat", folder)
    users = folder / "users.yaml"
    text = users.read_text()
    start = text.index("- email: john.smith@harborpoint.example\n")
    end = text.index("\n- email:", start) + 1
    end = text.index("  exchanges:\n", start, end)  # (the demo declares CME: replaced)
    users.write_text(text[:end] + (
        "  exchanges:\n"
        "    - {market: CME, market_data: true, order_routing: true, trader_id: JS-CME,"
        " operator_id: JSMITH-OP, market_data_type: sdk_client, non_display: true}\n"
        "    - {market: ICE, market_data: true, product_groups: [Energy],"
        " order_routing: true, trader_id: JS-ICE}\n")
        + text[text.index("\n- email:", start) + 1:])
    env = sandbox.store.env(UAT)
    (user_id,) = [u["id"] for u in env.users.values()
                  if u["email"] == "john.smith@harborpoint.example"]
    env.user_exchanges[user_id] = {"userId": user_id, "exchanges": [
        {"marketId": 7, "marketData": True, "productGroups": None, "orderRouting": True,
         "traderId": "JSMITH"},
        {"marketId": 28, "marketData": True, "productGroups": None, "orderRouting": False,
         "traderId": None}]}
    plan, result, after = plan_apply_plan(sandbox, load(folder), tmp_path)
    (smith,) = [c for c in plan.changes if c.key == "john.smith@harborpoint.example"]
    fields = {f.path: (f.old, f.new, f.direction) for f in smith.fields}
    assert fields[("exchanges", "CME", "trader_id")] == ("JSMITH", "JS-CME", "neutral")
    assert {name: fields[("exchanges", "CME", name)] for name in (
        "operator_id", "market_data_type", "non_display")} == {
        "operator_id": (None, "JSMITH-OP", "neutral"),
        "market_data_type": (None, "sdk_client", "neutral"),
        "non_display": (False, True, "neutral")}
    assert fields[("exchanges", "ICE", "order_routing")] == (ABSENT, True, "loosening")
    assert fields[("exchanges", "Eurex", "market_data")][1] is ABSENT
    assert result.failure is None
    assert after.empty, [c.key for c in after.changes]
    held = sorted((e["marketId"], e["traderId"], e["productGroups"], e["operatorId"],
                   e["marketDataType"], e["nonDisplay"])
                  for e in env.user_exchanges[user_id]["exchanges"])
    assert held == [(7, "JS-CME", None, "JSMITH-OP", "sdkClient", True),
                    (32, "JS-ICE", ["Energy"], None, None, False)]
