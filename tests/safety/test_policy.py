"""The safety policy: each rule's outcome, the rule it names, and the object it names.

Plans are built as the CLI builds them: desired and live models → diff → build_plan →
evaluate, with a fixed `now` so windows are deterministic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest

from ttconfig.core.changes import ABSENT, FieldChange
from ttconfig.core.diff import diff
from ttconfig.core.plan import Plan, build_plan
from ttconfig.core.risk import is_high
from ttconfig.models.accounts import Account
from ttconfig.models.base import Model
from ttconfig.models.environment import Policy
from ttconfig.models.groups import RiskGroup
from ttconfig.models.users import User
from ttconfig.safety.policy import (
    Approval,
    Facts,
    Finding,
    Overrides,
    Stage,
    Verdict,
    admin_losses,
    evaluate,
)

Models = Mapping[str, Sequence[Model]]

BOT = "ttconfig.bot@harborpoint.example"
ANN = "ann.lee@harborpoint.example"
BOB = "bob.ray@harborpoint.example"
CAT = "cat.fox@harborpoint.example"
ES = {"market": "CME", "product": "ES"}
NQ = {"market": "CME", "product": "NQ"}
BRENT = {"market": "ICE", "product": "B"}
TUESDAY_6AM_CHICAGO = datetime(2026, 1, 6, 12, 0, tzinfo=UTC)
"""Outside a 08:00-09:00 Chicago weekday window (Chicago is UTC-6 in January)."""
TUESDAY_8_30_CHICAGO = datetime(2026, 1, 6, 14, 30, tzinfo=UTC)
NO_OVERRIDES = Overrides()
EVERY_OVERRIDE = Overrides(force=True, allow_loosening=True, outside_window=True,
                           reason="incident 42")
WINDOW = {"cron": "0 8 * * 1-5", "timezone": "America/Chicago", "minutes": 60}


def accounts(*items: dict[str, Any]) -> list[Account]:
    return [Account.model_validate({"type": "house", **item}) for item in items]


def users(*items: dict[str, Any]) -> list[User]:
    return [User.model_validate(item) for item in items]


def groups(*items: dict[str, Any]) -> list[RiskGroup]:
    return [RiskGroup.model_validate(item) for item in items]


def plan_for(desired: Models, live: Models, policy: Policy) -> Plan:
    prune = {str(kind): on for kind, on in policy.prune.items()}
    return build_plan(diff(desired, live, prune), environment="uat",
                      tt_environment="ext_uat_cert", high_percent=policy.high_loosening_percent)


def judge(desired: Models, live: Models, policy: dict[str, Any], *,
          overrides: Overrides = NO_OVERRIDES, stage: Stage = "apply",
          now: datetime = TUESDAY_6AM_CHICAGO, admins: frozenset[str] | None = None,
          families: dict[tuple[str, str, str], str] | None = None) -> Verdict:
    rules = Policy.model_validate(policy)
    plan = plan_for(desired, live, rules)
    assert not plan.empty, "each test plans at least one change"
    return evaluate(plan, rules, Facts(desired, live, now, admins, families or {}), overrides,
                    stage=stage)


def only(verdict: Verdict, rule: str) -> Finding:
    """The one finding of `rule` (a test about one rule expects exactly one)."""
    found = [f for f in verdict.findings if f.rule == rule]
    assert len(found) == 1, verdict.findings
    return found[0]


def rules(verdict: Verdict) -> set[str]:
    return {f.rule for f in verdict.findings}


# --- lockout ------------------------------------------------------------------------------

API_USER = {"protected": {"api_user": BOT}}


@pytest.mark.parametrize(("desired", "live", "what"), [
    ({"users": users({"email": BOT, "active": False})},
     {"users": users({"email": BOT, "active": True})}, "deactivated"),
    ({"users": users({"email": BOT, "settings": {"full_admin": False}})},
     {"users": users({"email": BOT, "active": True, "settings": {"full_admin": True}})},
     "loses full admin rights"),
    ({"accounts": accounts({"name": "HPT-ARB", "users": [{"user": ANN}]})},
     {"accounts": accounts({"name": "HPT-ARB", "users": [{"user": ANN}, {"user": BOT}]})},
     "unlinked from account HPT-ARB"),
], ids=["deactivated", "full-admin-taken", "unlinked"])
def test_the_api_user_is_never_locked_out_whatever_the_overrides(
        desired: Models, live: Models, what: str) -> None:
    verdict = judge(desired, live, API_USER, overrides=EVERY_OVERRIDE,
                    admins=frozenset({BOT, ANN}))
    finding = only(verdict, "lockout")
    assert verdict.refused
    assert finding.outcome == "refused"
    assert finding.override is None, "a lockout cannot be allowed"
    assert BOT in finding.message
    assert what in finding.message


def test_the_api_user_matches_whatever_its_case() -> None:
    verdict = judge({"users": users({"email": BOT.upper(), "active": False})},
                    {"users": users({"email": BOT.upper(), "active": True})}, API_USER)
    assert only(verdict, "lockout").outcome == "refused"


def test_another_user_may_be_deactivated_when_an_api_user_is_set() -> None:
    verdict = judge({"users": users({"email": ANN, "active": False})},
                    {"users": users({"email": ANN, "active": True})}, API_USER)
    assert "lockout" not in rules(verdict)
    assert not verdict.refused


def two_admins() -> dict[str, Sequence[Model]]:
    return {"users": users({"email": ANN, "active": True, "settings": {"full_admin": True}},
                           {"email": BOB, "active": True, "settings": {"full_admin": True}},
                           {"email": CAT, "active": True})}


ADMINS = frozenset({ANN, BOB})
MIN_TWO = {"protected": {"min_admins": 2}}


def test_min_admins_refuses_a_plan_that_leaves_too_few_full_admins() -> None:
    desired = {"users": users({"email": BOB, "settings": {"full_admin": False}})}
    verdict = judge(desired, two_admins(), MIN_TWO, overrides=EVERY_OVERRIDE, admins=ADMINS)
    finding = only(verdict, "lockout")
    assert (finding.outcome, finding.override) == ("refused", None)
    assert BOB in finding.message
    assert "leaves 1 active full admin" in finding.message
    assert "min_admins is 2" in finding.message


def test_min_admins_counts_a_deactivated_admin_as_lost() -> None:
    desired = {"users": users({"email": ANN, "active": False})}
    verdict = judge(desired, two_admins(), MIN_TWO, admins=ADMINS)
    assert ANN in only(verdict, "lockout").message


def test_losing_one_of_two_admins_is_allowed_when_one_is_enough() -> None:
    desired = {"users": users({"email": BOB, "settings": {"full_admin": False}})}
    verdict = judge(desired, two_admins(), {"protected": {"min_admins": 1}}, admins=ADMINS)
    assert "lockout" not in rules(verdict)


def test_an_admin_loss_is_refused_when_the_admins_were_not_counted() -> None:
    desired = {"users": users({"email": BOB, "settings": {"full_admin": False}})}
    verdict = judge(desired, two_admins(), {"protected": {"min_admins": 1}},
                    overrides=EVERY_OVERRIDE, admins=None)
    finding = only(verdict, "lockout")
    assert finding.outcome == "refused"
    assert "not counted" in finding.message


def test_granting_full_admin_to_another_user_keeps_the_count() -> None:
    desired = {"users": users({"email": BOB, "settings": {"full_admin": False}},
                              {"email": CAT, "settings": {"full_admin": True}})}
    verdict = judge(desired, two_admins(), MIN_TWO, admins=ADMINS)
    assert "lockout" not in rules(verdict)
    assert not verdict.refused


def test_granting_full_admin_to_an_inactive_user_does_not_keep_the_count() -> None:
    live = {"users": users({"email": ANN, "active": True, "settings": {"full_admin": True}},
                           {"email": BOB, "active": True, "settings": {"full_admin": True}},
                           {"email": CAT, "active": False, "settings": {"full_admin": False}})}
    desired = {"users": users({"email": BOB, "settings": {"full_admin": False}},
                              {"email": CAT, "settings": {"full_admin": True}})}
    verdict = judge(desired, live, MIN_TWO, admins=ADMINS)
    assert only(verdict, "lockout").outcome == "refused"


def test_admin_losses_are_the_folded_emails_of_admins_losing_rights_or_deactivated() -> None:
    live = {"users": users(
        {"email": "Ann.Lee@HarborPoint.example", "active": True,
         "settings": {"full_admin": True}},
        {"email": BOB, "active": True, "settings": {"full_admin": True}},
        {"email": CAT, "active": True})}
    desired = {"users": users({"email": "Ann.Lee@HarborPoint.example", "active": False},
                              {"email": "BOB.RAY@harborpoint.example",
                               "settings": {"full_admin": False}},
                              {"email": CAT, "active": False})}
    plan = plan_for(desired, live, Policy())
    assert admin_losses(plan, live) == {ANN, BOB}, "CAT was not an admin"


def test_no_admin_losses_for_a_plan_that_takes_nothing_away() -> None:
    live = two_admins()
    plan = plan_for({"users": users({"email": CAT, "first_name": "Cat"})}, live, Policy())
    assert admin_losses(plan, live) == set()


# --- protected objects --------------------------------------------------------------------

def unlinking(user: str) -> tuple[Models, Models]:
    return ({"accounts": accounts({"name": "HPT-ARB", "users": []})},
            {"accounts": accounts({"name": "HPT-ARB", "users": [{"user": user}]})})


def test_deleting_a_protected_account_is_refused() -> None:
    desired = {"accounts": accounts({"name": "HPT-MAIN"})}
    live = {"accounts": accounts({"name": "HPT-MAIN"}, {"name": "HPT-ARB"})}
    verdict = judge(desired, live, {"prune": {"accounts": True},
                                    "protected": {"accounts": ["hpt-arb"]}},
                    overrides=EVERY_OVERRIDE)
    finding = only(verdict, "protected")
    assert finding.outcome == "refused"
    assert "HPT-ARB" in finding.message
    assert "deleted" in finding.message
    assert finding.override is not None
    assert "environment.yaml" in finding.override


def test_deactivating_a_protected_user_by_prune_is_refused() -> None:
    verdict = judge({"users": users({"email": ANN})},
                    {"users": users({"email": ANN}, {"email": BOB, "active": True})},
                    {"prune": {"users": True}, "protected": {"users": [BOB]}},
                    overrides=EVERY_OVERRIDE)
    finding = only(verdict, "protected")
    assert finding.outcome == "refused"
    assert BOB in finding.message
    assert "deactivated" in finding.message
    assert "environment.yaml" in (finding.override or "")


def test_unlinking_a_protected_user_is_refused() -> None:
    desired, live = unlinking(BOB)
    verdict = judge(desired, live, {"protected": {"users": [BOB]}}, overrides=EVERY_OVERRIDE)
    finding = only(verdict, "protected")
    assert finding.outcome == "refused"
    assert BOB in finding.message
    assert "unlinked from account HPT-ARB" in finding.message


def test_unlinking_any_user_from_a_protected_account_is_refused() -> None:
    desired, live = unlinking(BOB)
    finding = only(judge(desired, live, {"protected": {"accounts": ["HPT-ARB"]}}),
                   "protected")
    assert finding.outcome == "refused"
    assert "HPT-ARB" in finding.message


@pytest.mark.parametrize(("desired", "live", "policy"), [
    ({"accounts": accounts({"name": "HPT-MAIN"})},
     {"accounts": accounts({"name": "HPT-MAIN"}, {"name": "HPT-ARB"})},
     {"prune": {"accounts": True}, "protected": {"accounts": ["HPT-MAIN"]}}),
    ({"users": users({"email": ANN})}, {"users": users({"email": ANN}, {"email": BOB})},
     {"prune": {"users": True}, "protected": {"users": [ANN]}}),
    (*unlinking(BOB), {"protected": {"users": [ANN], "accounts": ["HPT-MAIN"]}}),
], ids=["delete", "deactivate", "unlink"])
def test_the_same_changes_to_unprotected_objects_are_not_refused(
        desired: Models, live: Models, policy: dict[str, Any]) -> None:
    verdict = judge(desired, live, policy)
    assert "protected" not in rules(verdict)
    assert not verdict.refused


# --- bounds -------------------------------------------------------------------------------

CME_BOUND = {"bounds": [{"field": "max_order_qty", "max": 100, "market": "CME"}]}


def account_rows(*rows: dict[str, Any], name: str = "HPT-ARB") -> dict[str, Sequence[Model]]:
    return {"accounts": accounts({"name": name, "limits": {"products": list(rows)}})}


def test_a_loosening_above_the_bound_is_refused() -> None:
    verdict = judge(account_rows({**ES, "max_order_qty": 150}),
                    account_rows({**ES, "max_order_qty": 50}), CME_BOUND,
                    overrides=EVERY_OVERRIDE)
    finding = only(verdict, "bounds")
    assert finding.outcome == "refused"
    assert "HPT-ARB" in finding.message
    assert "CME ES future max_order_qty" in finding.message
    assert "would be 150, above the bound 100 for CME" in finding.message
    assert "environment.yaml" in (finding.override or "")


@pytest.mark.parametrize(("field", "bound", "old", "new"), [
    ("price_reasonability_percent", 5, 2.5, 7.5),
    ("non_matching_price_ticks", 80, 60, None),
    ("wholesale_max_order_qty", 1000, 500, 1500),
    ("max_orders_per_day", 20000, 10000, 25000),
])
def test_price_controls_and_other_row_limits_have_bounds_too(
        field: str, bound: int, old: Any, new: Any) -> None:
    verdict = judge(account_rows({**ES, field: new}), account_rows({**ES, field: old}),
                    {"bounds": [{"field": field, "max": bound}]}, overrides=EVERY_OVERRIDE)
    finding = only(verdict, "bounds")
    assert finding.outcome == "refused"
    assert f"CME ES future {field}" in finding.message


def test_a_new_row_above_the_bound_on_an_existing_account_is_refused() -> None:
    verdict = judge(account_rows({**NQ, "max_order_qty": 5}, {**ES, "max_order_qty": 101}),
                    account_rows({**NQ, "max_order_qty": 5}), CME_BOUND)
    finding = only(verdict, "bounds")
    assert finding.outcome == "refused"
    assert "CME ES future" in finding.message


def test_not_set_is_above_every_bound() -> None:
    verdict = judge(account_rows({**ES, "max_order_qty": None}),
                    account_rows({**ES, "max_order_qty": 50}), CME_BOUND)
    finding = only(verdict, "bounds")
    assert finding.outcome == "refused"
    assert "would be not set" in finding.message


def test_the_bound_itself_is_allowed() -> None:
    verdict = judge(account_rows({**ES, "max_order_qty": 100}),
                    account_rows({**ES, "max_order_qty": 50}), CME_BOUND)
    assert "bounds" not in rules(verdict)


def test_lowering_a_value_that_stays_above_the_bound_is_a_warning() -> None:
    verdict = judge(account_rows({**ES, "max_order_qty": 300}),
                    account_rows({**ES, "max_order_qty": 500}), CME_BOUND)
    finding = only(verdict, "bounds")
    assert finding.outcome == "warning"
    assert "lowered to 300 but stays above the bound 100" in finding.message
    assert not verdict.refused


def test_setting_a_value_above_the_bound_where_none_was_set_is_a_warning() -> None:
    verdict = judge(account_rows({**ES, "max_order_qty": 300}),
                    account_rows({**ES, "max_order_qty": None}), CME_BOUND)
    assert only(verdict, "bounds").outcome == "warning"


def test_a_value_above_the_bound_the_plan_leaves_alone_is_a_warning() -> None:
    verdict = judge(account_rows({**ES, "max_order_qty": 500}, {**NQ, "max_order_qty": 1}),
                    account_rows({**ES, "max_order_qty": 500}, {**NQ, "max_order_qty": 2}),
                    CME_BOUND)
    finding = only(verdict, "bounds")
    assert finding.outcome == "warning"
    assert "is 500 in TT" in finding.message
    assert "does not change it" in finding.message
    assert not verdict.refused


def test_a_bound_for_one_market_does_not_apply_to_another() -> None:
    verdict = judge(account_rows({**BRENT, "max_order_qty": 5000}),
                    account_rows({**BRENT, "max_order_qty": 50}), CME_BOUND)
    assert "bounds" not in rules(verdict)


def test_a_bound_for_one_product_does_not_apply_to_another() -> None:
    bound = {"bounds": [{"field": "max_order_qty", "max": 100, "market": "CME",
                         "product": "ES"}]}
    verdict = judge(account_rows({**NQ, "max_order_qty": 5000}),
                    account_rows({**NQ, "max_order_qty": 50}), bound)
    assert "bounds" not in rules(verdict)


def test_a_bound_for_another_field_does_not_apply() -> None:
    bound = {"bounds": [{"field": "max_position", "max": 10}]}
    verdict = judge(account_rows({**ES, "max_order_qty": 5000}),
                    account_rows({**ES, "max_order_qty": 50}), bound)
    assert "bounds" not in rules(verdict)


def test_the_market_of_a_bound_matches_whatever_its_case() -> None:
    bound = {"bounds": [{"field": "max_order_qty", "max": 100, "market": "cme"}]}
    verdict = judge(account_rows({**ES, "max_order_qty": 150}),
                    account_rows({**ES, "max_order_qty": 50}), bound)
    assert only(verdict, "bounds").outcome == "refused"


def test_bounds_apply_to_risk_group_rows() -> None:
    desired = {"risk_groups": groups({"name": "Energy", "limits": {"products": [
        {**ES, "max_order_qty": 150}]}})}
    live = {"risk_groups": groups({"name": "Energy", "limits": {"products": [
        {**ES, "max_order_qty": 50}]}})}
    finding = only(judge(desired, live, CME_BOUND), "bounds")
    assert finding.outcome == "refused"
    assert "risk group Energy" in finding.message


# --- coverage -----------------------------------------------------------------------------

IN_A_GROUP = {"coverage": {"trading_accounts_in_a_risk_group": True}}
ROW_FOR_PRODUCTS = {"coverage": {"limit_row_for_traded_products": True}}


def trader(place_orders: bool, **account: Any) -> dict[str, Any]:
    return {"name": "HPT-ARB", "users": [
        {"user": ANN, "order_permissions": {"place_orders": place_orders}}], **account}


def test_a_plan_that_lets_an_ungrouped_account_trade_is_refused() -> None:
    verdict = judge({"accounts": accounts(trader(True))},
                    {"accounts": accounts(trader(False))}, IN_A_GROUP,
                    overrides=EVERY_OVERRIDE)
    finding = only(verdict, "coverage")
    assert finding.outcome == "refused"
    assert "HPT-ARB" in finding.message
    assert "no risk group" in finding.message
    assert "environment.yaml" in (finding.override or "")


def test_an_ungrouped_trading_account_already_so_in_tt_is_a_warning() -> None:
    verdict = judge({"accounts": accounts(trader(True, description="arb desk"))},
                    {"accounts": accounts(trader(True, description="old"))}, IN_A_GROUP)
    finding = only(verdict, "coverage")
    assert finding.outcome == "warning"
    assert "HPT-ARB" in finding.message
    assert "already so in TT" in finding.message
    assert not verdict.refused


def test_an_account_that_may_not_place_orders_is_not_a_trading_account() -> None:
    restricted = {"restrictions": {"place_orders": False}}
    verdict = judge({"accounts": accounts(trader(True, **restricted))},
                    {"accounts": accounts(trader(False, **restricted))}, IN_A_GROUP)
    assert "coverage" not in rules(verdict)


def test_a_trading_account_in_a_risk_group_is_covered() -> None:
    verdict = judge({"accounts": accounts(trader(True)),
                     "risk_groups": groups({"name": "Energy", "accounts": ["hpt-arb"]})},
                    {"accounts": accounts(trader(False)),
                     "risk_groups": groups({"name": "Energy", "accounts": ["HPT-ARB"]})},
                    IN_A_GROUP)
    assert "coverage" not in rules(verdict)


def test_leaving_its_risk_group_while_trading_is_refused() -> None:
    verdict = judge({"accounts": accounts(trader(True)),
                     "risk_groups": groups({"name": "Energy", "accounts": []})},
                    {"accounts": accounts(trader(True)),
                     "risk_groups": groups({"name": "Energy", "accounts": ["HPT-ARB"]})},
                    IN_A_GROUP)
    assert only(verdict, "coverage").outcome == "refused"


def energy(*rows: dict[str, Any]) -> list[RiskGroup]:
    return groups({"name": "Energy", "accounts": ["HPT-ARB"],
                   "limits": {"products": list(rows)}})


def test_a_product_the_risk_group_starts_allowing_needs_an_account_row() -> None:
    verdict = judge({"accounts": accounts(trader(True)),
                     "risk_groups": energy({**ES, "trading_allowed": True})},
                    {"accounts": accounts(trader(True)), "risk_groups": energy()},
                    ROW_FOR_PRODUCTS)
    finding = only(verdict, "coverage")
    assert finding.outcome == "refused"
    assert "HPT-ARB" in finding.message
    assert "CME ES future" in finding.message
    assert "risk group Energy allows it" in finding.message


def test_an_account_with_its_own_row_for_the_product_is_covered() -> None:
    own = {"limits": {"products": [{**ES, "max_order_qty": 10}]}}
    verdict = judge({"accounts": accounts(trader(True, **own)),
                     "risk_groups": energy({**ES, "trading_allowed": True})},
                    {"accounts": accounts(trader(True, **own)), "risk_groups": energy()},
                    ROW_FOR_PRODUCTS)
    assert "coverage" not in rules(verdict)


@pytest.mark.parametrize(("default", "covered"), [
    ({"market": "CME", "type": "future"}, True),
    ({"market": "CME", "product": "*", "type": "option"}, False),
    ({"market": "ICE", "product": "*"}, False),
])
def test_a_default_row_covers_the_products_of_its_market_and_type(
        default: dict[str, Any], covered: bool) -> None:
    own = {"limits": {"products": [{**default, "max_order_qty": 10}]}}
    verdict = judge({"accounts": accounts(trader(True, **own)),
                     "risk_groups": energy({**ES, "trading_allowed": True})},
                    {"accounts": accounts(trader(True, **own)), "risk_groups": energy()},
                    ROW_FOR_PRODUCTS)
    assert ("coverage" not in rules(verdict)) is covered


@pytest.mark.parametrize(("family", "known", "covered"), [
    ("Equity Index", True, True),
    ("equity index", True, True),
    ("Energy", True, False),
    ("Equity Index", False, False),
])
def test_a_family_row_covers_the_products_tt_lists_in_its_family(
        family: str, known: bool, covered: bool) -> None:
    """ES is in CME's Equity Index family when TT's families were read (`known`); a family
    row never covers a product whose family ttconfig does not know."""
    own = {"limits": {"products": [{"market": "CME", "family": family, "max_order_qty": 10}]}}
    verdict = judge({"accounts": accounts(trader(True, **own)),
                     "risk_groups": energy({**ES, "trading_allowed": True})},
                    {"accounts": accounts(trader(True, **own)), "risk_groups": energy()},
                    ROW_FOR_PRODUCTS,
                    families={("cme", "es", "future"): "equity index"} if known else None)
    assert ("coverage" not in rules(verdict)) is covered


def test_a_product_the_risk_group_forbids_needs_no_row() -> None:
    verdict = judge({"accounts": accounts(trader(True)),
                     "risk_groups": energy({**ES, "trading_allowed": False})},
                    {"accounts": accounts(trader(True)), "risk_groups": energy()},
                    ROW_FOR_PRODUCTS)
    assert "coverage" not in rules(verdict)


# --- thresholds ---------------------------------------------------------------------------

def new_accounts(count: int) -> dict[str, Sequence[Model]]:
    return {"accounts": accounts(*({"name": f"NEW-{i}"} for i in range(count)))}


@pytest.mark.parametrize(("count", "refused"), [(2, False), (3, True)])
def test_max_creates_at_its_boundary(count: int, refused: bool) -> None:
    verdict = judge(new_accounts(count), {"accounts": []},
                    {"thresholds": {"accounts": {"max_creates": 2}}})
    assert verdict.refused is refused
    if refused:
        finding = only(verdict, "thresholds")
        assert finding.outcome == "refused"
        assert "3 accounts creates: more than max_creates 2" in finding.message
        assert "policy.thresholds.accounts" in finding.message
    else:
        assert "thresholds" not in rules(verdict)


def described(count: int, text: str) -> dict[str, Sequence[Model]]:
    return {"accounts": accounts(*({"name": f"A{i}", "description": text}
                                   for i in range(count)))}


@pytest.mark.parametrize(("count", "refused"), [(2, False), (3, True)])
def test_max_updates_at_its_boundary(count: int, refused: bool) -> None:
    verdict = judge(described(count, "new"), described(5, "old"),
                    {"thresholds": {"accounts": {"max_updates": 2}}})
    assert verdict.refused is refused
    assert ("thresholds" in rules(verdict)) is refused


@pytest.mark.parametrize(("kept", "refused"), [(3, False), (2, True)])
def test_max_deletes_at_its_boundary(kept: int, refused: bool) -> None:
    verdict = judge(described(kept, "same"), described(5, "same"),
                    {"prune": {"accounts": True},
                     "thresholds": {"accounts": {"max_deletes": 2}}})
    assert verdict.refused is refused
    if refused:
        assert "3 accounts deletes" in only(verdict, "thresholds").message


def test_deactivations_count_as_deletes() -> None:
    verdict = judge({"users": users({"email": ANN})},
                    {"users": users({"email": ANN}, {"email": BOB}, {"email": CAT})},
                    {"prune": {"users": True}, "thresholds": {"users": {"max_deletes": 1}}})
    assert "2 users deletes: more than max_deletes 1" in only(verdict, "thresholds").message


@pytest.mark.parametrize(("percent", "refused"), [(30, True), (34, False)])
def test_max_percent_is_a_share_of_the_live_objects(percent: float, refused: bool) -> None:
    verdict = judge(described(1, "new"), described(3, "old"),
                    {"thresholds": {"accounts": {"max_percent": percent}}})
    assert verdict.refused is refused
    if refused:
        message = only(verdict, "thresholds").message
        assert "33% of 3 in TT, more than max_percent 30%" in message


@pytest.mark.parametrize(("percent", "refused"), [(50, False), (49, True)])
def test_max_percent_in_a_small_set(percent: float, refused: bool) -> None:
    verdict = judge(described(1, "new"), described(2, "old"),
                    {"thresholds": {"accounts": {"max_percent": percent}}})
    assert verdict.refused is refused


def test_links_are_counted_apart_from_accounts() -> None:
    desired = {"accounts": accounts({"name": "HPT-ARB", "users": [
        {"user": ANN}, {"user": BOB}, {"user": CAT}]})}
    live = {"accounts": accounts({"name": "HPT-ARB", "users": [{"user": ANN}]})}
    verdict = judge(desired, live, {"thresholds": {"accounts": {"max_updates": 0},
                                                   "links": {"max_creates": 1}}})
    finding = only(verdict, "thresholds")
    assert "2 links creates: more than max_creates 1 (policy.thresholds.links)" \
        in finding.message


def test_max_percent_of_links_is_a_share_of_the_live_links() -> None:
    desired = {"accounts": accounts({"name": "HPT-ARB", "users": [{"user": ANN}]})}
    live = {"accounts": accounts({"name": "HPT-ARB", "users": [
        {"user": ANN}, {"user": BOB}, {"user": CAT}, {"user": BOT}]})}
    verdict = judge(desired, live, {"thresholds": {"links": {"max_percent": 50}}})
    assert "75% of 4 in TT" in only(verdict, "thresholds").message


def test_force_overrides_thresholds_and_is_recorded() -> None:
    verdict = judge(new_accounts(3), {"accounts": []},
                    {"thresholds": {"accounts": {"max_creates": 2}}},
                    overrides=Overrides(force=True))
    finding = only(verdict, "thresholds")
    assert finding.outcome == "overridden"
    assert "--force" in (finding.override or "")
    assert not verdict.refused


# --- loosening approval -------------------------------------------------------------------

APPROVAL = {"require_loosening_approval": True}
LOOSER = (account_rows({**ES, "max_order_qty": 20}), account_rows({**ES, "max_order_qty": 10}))
TIGHTER = (account_rows({**ES, "max_order_qty": 5}), account_rows({**ES, "max_order_qty": 10}))


def test_loosening_without_approval_is_refused_at_apply() -> None:
    verdict = judge(*LOOSER, APPROVAL, overrides=Overrides(force=True, outside_window=True))
    finding = only(verdict, "loosening")
    assert finding.outcome == "refused"
    assert "1 loosening field change," in finding.message
    assert "--allow-loosening" in (finding.override or "")


def test_allow_loosening_overrides_it() -> None:
    finding = only(judge(*LOOSER, APPROVAL, overrides=Overrides(allow_loosening=True)),
                   "loosening")
    assert finding.outcome == "overridden"
    assert "--allow-loosening" in finding.message


def approved(plan_checksum: str) -> Overrides:
    return Overrides(approval=Approval(plan=plan_checksum, approved_by="risk.officer",
                                       approved_at="2026-01-06T10:00:00+00:00"))


def test_an_approval_of_this_plan_overrides_it_and_names_the_approver() -> None:
    policy = Policy.model_validate(APPROVAL)
    plan = plan_for(*LOOSER, policy)
    verdict = evaluate(plan, policy, Facts(*LOOSER, TUESDAY_6AM_CHICAGO),
                       approved(plan.checksum()))
    finding = only(verdict, "loosening")
    assert finding.outcome == "overridden"
    assert "approved by risk.officer at 2026-01-06T10:00:00+00:00" in finding.message
    assert not verdict.refused


def test_an_approval_of_another_plan_is_refused() -> None:
    policy = Policy.model_validate(APPROVAL)
    plan = plan_for(*LOOSER, policy)
    other = plan_for(account_rows({**ES, "max_order_qty": 30}),
                     account_rows({**ES, "max_order_qty": 10}), policy)
    assert other.checksum() != plan.checksum()
    verdict = evaluate(plan, policy, Facts(*LOOSER, TUESDAY_6AM_CHICAGO),
                       approved(other.checksum()))
    finding = only(verdict, "loosening")
    assert finding.outcome == "refused"
    assert "the plan changed since it was approved" in finding.message
    assert verdict.refused


def test_at_plan_stage_loosening_needs_an_approval() -> None:
    verdict = judge(*LOOSER, APPROVAL, stage="plan")
    finding = only(verdict, "loosening")
    assert finding.outcome == "needed"
    assert not verdict.refused


def test_a_tightening_plan_needs_no_approval() -> None:
    verdict = judge(*TIGHTER, APPROVAL)
    assert "loosening" not in rules(verdict)
    assert not verdict.refused


def test_without_the_rule_loosening_needs_no_approval() -> None:
    assert "loosening" not in rules(judge(*LOOSER, {}))


def test_a_high_loosening_is_counted_in_the_approval_message() -> None:
    verdict = judge(account_rows({**ES, "max_order_qty": None}),
                    account_rows({**ES, "max_order_qty": 10}), APPROVAL)
    assert "1 HIGH" in only(verdict, "loosening").message


# --- change windows -----------------------------------------------------------------------

WINDOWS = {"change_windows": [WINDOW]}


def test_loosening_outside_every_window_is_refused_and_names_the_next_opening() -> None:
    verdict = judge(*LOOSER, WINDOWS, overrides=Overrides(force=True, allow_loosening=True))
    finding = only(verdict, "change_window")
    assert finding.outcome == "refused"
    assert "the next opens 2026-01-06T08:00:00-06:00" in finding.message
    assert "'0 8 * * 1-5' America/Chicago for 60 min" in finding.message
    assert "--allow-outside-window" in (finding.override or "")


def test_on_a_friday_evening_the_next_opening_is_monday() -> None:
    friday_evening = datetime(2026, 1, 9, 23, 0, tzinfo=UTC)
    verdict = judge(*LOOSER, WINDOWS, now=friday_evening)
    assert "the next opens 2026-01-12T08:00:00-06:00" in only(verdict, "change_window").message


def test_loosening_inside_a_window_is_allowed() -> None:
    verdict = judge(*LOOSER, WINDOWS, now=TUESDAY_8_30_CHICAGO)
    assert "change_window" not in rules(verdict)
    assert not verdict.refused


def test_allow_outside_window_overrides_it() -> None:
    verdict = judge(*LOOSER, WINDOWS, overrides=Overrides(outside_window=True))
    finding = only(verdict, "change_window")
    assert finding.outcome == "overridden"
    assert not verdict.refused


def test_tightening_is_never_held_back_by_windows() -> None:
    verdict = judge(*TIGHTER, WINDOWS)
    assert "change_window" not in rules(verdict)
    assert not verdict.refused


def test_at_plan_stage_a_window_is_needed() -> None:
    finding = only(judge(*LOOSER, WINDOWS, stage="plan"), "change_window")
    assert finding.outcome == "needed"
    assert "the next opens 2026-01-06T08:00:00-06:00" in finding.message


def test_at_plan_stage_inside_a_window_the_plan_says_it_is_open_now() -> None:
    finding = only(judge(*LOOSER, WINDOWS, stage="plan", now=TUESDAY_8_30_CHICAGO),
                   "change_window")
    assert finding.outcome == "needed"
    assert "open now ('0 8 * * 1-5' America/Chicago for 60 min)" in finding.message


def test_refusals_come_first() -> None:
    verdict = judge(*LOOSER, {**WINDOWS, **APPROVAL},
                    overrides=Overrides(allow_loosening=True))
    assert [f.outcome for f in verdict.findings] == ["refused", "overridden"]
    assert [f.rule for f in verdict.findings] == ["change_window", "loosening"]
    assert verdict.to_data()["refused"] is True


# --- HIGH ---------------------------------------------------------------------------------

QTY = ("limits", "products", "CME ES future", "max_order_qty")
MARGIN = ("outright_margin",)


@pytest.mark.parametrize(("path", "old", "new", "high"), [
    (QTY, 100, 151, True),
    (QTY, 100, 150, False),
    (QTY, 100, None, True),
    (QTY, 100, ABSENT, True),
    (QTY, ABSENT, 1_000_000, False),
    (QTY, 100, 10, False),
    (QTY, 100, 1, False),
    (MARGIN, 1000, 400, True),
    (MARGIN, 1000, 500, False),
    (MARGIN, 1000, 5000, False),
    (("settings", "full_admin"), False, True, False),
], ids=["up-51%", "up-50%", "to-not-set", "row-removed", "new-row", "down-90%", "down-99%",
        "margin-down-60%", "margin-down-50%", "margin-up", "grant"])
def test_is_high(path: tuple[str, ...], old: object, new: object, high: bool) -> None:
    assert is_high(path, old, new, 50.0) is high


def test_a_plan_marks_and_counts_high_loosenings() -> None:
    desired = account_rows({**ES, "max_order_qty": 151}, {**NQ, "max_order_qty": 150},
                           {"market": "CME", "product": "CL", "max_order_qty": None},
                           {"market": "CME", "product": "ZN", "max_order_qty": 1})
    live = account_rows({**ES, "max_order_qty": 100}, {**NQ, "max_order_qty": 100},
                        {"market": "CME", "product": "CL", "max_order_qty": 100},
                        {"market": "CME", "product": "ZN", "max_order_qty": 100},
                        {"market": "CME", "product": "GC", "trading_allowed": True,
                         "max_order_qty": 10, "max_position": 20})
    plan = plan_for(desired, live, Policy())
    marks = {".".join(f.path[2:]): plan.is_high(f) for c in plan.changes for f in c.fields}
    assert marks == {
        "CME ES future.max_order_qty": True,
        "CME NQ future.max_order_qty": False,
        "CME CL future.max_order_qty": True,
        "CME ZN future.max_order_qty": False,
        "CME GC future.trading_allowed": False,
        "CME GC future.max_order_qty": True,
        "CME GC future.max_position": True,
    }
    assert plan.summary.high == 4
    fields = plan.to_data()["changes"][0]["fields"]
    assert [f["high"] for f in fields] == list(marks.values())


def test_the_plans_high_percent_comes_from_the_policy() -> None:
    looser = (account_rows({**ES, "max_order_qty": 130}),
              account_rows({**ES, "max_order_qty": 100}))
    assert plan_for(*looser, Policy()).summary.high == 0
    strict = plan_for(*looser, Policy.model_validate({"high_loosening_percent": 25}))
    assert strict.summary.high == 1
    assert strict.to_data()["high_loosening_percent"] == 25


def test_a_plan_field_change_is_high_as_risk_says() -> None:
    plan = plan_for(*LOOSER, Policy())
    change = FieldChange(QTY, 10, 16, "loosening")
    assert plan.is_high(change) is True
    assert plan.is_high(FieldChange(QTY, 10, 15, "loosening")) is False


def spread_rows(*rows: dict[str, Any]) -> dict[str, Sequence[Model]]:
    return {"accounts": accounts({"name": "HPT-ARB", "limits": {"inter_product": list(rows)}})}


ES_NQ = {"legs": [{"market": "CME", "product": "ES"}, {"market": "CME", "product": "NQ"}]}


def test_a_bound_applies_to_an_inter_product_row_with_a_leg_in_its_scope() -> None:
    verdict = judge(spread_rows({**ES_NQ, "max_order_qty": 150}),
                    spread_rows({**ES_NQ, "max_order_qty": 50}),
                    {"bounds": [{"field": "max_order_qty", "max": 100, "market": "CME",
                                 "product": "NQ"}]}, overrides=EVERY_OVERRIDE)
    finding = only(verdict, "bounds")
    assert finding.outcome == "refused"
    assert "CME ES future / CME NQ future max_order_qty would be 150" in finding.message


def test_a_bound_for_another_product_does_not_apply_to_an_inter_product_row() -> None:
    verdict = judge(spread_rows({**ES_NQ, "max_order_qty": 150}),
                    spread_rows({**ES_NQ, "max_order_qty": 50}),
                    {"bounds": [{"field": "max_order_qty", "max": 100, "market": "CME",
                                 "product": "ZN"}]})
    assert "bounds" not in rules(verdict)
