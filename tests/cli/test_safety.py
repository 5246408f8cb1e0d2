"""Safety through the command line: every refusal exits with its code and writes nothing.

Each test runs `ttconfig` (in-process, through the same `main` as a user's run) against a
sandbox on loopback, with a small environment folder made from the prod seed
(environments/prod equals it exactly) plus the change under test, and reads the sandbox's
write log to prove what reached TT. Two applies racing for the lock run as real processes.
"""

from __future__ import annotations

import copy
import errno
import hashlib
import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from tests.cli.harness import TTConfig, fast_settings, output
from tests.conftest import PROD_LOG
from ttconfig.desired.loader import load_firm
from ttconfig.models import DECLARED
from ttconfig.runs import audit as audit_module
from ttconfig.runs.audit import verify
from ttconfig.runs.ledger import key_id, today
from ttconfig.runs.lock import EnvironmentLock
from ttconfig.sandbox.server import Sandbox
from ttconfig.sandbox.settings import UsagePlan

ROOT = Path(__file__).resolve().parents[2]
PROD = load_firm(ROOT / "environments" / "prod")
API_USER = "ttconfig-api@harborpoint.example"
ADMINS = ["daniel.reyes@harborpoint.example", "margaret.okafor@harborpoint.example", API_USER]


def seeded(kind: str, key: str) -> dict[str, Any]:
    """An object of the prod seed as the YAML declares it (a copy to change)."""
    model = next(m for m in getattr(PROD, kind) if str(m.key()).lower() == key.lower())
    copy: dict[str, Any] = json.loads(json.dumps(model.declared()))
    return copy


def row(account: dict[str, Any], market: str, product: str, kind: str = "future",
        ) -> dict[str, Any]:
    rows: list[dict[str, Any]] = account["limits"]["products"]
    return next(r for r in rows if (r["market"], r["product"], r.get("type", "future"))
                == (market, product, kind))


class Desk:
    """A working directory with one environment folder, and a sandbox to apply it to."""

    def __init__(self, root: Path, sandbox: Sandbox) -> None:
        self.root, self.sandbox = root, sandbox
        self.folder = root / "environments" / "prod"
        self.folder.mkdir(parents=True)
        key, secret = sandbox.credentials("ext_prod_live")
        self.env = {"TT_PROD_APP_KEY": key, "TT_PROD_APP_SECRET": secret}

    def write(self, policy: dict[str, Any] | None = None, **kinds: list[dict[str, Any]],
              ) -> None:
        environment = {"tt_environment": "ext_prod_live", "company": "Harbor Point Trading",
                       "credentials": {"app_key_env": "TT_PROD_APP_KEY",
                                       "app_secret_env": "TT_PROD_APP_SECRET"},
                       "usage_plan": "high", "policy": policy or {},
                       "company_settings": {"advanced_risk": True,  # (as the seed's company)
                                            "market_impact": True}}
        (self.folder / "environment.yaml").write_text(json.dumps(environment))
        stems: dict[str, str] = {spec.kind: spec.file_stem for spec in DECLARED}
        kinds = _with_references(kinds)
        for kind, items in kinds.items():
            (self.folder / f"{stems[kind]}.yaml").write_text(json.dumps(items, indent=1))

    def run(self, *args: str, tt: bool = True) -> Result:
        """`ttconfig ARGS` in the desk's folder, with the prod credentials only."""
        target = ["--base-url", self.sandbox.base_url, "--usage-plan", "high"] if tt else []
        return TTConfig(self.env)(*args, *target)

    def writes(self) -> list[dict[str, Any]]:
        return [w for w in self.sandbox.writes() if w["source"] != "ui"]

    def audit(self) -> list[dict[str, Any]]:
        path = self.root / ".ttconfig" / "audit" / PROD_LOG
        if not path.exists():
            return []
        assert verify(path).broken_at is None
        return [json.loads(line) for line in path.read_text().splitlines()]


def _with_references(kinds: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """Declare (by name only: nothing managed) every user and account the objects refer to,
    as the YAML's cross-reference check asks."""
    users = {u["email"].lower() for u in kinds.get("users", [])}
    accounts = {a["name"] for a in kinds.get("accounts", [])}
    linked = {link["user"] for a in kinds.get("accounts", []) for link in a.get("users", [])}
    members = {name for g in kinds.get("risk_groups", []) for name in g.get("accounts", [])}
    members |= {a["parent"] for a in kinds.get("accounts", []) if a.get("parent")}
    extra_users = [{"email": e} for e in sorted(linked) if e.lower() not in users]
    extra_accounts = [{"name": n, "type": seeded("accounts", n)["type"]}
                      for n in sorted(members - accounts)]
    return kinds | ({"users": [*kinds.get("users", []), *extra_users]} if extra_users else {}) \
        | ({"accounts": [*kinds.get("accounts", []), *extra_accounts]} if extra_accounts
           else {})


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Desk]:
    monkeypatch.chdir(tmp_path)
    with Sandbox(settings=fast_settings(usage_plan_override="high")) as sandbox:
        yield Desk(tmp_path, sandbox)


def account_id_of(desk: Desk, name: str) -> int:
    accounts = desk.sandbox.store.envs["ext_prod_live"].accounts.values()
    return int(next(a["id"] for a in accounts if a["name"] == name))


