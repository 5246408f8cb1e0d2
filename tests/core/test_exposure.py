"""Exposure annotations: each changed position or credit limit beside what the account (or
a risk group's accounts) holds now, with the headroom before and after the apply."""

from __future__ import annotations

import json
from typing import Any

from ttconfig.core.diff import diff
from ttconfig.core.exposure import Book, Exposure, Holding, annotate, needs, over_limits
from ttconfig.core.plan import Plan, build_plan
from ttconfig.core.state import State
from ttconfig.models import Kind
from ttconfig.models.accounts import Account
from ttconfig.models.groups import RiskGroup

ZN = ("cme", "zn", "future")
ZB = ("cme", "zb", "future")
CL = ("cme", "cl", "future")


def account(name: str, rows: list[dict[str, Any]] | None = None,
            credit: int | None = None, contracts: list[dict[str, Any]] | None = None,
            ) -> Account:
    data: dict[str, Any] = {"name": name, "type": "house",
                            "limits": {"products": rows or [], "contracts": contracts or []}}
    if credit is not None:
        data["risk_settings"] = {"credit_limit": credit}
    return Account.model_validate(data)


def row(product: str, **values: Any) -> dict[str, Any]:
    return {"market": "CME", "product": product, **values}


def planned(desired: dict[str, list[Any]], live: dict[str, list[Any]],
            ) -> tuple[Plan, State, State]:
    want, have = State(desired), State(live)
    plan = build_plan(diff(want, have, {}), environment="prod",
                      tt_environment="ext_prod_live")
    return plan, want, have


def test_a_tightening_below_the_position_is_a_breach_on_apply() -> None:
    plan, want, have = planned(
        {Kind.ACCOUNTS: [account("HPT-PROP-RATES", [row("ZN", max_position=5000)])]},
        {Kind.ACCOUNTS: [account("HPT-PROP-RATES", [row("ZN", max_position=10000)])]})
    book = Book(products={"hpt-prop-rates": {ZN: Holding(7200, 0, 0)}})
    [found] = annotate(plan, want, have, book).annotations
    assert (found.measure, found.exposure, found.before, found.after) == (
        "position", 7200, 2800, -2200)
    assert found.breach
    assert not found.already_over
    assert not found.derisking


def test_worst_case_adds_the_same_sides_working_orders_and_a_missing_side_says_so() -> None:
    plan, want, have = planned(
        {Kind.ACCOUNTS: [account("A", [row("ZN", max_long_position=7400,
                                            max_short_position=100)])]},
        {Kind.ACCOUNTS: [account("A", [row("ZN", max_long_position=9000,
                                            max_short_position=200)])]})
    worst = annotate(plan, want, have,
                     Book(products={"a": {ZN: Holding(7200, 300, 7250)}})).annotations
    by_field = {a.path[-1]: a for a in worst}
    assert by_field["max_long_position"].exposure == 7500, "long: position + working buys"
    assert by_field["max_short_position"].exposure == 50, "short: working sells beyond it"
    assert by_field["max_long_position"].breach
    assert not by_field["max_short_position"].breach
    only = annotate(plan, want, have,
                    Book(products={"a": {ZN: Holding(7200, None, None)}})).annotations
    assert all(a.position_only for a in only)
    assert {a.path[-1]: a.exposure for a in only} == {"max_long_position": 7200,
                                                       "max_short_position": 0}


def test_a_default_row_counts_the_product_nearest_its_limit_that_has_no_row_of_its_own(
        ) -> None:
    plan, want, have = planned(
        {Kind.ACCOUNTS: [account("A", [row("*", max_position=1000),
                                       row("ZN", max_position=9000)])]},
        {Kind.ACCOUNTS: [account("A", [row("*", max_position=5000),
                                       row("ZN", max_position=9000)])]})
    book = Book(products={"a": {ZN: Holding(8000), ZB: Holding(-1200), CL: Holding(300)}},
                symbols={ZB: "ZB", CL: "CL", ZN: "ZN"})
    [found] = annotate(plan, want, have, book).annotations
    assert (found.where, found.exposure, found.net) == ("ZB", 1200, -1200), \
        "ZN has its own row; ZB is the largest of the rest"
    assert found.breach


