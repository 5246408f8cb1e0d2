"""validate, import, inspect and audit verify: the commands that set a repository up."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.cli.harness import TTConfig, output
from ttconfig.cli import terminal
from ttconfig.desired.loader import load_firm


def test_inspect_reads_the_sandbox_firm(ttconfig: TTConfig, tmp_path: Path) -> None:
    result = ttconfig("inspect", "--sandbox", "--usage-plan", "high")
    assert result.exit_code == 0, result.stderr
    assert "Harbor Point Trading (HPT): accounts" in result.stdout
    assert "HPT-PROP-ENERGY" in result.stdout
    assert "Read 25 accounts" in result.stdout
    assert "0 answered 429" in result.stdout
    assert (tmp_path / ".ttconfig" / "sandbox-state.json").exists()


def test_inspect_says_what_its_read_will_cost_and_how_far_it_got(
        ttconfig: TTConfig, monkeypatch: pytest.MonkeyPatch) -> None:
    """Off a terminal (a CI log) too: the estimate first, then progress lines as plan's."""
    monkeypatch.setattr(terminal, "EVERY_SECONDS", 0.0)  # a progress line at every tick
    result = ttconfig("inspect", "--sandbox", "--usage-plan", "high")
    assert result.exit_code == 0, result.stderr
    said = result.stderr.splitlines()
    estimate = [line for line in said if "requests, the listings included" in line]
    assert len(estimate) == 1, result.stderr
    counted = re.fullmatch(r"Reading live TT \(uat\): (\d+) requests, the listings included "
                           r"\(≥ \d+ s at the high plan\)\.", estimate[0])
    assert counted is not None, estimate
    took = re.search(r"with (\d+) requests in", result.stdout)
    assert took is not None, result.stdout
    assert int(counted[1]) == int(took[1]), "the estimate is the read's cost"
    progress = [line for line in said if re.fullmatch(
        rf"Reading live TT \(uat\): [\d,]+ of {counted[1]} requests \(\d+%\)", line)]
    assert progress, result.stderr
    assert said.index(estimate[0]) < said.index(progress[0])


def test_inspect_of_prod_reads_prod(ttconfig: TTConfig) -> None:
    result = ttconfig("inspect", "--sandbox", "-e", "prod", "--usage-plan", "high")
    assert result.exit_code == 0, result.stderr
    assert "HPT-CUST-ELM" in result.stdout
    assert "HPT-UAT-TEST" not in result.stdout


def test_import_writes_a_valid_folder_and_a_second_import_changes_nothing(
        ttconfig: TTConfig, tmp_path: Path) -> None:
    def run() -> None:
        result = ttconfig("import", "-e", "prod", "--sandbox", "--usage-plan", "high")
        assert result.exit_code == 0, result.stderr

    run()
    folder = tmp_path / "environments" / "prod"
    first = {p.name: p.read_text() for p in folder.glob("*.yaml")}
    policy = load_firm(folder).environment.policy
    assert (policy.require_saved_plan, policy.require_loosening_approval,
            policy.protected.min_admins) == (True, True, 2), "production's scaffold, not none"
    assert "# api_user: " in first["environment.yaml"], "TT cannot say who: the comment asks"
    run()
    assert {p.name: p.read_text() for p in folder.glob("*.yaml")} == first


