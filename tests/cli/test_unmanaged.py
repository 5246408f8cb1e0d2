"""What live TT holds that the YAML does not name, and what changed there outside ttconfig
since its last apply: plan and drift say so, and `import --only` prints the YAML that
adopts an object ([K] 1)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from tests.cli.harness import output, uat_desk
from ttconfig.sandbox.server import Sandbox

UAT = "ext_uat_cert"


def test_an_account_made_by_hand_in_tt_is_listed_and_import_only_prints_its_yaml(
        served: Sandbox, uat: Path) -> None:
    ttconfig, target = uat_desk(served)
    before = ttconfig("plan", *target)
    assert "Not managed by this YAML" not in before.stdout, "the demo's YAML names everything"
    served.edit("POST", f"/ttaccount/{UAT}/account",
                 {"name": "HPT-MANUAL-BOOK", "accountType": 2})
    plan = ttconfig("plan", *target)
    assert plan.exit_code == 0, output(plan)
    lines = plan.stdout.splitlines()
    start = lines.index("Not managed by this YAML (left as they are in TT):")
    assert lines[start + 1] == "  accounts (1): HPT-MANUAL-BOOK"
    assert ("`ttconfig import -e uat --only accounts:HPT-MANUAL-BOOK` prints it"
            in lines[start + 2])
    assert "`policy: {prune: {accounts: true}}`" in lines[start + 2]
    data = json.loads(ttconfig("plan", *target, "--format", "json").stdout)
    assert data["unmanaged"] == {"accounts": ["HPT-MANUAL-BOOK"]}
    assert "### Not managed by this YAML" in ttconfig("plan", *target, "--format",
                                                      "markdown").stdout
    drift = ttconfig("drift", *target)
    assert "  accounts (1): HPT-MANUAL-BOOK" in drift.stdout, output(drift)

    adopted = ttconfig("import", *target, "--only", "accounts:hpt-manual-*")
    assert adopted.exit_code == 0, output(adopted)
    assert adopted.stdout.startswith("# add to environments/uat/accounts.yaml\n"
                                     "- name: HPT-MANUAL-BOOK\n  type: house\n")
    accounts = uat / "accounts.yaml"
    accounts.write_text(accounts.read_text() + adopted.stdout)
    after = ttconfig("plan", *target, "--format", "json")
    data = json.loads(after.stdout)
    assert data["unmanaged"] == {}
    assert not [c for c in data["changes"] if c["key"] == "HPT-MANUAL-BOOK"], \
        "the adopted YAML is what TT holds"


def test_a_pruned_kind_lists_nothing_it_would_remove_and_import_only_refuses_other_kinds(
        served: Sandbox, uat: Path) -> None:
    ttconfig, target = uat_desk(served)
    served.edit("POST", f"/ttaccount/{UAT}/account",
                 {"name": "HPT-MANUAL-BOOK", "accountType": 2})
    environment = uat / "environment.yaml"
    text = environment.read_text()
    assert "policy:\n" in text
    environment.write_text(text.replace("policy:\n", "policy:\n  prune: {accounts: true}\n", 1))
    plan = ttconfig("plan", *target)
    assert "Not managed by this YAML" not in plan.stdout, "a pruned kind's extra is a removal"
    assert "HPT-MANUAL-BOOK" in plan.stdout
    refused = ttconfig("import", *target, "--only", "product_margins:CME*")
    assert refused.exit_code == 64
    assert "--only takes accounts, users, user_groups, risk_groups" in refused.stderr
    missing = ttconfig("import", *target, "--only", "accounts:HPT-NOPE")
    assert missing.exit_code == 64
    assert "no live object matches accounts:HPT-NOPE in uat" in missing.stderr


def _offboard(uat: Path, email: str) -> None:
    """Delete a trader from the YAML as a desk would: the user's block, the account links,
    the user group membership and the order-tag defaults naming them."""
    for name in ("users", "accounts", "user-groups", "order-tag-defaults"):
        path = uat / f"{name}.yaml"
        items = yaml.safe_load(path.read_text())
        kept = []
        for item in items:
            if email in (item.get("email"), item.get("user")):
                continue
            if "users" in item:
                item["users"] = [u for u in item["users"]
                                 if (u.get("user") if isinstance(u, dict) else u) != email]
            kept.append(item)
        path.write_text(yaml.safe_dump(kept, sort_keys=False))


def test_a_trader_deleted_from_the_yaml_is_unlinked_and_the_plan_says_they_stay_active(
        served: Sandbox, uat: Path) -> None:
    """Offboarding by deleting a block removes the links the YAML managed, not the user:
    TT has no delete, and a user left active can still log in."""
    ttconfig, target = uat_desk(served)
    _offboard(uat, "john.smith@harborpoint.example")
    plan = ttconfig("plan", *target)
    assert plan.exit_code == 0, output(plan)
    assert "john.smith@harborpoint.example" in plan.stdout
    warning = [line for line in plan.stdout.splitlines() if "stays active in TT" in line]
    assert len(warning) == 1, plan.stdout
    assert "john.smith@harborpoint.example is unlinked from HPT-" in warning[0]
    assert "declare it with `active: false`" in warning[0]
    assert "  users (1): john.smith@harborpoint.example" in plan.stdout
    # the desk he leaves has orders working, which the unlink does not cancel ([L])
    assert ("orders working on HPT-PROP-RATES (ZN 300 to buy) stay working after the "
            "unlink: cancel them in TT if they are this user's") in plan.stdout
    assert "link HPT-PROP-RATES ↔ john.smith@harborpoint.example: HPT-PROP-RATES has " \
        "orders working (ZN 300 to buy)" in plan.stdout

    users = uat / "users.yaml"
    users.write_text(users.read_text() + "- email: john.smith@harborpoint.example\n"
                                         "  active: false\n")
    deactivating = ttconfig("plan", *target)
    assert "stays active in TT" not in deactivating.stdout, output(deactivating)
    assert "users (1): john.smith" not in deactivating.stdout


def test_a_trader_whose_block_alone_is_deleted_is_refused_at_each_reference_with_how_to_offboard(
        served: Sandbox, uat: Path) -> None:
    """The loader does not read TT, so a reference to a deleted block may be an offboarding
    or a typo: each reference says what to do in both readings."""
    ttconfig, target = uat_desk(served)
    users = uat / "users.yaml"
    users.write_text(yaml.safe_dump(
        [u for u in yaml.safe_load(users.read_text())
         if u["email"] != "john.smith@harborpoint.example"], sort_keys=False))
    plan = ttconfig("plan", *target)
    assert plan.exit_code == 3, output(plan)
    said = ("user 'john.smith@harborpoint.example' is not declared in users.yaml: to offboard "
            "a trader, remove this reference too (or keep their block with `active: false`); "
            "if it is a typo, did you mean 'hannah.schmidt@harborpoint.example'?")
    places = [line.split(": ", 1) for line in plan.stderr.splitlines()]
    assert [message for _at, message in places] == [said] * 4, plan.stderr
    assert [re.sub(r":\d+:\d+$", "", at) for at, _message in places] == [
        "environments/uat/accounts.yaml", "environments/uat/accounts.yaml",
        "environments/uat/order-tag-defaults.yaml", "environments/uat/user-groups.yaml"]


def test_a_trader_deleted_from_the_yaml_with_users_pruned_is_deactivated_without_a_warning(
        served: Sandbox, uat: Path) -> None:
    """With users pruned the plan deactivates the trader whose block was deleted: it does
    not also warn that they stay active."""
    ttconfig, target = uat_desk(served)
    _offboard(uat, "john.smith@harborpoint.example")
    environment = uat / "environment.yaml"
    environment.write_text(environment.read_text().replace(
        "policy:\n", "policy:\n  prune: {users: true}\n", 1))
    plan = ttconfig("plan", *target)
    assert plan.exit_code == 0, output(plan)
    assert "- john.smith@harborpoint.example (deactivate)" in plan.stdout, plan.stdout
    assert "stays active" not in plan.stdout, plan.stdout


def test_a_value_changed_in_tt_since_the_last_apply_is_marked_and_its_revert_explained(
        served: Sandbox, uat: Path) -> None:
    """Terraform's "objects changed outside": the audit log holds what ttconfig applied;
    a plan that finds something else live says so, and that reverting an outside
    loosening is a tightening."""
    ttconfig, target = uat_desk(served)
    assert ttconfig("apply", *target, "--auto-approve").exit_code == 0
    assert "Changed in TT outside" not in ttconfig("plan", *target).stdout
    env = served.store.env(UAT)
    rates = next(i for i, a in env.accounts.items() if a["name"] == "HPT-PROP-RATES")
    zn = next(r for r in env.account_limits[rates]["productLimits"]
              if env.products[r["productId"]]["symbol"] == "ZN" and r["maxPosition"] == 15000)
    served.edit("POST", f"/ttaccount/{UAT}/account/{rates}/limits",
                 {"productLimits": [{**zn, "maxPosition": 20000}]})
    plan = ttconfig("plan", *target)
    assert plan.exit_code == 0, output(plan)
    lines = plan.stdout.splitlines()
    start = lines.index("Changed in TT outside ttconfig since its last apply:")
    assert lines[start + 1].startswith(
        '  accounts HPT-PROP-RATES limits.products["CME ZN future"].max_position: ttconfig '
        "applied 15,000 (")
    assert lines[start + 1].endswith(
        "UTC), TT now holds 20,000 (a loosening made outside ttconfig); this plan reverts "
        "it: a tightening, which needs no approval")
    changed = next(i for i, line in enumerate(lines)
                   if 'limits.products["CME ZN future"].max_position: 20,000 → 15,000' in line)
    mark = ('reverts a change made in TT outside ttconfig (ttconfig applied 15,000): see '
            '"Changed in TT outside ttconfig since its last apply"')
    assert mark in " ".join(lines[changed + 1:changed + 3]), "marked on the change itself"
    assert mark in ttconfig("plan", *target, "--format", "markdown").stdout
    data = json.loads(ttconfig("plan", *target, "--format", "json").stdout)
    (outside,) = data["changed_outside"]
    assert (outside["applied"], outside["live"], outside["desired"], outside["reverts"]) == (
        15000, 20000, 15000, True)
