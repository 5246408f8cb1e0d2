"""Fingerprints of what a plan touches: managed fields only, and the three-way view."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from ttconfig.core.changes import ABSENT
from ttconfig.core.diff import diff
from ttconfig.core.digest import fingerprint
from ttconfig.core.plan import build_plan
from ttconfig.models.accounts import Account
from ttconfig.models.base import Model
from ttconfig.models.users import User
from ttconfig.safety.fingerprint import (
    Objects,
    Row,
    Touched,
    project,
    three_way,
    touched,
    value_at,
)

ANN = "ann.lee@harborpoint.example"
BOB = "bob.ray@harborpoint.example"
ES = {"market": "CME", "product": "ES"}
ES_QTY = "limits.products.CME ES future.max_order_qty"


def limits(*rows: dict[str, Any], **account: Any) -> dict[str, Any]:
    return {"name": "HPT-ARB", "type": "house", "limits": {"products": list(rows)}, **account}


# --- project ------------------------------------------------------------------------------

def test_project_keeps_only_the_declared_keys_recursively() -> None:
    live = {"name": "HPT-ARB", "description": "arb", "parent": "ROOT",
            "risk_settings": {"credit_limit": 5_000, "currency": "USD", "apply_pnl": True}}
    desired = {"name": "HPT-ARB", "risk_settings": {"credit_limit": 9_000}}
    assert project(live, desired) == {"name": "HPT-ARB",
                                      "risk_settings": {"credit_limit": 5_000}}


def test_project_marks_a_declared_key_missing_live_as_absent() -> None:
    projected = project({"name": "HPT-ARB"}, {"name": "HPT-ARB", "description": "arb",
                                               "risk_settings": {"credit_limit": 1}})
    assert projected == {"name": "HPT-ARB", "description": ABSENT, "risk_settings": ABSENT}


def test_project_keeps_a_declared_null_leaf_as_live_has_it() -> None:
    assert project({"credit_limit": 5}, {"credit_limit": None}) == {"credit_limit": 5}
    assert project({"credit_limit": None}, {"credit_limit": 5}) == {"credit_limit": None}


def test_project_keeps_lists_whole() -> None:
    live_rows = [{**ES, "max_order_qty": 10, "max_position": 50},
                 {"market": "CME", "product": "NQ", "max_order_qty": 3}]
    projected = project(limits(*live_rows), limits({**ES, "max_order_qty": 20}))
    assert projected["limits"] == {"products": live_rows}


def test_project_of_an_object_the_yaml_does_not_declare_is_live_whole() -> None:
    live = {"email": BOB, "active": True, "last_name": "Ray"}
    assert project(live, None) == live


def test_project_of_an_object_missing_live_is_none() -> None:
    assert project(None, {"name": "NEW"}) is None
    assert project(None, None) is None


# --- fingerprint --------------------------------------------------------------------------

def test_fingerprint_does_not_depend_on_key_order() -> None:
    one = {"name": "A", "risk_settings": {"credit_limit": 5, "currency": "USD"}}
    other = {"risk_settings": {"currency": "USD", "credit_limit": 5}, "name": "A"}
    assert fingerprint(one) == fingerprint(other)
    assert len(fingerprint(one)) == 64


@pytest.mark.parametrize("changed", [
    {"name": "A", "risk_settings": {"credit_limit": 6, "currency": "USD"}},
    {"name": "A", "risk_settings": {"credit_limit": None, "currency": "USD"}},
    {"name": "A", "risk_settings": {"credit_limit": ABSENT, "currency": "USD"}},
    {"name": "A", "risk_settings": {"credit_limit": "5", "currency": "USD"}},
    None,
], ids=["value", "null", "absent", "string", "object-gone"])
def test_fingerprint_changes_with_a_managed_value(changed: Any) -> None:
    base = {"name": "A", "risk_settings": {"credit_limit": 5, "currency": "USD"}}
    assert fingerprint(changed) != fingerprint(base)


def test_a_fingerprint_read_back_from_a_plan_file_is_the_same() -> None:
    item = Touched("accounts", "HPT-ARB", {"name": "HPT-ARB", "description": ABSENT,
                                           "limits": {"products": [{**ES, "max_order_qty": 7}]}})
    read_back = json.loads(json.dumps(item.to_data()))
    assert read_back["planned_from"]["description"] == "(absent)"
    assert fingerprint(read_back["planned_from"]) == item.fingerprint == read_back["fingerprint"]


# --- touched ------------------------------------------------------------------------------

def scenario() -> tuple[dict[str, Sequence[Model]], dict[str, Sequence[Model]]]:
    desired: dict[str, Sequence[Model]] = {
        "accounts": [
            Account.model_validate({"name": "HPT-ARB", "type": "house", "description": "arb",
                                    "users": [{"user": ANN.upper(), "order_permissions":
                                               {"place_orders": True}}]}),
            Account.model_validate({"name": "NEW", "type": "house"})],
        "users": [User.model_validate({"email": ANN, "first_name": "Ann"})]}
    live: dict[str, Sequence[Model]] = {
        "accounts": [Account.model_validate({
            "name": "HPT-ARB", "type": "house", "description": "old", "parent": "ROOT",
            "users": [{"user": ANN, "order_permissions": {"place_orders": False,
                                                          "modify_orders": True}},
                      {"user": BOB}]})],
        "users": [User.model_validate({"email": ANN, "first_name": "Anne", "last_name": "Lee"}),
                  User.model_validate({"email": BOB, "active": True, "last_name": "Ray"})]}
    return desired, live


def touched_by(desired: Mapping[str, Sequence[Model]], live: Mapping[str, Sequence[Model]],
               ) -> list[Touched]:
    plan = build_plan(diff(desired, live, {"users": True}), environment="uat",
                      tt_environment="ext_uat_cert")
    return touched(plan, Objects(desired, desired=True), Objects(live, desired=False))


def test_touched_has_one_entry_per_change_with_the_managed_live_values() -> None:
    items = touched_by(*scenario())
    assert [(t.kind, t.key, t.planned_from) for t in items] == [
        ("accounts", "HPT-ARB", {"name": "HPT-ARB", "type": "house", "description": "old"}),
        ("accounts", "NEW", None),
        ("users", ANN, {"email": ANN, "first_name": "Anne"}),
        ("users", BOB, {"email": BOB, "active": True, "last_name": "Ray"}),
        ("links", f"HPT-ARB ↔ {ANN.upper()}", {"order_permissions": {"place_orders": False}}),
        ("links", f"HPT-ARB ↔ {BOB}", {}),
    ]


def test_touched_ignores_edits_to_fields_the_yaml_does_not_manage() -> None:
    desired, live = scenario()
    before = {(t.kind, t.key): t.fingerprint for t in touched_by(desired, live)}
    edited = {**live, "accounts": [Account.model_validate({
        "name": "HPT-ARB", "type": "house", "description": "old", "parent": "OTHER-ROOT",
        "users": [{"user": ANN, "order_permissions": {"place_orders": False,
                                                      "modify_orders": False}},
                  {"user": BOB}]})]}
    after = {(t.kind, t.key): t.fingerprint for t in touched_by(desired, edited)}
    assert after == before


def test_touched_sees_an_edit_to_a_managed_field() -> None:
    desired, live = scenario()
    before = {(t.kind, t.key): t.fingerprint for t in touched_by(desired, live)}
    edited = {**live, "accounts": [Account.model_validate({
        "name": "HPT-ARB", "type": "house", "description": "edited in TT",
        "users": [{"user": ANN, "order_permissions": {"place_orders": False}},
                  {"user": BOB}]})]}
    after = {(t.kind, t.key): t.fingerprint for t in touched_by(desired, edited)}
    assert [key for key in before if before[key] != after[key]] == [("accounts", "HPT-ARB")]


def test_objects_find_links_whatever_the_case_of_their_names() -> None:
    desired, live = scenario()
    objects = Objects(live, desired=False)
    assert objects.get("links", f"hpt-arb ↔ {ANN.upper()}") == {
        "order_permissions": {"place_orders": False, "modify_orders": True}}
    assert objects.get("accounts", "Hpt-Arb") == {"name": "HPT-ARB", "type": "house",
                                                  "description": "old", "parent": "ROOT"}
    assert objects.get("links", "HPT-ARB ↔ nobody@harborpoint.example") is None
    assert Objects(desired, desired=True).get("links", f"HPT-ARB ↔ {ANN}") == {
        "order_permissions": {"place_orders": True}}


# --- three-way ----------------------------------------------------------------------------

def test_three_way_names_the_limit_row_that_moved() -> None:
    then = limits({**ES, "max_order_qty": 10, "max_position": 40}, description="arb")
    now = limits({**ES, "max_order_qty": 12, "max_position": 40}, description="arb")
    want = limits({**ES, "max_order_qty": 20}, description="arb")
    assert three_way("accounts", "HPT-ARB", then, now, want) == [
        Row("accounts", "HPT-ARB", ES_QTY, 10, 12, 20)]


def test_three_way_of_nothing_moved_is_empty() -> None:
    same = limits({**ES, "max_order_qty": 10})
    assert three_way("accounts", "HPT-ARB", same, dict(same), limits()) == []


def test_three_way_shows_absent_and_not_set_apart() -> None:
    then = {"name": "HPT-ARB", "description": ABSENT, "risk_settings": {"credit_limit": 5}}
    now = {"name": "HPT-ARB", "description": "set in TT",
           "risk_settings": {"credit_limit": None}}
    want = {"name": "HPT-ARB", "description": "arb", "risk_settings": {"credit_limit": 9}}
    assert three_way("accounts", "HPT-ARB", then, now, want) == [
        Row("accounts", "HPT-ARB", "description", "(absent)", "set in TT", "arb"),
        Row("accounts", "HPT-ARB", "risk_settings.credit_limit", 5, None, 9)]


def test_three_way_of_a_row_removed_live() -> None:
    then = limits({**ES, "max_order_qty": 10})
    rows = three_way("accounts", "HPT-ARB", then, limits(), limits({**ES, "max_order_qty": 5}))
    assert rows == [Row("accounts", "HPT-ARB", ES_QTY, 10, "(absent)", 5)]


def test_three_way_of_an_object_deleted_live_is_one_object_row() -> None:
    then = limits({**ES, "max_order_qty": 10})
    assert three_way("accounts", "HPT-ARB", then, None, limits()) == [
        Row("accounts", "HPT-ARB", "(object)", "exists", "absent", "exists")]


def test_three_way_of_an_object_created_live_since_the_plan() -> None:
    assert three_way("accounts", "NEW", None, {"name": "NEW"}, {"name": "NEW"}) == [
        Row("accounts", "NEW", "(object)", "absent", "exists", "exists")]


def test_three_way_of_a_member_that_joined_live() -> None:
    rows = three_way("risk_groups", "Energy", {"accounts": ["HPT-ARB"]},
                     {"accounts": ["HPT-ARB", "HPT-MM"]}, {"accounts": ["hpt-mm"]})
    assert rows == [Row("risk_groups", "Energy", "accounts.HPT-MM", "(absent)", "member",
                        "member")]


def test_three_way_finds_the_desired_row_whatever_its_case() -> None:
    then = limits({**ES, "max_order_qty": 10})
    now = limits({**ES, "max_order_qty": 12})
    want = limits({"market": "cme", "product": "es", "max_order_qty": 20})
    assert three_way("accounts", "HPT-ARB", then, now, want) == [
        Row("accounts", "HPT-ARB", ES_QTY, 10, 12, 20)]


# --- value_at -----------------------------------------------------------------------------

def test_value_at_follows_dict_keys() -> None:
    data = {"risk_settings": {"credit_limit": 5, "currency": "USD"}, "description": None}
    assert value_at(data, ("risk_settings", "credit_limit")) == 5
    assert value_at(data, ("description",)) is None
    assert value_at(data, ("risk_settings", "apply_pnl")) == "(absent)"
    assert value_at(data, ("risk_settings", "credit_limit", "deeper")) == "(absent)"
    assert value_at(data, ()) == data


def test_value_at_finds_limit_rows_by_name() -> None:
    data = limits({"market": "CME", "product": "NQ", "max_order_qty": 3},
                  {**ES, "max_order_qty": 10},
                  {**ES, "type": "option", "max_order_qty": 1})
    assert value_at(data, tuple(ES_QTY.split("."))) == 10
    assert value_at(data, ("limits", "products", "CME ES option", "max_order_qty")) == 1
    assert value_at(data, ("limits", "products", "CME CL future", "max_order_qty")) == \
        "(absent)"
    contracts = {"limits": {"contracts": [{**ES, "contract": "ES Mar26", "max_position": 4}]}}
    assert value_at(contracts, ("limits", "contracts", "CME ES future ES Mar26",
                                "max_position")) == 4


def test_value_at_says_whether_a_name_is_a_member() -> None:
    data = {"accounts": ["HPT-ARB", "HPT-MM"]}
    assert value_at(data, ("accounts", "hpt-arb")) == "member"
    assert value_at(data, ("accounts", "HPT-OLD")) == "(absent)"
