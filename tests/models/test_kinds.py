"""The kind registry: one place says what each kind is, and everything else agrees."""

from __future__ import annotations

from typing import Annotated, get_args

import pytest
from pydantic import Field

from ttconfig.models import DECLARED, REGISTRY, Firm, Kind, Operation
from ttconfig.models.base import Model, Risk
from ttconfig.models.environment import ChangeKind, LimitField
from ttconfig.models.environment import Kind as EnvironmentKind
from ttconfig.models.kinds import LIMIT_OWNERS, field_risks
from ttconfig.models.limits import LimitValues


@pytest.mark.parametrize("spelling", ["user_groups", "user-groups", "user groups",
                                      "User Groups", "user_group", "user-group",
                                      "user group", " USER_GROUPS "])
def test_every_spelling_people_use_names_one_kind(spelling: str) -> None:
    assert Kind.parse(spelling) is Kind.USER_GROUPS


@pytest.mark.parametrize("spelling", ["", "group", "accountz", "order_tags", "limits"])
def test_an_unknown_spelling_names_no_kind(spelling: str) -> None:
    assert Kind.parse(spelling) is None


def test_each_declared_kind_has_a_file_a_model_and_a_list_on_the_firm() -> None:
    assert [spec.kind for spec in DECLARED] == [k for k in Kind if k is not Kind.LINKS]
    for spec in DECLARED:
        assert spec.kind.value in Firm.model_fields
        assert set(spec.key_fields) <= set(spec.model.model_fields)
        assert spec.core_fields == () or set(spec.core_fields) <= set(spec.model.model_fields)
    with pytest.raises(TypeError, match="links have no model"):
        _ = Kind.LINKS.spec.model


def test_environment_yaml_names_the_kinds_the_registry_has() -> None:
    """environment.yaml's schema lists kinds as literals (editors complete them): they
    must be exactly the registry's, or a policy could name a kind ttconfig ignores."""
    assert set(get_args(EnvironmentKind)) == {spec.kind.value for spec in DECLARED}
    change_kinds = {value for part in get_args(ChangeKind) for value in get_args(part)}
    assert change_kinds == {kind.value for kind in Kind}


def test_bounds_can_name_every_quantity_limit_of_a_row() -> None:
    limits = {name for name, risk in field_risks([LimitValues]).items() if risk is Risk.LIMIT}
    assert set(get_args(LimitField)) == limits


def test_limit_owners_are_the_kinds_with_limit_rows() -> None:
    assert set(LIMIT_OWNERS) == {spec.kind for spec in DECLARED
                                 if "limits" in spec.model.model_fields}


@pytest.mark.parametrize(("operation", "kind", "text"), [
    (Operation.CREATE, Kind.ACCOUNTS, "create account"),
    (Operation.UPDATE, Kind.USER_GROUPS, "update user group"),
    (Operation.DELETE, Kind.ORDER_TAG_DEFAULTS, "delete order tag default"),
    (Operation.DEACTIVATE, Kind.USERS, "deactivate user"),
    (Operation.UPSERT_ITEM, Kind.PRODUCT_MARGINS, "upsert product margin"),
    (Operation.UPSERT_ITEM, Kind.ORDER_TAG_DEFAULTS, "set order-tag default"),
    (Operation.LINK_USERS, Kind.LINKS, "link users"),
    (Operation.UPSERT_LIMIT_ROWS, Kind.RISK_GROUPS, "upsert limit rows"),
])
def test_operations_read_as_plans_and_audit_records_have_always_said(
        operation: Operation, kind: Kind, text: str) -> None:
    assert operation.text(kind) == text


def test_a_new_field_gets_its_risk_rule_from_its_own_declaration() -> None:
    """Adding a limit is one annotated field: diff, plan and policy read its direction
    from the model."""

    class Row(Model):
        max_clip_qty: Annotated[int | None, Risk.LIMIT] = None
        allow_iceberg: Annotated[bool | None, Risk.GRANT] = None
        note: str | None = None

    class Owner(Model):
        rows: list[Row] = Field(default_factory=list)

    assert field_risks([Owner]) == {"max_clip_qty": Risk.LIMIT, "allow_iceberg": Risk.GRANT}


def test_one_field_name_with_two_risk_rules_is_refused() -> None:
    class Loose(Model):
        hold: Annotated[bool | None, Risk.GRANT] = None

    class Tight(Model):
        hold: Annotated[bool | None, Risk.CONTROL] = None

    with pytest.raises(TypeError, match="'hold' has two risk rules"):
        field_risks([Loose, Tight])


def test_the_registry_covers_every_kind() -> None:
    assert set(REGISTRY) == set(Kind)
    assert all(spec.kind is kind for kind, spec in REGISTRY.items())
