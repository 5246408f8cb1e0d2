"""The diff: by key, managed fields only, keyed lists, links on either side, prune."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ttconfig.core.changes import ABSENT, Change
from ttconfig.core.diff import diff
from ttconfig.models.accounts import Account
from ttconfig.models.base import Model
from ttconfig.models.groups import RiskGroup
from ttconfig.models.users import User

ANN = "ann.lee@harborpoint.example"
ES = {"market": "CME", "product": "ES"}
NQ = {"market": "CME", "product": "NQ"}


def accounts(*items: dict[str, Any]) -> list[Account]:
    return [Account.model_validate({"type": "house", **item}) for item in items]


def summary(changes: list[Change]) -> list[tuple[str, str, str, list[tuple[str, Any, Any]]]]:
    return [(c.kind, c.action, c.key, [(".".join(f.path), f.old, f.new) for f in c.fields])
            for c in changes]


def test_unmanaged_fields_and_undeclared_objects_are_left_alone() -> None:
    desired = {"accounts": accounts({"name": "A", "description": "same"})}
    live = {"accounts": accounts({"name": "A", "description": "same", "parent": "P",
                                  "risk_settings": {"credit_limit": 5}}, {"name": "B"})}
    assert diff(desired, live) == []


def test_rows_are_matched_by_scope_not_position() -> None:
    desired = {"accounts": accounts({"name": "A", "limits": {"products": [
        {**NQ, "max_order_qty": 5}, {**ES, "max_order_qty": 10}]}})}
    live = {"accounts": accounts({"name": "A", "limits": {"products": [
        {**ES, "max_order_qty": 10, "max_position": 7}, {**NQ, "max_order_qty": 5}]}})}
    assert diff(desired, live) == []


def test_row_changes_added_and_removed_rows() -> None:
    desired = {"accounts": accounts({"name": "A", "limits": {"products": [
        {**ES, "max_order_qty": None}, {**NQ, "max_order_qty": 5}]}})}
    live = {"accounts": accounts({"name": "A", "limits": {"products": [
        {**ES, "max_order_qty": 10}, {"market": "CME", "product": "CL", "max_position": 3}]}})}
    (change,) = diff(desired, live)
    assert summary([change]) == [("accounts", "update", "A", [
        ("limits.products.CME ES future.max_order_qty", 10, None),
        ("limits.products.CME NQ future.max_order_qty", ABSENT, 5),
        ("limits.products.CME CL future.max_position", 3, ABSENT),
    ])]
    assert [f.direction for f in change.fields] == ["loosening", "tightening", "loosening"]
    assert change.direction == "loosening"


def test_links_declared_on_either_side_are_one_link() -> None:
    desired: dict[str, Sequence[Model]] = {
               "accounts": accounts({"name": "A"}, {"name": "B", "users": []}),
               "users": [User.model_validate({"email": ANN, "accounts": [
                   {"account": "A", "order_permissions": {"place_orders": True}}]})]}
    live: dict[str, Sequence[Model]] = {"accounts": accounts(
        {"name": "A", "users": [{"user": ANN, "order_permissions": {"place_orders": False}}]},
        {"name": "B", "users": [{"user": ANN}]},
        {"name": "C", "users": [{"user": ANN}]}),
        "users": [User.model_validate({"email": ANN})]}
    assert summary(diff(desired, live)) == [
        ("links", "update", f"A ↔ {ANN}", [("order_permissions.place_orders", False, True)]),
        ("links", "delete", f"B ↔ {ANN}", []),
    ], "C's links are not managed: the YAML declares none of them"


def test_without_prune_live_only_objects_stay_and_with_it_users_are_deactivated() -> None:
    desired: dict[str, Sequence[Model]] = {"users": [], "accounts": []}
    live: dict[str, Sequence[Model]] = {
        "users": [User.model_validate({"email": ANN, "active": True})],
        "accounts": accounts({"name": "OLD", "limits": {"products": [
                {**ES, "max_order_qty": 1}]}})}
    assert diff(desired, live) == []
    pruned = diff(desired, live, {"users": True, "accounts": True})
    assert summary(pruned) == [
        ("accounts", "delete", "OLD", [("name", "OLD", ABSENT), ("type", "house", ABSENT),
                                       ("limits.products.CME ES future.max_order_qty", 1,
                                        ABSENT)]),
        ("users", "deactivate", ANN, [("active", True, False)]),
    ]


def test_membership_changes_by_member_with_direction() -> None:
    desired = {"risk_groups": [RiskGroup.model_validate({"name": "R", "accounts": ["a", "C"]})]}
    live = {"risk_groups": [RiskGroup.model_validate({"name": "R", "accounts": ["A", "B"]})]}
    (change,) = diff(desired, live)
    assert [(".".join(f.path), f.old, f.new, f.direction) for f in change.fields] == [
        ("accounts.B", "member", ABSENT, "loosening"),
        ("accounts.C", ABSENT, "member", "tightening"),
    ]


def test_a_new_object_is_a_create_with_every_declared_field() -> None:
    (change,) = diff({"accounts": accounts({"name": "N", "limits": {"products": [
        {**ES, "max_order_qty": 3}]}})}, {"accounts": []})
    assert change.action == "create"
    assert ("limits.products.CME ES future.max_order_qty", ABSENT, 3) in summary([change])[0][3]


def test_joining_a_declared_risk_group_leaves_the_undeclared_one_the_account_is_in() -> None:
    # TT keeps an account in at most one risk group: the plan must say it leaves the other.
    desired = {"risk_groups": [RiskGroup.model_validate({"name": "Rates", "accounts": ["A"]})]}
    live = {"risk_groups": [RiskGroup.model_validate({"name": "Rates", "accounts": []}),
                            RiskGroup.model_validate({"name": "Legacy", "accounts": ["a", "B"]}),
                            RiskGroup.model_validate({"name": "Other", "accounts": ["C"]})]}
    assert summary(diff(desired, live)) == [
        ("risk_groups", "update", "Rates", [("accounts.A", ABSENT, "member")]),
        ("risk_groups", "update", "Legacy", [("accounts.a", "member", ABSENT)])]


def test_an_undeclared_group_whose_members_were_not_read_is_left_alone() -> None:
    desired = {"risk_groups": [RiskGroup.model_validate({"name": "Rates", "accounts": ["A"]})]}
    live = {"risk_groups": [RiskGroup.model_validate({"name": "Rates", "accounts": ["A"]}),
                            RiskGroup.model_validate({"name": "Legacy"})]}
    assert diff(desired, live) == []