def test_init_scaffolds_a_folder_with_a_safe_policy_and_never_overwrites_one(
        ttconfig: TTConfig, tmp_path: Path) -> None:
    made = ttconfig("init", "prod", "--tt-environment", "ext_prod_live", "--company",
                    "Meridian Futures: Chicago", "--api-user", "api@meridian.example")
    assert made.exit_code == 0, made.stderr
    assert "Next: export TT_PROD_APP_KEY and TT_PROD_APP_SECRET" in made.stdout
    assert ttconfig("validate", "-e", "prod").exit_code == 0
    environment = load_firm(tmp_path / "environments" / "prod").environment
    assert environment.company == "Meridian Futures: Chicago"
    assert environment.policy.protected.api_user == "api@meridian.example"
    assert (environment.policy.require_saved_plan, environment.policy.protected.min_admins,
            environment.policy.thresholds["accounts"].max_deletes) == (True, 2, 0)
    uat = ttconfig("init", "uat", "--tt-environment", "ext_uat_cert", "--company", "M")
    assert uat.exit_code == 0, uat.stderr
    relaxed = load_firm(tmp_path / "environments" / "uat").environment.policy
    assert (relaxed.require_saved_plan, relaxed.require_loosening_approval) == (False, False)
    again = ttconfig("init", "prod", "--tt-environment", "ext_prod_live", "--company", "X")
    assert again.exit_code == 64
    assert "exists: init writes new folders only" in again.stderr
    assert load_firm(tmp_path / "environments" / "prod").environment.company == \
        "Meridian Futures: Chicago"


def test_explain_names_the_row_that_governs_a_product_and_where_it_is(
        ttconfig: TTConfig, demo: Path) -> None:
    own = ttconfig("explain", "-e", "prod", "HPT-PROP-RATES", "CME", "ZB")
    assert own.exit_code == 0, own.stderr
    lines = own.stdout.splitlines()
    assert lines[0] == "HPT-PROP-RATES · CME ZB future"
    assert lines[1].startswith("  account HPT-PROP-RATES: the product row CME ZB future "
                               "(environments/prod/accounts.yaml:")
    assert "max_order_qty 500" in lines[2]
    assert lines[3].startswith("      and the inter-product row CME ZB future / CME ZN future")
    assert lines[4].startswith("  risk group Rates Aggregate: the product row CME ZB future")
    fallback = ttconfig("explain", "-e", "prod", "hpt-prop-rates", "CME", "6E").stdout
    assert "account HPT-PROP-RATES: the default row CME * future" in fallback
    assert "max_order_qty 50 ·" in fallback
    assert "risk group Rates Aggregate: no row matches" in fallback
    missing = ttconfig("explain", "-e", "prod", "HPT-NOPE", "CME", "ZB")
    assert missing.exit_code == 64
    assert "no account 'HPT-NOPE'" in missing.stderr


def test_explain_names_the_inter_product_rows_a_product_is_a_leg_of(
        ttconfig: TTConfig, demo: Path) -> None:
    """A spread limit does not replace the product's own row: it limits the legs together,
    so explain lists it beside the row that governs the product alone."""
    zn = ttconfig("explain", "-e", "prod", "HPT-PROP-RATES", "CME", "ZN")
    assert zn.exit_code == 0, zn.stderr
    spread = [line for line in zn.stdout.splitlines() if "inter-product row" in line]
    assert len(spread) == 1, zn.stdout
    assert spread[0].startswith("      and the inter-product row CME ZB future / CME ZN future "
                                "(environments/prod/accounts.yaml:")
    assert "max_order_qty 100 · max_position 400" in zn.stdout
    assert "inter-product" not in ttconfig("explain", "-e", "prod", "HPT-PROP-RATES",
                                           "CME", "ES").stdout


def test_explain_matches_a_family_row_only_when_told_the_family(
        ttconfig: TTConfig, demo: Path) -> None:
    """explain reads no TT, so it cannot know FGBX is in Eurex's Interest Rates family: it
    says which family row would govern, and matches it when told."""
    unsure = ttconfig("explain", "-e", "prod", "HPT-PROP-RATES", "Eurex", "FGBX")
    assert unsure.exit_code == 0, unsure.stderr
    assert "account HPT-PROP-RATES: no row matches" in unsure.stdout
    assert "unless the product is in family 'Interest Rates' (--family)" in unsure.stdout
    told = ttconfig("explain", "-e", "prod", "HPT-PROP-RATES", "Eurex", "FGBX",
                    "--family", "interest rates")
    assert "account HPT-PROP-RATES: the family row Eurex family Interest Rates * future " \
           "(environments/prod/accounts.yaml:" in told.stdout
    assert "max_order_qty 100 ·" in told.stdout
    own = ttconfig("explain", "-e", "prod", "HPT-PROP-RATES", "Eurex", "FGBL",
                   "--family", "Interest Rates")
    assert "the product row Eurex FGBL future" in own.stdout, "a product row is more specific"


