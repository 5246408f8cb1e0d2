"""Checks across objects: duplicates (after case folding and NFKC), references, cycles,
links declared once, limit scopes once per owner, one risk group per account."""

from __future__ import annotations

from typing import Any

from ttconfig.models import Firm
from ttconfig.models.checks import Issue, check

ENVIRONMENT = {"tt_environment": "ext_uat_cert", "company": "Harbor Point Trading",
               "usage_plan": "free",
               "credentials": {"app_key_env": "TT_UAT_APP_KEY",
                               "app_secret_env": "TT_UAT_APP_SECRET"}}
ANN = "ann.lee@harborpoint.example"


def firm(**kinds: Any) -> Firm:
    return Firm.model_validate({"environment": ENVIRONMENT, **kinds})


def house(name: str, **more: Any) -> dict[str, Any]:
    return {"name": name, "type": "house", **more}


def test_a_consistent_firm_has_no_issues() -> None:
    assert check(firm(
        accounts=[house("HPT-PROP"), house("HPT-PROP-RATES", parent="HPT-PROP",
                                           users=[{"user": ANN}])],
        users=[{"email": ANN}], user_groups=[{"name": "Rates Desk", "users": [ANN]}],
        risk_groups=[{"name": "Rates", "accounts": ["HPT-PROP-RATES"]}],
        order_tag_defaults=[{"market": "CME", "field": "Operator ID", "value": "X1",
                             "account": "HPT-PROP", "user": ANN}],
    )) == []


def test_names_equal_after_case_folding_or_nfkc_are_the_same_object() -> None:
    issues = check(firm(accounts=[house("HPT-PROP"), house("hpt-prop"), house("ＨＰＴ-PROP")]))
    assert issues == [
        Issue(("accounts", 1, "name"), "account 'hpt-prop' is declared twice (the other is "
              "written 'HPT-PROP': names that differ only in case or Unicode form are the "
              "same name)", ("accounts", 0, "name")),
        Issue(("accounts", 2, "name"), "account 'ＨＰＴ-PROP' is declared twice (the other is "
              "written 'HPT-PROP': names that differ only in case or Unicode form are the "
              "same name)", ("accounts", 0, "name")),
    ]


def test_unknown_references_suggest_the_closest_name() -> None:
    issues = check(firm(accounts=[house("HPT-PROP"), house("HPT-RATES", parent="HPT-PROPP")],
                        risk_groups=[{"name": "R", "accounts": ["HPT-NOPE-AT-ALL"]}],
                        user_groups=[{"name": "G", "users": ["ann.le@harborpoint.example"]}],
                        users=[{"email": ANN}]))
    assert [(i.path, i.message) for i in issues] == [
        (("accounts", 1, "parent"), "account 'HPT-PROPP' is not declared; did you mean "
                                    "'HPT-PROP'?"),
        (("risk_groups", 0, "accounts", 0), "account 'HPT-NOPE-AT-ALL' is not declared"),
        (("user_groups", 0, "users", 0), "user 'ann.le@harborpoint.example' is not declared "
                                         "in users.yaml: to offboard a trader, remove this "
                                         "reference too (or keep their block with `active: "
                                         f"false`); if it is a typo, did you mean '{ANN}'?"),
    ]


def test_parent_cycles_are_reported_once() -> None:
    issues = check(firm(accounts=[house("A", parent="C"), house("B", parent="A"),
                                  house("C", parent="B"), house("D", parent="D")]))
    assert [(i.path, i.message) for i in issues] == [
        (("accounts", 0, "parent"), "account parents form a cycle: A → C → B → A"),
        (("accounts", 3, "parent"), "account parents form a cycle: D → D"),
    ]


def test_a_link_is_declared_in_one_place_only() -> None:
    issues = check(firm(accounts=[house("HPT-PROP", users=[{"user": ANN}])],
                        users=[{"email": ANN, "accounts": [{"account": "hpt-prop"}]}]))
    assert len(issues) == 1
    assert issues[0].path == ("users", 0, "accounts", 0)
    assert issues[0].other == ("accounts", 0, "users", 0)
    assert "declare each account↔user link once" in issues[0].message