def refused(result: Result, code: int, *words: str) -> None:
    """Exit `code`, the words in the output, no traceback."""
    shown = output(result)
    assert result.exit_code == code, shown
    for word in words:
        assert word in shown, (word, shown)
    assert "Traceback" not in shown


def set_limit(desk: Desk, limit: int, policy: dict[str, Any] | None = None) -> None:
    """YAML that sets HPT-ARB's CME CL spread max order qty (600 live: above loosens)."""
    account = seeded("accounts", "HPT-ARB")
    row(account, "CME", "CL", "spread")["max_order_qty"] = limit
    desk.write(policy, accounts=[account])


# --- thresholds ---------------------------------------------------------------------------

def test_a_threshold_refuses_until_forced_and_force_is_audited(desk: Desk) -> None:
    accounts = [seeded("accounts", name) for name in ("HPT-ARB", "HPT-ERR", "HPT-MM")]
    for account in accounts:
        account["description"] = "renamed desk"
    desk.write({"thresholds": {"accounts": {"max_updates": 2}}}, accounts=accounts)
    refused(desk.run("plan", "-e", "prod"), 4, "thresholds", "3 accounts updates",
            "max_updates 2", "--force")
    refused(desk.run("apply", "-e", "prod", "--auto-approve"), 4, "thresholds")
    assert desk.writes() == []
    assert desk.audit()[-1]["event"] == "refused"
    forced = desk.run("apply", "-e", "prod", "--auto-approve", "--force", "--reason",
                      "desk rename INC-42")
    refused(forced, 0, "ALLOWED", "Applied 3 of 3 requests")
    overrides = [r for r in desk.audit() if r["event"] == "overrides"]
    assert [(r["force"], r["reason"]) for r in overrides] == [(True, "desk rename INC-42")]
    assert len(desk.writes()) == 3


def test_a_percentage_threshold_counts_small_sets_too(desk: Desk) -> None:
    account = seeded("accounts", "HPT-ARB")
    account["users"] = account["users"][1:]  # unlink one of its users
    desk.write({"thresholds": {"links": {"max_percent": 1}}}, accounts=[account])
    refused(desk.run("apply", "-e", "prod", "--auto-approve"), 4, "1 links deletes",
            "max_percent 1%")
    assert desk.writes() == []


# --- protection and lockout ---------------------------------------------------------------

def test_a_protected_user_is_never_deactivated(desk: Desk) -> None:
    user = seeded("users", "john.smith@harborpoint.example")
    user["active"] = False
    desk.write({"protected": {"users": ["John.Smith@harborpoint.example"]}}, users=[user])
    result = desk.run("apply", "-e", "prod", "--auto-approve", "--force")
    refused(result, 4, "protected", "john.smith@harborpoint.example", "deactivated",
            "environment.yaml")
    assert desk.writes() == []


def test_protection_survives_removing_the_object_from_the_yaml(desk: Desk) -> None:
    accounts = [seeded("accounts", m.name) for m in PROD.accounts if m.name != "HPT-LEGACY-01"]
    desk.write({"prune": {"accounts": True}, "protected": {"accounts": ["HPT-LEGACY-01"]}},
               accounts=accounts)
    refused(desk.run("plan", "-e", "prod"), 4, "HPT-LEGACY-01 is protected", "deleted")
    assert desk.writes() == []


def test_the_app_keys_own_user_keeps_its_access_whatever_the_flags(desk: Desk) -> None:
    user = seeded("users", API_USER)
    user["settings"]["full_admin"] = False
    desk.write({"protected": {"api_user": API_USER}}, users=[user])
    result = desk.run("apply", "-e", "prod", "--auto-approve", "--force", "--allow-loosening",
                      "--allow-outside-window")
    refused(result, 4, "lockout", "app key's own user", "lock itself out")
    assert "allow by" not in result.stdout.split("lockout")[1].splitlines()[1]
    assert desk.writes() == []


def test_the_last_admins_are_kept(desk: Desk) -> None:
    user = seeded("users", ADMINS[1])
    user["settings"]["full_admin"] = False
    desk.write({"protected": {"min_admins": 3}}, users=[user])
    result = desk.run("apply", "-e", "prod", "--auto-approve", "--force")
    refused(result, 4, "lockout", "leaves 2 active full admins", "min_admins is 3")
    assert desk.writes() == []


# --- risk rules ---------------------------------------------------------------------------

def test_a_bound_refuses_a_limit_above_it(desk: Desk) -> None:
    set_limit(desk, 20000, {"bounds": [{"field": "max_order_qty", "max": 10000, "market": "cme"}]})
    refused(desk.run("plan", "-e", "prod", "--out", "plan.json"), 4, "bounds",
            "HPT-ARB CME CL spread max_order_qty would be 20,000, above the bound 10,000",
            "No plan file written")
    assert not (desk.root / "plan.json").exists()
    refused(desk.run("apply", "-e", "prod", "--auto-approve", "--force"), 4, "bounds")
    assert desk.writes() == []