def test_explain_reports_as_json_and_markdown_too(ttconfig: TTConfig, demo: Path) -> None:
    asked = ("explain", "-e", "prod", "HPT-PROP-RATES", "CME", "ZB")
    as_json = ttconfig(*asked, "--format", "json")
    assert as_json.exit_code == 0, output(as_json)
    data = json.loads(as_json.stdout)
    assert (data["account"], data["product"]) == ("HPT-PROP-RATES", "CME ZB future")
    account, group = data["governed"]
    assert account["owner"] == "account HPT-PROP-RATES"
    row = account["row"]
    assert (row["name"], row["kind"]) == ("CME ZB future", "product row")
    assert row["where"].startswith("environments/prod/accounts.yaml:")
    assert row["values"]["max_order_qty"] == 500
    assert "market" not in row["values"], "the row's scope is its name, not a value"
    (spread,) = account["spreads"]
    assert spread["name"].startswith("CME ZB future / CME ZN future")
    assert group["owner"] == "risk group Rates Aggregate"
    unsure = json.loads(ttconfig("explain", "-e", "prod", "HPT-PROP-RATES", "Eurex", "FGBX",
                                 "--format", "json").stdout)
    assert unsure["governed"][0]["row"] is None
    assert unsure["governed"][0]["families"] == ["Interest Rates"]
    markdown = ttconfig(*asked, "--format", "markdown")
    assert markdown.exit_code == 0, output(markdown)
    lines = markdown.stdout.splitlines()
    assert lines[0] == "## ttconfig explain: HPT-PROP-RATES · CME ZB future"
    assert "| governed by | row | declared at | values |" in lines
    assert any(line.startswith("| account HPT-PROP-RATES | the product row CME ZB future | ")
               and "max_order_qty 500" in line for line in lines), lines
    assert ttconfig(*asked, "--format", "text").stdout == ttconfig(*asked).stdout


def test_validate_reports_as_json_and_markdown_too(ttconfig: TTConfig, demo: Path) -> None:
    valid = json.loads(ttconfig("validate", "-e", "uat", "--format", "json").stdout)
    assert valid["valid"] is True
    assert valid["counts"]["accounts"] == 25
    accounts = demo / "environments" / "uat" / "accounts.yaml"
    lines = accounts.read_text().count("\n")
    accounts.write_text(accounts.read_text() + "- name: HPT-NO-TYPE\n")
    broken = ttconfig("validate", "-e", "uat", "--format", "json")
    assert broken.exit_code == 3
    assert json.loads(broken.stdout)["problems"] == [
        {"file": "environments/uat/accounts.yaml", "line": lines + 1, "column": 3,
         "message": "missing required key 'type'"}]
    markdown = ttconfig("validate", "-e", "uat", "--format", "markdown")
    assert markdown.exit_code == 3
    assert markdown.stdout.startswith("## `environments/uat`: 1 problem\n")


def test_init_then_import_gives_a_folder_that_plans_no_changes(ttconfig: TTConfig) -> None:
    """The path `init` recommends: import into the scaffold fills the kinds and TT's
    company settings (without them the imported touch bands and market-impact settings
    were invalid), and leaves the scaffold's policy alone."""
    assert ttconfig("init", "uat", "--tt-environment", "ext_uat_cert", "--company",
                    "Harbor Point Trading", "--usage-plan", "high").exit_code == 0
    target = ["-e", "uat", "--sandbox", "--usage-plan", "high"]
    imported = ttconfig("import", *target)
    assert imported.exit_code == 0, imported.stderr
    assert "wrote environments/uat/environment.yaml" in imported.stdout
    planned = ttconfig("plan", *target, "--detailed-exitcode")
    assert planned.exit_code == 0, output(planned)
    assert "No changes" in planned.stdout
    again = ttconfig("import", *target)
    assert "environment.yaml" not in again.stdout, "nothing of TT's changed: not rewritten"