def test_a_risk_groups_rows_count_its_accounts_together_and_credit_sums_their_use() -> None:
    group = {"name": "Rates", "accounts": ["A", "B"]}
    plan, want, have = planned(
        {Kind.RISK_GROUPS: [RiskGroup.model_validate(
            {**group, "limits": {"products": [row("ZN", max_position=4000)]},
             "risk_settings": {"credit_limit": 1_000_000}})]},
        {Kind.RISK_GROUPS: [RiskGroup.model_validate(
            {**group, "limits": {"products": [row("ZN", max_position=15000)]},
             "risk_settings": {"credit_limit": 3_000_000}})]})
    book = Book(products={"a": {ZN: Holding(2500)}, "b": {ZN: Holding(1000)}},
                credit={"a": 600_000, "b": 500_000})
    assert needs(plan, want, have).positions == ("A", "B")
    by_field = {a.path[-1]: a for a in annotate(plan, want, have, book).annotations}
    assert by_field["max_position"].exposure == 3500
    assert not by_field["max_position"].breach
    assert by_field["credit_limit"].exposure == 1_100_000
    assert by_field["credit_limit"].breach


def test_only_the_accounts_whose_position_or_credit_limits_change_are_read() -> None:
    plan, want, have = planned(
        {Kind.ACCOUNTS: [account("A", [row("ZN", max_order_qty=10)]),
                         account("B", credit=5, contracts=[
                             row("ZN", contract="ZN Mar27", max_position=1)]),
                         account("C", [row("ZN", max_position=1)])]},
        {Kind.ACCOUNTS: [account("A", [row("ZN", max_order_qty=20)]),
                         account("B", credit=6, contracts=[
                             row("ZN", contract="ZN Mar27", max_position=2)]),
                         account("C", [row("ZN", max_position=1)])]})
    wanted = needs(plan, want, have)
    assert (wanted.positions, wanted.contracts, wanted.credit) == ((), ("B",), ("B",))
    assert wanted.requests == 2


def test_an_account_whose_read_failed_is_unknown_never_a_breach() -> None:
    plan, want, have = planned(
        {Kind.ACCOUNTS: [account("A", [row("ZN", max_position=0)])]},
        {Kind.ACCOUNTS: [account("A", [row("ZN", max_position=100)])]})
    [found] = annotate(plan, want, have, Book(unknown={"a": "HTTP 503"})).annotations
    assert found.unknown == "A: HTTP 503", "the account as the YAML names it"
    assert not found.breach
    assert found.exposure is None


def test_annotations_survive_a_saved_plan() -> None:
    plan, want, have = planned(
        {Kind.ACCOUNTS: [account("A", [row("ZN", max_position=0)])]},
        {Kind.ACCOUNTS: [account("A", [row("ZN", max_position=100)])]})
    exposure = annotate(plan, want, have, Book(products={"a": {ZN: Holding(40, 5, 0)}},
                                               requests=1))
    again = Exposure.from_data(exposure.to_data())
    assert again == exposure
    assert again.breaches[0].derisking


def test_over_limits_names_every_limit_a_position_is_over_now_and_only_those() -> None:
    live = State({Kind.ACCOUNTS: [
        account("HPT-CUST-CEDAR", [row("ES", max_position=250, max_short_position=150,
                                       max_long_position=200)]),
        account("HPT-PROP", [row("ES", max_position=4000)])]})
    es = ("cme", "es", "future")
    book = Book(products={"hpt-cust-cedar": {es: Holding(-280, 0, 0)},
                          "hpt-prop": {es: Holding(800, 0, 0)}})
    over = over_limits(live, book)
    assert [(a.key, a.path[-1], a.exposure) for a in over] == [
        ("HPT-CUST-CEDAR", "max_position", 280), ("HPT-CUST-CEDAR", "max_short_position", 280)]
    assert all(a.already_over and a.old == a.new for a in over)