def test_coverage_refuses_taking_a_trading_account_out_of_its_risk_group(desk: Desk) -> None:
    group = seeded("risk_groups", "Energy Aggregate")
    group["accounts"] = [a for a in group["accounts"] if a != "HPT-MM-ICE"]
    desk.write({"coverage": {"trading_accounts_in_a_risk_group": True}},
               accounts=[seeded("accounts", "HPT-MM-ICE")], risk_groups=[group])
    refused(desk.run("apply", "-e", "prod", "--auto-approve"), 4, "coverage",
            "HPT-MM-ICE can trade but is in no risk group")
    assert desk.writes() == []


# --- loosening approval and change windows ------------------------------------------------

def test_loosening_needs_approval_and_allow_loosening_is_audited(desk: Desk) -> None:
    set_limit(desk, 900, {"require_loosening_approval": True})
    refused(desk.run("plan", "-e", "prod"), 0, "NEEDED", "--allow-loosening")
    refused(desk.run("apply", "-e", "prod", "--auto-approve"), 4, "loosening",
            "without approval")
    assert desk.writes() == []
    refused(desk.run("apply", "-e", "prod", "--auto-approve", "--allow-loosening"), 0,
            "Applied 1 of 1")
    assert [r["allow_loosening"] for r in desk.audit() if r["event"] == "overrides"] == [True]


def test_an_approval_applies_only_the_plan_it_approves(desk: Desk) -> None:
    set_limit(desk, 900, {"require_loosening_approval": True})
    refused(desk.run("plan", "-e", "prod", "--out", "plan.json"), 0, "Saved the plan")
    checksum = json.loads((desk.root / "plan.json").read_text())["checksum"]
    refused(desk.run("approve", "plan.json", "--by", "risk-officer", tt=False), 0,
            f"Plan {checksum} for prod (ext_prod_live)",
            "Loosening field changes it approves (1):",
            'accounts HPT-ARB  limits.products["CME CL spread"].max_order_qty: 600 → 900  '
            "LOOSENING", "Approved plan")
    approval = desk.root / "plan.approval.json"
    other = json.loads(approval.read_text()) | {"plan": "0" * 64}
    (desk.root / "other.json").write_text(json.dumps(other))
    refused(desk.run("apply", "plan.json", "--approval", "other.json"), 4,
            "approval file is for another plan")
    assert desk.writes() == []
    refused(desk.run("apply", "plan.json", "--approval", str(approval)), 0, "Applied 1 of 1",
            "approved by risk-officer")
    record = next(r for r in desk.audit() if r["event"] == "overrides")
    assert record["approval"]["approved_by"] == "risk-officer"


