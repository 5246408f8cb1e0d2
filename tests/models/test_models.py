"""The desired-state models: strict types, unknown keys refused, unset apart from null."""

from __future__ import annotations

import re
from typing import Any

import pytest
from pydantic import ValidationError

from ttconfig.models.accounts import Account
from ttconfig.models.base import as_imported
from ttconfig.models.environment import EnvironmentConfig
from ttconfig.models.limits import ContractLimit, Limits, ProductLimit
from ttconfig.models.setup import OrderTagDefault, ProductMargin
from ttconfig.models.users import User


def errors(model: type[Any], data: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return [(tuple(e["loc"]), e["type"]) for e in caught.value.errors()]


ROW = {"market": "CME", "product": "ES"}


@pytest.mark.parametrize(("field", "value", "kind"), [
    ("max_order_qty", "5", "int_type"),
    ("max_order_qty", True, "int_type"),
    ("max_order_qty", 5.0, "int_type"),
    ("max_order_qty", -1, "greater_than_equal"),
    ("trading_allowed", 1, "bool_type"),
    ("trading_allowed", "yes", "bool_type"),
    ("type", "futures", "literal_error"),
])
def test_limit_values_are_never_coerced(field: str, value: object, kind: str) -> None:
    assert errors(ProductLimit, {**ROW, field: value}) == [((field,), kind)]


def test_unknown_keys_are_refused() -> None:
    assert errors(ProductLimit, {**ROW, "max_qty": 5}) == [(("max_qty",), "extra_forbidden")]


def test_null_is_not_set_and_absent_is_not_managed() -> None:
    row = ProductLimit.model_validate({**ROW, "max_order_qty": None, "max_position": 0})
    assert row.max_order_qty is None
    assert row.max_position == 0
    assert "max_order_qty" in row.managed()
    assert "max_position" in row.managed()
    assert "max_long_position" not in row.managed()


def test_an_account_in_users_words() -> None:
    account = Account.model_validate({
        "name": "HPT-PROP-RATES", "type": "house", "parent": "HPT-PROP",
        "risk_settings": {"credit_limit": 25_000_000, "currency": "USD"},
        "restrictions": {"place_orders": True, "obo": False},
        "limits": {"apply": True,
                   "products": [{**ROW, "max_order_qty": 100}],
                   "contracts": [{**ROW, "contract": "ES Dec26", "max_position": None}]},
        "users": [{"user": "ann.lee@harborpoint.example",
                   "order_permissions": {"place_orders": True}}],
    })
    assert account.limits is not None
    assert account.limits.contracts[0].scope() == ("CME", "ES", "future", "ES Dec26")
    assert account.users[0].order_permissions is not None


@pytest.mark.parametrize(("data", "where"), [
    ({"risk_settings": {"currency": "usd"}}, ("risk_settings", "currency")),
    ({"risk_settings": {"currency": "XYZ"}}, ("risk_settings", "currency")),
    ({"risk_settings": {"credit_limit": -5}}, ("risk_settings", "credit_limit")),
    ({"risk_settings": {"credit_limit": float("inf")}}, ("risk_settings", "credit_limit")),
    # an int beyond a float's range escaped pydantic's inf check as OverflowError (fuzz suite)
    ({"risk_settings": {"credit_limit": 10**400}}, ("risk_settings", "credit_limit")),
    ({"name": " HPT"}, ("name",)),
    ({"name": ""}, ("name",)),
    ({"type": "prop"}, ("type",)),
    ({"users": [{"user": "not-an-email"}]}, ("users", 0, "user")),
])
def test_values_outside_tt_ranges_are_refused(data: dict[str, Any],
                                              where: tuple[str | int, ...]) -> None:
    base = {"name": "HPT", "type": "house"}
    found = errors(Account, {**base, **data})
    assert all(loc[:len(where)] == where for loc, _ in found), found


def test_users_have_trade_modes_in_words() -> None:
    user = User.model_validate({"email": "a@b.example", "trade_mode": "pro", "active": False})
    assert user.trade_mode == "pro"
    assert errors(User, {"email": "a@b.example", "trade_mode": 3}) == [
        (("trade_mode",), "literal_error")]


def test_margins_need_currency_and_both_margins() -> None:
    found = errors(ProductMargin, {"market": "CME", "product": "ES"})
    assert sorted(loc for loc, _ in found) == [("currency",), ("outright_margin",),
                                               ("spread_margin",)]


def test_a_long_wrong_currency_is_repeated_cut_to_one_line() -> None:
    margin = {"market": "CME", "product": "ES", "currency": "X" * 5000, "outright_margin": 1,
              "spread_margin": 1}
    with pytest.raises(ValidationError) as caught:
        ProductMargin.model_validate(margin)
    assert [e["msg"] for e in caught.value.errors()] == [
        f"Value error, {'X' * 20!r}… is not an ISO 4217 currency code"]


def test_environment_names_credential_variables_never_values() -> None:
    config = EnvironmentConfig.model_validate({
        "tt_environment": "ext_uat_cert", "company": "Harbor Point Trading",
        "credentials": {"app_key_env": "TT_UAT_APP_KEY", "app_secret_env": "TT_UAT_APP_SECRET"},
        "usage_plan": "free",
        "policy": {"prune": {"accounts": True}, "thresholds": {"users": {"max_deletes": 2}},
                   "protected": {"users": ["ttconfig-api@harborpoint.example"], "min_admins": 2},
                   "bounds": [{"field": "max_order_qty", "max": 500, "market": "CME"}]},
    })
    assert config.policy.protected.min_admins == 2
    bad = {"tt_environment": "ext_uat_cert", "company": "X", "usage_plan": "free",
           "credentials": {"app_key_env": "8b1e-key-value", "app_secret_env": "S"}}
    assert errors(EnvironmentConfig, bad) == [(("credentials", "app_key_env"), "value_error")]


@pytest.mark.parametrize(("value", "kind"), [
    (101, "less_than_equal"), (-0.5, "greater_than_equal"), ("5", "int_type"),
    (True, "int_type"),
])
def test_a_price_band_is_a_percentage_from_0_to_100(value: object, kind: str) -> None:
    found = errors(ProductLimit, {**ROW, "price_reasonability_percent": value})
    assert found[0] == ((("price_reasonability_percent",) if kind != "int_type"
                         else ("price_reasonability_percent", "int")), kind)
    assert ProductLimit.model_validate({**ROW, "price_reasonability_percent": 2.5})


def test_import_writes_quiet_fields_only_where_tt_holds_another_value() -> None:
    row = {**ROW, "type": "future", "max_order_qty": 10, "trading_allowed": True,
           "price_reasonability_percent": None, "reject_without_market_data": False,
           "apply_wholesale_limits": True, "wholesale_max_order_qty": 0}
    account = Account.model_validate({
        "name": "A", "type": "house",
        "risk_settings": {"credit_limit": None, "check_credit": False,
                          "position_reset_time": None,
                          "credit_loss_actions": {"delete_orders_at_percent": None}},
        "limits": {"apply": True, "products": [row]}})
    assert as_imported(account) == {
        "name": "A", "type": "house",
        "risk_settings": {"credit_limit": None, "check_credit": False},
        "limits": {"apply": True, "products": [{
            **ROW, "type": "future", "max_order_qty": 10, "trading_allowed": True,
            "apply_wholesale_limits": True, "wholesale_max_order_qty": 0}]}}
    actions = {"close_positions_at_percent": 100}
    kept = Account.model_validate({"name": "A", "type": "house", "risk_settings": {
        "position_reset_time": "17:00", "credit_loss_actions": actions}})
    assert as_imported(kept)["risk_settings"] == {"position_reset_time": "17:00",
                                                  "credit_loss_actions": actions}


def test_a_row_without_a_product_is_the_default_row_of_its_market_and_type() -> None:
    left_out = ProductLimit.model_validate({"market": "CME", "max_order_qty": 5})
    star = ProductLimit.model_validate({"market": "CME", "product": "*", "max_order_qty": 5})
    assert left_out.is_default
    assert left_out.declared() == star.declared()
    assert left_out.scope() == ("CME", "*", "future")
    assert errors(ContractLimit, {"market": "CME", "contract": "ES Dec26"}) == [
        ((), "value_error")]


@pytest.mark.parametrize("zone", ["Mars/Olympus", "x" * 300, "../../etc/passwd"])
def test_a_time_zone_that_is_no_iana_zone_is_a_validation_error(zone: str) -> None:
    window = {"cron": "0 7 * * 1-5", "timezone": zone, "minutes": 60}
    with pytest.raises(ValidationError, match="not an IANA time zone"):
        EnvironmentConfig.model_validate({
            "tt_environment": "ext_uat_cert", "company": "HPT", "usage_plan": "high",
            "credentials": {"app_key_env": "K", "app_secret_env": "S"},
            "policy": {"change_windows": [window]}})


@pytest.mark.parametrize(("legs", "words"), [
    ([{"market": "CME", "product": "ZN"}], "at least 2 items"),
    ([{"market": "CME", "product": "ZN"}, {"market": "cme", "product": "zn"}],
     "names each product once"),
    ([{"market": "CME", "product": "ZN"}, {"market": "CME", "product": "*"}],
     'a leg names one product (not "*")'),
])
def test_an_inter_product_row_has_two_or_more_distinct_products(
        legs: list[dict[str, str]], words: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(words)):
        Limits.model_validate({"inter_product": [{"legs": legs, "max_order_qty": 1}]})


def test_a_family_row_names_no_product_and_is_named_by_its_family() -> None:
    row = ProductLimit.model_validate({"market": "CME", "family": "Energy", "max_order_qty": 1})
    assert row.is_default
    assert row.name == "CME family Energy * future"
    with pytest.raises(ValidationError, match="a row names a product or a family, not both"):
        ProductLimit.model_validate({"market": "CME", "family": "Energy", "product": "CL"})


def test_an_order_tag_default_key_left_out_or_star_is_the_same_default() -> None:
    star = OrderTagDefault.model_validate({"market": "CME", "field": "TT SMP ID", "value": "X",
                                           "profile": "*", "algo_type": "*", "type": "*"})
    plain = OrderTagDefault.model_validate({"market": "CME", "field": "TT SMP ID",
                                            "value": "X"})
    assert star.key() == plain.key()
    assert star.declared() == plain.declared()
    es = OrderTagDefault.model_validate({"market": "CME", "field": "TT SMP ID", "value": "X",
                                         "product": "ES"})
    assert es.type == "future", "a product is a future unless its type is said"
    assert es.key() != plain.key()
