"""`ttconfig inspect account|user`: one object as live TT holds it, and what governs it."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.cli.harness import TTConfig, fast_settings, output
from ttconfig.models.accounts import Account
from ttconfig.runs.inspect_one import effective_denials, effective_limits
from ttconfig.sandbox.server import Sandbox

UAT = "ext_uat_cert"


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(settings=fast_settings("high")) as running:
        yield running


def run(sandbox: Sandbox, *args: str) -> tuple[int, str, str]:
    key, secret = sandbox.credentials(UAT)
    result = TTConfig({"TT_UAT_APP_KEY": key, "TT_UAT_APP_SECRET": secret})(
        "inspect", *args, "-e", "uat", "--base-url", sandbox.base_url, "--usage-plan", "high")
    return result.exit_code, result.stdout, output(result)


def deny_gtc_on_hpt_prop(sandbox: Sandbox) -> None:
    """HPT-PROP's restrictions deny GTC orders (in TT's web UI): its children inherit it."""
    env = sandbox.store.env(UAT)
    parent = next(i for i, a in env.accounts.items() if a["name"] == "HPT-PROP")
    sandbox.edit("POST", f"/ttaccount/{UAT}/account/{parent}/restrictions",
                 {"gtcOrders": False})


def test_an_account_shows_its_setup_its_parents_denials_and_its_risk_group(
        sandbox: Sandbox) -> None:
    deny_gtc_on_hpt_prop(sandbox)
    code, stdout, said = run(sandbox, "account", "hpt-prop-rates")
    assert code == 0, said
    lines = stdout.splitlines()
    assert lines[0] == "Account HPT-PROP-RATES in uat, as live TT holds it"
    assert lines[1].startswith("  parents: HPT-PROP")
    assert ("  denied by a parent although this account allows it: gtc_orders (HPT-PROP)"
            in lines)
    assert lines[3].startswith("  risk group: Rates Aggregate")
    assert "    - name: HPT-PROP-RATES" in lines
    assert "  risk group Rates Aggregate's rows:" in lines
    missing = run(sandbox, "account", "HPT-NOPE")
    assert missing[0] == 64
    assert "no account 'HPT-NOPE' in TT" in missing[2]


def test_a_user_shows_every_account_they_may_trade_and_how(sandbox: Sandbox) -> None:
    code, stdout, said = run(sandbox, "user", "john.smith@harborpoint.example")
    assert code == 0, said
    lines = stdout.splitlines()
    assert lines[0] == "User john.smith@harborpoint.example in uat, as live TT holds it"
    assert lines[1].startswith("  may trade on: HPT-ARB-XMKT (place_orders,")
    assert "HPT-PROP-RATES (place_orders" in lines[1]
    assert "    - email: john.smith@harborpoint.example" in lines
    assert run(sandbox, "user")[0] == 64


def test_a_parents_denial_counts_once_and_the_nearest_parent_is_named() -> None:
    child = Account.model_validate({"name": "C", "type": "house",
                                    "restrictions": {"obo": True, "mobile": False}})
    parent = Account.model_validate({"name": "P", "type": "house",
                                     "restrictions": {"obo": False, "mobile": False,
                                                      "adl_algo_approval_required": False}})
    root = Account.model_validate({"name": "R", "type": "house",
                                   "restrictions": {"obo": False, "adl": False}})
    assert effective_denials(child, (parent, root)) == {"obo": "P", "adl": "R"}, \
        "an approval no algo needs is not a denial"


def test_inspect_reports_as_json_and_markdown_too(sandbox: Sandbox) -> None:
    code, stdout, said = run(sandbox, "account", "HPT-PROP-RATES", "--format", "json")
    assert code == 0, said
    account = json.loads(stdout)
    assert (account["account"]["name"], account["parents"], account["risk_group"]["name"]) \
        == ("HPT-PROP-RATES", ["HPT-PROP"], "Rates Aggregate")
    code, stdout, said = run(sandbox, "user", "john.smith@harborpoint.example",
                             "--format", "json")
    assert code == 0, said
    assert {a["account"] for a in json.loads(stdout)["accounts"]} == {
        "HPT-ARB-XMKT", "HPT-PROP-RATES"}
    code, stdout, said = run(sandbox, "account", "HPT-PROP-RATES", "--format", "markdown")
    assert code == 0, said
    assert stdout.startswith("```\nAccount HPT-PROP-RATES in uat")
    assert stdout.endswith("```\n")
    code, stdout, said = run(sandbox, "--format", "json")
    assert code == 0, said
    overview = json.loads(stdout)
    rates = next(a for a in overview["accounts"] if a["account"] == "HPT-PROP-RATES")
    assert (rates["parent"], rates["can_place_orders"]) == ("HPT-PROP", True)
    assert overview["read"]["requests"] > 0
    code, stdout, said = run(sandbox, "--format", "markdown")
    assert code == 0, said
    assert stdout.startswith("## Harbor Point Trading: accounts\n")
    assert "| HPT-PROP-RATES | house | HPT-PROP |" in stdout


def test_an_account_says_which_row_governs_each_product_in_it_and_in_its_group(
        sandbox: Sandbox) -> None:
    """The issue's "effective limits, with which row governs each": per product the rows
    name, the account's governing row and its risk group's, side by side."""
    code, stdout, said = run(sandbox, "account", "HPT-PROP-RATES")
    assert code == 0, said
    lines = stdout.splitlines()
    assert lines[3].startswith("  effective limits (an order meets the account's governing row")
    assert ("    CME ZN future: account: own row (trading_allowed true, max_order_qty 2,000, "
            "max_position 10,000, max_long_position 8,000, max_short_position 6,000); risk "
            "group Rates Aggregate: own row (trading_allowed true, max_order_qty 3,000, "
            "max_position 15,000, max_long_position 12,000, max_short_position 9,000)") in lines
    assert ("    CME ZF future: account: own row (trading_allowed true, max_order_qty 2,000, "
            "max_position 10,000); risk group Rates Aggregate: no row") in lines
    data = json.loads(run(sandbox, "account", "HPT-PROP-RATES", "--format", "json")[1])
    zn = next(e for e in data["effective_limits"] if e["product"] == "CME ZN future")
    assert (zn["account_row"]["max_position"], zn["risk_group_row"]["max_position"]) == (
        10000, 15000)


def test_a_default_or_family_row_governs_the_products_no_row_names() -> None:
    account = Account.model_validate({"name": "A", "type": "house", "limits": {"products": [
        {"market": "CME", "product": "ES", "max_order_qty": 10},
        {"market": "CME", "max_order_qty": 5},
        {"market": "CME", "family": "Equity Index", "max_order_qty": 7}]}})
    found = {e.product: e.account_row for e in effective_limits(account, None)}
    assert list(found) == ["CME ES future", "CME futures (any other product)",
                           "CME Equity Index futures (the family's other products)"]
    assert [row.max_order_qty if row else None for row in found.values()] == [10, 5, 7]


def test_a_user_shows_what_each_accounts_restrictions_deny_whoever_trades_it(
        sandbox: Sandbox) -> None:
    """Effective permissions: a link grants, the account's (and its parents') restrictions
    take away; TT applies both."""
    deny_gtc_on_hpt_prop(sandbox)
    code, stdout, said = run(sandbox, "user", "john.smith@harborpoint.example")
    assert code == 0, said
    assert ("  restricted on HPT-PROP-RATES (for whoever trades it): gtc_orders (HPT-PROP), "
            "mobile (HPT-PROP-RATES), obo (HPT-PROP-RATES)") in stdout.splitlines()
    data = json.loads(run(sandbox, "user", "john.smith@harborpoint.example", "--format",
                          "json")[1])
    rates = next(a for a in data["accounts"] if a["account"] == "HPT-PROP-RATES")
    assert rates["restricted"] == {"gtc_orders": "HPT-PROP", "mobile": "HPT-PROP-RATES",
                                   "obo": "HPT-PROP-RATES"}