def test_with_a_key_only_an_approval_signed_with_it_counts(
        desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    set_limit(desk, 900, {"require_loosening_approval": True})
    refused(desk.run("plan", "-e", "prod", "--out", "plan.json"), 0, "Saved the plan")
    approval = desk.root / "plan.approval.json"
    refused(desk.run("approve", "plan.json", "--by", "risk-officer", tt=False), 0)
    monkeypatch.setenv("TTCONFIG_AUDIT_KEY", "approval-key-51c2")
    refused(desk.run("apply", "plan.json", "--approval", str(approval)), 4,
            "plan.approval.json is not signed, and TTCONFIG_AUDIT_KEY is set")
    refused(desk.run("approve", "plan.json", "--by", "risk-officer", tt=False), 0)
    signed = json.loads(approval.read_text())
    assert len(signed["signature"]) == 64
    assert "approval-key-51c2" not in approval.read_text()
    (desk.root / "forged.json").write_text(json.dumps(signed | {"approved_by": "ceo"}))
    refused(desk.run("apply", "plan.json", "--approval", "forged.json"), 4,
            "signature does not verify under TTCONFIG_AUDIT_KEY")
    assert desk.writes() == []
    refused(desk.run("apply", "plan.json", "--approval", str(approval)), 0, "Applied 1 of 1")
    assert all(r["signed"] == "hmac-sha256" for r in desk.audit())


def _closed_window() -> dict[str, Any]:
    """A daily window that opens 12 hours from now: closed for the whole test."""
    opens = datetime.now(UTC) + timedelta(hours=12)
    return {"cron": f"{opens.minute} {opens.hour} * * *", "timezone": "UTC", "minutes": 30}


def test_loosening_waits_for_a_change_window_but_tightening_never_does(desk: Desk) -> None:
    set_limit(desk, 900, {"change_windows": [_closed_window()]})
    refused(desk.run("apply", "-e", "prod", "--auto-approve"), 4, "change_window",
            "the next opens", "--allow-outside-window")
    assert desk.writes() == []
    set_limit(desk, 500, {"change_windows": [_closed_window()]})  # 600 → 500 tightens
    refused(desk.run("apply", "-e", "prod", "--auto-approve"), 0, "Applied 1 of 1")
    set_limit(desk, 900, {"change_windows": [_closed_window()]})
    refused(desk.run("apply", "-e", "prod", "--auto-approve", "--allow-outside-window"), 0,
            "Applied 1 of 1")
    assert len(desk.writes()) == 2


# --- saved plans --------------------------------------------------------------------------

def test_a_saved_plan_applies_exactly_what_was_reviewed(desk: Desk) -> None:
    set_limit(desk, 900)
    refused(desk.run("plan", "-e", "prod", "--out", "plan.json"), 0, "Saved the plan")
    saved = (desk.root / "plan.json").read_text()
    assert desk.env["TT_PROD_APP_SECRET"] not in saved
    assert desk.env["TT_PROD_APP_KEY"] not in saved
    document = json.loads(saved)
    assert document["environment"] == "prod"
    assert [o["key"] for o in document["objects"]] == ["HPT-ARB"]
    refused(desk.run("apply", "plan.json"), 0, "Applied 1 of 1")
    intents = [r for r in desk.audit() if r["event"] == "intent"]
    assert intents[0]["plan"] == document["checksum"]


def test_require_saved_plan_applies_only_a_reviewed_plan_file(desk: Desk) -> None:
    set_limit(desk, 500, {"require_saved_plan": True})  # a tightening: nothing else holds it
    refused(desk.run("apply", "-e", "prod", "--auto-approve"), 4,
            "requires a reviewed plan file (require_saved_plan)",
            "ttconfig plan -e prod --out plan.json")
    assert desk.writes() == []
    refused(desk.run("plan", "-e", "prod", "--out", "plan.json"), 0, "Saved the plan")
    refused(desk.run("apply", "plan.json"), 0, "Applied 1 of 1")


def test_break_glass_tightens_at_once_and_is_shown_until_the_yaml_carries_it(
        desk: Desk) -> None:
    policy = {"require_saved_plan": True, "require_loosening_approval": True}
    emergency = ["apply", "-e", "prod", "--break-glass", "--auto-approve"]
    set_limit(desk, 500, policy)  # 600 live → 500: stop the desk trading so much now
    refused(desk.run(*emergency, "--reason", "x"), 64, "--break-glass needs --target")
    refused(desk.run(*emergency, "--target", "accounts:HPT-ARB"), 64,
            "--break-glass needs --reason")
    refused(desk.run(*emergency, "--target", "accounts:HPT-ARB", "--reason",
                     "desk over its limit"), 0, "Applied 1 of 1")
    intent = next(r for r in desk.audit() if r["event"] == "intent")
    assert (intent["break_glass"], intent["reason"]) == (True, "desk over its limit")

    set_limit(desk, 600, policy)  # the YAML does not carry the emergency change yet
    said = "an emergency change not yet in the YAML: accounts HPT-ARB, applied with " \
           "--break-glass at"
    refused(desk.run("plan", "-e", "prod"), 0, f"This plan reverts {said}",
            "desk over its limit")
    refused(desk.run("drift", "-e", "prod"), 2, f"Live TT carries {said}")

    set_limit(desk, 900, policy)  # a loosening is never an emergency
    refused(desk.run(*emergency, "--target", "accounts:HPT-ARB", "--reason", "y"), 4,
            "--break-glass applies only tightening", "accounts HPT-ARB")
    assert len(desk.writes()) == 1


def test_require_distinct_approver_refuses_self_approval(
        desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    set_limit(desk, 900, {"require_loosening_approval": True,
                          "require_distinct_approver": True})
    monkeypatch.setenv("GITHUB_ACTOR", "alice")
    refused(desk.run("plan", "-e", "prod", "--out", "plan.json"), 0, "Saved the plan")
    assert json.loads((desk.root / "plan.json").read_text())["created_by_id"] == "github:alice"
    refused(desk.run("approve", "plan.json", "--by", "someone else", tt=False), 0,
            "Approved plan")
    refused(desk.run("apply", "plan.json", "--approval", "plan.approval.json"), 4,
            "approved by its own author (github:alice)")
    monkeypatch.setenv("GITHUB_ACTOR", "bob")
    refused(desk.run("approve", "plan.json", tt=False), 0, "as bob (CI)")
    monkeypatch.delenv("GITHUB_ACTOR")  # approved with a git email or OS user, not a login
    refused(desk.run("approve", "plan.json", "--out", "local.json", tt=False), 0, "Approved")
    refused(desk.run("apply", "plan.json", "--approval", "local.json"), 4,
            "names of different kinds cannot be compared")
    assert desk.writes() == []
    refused(desk.run("apply", "plan.json", "--approval", "plan.approval.json"), 0,
            "Applied 1 of 1")


def test_a_plan_whose_yaml_changed_is_stale(desk: Desk) -> None:
    set_limit(desk, 900)
    desk.run("plan", "-e", "prod", "--out", "plan.json")
    set_limit(desk, 950)
    refused(desk.run("apply", "plan.json"), 5, "changed since plan.json was made",
            "changed: accounts.yaml")
    assert desk.writes() == []


def test_an_edited_plan_file_is_refused(desk: Desk) -> None:
    set_limit(desk, 900)
    desk.run("plan", "-e", "prod", "--out", "plan.json")
    path = desk.root / "plan.json"
    path.write_text(path.read_text().replace('"new": 900', '"new": 9000'))
    refused(desk.run("apply", "plan.json"), 5, "was edited")
    assert desk.writes() == []


def test_a_plan_body_edited_and_resealed_is_refused_by_approve_and_apply(desk: Desk) -> None:
    """The file checksum anyone can recompute: a forger who takes the loosening out of the
    body a reviewer reads, and reseals the file, must not get it approved as "0 loosening"
    and then applied with the loosening."""
    set_limit(desk, 900, {"require_loosening_approval": True})
    refused(desk.run("plan", "-e", "prod", "--out", "plan.json"), 0, "Saved the plan")
    path = desk.root / "plan.json"
    document = json.loads(path.read_text())
    assert document["plan"]["summary"]["loosening"] == 1
    document["plan"]["changes"] = []
    document["plan"]["summary"]["loosening"] = 0
    del document["file_checksum"]
    document["file_checksum"] = hashlib.sha256(json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ).hexdigest()
    path.write_text(json.dumps(document))
    for command in (("approve", "plan.json", "--by", "risk-officer"), ("apply", "plan.json")):
        refused(desk.run(*command, tt=command[0] == "apply"), 5,
                "does not match its checksum", "body was edited")
    assert not (desk.root / "plan.approval.json").exists()
    assert desk.writes() == []


def test_plan_and_approval_files_are_private_and_follow_no_symlink(desk: Desk) -> None:
    """`plan --out` wrote through a link planted at its temporary path (overwriting the
    file it pointed to); plan and approval files say what a firm's risk setup will be."""
    set_limit(desk, 900)
    victim = desk.root / "victim.txt"
    victim.write_text("keep me\n")
    (desk.root / ".plan.json.tmp").symlink_to(victim)
    (desk.root / "plan.approval.json").symlink_to(victim)
    refused(desk.run("plan", "-e", "prod", "--out", "plan.json"), 0, "Saved the plan")
    refused(desk.run("approve", "plan.json", "--by", "risk-officer", tt=False), 0,
            "Approved plan")
    assert victim.read_text() == "keep me\n"
    for written in ("plan.json", "plan.approval.json"):
        path = desk.root / written
        assert not path.is_symlink()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, written
    refused(desk.run("apply", "plan.json"), 0, "Applied 1 of 1")
    for folder in (".ttconfig", ".ttconfig/audit", ".ttconfig/locks"):
        assert stat.S_IMODE((desk.root / folder).stat().st_mode) == 0o700, folder
    audit = desk.root / ".ttconfig" / "audit" / PROD_LOG
    assert stat.S_IMODE(audit.stat().st_mode) == 0o600


def test_a_live_edit_between_plan_and_apply_is_shown_three_ways(desk: Desk) -> None:
    set_limit(desk, 900)
    desk.run("plan", "-e", "prod", "--out", "plan.json")
    reviewed = row(seeded("accounts", "HPT-ARB"), "CME", "ES", "spread")["max_order_qty"]
    tt = desk.sandbox.store.envs["ext_prod_live"]
    account_id = account_id_of(desk, "HPT-ARB")
    es = next(r for r in tt.account_limits[account_id]["productLimits"]
              if tt.products[r["productId"]]["symbol"] == "ES"
              and r["maxOrderQty"] == reviewed)
    desk.sandbox.edit("POST", f"/ttaccount/ext_prod_live/account/{account_id}/limits",
                      {"productLimits": [{**es, "maxOrderQty": reviewed + 200}]})
    result = desk.run("apply", "plan.json")
    refused(result, 5, "live TT changed since plan.json was made", "planned from",
            "live now", "desired", "CME ES spread")
    line = next(x for x in result.stderr.splitlines() if "CME ES spread" in x)
    assert line.split()[-3:] == [str(reviewed), str(reviewed + 200), str(reviewed)]
    assert desk.writes() == []
    assert desk.audit()[-1]["reason"] == "stale plan"


def test_an_edit_to_an_untouched_object_does_not_stale_the_plan(desk: Desk) -> None:
    set_limit(desk, 900)
    desk.run("plan", "-e", "prod", "--out", "plan.json")
    desk.sandbox.edit("POST", "/ttaccount/ext_prod_live/account", {"name": "HPT-NEW",
                                                                   "accountType": 2})
    refused(desk.run("apply", "plan.json"), 0, "Applied 1 of 1")


# --- locks --------------------------------------------------------------------------------

def test_a_held_lock_refuses_with_the_holder_until_unlocked(desk: Desk) -> None:
    set_limit(desk, 900)
    holder = EnvironmentLock(desk.root / ".ttconfig" / "locks",
                             PROD_LOG.removesuffix(".jsonl")).acquire(plan="ab" * 32)
    result = desk.run("apply", "-e", "prod", "--auto-approve")
    refused(result, 5, "locked by", holder.who, f"pid {holder.pid}",
            f"ttconfig unlock -e prod --id {holder.id}")
    assert desk.writes() == []
    refused(desk.run("unlock", "-e", "prod", "--id", "not-the-id", tt=False), 64)
    refused(desk.run("unlock", "-e", "prod", "--id", holder.id, tt=False), 0, "Broke the lock")
    assert desk.audit()[-1]["event"] == "unlock"
    refused(desk.run("apply", "-e", "prod", "--auto-approve"), 0, "Applied 1 of 1")


def test_two_concurrent_applies_write_once(desk: Desk) -> None:
    # Real processes: the lock is between processes (the real client's 1 s write pause
    # is longer than the sandbox's, as TT requires).
    set_limit(desk, 900)
    environ = {k: v for k, v in os.environ.items() if not k.startswith("TT_")} | desk.env
    command = [sys.executable, "-m", "ttconfig", "apply", "-e", "prod", "--auto-approve",
               "--base-url", desk.sandbox.base_url, "--usage-plan", "high"]
    runs = [subprocess.Popen(command, cwd=desk.root, env=environ, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outcomes = [(run.wait(timeout=120), *run.communicate()) for run in runs]
    codes = sorted(code for code, _, _ in outcomes)
    applied = [out for _, out, _ in outcomes if "Applied 1 of 1" in out]
    assert len(applied) == 1, outcomes
    assert codes in ([0, 0], [0, 5]), outcomes  # 0, 0: the second started after the first
    assert len(desk.writes()) == 1


# --- drift --------------------------------------------------------------------------------

def test_drift_exits_2_and_names_a_live_loosening(desk: Desk) -> None:
    desk.write(accounts=[seeded("accounts", "HPT-ARB")])
    refused(desk.run("drift", "-e", "prod"), 0, "No drift")
    account_id = account_id_of(desk, "HPT-ARB")
    desk.sandbox.edit("POST", f"/ttaccount/ext_prod_live/account/{account_id}/restrictions",
                      {"obo": True})
    result = desk.run("drift", "-e", "prod", "--format", "json")
    refused(result, 2)
    item = json.loads(result.stdout)["items"][0]
    assert (item["key"], item["severity"]) == ("HPT-ARB", "high")
    assert desk.writes() == []


def test_trading_tt_disabled_itself_is_said_in_plan_and_drift_and_never_undone(
        desk: Desk) -> None:
    """TT sets "Disable trading (max order limit)" by itself when an account reaches its
    max orders per day (contract §9, ASSUMED key). It is TT's flag, not the YAML's: plan
    and drift say so, an apply to the account leaves it set, and it is not drift."""
    account = seeded("accounts", "HPT-ARB")
    desk.write(accounts=[account])
    account_id = account_id_of(desk, "HPT-ARB")
    desk.sandbox.store.envs["ext_prod_live"].accounts[account_id][
        "disableTradingMaxOrderLimit"] = True
    said = ("TT has disabled trading on account HPT-ARB itself (max order limit): ttconfig "
            "leaves it so; trading is restored in TT Setup")
    planned = desk.run("plan", "-e", "prod", "--format", "json")
    refused(planned, 0)
    findings = json.loads(planned.stdout)["policy"]["findings"]
    assert {"rule": "held by TT", "message": said, "outcome": "warning",
            "override": None} in findings
    drifted = desk.run("drift", "-e", "prod")
    refused(drifted, 0, "No drift", "Notes (not drift):", f"held by TT: {said}")
    set_limit(desk, 500)
    refused(desk.run("apply", "-e", "prod", "--auto-approve"), 0, "Applied 1 of 1")
    assert desk.sandbox.store.envs["ext_prod_live"].accounts[account_id][
        "disableTradingMaxOrderLimit"] is True


# --- one log and one lock per TT environment and company ---------------------------------

def test_a_folder_named_freely_applies_under_the_log_and_lock_of_what_it_claims(
        desk: Desk) -> None:
    set_limit(desk, 900)
    desk.folder.rename(desk.folder.with_name("hpt-production"))
    holder = EnvironmentLock(desk.root / ".ttconfig" / "locks",
                             PROD_LOG.removesuffix(".jsonl")).acquire(plan=None)
    # a folder renamed is still the same TT environment and company: the same lock holds it
    refused(desk.run("apply", "-e", "hpt-production", "--auto-approve"), 5, "locked by")
    refused(desk.run("unlock", "-e", "hpt-production", "--id", holder.id, tt=False), 0)
    refused(desk.run("apply", "-e", "hpt-production", "--auto-approve"), 0, "Applied 1 of 1",
            f".ttconfig/audit/{PROD_LOG}")
    assert next(r["event"] for r in desk.audit()) == "unlock"
    assert not (desk.root / ".ttconfig" / "audit" / "hpt-production.jsonl").exists()


def test_an_environment_name_with_no_folder_is_a_usage_error_naming_the_folders(
        desk: Desk) -> None:
    set_limit(desk, 900)
    for command in (("plan",), ("apply", "--auto-approve"), ("drift",)):
        refused(desk.run(*command, "-e", "prdo"), 64, "no environment folder environments/prdo",
                "did you mean 'prod'?", "(the environment folders: prod)")
    assert desk.writes() == []


def test_a_log_named_by_its_folder_moves_to_its_claims_name_and_keeps_verifying(
        desk: Desk) -> None:
    set_limit(desk, 900)
    audit = desk.root / ".ttconfig" / "audit"
    refused(desk.run("apply", "-e", "prod", "--auto-approve"), 0, "Applied 1 of 1")
    records = desk.audit()
    (audit / PROD_LOG).rename(audit / "prod.jsonl")  # as a release before this one named it
    (audit / f"{PROD_LOG}.head").rename(audit / "prod.jsonl.head")
    set_limit(desk, 950)
    moved = desk.run("apply", "-e", "prod", "--auto-approve")
    refused(moved, 0, "Moved the audit log .ttconfig/audit/prod.jsonl to "
            f".ttconfig/audit/{PROD_LOG}", "Applied 1 of 1")
    assert not (audit / "prod.jsonl").exists()
    assert desk.audit()[:len(records)] == records  # one chain, verified by desk.audit()
    assert len(desk.audit()) > len(records)


# --- the audit log unwritable mid-apply ----------------------------------------------------

@pytest.mark.parametrize(("failing", "applied", "unknown"), [
    (3, "Applied 1 of 2 requests", None),  # the second intent: nothing sent for it
    (4, "Applied 1 of 2 requests", "update account HPT-ERR"),  # its outcome: it may have landed
])
def test_an_audit_log_that_cannot_be_written_mid_apply_ends_with_the_summary(
        desk: Desk, monkeypatch: pytest.MonkeyPatch, failing: int, applied: str,
        unknown: str | None) -> None:
    accounts = [seeded("accounts", name) for name in ("HPT-ARB", "HPT-ERR")]
    for account in accounts:
        account["description"] = "renamed desk"
    desk.write(accounts=accounts)
    opened = audit_module._open_for_append
    calls = []

    def full_disk(path: Path) -> int:
        calls.append(path)
        if len(calls) == failing:  # (1 intent, 2 outcome, 3 intent, 4 outcome)
            raise OSError(errno.ENOSPC, "No space left on device")
        return opened(path)

    monkeypatch.setattr(audit_module, "_open_for_append", full_disk)
    result = desk.run("apply", "-e", "prod", "--auto-approve")
    refused(result, 1, applied, f"cannot write the audit log .ttconfig/audit/{PROD_LOG}: "
            "No space left on device")
    shown = output(result)
    if unknown is None:
        assert "Not applied (1 request): update account HPT-ERR" in shown
        assert len(desk.writes()) == 1
    else:
        assert f"Outcome unknown: {unknown} (its outcome could not be recorded" in shown
        assert len(desk.writes()) == 2


# --- the daily quota as a budget ([I] 5) ----------------------------------------------------

def _ledger(desk: Desk) -> Path:
    return desk.root / ".ttconfig" / "audit" / f"quota-{key_id(desk.env['TT_PROD_APP_KEY'])}.jsonl"


def test_every_command_records_its_requests_and_says_the_days_spend(desk: Desk) -> None:
    set_limit(desk, 900)
    planned = desk.run("plan", "-e", "prod")
    refused(planned, 0, "TT requests today with this app key: 0 of 75,000 (0.0 %); 20 % of "
            "the quota is kept in reserve")
    entries = [json.loads(line) for line in _ledger(desk).read_text().splitlines()]
    assert [(e["day"], e["environment"]) for e in entries] == [(today(), "prod")]
    assert entries[0]["requests"] > 0
    assert desk.env["TT_PROD_APP_KEY"] not in _ledger(desk).read_text()
    again = desk.run("drift", "-e", "prod")
    assert f"TT requests today with this app key: {entries[0]['requests']:,} of 75,000" \
        in again.stderr


def test_a_command_that_would_eat_into_the_reserve_is_refused_but_break_glass_is_not(
        desk: Desk) -> None:
    set_limit(desk, 500)  # 600 live: a tightening
    ledger = _ledger(desk)
    ledger.parent.mkdir(parents=True)
    ledger.write_text(json.dumps({"day": today(), "requests": 60_000, "environment": "prod"})
                      + "\n" + json.dumps({"day": "2020-01-01", "requests": 75_000}) + "\n")
    for command in (("plan",), ("drift",), ("apply", "--auto-approve")):
        refused(desk.run(*command, "-e", "prod"), 4, "60,000 requests already, and only "
                "60,000 may be spent before the reserve. Nothing was read.")
    assert desk.writes() == []
    refused(desk.run("apply", "-e", "prod", "--break-glass", "--target", "accounts:HPT-ARB",
                     "--reason", "desk over its limit", "--auto-approve"), 0, "Applied 1 of 1")


def test_429s_at_the_declared_plan_say_the_keys_real_plan_may_be_lower(desk: Desk) -> None:
    set_limit(desk, 900)
    desk.sandbox.settings.usage_plans["free"] = UsagePlan(3, 10**6)
    desk.sandbox.settings.usage_plan_override = "free"  # the key's real plan: 3 a second
    desk.sandbox.settings.burst_seconds = 1.0
    result = desk.run("plan", "-e", "prod")  # declared --usage-plan high: 25 a second
    # the retries run out here (the tests' retry policy is short), and the notice says why
    refused(result, 1, "answers were 429 at the 'high' usage plan's rate: the app key's real "
            "plan may be lower than declared", "HTTP 429")


# --- rows TT holds that the YAML cannot say yet ---------------------------------------------

def test_a_default_row_is_read_as_product_star_and_rows_the_yaml_cannot_say_are_kept(
        desk: Desk) -> None:
    """TT scopes a limit row by market and type alone (a default row, `productId: null`),
    by product family, or by legs (contract §9). A default row reads as `product: "*"`: the
    YAML that lists the account's rows without it removes it, and says so (a loosening);
    the YAML that lists it keeps it. A family row and an inter-product row with one leg,
    which the YAML cannot say, are kept, named, never written."""
    account = account_id_of(desk, "HPT-ARB")
    limits = desk.sandbox.store.envs["ext_prod_live"].account_limits[account]
    first = copy.deepcopy(limits["productLimits"][0])
    default = {**first, "productId": None, "id": 424242, "maxOrderQty": 5}
    family = {**first, "productId": None, "productFamilyId": 77, "id": 434343}
    limits["productLimits"] += [default, family]
    leg = {k: first[k] for k in ("marketId", "productTypeId", "productId")}
    odd = {**{k: v for k, v in first.items() if k not in leg}, "id": 1, "legs": [leg]}
    limits["interProductLimits"] = [odd]
    set_limit(desk, 500)  # HPT-ARB's CL spread: 600 → 500
    planned = desk.run("plan", "-e", "prod")
    refused(planned, 0, '- limits.products["CME * spread"].max_order_qty: 5  LOOSENING',
            "TT holds 2 limit rows ttconfig cannot represent yet",
            "account HPT-ARB: CME spread: a row of product family 77",
            "account HPT-ARB: an inter-product row (id 1) whose legs are not two or more")
    account_yaml = seeded("accounts", "HPT-ARB")
    row(account_yaml, "CME", "CL", "spread")["max_order_qty"] = 500
    account_yaml["limits"]["products"].append(
        {"market": "CME", "type": "spread", "max_order_qty": 5})
    desk.write(accounts=[account_yaml])
    refused(desk.run("apply", "-e", "prod", "--auto-approve"), 0, "Applied 1 of 1")
    kept = desk.sandbox.store.envs["ext_prod_live"].account_limits[account]
    assert any(r["id"] == 424242 and r["maxOrderQty"] == 5 for r in kept["productLimits"])
    assert any(r["id"] == 434343 for r in kept["productLimits"])
    assert kept["interProductLimits"] == [odd]


# --- company settings ---------------------------------------------------------------------

def _company_settings(desk: Desk, **settings: bool | str) -> None:
    path = desk.folder / "environment.yaml"
    environment = json.loads(path.read_text())
    path.write_text(json.dumps({**environment, "company_settings": {
        "advanced_risk": True, "market_impact": True, **settings}}))


def test_closing_positions_needs_tt_to_have_a_liquidation_user(desk: Desk) -> None:
    """TT closes an account's positions on a credit loss as the company's liquidation
    user: with none, an account that says close_positions_at_percent would not be closed,
    so the plan refuses (exit 3); environment.yaml may name the user, and plan checks it."""
    companies = desk.sandbox.store.envs["ext_prod_live"].companies.values()
    (hpt,) = [c for c in companies if c["name"] == "Harbor Point Trading"]
    account = seeded("accounts", "HPT-ARB")
    account["risk_settings"]["credit_loss_actions"] = {"close_positions_at_percent": 90}
    desk.write(accounts=[account])
    held, hpt["liquidationUserId"] = hpt["liquidationUserId"], None
    refused(desk.run("plan", "-e", "prod"), 3,
            "HPT-ARB close positions on a credit loss (close_positions_at_percent), but TT's "
            "company has no liquidation user to close them as")
    hpt["liquidationUserId"] = held
    refused(desk.run("plan", "-e", "prod"), 0, "close_positions_at_percent")
    _company_settings(desk, liquidation_user="nina.rossi@harborpoint.example")
    refused(desk.run("plan", "-e", "prod"), 3,
            "company_settings.liquidation_user is nina.rossi@harborpoint.example, but TT's "
            "company Harbor Point Trading has susan.whitaker@harborpoint.example")
    _company_settings(desk, liquidation_user="Susan.Whitaker@harborpoint.example")
    refused(desk.run("plan", "-e", "prod"), 0, "close_positions_at_percent")
    assert desk.writes() == []


def test_with_limits_defaulting_to_zero_not_set_is_judged_as_zero(desk: Desk) -> None:
    """TT's company setting "default account limits to 0 when not set" turns "not set"
    from the loosest value into the tightest. The YAML declares it; plan checks it against
    TT's company and judges (and shows) a limit not set as 0."""
    companies = desk.sandbox.store.envs["ext_prod_live"].companies.values()
    (hpt,) = [c for c in companies if c["name"] == "Harbor Point Trading"]
    hpt["defaultLimitsToZero"] = True
    account = seeded("accounts", "HPT-ARB")
    row(account, "CME", "CL", "spread")["max_order_qty"] = None  # 600 live
    desk.write(accounts=[account])
    refused(desk.run("plan", "-e", "prod"), 3,
            "company_settings.default_limits_to_zero is false, but TT's company Harbor Point "
            "Trading has it on: set it to true")
    _company_settings(desk, default_limits_to_zero=True)
    planned = desk.run("plan", "-e", "prod")
    refused(planned, 0, "'default account limits to 0 when not set' is on",
            '~ limits.products["CME CL spread"].max_order_qty: 600 → 0  TIGHTENING')
    hpt["defaultLimitsToZero"] = False
    _company_settings(desk, default_limits_to_zero=False)
    refused(desk.run("plan", "-e", "prod"), 0,
            '~ limits.products["CME CL spread"].max_order_qty: 600 → not set  LOOSENING')