def test_a_user_unlinked_from_an_account_with_working_orders_is_told_they_stay() -> None:
    def linked(*emails: str) -> Account:
        return Account.model_validate({"name": "HPT-PROP-RATES", "type": "house", "users": [
            {"user": email, "order_permissions": {"place_orders": True}}
            for email in emails]})
    plan, want, have = planned({Kind.ACCOUNTS: [linked("ann@x.example")]},
                               {Kind.ACCOUNTS: [linked("ann@x.example", "bob@x.example")]})
    assert needs(plan, want, have).positions == ("HPT-PROP-RATES",)
    book = Book(products={"hpt-prop-rates": {ZN: Holding(7200, 300, 0), ZB: Holding(-5)}},
                symbols={ZN: "ZN", ZB: "ZB"})
    [found] = annotate(plan, want, have, book).annotations
    assert (found.kind, found.measure, found.exposure, found.where, found.account) == (
        Kind.LINKS, "working", 300, "ZN 300 to buy", "HPT-PROP-RATES")
    assert not found.breach


def rates_group(*members: str) -> RiskGroup:
    return RiskGroup.model_validate({"name": "Rates", "accounts": list(members), "limits": {
        "products": [row("ZN", max_position=10000), row("ZB", max_position=5000)]}})


def test_an_account_joining_a_risk_group_counts_its_positions_against_the_groups_rows(
        ) -> None:
    """A join changes no limit, but the group's rows now count the joiner's positions: the
    plan says so under the membership, judged by the row it leaves least headroom."""
    plan, want, have = planned({Kind.RISK_GROUPS: [rates_group("A", "B")]},
                               {Kind.RISK_GROUPS: [rates_group("A")]})
    assert needs(plan, want, have).positions == ("A", "B")
    book = Book(products={"a": {ZN: Holding(6000, 0, 0), ZB: Holding(1000, 0, 0)},
                          "b": {ZN: Holding(5000, 500, 0)}})
    [found] = annotate(plan, want, have, book).annotations
    assert (found.kind, found.key, found.path) == (Kind.RISK_GROUPS, "Rates", ("accounts", "B"))
    assert found.limit_path == ("limits", "products", "CME ZN future", "max_position")
    assert (found.exposure_before, found.exposure, found.before, found.after) == (
        6000, 11500, 4000, -1500)
    assert found.breach, "the group is over its ZN limit once B's 5,000 (and 500 working) count"
    quiet = Book(products={"a": {ZN: Holding(6000, 0, 0)}, "b": {}})
    assert annotate(plan, want, have, quiet).annotations == (), "B holds nothing the rows limit"



def test_a_new_risk_groups_accounts_are_each_read_as_joining_it() -> None:
    plan, want, have = planned({Kind.RISK_GROUPS: [rates_group("A", "B")]}, {})
    book = Book(products={"a": {ZN: Holding(6000, 0, 0)}, "b": {ZN: Holding(5000, 500, 0)}})
    found = annotate(plan, want, have, book).annotations
    assert [(a.path, a.exposure, a.breach) for a in found] == [
        (("accounts", "A"), 11500, True), (("accounts", "B"), 11500, True)]


def test_a_joins_annotation_survives_a_plan_file() -> None:
    """A saved plan records the exposure it was reviewed with; apply compares it."""
    plan, want, have = planned({Kind.RISK_GROUPS: [rates_group("A", "B")]},
                               {Kind.RISK_GROUPS: [rates_group("A")]})
    book = Book(products={"a": {ZN: Holding(6000, 0, 0)}, "b": {ZN: Holding(5000, 500, 0)}})
    exposure = annotate(plan, want, have, book)
    assert Exposure.from_data(json.loads(json.dumps(exposure.to_data()))) == exposure
