"""The plan: steps in a safe order, ≤ 20 items a request, a summary, a stable checksum."""

from __future__ import annotations

import json
from pathlib import Path

from tests.seeded import plan_against_seed
from ttconfig.core.changes import ABSENT, Action, Change, FieldChange
from ttconfig.core.plan import Plan, build_plan
from ttconfig.core.state import Key
from ttconfig.models.kinds import Kind
from ttconfig.runs.planning import load

ROOT = Path(__file__).parent.parent.parent


def field(path: str, old: object, new: object, direction: str) -> FieldChange:
    return FieldChange(tuple(path.split(".")), old, new, direction)  # type: ignore[arg-type]


def row(product: str, old: object, new: object, direction: str) -> FieldChange:
    return field(f"limits.products.CME {product} future.max_order_qty", old, new, direction)


def plan_of(*changes: Change, parents: dict[str, str | None] | None = None) -> Plan:
    return build_plan(list(changes), environment="uat", tt_environment="ext_uat_cert",
                      parents=parents)


def test_tightening_before_neutral_before_loosening_and_creates_first() -> None:
    plan = plan_of(
        Change(Kind.ACCOUNTS, Key.of("A"), "update", (row("ES", 10, 20, "loosening"),
                                           row("NQ", 10, 5, "tightening"))),
        Change(Kind.LINKS, Key.link("A", "x@y.example"), "create",
               (field("order_permissions.place_orders", ABSENT, True, "loosening"),)),
        Change(Kind.LINKS, Key.link("A", "z@y.example"), "delete",
               (field("order_permissions.place_orders", True, ABSENT, "tightening"),)),
        Change(Kind.ACCOUNTS, Key.of("NEW"), "create", (field("name", ABSENT, "NEW", "neutral"),
                                             field("type", ABSENT, "house", "neutral"))),
    )
    assert [(s.phase, s.operation, s.items) for s in plan.steps] == [
        (0, "create account", ("name", "type")),
        (1, "upsert limit rows", ("CME NQ future",)),
        (1, "unlink user", ("A ↔ z@y.example",)),
        (3, "upsert limit rows", ("CME ES future",)),
        (3, "link users", ("x@y.example",)),
    ]
    assert plan.summary.requests == 5


def test_parents_are_created_first_and_deleted_last() -> None:
    actions: list[tuple[str, Action]] = [("CHILD", "create"), ("ROOT", "create"),
                                         ("OLD-ROOT", "delete"), ("OLD-CHILD", "delete")]
    changes = [Change(Kind.ACCOUNTS, Key.of(name), action, ()) for name, action in actions]
    plan = plan_of(*changes, parents={"CHILD": "ROOT", "ROOT": None, "OLD-CHILD": "OLD-ROOT",
                                      "OLD-ROOT": None})
    assert [s.key for s in plan.steps] == ["ROOT", "CHILD", "OLD-CHILD", "OLD-ROOT"]


def test_requests_carry_at_most_twenty_items() -> None:
    rows = tuple(row(f"P{i:02d}", ABSENT, i, "tightening") for i in range(45))
    links = [Change(Kind.LINKS, Key.link("A", f"u{i}@y.example"), "create",
                    (field("order_permissions.place_orders", ABSENT, True, "loosening"),))
             for i in range(25)]
    plan = plan_of(Change(Kind.ACCOUNTS, Key.of("A"), "update", rows), *links)
    assert [len(s.items) for s in plan.steps] == [20, 20, 5, 20, 5]
    assert plan.summary.requests == 5


def test_removed_rows_are_deletes_and_summary_counts_directions() -> None:
    plan = plan_of(Change(Kind.ACCOUNTS, Key.of("A"), "update",
                          (row("ES", 10, ABSENT, "loosening"),)),
                   Change(Kind.USERS, Key.of("u@y.example"), "deactivate",
                          (field("active", True, False, "tightening"),)))
    assert [(s.operation, s.direction) for s in plan.steps] == [
        ("deactivate user", "tightening"), ("delete limit row", "loosening")]
    assert plan.summary.by_kind == {"accounts": {"update": 1}, "users": {"deactivate": 1}}
    assert (plan.summary.loosening, plan.summary.tightening) == (1, 1)


def test_checksum_is_stable_and_changes_with_the_plan() -> None:
    change = Change(Kind.ACCOUNTS, Key.of("A"), "update", (row("ES", 10, 5, "tightening"),))
    first, again = plan_of(change), plan_of(change)
    other = plan_of(Change(Kind.ACCOUNTS, Key.of("A"), "update", (row("ES", 10, 6, "tightening"),)))
    assert first.checksum() == again.checksum()
    assert first.checksum() != other.checksum()
    assert len(first.checksum()) == 64
    assert first.to_data()["changes"][0]["fields"][0]["old"] == 10


def test_an_account_moving_between_risk_groups_leaves_before_it_joins() -> None:
    plan = plan_of(
        Change(Kind.RISK_GROUPS, Key.of("Energy"), "update",
               (field("accounts.HPT-ARB", ABSENT, "member", "tightening"),)),
        Change(Kind.RISK_GROUPS, Key.of("Rates"), "update",
               (field("accounts.HPT-ARB", "member", ABSENT, "loosening"),)),
    )
    assert [(s.key, s.operation, s.phase) for s in plan.steps] == [
        ("Rates", "remove member", 1), ("Energy", "add members", 1)]


def test_a_plans_data_reads_back_as_the_same_plan() -> None:
    """`ttconfig show` renders a saved plan from its data: the plan read back must be the
    one saved, checksum and all."""
    plan = plan_against_seed(load(ROOT / "environments" / "uat"), "uat", "ext_uat_cert").plan
    again = Plan.from_data(json.loads(json.dumps(plan.to_data())))
    assert again.to_data() == plan.to_data()
    assert again.checksum() == plan.checksum()
    assert again.summary == plan.summary
    assert [s.op for s in again.steps] == [s.op for s in plan.steps]