def test_a_limit_scope_appears_once_per_owner() -> None:
    row = {"market": "CME", "product": "ES", "max_order_qty": 5}
    issues = check(firm(accounts=[house("A", limits={"products": [row, {**row, "type": "option"},
                                                                  row]}),
                                  house("B", limits={"products": [row]})]))
    assert [(i.path, i.other) for i in issues] == [
        (("accounts", 0, "limits", "products", 2), ("accounts", 0, "limits", "products", 0))]
    assert issues[0].message == "a limit row for 'CME ES future' appears twice for the same owner"


def test_an_account_is_in_at_most_one_risk_group() -> None:
    issues = check(firm(accounts=[house("A")],
                        risk_groups=[{"name": "R1", "accounts": ["A"]},
                                     {"name": "R2", "accounts": ["a"]}]))
    assert [(i.path, i.other) for i in issues] == [
        (("risk_groups", 1, "accounts", 0), ("risk_groups", 0, "accounts", 0))]
    assert "in more than one risk group" in issues[0].message


def test_duplicate_margins_defaults_groups_and_members() -> None:
    margin = {"market": "CME", "product": "ES", "currency": "USD", "outright_margin": 1,
              "spread_margin": 0.5}
    default = {"market": "CME", "field": "Operator ID", "value": "X"}
    issues = check(firm(product_margins=[margin, {**margin, "currency": "EUR"}],
                        order_tag_defaults=[default, {**default, "value": "Y"}],
                        users=[{"email": ANN}],
                        user_groups=[{"name": "G", "users": [ANN, ANN.upper()]},
                                     {"name": "g"}]))
    assert [i.path for i in issues] == [
        ("order_tag_defaults", 1), ("product_margins", 1), ("user_groups", 0, "users", 1),
        ("user_groups", 1, "name")]


def test_an_inter_product_row_appears_once_per_owner_whatever_the_order_of_its_legs() -> None:
    zn, zb = {"market": "CME", "product": "ZN"}, {"market": "cme", "product": "zb"}
    rows = [{"legs": [zn, zb], "max_position": 5}, {"legs": [zb, zn]},
            {"legs": [zn, {**zb, "type": "option"}]}]
    issues = check(firm(accounts=[house("A", limits={"inter_product": rows})]))
    assert [(i.path, i.other) for i in issues] == [
        (("accounts", 0, "limits", "inter_product", 1),
         ("accounts", 0, "limits", "inter_product", 0))]
    assert issues[0].message.startswith(
        "a limit row for 'cme zb future / CME ZN future' appears twice for the same owner")


def test_touch_bands_and_market_impact_need_the_company_opt_in() -> None:
    account = house("A", risk_settings={"near_touch_ticks": 10, "far_touch_ticks": None,
                                        "market_impact_participation_percent": 5,
                                        "algo_max_updates_per_interval": 100})
    issues = check(firm(accounts=[account]))
    assert [(i.path, i.message.split(":")[0]) for i in issues] == [
        (("accounts", 0, "risk_settings", "far_touch_ticks"),
         "far_touch_ticks needs TT's company setting advanced_risk"),
        (("accounts", 0, "risk_settings", "market_impact_participation_percent"),
         "market_impact_participation_percent needs TT's company setting market_impact"),
        (("accounts", 0, "risk_settings", "near_touch_ticks"),
         "near_touch_ticks needs TT's company setting advanced_risk")]
    allowed = Firm.model_validate({"environment": {
        **ENVIRONMENT, "company_settings": {"advanced_risk": True, "market_impact": True}},
        "accounts": [account]})
    assert check(allowed) == []


def test_an_exchange_appears_once_in_a_users_exchange_access() -> None:
    user = {"email": ANN, "exchanges": [{"market": "CME"}, {"market": "ICE"},
                                        {"market": "cme", "trader_id": "X"}]}
    issues = check(firm(users=[user]))
    assert [(i.path, i.message) for i in issues] == [
        (("users", 0, "exchanges", 2), "exchange 'cme' appears twice in one user's exchange "
         "access (the other is written 'CME': names that differ only in case or Unicode "
         "form are the same name)")]
