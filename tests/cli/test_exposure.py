"""Exposure-aware plans ([L]): what a risk change means for the positions and credit in use
now, read from the sandbox's ttmonitor over real HTTP. The seeded UAT firm holds HPT-PROP-
RATES long 7,200 ZN with 300 working to buy, under a max_position of 10,000."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tests.cli.harness import TTConfig, output, uat_desk
from ttconfig.runs.planfile import _canonical
from ttconfig.sandbox.faults import Fault
from ttconfig.sandbox.server import Sandbox

UAT = "ext_uat_cert"
RATES = "HPT-PROP-RATES"
ZN_LINE = "max_position: 15000   # pending: loosened from 10000 for the roll"
ZN_FIELD = 'limits.products["CME ZN future"].max_position'
ONLY_RATES = ("--target", f"accounts:{RATES}")
"""Plans of the one account the tests change: a read of it, not of the whole firm."""


def zn_max_position(uat: Path, value: int) -> None:
    accounts = uat / "accounts.yaml"
    text = accounts.read_text()
    assert ZN_LINE in text, "the demo's pending ZN loosening"
    accounts.write_text(text.replace(ZN_LINE, f"max_position: {value}"))


def exposure_policy(uat: Path, rule: str) -> None:
    environment = uat / "environment.yaml"
    environment.write_text(environment.read_text().replace(
        "policy:\n", f"policy:\n  exposure: {rule}\n", 1))


def rates_desk(served: Sandbox, uat: Path, max_position: int, rule: str | None = None,
               ) -> tuple[TTConfig, tuple[str, ...]]:
    """`ttconfig` for HPT-PROP-RATES alone, its ZN max_position set to `max_position` in
    the YAML, under the exposure `rule` when one is given."""
    ttconfig, target = uat_desk(served)
    zn_max_position(uat, max_position)
    if rule is not None:
        exposure_policy(uat, rule)
    return ttconfig, (*target, *ONLY_RATES)


def counting_monitor_requests(served: Sandbox) -> Fault:
    """A fault that does nothing but count the requests to ttmonitor it sees."""
    return served.add_fault(action="delay", path="/ttmonitor/*", delay_seconds=0.0,
                             times=10**6)


def test_a_tightening_below_the_position_in_use_is_a_breach_on_apply_in_every_format(
        served: Sandbox, uat: Path) -> None:
    ttconfig, target = rates_desk(served, uat, 5000)
    text = ttconfig("plan", *target)
    assert text.exit_code == 0, output(text)
    lines = text.stdout.splitlines()
    field = lines.index(f"      ~ {ZN_FIELD}: 10,000 → 5,000  TIGHTENING")
    assert lines[field + 1] == ("          position +7,200 (worst case 7,500 with working "
                                "orders) · headroom 2,500 → −2,500 · BREACH ON APPLY")
    assert ("Exposure: positions and credit in use read from TT for 1 account the changed "
            "limits count (1 request; --no-exposure skips it).") in lines
    assert "exposure: account HPT-PROP-RATES" in output(text), "the policy warns (default)"

    markdown = ttconfig("plan", *target, "--format", "markdown").stdout
    assert markdown.index("### Breach on apply (1)") < markdown.index("### Tightening")
    assert "| object | field | old → new | change | exposure now |" in markdown
    assert "headroom 2,500 → −2,500 · BREACH ON APPLY |" in markdown

    data = json.loads(ttconfig("plan", *target, "--format", "json").stdout)
    [annotation] = data["exposure"]["annotations"]
    assert (annotation["key"], annotation["exposure"], annotation["net"],
            annotation["headroom_before"], annotation["headroom_after"],
            annotation["breach"]) == (RATES, 7500, 7200, 2500, -2500, True)
    assert data["exposure"]["requests"] == 1


def test_the_policy_holds_a_breach_for_an_approval_and_allow_breach_lets_it_through(
        served: Sandbox, uat: Path) -> None:
    ttconfig, target = rates_desk(served, uat, 5000, "{on_breach: approve}")
    planned = ttconfig("plan", *target)
    assert planned.exit_code == 0, output(planned)
    assert "apply needs an approval (policy.exposure.on_breach: approve)" in output(planned)
    writes = len(served.writes())
    refused = ttconfig("apply", *target, "--auto-approve")
    assert refused.exit_code == 4, output(refused)
    assert "without approval (policy.exposure.on_breach: approve)" in output(refused)
    assert len(served.writes()) == writes, "nothing written"
    allowed = ttconfig("apply", *target, "--auto-approve", "--allow-breach",
                       "--reason", "desk asked to go liquidate-only")
    assert allowed.exit_code == 0, output(allowed)
    audit = (uat.parent.parent / ".ttconfig").rglob("*.jsonl")
    records = [json.loads(line) for path in audit for line in path.read_text().splitlines()]
    [overrides] = [r for r in records if r.get("event") == "overrides"]
    assert overrides["allow_breach"] is True
    assert overrides["findings"][0]["rule"] == "exposure"


def test_a_saved_plan_is_refused_when_a_breach_appears_after_its_review(
        served: Sandbox, uat: Path) -> None:
    ttconfig, target = rates_desk(served, uat, 8000)  # worst case 7,500: 500 of headroom
    saved = ttconfig("plan", *target, "--out", "plan.json")
    assert saved.exit_code == 0, output(saved)
    assert "headroom 2,500 → 500" in saved.stdout
    # the desk buys 900 more ZN while the plan is reviewed
    account = served.account_id(UAT, RATES)
    [zn] = [p for p in served.store.env(UAT).positions[account]["instruments"]
            if p["netPosition"] == 7200]
    served.set_positions(UAT, RATES, [{**zn, "netPosition": 8100}])
    stale = ttconfig("apply", "plan.json", "--base-url", served.base_url,
                     "--usage-plan", "high")
    assert stale.exit_code == 5, output(stale)
    assert "exposure moved since plan.json was reviewed" in output(stale)
    assert f"account {RATES} {ZN_FIELD}: 8,400 in use, new limit 8,000" in output(stale)


def test_a_failing_ttmonitor_leaves_exposure_unknown_and_never_holds_a_tightening(
        served: Sandbox, uat: Path) -> None:
    ttconfig, target = rates_desk(served, uat, 5000, "{on_breach: approve}")
    served.add_fault(path="/ttmonitor/*", status=503, times=1000)
    planned = ttconfig("plan", *target)
    assert planned.exit_code == 0, output(planned)
    assert "          exposure unknown: HPT-PROP-RATES: TT request GET" in planned.stdout
    assert "HTTP 503" in planned.stdout
    applied = ttconfig("apply", *target, "--auto-approve")
    assert applied.exit_code == 0, output(applied)


def test_no_exposure_reads_nothing_and_cannot_skip_a_policy_that_judges_it(
        served: Sandbox, uat: Path) -> None:
    ttconfig, target = rates_desk(served, uat, 5000)
    counter = counting_monitor_requests(served)
    plain = ttconfig("plan", *target, "--no-exposure", "--format", "json")
    assert plain.exit_code == 0, output(plain)
    assert "exposure" not in json.loads(plain.stdout)
    assert counter.seen == 0
    assert ttconfig("plan", *target).exit_code == 0
    assert counter.seen == 1, "one request: the one account's product positions"
    exposure_policy(uat, "{on_breach: approve}")
    skipped = ttconfig("apply", *target, "--auto-approve", "--no-exposure")
    assert skipped.exit_code == 64, output(skipped)
    assert "--no-exposure cannot skip it" in output(skipped)


def test_drift_shows_the_limits_positions_are_over_now(served: Sandbox,
                                                        uat: Path) -> None:
    ttconfig, target = uat_desk(served)
    drift = ttconfig("drift", *target)
    assert drift.exit_code in (0, 2), output(drift)
    lines = drift.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Over their limits now"))
    assert ('  account HPT-CUST-CEDAR limits.products["CME ES future"].max_position 250: '
            "position −280") in lines[start + 1:]
    data = json.loads(ttconfig("drift", *target, "--format", "json").stdout)
    over = {(a["key"], a["path"][-1]) for a in data["over_limits"]}
    assert ("HPT-CUST-CEDAR", "max_short_position") in over


def test_an_approval_of_the_reviewed_plan_covers_its_breach_and_show_keeps_the_exposure(
        served: Sandbox, uat: Path) -> None:
    ttconfig, target = rates_desk(served, uat, 5000, "{on_breach: approve}")
    assert ttconfig("plan", *target, "--out", "plan.json").exit_code == 0
    shown = ttconfig("show", "plan.json")
    assert "headroom 2,500 → −2,500 · BREACH ON APPLY" in shown.stdout, output(shown)
    approved = ttconfig("approve", "plan.json", "--by", "risk.officer@harborpoint.example")
    assert approved.exit_code == 0, output(approved)
    assert "Breaches on apply it approves (1; exposure as reviewed):" in output(approved)
    applied = ttconfig("apply", "plan.json", "--approval", "plan.approval.json",
                       "--base-url", served.base_url, "--usage-plan", "high")
    assert applied.exit_code == 0, output(applied)


def test_a_plan_file_whose_exposure_record_is_not_ttconfigs_is_refused_by_name(
        served: Sandbox, uat: Path) -> None:
    ttconfig, target = rates_desk(served, uat, 5000)
    assert ttconfig("plan", *target, "--out", "plan.json").exit_code == 0
    document = json.loads((uat.parent.parent / "plan.json").read_text())
    del document["exposure"]["annotations"][0]["kind"]  # resealed: anyone can
    body = {k: v for k, v in document.items() if k != "file_checksum"}
    document["file_checksum"] = hashlib.sha256(_canonical(body)).hexdigest()
    (uat.parent.parent / "bad.json").write_text(json.dumps(document))
    for command in (("show", "bad.json"), ("approve", "bad.json"),
                    ("apply", "bad.json", "--base-url", served.base_url)):
        refused = ttconfig(*command)
        assert refused.exit_code == 5, output(refused)
        assert "bad.json: its exposure record is not one ttconfig writes" in refused.stderr
        assert "Traceback" not in output(refused)


def test_an_account_joining_a_risk_group_over_its_rows_is_a_breach_on_apply(
        served: Sandbox, uat: Path) -> None:
    """No limit changes, yet the group's CL row (300 here) now counts HPT-PROP-ENERGY's 380
    CL: the plan says so under the membership, reading only the group's accounts."""
    ttconfig, target = uat_desk(served)
    groups = uat / "risk-groups.yaml"
    text = groups.read_text()
    text = text.replace("    - HPT-IB-FALCON\n", "    - HPT-IB-FALCON\n    - HPT-PROP-ENERGY\n", 1)
    energy = text.index("- name: Energy Aggregate")
    text = text[:energy] + text[energy:].replace("    - HPT-PROP-ENERGY\n", "", 1)
    cl = text.index("product: CL")  # (the Customer Exposure group's CL row comes first)
    at = text.index("max_position: 1000", cl)
    groups.write_text(text[:at] + "max_position: 300" + text[at + len("max_position: 1000"):])
    both = ("--target", "risk_groups:Customer Exposure", "--target", "risk_groups:Energy*")
    plan = ttconfig("plan", *target, *both)
    assert plan.exit_code == 0, output(plan)
    lines = plan.stdout.splitlines()
    member = lines.index("      + accounts[\"HPT-PROP-ENERGY\"]: 'member'  TIGHTENING")
    assert lines[member + 1].strip() == (
        'with HPT-PROP-ENERGY joining, the group\'s limits.products["CME CL future"].'
        "max_position 300 counts position +380 · headroom 300 → −80 · BREACH ON APPLY")
    data = json.loads(ttconfig("plan", *target, *both, "--format", "json").stdout)
    (joined,) = [a for a in data["exposure"]["annotations"] if "limit_path" in a]
    assert (joined["exposure_before"], joined["exposure"], joined["breach"]) == (0, 380, True)
